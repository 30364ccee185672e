/*
 * dnsbl.h - DNS blocklists (RFC 5782) without I/O: query names, the return
 * code tables of known lists, and the decoding of one answer into a
 * verdict per list (listed, codes, or why the answer cannot be trusted).
 *
 * dnsbl_run.h binds this to the loop; unit tests feed recorded answers
 * (struct dns_host, struct dns_txt) straight in. Nothing here judges a
 * Nagios state: a list's failure is a struct fail that classify() names.
 */
#ifndef MAILPATH_DNSBL_H
#define MAILPATH_DNSBL_H

#include <stdint.h>
#include "base/fail.h"
#include "base/net_addr.h"
#include "dns/dns_result.h"

#define DNSBL_LISTS_MAX 32 /* lists per run: two perfdata items each fit OUT_PERF_MAX */
#define DNSBL_ZONE_MAX 190 /* bytes of a zone: 64 bytes of IPv6 nibbles before it still fit */
#define DNSBL_CODES_MAX 8  /* return codes kept per answer */
#define DNSBL_REASON_MAX 512

/* What the lists are asked about: an address (DNSBL) or a domain (RHSBL, RFC 5782 §2.2). */
enum dnsbl_kind { DNSBL_IP, DNSBL_DOMAIN };

/* The target of a run: an address, or a domain name without trailing dot. */
struct dnsbl_target {
	enum dnsbl_kind kind;
	struct net_addr addr;            /* DNSBL_IP */
	char domain[DNSBL_ZONE_MAX + 1]; /* DNSBL_DOMAIN */
};

/* One documented return code of a list: its address and its meaning. */
struct dnsbl_code_def {
	const char *name;
	uint32_t addr; /* host order, e.g. 0x7f000002 for 127.0.0.2 */
	int refusal;   /* the list's "query refused" answer, not a listing */
};

/* A return-code table: a name for --list ZONE=TABLE and its codes (NULL-name ended). */
struct dnsbl_table {
	const char *name; /* "spamhaus-zen" */
	enum dnsbl_kind kind;
	const struct dnsbl_code_def *codes; /* NULL: every 127/8 code is a listing, unnamed */
};

/* One list to ask: its zone and the table that decodes its answers. */
struct dnsbl_list {
	char zone[DNSBL_ZONE_MAX + 1];
	const struct dnsbl_table *table;
};

/* The health of a list by its RFC 5782 §5 test points. */
enum dnsbl_health {
	DNSBL_HEALTH_UNKNOWN = 0, /* not asked (no --health), or the test points failed to answer */
	DNSBL_HEALTH_OK,
	DNSBL_HEALTH_DEAD,     /* the always-listed test point is not listed */
	DNSBL_HEALTH_LISTS_ALL /* the never-listed test point is listed */
};

/* One return code seen in an answer. */
struct dnsbl_code {
	uint32_t addr;    /* host order */
	const char *name; /* from the list's table; NULL when the table does not name it */
};

/*
 * The verdict on one list's answer: listed with its codes, or not listed,
 * or a failure (fail.cls != FAIL_NONE: the answer says nothing about the
 * target, and the list is not counted either way).
 */
struct dnsbl_answer {
	int listed;
	int ncodes;
	struct dnsbl_code codes[DNSBL_CODES_MAX];
	struct fail fail;
};

/* What the lists are asked at once: for each, the target and (with health) its test points. */
enum dnsbl_ask {
	DNSBL_ASK_TARGET,
	DNSBL_ASK_LISTED,
	DNSBL_ASK_UNLISTED,
	DNSBL_ASK_TXT,
	DNSBL_ASK_MAX
};

/* One list of a run: what it answered and what that means. */
struct dnsbl_item {
	struct dnsbl_list list;
	struct dnsbl_answer ans;       /* about the target; its fail is the list's failure */
	struct dnsbl_answer tp[2];     /* the listed and unlisted test points (with health) */
	enum dnsbl_health health;      /* DNSBL_HEALTH_UNKNOWN without health */
	int family;                    /* of the target (AF_INET6: the IPv6 test points) */
	unsigned asked, answered;      /* bits of enum dnsbl_ask */
	char reason[DNSBL_REASON_MAX]; /* TXT of a listing (untrusted bytes) */
	size_t reason_len;
	double seconds; /* from the start to this list's last answer; < 0: none came */
};

/* A run's facts: the target and every list (caller-owned; dnsbl_run fills it). */
struct dnsbl_set {
	struct dnsbl_target target;
	int health; /* --health: ask the test points too */
	int n;
	struct dnsbl_item item[DNSBL_LISTS_MAX];
};

