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
#include "smtp/smtp_run.h"

enum { PROBE_OPT_REQUIRE_TLS = 0x3000, PROBE_OPT_CA_FILE, PROBE_OPT_NO_VERIFY };

/* getopt pieces: short options and long options (append PROBE_OPTS_LONG to a table). */
#define PROBE_OPTS_SHORT "p:F:SD:"
#define PROBE_OPTS_LONG                                                                            \
	{"port", required_argument, NULL, 'p'}, {"fqdn", required_argument, NULL, 'F'},            \
		{"starttls", no_argument, NULL, 'S'},                                              \
		{"require-tls", no_argument, NULL, PROBE_OPT_REQUIRE_TLS},                         \
		{"certificate", required_argument, NULL, 'D'},                                     \
		{"ca-file", required_argument, NULL, PROBE_OPT_CA_FILE},                           \
	{                                                                                          \
		"no-verify", no_argument, NULL, PROBE_OPT_NO_VERIFY                                \
	}

#define PROBE_OPTS_HELP                                                                            \
	" -p, --port=PORT           port (default 25)\n"                                           \
	" -F, --fqdn=NAME           name to send in EHLO (default: this host's name)\n"            \
	" -S, --starttls, --require-tls\n"                                                         \
	"                           use STARTTLS; CRITICAL when it is not offered\n"               \
	" -D, --certificate=W[,C]   minimum days the certificate must stay valid (implies -S)\n"   \
	" --ca-file=FILE            trust these CA certificates instead of the system store\n"     \
	" --no-verify               do not fail on chain or name verification errors\n"

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
