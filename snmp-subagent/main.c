/*
 * main.c - mailpath-agentx: options, logging, then sa_daemon_run().
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "sa_daemon.h"
#include "sa_log.h"

#ifndef MAILPATH_VERSION
#define MAILPATH_VERSION "0.1.0"
#endif

static const char sa_usage[] =
	"mailpath-agentx runs mailpath checks on a schedule and serves their latest results\n"
	"to the local snmpd over AgentX as MAILPATH-MIB. SIGHUP reloads the configuration,\n"
	"SIGTERM exits.\n\n"
	"Usage: mailpath-agentx [-f] [-d] [-c FILE] [-x SOCKET] [-p SECONDS] [-r N] [-j SECONDS]\n"
	" -f          stay in the foreground, log to stderr (else daemonise, log to syslog)\n"
	" -d          log debug messages\n"
	" -c FILE     configuration (default /etc/mailpath/agentx.conf)\n"
	" -x SOCKET   AgentX master socket (default net-snmp's, /var/agentx/master;\n"
	"             tcp:localhost:705 works too)\n"
	" -p SECONDS  AgentX ping and reconnect interval (default 15)\n"
	" -r N        at most N state-change notifications per minute (default 10)\n"
	" -j SECONDS  spread the first runs over at most this long (default 10)\n"
	" -V, --version  print the version\n"
	" -h, --help     print this help\n";

/* The short options, and the two long ones every daemon answers. */
static const char sa_shortopts[] = "fdc:x:p:r:j:Vh";
static const struct option sa_longopts[] = {
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* A positive integer option value, or exit with usage. */
static unsigned sa_opt_uint(const char *arg, unsigned max)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "mailpath-agentx: invalid number '%s'\n%s", arg, sa_usage);
		exit(2);
	}
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	struct sa_daemon_opts o = {
		.conf_path = "/etc/mailpath/agentx.conf",
		.agent = {.socket = NULL, .ping_s = 15, .timeout_s = 1, .retries = 1},
		.notify_per_min = 10,
		.jitter_s = 10,
	};
	int opt, foreground = 0;

	while ((opt = getopt_long(argc, argv, sa_shortopts, sa_longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': foreground = 1; break;
		case 'd': sa_log_debug(1); break;
		case 'c': o.conf_path = optarg; break;
		case 'x': o.agent.socket = optarg; break;
		case 'p': o.agent.ping_s = (int)sa_opt_uint(optarg, 3600); break;
		case 'r': o.notify_per_min = sa_opt_uint(optarg, 100000); break;
		case 'j': o.jitter_s = sa_opt_uint(optarg, 86400); break;
		case 'V': printf("mailpath-agentx (mailpath %s)\n", MAILPATH_VERSION); return 0;
		case 'h': fputs(sa_usage, stdout); return 0;
		default: fputs(sa_usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fputs(sa_usage, stderr);
		return 2;
	}
	if (!foreground && daemon(0, 0) != 0) {
		perror("mailpath-agentx: daemon");
		return 1;
	}
	sa_log_open(foreground, "mailpath-agentx");
	return sa_daemon_run(&o) == 0 ? 0 : 1;
}
