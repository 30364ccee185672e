/*
 * dns.h - the c-ares resolver, bound to our event loop.
 *
 * One struct dns per loop, shared by every probe on it. Queries complete
 * through callbacks on the loop; nothing blocks. `servers` (e.g.
 * "127.0.0.1:5353" or "[::1]:53", comma separated) overrides resolv.conf.
 * The results are plain data in dns/dns_result.h.
 */
#ifndef MAILPATH_DNS_H
#define MAILPATH_DNS_H

#include "base/ev.h"
#include "base/net.h"
#include "dns/dns_result.h"

struct dns;

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

typedef void dns_mx_cb(const struct dns_mx_set *res, void *arg);
typedef void dns_host_cb(const struct dns_host *res, void *arg);
typedef void dns_ptr_cb(const struct dns_ptr *res, void *arg);
typedef void dns_txt_cb(const struct dns_txt *res, void *arg);

/* Look up the MX records of domain; cb runs from the loop, as for dns_addrs(). */
void dns_mx(struct dns *d, const char *domain, dns_mx_cb *cb, void *arg);
/* A and AAAA of name (family AF_UNSPEC, or only one of them); cb runs from the loop. */
void dns_host(struct dns *d, const char *name, int family, dns_host_cb *cb, void *arg);
/* PTR of address a (in-addr.arpa or ip6.arpa); cb runs from the loop. */
void dns_ptr(struct dns *d, const struct net_addr *a, dns_ptr_cb *cb, void *arg);
/* TXT records of name (SPF, DMARC, DKIM, TLS-RPT, MTA-STS, DNSBL reasons); cb runs from the loop. */
void dns_txt(struct dns *d, const char *name, dns_txt_cb *cb, void *arg);

#endif
