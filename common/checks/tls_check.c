/*
 * check_mail_tls - is the TLS of this mail endpoint right?
 *
 * One probe with the SMTP client (smtp_run: STARTTLS or implicit TLS, the
 * same causes as check_mail_smtp for everything before TLS is up) records
 * the session's facts (tls_info, tls_detail: group, every certificate, the
 * OCSP staple). Beside it, on the same loop and under the same deadline,
 * one probe per old protocol (TLS 1.0, 1.1) with a context that offers only
 * that protocol (tls_ctx_new_legacy) tells whether the server still
 * accepts it. tls_policy.c turns the facts into findings, classify.c names
 * them; this file holds the options and the report. Not yet: DANE,
 * MTA-STS, TLS-RPT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "checks/checks.h"
#include "front/probe_opts.h"
#include "front/target.h"
#include "smtp/smtp_report.h"
#include "smtp/smtp_run.h"
#include "tls/tls_policy.h"
#include "verdict/classify.h"

#define TLS_CHECK_DAYS_WARN 30
#define TLS_CHECK_DAYS_CRIT 7

/* One handshake offering a single old protocol. */
struct tls_old_probe {
	struct tls_check *owner;
	struct smtp_run_opts o;
	struct tls_ctx *ctx; /* owned: tls_ctx_new_legacy */
	struct smtp_run *run;
	struct smtp_run_result res;
	enum tls_old outcome;
	char why[FAIL_DETAIL_MAX]; /* not tested, or refused: our words or OpenSSL's */
};

struct tls_check {
	struct smtp_run_opts o; /* the main probe */
	struct probe_opts po;   /* -p -F -S -D --ca-file --no-verify */
	const char *host_arg, *sni;
	struct target target;
	char sni_name[TARGET_NAME_MAX];
	struct tls_policy policy;
	int no_old; /* --no-old-protocols */
	struct tls_ctx *tls;
	struct smtp_run *run;
	struct smtp_run_result res;
	struct tls_detail detail;
	struct tls_old_probe old[TLS_OLD_MAX];
	struct tls_findings findings;
	int pending; /* probes still running */
	check_done_cb *done;
	void *done_arg;
};

enum { OPT_SNI = 0x2100, OPT_MIN_TLS, OPT_OCSP, OPT_NO_OLD };

static const struct check_opt tls_opts[] = {
	{"hostname", required_argument, 'H', "HOST",
	 "Host name or IP address to probe, with :PORT if wanted ([IPV6]:PORT) (required)"},
	PROBE_OPTS,
	{"ssl", no_argument, 's', NULL, "Implicit TLS before the greeting (RFC 8314; port 465)"},
	{"tls", no_argument, 's', NULL, NULL},
	{"sni", required_argument, OPT_SNI, "NAME",
	 "TLS server name, and the name the certificate must match (default: -H)"},
	{"min-tls", required_argument, OPT_MIN_TLS, "VERSION",
	 "Lowest acceptable protocol: 1.0, 1.1, 1.2 (default) or 1.3; a server that\n"
	 "negotiates less is CRITICAL, one that still accepts less is WARNING"},
	{"ocsp", required_argument, OPT_OCSP, "require|report",
	 "OCSP stapling: report (default) what is stapled; require: no staple is WARNING"},
	{"no-old-protocols", no_argument, OPT_NO_OLD, NULL,
	 "Do not try TLS 1.0 and 1.1 in handshakes of their own (one connection each)"},
	CHECK_OPT_END,
};

static const char tls_notes[] =
	"The server is reached as check_mail_smtp does (STARTTLS by default, -s for implicit\n"
	"TLS) and fails with the same causes before TLS is up. Then every fact is judged and\n"
	"each problem is a finding named by a cause (README, Causes): protocol below\n"
	"--min-tls, TLS 1.0/1.1 still accepted, weak cipher, RSA key under 2048 bits, SHA-1\n"
	"or MD5 signed certificate, chain out of order, chain verification and name\n"
	"(--no-verify: reported only), expiry of the certificate that expires first (-D,\n"
	"default 30,7), OCSP staple. The status line names the worst finding.\n"
	"Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage errors).\n";

static const char tls_examples[] =
	" check_mail_tls -H mx.example.net\n"
	"    STARTTLS on port 25: protocol, cipher, chain, expiry, OCSP staple\n"
	" check_mail_tls -H smtp.example.net -s -D 21,7 --ocsp require\n"
	"    implicit TLS on 465; WARNING without a stapled OCSP response\n"
	" check_mail_tls -H mx.example.net --min-tls 1.3 --output json\n";

