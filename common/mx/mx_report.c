/*
 * mx_report.c - an MX set as a result tree: check node, one node per MX,
 * one per address, one per probe (details by smtp_report.c).
 *
 * Contract: writes into the tree only. DNS names come from the network
 * and the domain from the command line: they go in as untrusted pieces
 * or raw fact strings, which the renderers make safe. Each node's cause
 * is classified once, when the node is made, and read from it afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/md5.h"
#include "mx/mx_report.h"
#include "smtp/smtp_report.h"

#define MX_LABEL_NAME 42 /* bytes of a label before "_time" (OUT_LABEL_MAX - 1 - 5) */

/* Append a DNS name (untrusted) at where. */
static void mx_name(struct out *o, enum out_where where, const char *name)
{
	out_add_untrusted(o, where, name, strnlen(name, DNS_NAME_MAX), DNS_NAME_MAX - 1);
}

/* The problem shown in the status line: where and what. */
static void mx_report_problem(const struct mx_set *s, const struct mx_verdict *v, int port,
			      struct out *o)
{
	if (v->fail == NULL)
		return;
	out_summary(o, "; ");
	if (v->host >= 0 && v->addr >= 0) {
		const struct mx_addr *a = &s->mx[v->host].addr[v->addr];

		smtp_report_target(&a->probe, s->mx[v->host].name, port, o, OUT_TO_SUMMARY);
		out_summary(o, " ");
		if (v->fail == &a->probe.smtp.fail)
			smtp_report_failure(&a->probe, o, OUT_TO_SUMMARY);
		else
			out_summary_untrusted(o, v->fail->detail, strlen(v->fail->detail),
					      FAIL_DETAIL_MAX - 1);
		out_summary(o, " (cause: %s)", o->cause->name);
		return;
	}
	if (v->host >= 0 && strstr(v->fail->detail, s->mx[v->host].name) == NULL) {
		mx_name(o, OUT_TO_SUMMARY, s->mx[v->host].name);
		out_summary(o, ":; ");
	}
	out_summary_untrusted(o, v->fail->detail, strlen(v->fail->detail), FAIL_DETAIL_MAX - 1);
	out_summary(o, " (cause: %s)", o->cause->name);
}

/* The probe of one address as a sub-result under an (JSON "probe"). */
static struct out *mx_report_probe(const struct mx_addr *a, int verbose, struct out *an)
{
	struct out *pn = out_child(an, "probe", 0);

	if (pn == NULL)
		return NULL;
	out_cause(pn, a->probe_cause, 1);
	out_state(pn, a->probed ? pn->cause->state : STATE_UNKNOWN);
	smtp_report_facts(&a->probe, pn);
	if (verbose >= 1)
		smtp_report_long(&a->probe, verbose, pn);
	return pn;
}

/* One address as a sub-result under hn: its line, reverse DNS facts, its probe. */
static void mx_report_addr(const struct mx_addr *a, const struct mx_policy *p, int verbose,
			   struct out *hn)
{
	struct out *an = out_child(hn, "addresses", 1), *pn;
	char addr[64];

	if (an == NULL || (pn = mx_report_probe(a, verbose, an)) == NULL)
		return;
	out_state(an, pn->state);
	net_addr_str(&a->addr, addr, sizeof(addr));
	out_add(an, OUT_TO_LONG, "  %s ", addr);
	if (a->probed && a->probe.smtp.fail.cls != FAIL_NONE)
		smtp_report_failure(&a->probe, an, OUT_TO_LONG);
	else
		out_add(an, OUT_TO_LONG, a->probed ? "ok" : "not probed");
	out_add(an, OUT_TO_LONG, " (%s) in %.3fs%s%s; ptr ", pn->cause->name,
		(double)a->probe.total_us / 1e6, a->probe.tls_used ? " " : "",
		a->probe.tls_used ? a->probe.tls.protocol : "");
	if (a->ptr[0])
		mx_name(an, OUT_TO_LONG, a->ptr);
	else
		out_add(an, OUT_TO_LONG, "none");
	out_add(an, OUT_TO_LONG, "%s",
		p->rdns_state < 0 || !a->ptr[0] ? ""
		: a->fcrdns                     ? " (fcrdns ok)"
						: " (fcrdns failed)");
	out_eol(an);
	out_fact_str(&an->facts, "ptr", a->ptr[0] ? a->ptr : NULL);
	out_fact_bool(&an->facts, "fcrdns", a->fcrdns);
	out_fact_str(&an->facts, "rdns_cause", a->rdns_cause->name);
	out_fact_bool(&an->facts, "probed", a->probed);
}

