/*
 * check_mail_mx - is mail to this domain deliverable? Resolves the
 * domain's mail exchangers as an MTA does and probes every address of
 * every MX at once. This file holds only the options and the verdict
 * policy; resolution, probing and reporting live in common/ (mx_run,
 * mx, mx_report, probe_opts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks/checks.h"
#include "mx/mx_report.h"
#include "mx/mx_run.h"
#include "front/probe_opts.h"

/* The options parse straight into the runner's (o, its smtp member the probe template). */
struct mx_check {
	struct mx_run_opts o;
	struct probe_opts probe;
	struct mx_policy policy;
	int discover;
	int rdns_given;
	struct tls_ctx *tls;
	struct mx_run *run;
	struct mx_set *set; /* mx_set_new in start, mx_set_free in cleanup */
	check_done_cb *done;
	void *done_arg;
};

enum { OPT_EXPECT_NULL = 0x2000, OPT_REQUIRE_IPV6, OPT_REQUIRE_PRIMARY, OPT_RDNS, OPT_DISCOVER };

static const struct check_opt mx_opts[] = {
	{"domain", required_argument, 'd', "DOMAIN", "Mail domain whose MX to check (required)"},
	{"warning", required_argument, 'w', "RANGE",
	 "Number of healthy MX giving WARNING (e.g. 2: = fewer than two)"},
	{"critical", required_argument, 'c', "RANGE",
	 "Number of healthy MX giving CRITICAL (default 1: = none works)"},
	{"expect-null-mx", no_argument, OPT_EXPECT_NULL, NULL,
	 "The domain should publish a null MX (RFC 7505): OK if it does"},
	{"require-ipv6", no_argument, OPT_REQUIRE_IPV6, NULL,
	 "CRITICAL unless at least one MX works over IPv6"},
	{"require-primary", no_argument, OPT_REQUIRE_PRIMARY, NULL,
	 "CRITICAL unless the most preferred MX works"},
	{"rdns", required_argument, OPT_RDNS, "warning|critical|ignore",
	 "State for a missing PTR or failed FCrDNS (default warning)"},
	{"discover", no_argument, OPT_DISCOVER, NULL,
	 "Print Zabbix low-level discovery JSON ({#MX}, {#MXPRIO}, {#MXADDR}) after\n"
	 "resolving only; nothing is probed. A failed MX lookup is UNKNOWN, never an empty list"},
	PROBE_OPTS,
	CHECK_OPT_END,
};

static const char mx_notes[] =
	"Every address of every MX is probed at once with check_mail_smtp's probe; -t bounds\n"
	"the whole check, and a stalled MX does not hold the others back.\n"
	"\n"
	"RANGE follows the Nagios plugin guidelines and counts healthy MX here: 2: (fewer than\n"
	"two), 1: (none), @0:1 (at most one). Any failing MX gives at least WARNING.\n"
	"\n"
	"Perfdata: mx_total, mx_healthy, mx_failed, and per MX NAME_time (U when not probed).\n";

static const char mx_examples[] =
	" check_mail_mx -d example.net -w 2: --require-primary\n"
	"    WARNING when fewer than two MX work, CRITICAL when the primary does not\n"
	" check_mail_mx -d example.net -S -D 21,7 --output json\n"
	" check_mail_mx -d example.net --discover\n";