static int tls_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct tls_check *s = ctx;
	int rc = probe_opts_option(&s->po, &s->o, opt, arg, err, errlen);

	if (rc != 1)
		return rc;
	switch (opt) {
	case 'H': s->host_arg = arg; return 0;
	case 's': s->o.implicit_tls = 1; return 0;
	case OPT_SNI: s->sni = arg; return 0;
	case OPT_NO_OLD: s->no_old = 1; return 0;
	case OPT_MIN_TLS:
		s->policy.min_tls = strchr(arg, 'v') == NULL ? tls_policy_version(arg) : 0;
		if (s->policy.min_tls >= 0x0301)
			return 0;
		snprintf(err, errlen, "invalid --min-tls '%s': want 1.0, 1.1, 1.2 or 1.3", arg);
		return -1;
	case OPT_OCSP:
		if (strcmp(arg, "require") == 0 || strcmp(arg, "report") == 0) {
			s->policy.ocsp_require = arg[2] == 'q';
			return 0;
		}
		snprintf(err, errlen, "invalid --ocsp '%s': want require or report", arg);
		return -1;
	default: break;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

static int tls_validate(void *ctx, const struct check_common *cm, char *err, size_t errlen)
{
	struct tls_check *s = ctx;
	(void)cm;
	if (target_from_args(s->host_arg, s->sni, &s->target, &s->o.port, s->sni_name, err,
			     errlen) != 0)
		return -1;
	s->o.host = s->target.dns;
	if (s->o.smtp.starttls != SMTP_TLS_NONE && s->o.implicit_tls) {
		snprintf(err, errlen, "--starttls and --tls exclude each other");
		return -1;
	}
	if (!s->po.cert_days) {
		s->po.cert_days = 1;
		s->po.cert_warn = TLS_CHECK_DAYS_WARN;
		s->po.cert_crit = TLS_CHECK_DAYS_CRIT;
	}
	probe_opts_defaults(&s->po, &s->o, s->o.implicit_tls ? 465 : 25);
	/* TLS is what this check is about: STARTTLS unless -s. */
	s->o.smtp.starttls = s->o.implicit_tls ? SMTP_TLS_NONE : SMTP_TLS_REQUIRE;
	if (s->policy.min_tls == 0)
		s->policy.min_tls = 0x0303;
	s->policy.cert_days = 1;
	s->policy.cert_warn = s->po.cert_warn;
	s->policy.cert_crit = s->po.cert_crit;
	return 0;
}

/* One probe finished; the check is done with the last. */
static void tls_probe_done(struct tls_check *s)
{
	if (--s->pending == 0)
		s->done(s->done_arg);
}

static void tls_on_main_done(struct smtp_run *r, void *arg)
{
	(void)r;
	tls_probe_done(arg);
}

static void tls_on_old_done(struct smtp_run *r, void *arg)
{
	struct tls_old_probe *p = arg;

	(void)r;
	tls_probe_done(p->owner);
}

/* Start the handshake offering only old protocol i, or record why it is not tried. */
static int tls_old_start(struct tls_check *s, const struct check_env *env, int i)
{
	struct tls_old_probe *p = &s->old[i];

	p->owner = s;
	p->ctx = tls_ctx_new_legacy(tls_policy_old_version((enum tls_old_proto)i), p->why,
				    sizeof p->why);
	if (p->ctx == NULL)
		return 0; /* not tested: p->why says why */
	p->o = s->o;
	p->o.tls = p->ctx;
	p->o.verify = 0;
	p->o.detail = NULL;
	p->o.smtp.transcript = 0;
	p->o.smtp.trace = 0;
	p->run = smtp_run_start(env->loop, env->dns, &p->o, &p->res, tls_on_old_done, p);
	if (p->run == NULL)
		return -1;
	s->pending++;
	return 0;
}

static int tls_start(void *ctx, const struct check_env *env, check_done_cb *done, void *arg,
		     char *err, size_t errlen)
{
	struct tls_check *s = ctx;
	const char *sni = s->sni ? s->sni_name : NULL;

	s->done = done;
	s->done_arg = arg;
	if ((s->tls = tls_ctx_shared(s->po.ca_file, err, errlen)) == NULL)
		return -1;
	s->o.family = env->common->family;
	/* An IP literal sends no SNI (RFC 6066 §3) and is matched as an address. */
	s->o.sni = sni ? sni : s->target.is_ip ? NULL : s->target.tls;
	s->o.verify_name = sni ? sni : s->target.is_ip ? s->target.dns : s->target.tls;
	s->o.tls = s->tls;
	s->o.detail = &s->detail;
	s->o.deadline_us = env->deadline_us;
	s->o.smtp.transcript = env->common->verbose >= 3;
	s->o.smtp.trace = env->common->verbose >= 4;
	s->run = smtp_run_start(env->loop, env->dns, &s->o, &s->res, tls_on_main_done, s);
	if (s->run == NULL)
		goto oom;
	s->pending = 1;
	for (int i = 0; i < TLS_OLD_MAX && !s->no_old; i++)
		if (tls_old_start(s, env, i) != 0)
			goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* What an old-protocol handshake showed: accepted, refused, or not tested (and why). */
static void tls_old_judge(struct tls_old_probe *p)
{
	const struct fail *f = &p->res.smtp.fail;
	const struct tls_info *ti = &p->res.tls;
	char what[sizeof ti->protocol + sizeof ti->cipher + 1];

	if (p->run == NULL)
		return; /* never started: not tested, p->why set */
	if (p->res.tls_used) {
		p->outcome = TLS_OLD_ACCEPTED;
		snprintf(what, sizeof what, "%s %s", ti->protocol, ti->cipher);
		snprintf(p->why, sizeof p->why, "%s", what);
	} else if ((f->cls == FAIL_TLS || f->cls == FAIL_DROPPED) &&
		   (f->phase == PHASE_TLS || f->phase == PHASE_TLS_IMPLICIT)) {
		p->outcome = TLS_OLD_REFUSED;
		snprintf(p->why, sizeof p->why, "%s",
			 f->detail[0] ? f->detail : "connection closed");
	} else {
		p->outcome = TLS_OLD_NOT_TESTED;
		/* the cause's name is short: the detail is cut to fit */
		snprintf(p->why, sizeof p->why, "%s: %.200s", classify(f)->name, f->detail);
	}
}

/* The finding that sets the state: the first of the worst. */
static const struct tls_finding *tls_worst(const struct tls_findings *fs)
{
	const struct tls_finding *w = NULL;

	for (int i = 0; i < fs->n; i++)
		if (w == NULL || state_worst(classify(&fs->f[i].f)->state,
					     classify(&w->f)->state) != classify(&w->f)->state)
			w = &fs->f[i];
	return w;
}

/* A finding's words at where: our detail, then the subject of its certificate (untrusted). */
static void tls_finding_words(const struct tls_check *s, const struct tls_finding *f, struct out *o,
			      enum out_where where)
{
	const struct tls_cert *c;

	out_add(o, where, "%s", f->f.detail);
	if (f->cert < 0 || f->cert >= s->detail.ncerts || f->cert >= TLS_CHAIN_MAX ||
	    !s->res.tls_used)
		return;
	c = &s->detail.certs[f->cert];
	out_add(o, where, " (");
	out_add_untrusted(o, where, c->subject, strlen(c->subject), 160);
	out_add(o, where, ")");
}

static void tls_cleanup(void *ctx)
{
	struct tls_check *s = ctx;

	smtp_run_free(s->run);
	smtp_result_reset(&s->res);
	for (int i = 0; i < TLS_OLD_MAX; i++) {
		smtp_run_free(s->old[i].run);
		smtp_result_reset(&s->old[i].res);
		tls_ctx_free(s->old[i].ctx);
	}
	tls_ctx_free(s->tls);
}

/* Seconds the handshake took (implicit or after STARTTLS). */
static double tls_handshake_s(const struct smtp_run_result *r)
{
	return (double)(r->phase_us[PHASE_TLS] + r->phase_us[PHASE_TLS_IMPLICIT]) / 1e6;
}

/* The certificate that expires first, by index (0 without a chain). */
static int tls_first_expiry(const struct tls_detail *d)
{
	int n = d->ncerts < TLS_CHAIN_MAX ? d->ncerts : TLS_CHAIN_MAX, first = 0;

	for (int i = 1; i < n; i++)
		if (d->certs[i].not_after != 0 && d->certs[i].not_after < d->certs[first].not_after)
			first = i;
	return first;
}

/* "2027-12-07" of t into buf. */
static const char *tls_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "unknown");
	return buf;
}

