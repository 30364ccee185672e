/*
 * sa_agent.c - net-snmp agent library as an AgentX subagent on our loop.
 *
 * Set-up follows netsnmp_agent_api(3): subagent role, logging through a
 * callback, no persistent state, no SIGALRM (alarms run from our timer),
 * ping interval for reconnects, then one handler for the whole MIB root.
 * After every SNMP action the fds and the timeout net-snmp wants are
 * asked again (snmp_select_info2) and mirrored into ev watchers, since
 * a reconnect changes the fd.
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "sa_agent.h"
#include "sa_log.h"
#include "sa_mib.h"

#define SA_APP "mailpath-agentx"
#define SA_AGENT_FDS 16
#define SA_SETTLE_US 250000 /* how long shutdown waits for a master that stops too */

struct sa_agent {
	struct ev_loop *loop;
	const struct sa_store *store;
	netsnmp_handler_registration *reg;
	struct ev_io io[SA_AGENT_FDS];
	int nio;
	struct ev_timer timer;
};

static void sa_agent_update(struct sa_agent *a);

/* net-snmp's log lines into ours, without the trailing newline. */
static int sa_agent_log(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	size_t n;

	(void)major;
	(void)minor;
	(void)client;
	if (m == NULL || m->msg == NULL)
		return 0;
	n = strlen(m->msg);
	while (n > 0 && (m->msg[n - 1] == '\n' || m->msg[n - 1] == '\r'))
		n--;
	sa_log(m->priority <= LOG_ERR       ? LOG_ERR
	       : m->priority == LOG_WARNING ? LOG_WARNING
					    : LOG_INFO,
	       "snmp: %.*s", (int)n, m->msg);
	return 0;
}

/* Put one found variable into a varbind (name and value). */
static void sa_agent_set(netsnmp_variable_list *vb, const struct sa_var *v, int rename)
{
	oid name[SA_OID_MAX];
	long l;
	u_long u;
	struct counter64 c;

	for (size_t i = 0; i < v->len; i++)
		name[i] = (oid)v->oid[i];
	if (rename)
		snmp_set_var_objid(vb, name, v->len);
	switch (v->type) {
	case SA_T_STRING: snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->s, v->slen); break;
	case SA_T_INTEGER:
		l = (long)v->i;
		snmp_set_var_typed_value(vb, ASN_INTEGER, &l, sizeof(l));
		break;
	case SA_T_UNSIGNED:
	case SA_T_GAUGE:
		/* Unsigned32 and Gauge32 share one encoding (RFC 2578 7.1.7, 7.1.10). */
		u = (u_long)v->u;
		snmp_set_var_typed_value(vb, ASN_GAUGE, &u, sizeof(u));
		break;
	case SA_T_COUNTER64:
		c.high = (u_long)(v->u >> 32);
		c.low = (u_long)(v->u & 0xffffffffu);
		snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
		break;
	}
}

/* Answer one request of a GET or GETNEXT from the store. */
static void sa_agent_request(struct sa_agent *a, netsnmp_agent_request_info *ri,
			     netsnmp_request_info *r, int next)
{
	uint64_t name[SA_OID_MAX + 1] = {0}; /* n may be 0 */
	struct sa_var v;
	size_t n = r->requestvb->name_length;
	int rc;

	if (n > SA_OID_MAX + 1)
		n = SA_OID_MAX + 1; /* sa_mib_lookup: longer than any instance, the rest is moot */
	for (size_t i = 0; i < n; i++)
		name[i] = r->requestvb->name[i];
	rc = sa_mib_lookup(a->store, name, n, next, &v);
	if (rc == 0)
		sa_agent_set(r->requestvb, &v, next);
	else if (!next)
		netsnmp_set_request_error(
			ri, r, rc == SA_MIB_NO_INSTANCE ? SNMP_NOSUCHINSTANCE : SNMP_NOSUCHOBJECT);
	/* GETNEXT past our last object: left unanswered, the agent moves on. */
}

