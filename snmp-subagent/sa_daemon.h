/*
 * sa_daemon.h - mailpath-agentx as a library: configuration, scheduler,
 * store and AgentX on one event loop; main.c only parses options.
 */
#ifndef MAILPATH_SA_DAEMON_H
#define MAILPATH_SA_DAEMON_H

#include <stddef.h>
#include "checks/checks.h"
#include "sa_agent.h"

struct sa_daemon_opts {
	const char *conf_path;
	struct sa_agent_opts agent;
	unsigned notify_per_min; /* rate limit of state-change notifications */
	unsigned jitter_s;       /* first runs spread over at most this many seconds */
};

/* Load the configuration, start the checks and the AgentX side; 0 or -1 (logged). */
int sa_daemon_run(const struct sa_daemon_opts *o);

#endif
