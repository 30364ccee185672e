/*
 * smtp_report.c - one SMTP probe result as words, perfdata and facts of a
 * result-tree node.
 *
 * Contract: writes into the node only; server text (replies, certificate
 * fields, the transcript) and the user's host name go in as untrusted
 * pieces or as raw fact strings, which the renderers (front/out_text.c,
 * front/out_json.c) make safe. The node's cause is set by the caller.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "smtp/smtp_report.h"
#include "verdict/classify.h"

#define REPORT_REPLY_MAX 159 /* bytes of a reply's first line in the summary */

/* "4.4.2" or "" when absent. */
static const char *report_enh(const struct enh *e, char *dst, size_t len)
{
	if (e->cls == 0)
		dst[0] = '\0';
	else
		snprintf(dst, len, "%d.%d.%d", e->cls, e->subject, e->detail);
	return dst;
}

void smtp_report_target(const struct smtp_run_result *r, const char *host, int port, struct out *o,
			enum out_where where)
{
	char addr[64] = "";
	/* An IPv6 literal as host is shown once, in brackets, with the port (RFC 3986 §3.2.2). */
	int literal6;

	if (r->addr.len > 0)
		net_addr_str(&r->addr, addr, sizeof(addr));
	if (addr[0] == '\0' || strcmp(addr, host) == 0) {
		literal6 = strchr(host, ':') != NULL;
		out_add(o, where, "%s", literal6 ? "[" : "");
		out_add_name(o, where, host, strlen(host), 255);
		out_add(o, where, "%s:%d", literal6 ? "]" : "", port);
		return;
	}
	out_add_name(o, where, host, strlen(host), 255);
	out_add(o, where, "[%s]:%d", addr, port);
}

/* Whole days from now until t (negative once past, rounded towards the past). */
static int report_days_until(time_t t)
{
	double secs = difftime(t, time(NULL));

	return (int)(secs < 0 ? (secs - 86399) / 86400 : secs / 86400);
}

int smtp_report_cert_days(const struct smtp_run_result *r)
{
	return report_days_until(r->tls.not_after);
}

int smtp_report_chain_days(const struct smtp_run_result *r)
{
	return report_days_until(r->tls.chain_not_after != 0 ? r->tls.chain_not_after
							     : r->tls.not_after);
}

/* Our words for a failure, before its detail (NULL when its class has none). */
static const char *report_class_words(const struct fail *f)
{
	switch (f->cls) {
	case FAIL_DNS: return "DNS lookup failed: ";
	case FAIL_CONNECT: return "connect failed: ";
	case FAIL_TLS:
		return f->phase == PHASE_TLS || f->phase == PHASE_TLS_IMPLICIT
			       ? "TLS handshake failed: "
			       : "TLS failed after the handshake: ";
	case FAIL_VERIFY: return "certificate verification failed: ";
	default: return NULL;
	}
}

void smtp_report_failure(const struct smtp_run_result *r, struct out *o, enum out_where where)
{
	const struct fail *f = &r->smtp.fail;
	const char *ph = phase_name(f->phase), *words = report_class_words(f);
	size_t dlen = strnlen(f->detail, sizeof(f->detail));
	char enh[16];

	if (f->code != 0 && (f->cls == FAIL_REPLY || f->cls == FAIL_EXPECT)) {
		report_enh(&f->enh, enh, sizeof(enh));
		out_add(o, where, "%d%s%s at %s: ", f->code, enh[0] ? " " : "", enh, ph);
		out_add_untrusted(o, where, f->text, strcspn(f->text, "\n"), REPORT_REPLY_MAX);
		return;
	}
	if (words != NULL) {
		out_add(o, where, "%s", words);
		out_add_untrusted(o, where, f->detail, dlen, FAIL_DETAIL_MAX - 1);
		return;
	}
	switch (f->cls) {
	case FAIL_NONE: out_add(o, where, "ok"); return;
	case FAIL_TIMEOUT: out_add(o, where, "timeout at %s", ph); return;
	case FAIL_INJECTION:
		out_add(o, where, "plaintext sent after the STARTTLS 220 reply");
		return;
	case FAIL_DROPPED: out_add(o, where, "connection dropped at %s", ph); break;
	default: out_add(o, where, "%s at %s", fail_class_name(f->cls), ph); break;
	}
	if (f->detail[0] != '\0') {
		out_add(o, where, ": ");
		out_add_untrusted(o, where, f->detail, dlen, FAIL_DETAIL_MAX - 1);
	}
}