/* The one handler for the whole MIB root. */
/* Its type is net-snmp's Netsnmp_Node_Handler: reg cannot become const. */
/* cppcheck-suppress constParameterCallback */
static int sa_agent_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
			    netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	struct sa_agent *a = reg->my_reg_void;

	(void)h;
	for (netsnmp_request_info *r = requests; r != NULL; r = r->next) {
		if (r->processed)
			continue;
		switch (ri->mode) {
		case MODE_GET: sa_agent_request(a, ri, r, 0); break;
		case MODE_GETNEXT: sa_agent_request(a, ri, r, 1); break;
		default: netsnmp_set_request_error(ri, r, SNMP_ERR_NOTWRITABLE); break;
		}
	}
	return SNMP_ERR_NOERROR;
}

/* An SNMP fd is readable: let net-snmp read it. */
/* Let net-snmp read fd, then mirror what it wants next. */
static void sa_agent_read(struct sa_agent *a, int fd)
{
	netsnmp_large_fd_set fds;

	netsnmp_large_fd_set_init(&fds, fd + 1);
	NETSNMP_LARGE_FD_SET(fd, &fds);
	snmp_read2(&fds);
	netsnmp_large_fd_set_cleanup(&fds);
	netsnmp_check_outstanding_agent_requests();
	sa_agent_update(a);
}

/* Its type is ev_io_cb (common/base/ev.h): w cannot become const. */
/* cppcheck-suppress constParameterCallback */
static void sa_agent_on_io(struct ev_io *w, int revents, void *arg)
{
	(void)revents;
	sa_agent_read(arg, w->fd);
}

/* net-snmp's timeout or alarm is due (pings, reconnects, retransmissions). */
static void sa_agent_on_timer(struct ev_timer *t, void *arg)
{
	struct sa_agent *a = arg;

	(void)t;
	snmp_timeout();
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
	sa_agent_update(a);
}

/* Mirror net-snmp's wanted fds and timeout into our watchers. */
static void sa_agent_update(struct sa_agent *a)
{
	netsnmp_large_fd_set fds;
	struct timeval tv = {0, 0};
	int maxfd = 0, block = 1;

	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	snmp_select_info2(&maxfd, &fds, &tv, &block);
	for (int i = 0; i < a->nio; i++)
		ev_io_stop(a->loop, &a->io[i]);
	a->nio = 0;
	for (int fd = 0; fd < maxfd && a->nio < SA_AGENT_FDS; fd++)
		if (NETSNMP_LARGE_FD_ISSET(fd, &fds))
			ev_io_start(a->loop, &a->io[a->nio++], fd, EV_READ, sa_agent_on_io, a);
	netsnmp_large_fd_set_cleanup(&fds);
	ev_timer_stop(a->loop, &a->timer);
	if (!block)
		ev_timer_start(a->loop, &a->timer,
			       ev_now_us() + (int64_t)tv.tv_sec * 1000000 + tv.tv_usec,
			       sa_agent_on_timer, a);
}

/* Library settings before init_agent (see integration notes: order matters). */
static void sa_agent_settings(const struct sa_agent_opts *o)
{
	netsnmp_enable_subagent();
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, sa_agent_log, NULL);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	if (o->socket != NULL)
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
				      o->socket);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   o->ping_s > 0 ? o->ping_s : 15);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_TIMEOUT,
			   o->timeout_s > 0 ? o->timeout_s : 1);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_RETRIES,
			   o->retries >= 0 ? o->retries : 1);
	setenv("MIBS", "", 1);
}

