/*
 * check_mail_smtp - does this SMTP endpoint work end to end, and if not,
 * in which phase and why?
 *
 * Accepts monitoring-plugins check_smtp's options with the same meaning
 * (drop-in replacement) plus mailpath's own. This file holds only the
 * options and the verdict; the probe lives in common/. The struct
 * check_mail_smtp is also linked into snmp-subagent/mailpath-agentx.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "checks/checks.h"
#include "verdict/classify.h"
#include "front/probe_opts.h"
#include "front/target.h"
#include "base/secret.h"
#include "smtp/smtp_report.h"
#include "smtp/smtp_run.h"

#define MAX_LIST 32
#define PASSWORD_ENV "MAILPATH_SMTP_PASSWORD"

/* The options parse straight into the runner's (o); the rest is what only this check reads. */
struct smtp_check {
	struct smtp_run_opts o; /* host, port, TLS, SMTP parameters: handed to smtp_run_start */
	struct probe_opts po;   /* -F -S -D --ca-file --no-verify, shared with check_mail_mx */
	const char *host_arg;   /* -H as given */
	struct target target;   /* -H split: host shown, DNS name, TLS name, port */
	char sni_name[TARGET_NAME_MAX]; /* --sni for TLS (no trailing dot) */
	const char *password_file, *bind, *sni;
	char *authpass;       /* owned, wiped in cleanup */
	const char *authtype; /* -A as given; parsed into o.smtp.auth */
	const char *cmd[MAX_LIST], *resp[MAX_LIST], *rcpt[MAX_LIST];
	int nresp, ignore_expiry;
	int allow_plaintext_auth; /* --allow-plaintext-auth */
	struct thresholds time_th;
	struct thresholds phase_th[PHASE_MAX];
	struct net_addr src;
	struct tls_ctx *tls;
	struct smtp_run *run;
	struct smtp_run_result res;
	check_done_cb *done;
	void *done_arg;
};

enum {
	OPT_SNI = 0x2000,
	OPT_RCPT,
	OPT_PASSWORD_FILE,
	OPT_PHASE_WARN,
	OPT_PHASE_CRIT,
	OPT_IGNORE_EXPIRY,
	OPT_ALLOW_PLAINTEXT_AUTH
};

static const struct check_opt smtp_opts[] = {
	{"hostname", required_argument, 'H', "HOST",
	 "Host name or IP address to probe, with :PORT if wanted ([IPV6]:PORT) (required)"},
	PROBE_OPTS,
	{"expect", required_argument, 'e', "STRING",
	 "String the greeting's first line must contain (else WARNING)"},
	{"ssl", no_argument, 's', NULL, "Implicit TLS before the greeting (RFC 8314; port 465)"},
	{"tls", no_argument, 's', NULL, NULL},
	{"sni", required_argument, OPT_SNI, "NAME",
	 "TLS server name, and the name the certificate must match (default: -H)"},
	{"ignore-certificate-expiration", no_argument, OPT_IGNORE_EXPIRY, NULL,
	 "Do not judge the certificate's expiry (-D)"},
	{"authtype", required_argument, 'A', "MECH", "AUTH mechanism: " SMTP_AUTH_LIST},
	{"authuser", required_argument, 'U', "USER", "AUTH user name"},
	{"password-file", required_argument, OPT_PASSWORD_FILE, "FILE",
	 "Read the AUTH password from FILE's first line (or set " PASSWORD_ENV ")"},
	{"authpass", required_argument, 'P', "PASS",
	 "AUTH password on the command line (compatibility; others can read it: avoid)"},
	{"allow-plaintext-auth", no_argument, OPT_ALLOW_PLAINTEXT_AUTH, NULL,
	 "AUTH PLAIN or LOGIN without TLS is no WARNING (a trusted link)"},
	{"from", required_argument, 'f', "ADDRESS", "Send MAIL FROM:<ADDRESS>"},
	{"rcpt", required_argument, OPT_RCPT, "ADDRESS",
	 "Send RCPT TO:<ADDRESS> (repeatable); the message is never sent"},
	{"command", required_argument, 'C', "CMD", "Send CMD after AUTH (repeatable)"},
	{"response", required_argument, 'R', "REGEX",
	 "Extended regex the reply to the matching -C must match (else WARNING)"},
	{"bind", required_argument, 'b', "ADDRESS", "Source address"},
	{"warning", required_argument, 'w', "RANGE", "Total time in seconds giving WARNING"},
	{"critical", required_argument, 'c', "RANGE", "Total time in seconds giving CRITICAL"},
	{"phase-warning", required_argument, OPT_PHASE_WARN, "PHASE=RANGE",
	 "Time of one phase in seconds giving WARNING (repeatable; phases below)"},
	{"phase-critical", required_argument, OPT_PHASE_CRIT, "PHASE=RANGE",
	 "Time of one phase in seconds giving CRITICAL (repeatable; phases below)"},
	{"ignore-quit-failure", no_argument, 'q', NULL,
	 "A QUIT that is not answered is no failure; its reply is waited for about a second\n"
	 "and that wait is left out of -w/-c"},
	{"lmtp", no_argument, 'L', NULL, "Send LHLO (LMTP) instead of EHLO"},
	CHECK_OPT_END,
};