void smtp_report_perf(const struct smtp_run_result *r, struct out *o,
		      const struct thresholds *phase_th)
{
	for (int p = PHASE_DNS; p < PHASE_MAX; p++) {
		if (!r->phase_seen[p])
			continue;
		out_perf(o, phase_name((enum phase)p), (double)r->phase_us[p] / 1e6, "s",
			 phase_th ? &phase_th[p] : NULL);
		out_perf_minmax(o, 1, 0, 0, 0);
	}
}

/* The conversation, one line per phase with its reply. */
static void report_long_phases(const struct smtp_run_result *r, struct out *o)
{
	for (int p = PHASE_DNS; p < PHASE_MAX; p++) {
		const struct smtp_reply *rep = &r->smtp.reply[p];
		char prefix[96], enh[16];

		if (!r->phase_seen[p] && rep->code == 0)
			continue;
		if (rep->code == 0) {
			out_long(o, "%-10s %.3fs", phase_name((enum phase)p),
				 (double)r->phase_us[p] / 1e6);
			continue;
		}
		report_enh(&rep->enh, enh, sizeof(enh));
		snprintf(prefix, sizeof(prefix), "%-10s %.3fs %d%s%s ", phase_name((enum phase)p),
			 (double)r->phase_us[p] / 1e6, rep->code, enh[0] ? " " : "", enh);
		out_long_untrusted(o, prefix, rep->text, strcspn(rep->text, "\n"));
	}
}

/* The transcript, one indented line per line recorded (secrets already masked). */
static void report_long_transcript(const struct smtp_run_result *r, struct out *o)
{
	const char *p = (const char *)r->smtp.transcript.data;
	const char *end = p + r->smtp.transcript.len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		out_long_untrusted(o, "  ", p, n);
		p += n + 1;
	}
}

/* One line per address given up on before the one reported. */
static void report_long_failed(const struct smtp_run_result *r, struct out *o)
{
	char addr[64], prefix[128];

	for (int i = 0; i < r->nfailed; i++) {
		const struct smtp_addr_fail *af = &r->failed[i];

		net_addr_str(&af->addr, addr, sizeof(addr));
		snprintf(prefix, sizeof(prefix), "address %s failed: %s: ", addr, af->cause->name);
		out_long_untrusted(o, prefix, af->detail, strnlen(af->detail, sizeof(af->detail)));
	}
}

void smtp_report_long(const struct smtp_run_result *r, int verbose, struct out *o)
{
	char caps[256];

	if (r->smtp.fail.cls != FAIL_NONE && o->cause != NULL)
		out_long(o, "cause: %s: %s", o->cause->name, o->cause->hint);
	report_long_failed(r, o);
	if (verbose >= 1)
		report_long_phases(r, o);
	if (r->tls_used) {
		out_add(o, OUT_TO_LONG,
			"tls: %s %s, certificate expires in %d days, verify: ", r->tls.protocol,
			r->tls.cipher, smtp_report_cert_days(r));
		if (r->tls.verify_code == 0)
			out_add(o, OUT_TO_LONG, "ok");
		else
			out_add_untrusted(o, OUT_TO_LONG, r->tls.verify_text,
					  strnlen(r->tls.verify_text, sizeof(r->tls.verify_text)),
					  sizeof(r->tls.verify_text));
		out_add(o, OUT_TO_LONG, "%s", r->tls.name_ok ? "" : ", name mismatch");
		out_eol(o);
		if (verbose >= 1) {
			out_long_untrusted(o, "subject: ", r->tls.subject, strlen(r->tls.subject));
			out_long_untrusted(o, "issuer: ", r->tls.issuer, strlen(r->tls.issuer));
		}
	}
	if (verbose >= 2 && r->smtp.caps.flags != 0)
		out_long(o, "extensions: %s", smtp_caps_str(&r->smtp.caps, caps, sizeof(caps)));
	if (verbose >= 3 && r->smtp.transcript.len > 0)
		report_long_transcript(r, o);
}

/* One reply as {code, enhanced, text} under key of obj. */
static void report_fact_reply(struct out_fact *obj, const char *key, int code, const struct enh *e,
			      const char *text)
{
	struct out_fact *rep = out_fact_obj(obj, key);
	char enh[16];

	out_fact_int(rep, "code", code);
	report_enh(e, enh, sizeof(enh));
	out_fact_str(rep, "enhanced", enh[0] ? enh : NULL);
	out_fact_str(rep, "text", text);
}