/* Words of the status line for a session that came up: what was negotiated. */
static void tls_summary_session(const struct tls_check *s, struct out *o, time_t now)
{
	const struct tls_cert *leaf = &s->detail.certs[0];
	const struct tls_cert *first = &s->detail.certs[tls_first_expiry(&s->detail)];

	out_summary(o, " %s %s", s->res.tls.protocol, s->res.tls.cipher);
	if (s->detail.group[0] != '\0')
		out_summary(o, " %s", s->detail.group);
	if (s->detail.ncerts > 0)
		out_summary(o, ", %s %d bits, cert %dd", leaf->key_type, leaf->key_bits,
			    tls_policy_days(leaf->not_after, now));
	if (first != leaf)
		out_summary(o, ", chain %dd", tls_policy_days(first->not_after, now));
}

/* Long output: one line per certificate. */
static void tls_long_certs(const struct tls_check *s, struct out *o, time_t now)
{
	const struct tls_detail *d = &s->detail;
	int n = d->ncerts < TLS_CHAIN_MAX ? d->ncerts : TLS_CHAIN_MAX;
	char date[32];

	for (int i = 0; i < n; i++) {
		const struct tls_cert *c = &d->certs[i];

		out_add(o, OUT_TO_LONG, "certificate %d: ", i);
		out_add_untrusted(o, OUT_TO_LONG, c->subject, strlen(c->subject), 200);
		out_add(o, OUT_TO_LONG, ", issuer ");
		out_add_untrusted(o, OUT_TO_LONG, c->issuer, strlen(c->issuer), 200);
		out_add(o, OUT_TO_LONG, ", expires %s (%d days), %s, %s %d bits%s%s",
			tls_date(c->not_after, date, sizeof date),
			tls_policy_days(c->not_after, now),
			c->signature[0] ? c->signature : "unknown signature", c->key_type,
			c->key_bits,
			i + 1 < n ? (c->issued_by_next ? ", issued by the next"
						       : ", NOT issued by the next")
				  : (c->self_issued ? ", self-issued" : ""),
			i > 0 && c->not_after != 0 && c->not_after < d->certs[0].not_after
				? ", expires before the leaf"
				: "");
		out_eol(o);
	}
	if (d->ncerts > TLS_CHAIN_MAX)
		out_long(o, "(%d more certificates not described)", d->ncerts - TLS_CHAIN_MAX);
}

