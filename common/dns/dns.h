/*
 * dns.h - the c-ares resolver, bound to our event loop.
 *
 * One struct dns per loop, shared by every probe on it. Queries complete
 * through callbacks on the loop; nothing blocks. `servers` (e.g.
 * "127.0.0.1:5353" or "[::1]:53", comma separated) overrides resolv.conf.
 */
#ifndef MAILPATH_DNS_H
#define MAILPATH_DNS_H

#include "base/ev.h"
#include "base/net.h"

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
#define DNS_NAME_MAX 256
#define DNS_MAX_PTR 4

/* One MX record; name is "" for the root (a null MX, RFC 7505). */
struct dns_mx_rr {
	int pref;
	char name[DNS_NAME_MAX];
};

/*
 * Result of an MX lookup: ARES_SUCCESS with records, ARES_ENOTFOUND for
 * NXDOMAIN, ARES_ENODATA when the name exists without MX (NODATA), or a
 * failure (ARES_ESERVFAIL, ARES_ETIMEOUT, ARES_EREFUSED, ...). Every record
 * of the answer, in answer order (no cut: the answer's size bounds them);
 * mx belongs to the resolver and is valid only during the callback.
 */
struct dns_mx_set {
	int status;
	int n;
	const struct dns_mx_rr *mx; /* n records */
};

/*
 * Result of an A + AAAA lookup (two queries in parallel, no search list,
 * no hosts file): status is ARES_SUCCESS when any address was found, else
 * a failure of either query, else ARES_ENOTFOUND if either said NXDOMAIN,
 * else ARES_ENODATA. cname is set when an answer came through a CNAME
 * (RFC 2181 §10.3 forbids that for an MX target); canon is then its target.
 */
struct dns_host {
	int status;
	int status4, status6; /* per query; -1 when that family was not asked */
	int cname;
	char canon[DNS_NAME_MAX];
	int n;
	struct net_addr addr[DNS_MAX_ADDRS];
};

/* Result of a PTR lookup: the names, ARES_ENOTFOUND/ARES_ENODATA when none. */
struct dns_ptr {
	int status;
	int n;
	char name[DNS_MAX_PTR][DNS_NAME_MAX];
};

typedef void dns_mx_cb(const struct dns_mx_set *res, void *arg);
typedef void dns_host_cb(const struct dns_host *res, void *arg);
typedef void dns_ptr_cb(const struct dns_ptr *res, void *arg);

/* Look up the MX records of domain; cb runs from the loop, as for dns_addrs(). */
void dns_mx(struct dns *d, const char *domain, dns_mx_cb *cb, void *arg);
/* A and AAAA of name (family AF_UNSPEC, or only one of them); cb runs from the loop. */
void dns_host(struct dns *d, const char *name, int family, dns_host_cb *cb, void *arg);
/* PTR of address a (in-addr.arpa or ip6.arpa); cb runs from the loop. */
void dns_ptr(struct dns *d, const struct net_addr *a, dns_ptr_cb *cb, void *arg);
/* The reverse-lookup name of a into dst; 0, or -1 when it does not fit or a is no address. */
int dns_reverse_name(const struct net_addr *a, char *dst, size_t len);
/* Copy a domain name into dst (DNS_NAME_MAX bytes), without one trailing dot. */
void dns_name_copy(char *dst, const char *src);
/* 1 when two DNS names are equal ignoring ASCII case and one trailing dot. */
int dns_name_eq(const char *a, const char *b);

/* Text for an ARES_* status. */
const char *dns_strerror(int status);

#endif
