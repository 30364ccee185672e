/*
 * sa_agent.h - the AgentX side: net-snmp's agent library bridged into
 * our event loop, MAILPATH-MIB served from a result store, notifications.
 *
 * The only module that includes net-snmp headers. Requests are answered
 * from the store as it is (sa_mib.c): nothing here waits on a probe.
 */
#ifndef MAILPATH_SA_AGENT_H
#define MAILPATH_SA_AGENT_H

#include <stddef.h>
#include "base/ev.h"
#include "sa_store.h"

struct sa_agent;

struct sa_agent_opts {
	const char *socket; /* AgentX master socket; NULL: net-snmp's default */
	int ping_s;         /* reconnect/ping interval, seconds (> 0) */
	int timeout_s;      /* AgentX request timeout, seconds */
	int retries;
};

/* Connect (or keep trying) as a subagent serving s on loop. NULL with a message in err. */
struct sa_agent *sa_agent_new(struct ev_loop *loop, const struct sa_store *s,
			      const struct sa_agent_opts *o, char *err, size_t errlen);
/* Unregister and shut the agent library down. Accepts NULL. */
void sa_agent_free(struct sa_agent *a);
/* Send mailpathCheckStateChange for e through the master. */
void sa_agent_notify(struct sa_agent *a, const struct sa_entry *e);

#endif