static const char *const tls_ocsp_names[] = {
	[TLS_OCSP_NOT_ASKED] = "not-asked", [TLS_OCSP_NONE] = "none",
	[TLS_OCSP_GOOD] = "good",           [TLS_OCSP_REVOKED] = "revoked",
	[TLS_OCSP_UNKNOWN] = "unknown",     [TLS_OCSP_UNUSABLE] = "unusable",
};

/* Long output: findings, the session, old protocols, the staple, the chain. */
static void tls_long(const struct tls_check *s, struct out *o, time_t now)
{
	for (int i = 0; i < s->findings.n; i++) {
		const struct cause *c = classify(&s->findings.f[i].f);

		out_add(o, OUT_TO_LONG, "finding %s %s: ", state_name(c->state), c->name);
		tls_finding_words(s, &s->findings.f[i], o, OUT_TO_LONG);
		out_eol(o);
	}
	if (s->res.tls_used) {
		out_long(o, "session: %s %s, group %s, verification %s%s", s->res.tls.protocol,
			 s->res.tls.cipher, s->detail.group[0] ? s->detail.group : "none",
			 s->res.tls.verify_code == 0 ? "ok" : "failed",
			 s->res.tls.name_ok ? ", name ok" : ", name mismatch");
		out_long(o, "OCSP staple: %s", tls_ocsp_names[s->detail.ocsp]);
		tls_long_certs(s, o, now);
	}
	for (int i = 0; i < TLS_OLD_MAX; i++) {
		const struct tls_old_probe *p = &s->old[i];

		if (s->no_old)
			break;
		out_add(o, OUT_TO_LONG, "%s: %s (",
			tls_policy_version_name(tls_policy_old_version((enum tls_old_proto)i)),
			tls_policy_old_name(p->outcome));
		out_add_untrusted(o, OUT_TO_LONG, p->why, strlen(p->why), 200);
		out_add(o, OUT_TO_LONG, ")");
		out_eol(o);
	}
}

