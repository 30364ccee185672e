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
 * SERVFAIL and REFUSED answers are reported as ARES_ESERVFAIL/ARES_EREFUSED
 * (ARES_FLAG_NOCHECKRESP) rather than retried at the next server, so a
 * check can tell a broken zone from an unreachable resolver.
 *
 * Raw queries (MX, A/AAAA, PTR) go through dns_wire.c, the one seam over
 * the c-ares query APIs (ares_query_dnsrec on c-ares >= 1.28, ares_query
 * and its parsers before), so this file builds warning-free on both.
 *
 * Ownership: struct dns owns the channel, one struct dns_sock per c-ares
 * socket and one struct dns_query per undelivered lookup.
 */
#include "dns/dns.h"

#include <ares.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/dns_wire.h"

#define DNS_TIMEOUT_MS 1000
#define DNS_TRIES 2
#define DNS_RETRY_US 10000 /* after a failed timer start (out of memory) */

struct dns_sock {
	struct dns *d;
	int fd;
	struct ev_io io;
};

enum dns_kind { DNS_Q_ADDRS, DNS_Q_MX, DNS_Q_HOST, DNS_Q_PTR, DNS_Q_TXT };

/* The outcome of one lookup, by kind. */
union dns_res {
	struct dns_addrs addrs;
	struct dns_mx_set mx;
	struct dns_host host;
	struct dns_ptr ptr;
	struct dns_txt txt;
};

/* The caller's callback, by kind. */
union dns_cb {
	dns_addrs_cb *addrs;
	dns_mx_cb *mx;
	dns_host_cb *host;
	dns_ptr_cb *ptr;
	dns_txt_cb *txt;
};

struct dns_query {
	struct dns *d;
	struct dns_query *prev, *next;
	enum dns_kind kind;
	union dns_cb cb;
	void *arg;
	int ready;   /* res holds the outcome; deliver when the timer fires */
	int pending; /* c-ares queries still outstanding (A and AAAA for a host) */
	struct ev_timer deliver;
	struct dns_wire_req wire[2]; /* the raw queries in flight (A and AAAA for a host) */
	union dns_res res;
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
		void *p = realloc((void *)d->socks, (size_t)cap * sizeof(*d->socks));