static const char smtp_notes[] =
	"Phases (--phase-warning, --phase-critical, perfdata): dns, connect, tlsconnect (the\n"
	"handshake of -s), greeting, ehlo, starttls, tls, ehlo_tls, auth, command (-C), mail,\n"
	"rcpt, data (never reached: the probe sends no DATA), quit.\n"
	"\n"
	"RANGE follows the Nagios plugin guidelines: 10 (outside 0..10), 10: (below 10),\n"
	"~:10 (above 10), 10:20 (outside 10..20), @10:20 (inside 10..20). A probe slower than\n"
	"a threshold keeps the cause ok and says \"response time ... over threshold\" (-w/-c)\n"
	"or names the phase (\"greeting 2.100s > 2s\"). With -q the QUIT reply is waited for\n"
	"about a second and that wait is not part of the time -w/-c judge.\n"
	"\n"
	"Every failure is named by a cause (README, Causes) in the status line, the long\n"
	"output and JSON. Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage errors).\n";

static const char smtp_examples[] =
	" check_mail_smtp -H mail.example.net -S -D 30,7\n"
	"    STARTTLS, chain and name verified; WARNING 30 days before the certificate expires\n"
	" check_mail_smtp -H smtp.example.net -p 587 -S -A PLAIN -U user --password-file F\n"
	"    submission with AUTH after STARTTLS\n"
	" check_mail_smtp -H mx.example.net -f probe@example.org --rcpt postmaster@example.net\n"
	"    MAIL FROM and RCPT TO, never DATA\n"
	" check_mail_smtp -H mx.example.net -w 2 -c 5 --phase-warning greeting=1 --output json\n";

/* Parse "PHASE=RANGE" into the phase's warn or crit range. */
static int smtp_opt_phase(struct smtp_check *s, const char *arg, int crit, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');

	for (int p = PHASE_DNS; eq != NULL && p < PHASE_MAX; p++) {
		const char *name = phase_name((enum phase)p);

		if (strlen(name) != (size_t)(eq - arg) ||
		    strncmp(name, arg, (size_t)(eq - arg)) != 0)
			continue;
		if (range_parse(eq + 1, crit ? &s->phase_th[p].crit : &s->phase_th[p].warn) == 0)
			return 0;
		snprintf(err, errlen, "invalid range in '%s'", arg);
		return -1;
	}
	snprintf(err, errlen, "invalid phase threshold '%s': want PHASE=RANGE", arg);
	return -1;
}