/* JSON: one certificate. */
static void tls_fact_cert(struct out_fact *arr, const struct tls_cert *c, time_t now)
{
	struct out_fact *o = out_fact_obj(arr, NULL), *key;

	out_fact_str(o, "subject", c->subject);
	out_fact_str(o, "issuer", c->issuer);
	out_fact_int(o, "not_after", (long long)c->not_after);
	out_fact_int(o, "days", tls_policy_days(c->not_after, now));
	out_fact_str(o, "signature", c->signature);
	out_fact_str(o, "signature_hash", c->sig_hash[0] ? c->sig_hash : NULL);
	key = out_fact_obj(o, "key");
	out_fact_str(key, "type", c->key_type);
	out_fact_int(key, "bits", c->key_bits);
	out_fact_bool(o, "self_issued", c->self_issued);
	out_fact_bool(o, "issued_by_next", c->issued_by_next);
}

/* JSON: the staple. */
static void tls_fact_ocsp(const struct tls_detail *d, struct out_fact *facts, time_t now)
{
	struct out_fact *o = out_fact_obj(facts, "ocsp");

	out_fact_bool(o, "stapled", d->ocsp != TLS_OCSP_NONE && d->ocsp != TLS_OCSP_NOT_ASKED);
	out_fact_str(o, "status", tls_ocsp_names[d->ocsp]);
	if (d->ocsp_this_update != 0)
		out_fact_int(o, "age_seconds", (long long)difftime(now, d->ocsp_this_update));
	else
		out_fact_null(o, "age_seconds");
	if (d->ocsp_next_update != 0)
		out_fact_int(o, "next_update", (long long)d->ocsp_next_update);
	else
		out_fact_null(o, "next_update");
}

/* JSON: the session's facts; null where the handshake never completed. */
static void tls_facts_session(const struct tls_check *s, struct out_fact *facts, time_t now)
{
	const struct tls_detail *d = &s->detail;
	struct out_fact *key, *chain;
	int n = d->ncerts < TLS_CHAIN_MAX ? d->ncerts : TLS_CHAIN_MAX;
	const struct tls_cert *leaf = d->ncerts > 0 ? &d->certs[0] : NULL;

	if (!s->res.tls_used) {
		const char *keys[] = {"protocol", "cipher", "group", "key", "chain", "ocsp"};

		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			out_fact_null(facts, keys[i]);
		return;
	}
	out_fact_str(facts, "protocol", s->res.tls.protocol);
	out_fact_str(facts, "cipher", s->res.tls.cipher);
	out_fact_str(facts, "group", d->group[0] ? d->group : NULL);
	key = out_fact_obj(facts, "key");
	out_fact_str(key, "type", leaf != NULL ? leaf->key_type : NULL);
	out_fact_int(key, "bits", leaf != NULL ? leaf->key_bits : 0);
	chain = out_fact_arr(facts, "chain");
	for (int i = 0; i < n; i++)
		tls_fact_cert(chain, &d->certs[i], now);
	tls_fact_ocsp(d, facts, now);
}

/* JSON: old protocols and findings. */
static void tls_facts_findings(const struct tls_check *s, struct out_fact *facts)
{
	struct out_fact *old = out_fact_obj(facts, "old_protocols");
	struct out_fact *arr = out_fact_arr(facts, "findings");

	for (int i = 0; i < TLS_OLD_MAX; i++)
		out_fact_str(old,
			     tls_policy_version_name(tls_policy_old_version((enum tls_old_proto)i)),
			     tls_policy_old_name(s->old[i].outcome));
	for (int i = 0; i < s->findings.n; i++) {
		const struct tls_finding *f = &s->findings.f[i];
		const struct cause *c = classify(&f->f);
		struct out_fact *o = out_fact_obj(arr, NULL);
		int cert_ok = s->res.tls_used && f->cert >= 0 && f->cert < s->detail.ncerts &&
			      f->cert < TLS_CHAIN_MAX;

		out_fact_str(o, "id", c->name);
		out_fact_str(o, "state", state_name(c->state));
		out_fact_str(o, "detail", f->f.detail);
		if (cert_ok)
			out_fact_int(o, "certificate", f->cert);
		else
			out_fact_null(o, "certificate");
		out_fact_str(o, "subject", cert_ok ? s->detail.certs[f->cert].subject : NULL);
	}
}

