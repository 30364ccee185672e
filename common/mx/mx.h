/*
 * mx.h - the mail exchangers of a domain as data, and the verdict on them.
 *
 * Sans-I/O: mx_run.c feeds DNS answers and probe results in, mx_verdict()
 * judges. Rules: RFC 5321 §5.1 (MX order, implicit MX only when the name
 * exists without MX), RFC 7505 (null MX), RFC 2181 §10.3 (no CNAME target).
 */
#ifndef MAILPATH_MX_H
#define MAILPATH_MX_H

#include "verdict/classify.h"
#include "dns/dns.h"
#include "base/range.h"
#include "smtp/smtp_result.h"

#define MX_MAX 16
#define MX_ADDR_MAX 8

/* One address of one MX: reverse DNS and the SMTP probe. */
struct mx_addr {
	struct net_addr addr;
	int ptr_done;              /* PTR (and forward confirmation) finished */
	char ptr[DNS_NAME_MAX];    /* first PTR name, "" if none */
	int fcrdns;                /* a PTR name resolves back to this address */
	struct fail rdns;          /* FAIL_RDNS, or cls FAIL_NONE */
	int probed;                /* probe finished */
	struct smtp_run_result probe;
};

/* One mail exchanger. */
struct mx_host {
	char name[DNS_NAME_MAX];
	int pref;
	int lookup;                /* the address lookup is to be done */
	struct fail fail;          /* target problem (FAIL_MX_TARGET, FAIL_DNS) or FAIL_NONE */
	char canon[DNS_NAME_MAX];  /* CNAME target, if the target is an alias */
	int naddr;
	struct mx_addr addr[MX_ADDR_MAX];
};

struct mx_set {
	char domain[DNS_NAME_MAX];
	int status;                /* ARES status of the MX query */
	struct fail fail;          /* domain-level fact: DNS failure, null MX, implicit MX */
	int null_mx;               /* a null MX was published */
	int implicit;              /* RFC 5321 §5.1 fallback: mx[0] is the domain itself */
	int n;
	struct mx_host mx[MX_MAX];
};

/* What the verdict applies. */
struct mx_policy {
	int expect_null;           /* --expect-null-mx */
	int require_ipv6;
	int require_primary;
	int rdns_state;            /* state for PTR/FCrDNS problems; -1: not checked */
	struct thresholds healthy; /* on the number of healthy MX */
};

struct mx_verdict {
	enum state state;
	enum state shown;          /* state of the problem shown */
	int total, healthy, failed;
	const struct cause *cause; /* of the problem shown; "ok" when none */
	int host, addr;            /* where it is: -1 for the domain / the host */
	const struct fail *fail;   /* its record (NULL when ok); may point into req */
	struct fail req[2];        /* records of unmet expectations and requirements */
};

/* Start over for domain (copied, without a trailing dot). */
void mx_set_init(struct mx_set *s, const char *domain);
/* Free a set allocated by the caller and what its probes hold. Accepts NULL. */
void mx_set_free(struct mx_set *s);
/* Take the MX answer: sort, null MX, implicit MX, IP literals. 1 when targets need lookups. */
int mx_set_answer(struct mx_set *s, const struct dns_mx_set *ans);
/* Take the address lookup of host h; family restricts the addresses kept. */
void mx_host_addrs(struct mx_host *h, const struct dns_host *res, int family);
/* Take the PTR lookup of an address; 1 when a forward lookup of a->ptr should follow. */
int mx_addr_ptr(struct mx_addr *a, const struct dns_ptr *p);
/* Take the forward lookup of a->ptr (NULL: none done) and settle FCrDNS. */
void mx_addr_forward(struct mx_addr *a, const struct dns_host *fwd);
/* 1 when the probe of an address worked (its cause is not CRITICAL). */
int mx_addr_ok(const struct mx_addr *a);
/* 1 when at least one address of h worked and the target is usable. */
int mx_host_ok(const struct mx_host *h);
/* Judge the set under policy p. */
void mx_verdict(const struct mx_set *s, const struct mx_policy *p, struct mx_verdict *v);

#endif
