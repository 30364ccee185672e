/*
 * dns_wire.h - one class-IN query and the parse of its answer, behind one
 * seam over the two c-ares query APIs (internal to common/dns/).
 *
 * c-ares 1.28 and later: ares_query_dnsrec() and the ares_dns_record reader
 * (ares_query and ares_parse_*_reply are deprecated there); older c-ares
 * (Debian 12 ships 1.18): ares_query() and ares_parse_*_reply(). dns.c sees
 * only this interface, whichever is compiled in (dns_wire_api() says which).
 */
#ifndef MAILPATH_DNS_WIRE_H
#define MAILPATH_DNS_WIRE_H

#include <ares.h>

#include "dns/dns.h"

/* The record types we ask for (RFC 1035 §3.2.2, RFC 3596 §2.1). */
enum dns_wire_type {
	DNS_WIRE_A = 1,
	DNS_WIRE_PTR = 12,
	DNS_WIRE_MX = 15,
	DNS_WIRE_TXT = 16,
	DNS_WIRE_AAAA = 28,
};

/* The parsed reply of one query, valid only during the callback. */
struct dns_answer;

/*
 * Completion of one query: status is an ARES_* code with rcode and answer
 * count folded in (ARES_ENOTFOUND for NXDOMAIN, ARES_ENODATA for no answer,
 * ARES_ESERVFAIL, ...); ans is NULL unless status is ARES_SUCCESS.
 */
typedef void dns_wire_cb(void *arg, int status, const struct dns_answer *ans);

/* One outstanding query, owned by the caller until its callback ran. */
struct dns_wire_req {
	dns_wire_cb *cb;
	void *arg;
	int called; /* set before cb runs */
};

/*
 * Send the class-IN query of type for name on ch; cb(arg, ...) runs exactly
 * once, from c-ares (possibly before this returns) or from here on failure.
 */
void dns_wire_query(ares_channel ch, const char *name, enum dns_wire_type type,
		    struct dns_wire_req *req, dns_wire_cb *cb, void *arg);
/* Append every MX record of ans to res (res->mx grows; the resolver frees it); an ARES_* status. */
int dns_wire_mx(const struct dns_answer *ans, struct dns_mx_set *res);
/*
 * Append the addresses of family af in ans to res, following the CNAME
 * chain from the question name; sets res->cname and res->canon when the
 * name was an alias (RFC 2181 §10.1.1). An ARES_* status.
 */
int dns_wire_host(const struct dns_answer *ans, int af, struct dns_host *res);
/* Add the PTR names in ans to res, each once, through any CNAME (RFC 2317); an ARES_* status. */
int dns_wire_ptr(const struct dns_answer *ans, struct dns_ptr *res);
/* Append every TXT record of ans to res (res->rr grows; the resolver frees it); an ARES_* status. */
int dns_wire_txt(const struct dns_answer *ans, struct dns_txt *res);
/* "dnsrec" or "legacy": which c-ares API this build uses (tests, -vvv traces). */
const char *dns_wire_api(void);

#endif
