/*
 * mx_report.c - words, perfdata and JSON for an MX set. Probe details
 * are rendered by smtp_report.c so an MX probe reads like check_mail_smtp.
 * DNS names come from the network: they are sanitised before output.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include "mx/mx_report.h"
#include "smtp/smtp_report.h"

/* Sanitised copy of a name. */
static const char *mx_clean(const char *name, char *dst, size_t len)
{
	out_sanitize(dst, len, name, strlen(name));
	return dst;
}

/* The problem shown in the status line: where and what. */
static void mx_report_problem(const struct mx_set *s, const struct mx_verdict *v, int port,
			      struct out *o)
{
	char where[320], what[512], name[DNS_NAME_MAX];

	if (v->fail == NULL)
		return;
	if (v->host >= 0 && v->addr >= 0) {
		const struct mx_addr *a = &s->mx[v->host].addr[v->addr];

		smtp_report_target(&a->probe, s->mx[v->host].name, port, where, sizeof(where));
		if (v->fail == &a->probe.smtp.fail)
			smtp_report_failure(&a->probe, what, sizeof(what));
		else
			out_sanitize(what, sizeof(what), v->fail->detail, strlen(v->fail->detail));
		out_summary(o, "; %s %s (cause: %s)", where, what, v->cause->name);
		return;
	}
	out_sanitize(what, sizeof(what), v->fail->detail, strlen(v->fail->detail));
	if (v->host >= 0 && strstr(what, s->mx[v->host].name) == NULL)
		out_summary(o, "; %s:", mx_clean(s->mx[v->host].name, name, sizeof(name)));
	out_summary(o, "; %s (cause: %s)", what, v->cause->name);
}

/* One long-output line per address. */
static void mx_report_addr(const struct mx_addr *a, const struct mx_policy *p, int verbose,
			   struct out *o)
{
	char addr[64], ptr[DNS_NAME_MAX], what[512];
	const struct cause *c = classify(&a->probe.smtp.fail);

	net_addr_str(&a->addr, addr, sizeof(addr));
	if (a->probed && a->probe.smtp.fail.cls != FAIL_NONE)
		smtp_report_failure(&a->probe, what, sizeof(what));
	else
		snprintf(what, sizeof(what), a->probed ? "ok" : "not probed");
	out_long(o, "  %s %s (%s) in %.3fs%s%s; ptr %s%s", addr, what, c->name,
		 (double)a->probe.total_us / 1e6, a->probe.tls_used ? " " : "",
		 a->probe.tls_used ? a->probe.tls.protocol : "",
		 a->ptr[0] ? mx_clean(a->ptr, ptr, sizeof(ptr)) : "none",
		 p->rdns_state < 0 || !a->ptr[0] ? "" : a->fcrdns ? " (fcrdns ok)" : " (fcrdns failed)");
	if (verbose >= 1)
		smtp_report_long(&a->probe, c, verbose, o);
}

/* Long output: one line per MX, then one per address. */
static void mx_report_long(const struct mx_set *s, const struct mx_policy *p, int verbose,
			   struct out *o)
{
	char name[DNS_NAME_MAX];

	if (s->fail.cls != FAIL_NONE)
		out_long(o, "domain: %s: %s", classify(&s->fail)->name, classify(&s->fail)->hint);
	for (int i = 0; i < s->n; i++) {
		const struct mx_host *h = &s->mx[i];

		out_long(o, "MX %d %s: %s%s%s", h->pref, mx_clean(h->name, name, sizeof(name)),
			 mx_host_ok(h) ? "healthy" : "FAILED", h->fail.cls ? ", " : "",
			 h->fail.cls ? classify(&h->fail)->name : "");
		for (int j = 0; j < h->naddr; j++)
			mx_report_addr(&h->addr[j], p, verbose, o);
	}
}

/* Perfdata: counts, then the slowest address of every MX. */
static void mx_report_perf(const struct mx_set *s, const struct mx_verdict *v,
			   const struct mx_policy *p, struct out *o)
{
	out_perf(o, "mx_total", v->total, "", NULL);
	out_perf(o, "mx_healthy", v->healthy, "", &p->healthy);
	out_perf(o, "mx_failed", v->failed, "", NULL);
	for (int i = 0; i < s->n; i++) {
		char label[48], name[DNS_NAME_MAX];
		int64_t worst = 0;

		for (int j = 0; j < s->mx[i].naddr; j++)
			if (s->mx[i].addr[j].probe.total_us > worst)
				worst = s->mx[i].addr[j].probe.total_us;
		/* Labels are bounded: a long name keeps its first 40 bytes. */
		mx_clean(s->mx[i].name, name, sizeof(name));
		snprintf(label, sizeof(label), "%.40s_time", name);
		out_perf(o, label, (double)worst / 1e6, "s", NULL);
	}
}