/* The TLS facts under "tls". */
static void report_fact_tls(const struct smtp_run_result *r, struct out_fact *obj)
{
	struct out_fact *tls = out_fact_obj(obj, "tls");

	out_fact_str(tls, "protocol", r->tls.protocol);
	out_fact_str(tls, "cipher", r->tls.cipher);
	out_fact_str(tls, "subject", r->tls.subject);
	out_fact_str(tls, "issuer", r->tls.issuer);
	out_fact_int(tls, "not_after", (long long)r->tls.not_after);
	out_fact_int(tls, "cert_days", smtp_report_cert_days(r));
	out_fact_int(tls, "chain_length", r->tls.chain_len);
	out_fact_int(tls, "chain_days", smtp_report_chain_days(r));
	out_fact_int(tls, "chain_first_expiry_depth", r->tls.chain_depth);
	out_fact_str(tls, "chain_first_expiry_subject", r->tls.chain_subject);
	out_fact_int(tls, "verify_code", r->tls.verify_code);
	out_fact_str(tls, "verify", r->tls.verify_text);
	out_fact_bool(tls, "name_ok", r->tls.name_ok);
}

/* The phases reached, as an array of {name, seconds, reply}. */
static void report_fact_phases(const struct smtp_run_result *r, struct out_fact *obj)
{
	struct out_fact *phases = out_fact_arr(obj, "phases");

	for (int p = PHASE_DNS; p < PHASE_MAX; p++) {
		const struct smtp_reply *rep = &r->smtp.reply[p];
		struct out_fact *ph;

		if (!r->phase_seen[p] && rep->code == 0)
			continue;
		ph = out_fact_obj(phases, NULL);
		out_fact_str(ph, "name", phase_name((enum phase)p));
		out_fact_num(ph, "seconds", (double)r->phase_us[p] / 1e6, 6);
		if (rep->code != 0)
			report_fact_reply(ph, "reply", rep->code, &rep->enh, rep->text);
		else
			out_fact_null(ph, "reply"); /* a phase without a reply (connect, tls) */
	}
}

void smtp_report_facts(const struct smtp_run_result *r, struct out *o)
{
	const struct fail *f = &r->smtp.fail;
	struct out_fact *obj = &o->facts;
	char addr[64] = "", caps[256];

	if (r->addr.len > 0)
		net_addr_str(&r->addr, addr, sizeof(addr));
	out_fact_str(obj, "address", addr[0] ? addr : NULL);
	out_fact_str(obj, "failed_phase", f->cls != FAIL_NONE ? phase_name(f->phase) : NULL);
	out_fact_str(obj, "failure_class", fail_class_name(f->cls));
	/* The same keys in every outcome: null when the probe did not fail (issue 10). */
	out_fact_str(obj, "detail", f->cls != FAIL_NONE ? f->detail : NULL);
	if (f->cls != FAIL_NONE && f->code != 0)
		report_fact_reply(obj, "reply", f->code, &f->enh, f->text);
	else
		out_fact_null(obj, "reply");
	report_fact_phases(r, obj);
	out_fact_num(obj, "total_seconds", (double)r->total_us / 1e6, 6);
	if (r->tls_used)
		report_fact_tls(r, obj);
	else
		out_fact_null(obj, "tls");
	out_fact_bool(obj, "auth_ok", r->smtp.auth_ok);
	out_fact_str(obj, "extensions", smtp_caps_str(&r->smtp.caps, caps, sizeof(caps)));
}

void smtp_report_failed_addresses(const struct smtp_run_result *r, struct out *o)
{
	struct out_fact *arr;
	char addr[64];

	if (r->naddrs == 0) {
		out_fact_null(&o->facts, "failed_addresses"); /* no address was known */
		return;
	}
	arr = out_fact_arr(&o->facts, "failed_addresses");
	for (int i = 0; i < r->nfailed; i++) {
		const struct smtp_addr_fail *af = &r->failed[i];
		struct out_fact *obj = out_fact_obj(arr, NULL);

		out_fact_str(obj, "address", net_addr_str(&af->addr, addr, sizeof(addr)));
		out_fact_str(obj, "cause", af->cause->name);
		out_fact_str(obj, "detail", af->detail);
	}
}