/* 1 when c may stand in a label as it is (after lowering): letters, digits, '.', '-', '_'. */
static int mx_label_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/*
 * The label of s->mx[i] before "_time", into dst (MX_LABEL_NAME + 1 bytes):
 * the name in lower case when it is short and plain; else its plain prefix,
 * '~' and 8 hex digits of the MD5 of the whole lower-case name (so it does
 * not depend on where the name is cut or what was replaced). A name listed
 * more than once gets "~PREF", and "~K" among records equal in name and
 * preference. Only the MX's own name and preference go in: the label is the
 * same whatever the answer order.
 */
static void mx_label_base(const struct mx_set *s, int i, char *dst)
{
	const struct mx_host *h = &s->mx[i];
	char lower[DNS_NAME_MAX], sfx[24] = "";
	size_t n = strnlen(h->name, DNS_NAME_MAX - 1), cut;
	int plain = n > 0, dup = 0, same = 0, k = 1;
	unsigned char md[MD5_DIGEST_LEN];
	struct md5_ctx ctx;

	for (size_t j = 0; j < n; j++) {
		unsigned char c = (unsigned char)h->name[j];

		lower[j] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		plain = plain && mx_label_char_ok((unsigned char)lower[j]);
	}
	lower[n] = '\0';
	for (int j = 0; j < s->n; j++) {
		if (j == i || strcasecmp(s->mx[j].name, h->name) != 0)
			continue;
		dup = 1;
		if (s->mx[j].pref == h->pref) {
			same = 1;
			k += j < i;
		}
	}
	if (dup)
		snprintf(sfx, sizeof(sfx), "~%d", h->pref);
	if (same)
		snprintf(sfx + strlen(sfx), sizeof(sfx) - strlen(sfx), "~%d", k);
	if (plain && n + strlen(sfx) <= MX_LABEL_NAME) {
		memcpy(dst, lower, n); /* fits: checked just above */
		memcpy(dst + n, sfx, strlen(sfx) + 1);
		return;
	}
	md5_init(&ctx);
	md5_update(&ctx, lower, n);
	md5_final(&ctx, md);
	cut = MX_LABEL_NAME - 9 - strlen(sfx);
	if (cut > n)
		cut = n;
	for (size_t j = 0; j < cut; j++) {
		dst[j] = lower[j];
		if (!mx_label_char_ok((unsigned char)lower[j]))
			dst[j] = '_';
	}
	snprintf(dst + cut, 10, "~%02x%02x%02x%02x", md[0], md[1], md[2], md[3]);
	memcpy(dst + cut + 9, sfx, strlen(sfx) + 1); /* cut + 9 + strlen(sfx) <= MX_LABEL_NAME */
}

/* Unique perfdata labels for every MX of s (labels[i] for s->mx[i]); see mx_label_base. */
static void mx_labels(const struct mx_set *s, char (*labels)[OUT_LABEL_MAX])
{
	char base[MX_LABEL_NAME + 1];

	for (int i = 0; i < s->n; i++) {
		mx_label_base(s, i, base);
		snprintf(labels[i], OUT_LABEL_MAX, "%s_time", base);
		/* Equal digests of different names (crafted ones): the later one gets a rank. */
		for (int j = 0, r = i; j < i; j++) {
			if (strcmp(labels[j], labels[i]) != 0)
				continue;
			snprintf(labels[i], OUT_LABEL_MAX, "%.*s~%d_time", MX_LABEL_NAME - 6, base,
				 r);
			r += s->n;
			j = -1; /* check again from the start */
		}
	}
}

/* One MX as a sub-result: its line, facts, perfdata (slowest address), its addresses. */
static void mx_report_host(const struct mx_host *h, const char *label, const struct mx_policy *p,
			   int verbose, struct out *o)
{
	struct out *hn = out_child(o, "mx", 1);
	int64_t worst = 0;
	int probed = 0;

	if (hn == NULL)
		return;
	out_cause(hn, h->cause, 1);
	out_state(hn, mx_host_ok(h) ? hn->cause->state : STATE_CRITICAL);
	out_add(hn, OUT_TO_LONG, "MX %d ", h->pref);
	mx_name(hn, OUT_TO_LONG, h->name);
	out_add(hn, OUT_TO_LONG, ": %s%s%s", mx_host_ok(h) ? "healthy" : "FAILED",
		h->fail.cls ? ", " : "", h->fail.cls ? hn->cause->name : "");
	out_eol(hn);
	out_fact_str(&hn->facts, "name", h->name);
	out_fact_int(&hn->facts, "preference", h->pref);
	out_fact_bool(&hn->facts, "healthy", mx_host_ok(h));
	out_fact_str(&hn->facts, "canonical", h->canon[0] ? h->canon : NULL);
	out_fact_arr(&hn->facts, "addresses"); /* [] when none; filled by the children */
	for (int j = 0; j < h->naddr; j++) {
		if (h->addr[j].probed && h->addr[j].probe.total_us >= worst) {
			worst = h->addr[j].probe.total_us;
			probed = 1;
		}
		mx_report_addr(&h->addr[j], p, verbose, hn);
	}
	if (probed)
		out_perf(hn, label, (double)worst / 1e6, "s", NULL);
	else
		out_perf_unknown(hn, label, "s", NULL); /* never probed: U, not 0 s */
}

