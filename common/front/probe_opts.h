/*
 * probe_opts.h - the SMTP probe options every mail check shares, with the
 * same names and meaning everywhere (-p, -F, -S/--require-tls, -D,
 * --ca-file, --no-verify), so users learn one vocabulary. They parse
 * straight into the probe's runner options (struct smtp_run_opts); only
 * what the runner does not take (the CA file, -D days) stays here.
 */
#ifndef MAILPATH_PROBE_OPTS_H
#define MAILPATH_PROBE_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include "front/check.h"
#include "smtp/smtp_run.h"

enum { PROBE_OPT_REQUIRE_TLS = 0x3000, PROBE_OPT_CA_FILE, PROBE_OPT_NO_VERIFY };

/* The rows of these options, for a check's option table (front/check.h). */
/* Kept by hand: clang-format 14 and 19 break this macro differently. */
/* clang-format off */
#define PROBE_OPTS \
	{"port", required_argument, 'p', "PORT", \
	 "Port (default 25; check_mail_smtp: 465 with -s)"}, \
	{"fqdn", required_argument, 'F', "NAME", \
	 "Name to send in EHLO (default: this host's name)"}, \
	{"starttls", no_argument, 'S', NULL, \
	 "Use STARTTLS; CRITICAL when it is not offered"}, \
	{"require-tls", no_argument, PROBE_OPT_REQUIRE_TLS, NULL, NULL}, \
	{"certificate", required_argument, 'D', "W[,C]", \
	 "WARNING / CRITICAL when a certificate the server sends (leaf or intermediate)\n" \
	 "expires within W / C days (implies -S)"}, \
	{"ca-file", required_argument, PROBE_OPT_CA_FILE, "FILE", \
	 "Trust these CA certificates instead of the system store"}, \
	{"no-verify", no_argument, PROBE_OPT_NO_VERIFY, NULL, \
	 "Report but do not fail on chain or name verification errors"}
/* clang-format on */

struct probe_opts {
	const char *ca_file;
	int no_verify; /* --no-verify (o->verify is set from it by the defaults) */
	int cert_days; /* -D given */
	double cert_warn, cert_crit;
	char hostname[256]; /* EHLO name when -F is not given */
};

/* Take one option into p or o; 0 taken, 1 not a probe option, -1 invalid (message in err). */
int probe_opts_option(struct probe_opts *p, struct smtp_run_opts *o, int opt, const char *arg,
		      char *err, size_t errlen);
/* Defaults after parsing: port, EHLO name, verification, -D implies -S. */
void probe_opts_defaults(struct probe_opts *p, struct smtp_run_opts *o, int default_port);
/* After a probe: record FAIL_CERT_DAYS when the certificate expires within -D days. */
void probe_opts_cert_check(const struct probe_opts *p, struct smtp_run_result *r);

#endif
