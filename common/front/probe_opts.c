/*
 * probe_opts.c - the shared SMTP probe options, parsed once for every
 * mail check. No printing: errors go into err.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "front/probe_opts.h"
#include "smtp/smtp_report.h"

/* Parse "W[,C]" days for -D. */
static int probe_opts_days(struct probe_opts *p, const char *arg, char *err, size_t errlen)
{
	char *end;
	const char *crit;

	p->cert_warn = strtod(arg, &end);
	p->cert_crit = 0;
	if (end != arg && *end == ',') {
		crit = end + 1;
		p->cert_crit = strtod(crit, &end);
		if (end == crit) /* "30," is not "30,0" */
			end = (char *)arg;
	}
	/* !(x >= 0) also refuses NaN, which would switch the expiry check off. */
	if (end == arg || *end != '\0' || !(p->cert_warn >= 0) || !(p->cert_crit >= 0) ||
	    p->cert_warn > 36500 || p->cert_crit > 36500) {
		snprintf(err, errlen, "invalid -D '%s': want DAYS[,DAYS], 0..36500", arg);
		return -1;
	}
	p->cert_days = 1;
	return 0;
}

int probe_opts_option(struct probe_opts *p, struct smtp_run_opts *o, int opt, const char *arg,
		      char *err, size_t errlen)
{
	char *end;
	long port;

	switch (opt) {
	case 'p':
		errno = 0;
		port = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno != 0 || port < 1 || port > 65535) {
			snprintf(err, errlen, "invalid port '%s': want 1..65535", arg);
			return -1;
		}
		o->port = (int)port;
		return 0;
	case 'F':
		/* RFC 5321 §4.1.1.1: a domain or address literal, sent as given: no control bytes. */
		for (const unsigned char *c = (const unsigned char *)arg; *c != '\0'; c++)
			if (*c <= ' ' || *c == 0x7f) {
				snprintf(err, errlen,
					 "invalid -F '%s': no blanks or control characters", arg);
				return -1;
			}
		if (*arg == '\0' || strlen(arg) > 255) {
			snprintf(err, errlen, "invalid -F: want a name of 1..255 bytes");
			return -1;
		}
		o->smtp.helo = arg;
		return 0;
	case 'S':
	case PROBE_OPT_REQUIRE_TLS: o->smtp.starttls = SMTP_TLS_REQUIRE; return 0;
	case 'D': return probe_opts_days(p, arg, err, errlen);
	case PROBE_OPT_CA_FILE: p->ca_file = arg; return 0;
	case PROBE_OPT_NO_VERIFY: p->no_verify = 1; return 0;
	default: break;
	}
	return 1;
}

void probe_opts_defaults(struct probe_opts *p, struct smtp_run_opts *o, int default_port)
{
	if (p->cert_days)
		o->smtp.starttls = SMTP_TLS_REQUIRE; /* as in monitoring-plugins: -D implies -S */
	if (o->port == 0)
		o->port = default_port;
	o->verify = !p->no_verify;
	if (o->smtp.helo == NULL) {
		if (gethostname(p->hostname, sizeof(p->hostname) - 1) != 0 ||
		    p->hostname[0] == '\0')
			snprintf(p->hostname, sizeof(p->hostname), "localhost");
		o->smtp.helo = p->hostname;
	}
}

void probe_opts_cert_check(const struct probe_opts *p, struct smtp_run_result *r)
{
	int days;

	if (!p->cert_days || !r->tls_used || r->smtp.fail.cls != FAIL_NONE)
		return;
	/* The chain breaks when its first certificate expires, leaf or not. */
	days = smtp_report_chain_days(r);
	if (days >= p->cert_warn && days >= p->cert_crit)
		return;
	if (r->tls.chain_depth == 0)
		fail_set(&r->smtp.fail, FAIL_CERT_DAYS, PHASE_TLS,
			 days < p->cert_crit ? FAIL_CERT_CRITICAL : FAIL_CERT_WARNING,
			 "certificate expires in %d days", days);
	else
		fail_set(&r->smtp.fail, FAIL_CERT_DAYS, PHASE_TLS,
			 days < p->cert_crit ? FAIL_CERT_CRITICAL : FAIL_CERT_WARNING,
			 "chain certificate %d (%.160s) expires in %d days", r->tls.chain_depth,
			 r->tls.chain_subject, days);
}
