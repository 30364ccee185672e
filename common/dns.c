/*
 * dns.c - a c-ares channel driven by our event loop.
 *
 * c-ares tells us which sockets it wants watched through its socket-state
 * callback; each becomes an ev_io that calls ares_process_fd(). One timer,
 * re-armed from ares_timeout() after every activity, drives retries and
 * timeouts. Results are never handed to the caller from inside c-ares or
 * inside dns_addrs(): every query owns a 0-delay delivery timer, so the
 * user callback always runs from the loop, as the last thing we do, and
 * may freely start queries or call dns_free().
 *
 * Ownership: struct dns owns the channel, one struct dns_sock per c-ares
 * socket and one struct dns_query per undelivered lookup.
 */
#include "dns.h"

#include <ares.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNS_TIMEOUT_MS 1000
#define DNS_TRIES 2
#define DNS_RETRY_US 10000 /* after a failed timer start (out of memory) */

struct dns_sock {
	struct dns *d;
	int fd;
	struct ev_io io;
};

struct dns_query {
	struct dns *d;
	struct dns_query *prev, *next;
	dns_addrs_cb *cb;
	void *arg;
	int ready; /* res holds the outcome; deliver when the timer fires */
	struct ev_timer deliver;
	struct dns_addrs res;
};

struct dns {
	struct ev_loop *loop;
	ares_channel ch;
	struct ev_timer tmo;
	struct dns_sock **socks;
	int nsocks, capsocks;
	struct dns_query *queries; /* every undelivered query */
	int unscheduled;           /* ready queries whose delivery timer is not armed */
};

static int dns_lib_ready;

/* Index of the watched socket fd, or -1. */
static int dns_sock_find(const struct dns *d, int fd)
{
	for (int i = 0; i < d->nsocks; i++)
		if (d->socks[i]->fd == fd)
			return i;
	return -1;
}

/* Unwatch and free socket i, keeping the array dense. */
static void dns_sock_drop(struct dns *d, int i)
{
	struct dns_sock *s = d->socks[i];

	ev_io_stop(d->loop, &s->io);
	free(s);
	d->socks[i] = d->socks[--d->nsocks];
}

static void dns_rearm(struct dns *d);

