/*
 * dns.h - the c-ares resolver, bound to our event loop.
 *
 * One struct dns per loop, shared by every probe on it. Queries complete
 * through callbacks on the loop; nothing blocks. `servers` (e.g.
 * "127.0.0.1:5353" or "[::1]:53", comma separated) overrides resolv.conf.
 */
#ifndef MAILPATH_DNS_H
#define MAILPATH_DNS_H

#include "ev.h"
#include "net.h"

struct dns;

#define DNS_MAX_ADDRS 16

/* Result of an address lookup. status is an ARES_* code (0 = ARES_SUCCESS). */
struct dns_addrs {
	int status;
	int n;
	struct net_addr addr[DNS_MAX_ADDRS];
};

typedef void dns_addrs_cb(const struct dns_addrs *res, void *arg);

/* Create the resolver; on failure returns NULL and writes a message into err. */
struct dns *dns_new(struct ev_loop *loop, const char *servers, char *err, size_t errlen);
/*
 * Cancel outstanding queries and free. Accepts NULL. Every query not yet
 * delivered has its callback run with ARES_ECANCELLED from inside dns_free(),
 * after the resolver is gone: those callbacks must not use d.
 */
void dns_free(struct dns *d);
/*
 * Resolve name to addresses. family is AF_UNSPEC, AF_INET or AF_INET6.
 * A numeric literal completes without a query (still via the callback).
 * cb never runs inside dns_addrs() (except with ARES_ENOMEM when even the
 * query record cannot be allocated): it runs from the loop and may start
 * new queries or call dns_free().
 */
void dns_addrs(struct dns *d, const char *name, int family, dns_addrs_cb *cb, void *arg);
/* Text for an ARES_* status. */
const char *dns_strerror(int status);

#endif