/* JSON of one MX with its addresses and probes. */
static struct json_object *mx_report_json_host(const struct mx_host *h)
{
	struct json_object *j = json_object_new_object(), *addrs = json_object_new_array();
	char name[DNS_NAME_MAX];

	json_object_object_add(j, "name", json_object_new_string(mx_clean(h->name, name, sizeof(name))));
	json_object_object_add(j, "preference", json_object_new_int(h->pref));
	json_object_object_add(j, "healthy", json_object_new_boolean(mx_host_ok(h)));
	json_object_object_add(j, "cause", json_object_new_string(classify(&h->fail)->name));
	json_object_object_add(j, "canonical", h->canon[0] ? json_object_new_string(
							       mx_clean(h->canon, name, sizeof(name)))
							 : NULL);
	for (int k = 0; k < h->naddr; k++) {
		const struct mx_addr *a = &h->addr[k];
		struct json_object *aj = json_object_new_object();

		json_object_object_add(aj, "ptr", a->ptr[0] ? json_object_new_string(mx_clean(
								    a->ptr, name, sizeof(name)))
							    : NULL);
		json_object_object_add(aj, "fcrdns", json_object_new_boolean(a->fcrdns));
		json_object_object_add(aj, "rdns_cause", json_object_new_string(classify(&a->rdns)->name));
		json_object_object_add(aj, "probed", json_object_new_boolean(a->probed));
		json_object_object_add(aj, "probe", smtp_report_json(&a->probe,
								     classify(&a->probe.smtp.fail)));
		json_object_array_add(addrs, aj);
	}
	json_object_object_add(j, "addresses", addrs);
	return j;
}

/* The whole result as JSON (the "cause" and "failed_phase" keys as in check_mail_smtp). */
static struct json_object *mx_report_json(const struct mx_set *s, const struct mx_verdict *v)
{
	struct json_object *j = json_object_new_object(), *mx = json_object_new_array();
	char name[DNS_NAME_MAX];

	json_object_object_add(j, "domain", json_object_new_string(mx_clean(s->domain, name, sizeof(name))));
	json_object_object_add(j, "cause", json_object_new_string(v->cause->name));
	json_object_object_add(j, "hint", json_object_new_string(v->cause->hint));
	json_object_object_add(j, "failed_phase", v->fail && v->fail->phase != PHASE_NONE
							  ? json_object_new_string(
								  phase_name(v->fail->phase))
							: NULL);
	json_object_object_add(j, "mx_total", json_object_new_int(v->total));
	json_object_object_add(j, "mx_healthy", json_object_new_int(v->healthy));
	json_object_object_add(j, "mx_failed", json_object_new_int(v->failed));
	json_object_object_add(j, "mx_dropped", json_object_new_int(s->dropped));
	json_object_object_add(j, "null_mx", json_object_new_boolean(s->null_mx));
	json_object_object_add(j, "implicit_mx", json_object_new_boolean(s->implicit));
	for (int i = 0; i < s->n; i++)
		json_object_array_add(mx, mx_report_json_host(&s->mx[i]));
	json_object_object_add(j, "mx", mx);
	return j;
}

void mx_report(const struct mx_set *s, const struct mx_verdict *v, const struct mx_policy *p,
	       int port, int verbose, struct out *o)
{
	char name[DNS_NAME_MAX];

	out_state(o, v->state);
	o->timed_out = v->timed_out;
	out_summary(o, "%s: ", mx_clean(s->domain, name, sizeof(name)));
	if (s->null_mx && s->n == 0)
		out_summary(o, "null MX, domain accepts no mail");
	else
		out_summary(o, "%d of %d MX healthy", v->healthy, v->total);
	if (s->dropped > 0)
		out_summary(o, " (%d less preferred MX not checked, over %d)", s->dropped, MX_MAX);
	mx_report_problem(s, v, port, o);
	mx_report_perf(s, v, p, o);
	mx_report_long(s, p, verbose, o);
	o->cause = v->cause->name;
	o->json = mx_report_json(s, v);
}

struct json_object *mx_report_discovery(const struct mx_set *s)
{
	struct json_object *j = json_object_new_object(), *data = json_object_new_array();
	char name[DNS_NAME_MAX], addr[64];

	for (int i = 0; i < s->n; i++) {
		for (int k = 0; k < s->mx[i].naddr; k++) {
			struct json_object *row = json_object_new_object();

			mx_clean(s->mx[i].name, name, sizeof(name));
			net_addr_str(&s->mx[i].addr[k].addr, addr, sizeof(addr));
			json_object_object_add(row, "{#MX}", json_object_new_string(name));
			json_object_object_add(row, "{#MXPRIO}", json_object_new_int(s->mx[i].pref));
			json_object_object_add(row, "{#MXADDR}", json_object_new_string(addr));
			json_object_array_add(data, row);
		}
	}
	json_object_object_add(j, "data", data);
	return j;
}