/* A c-ares socket is ready: let c-ares read/write it, then re-arm the timer. */
static void dns_on_io(struct ev_io *w, int revents, void *arg)
{
	struct dns_sock *s = arg;
	struct dns *d = s->d;
	int fd = w->fd;

	/* s may be freed inside ares_process_fd (socket closed); use only d and fd after. */
	ares_process_fd(d->ch, (revents & EV_READ) ? fd : ARES_SOCKET_BAD,
			(revents & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	dns_rearm(d);
}

/* Return a new watched socket record for fd, or NULL when out of memory. */
static struct dns_sock *dns_sock_add(struct dns *d, int fd)
{
	struct dns_sock *s;

	if (d->nsocks == d->capsocks) {
		int cap = d->capsocks ? d->capsocks * 2 : 4;
		/* An array of pointers: sizeof one pointer is meant. */
		/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
		void *p = realloc(d->socks, (size_t)cap * sizeof(*d->socks));

		if (p == NULL)
			return NULL;
		d->socks = p;
		d->capsocks = cap;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->d = d;
	s->fd = fd;
	ev_io_init(&s->io);
	d->socks[d->nsocks++] = s;
	return s;
}

/* c-ares socket-state callback: watch fd for what c-ares wants, or forget it. */
static void dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = data;
	int i = dns_sock_find(d, fd);
	struct dns_sock *s;
	int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	if (events == 0) {
		if (i >= 0)
			dns_sock_drop(d, i);
		return;
	}
	s = i >= 0 ? d->socks[i] : dns_sock_add(d, fd);
	/* Out of memory: the query on this socket will time out. */
	if (s != NULL && ev_io_start(d->loop, &s->io, fd, events, dns_on_io, s) != 0)
		dns_sock_drop(d, dns_sock_find(d, fd));
}

/* The c-ares timer: process timeouts and retries, then re-arm. */
static void dns_on_timeout(struct ev_timer *t, void *arg)
{
	struct dns *d = arg;

	(void)t;
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_rearm(d);
}

/* Unlink q from the list of undelivered queries. */
static void dns_query_unlink(struct dns *d, struct dns_query *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		d->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

/* Delivery timer: hand the result to the caller; touches nothing of ours afterwards. */
static void dns_on_deliver(struct ev_timer *t, void *arg)
{
	struct dns_query *q = arg;
	dns_addrs_cb *cb = q->cb;
	void *cbarg = q->arg;
	struct dns_addrs res = q->res;

	(void)t;
	dns_query_unlink(q->d, q);
	free(q);
	cb(&res, cbarg);
}

/* Arm the delivery timer of every ready query that has none; 0 or -1 if one failed. */
static int dns_schedule(struct dns *d)
{
	int64_t now = ev_now_us();
	int failed = 0;

	if (d->unscheduled == 0)
		return 0;
	d->unscheduled = 0;
	for (struct dns_query *q = d->queries; q != NULL; q = q->next) {
		if (!q->ready || q->deliver.slot >= 0)
			continue;
		if (ev_timer_start(d->loop, &q->deliver, now, dns_on_deliver, q) != 0) {
			d->unscheduled++;
			failed = -1;
		}
	}
	return failed;
}

/* After any activity: schedule deliveries and set the timer from ares_timeout(). */
static void dns_rearm(struct dns *d)
{
	struct timeval tv, *tvp;
	int64_t when;

	if (dns_schedule(d) != 0) {
		when = ev_now_us() + DNS_RETRY_US;
	} else if ((tvp = ares_timeout(d->ch, NULL, &tv)) != NULL) {
		when = ev_now_us() + (int64_t)tvp->tv_sec * 1000000 + tvp->tv_usec;
	} else {
		ev_timer_stop(d->loop, &d->tmo);
		return;
	}
	/* Failure here is out of memory: the caller's deadline still bounds the probe. */
	(void)ev_timer_start(d->loop, &d->tmo, when, dns_on_timeout, d);
}

/* Copy the addresses of ai into res (at most DNS_MAX_ADDRS). */
static void dns_fill(struct dns_addrs *res, const struct ares_addrinfo *ai)
{
	res->n = 0;
	if (ai == NULL)
		return;
	for (const struct ares_addrinfo_node *n = ai->nodes; n != NULL; n = n->ai_next) {
		struct net_addr *a = &res->addr[res->n];

		if (res->n == DNS_MAX_ADDRS)
			break;
		if (n->ai_addr == NULL || n->ai_addrlen > sizeof(a->ss) ||
		    (n->ai_family != AF_INET && n->ai_family != AF_INET6))
			continue;
		memset(a, 0, sizeof(*a));
		memcpy(&a->ss, n->ai_addr, n->ai_addrlen);
		a->len = n->ai_addrlen;
		res->n++;
	}
}

/* c-ares getaddrinfo callback: store the outcome; delivery happens from the loop. */
static void dns_on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct dns_query *q = arg;

	(void)timeouts;
	q->res.status = status;
	dns_fill(&q->res, ai);
	if (status == ARES_SUCCESS && q->res.n == 0)
		q->res.status = ARES_ENODATA;
	ares_freeaddrinfo(ai);
	q->ready = 1;
	q->d->unscheduled++;
}

/* Initialise c-ares once per process; 0 or an ARES_* status. */
static int dns_library_init(void)
{
	int rc;

	if (dns_lib_ready)
		return ARES_SUCCESS;
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) == ARES_SUCCESS)
		dns_lib_ready = 1;
	return rc;
}

/* Create a resolver on loop; NULL with a message in err on failure. */
struct dns *dns_new(struct ev_loop *loop, const char *servers, char *err, size_t errlen)
{
	struct ares_options opt;
	struct dns *d = NULL;
	int rc;