static int mx_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct mx_check *m = ctx;
	int rc = probe_opts_option(&m->probe, &m->o.smtp, opt, arg, err, errlen);

	if (rc <= 0)
		return rc;
	switch (opt) {
	case 'd': m->o.domain = arg; return 0;
	case 'w':
	case 'c':
		if (range_parse(arg, opt == 'w' ? &m->policy.healthy.warn
						: &m->policy.healthy.crit) == 0)
			return 0;
		snprintf(err, errlen, "invalid -%c range '%s'", opt, arg);
		return -1;
	case OPT_EXPECT_NULL: m->policy.expect_null = 1; return 0;
	case OPT_REQUIRE_IPV6: m->policy.require_ipv6 = 1; return 0;
	case OPT_REQUIRE_PRIMARY: m->policy.require_primary = 1; return 0;
	case OPT_DISCOVER: m->discover = 1; return 0;
	case OPT_RDNS:
		m->rdns_given = 1;
		if (strcmp(arg, "ignore") == 0) {
			m->policy.rdns_state = -1;
			return 0;
		}
		if (strcmp(arg, "warning") == 0 || strcmp(arg, "critical") == 0) {
			m->policy.rdns_state = state_parse(arg);
			return 0;
		}
		snprintf(err, errlen, "invalid --rdns '%s': want warning, critical or ignore", arg);
		return -1;
	default: break;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

static int mx_validate(void *ctx, const struct check_common *cm, char *err, size_t errlen)
{
	struct mx_check *m = ctx;

	if (m->policy.require_ipv6 && cm->family == AF_INET) {
		snprintf(err, errlen, "--require-ipv6 contradicts -4");
		return -1;
	}
	if (m->o.domain == NULL || m->o.domain[0] == '\0') {
		snprintf(err, errlen, "-d DOMAIN is required");
		return -1;
	}
	if (strlen(m->o.domain) >= DNS_NAME_MAX || strpbrk(m->o.domain, " \t\r\n|/") != NULL) {
		snprintf(err, errlen, "invalid domain name");
		return -1;
	}
	if (!m->rdns_given)
		m->policy.rdns_state = STATE_WARNING;
	if (!m->policy.healthy.crit.set)
		(void)range_parse("1:", &m->policy.healthy.crit); /* none healthy: CRITICAL */
	probe_opts_defaults(&m->probe, &m->o.smtp, 25);
	m->o.port = m->o.smtp.port;
	m->o.rdns = m->policy.rdns_state >= 0 && !m->discover;
	m->o.probe = !m->discover;
	return 0;
}

static void mx_on_done(void *arg)
{
	struct mx_check *m = arg;

	m->done(m->done_arg);
}

/* After each probe, before its cause is stored: the -D certificate check. */
/* cppcheck-suppress constParameterCallback ; the hook type is fixed by mx_run.h */
static void mx_probe_done(void *arg, struct smtp_run_result *r)
{
	probe_opts_cert_check(arg, r);
}

static int mx_start(void *ctx, const struct check_env *env, check_done_cb *done, void *arg,
		    char *err, size_t errlen)
{
	struct mx_check *m = ctx;

	m->done = done;
	m->done_arg = arg;
	if ((m->set = mx_set_new(m->o.domain)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (m->o.smtp.smtp.starttls != SMTP_TLS_NONE &&
	    (m->tls = tls_ctx_shared(m->probe.ca_file, err, errlen)) == NULL)
		return -1;
	m->o.family = env->common->family;
	m->o.deadline_us = env->deadline_us;
	m->o.smtp.tls = m->tls;
	m->o.probe_hook = mx_probe_done;
	m->o.probe_hook_arg = &m->probe;
	m->o.smtp.smtp.transcript = env->common->verbose >= 3;
	m->o.smtp.smtp.trace = env->common->verbose >= 4;
	m->run = mx_run_start(env->loop, env->dns, &m->o, m->set, mx_on_done, m);
	if (m->run == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The set as a tree: -D applied to every probe, the verdict once, then mx_report. */
static void mx_report_cb(void *ctx, const struct check_common *cm, struct out *o)
{
	struct mx_check *m = ctx;
	struct mx_verdict v = {0};

	mx_verdict(m->set, &m->policy, &v);
	if (m->discover)
		mx_report_discovery(m->set, &v, &m->policy, m->o.port, o);
	else
		mx_report(m->set, &v, &m->policy, m->o.port, cm->verbose, o);
}

static void mx_cleanup(void *ctx)
{
	struct mx_check *m = ctx;

	mx_run_free(m->run);
	mx_set_free(m->set); /* a detached run never touches it again */
	tls_ctx_free(m->tls);
}

static const char *const mx_json_keys[] = {MX_REPORT_KEYS, NULL};

const struct check check_mail_mx = {
	.name = "check_mail_mx",
	.service = "MX",
	.description =
		"Is mail to this domain deliverable? Resolves the domain's mail exchangers as an\n"
		"MTA does (RFC 5321 section 5.1): null MX, CNAME and IP-literal targets,\n"
		"A/AAAA, PTR and FCrDNS, and probes every address of every MX over SMTP.\n",
	.synopsis =
		"-d DOMAIN [-w RANGE] [-c RANGE] [-p PORT] [-S] [-D W[,C]] [--ca-file F]\n"
		"       [--expect-null-mx] [--require-ipv6] [--require-primary] [--rdns STATE]\n"
		"       [--discover] [-t SECS[:STATE]] [--output json] [-v]",
	.opts = mx_opts,
	.notes = mx_notes,
	.examples = mx_examples,
	.ctx_size = sizeof(struct mx_check),
	.option = mx_option,
	.validate = mx_validate,
	.start = mx_start,
	.json_keys = mx_json_keys,
	.report = mx_report_cb,
	.cleanup = mx_cleanup,
};