/* Perfdata: days of the leaf and of the chain's first expiry, handshake time, key bits. */
static void tls_perf(const struct tls_check *s, struct out *o, time_t now)
{
	const struct tls_detail *d = &s->detail;

	if (s->res.tls_used && d->ncerts > 0) {
		out_perf(o, "cert_days", tls_policy_days(d->certs[0].not_after, now), "", NULL);
		out_perf(o, "chain_days",
			 tls_policy_days(d->certs[tls_first_expiry(d)].not_after, now), "", NULL);
		out_perf(o, "handshake", tls_handshake_s(&s->res), "s", NULL);
		out_perf(o, "key_bits", d->certs[0].key_bits, "", NULL);
	} else {
		out_perf_unknown(o, "cert_days", "", NULL);
		out_perf_unknown(o, "chain_days", "", NULL);
		out_perf_unknown(o, "handshake", "s", NULL);
		out_perf_unknown(o, "key_bits", "", NULL);
	}
	out_perf(o, "time", (double)s->res.total_us / 1e6, "s", NULL);
}

/* The check's own report: findings judged, the cause decided once, then words, perfdata, facts. */
static void tls_report(void *ctx, const struct check_common *cm, struct out *o)
{
	struct tls_check *s = ctx;
	time_t now = time(NULL);
	struct tls_facts in = {.fail = &s->res.smtp.fail,
			       .tls_used = s->res.tls_used,
			       .info = &s->res.tls,
			       .detail = &s->detail,
			       .now = now};
	const struct tls_finding *worst;
	const struct cause *cause;

	for (int i = 0; i < TLS_OLD_MAX; i++) {
		tls_old_judge(&s->old[i]);
		in.old[i] = s->old[i].outcome;
	}
	tls_policy_judge(&s->policy, &in, &s->findings);
	worst = tls_worst(&s->findings);
	cause = worst != NULL ? classify(&worst->f) : classify(&s->res.smtp.fail);
	out_cause(o, cause, 1);
	out_state(o, cause->state);
	o->timed_out = cause->timeout;
	smtp_report_target(&s->res, s->target.host, s->o.port, o, OUT_TO_SUMMARY);
	if (s->res.tls_used)
		tls_summary_session(s, o, now);
	if (worst != NULL && !s->res.tls_used && worst->f.cls == s->res.smtp.fail.cls) {
		out_summary(o, " ");
		smtp_report_failure(&s->res, o, OUT_TO_SUMMARY);
	} else if (worst != NULL) {
		out_summary(o, s->res.tls_used ? ", " : " ");
		tls_finding_words(s, worst, o, OUT_TO_SUMMARY);
	}
	if (s->findings.n > 1)
		out_summary(o, ", %d findings", s->findings.n);
	if (worst != NULL)
		out_summary(o, " (cause: %s)", cause->name);
	tls_perf(s, o, now);
	tls_long(s, o, now);
	smtp_report_long(&s->res, cm->verbose, o);
	smtp_report_facts(&s->res, o);
	tls_facts_session(s, &o->facts, now);
	tls_facts_findings(s, &o->facts);
	out_fact_str(&o->facts, "host", s->target.host);
	out_fact_int(&o->facts, "port", s->o.port);
}

static const char *const tls_json_keys[] = {
	SMTP_REPORT_KEYS, "host", "port",          "protocol", "cipher", "group", "key",
	"chain",          "ocsp", "old_protocols", "findings", NULL};

const struct check check_mail_tls = {
	.name = "check_mail_tls",
	.service = "TLS",
	.description = "Is the TLS of this mail endpoint right? Protocol, cipher, key exchange\n"
		       "group and key; every certificate of the chain (expiry, signature, order,\n"
		       "name); old protocols still accepted; OCSP stapling.\n",
	.synopsis = "-H HOST [-p PORT] [-S|-s] [--sni NAME] [-D W[,C]] [--min-tls VERSION]\n"
		    "       [--ocsp require|report] [--ca-file FILE] [--no-verify]\n"
		    "       [-t SECS[:STATE]] [--output json] [-v]",
	.opts = tls_opts,
	.notes = tls_notes,
	.examples = tls_examples,
	.ctx_size = sizeof(struct tls_check),
	.option = tls_option,
	.validate = tls_validate,
	.start = tls_start,
	.json_keys = tls_json_keys,
	.report = tls_report,
	.cleanup = tls_cleanup,
};
