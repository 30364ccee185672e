/*
 * dns_result.h - what a lookup answers, as plain data (no c-ares, no loop),
 * so that sans-I/O code that judges answers (mx/mx.c) includes only this.
 * Status codes are ARES_* values (0 = ARES_SUCCESS).
 */
#ifndef MAILPATH_DNS_RESULT_H
#define MAILPATH_DNS_RESULT_H

#include <stddef.h>
#include "base/net_addr.h"

#define DNS_MAX_ADDRS 16

/* Result of an address lookup. status is an ARES_* code (0 = ARES_SUCCESS). */
struct dns_addrs {
	int status;
	int n;
	struct net_addr addr[DNS_MAX_ADDRS];
};

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

/*
 * One TXT record: its character-strings joined without separator (RFC 7208
 * §3.3, RFC 6376 §3.6.2.2, RFC 9989 follow this), NUL-terminated; len counts
 * the bytes without the NUL (the text may itself hold NUL bytes).
 */
struct dns_txt_rr {
	size_t len;
	char *text;
};

/*
 * Result of a TXT lookup: ARES_SUCCESS with records, ARES_ENOTFOUND for
 * NXDOMAIN, ARES_ENODATA for a name without TXT, or a failure. Every record
 * in answer order; rr belongs to the resolver and is valid only during the
 * callback.
 */
struct dns_txt {
	int status;
	int n;
	const struct dns_txt_rr *rr; /* n records */
};

/* The reverse-lookup name of a into dst; 0, or -1 when it does not fit or a is no address. */
int dns_reverse_name(const struct net_addr *a, char *dst, size_t len);
/* Copy a domain name into dst (DNS_NAME_MAX bytes), without one trailing dot. */
void dns_name_copy(char *dst, const char *src);
/* 1 when two DNS names are equal ignoring ASCII case and one trailing dot. */
int dns_name_eq(const char *a, const char *b);
/* Text for an ARES_* status. */
const char *dns_strerror(int status);

#endif