	if ((rc = dns_library_init()) != ARES_SUCCESS)
		goto fail;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		rc = ARES_ENOMEM;
		goto fail;
	}
	d->loop = loop;
	ev_timer_init(&d->tmo);
	memset(&opt, 0, sizeof(opt));
	opt.timeout = DNS_TIMEOUT_MS;
	opt.tries = DNS_TRIES;
	opt.sock_state_cb = dns_sock_state;
	opt.sock_state_cb_data = d;
	rc = ares_init_options(&d->ch, &opt,
			       ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB);
	if (rc != ARES_SUCCESS) {
		free(d);
		d = NULL;
		goto fail;
	}
	if (servers != NULL && (rc = ares_set_servers_ports_csv(d->ch, servers)) != ARES_SUCCESS)
		goto fail;
	return d;
fail:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "resolver%s%s: %s", servers ? " " : "", servers ? servers : "",
			 ares_strerror(rc));
	dns_free(d);
	return NULL;
}

/* Cancel everything, free the resolver, then run the outstanding callbacks with ECANCELLED. */
void dns_free(struct dns *d)
{
	struct dns_query *q, *next;

	if (d == NULL)
		return;
	ev_timer_stop(d->loop, &d->tmo);
	if (d->ch != NULL) {
		ares_cancel(d->ch);
		ares_destroy(d->ch);
	}
	while (d->nsocks > 0)
		dns_sock_drop(d, d->nsocks - 1);
	free(d->socks);
	q = d->queries;
	for (struct dns_query *p = q; p != NULL; p = p->next)
		ev_timer_stop(d->loop, &p->deliver);
	free(d);
	for (; q != NULL; q = next) {
		struct dns_addrs res = {.status = ARES_ECANCELLED, .n = 0};

		next = q->next;
		q->cb(&res, q->arg);
		free(q);
	}
}

/* Complete q with the literal address in name when it is one; 1 if so, else 0. */
static int dns_literal(struct dns_query *q, const char *name, int family)
{
	struct net_addr a;

	if (net_addr_parse(name, 0, &a) != 0)
		return 0;
	if (family != AF_UNSPEC && family != a.ss.ss_family) {
		q->res.status = ARES_ENOTFOUND;
		return 1;
	}
	q->res.status = ARES_SUCCESS;
	q->res.n = 1;
	q->res.addr[0] = a;
	return 1;
}

/* Start resolving name; the result always arrives through cb from the loop. */
void dns_addrs(struct dns *d, const char *name, int family, dns_addrs_cb *cb, void *arg)
{
	struct ares_addrinfo_hints hints;
	struct dns_query *q = calloc(1, sizeof(*q));

	if (q == NULL) {
		/* The only synchronous completion: nothing to schedule it with. */
		struct dns_addrs res = {.status = ARES_ENOMEM, .n = 0};

		cb(&res, arg);
		return;
	}
	q->d = d;
	q->cb = cb;
	q->arg = arg;
	ev_timer_init(&q->deliver);
	q->next = d->queries;
	if (d->queries != NULL)
		d->queries->prev = q;
	d->queries = q;
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
		q->res.status = ARES_EBADFAMILY;
		q->ready = 1;
	} else if (name == NULL || name[0] == '\0') {
		q->res.status = ARES_EBADNAME;
		q->ready = 1;
	} else if (dns_literal(q, name, family)) {
		q->ready = 1;
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_flags = ARES_AI_NOSORT;
		hints.ai_family = family;
		hints.ai_socktype = SOCK_STREAM;
		/* May complete at once (hosts file, bad name): dns_on_addrinfo only stores. */
		ares_getaddrinfo(d->ch, name, NULL, &hints, dns_on_addrinfo, q);
	}
	if (q->ready && q->deliver.slot < 0)
		d->unscheduled++; /* at least one; dns_schedule() walks the whole list */
	dns_rearm(d);
}

/* Text for an ARES_* status. */
const char *dns_strerror(int status)
{
	return ares_strerror(status);
}