		if (p == NULL)
			return NULL;
		d->socks = (struct dns_sock **)p;
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

/* Free what a result holds (the MX or TXT records); res stays valid and empty. */
static void dns_res_release(enum dns_kind kind, union dns_res *res)
{
	if (kind == DNS_Q_MX) {
		free((void *)res->mx.mx);
		res->mx.mx = NULL;
		res->mx.n = 0;
	} else if (kind == DNS_Q_TXT) {
		for (int i = 0; i < res->txt.n; i++)
			free(res->txt.rr[i].text);
		free((void *)res->txt.rr);
		res->txt.rr = NULL;
		res->txt.n = 0;
	}
}

/* Run the caller's callback of the kind of query with result res, then release res. */
static void dns_call(enum dns_kind kind, union dns_cb cb, union dns_res *res, void *arg)
{
	switch (kind) {
	case DNS_Q_ADDRS: cb.addrs(&res->addrs, arg); break;
	case DNS_Q_MX: cb.mx(&res->mx, arg); break;
	case DNS_Q_HOST: cb.host(&res->host, arg); break;
	case DNS_Q_PTR: cb.ptr(&res->ptr, arg); break;
	case DNS_Q_TXT: cb.txt(&res->txt, arg); break;
	}
	dns_res_release(kind, res);
}

/* Set the status of a result of any kind (every kind starts with int status). */
static void dns_res_status(enum dns_kind kind, union dns_res *res, int status)
{
	switch (kind) {
	case DNS_Q_ADDRS: res->addrs.status = status; break;
	case DNS_Q_MX: res->mx.status = status; break;
	case DNS_Q_HOST: res->host.status = status; break;
	case DNS_Q_PTR: res->ptr.status = status; break;
	case DNS_Q_TXT: res->txt.status = status; break;
	}
}

/* Delivery timer: hand the result to the caller; touches nothing of ours afterwards. */
static void dns_on_deliver(struct ev_timer *t, void *arg)
{
	struct dns_query *q = arg;
	enum dns_kind kind = q->kind;
	union dns_cb cb = q->cb;
	void *cbarg = q->arg;
	union dns_res *res = malloc(sizeof(*res));

	(void)t;
	dns_query_unlink(q->d, q);
	if (res == NULL) {
		/* Out of memory: deliver in place; q is freed right after. */
		dns_call(kind, cb, &q->res, cbarg);
		free(q);
		return;
	}
	*res = q->res;
	free(q);
	dns_call(kind, cb, res, cbarg);
	free(res);
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
	struct timeval tv;
	const struct timeval *tvp;
	int64_t when;

	if (dns_schedule(d) != 0) {
		when = ev_now_us() + DNS_RETRY_US;
	} else if (d->ch != NULL && (tvp = ares_timeout(d->ch, NULL, &tv)) != NULL) {
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
	q->res.addrs.status = status;
	dns_fill(&q->res.addrs, ai);
	if (status == ARES_SUCCESS && q->res.addrs.n == 0)
		q->res.addrs.status = ARES_ENODATA;
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
/*
 * The c-ares channel, made on first use: a probe of an IP literal never
 * needs one, and making it (resolv.conf, hosts) is most of a plain probe's
 * own work.
 */
static int dns_channel(struct dns *d)
{
	struct ares_options opt;
	int rc;

	if (d->ch != NULL)
		return ARES_SUCCESS;
	if ((rc = dns_library_init()) != ARES_SUCCESS)
		return rc;
	memset(&opt, 0, sizeof(opt));
	opt.timeout = DNS_TIMEOUT_MS;
	opt.tries = DNS_TRIES;
	/* Hand SERVFAIL and REFUSED to the caller as such instead of ECONNREFUSED. */
	opt.flags = ARES_FLAG_NOCHECKRESP;
	opt.sock_state_cb = dns_sock_state;
	opt.sock_state_cb_data = d;
	rc = ares_init_options(&d->ch, &opt,
			       ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
				       ARES_OPT_FLAGS);
	if (rc != ARES_SUCCESS)
		d->ch = NULL;
	return rc;
}

struct dns *dns_new(struct ev_loop *loop, const char *servers, char *err, size_t errlen)
{
	struct dns *d = calloc(1, sizeof(*d));
	int rc = ARES_ENOMEM;

	if (d == NULL)
		goto fail;
	d->loop = loop;
	ev_timer_init(&d->tmo);
	/* An explicit server list is checked now, so that a bad --resolver is a usage error. */
	if (servers != NULL && ((rc = dns_channel(d)) != ARES_SUCCESS ||
				(rc = ares_set_servers_ports_csv(d->ch, servers)) != ARES_SUCCESS))
		goto fail;
	return d;
fail:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "resolver%s%s: %s", servers ? " " : "",
			 servers ? servers : "", ares_strerror(rc));
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
	free((void *)d->socks);
	q = d->queries;
	for (struct dns_query *p = q; p != NULL; p = p->next)
		ev_timer_stop(d->loop, &p->deliver);
	free(d);
	for (; q != NULL; q = next) {
		next = q->next;
		dns_res_release(q->kind, &q->res);
		memset(&q->res, 0, sizeof(q->res));
		dns_res_status(q->kind, &q->res, ARES_ECANCELLED);
		dns_call(q->kind, q->cb, &q->res, q->arg);
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
		q->res.addrs.status = ARES_ENOTFOUND;
		return 1;
	}
	q->res.addrs.status = ARES_SUCCESS;
	q->res.addrs.n = 1;
	q->res.addrs.addr[0] = a;
	return 1;
}

/* A new query record linked into d; on out of memory, cb runs at once with ENOMEM. */
static struct dns_query *dns_query_new(struct dns *d, enum dns_kind kind, union dns_cb cb,
				       void *arg)
{
	struct dns_query *q = calloc(1, sizeof(*q));

	if (q == NULL) {
		/* The only synchronous completion: nothing to schedule it with. */
		union dns_res *res = calloc(1, sizeof(*res));

		if (res != NULL) {
			dns_res_status(kind, res, ARES_ENOMEM);
			dns_call(kind, cb, res, arg);
			free(res);
		}
		return NULL;
	}
	q->d = d;
	q->kind = kind;
	q->cb = cb;
	q->arg = arg;
	ev_timer_init(&q->deliver);
	q->next = d->queries;
	if (d->queries != NULL)
		d->queries->prev = q;
	d->queries = q;
	return q;
}

/* Mark q complete with status (no query sent) and schedule its delivery. */
static void dns_query_done(struct dns_query *q, int status)
{
	dns_res_status(q->kind, &q->res, status);
	q->ready = 1;
	if (q->deliver.slot < 0)
		q->d->unscheduled++;
	dns_rearm(q->d);
}

/* Start resolving name; the result always arrives through cb from the loop. */
void dns_addrs(struct dns *d, const char *name, int family, dns_addrs_cb *cb, void *arg)
{
	struct ares_addrinfo_hints hints;
	struct dns_query *q = dns_query_new(d, DNS_Q_ADDRS, (union dns_cb){.addrs = cb}, arg);
	int rc;

	if (q == NULL)
		return;
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
		q->res.addrs.status = ARES_EBADFAMILY;
		q->ready = 1;
	} else if (name == NULL || name[0] == '\0') {
		q->res.addrs.status = ARES_EBADNAME;
		q->ready = 1;
	} else if (dns_literal(q, name, family)) {
		q->ready = 1;
	} else if ((rc = dns_channel(d)) != ARES_SUCCESS) {
		q->res.addrs.status = rc;
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

/* ---- raw queries: MX, A + AAAA, PTR (RFC 1035 §3.3, RFC 3596, RFC 1035 §3.5) ---- */

void dns_name_copy(char *dst, const char *src)
{
	size_t n = strnlen(src, DNS_NAME_MAX - 1);

	if (n > 0 && src[n - 1] == '.')
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* 1 when two DNS names are equal ignoring ASCII case and one trailing dot. */
int dns_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* One c-ares query finished: the record is ready when no other is outstanding. */
static void dns_sub_done(struct dns_query *q)
{
	if (--q->pending > 0)
		return;
	q->ready = 1;
	q->d->unscheduled++;
}

/* Wire callback of an MX query: parse and store. */
static void dns_on_mx(void *arg, int status, const struct dns_answer *ans)
{
	struct dns_query *q = arg;

	if (status == ARES_SUCCESS)
		status = dns_wire_mx(ans, &q->res.mx);
	if (status == ARES_SUCCESS && q->res.mx.n == 0)
		status = ARES_ENODATA; /* e.g. only a CNAME in the answer */
	q->res.mx.status = status;
	dns_sub_done(q);
}

/* Start the lookup of the MX records of domain. */
void dns_mx(struct dns *d, const char *domain, dns_mx_cb *cb, void *arg)
{
	struct dns_query *q = dns_query_new(d, DNS_Q_MX, (union dns_cb){.mx = cb}, arg);
	int rc;

	if (q == NULL)
		return;
	if (domain == NULL || domain[0] == '\0' || strlen(domain) >= DNS_NAME_MAX) {
		dns_query_done(q, ARES_EBADNAME);
		return;
	}
	if ((rc = dns_channel(d)) != ARES_SUCCESS) {
		dns_query_done(q, rc);
		return;
	}
	q->pending = 1;
	dns_wire_query(d->ch, domain, DNS_WIRE_MX, &q->wire[0], dns_on_mx, q);
	dns_rearm(d);
}

/* Wire callback of a TXT query: parse and store. */
static void dns_on_txt(void *arg, int status, const struct dns_answer *ans)
{
	struct dns_query *q = arg;

	if (status == ARES_SUCCESS)
		status = dns_wire_txt(ans, &q->res.txt);
	if (status == ARES_SUCCESS && q->res.txt.n == 0)
		status = ARES_ENODATA; /* e.g. only a CNAME in the answer */
	q->res.txt.status = status;
	dns_sub_done(q);
}

/* Start the lookup of the TXT records of name. */
void dns_txt(struct dns *d, const char *name, dns_txt_cb *cb, void *arg)
{
	struct dns_query *q = dns_query_new(d, DNS_Q_TXT, (union dns_cb){.txt = cb}, arg);
	int rc;

	if (q == NULL)
		return;
	if (name == NULL || name[0] == '\0' || strlen(name) >= DNS_NAME_MAX) {
		dns_query_done(q, ARES_EBADNAME);
		return;
	}
	if ((rc = dns_channel(d)) != ARES_SUCCESS) {
		dns_query_done(q, rc);
		return;
	}
	q->pending = 1;
	dns_wire_query(d->ch, name, DNS_WIRE_TXT, &q->wire[0], dns_on_txt, q);
	dns_rearm(d);
}

/* 1 for a status that means "the server gave no usable answer" (not NXDOMAIN or NODATA). */
static int dns_is_failure(int status)
{
	return status != ARES_SUCCESS && status != ARES_ENOTFOUND && status != ARES_ENODATA &&
	       status != -1;
}

/* Combine the per-family statuses of a host lookup (see struct dns_host). */
static int dns_host_status(const struct dns_host *h)
{
	if (h->n > 0)
		return ARES_SUCCESS;
	if (dns_is_failure(h->status4))
		return h->status4;
	if (dns_is_failure(h->status6))
		return h->status6;
	if (h->status4 == ARES_ENOTFOUND || h->status6 == ARES_ENOTFOUND)
		return ARES_ENOTFOUND;
	return ARES_ENODATA;
}

/* Wire callback shared by the A and AAAA queries of a host lookup. */
static void dns_on_host(struct dns_query *q, int af, int status, const struct dns_answer *ans)
{
	struct dns_host *h = &q->res.host;

	if (status == ARES_SUCCESS)
		status = dns_wire_host(ans, af, h);
	if (af == AF_INET)
		h->status4 = status;
	else
		h->status6 = status;
	h->status = dns_host_status(h);
	dns_sub_done(q);
}

/* Wire callback of the A query of a host lookup. */
static void dns_on_a(void *arg, int status, const struct dns_answer *ans)
{
	dns_on_host(arg, AF_INET, status, ans);
}

/* Wire callback of the AAAA query of a host lookup. */
static void dns_on_aaaa(void *arg, int status, const struct dns_answer *ans)
{
	dns_on_host(arg, AF_INET6, status, ans);
}

/* Start the A and AAAA queries of name (only one of them with AF_INET / AF_INET6). */
void dns_host(struct dns *d, const char *name, int family, dns_host_cb *cb, void *arg)
{
	struct dns_query *q = dns_query_new(d, DNS_Q_HOST, (union dns_cb){.host = cb}, arg);
	int rc;

	if (q == NULL)
		return;
	q->res.host.status4 = q->res.host.status6 = -1;
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
		dns_query_done(q, ARES_EBADFAMILY);
		return;
	}
	if (name == NULL || name[0] == '\0' || strlen(name) >= DNS_NAME_MAX) {
		dns_query_done(q, ARES_EBADNAME);
		return;
	}
	if ((rc = dns_channel(d)) != ARES_SUCCESS) {
		dns_query_done(q, rc);
		return;
	}
	q->res.host.status = ARES_ENODATA;
	/* Count both before sending either: a query may complete synchronously. */
	q->pending = family == AF_UNSPEC ? 2 : 1;
	if (family != AF_INET6)
		dns_wire_query(d->ch, name, DNS_WIRE_A, &q->wire[0], dns_on_a, q);
	if (family != AF_INET)
		dns_wire_query(d->ch, name, DNS_WIRE_AAAA, &q->wire[1], dns_on_aaaa, q);
	dns_rearm(d);
}

/* The reverse-lookup name of a into dst; 0, or -1 when it does not fit or a is no address. */
int dns_reverse_name(const struct net_addr *a, char *dst, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (a->ss.ss_family == AF_INET) {
		const unsigned char *b =
			(const unsigned char *)&((const struct sockaddr_in *)&a->ss)->sin_addr;
		int w = snprintf(dst, len, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);

		return w < 0 || (size_t)w >= len ? -1 : 0;
	}
	if (a->ss.ss_family != AF_INET6 || len < (size_t)16 * 4 + sizeof("ip6.arpa"))
		return -1;
	for (int i = 15; i >= 0; i--) {
		unsigned char c = ((const struct sockaddr_in6 *)&a->ss)->sin6_addr.s6_addr[i];

		dst[n++] = hex[c & 15];
		dst[n++] = '.';
		dst[n++] = hex[c >> 4];
		dst[n++] = '.';
	}
	memcpy(dst + n, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

/* Wire callback of a PTR query: parse and store the names. */
static void dns_on_ptr(void *arg, int status, const struct dns_answer *ans)
{
	struct dns_query *q = arg;

	if (status == ARES_SUCCESS)
		status = dns_wire_ptr(ans, &q->res.ptr);
	if (status == ARES_SUCCESS && q->res.ptr.n == 0)
		status = ARES_ENODATA;
	q->res.ptr.status = status;
	dns_sub_done(q);
}

/* Start the PTR lookup of address a. */
void dns_ptr(struct dns *d, const struct net_addr *a, dns_ptr_cb *cb, void *arg)
{
	struct dns_query *q = dns_query_new(d, DNS_Q_PTR, (union dns_cb){.ptr = cb}, arg);
	char name[DNS_NAME_MAX];
	int rc;

	if (q == NULL)
		return;
	if (a == NULL || dns_reverse_name(a, name, sizeof(name)) != 0) {
		dns_query_done(q, ARES_EBADFAMILY);
		return;
	}
	if ((rc = dns_channel(d)) != ARES_SUCCESS) {
		dns_query_done(q, rc);
		return;
	}
	q->pending = 1;
	dns_wire_query(d->ch, name, DNS_WIRE_PTR, &q->wire[0], dns_on_ptr, q);
	dns_rearm(d);
}