/* The verdict over a finished set. */
struct dnsbl_verdict {
	int listed;       /* lists that list the target */
	int failed;       /* lists whose answer says nothing (refused, dead, DNS failure, ...) */
	int timed_out;    /* lists without an answer at the deadline */
	int first_listed; /* index of the first listing list, -1 */
	int first_failed; /* index of the first failed list, -1 */
};

/*
 * Settle item i once its answers are in, or at the deadline (expired):
 * health from the test points (an unhealthy list's answer becomes its
 * failure), a missing answer a FAIL_TIMEOUT at PHASE_DNS.
 */
void dnsbl_item_finish(struct dnsbl_item *it, int health, int expired);
/* Count listings and failures of a finished set. */
void dnsbl_verdict(const struct dnsbl_set *s, struct dnsbl_verdict *v);

/* The table named name ("spamhaus-zen", "spamhaus-dbl", "generic"), or NULL. */
const struct dnsbl_table *dnsbl_table_find(const char *name);
/* The table of a well-known zone, else the generic table of kind. Never NULL. */
const struct dnsbl_table *dnsbl_table_for(const char *zone, enum dnsbl_kind kind);
/* Every table, for --help and tests: returns the count, *list the array. */
size_t dnsbl_tables(const struct dnsbl_table *const **list);
/* The default lists of kind (NULL-terminated zone names; their tables by dnsbl_table_for). */
const char *const *dnsbl_defaults(enum dnsbl_kind kind);

/*
 * Parse "ZONE" or "ZONE=TABLE" (a --list value) into l for kind. 0, or -1
 * with a message: a zone that is not a host name (letters, digits, '-',
 * '_' and dots, no empty label), too long, or an unknown table or one of
 * the other kind.
 */
int dnsbl_list_parse(const char *text, enum dnsbl_kind kind, struct dnsbl_list *l, char *err,
		     size_t errlen);
/* Parse -H (an IPv4 or IPv6 literal) or --domain into t. 0, or -1 with a message. */
int dnsbl_target_parse(const char *text, enum dnsbl_kind kind, struct dnsbl_target *t, char *err,
		       size_t errlen);

/*
 * The query name of t in zone into dst: IPv4 octets reversed
 * (2.0.0.127.ZONE, RFC 5782 §2.1), IPv6 nibbles reversed (RFC 5782 §2.4),
 * a domain as it is (RFC 5782 §2.2). 0, or -1 when it does not fit.
 */
int dnsbl_query_name(const struct dnsbl_target *t, const char *zone, char *dst, size_t len);
/*
 * The RFC 5782 §5 test points of kind and family: listed (127.0.0.2,
 * ::FFFF:7F00:2, "test") and unlisted (127.0.0.1, ::FFFF:7F00:1,
 * "invalid"), as targets.
 */
void dnsbl_test_points(enum dnsbl_kind kind, int family, struct dnsbl_target *listed,
		       struct dnsbl_target *unlisted);

/*
 * Decode one A answer of list l into a: NXDOMAIN or NODATA is not listed;
 * a resolver failure, a refusal code (127.255.255.0/24) or an address
 * outside 127.0.0.0/8 (a resolver that rewrites NXDOMAIN) is a failure, as
 * is 127.0.0.1 (RFC 5782 §2.1: never a listing); any other 127/8 address
 * is a listing, its code named from l's table.
 */
void dnsbl_decode(const struct dnsbl_list *l, const struct dns_host *ans, struct dnsbl_answer *a);
/*
 * The health by the answers at the test points (decoded by dnsbl_decode):
 * OK, DEAD, LISTS_ALL, or UNKNOWN when either failed.
 */
enum dnsbl_health dnsbl_health_of(const struct dnsbl_answer *listed,
				  const struct dnsbl_answer *unlisted);
/*
 * Record into a the failure of an unhealthy list (its answer is not trusted
 * any more), naming the test point of l's kind and the target's family.
 */
void dnsbl_health_fail(const struct dnsbl_list *l, enum dnsbl_health h, int family,
		       struct dnsbl_answer *a);
/*
 * The reason of a listing from its TXT answer into dst (len bytes): the
 * records joined by " / " (untrusted bytes, cut to fit; the renderers make
 * them safe). Returns the bytes written (0: no TXT reason).
 */
size_t dnsbl_reason(const struct dns_txt *txt, char *dst, size_t len);
/* "127.0.0.2" for a code into dst. */
const char *dnsbl_code_str(uint32_t addr, char *dst, size_t len);
/* Short name of a health value: "ok", "dead", "lists-all", "unknown". */
const char *dnsbl_health_name(enum dnsbl_health h);

#endif