/* The check node's facts (the "cause" and "failed_phase" keys as in check_mail_smtp). */
static void mx_report_facts(const struct mx_set *s, const struct mx_verdict *v, struct out *o)
{
	struct out_fact *f = &o->facts;

	out_fact_str(f, "domain", s->domain);
	out_fact_str(f, "failed_phase",
		     v->fail && v->fail->phase != PHASE_NONE ? phase_name(v->fail->phase) : NULL);
	out_fact_int(f, "mx_total", v->total);
	out_fact_int(f, "mx_healthy", v->healthy);
	out_fact_int(f, "mx_failed", v->failed);
	out_fact_bool(f, "null_mx", s->null_mx);
	out_fact_int(f, "mx_dropped", s->dropped);
	out_fact_bool(f, "implicit_mx", s->implicit);
	out_fact_arr(f, "mx"); /* [] when none; filled by the children */
}

/* The check node: state, cause, status line, the set's perfdata and facts. */
static void mx_report_head(const struct mx_set *s, const struct mx_verdict *v,
			   const struct mx_policy *p, int port, struct out *o)
{
	out_cause(o, v->cause, 1);
	out_state(o, v->state);
	o->timed_out = v->timed_out;
	mx_name(o, OUT_TO_SUMMARY, s->domain);
	out_summary(o, ": ");
	if (s->null_mx && s->n == 0)
		out_summary(o, "null MX, domain accepts no mail");
	else
		out_summary(o, "%d of %d MX healthy", v->healthy, v->total);
	if (s->dropped > 0)
		out_summary(o, " (%d less preferred MX not checked, over %d)", s->dropped, MX_MAX);
	mx_report_problem(s, v, port, o);
	out_perf(o, "mx_total", v->total, "", NULL);
	out_perf(o, "mx_healthy", v->healthy, "", &p->healthy);
	out_perf(o, "mx_failed", v->failed, "", NULL);
	mx_report_facts(s, v, o);
}

void mx_report(const struct mx_set *s, const struct mx_verdict *v, const struct mx_policy *p,
	       int port, int verbose, struct out *o)
{
	char(*labels)[OUT_LABEL_MAX] = NULL;

	mx_report_head(s, v, p, port, o);
	if (s->fail.cls != FAIL_NONE) {
		const struct cause *c = s->cause;

		out_long(o, "domain: %s: %s", c->name, c->hint);
	}
	if (s->n > 0 && (labels = calloc((size_t)s->n, sizeof(*labels))) == NULL) {
		out_root(o)->oom = 1;
		return;
	}
	mx_labels(s, labels);
	for (int i = 0; i < s->n; i++)
		mx_report_host(&s->mx[i], labels[i], p, verbose, o);
	free(labels);
}

/* 1 when the domain's own MX lookup failed: NXDOMAIN, SERVFAIL, refused, no resolver, no answer. */
static int mx_lookup_failed(const struct mx_set *s)
{
	return s->fail.cls == FAIL_DNS || (s->fail.cls == FAIL_TIMEOUT && s->n == 0) ||
	       (s->fail.cls == FAIL_INTERNAL && s->n == 0);
}

void mx_report_discovery(const struct mx_set *s, const struct mx_verdict *v,
			 const struct mx_policy *p, int port, struct out *o)
{
	struct out_fact *data;
	char addr[64];

	if (mx_lookup_failed(s)) {
		/* An empty list would make Zabbix drop every MX it discovered: UNKNOWN instead. */
		mx_report_head(s, v, p, port, o);
		o->state = STATE_UNKNOWN;
		o->timed_out = 0;
		return;
	}
	data = out_fact_arr(&o->facts, "data");
	o->raw = 1;
	for (int i = 0; i < s->n; i++) {
		for (int k = 0; k < s->mx[i].naddr; k++) {
			struct out_fact *row = out_fact_obj(data, NULL);

			net_addr_str(&s->mx[i].addr[k].addr, addr, sizeof(addr));
			out_fact_str(row, "{#MX}", s->mx[i].name);
			out_fact_int(row, "{#MXPRIO}", s->mx[i].pref);
			out_fact_str(row, "{#MXADDR}", addr);
		}
	}
}
