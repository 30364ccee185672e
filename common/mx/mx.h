/*
 * mx.h - the mail exchangers of a domain as data, and the verdict on them.
 *
 * Sans-I/O: mx_run.c feeds DNS answers and probe results in, mx_verdict()
 * judges. Rules: RFC 5321 §5.1 (MX order, implicit MX only when the name
 * exists without MX), RFC 7505 (null MX), RFC 2181 §10.3 (no CNAME target).
 *
 * Memory grows with the answer: the hosts are allocated when the MX answer
 * is taken, the addresses of a host when its lookup is taken. Bounds: the
 * MX_MAX most preferred MX (the rest are counted in `dropped`), at most
 * MX_ADDR_MAX addresses per MX and MX_PTR_MAX PTR names per address.
 *
 * Causes are decided once: every record (struct fail) below has a cause
 * pointer beside it, NULL until that result is final and then never
 * changed; mx_set_finish() stores the ones still missing, so after a run
 * every cause is non-NULL. The verdict and the report read these pointers
 * and never classify a record again.
 */
#ifndef MAILPATH_MX_H
#define MAILPATH_MX_H

#include "verdict/classify.h"
#include "dns/dns_result.h"
#include "base/range.h"
#include "smtp/smtp_result.h"

#define MX_MAX 100                /* MX kept per domain: the most preferred */
#define MX_ADDR_MAX DNS_MAX_ADDRS /* addresses kept per MX (16) */
#define MX_PTR_MAX DNS_MAX_PTR    /* PTR names per address that count for FCrDNS (4) */

/* One address of one MX: reverse DNS and the SMTP probe. */
struct mx_addr {
	struct net_addr addr;
	int nptr;                            /* PTR names found */
	char ptrs[MX_PTR_MAX][DNS_NAME_MAX]; /* every PTR name, in answer order */
	int ptr_ok[MX_PTR_MAX];              /* ptrs[k] resolves back to this address */
	int fwd_pending;                     /* forward lookups of PTR names still out */
	char ptr[DNS_NAME_MAX]; /* PTR name shown: the first that confirms, else the first; "" */
	int ptr_done;           /* PTR (and forward confirmation) finished */
	int fcrdns;             /* some PTR name resolves back to this address */
	struct fail rdns;       /* FAIL_RDNS, or cls FAIL_NONE */
	const struct cause *rdns_cause; /* of rdns: set when ptr_done ("ok" when none) */
	int probed;                     /* probe finished */
	struct smtp_run_result probe;
	const struct cause *probe_cause; /* of probe.smtp.fail: set when probed */
};

/* One mail exchanger. */
struct mx_host {
	char name[DNS_NAME_MAX];
	int pref;
	int lookup;                /* the address lookup is to be done */
	struct fail fail;          /* target problem (FAIL_MX_TARGET, FAIL_DNS) or FAIL_NONE */
	const struct cause *cause; /* of fail: set when the target is settled ("ok" when none) */
	char canon[DNS_NAME_MAX];  /* CNAME target, if the target is an alias */
	int naddr;
	struct mx_addr *addr; /* naddr addresses (NULL when none) */
};

struct mx_set {
	char domain[DNS_NAME_MAX];
	int status;                /* ARES status of the MX query */
	struct fail fail;          /* domain-level fact: DNS failure, null MX, implicit MX */
	const struct cause *cause; /* of fail: set with the answer, or by mx_set_finish() */
	int null_mx;               /* a null MX was published */
	int implicit;              /* RFC 5321 §5.1 fallback: mx[0] is the domain itself */
	int records;               /* MX records in the answer that name a host */
	int dropped;               /* of those, not kept (beyond MX_MAX, least preferred) */
	int n;
	struct mx_host *mx; /* n hosts by preference (NULL when none) */
};

/* What the verdict applies. */
struct mx_policy {
	int expect_null; /* --expect-null-mx */
	int require_ipv6;
	int require_primary;
	int rdns_state;            /* state for PTR/FCrDNS problems; -1: not checked */
	struct thresholds healthy; /* on the number of healthy MX */
};

struct mx_verdict {
	enum state state;
	enum state shown; /* state of the problem shown */
	int total, healthy, failed;
	int timed_out;             /* the check as a whole ran out of time: -t N:STATE applies */
	const struct cause *cause; /* of the problem shown; "ok" when none */
	int host, addr;            /* where it is: -1 for the domain / the host */
	const struct fail *fail;   /* its record (NULL when ok); may point into req */
	struct fail req[2];        /* records of unmet expectations and requirements */
};

/* An empty set for domain (copied, without a trailing dot); NULL on out of memory. */
struct mx_set *mx_set_new(const char *domain);
/* Free a set and everything it holds. Accepts NULL. */
void mx_set_free(struct mx_set *s);
/* Start a caller-owned set over for domain (nothing held; a zeroed set is empty too). */
void mx_set_init(struct mx_set *s, const char *domain);
/* Release what s holds (hosts, addresses, transcripts): empty again, same domain. */
void mx_set_reset(struct mx_set *s);
/* Take the MX answer: sort, cut, null MX, implicit MX, IP literals. 1 when targets need lookups. */
int mx_set_answer(struct mx_set *s, const struct dns_mx_set *ans);
/* Take the address lookup of host h; family restricts the addresses kept. */
void mx_host_addrs(struct mx_host *h, const struct dns_host *res, int family);
/* Take the PTR lookup of an address; the number of forward lookups (of a->ptrs) to follow. */
int mx_addr_ptr(struct mx_addr *a, const struct dns_ptr *p);
/* Take the forward lookup of a->ptrs[k] (fwd NULL: it failed); FCrDNS settles with the last. */
void mx_addr_forward(struct mx_addr *a, int k, const struct dns_host *fwd);
/* The probe of a finished (a->probe is final): store its cause. */
void mx_addr_probed(struct mx_addr *a);
/* The run ended (expired: at the deadline): outstanding lookups time out, every cause is stored. */
void mx_set_finish(struct mx_set *s, int expired);
/* 1 when the probe of an address worked (its cause is not CRITICAL). */
int mx_addr_ok(const struct mx_addr *a);
/* 1 when at least one address of h worked and the target is usable. */
int mx_host_ok(const struct mx_host *h);
/* Judge the set under policy p. */
void mx_verdict(const struct mx_set *s, const struct mx_policy *p, struct mx_verdict *v);

#endif
