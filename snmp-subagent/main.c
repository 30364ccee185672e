/*
 * main.c - mailpath-agentx: options (sa_opts.c), logging, then sa_daemon_run().
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "sa_daemon.h"
#include "sa_log.h"
#include "sa_opts.h"

int main(int argc, char **argv)
{
	struct sa_opts o;
	char err[256];
	int rc;

	sa_opts_init(&o);
	rc = sa_opts_parse(&o, argc, argv, stdout, err, sizeof(err));
	if (rc == 1)
		return 0; /* --help or --version */
	if (rc != 0) {
		fprintf(stderr, "mailpath-agentx: %s (see mailpath-agentx --help)\n", err);
		return 2;
	}
	if (o.debug)
		sa_log_debug(1);
	if (!o.foreground && daemon(0, 0) != 0) {
		perror("mailpath-agentx: daemon");
		return 1;
	}
	sa_log_open(o.foreground, "mailpath-agentx");
	return sa_daemon_run(&o.daemon) == 0 ? 0 : 1;
}
