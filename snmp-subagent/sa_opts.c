/*
 * sa_opts.c - mailpath-agentx's options and --help, from one table.
 *
 * Contract: parses argv with getopt_long over the tables check_opts_getopt
 * makes from sa_opts_table, so that every option accepted is in --help and
 * the other way round (tests/unit/test_help.c). Errors are returned as text.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "front/check.h"
#include "sa_opts.h"

#ifndef MAILPATH_VERSION
#define MAILPATH_VERSION "0.1.0"
#endif

static const struct check_opt sa_opts_table[] = {
	{"help", no_argument, 'h', NULL, "Print this help and exit"},
	{"version", no_argument, 'V', NULL, "Print the version and exit"},
	{NULL, no_argument, 'f', NULL,
	 "Stay in the foreground and log to stderr (else daemonise and log to syslog)"},
	{NULL, no_argument, 'd', NULL, "Log debug messages"},
	{NULL, required_argument, 'c', "FILE",
	 "Configuration file (default /etc/mailpath/agentx.conf)"},
	{NULL, required_argument, 'x', "SOCKET",
	 "AgentX master socket (default net-snmp's, /var/agentx/master;\n"
	 "tcp:localhost:705 works too)"},
	{NULL, required_argument, 'p', "SECONDS",
	 "AgentX ping and reconnect interval (default 15, at most 3600)"},
	{NULL, required_argument, 'r', "N",
	 "At most N state-change notifications per minute (default 10)"},
	{NULL, required_argument, 'j', "SECONDS",
	 "Spread the first runs over at most this long (default 10, at most 86400)"},
	CHECK_OPT_END,
};

static const char sa_opts_description[] =
	"mailpath-agentx runs mailpath checks on a schedule and serves their latest results\n"
	"to the local snmpd over AgentX as MAILPATH-MIB.\n";

static const char sa_opts_notes[] =
	"The configuration holds one check per line, \"check NAME INTERVAL COMMAND ARGS...\",\n"
	"the command and its options as on the plugin's command line (check_mail_smtp,\n"
	"check_mail_mx; see their --help). SIGHUP reloads it (a bad file is refused and the\n"
	"running one kept), SIGTERM exits.\n";

static const char sa_opts_examples[] = " mailpath-agentx -f -c /etc/mailpath/agentx.conf\n"
				       "    in the foreground (systemd), logs on stderr\n"
				       " mailpath-agentx -x tcp:localhost:705 -p 5\n";

/* Print the whole help to f. */
static void sa_opts_help(FILE *f)
{
	const struct check_opt *const tables[] = {sa_opts_table, NULL};

	fprintf(f,
		"mailpath-agentx (mailpath %s)\n\n%s\nUsage:\n mailpath-agentx [-f] [-d] [-c FILE] "
		"[-x SOCKET] [-p SECONDS] [-r N] [-j SECONDS]\n\nOptions:\n",
		MAILPATH_VERSION, sa_opts_description);
	check_opts_help(f, tables);
	fprintf(f, "\n%s\nExamples:\n%s", sa_opts_notes, sa_opts_examples);
}

/* A whole number 0..max into *v; 0, or -1 with a message. */
static int sa_opts_uint(int opt, const char *arg, unsigned long max, unsigned long *v, char *err,
			size_t errlen)
{
	char *end;

	*v = strtoul(arg, &end, 10);
	if (*arg == '\0' || *arg == '-' || *end != '\0' || *v > max) {
		snprintf(err, errlen, "invalid -%c '%s': want 0..%lu", opt, arg, max);
		return -1;
	}
	return 0;
}

void sa_opts_init(struct sa_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->daemon.conf_path = "/etc/mailpath/agentx.conf";
	o->daemon.agent.socket = NULL;
	o->daemon.agent.ping_s = 15;
	o->daemon.agent.timeout_s = 1;
	o->daemon.agent.retries = 1;
	o->daemon.notify_per_min = 10;
	o->daemon.jitter_s = 10;
}

/* One option into o: 0, 1 (help or version printed), -1 with a message. */
static int sa_opts_one(struct sa_opts *o, int opt, const char *arg, FILE *out, char *err,
		       size_t errlen)
{
	unsigned long v;

	switch (opt) {
	case 'h': sa_opts_help(out); return 1;
	case 'V': fprintf(out, "mailpath-agentx (mailpath %s)\n", MAILPATH_VERSION); return 1;
	case 'f': o->foreground = 1; return 0;
	case 'd': o->debug = 1; return 0;
	case 'c': o->daemon.conf_path = arg; return 0;
	case 'x': o->daemon.agent.socket = arg; return 0;
	case 'p':
		if (sa_opts_uint(opt, arg, 3600, &v, err, errlen) != 0)
			return -1;
		o->daemon.agent.ping_s = (int)v;
		return 0;
	case 'r':
		if (sa_opts_uint(opt, arg, 100000, &v, err, errlen) != 0)
			return -1;
		o->daemon.notify_per_min = (unsigned)v;
		return 0;
	case 'j':
		if (sa_opts_uint(opt, arg, 86400, &v, err, errlen) != 0)
			return -1;
		o->daemon.jitter_s = (unsigned)v;
		return 0;
	default: break;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

int sa_opts_getopt(char *shortopts, size_t len, struct option **longopts)
{
	const struct check_opt *const tables[] = {sa_opts_table, NULL};

	return check_opts_getopt(tables, shortopts, len, longopts);
}

int sa_opts_parse(struct sa_opts *o, int argc, char **argv, FILE *out, char *err, size_t errlen)
{
	struct option *longopts;
	char shortopts[64];
	int opt, rc = 0;

	if (sa_opts_getopt(shortopts, sizeof(shortopts), &longopts) != 0) {
		free(longopts);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	optind = 0; /* GNU getopt: full reinitialisation (the tests parse many times) */
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == '?') {
			if (optopt)
				snprintf(err, errlen, "unknown option -%c", optopt);
			else
				snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
			rc = -1;
		} else if (opt == ':') {
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			rc = -1;
		} else {
			rc = sa_opts_one(o, opt, optarg, out, err, errlen);
		}
	}
	free(longopts);
	if (rc == 0 && optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		rc = -1;
	}
	return rc;
}
