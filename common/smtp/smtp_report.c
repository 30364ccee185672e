/*
 * smtp_report.c - words, perfdata and JSON for one SMTP probe result.
 *
 * Every piece of server text passes through out_sanitize (or the out_*
 * untrusted functions) before it is written anywhere.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "smtp/smtp_report.h"

/* The first line of a reply text, sanitised. */
static const char *report_first_line(const char *text, char *dst, size_t len)
{
	const char *nl = strchr(text, '\n');

	out_sanitize(dst, len, text, nl ? (size_t)(nl - text) : strlen(text));
	return dst;
}

/* "4.4.2" or "" when absent. */
static const char *report_enh(const struct enh *e, char *dst, size_t len)
{
	if (e->cls == 0)
		dst[0] = '\0';
	else
		snprintf(dst, len, "%d.%d.%d", e->cls, e->subject, e->detail);
	return dst;
}

const char *smtp_report_target(const struct smtp_run_result *r, const char *host, int port,
			       char *dst, size_t len)
{
	char name[256], addr[64] = "";

	out_sanitize(name, sizeof(name), host, strlen(host));
	if (r->addr.len > 0)
		net_addr_str(&r->addr, addr, sizeof(addr));
	if (addr[0] == '\0' || strcmp(addr, name) == 0)
		snprintf(dst, len, "%s:%d", name, port);
	else
		snprintf(dst, len, "%s[%s]:%d", name, addr, port);
	return dst;
}

int smtp_report_cert_days(const struct smtp_run_result *r)
{
	double secs = difftime(r->tls.not_after, time(NULL));

	return (int)(secs < 0 ? (secs - 86399) / 86400 : secs / 86400);
}

const char *smtp_report_failure(const struct smtp_run_result *r, char *dst, size_t len)
{
	const struct fail *f = &r->smtp.fail;
	const char *ph = phase_name(f->phase);
	char detail[FAIL_DETAIL_MAX], text[160], enh[16];

	out_sanitize(detail, sizeof(detail), f->detail, strlen(f->detail));
	report_first_line(f->text, text, sizeof(text));
	report_enh(&f->enh, enh, sizeof(enh));
	if (f->code != 0 && (f->cls == FAIL_REPLY || f->cls == FAIL_EXPECT)) {
		snprintf(dst, len, "%d%s%s at %s: %s", f->code, enh[0] ? " " : "", enh, ph, text);
		return dst;
	}
	switch (f->cls) {
	case FAIL_NONE:
		snprintf(dst, len, "ok");
		break;
	case FAIL_DNS:
		snprintf(dst, len, "DNS lookup failed: %s", detail);
		break;
	case FAIL_CONNECT:
		snprintf(dst, len, "connect failed: %s", detail);
		break;
	case FAIL_TIMEOUT:
		snprintf(dst, len, "timeout at %s", ph);
		break;
	case FAIL_DROPPED:
		snprintf(dst, len, "connection dropped at %s%s%s", ph, detail[0] ? ": " : "",
			 detail);
		break;
	case FAIL_TLS:
		snprintf(dst, len, "TLS handshake failed: %s", detail);
		break;
	case FAIL_VERIFY:
		snprintf(dst, len, "certificate verification failed: %s", detail);
		break;
	case FAIL_INJECTION:
		snprintf(dst, len, "plaintext sent after the STARTTLS 220 reply");
		break;
	default:
		snprintf(dst, len, "%s at %s%s%s", fail_class_name(f->cls), ph, detail[0] ? ": " : "",
			 detail);
		break;
	}
	return dst;
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

void smtp_report_long(const struct smtp_run_result *r, const struct cause *cause, int verbose,
		      struct out *o)
{
	char caps[256];

	if (r->smtp.fail.cls != FAIL_NONE)
		out_long(o, "cause: %s: %s", cause->name, cause->hint);
	if (verbose >= 1)
		report_long_phases(r, o);
	if (r->tls_used) {
		out_long(o, "tls: %s %s, certificate expires in %d days, verify: %s%s",
			 r->tls.protocol, r->tls.cipher, smtp_report_cert_days(r),
			 r->tls.verify_code == 0 ? "ok" : r->tls.verify_text,
			 r->tls.name_ok ? "" : ", name mismatch");
		if (verbose >= 1) {
			out_long_untrusted(o, "subject: ", r->tls.subject, strlen(r->tls.subject));
			out_long_untrusted(o, "issuer: ", r->tls.issuer, strlen(r->tls.issuer));
		}
	}
	if (verbose >= 2 && r->smtp.caps.flags != 0)
		out_long(o, "extensions: %s", smtp_caps_str(&r->smtp.caps, caps, sizeof(caps)));
	if (verbose >= 3 && r->smtp.transcript.len > 0) {
		const char *p = (const char *)r->smtp.transcript.data;
		const char *end = p + r->smtp.transcript.len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

			out_long_untrusted(o, "  ", p, n);
			p += n + 1;
		}
	}
}