/* Append to one of the repeatable lists. */
static int smtp_opt_list(const char **list, int *n, const char *arg, char *err, size_t errlen)
{
	if (*n >= MAX_LIST) {
		snprintf(err, errlen, "too many values (at most %d)", MAX_LIST);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

static int smtp_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct smtp_check *s = ctx;
	struct smtp_params *sp = &s->o.smtp;
	int rc = probe_opts_option(&s->po, &s->o, opt, arg, err, errlen);

	if (rc != 1)
		return rc;
	switch (opt) {
	case 'H': s->host_arg = arg; return 0;
	case 'e': sp->expect = arg; return 0;
	case 'C': sp->cmd = s->cmd; return smtp_opt_list(s->cmd, &sp->ncmd, arg, err, errlen);
	case 'R':
		sp->cmd_expect = s->resp;
		return smtp_opt_list(s->resp, &s->nresp, arg, err, errlen);
	case OPT_RCPT:
		sp->rcpt = s->rcpt;
		return smtp_opt_list(s->rcpt, &sp->nrcpt, arg, err, errlen);
	case 'f': sp->mail_from = arg; return 0;
	case 'A': s->authtype = arg; return 0;
	case 'U': sp->auth_user = arg; return 0;
	case 'P':
		check_warn("-P puts the password on the command line; "
			   "use --password-file or " PASSWORD_ENV);
		secret_free(s->authpass);
		s->authpass = strdup(arg);
		return s->authpass ? 0 : -1;
	case OPT_PASSWORD_FILE: s->password_file = arg; return 0;
	case OPT_ALLOW_PLAINTEXT_AUTH: s->allow_plaintext_auth = 1; return 0;
	case 's': s->o.implicit_tls = 1; return 0;
	case OPT_SNI: s->sni = arg; return 0;
	case OPT_IGNORE_EXPIRY: s->ignore_expiry = 1; return 0;
	case 'b': s->bind = arg; return 0;
	case 'w':
	case 'c':
		if (range_parse(arg, opt == 'w' ? &s->time_th.warn : &s->time_th.crit) == 0)
			return 0;
		snprintf(err, errlen, "invalid -%c range '%s'", opt, arg);
		return -1;
	case OPT_PHASE_WARN: return smtp_opt_phase(s, arg, 0, err, errlen);
	case OPT_PHASE_CRIT: return smtp_opt_phase(s, arg, 1, err, errlen);
	case 'q': sp->ignore_quit_failure = 1; return 0;
	case 'L': sp->lmtp = 1; return 0;
	default: break;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

/* Check the AUTH options and find the password. */
static int smtp_validate_auth(struct smtp_check *s, char *err, size_t errlen)
{
	const char *mech = s->authtype;

	if (mech == NULL && s->o.smtp.auth_user == NULL)
		return 0;
	if (mech == NULL || s->o.smtp.auth_user == NULL) {
		snprintf(err, errlen, "-A and -U go together");
		return -1;
	}
	if (smtp_auth_parse(mech, &s->o.smtp.auth) != 0) {
		snprintf(err, errlen, "unsupported -A '%s': want " SMTP_AUTH_LIST, mech);
		return -1;
	}
	if (s->authpass != NULL && s->password_file == NULL) {
		s->o.smtp.auth_pass = s->authpass; /* -P */
		return 0;
	}
	secret_free(s->authpass);
	s->authpass = NULL;
	switch (secret_load(s->password_file, PASSWORD_ENV, &s->authpass, err, errlen)) {
	case 0: s->o.smtp.auth_pass = s->authpass; return 0;
	case 1:
		snprintf(err, errlen, "AUTH needs a password: --password-file or " PASSWORD_ENV);
		return -1;
	default: break;
	}
	return -1;
}

/* A value sent on the wire as given (-f, --rcpt): no control bytes (CR, LF), at most 256 bytes. */
static int smtp_param_ok(const char *opt, const char *v, char *err, size_t errlen)
{
	if (v == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen,
				 "invalid %s: control characters (CR, LF) are not allowed", opt);
			return -1;
		}
	if (strlen(v) > 256) { /* RFC 5321 §4.5.3.1.3: a path is at most 256 octets */
		snprintf(err, errlen, "invalid %s: longer than 256 bytes", opt);
		return -1;
	}
	return 0;
}

/* -f and --rcpt are checked before connecting (-F in probe_opts); -4/-6 must fit an IP literal -H. */
static int smtp_validate_params(const struct smtp_check *s, const struct check_common *cm,
				char *err, size_t errlen)
{
	struct net_addr lit;

	if (smtp_param_ok("-f", s->o.smtp.mail_from, err, errlen) != 0)
		return -1;
	for (int i = 0; i < s->o.smtp.nrcpt; i++)
		if (smtp_param_ok("--rcpt", s->rcpt[i], err, errlen) != 0)
			return -1;
	if (cm->family != AF_UNSPEC && net_addr_parse(s->o.host, 0, &lit) == 0 &&
	    lit.ss.ss_family != cm->family) {
		snprintf(err, errlen, "-%c contradicts the IPv%c address '%s'",
			 cm->family == AF_INET ? '4' : '6', lit.ss.ss_family == AF_INET ? '4' : '6',
			 s->o.host);
		return -1;
	}
	return 0;
}

/* -b: an address of the family the probe can use (-4/-6, an IP literal -H). */
static int smtp_validate_bind(struct smtp_check *s, const struct check_common *cm, char *err,
			      size_t errlen)
{
	struct net_addr lit;
	int fam;

	if (net_addr_parse(s->bind, 0, &s->src) != 0) {
		snprintf(err, errlen, "invalid --bind address '%s'", s->bind);
		return -1;
	}
	fam = s->src.ss.ss_family;
	if (cm->family != AF_UNSPEC && cm->family != fam) {
		snprintf(err, errlen, "--bind IPv%c address '%s' contradicts -%c",
			 fam == AF_INET ? '4' : '6', s->bind, cm->family == AF_INET ? '4' : '6');
		return -1;
	}
	if (net_addr_parse(s->o.host, 0, &lit) == 0 && lit.ss.ss_family != fam) {
		snprintf(err, errlen,
			 "--bind IPv%c address '%s' cannot reach the IPv%c address '%s'",
			 fam == AF_INET ? '4' : '6', s->bind,
			 lit.ss.ss_family == AF_INET ? '4' : '6', s->o.host);
		return -1;
	}
	return 0;
}

/* -H into s->target, the host to probe; a port in -H must agree with -p. */
static int smtp_validate_target(struct smtp_check *s, char *err, size_t errlen)
{
	if (target_from_args(s->host_arg, s->sni, &s->target, &s->o.port, s->sni_name, err,
			     errlen) != 0)
		return -1;
	s->o.host = s->target.dns;
	return 0;
}

static int smtp_validate(void *ctx, const struct check_common *cm, char *err, size_t errlen)
{
	struct smtp_check *s = ctx;

	if (smtp_validate_target(s, err, errlen) != 0)
		return -1;
	if (smtp_validate_params(s, cm, err, errlen) != 0)
		return -1;
	if (s->nresp > s->o.smtp.ncmd) {
		snprintf(err, errlen, "more -R than -C");
		return -1;
	}
	for (int i = 0; i < s->o.smtp.ncmd; i++)
		if (!smtp_command_valid(s->cmd[i])) {
			snprintf(err, errlen, "invalid -C command: CR, LF or longer than %d bytes",
				 SMTP_COMMAND_MAX);
			return -1;
		}
	for (int i = 0; i < s->nresp; i++)
		if (!smtp_regex_valid(s->resp[i])) {
			snprintf(err, errlen,
				 "invalid -R regular expression (or longer than 1024 "
				 "bytes, or too costly to compile)");
			return -1;
		}
	if (s->bind != NULL && smtp_validate_bind(s, cm, err, errlen) != 0)
		return -1;
	s->o.src = s->bind != NULL ? &s->src : NULL;
	if (s->o.smtp.starttls != SMTP_TLS_NONE && s->o.implicit_tls) {
		snprintf(err, errlen, "--starttls and --tls exclude each other");
		return -1;
	}
	probe_opts_defaults(&s->po, &s->o, s->o.implicit_tls ? 465 : 25);
	if (s->o.implicit_tls)
		s->o.smtp.starttls = SMTP_TLS_NONE; /* -D implies TLS, which --tls already gives */
	return smtp_validate_auth(s, err, errlen);
}

static void smtp_on_done(struct smtp_run *r, void *arg)
{
	struct smtp_check *s = arg;

	(void)r;
	s->done(s->done_arg);
}

static int smtp_start(void *ctx, const struct check_env *env, check_done_cb *done, void *arg,
		      char *err, size_t errlen)
{
	struct smtp_check *s = ctx;
	const char *sni = s->sni ? s->sni_name : NULL;

	s->done = done;
	s->done_arg = arg;
	if ((s->o.smtp.starttls != SMTP_TLS_NONE || s->o.implicit_tls) &&
	    (s->tls = tls_ctx_shared(s->po.ca_file, err, errlen)) == NULL)
		return -1;
	s->o.family = env->common->family;
	/* An IP literal sends no SNI (RFC 6066 §3) and is matched as an address. */
	s->o.sni = sni ? sni : s->target.is_ip ? NULL : s->target.tls;
	s->o.verify_name = sni ? sni : s->target.is_ip ? s->target.dns : s->target.tls;
	s->o.tls = s->tls;
	s->o.deadline_us = env->deadline_us;
	s->o.smtp.transcript = env->common->verbose >= 3;
	s->o.smtp.trace = env->common->verbose >= 4;
	s->run = smtp_run_start(env->loop, env->dns, &s->o, &s->res, smtp_on_done, s);
	if (s->run == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The time -w/-c judge: the total, without the QUIT wait when -q makes QUIT's fate irrelevant. */
static double smtp_threshold_time(const struct smtp_check *s)
{
	const struct smtp_run_result *r = &s->res;
	int64_t us = r->total_us;

	if (s->o.smtp.ignore_quit_failure && r->phase_seen[PHASE_QUIT])
		us -= r->phase_us[PHASE_QUIT];
	return (double)(us > 0 ? us : 0) / 1e6;
}

/* Say that a phase took too long: "greeting 2.100s > 2s", or the range when it is not an upper bound. */
static void smtp_phase_breach(struct out *o, enum phase p, double v, const struct range *rg)
{
	if (rg->inside)
		out_summary(o, ", %s %.3fs inside %s", phase_name(p), v, rg->text + 1);
	else if (!rg->lo_inf && rg->lo == 0 && !rg->hi_inf)
		out_summary(o, ", %s %.3fs > %ss", phase_name(p), v, rg->text);
	else
		out_summary(o, ", %s %.3fs outside %s", phase_name(p), v, rg->text);
}

/* The time thresholds (-w/-c, --phase-*): raise the state, and say which time crossed which. */
static void smtp_thresholds(const struct smtp_check *s, struct out *o)
{
	const struct smtp_run_result *r = &s->res;
	double total = smtp_threshold_time(s);
	enum state st = thresholds_eval(&s->time_th, total);

	if (st != STATE_OK)
		out_summary(o, ", response time %.3fs over threshold", total);
	for (int p = PHASE_DNS; p < PHASE_MAX; p++) {
		const struct thresholds *th = &s->phase_th[p];
		double v = (double)r->phase_us[p] / 1e6;
		enum state ps = r->phase_seen[p] ? thresholds_eval(th, v) : STATE_OK;

		if (ps != STATE_OK)
			smtp_phase_breach(o, (enum phase)p, v,
					  ps == STATE_CRITICAL ? &th->crit : &th->warn);
		st = state_worst(st, ps);
	}
	out_state(o, st);
}

/* 1 when the session worked and the record holds at most a judgement of it (-D, plaintext AUTH). */
static int smtp_worked(const struct fail *f)
{
	return f->cls == FAIL_NONE || f->cls == FAIL_CERT_DAYS || f->cls == FAIL_PLAINTEXT_AUTH;
}

/* Words for a healthy probe: what was negotiated. */
static void smtp_summary_ok(const struct smtp_check *s, struct out *o)
{
	const struct smtp_run_result *r = &s->res;

	out_summary(o, " %s",
		    s->o.smtp.lmtp                ? "LMTP"
		    : smtp_result_esmtp(&r->smtp) ? "ESMTP"
						  : "SMTP");
	if (s->o.smtp.starttls != SMTP_TLS_NONE)
		out_summary(o, " STARTTLS");
	if (r->tls_used)
		out_summary(o, " %s cert %dd", r->tls.protocol, smtp_report_cert_days(r));
	if (r->smtp.auth_ok)
		out_summary(o, " AUTH %s ok", smtp_auth_name(s->o.smtp.auth));
	if (s->o.smtp.nrcpt > 0)
		out_summary(o, " RCPT ok");
	out_summary(o, " in %.3fs", (double)r->total_us / 1e6);
}

/* After a working probe: PLAIN/LOGIN sent the password in clear (RFC 4954 §4) unless allowed. */
static void smtp_plaintext_auth_check(const struct smtp_check *s, struct smtp_run_result *r)
{
	enum smtp_auth m = s->o.smtp.auth;

	if (s->allow_plaintext_auth || !r->smtp.auth_ok || r->tls_used ||
	    (m != SMTP_AUTH_PLAIN && m != SMTP_AUTH_LOGIN) || r->smtp.fail.cls != FAIL_NONE)
		return;
	fail_set(&r->smtp.fail, FAIL_PLAINTEXT_AUTH, PHASE_AUTH, 0,
		 "AUTH %s sent the password without TLS", smtp_auth_name(m));
}

/* The probe as the root of the tree: the cause decided once, then words, perfdata, facts. */
static void smtp_report(void *ctx, const struct check_common *cm, struct out *o)
{
	struct smtp_check *s = ctx;
	struct smtp_run_result *r = &s->res;

	if (!s->ignore_expiry)
		probe_opts_cert_check(&s->po, r); /* -D: FAIL_CERT_DAYS on a working probe */
	smtp_plaintext_auth_check(s, r);
	out_cause(o, classify(&r->smtp.fail), 1);
	out_state(o, o->cause->state);
	o->timed_out = o->cause->timeout;
	smtp_report_target(r, s->target.host, s->o.port, o, OUT_TO_SUMMARY);
	if (smtp_worked(&r->smtp.fail)) {
		smtp_summary_ok(s, o);
		if (r->smtp.fail.cls != FAIL_NONE)
			out_summary(o, ", %s (cause: %s)", r->smtp.fail.detail, o->cause->name);
		smtp_thresholds(s, o);
	} else {
		out_summary(o, " ");
		smtp_report_failure(r, o, OUT_TO_SUMMARY);
		out_summary(o, " (cause: %s)", o->cause->name);
	}
	if (r->nfailed > 0) /* the addresses given up on (their causes in the long output) */
		out_summary(o, ", %d other address%s failed before", r->nfailed,
			    r->nfailed == 1 ? "" : "es");
	smtp_report_perf(r, o, s->phase_th);
	out_perf(o, "total", (double)r->total_us / 1e6, "s", &s->time_th);
	out_perf(o, "time", (double)r->total_us / 1e6, "s", &s->time_th);
	if (r->tls_used)
		out_perf(o, "cert_days", smtp_report_cert_days(r), "", NULL);
	smtp_report_long(r, cm->verbose, o);
	smtp_report_facts(r, o);
	smtp_report_failed_addresses(r, o);
	out_fact_str(&o->facts, "host", s->target.host);
	out_fact_int(&o->facts, "port", s->o.port);
}

static void smtp_cleanup(void *ctx)
{
	struct smtp_check *s = ctx;

	smtp_run_free(s->run);
	smtp_result_reset(&s->res);
	tls_ctx_free(s->tls);
	secret_free(s->authpass);
}

static const char *const smtp_json_keys[] = {SMTP_REPORT_KEYS, "failed_addresses", "host", "port",
					     NULL};

const struct check check_mail_smtp = {
	.name = "check_mail_smtp",
	.service = "SMTP",
	.description =
		"Does this SMTP endpoint work end to end, and if not, in which phase and why?\n"
		"Connects, reads the greeting, EHLO, STARTTLS or implicit TLS with the\n"
		"certificate verified, AUTH, MAIL FROM and RCPT TO, QUIT; drop-in for\n"
		"monitoring-plugins' check_smtp (same options, same meaning).\n",
	.synopsis = "-H HOST [-p PORT] [-S|-s] [-D W[,C]] [-A MECH -U USER --password-file F]\n"
		    "       [-f FROM] [--rcpt RCPT] [-e EXPECT] [-C CMD [-R REGEX]] [-F FQDN]\n"
		    "       [-w SECS] [-c SECS] [-t SECS[:STATE]] [--output json] [-v]",
	.opts = smtp_opts,
	.notes = smtp_notes,
	.examples = smtp_examples,
	.ctx_size = sizeof(struct smtp_check),
	.option = smtp_option,
	.validate = smtp_validate,
	.start = smtp_start,
	.json_keys = smtp_json_keys,
	.report = smtp_report,
	.cleanup = smtp_cleanup,
};