struct sa_agent *sa_agent_new(struct ev_loop *loop, const struct sa_store *s,
			      const struct sa_agent_opts *o, char *err, size_t errlen)
{
	struct sa_agent *a = calloc(1, sizeof(*a));
	oid root[SA_OID_MAX];

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->loop = loop;
	a->store = s;
	for (int i = 0; i < SA_AGENT_FDS; i++)
		ev_io_init(&a->io[i]);
	ev_timer_init(&a->timer);
	sa_agent_settings(o);
	init_agent(SA_APP);
	/*
	 * init_agent resets the ping interval to 15 s (agentx_config_init);
	 * set it again before init_snmp, whose start-up arms the first
	 * reconnect alarm with it when the master is not there yet.
	 */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   o->ping_s > 0 ? o->ping_s : 15);
	for (size_t i = 0; i < sa_mib_root_len; i++)
		root[i] = (oid)sa_mib_root[i];
	a->reg = netsnmp_create_handler_registration("mailpath", sa_agent_handler, root,
						     sa_mib_root_len, HANDLER_CAN_RONLY);
	if (a->reg == NULL ||
	    (a->reg->my_reg_void = a, netsnmp_register_handler(a->reg)) != MIB_REGISTERED_OK) {
		snprintf(err, errlen, "cannot register the MIB handler");
		shutdown_agent();
		free(a);
		return NULL;
	}
	init_snmp(SA_APP);
	sa_agent_update(a);
	return a;
}

/*
 * Before snmp_shutdown: give a master that is stopping at the same time a
 * moment to go. snmp_shutdown closes the AgentX session from inside
 * net-snmp's shutdown callback and waits there for the master's answer; a
 * master that disconnects meanwhile makes net-snmp unregister that very
 * callback while it runs (a 100 ms stall and the assert "lock_holded < 100"
 * in _callback_lock). A disconnect read here, outside the callback, takes
 * net-snmp's ordinary path and leaves nothing for the shutdown callback to
 * close. Returns once one of net-snmp's sockets went away, or after
 * SA_SETTLE_US when the master stays.
 */
static void sa_agent_settle(struct sa_agent *a)
{
	int64_t end = ev_now_us() + SA_SETTLE_US;
	int n0 = a->nio;

	while (a->nio == n0 && a->nio > 0) {
		struct pollfd p[SA_AGENT_FDS];
		int64_t left = end - ev_now_us();
		int n = a->nio, rc;

		if (left <= 0)
			return;
		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = a->io[i].fd, .events = POLLIN};
		rc = poll(p, (nfds_t)n, (int)(left / 1000) + 1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return;
		for (int i = 0; i < n; i++)
			if (p[i].revents != 0) {
				sa_agent_read(a, p[i].fd);
				break; /* the fd set may have changed */
			}
	}
}

void sa_agent_free(struct sa_agent *a)
{
	if (a == NULL)
		return;
	sa_agent_settle(a);
	for (int i = 0; i < a->nio; i++)
		ev_io_stop(a->loop, &a->io[i]);
	ev_timer_stop(a->loop, &a->timer);
	snmp_shutdown(SA_APP);
	shutdown_agent();
	free(a);
}

void sa_agent_notify(struct sa_agent *a, const struct sa_entry *e)
{
	static const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
	static const int cols[] = {SA_COL_CHECK_NAME, SA_COL_CHECK_STATE, SA_COL_CHECK_PREV_STATE,
				   SA_COL_CHECK_CAUSE, SA_COL_CHECK_STATUS};
	netsnmp_variable_list *vars = NULL;
	oid notif[SA_OID_MAX];
	size_t n = 0;

	for (size_t i = 0; i < sa_mib_root_len; i++)
		notif[n++] = (oid)sa_mib_root[i];
	notif[n++] = SA_MIB_NOTIFY;
	notif[n++] = 1;
	snmp_varlist_add_variable(&vars, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID,
				  (u_char *)notif, n * sizeof(oid));
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		struct sa_var v;
		netsnmp_variable_list *vb;

		if (sa_mib_check_var(a->store, e, cols[i], &v) != 0)
			continue;
		vb = snmp_varlist_add_variable(&vars, NULL, 0, ASN_NULL, NULL, 0);
		if (vb != NULL)
			sa_agent_set(vb, &v, 1);
	}
	send_v2trap(vars);
	snmp_free_varbind(vars);
	sa_agent_update(a);
}