/* Seconds from microseconds, printed with six decimals (never an exponent). */
static struct json_object *report_json_seconds(int64_t us)
{
	char num[32];

	snprintf(num, sizeof(num), "%.6f", (double)us / 1e6);
	return json_object_new_double_s((double)us / 1e6, num);
}

/* Add a sanitised string member. */
static void report_json_text(struct json_object *obj, const char *key, const char *text,
			     size_t len)
{
	char clean[SMTP_TEXT_MAX];

	out_sanitize(clean, sizeof(clean), text, len);
	json_object_object_add(obj, key, json_object_new_string(clean));
}

/* One reply as {code, enhanced, text}. */
static struct json_object *report_json_reply(int code, const struct enh *e, const char *text)
{
	struct json_object *rep = json_object_new_object();
	char enh[16];

	json_object_object_add(rep, "code", json_object_new_int(code));
	report_enh(e, enh, sizeof(enh));
	json_object_object_add(rep, "enhanced", enh[0] ? json_object_new_string(enh) : NULL);
	report_json_text(rep, "text", text, strlen(text));
	return rep;
}

/* The TLS facts. */
static struct json_object *report_json_tls(const struct smtp_run_result *r)
{
	struct json_object *tls = json_object_new_object();

	json_object_object_add(tls, "protocol", json_object_new_string(r->tls.protocol));
	json_object_object_add(tls, "cipher", json_object_new_string(r->tls.cipher));
	report_json_text(tls, "subject", r->tls.subject, strlen(r->tls.subject));
	report_json_text(tls, "issuer", r->tls.issuer, strlen(r->tls.issuer));
	json_object_object_add(tls, "not_after", json_object_new_int64((int64_t)r->tls.not_after));
	json_object_object_add(tls, "cert_days", json_object_new_int(smtp_report_cert_days(r)));
	json_object_object_add(tls, "verify_code", json_object_new_int(r->tls.verify_code));
	json_object_object_add(tls, "verify", json_object_new_string(r->tls.verify_text));
	json_object_object_add(tls, "name_ok", json_object_new_boolean(r->tls.name_ok));
	return tls;
}

struct json_object *smtp_report_json(const struct smtp_run_result *r, const struct cause *cause)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *phases = json_object_new_array();
	const struct fail *f = &r->smtp.fail;
	char addr[64] = "", caps[256];

	if (r->addr.len > 0)
		net_addr_str(&r->addr, addr, sizeof(addr));
	json_object_object_add(obj, "address", addr[0] ? json_object_new_string(addr) : NULL);
	json_object_object_add(obj, "cause", json_object_new_string(cause->name));
	json_object_object_add(obj, "hint", json_object_new_string(cause->hint));
	json_object_object_add(obj, "failed_phase",
			       f->cls != FAIL_NONE ? json_object_new_string(phase_name(f->phase))
						   : NULL);
	json_object_object_add(obj, "failure_class", json_object_new_string(fail_class_name(f->cls)));
	if (f->cls != FAIL_NONE) {
		report_json_text(obj, "detail", f->detail, strlen(f->detail));
		json_object_object_add(obj, "reply",
				       f->code ? report_json_reply(f->code, &f->enh, f->text) : NULL);
	}
	for (int p = PHASE_DNS; p < PHASE_MAX; p++) {
		const struct smtp_reply *rep = &r->smtp.reply[p];
		struct json_object *ph;

		if (!r->phase_seen[p] && rep->code == 0)
			continue;
		ph = json_object_new_object();
		json_object_object_add(ph, "name", json_object_new_string(phase_name((enum phase)p)));
		json_object_object_add(ph, "seconds",
				       report_json_seconds(r->phase_us[p]));
		if (rep->code != 0)
			json_object_object_add(ph, "reply",
					       report_json_reply(rep->code, &rep->enh, rep->text));
		json_object_array_add(phases, ph);
	}
	json_object_object_add(obj, "phases", phases);
	json_object_object_add(obj, "total_seconds", report_json_seconds(r->total_us));
	json_object_object_add(obj, "tls", r->tls_used ? report_json_tls(r) : NULL);
	json_object_object_add(obj, "auth_ok", json_object_new_boolean(r->smtp.auth_ok));
	json_object_object_add(obj, "extensions",
			       json_object_new_string(smtp_caps_str(&r->smtp.caps, caps, sizeof(caps))));
	return obj;
}
