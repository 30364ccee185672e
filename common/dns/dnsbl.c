/*
 * dnsbl.c - DNS blocklists without I/O (RFC 5782): query names, the return
 * code tables, and what one answer means.
 *
 * Contract: pure functions over caller-owned data; answers come in as the
 * resolver's plain results (dns/dns_result.h) and go out as struct
 * dnsbl_answer, whose failure record classify() names. Text from DNS (TXT
 * reasons) is copied as bytes, bounded, never interpreted: the renderers
 * sanitise it.
 *
 * RFC 5782 §2.1: an IPv4 address is looked up with its octets reversed
 * under the list's zone, §2.4: an IPv6 address with its 32 nibbles
 * reversed, §2.2: a domain list (RHSBL) takes the name itself. §2.3: an
 * A record 127.0.0.2 and up means listed, the code says why. §5: every
 * list lists 127.0.0.2 (::FFFF:7F00:2, TEST) and never 127.0.0.1
 * (::FFFF:7F00:1, INVALID), so that a dead list can be told apart.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "dns/dnsbl.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

/* Spamhaus ZEN (SBL, CSS, XBL, PBL in one zone), as Spamhaus documents its return codes. */
static const struct dnsbl_code_def dnsbl_codes_zen[] = {
	{"SBL (spam source)", IP4(127, 0, 0, 2), 0},
	{"SBL CSS (snowshoe spam)", IP4(127, 0, 0, 3), 0},
	{"XBL (exploited host, CBL)", IP4(127, 0, 0, 4), 0},
	{"XBL (exploited host)", IP4(127, 0, 0, 5), 0},
	{"XBL (exploited host)", IP4(127, 0, 0, 6), 0},
	{"XBL (exploited host)", IP4(127, 0, 0, 7), 0},
	{"SBL DROP (hijacked range)", IP4(127, 0, 0, 9), 0},
	{"PBL (end-user range, ISP)", IP4(127, 0, 0, 10), 0},
	{"PBL (end-user range, Spamhaus)", IP4(127, 0, 0, 11), 0},
	{NULL, 0, 0},
};

/* Spamhaus DBL (domains). */
static const struct dnsbl_code_def dnsbl_codes_dbl[] = {
	{"DBL spam domain", IP4(127, 0, 1, 2), 0},
	{"DBL phish domain", IP4(127, 0, 1, 4), 0},
	{"DBL malware domain", IP4(127, 0, 1, 5), 0},
	{"DBL botnet C&C domain", IP4(127, 0, 1, 6), 0},
	{"DBL abused legit spam", IP4(127, 0, 1, 102), 0},
	{"DBL abused spammed redirector", IP4(127, 0, 1, 103), 0},
	{"DBL abused legit phish", IP4(127, 0, 1, 104), 0},
	{"DBL abused legit malware", IP4(127, 0, 1, 105), 0},
	{"DBL abused legit botnet C&C", IP4(127, 0, 1, 106), 0},
	{"IP queries prohibited (the DBL lists domains only)", IP4(127, 0, 1, 255), 1},
	{NULL, 0, 0},
};

/* Lists that answer 127.0.0.2 only. */
static const struct dnsbl_code_def dnsbl_codes_two[] = {
	{"listed", IP4(127, 0, 0, 2), 0},
	{NULL, 0, 0},
};

static const struct dnsbl_table dnsbl_table_list[] = {
	{"spamhaus-zen", DNSBL_IP, dnsbl_codes_zen},
	{"spamhaus-dbl", DNSBL_DOMAIN, dnsbl_codes_dbl},
	{"spamcop", DNSBL_IP, dnsbl_codes_two},
	{"psbl", DNSBL_IP, dnsbl_codes_two},
	{"generic", DNSBL_IP, NULL},
	{"generic-domain", DNSBL_DOMAIN, NULL},
};

static const struct dnsbl_table *const dnsbl_table_ptrs[] = {
	&dnsbl_table_list[0], &dnsbl_table_list[1], &dnsbl_table_list[2],
	&dnsbl_table_list[3], &dnsbl_table_list[4], &dnsbl_table_list[5],
};

/* Well-known zones and their tables. */
static const struct {
	const char *zone;
	const char *table;
} dnsbl_known[] = {
	{"zen.spamhaus.org", "spamhaus-zen"},
	{"sbl.spamhaus.org", "spamhaus-zen"},
	{"xbl.spamhaus.org", "spamhaus-zen"},
	{"pbl.spamhaus.org", "spamhaus-zen"},
	{"sbl-xbl.spamhaus.org", "spamhaus-zen"},
	{"dbl.spamhaus.org", "spamhaus-dbl"},
	{"bl.spamcop.net", "spamcop"},
	{"psbl.surriel.com", "psbl"},
};

static const char *const dnsbl_default_ip[] = {"zen.spamhaus.org", "bl.spamcop.net",
					       "psbl.surriel.com", NULL};
static const char *const dnsbl_default_domain[] = {"dbl.spamhaus.org", NULL};

const struct dnsbl_table *dnsbl_table_find(const char *name)
{
	for (size_t i = 0; i < sizeof(dnsbl_table_list) / sizeof(dnsbl_table_list[0]); i++)
		if (strcmp(dnsbl_table_list[i].name, name) == 0)
			return &dnsbl_table_list[i];
	return NULL;
}

const struct dnsbl_table *dnsbl_table_for(const char *zone, enum dnsbl_kind kind)
{
	for (size_t i = 0; i < sizeof(dnsbl_known) / sizeof(dnsbl_known[0]); i++) {
		const struct dnsbl_table *t = dnsbl_table_find(dnsbl_known[i].table);

		if (strcasecmp(dnsbl_known[i].zone, zone) == 0 && t->kind == kind)
			return t;
	}
	return dnsbl_table_find(kind == DNSBL_IP ? "generic" : "generic-domain");
}

size_t dnsbl_tables(const struct dnsbl_table *const **list)
{
	*list = dnsbl_table_ptrs;
	return sizeof(dnsbl_table_ptrs) / sizeof(dnsbl_table_ptrs[0]);
}

const char *const *dnsbl_defaults(enum dnsbl_kind kind)
{
	return kind == DNSBL_IP ? dnsbl_default_ip : dnsbl_default_domain;
}

/* 1 when name is a host name: labels of letters, digits, '-' and '_', 1..63 bytes each. */
static int dnsbl_name_ok(const char *name, size_t n)
{
	size_t label = 0;

	if (n == 0 || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

int dnsbl_list_parse(const char *text, enum dnsbl_kind kind, struct dnsbl_list *l, char *err,
		     size_t errlen)
{
	const char *eq = strchr(text, '=');
	size_t n = eq != NULL ? (size_t)(eq - text) : strlen(text);

	if (n > 0 && text[n - 1] == '.')
		n--; /* an absolute zone: the same list */
	if (n > DNSBL_ZONE_MAX || !dnsbl_name_ok(text, n)) {
		snprintf(err, errlen, "invalid --list zone '%.*s': want a DNS name",
			 (int)(n > 64 ? 64 : n), text);
		return -1;
	}
	memcpy(l->zone, text, n);
	l->zone[n] = '\0';
	if (eq == NULL) {
		l->table = dnsbl_table_for(l->zone, kind);
		return 0;
	}
	l->table = dnsbl_table_find(eq + 1);
	if (l->table == NULL || l->table->kind != kind) {
		snprintf(err, errlen, "invalid --list table '%.64s' for %s lists", eq + 1,
			 kind == DNSBL_IP ? "address" : "domain");
		return -1;
	}
	return 0;
}

int dnsbl_target_parse(const char *text, enum dnsbl_kind kind, struct dnsbl_target *t, char *err,
		       size_t errlen)
{
	size_t n = strlen(text);

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	if (kind == DNSBL_IP) {
		if (strchr(text, '[') != NULL || net_addr_parse(text, 0, &t->addr) != 0) {
			snprintf(err, errlen, "invalid -H '%.64s': want an IPv4 or IPv6 address",
				 text);
			return -1;
		}
		return 0;
	}
	if (n > 0 && text[n - 1] == '.')
		n--;
	if (n > DNSBL_ZONE_MAX || !dnsbl_name_ok(text, n)) {
		snprintf(err, errlen, "invalid --domain '%.64s': want a DNS name", text);
		return -1;
	}
	memcpy(t->domain, text, n);
	t->domain[n] = '\0';
	return 0;
}

int dnsbl_query_name(const struct dnsbl_target *t, const char *zone, char *dst, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char rev[80];
	size_t k = 0;
	int w;

	if (t->kind == DNSBL_DOMAIN) {
		w = snprintf(dst, len, "%s.%s", t->domain, zone);
		return w < 0 || (size_t)w >= len ? -1 : 0;
	}
	if (t->addr.ss.ss_family == AF_INET) {
		const unsigned char *b =
			(const unsigned char *)&((const struct sockaddr_in *)&t->addr.ss)->sin_addr;

		w = snprintf(dst, len, "%u.%u.%u.%u.%s", b[3], b[2], b[1], b[0], zone);
		return w < 0 || (size_t)w >= len ? -1 : 0;
	}
	if (t->addr.ss.ss_family != AF_INET6)
		return -1;
	for (int i = 15; i >= 0; i--) {
		unsigned char c = ((const struct sockaddr_in6 *)&t->addr.ss)->sin6_addr.s6_addr[i];

		rev[k++] = hex[c & 15];
		rev[k++] = '.';
		rev[k++] = hex[c >> 4];
		rev[k++] = '.';
	}
	rev[k] = '\0';
	w = snprintf(dst, len, "%s%s", rev, zone);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

void dnsbl_test_points(enum dnsbl_kind kind, int family, struct dnsbl_target *listed,
		       struct dnsbl_target *unlisted)
{
	char err[8];

	if (kind == DNSBL_DOMAIN) {
		(void)dnsbl_target_parse("test", kind, listed, err, sizeof(err));
		(void)dnsbl_target_parse("invalid", kind, unlisted, err, sizeof(err));
	} else if (family == AF_INET6) {
		(void)dnsbl_target_parse("::ffff:7f00:2", kind, listed, err, sizeof(err));
		(void)dnsbl_target_parse("::ffff:7f00:1", kind, unlisted, err, sizeof(err));
	} else {
		(void)dnsbl_target_parse("127.0.0.2", kind, listed, err, sizeof(err));
		(void)dnsbl_target_parse("127.0.0.1", kind, unlisted, err, sizeof(err));
	}
}

const char *dnsbl_code_str(uint32_t addr, char *dst, size_t len)
{
	snprintf(dst, len, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
		 addr & 255);
	return dst;
}

/* The row of l's table for code addr, or NULL. */
static const struct dnsbl_code_def *dnsbl_code_def(const struct dnsbl_list *l, uint32_t addr)
{
	if (l->table == NULL || l->table->codes == NULL)
		return NULL;
	for (const struct dnsbl_code_def *c = l->table->codes; c->name != NULL; c++)
		if (c->addr == addr)
			return c;
	return NULL;
}

/* What a refusal code of the 127.255.255.0/24 block means (as Spamhaus documents them). */
static const char *dnsbl_refusal(uint32_t addr)
{
	switch (addr & 255) {
	case 252: return "typing error in the list's name";
	case 254: return "query through a public or open resolver";
	case 255: return "excessive number of queries";
	default: return "the query was refused";
	}
}

/* An answer address as a host-order IPv4 value; 0 when it is not IPv4. */
static uint32_t dnsbl_v4(const struct net_addr *a)
{
	if (a->ss.ss_family != AF_INET)
		return 0;
	return ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr);
}

/* One answer address into a: a code, or the failure that makes the answer untrusted. */
static void dnsbl_decode_addr(const struct dnsbl_list *l, const struct net_addr *na,
			      struct dnsbl_answer *a)
{
	uint32_t v = dnsbl_v4(na);
	const struct dnsbl_code_def *def = dnsbl_code_def(l, v);
	char s[INET6_ADDRSTRLEN];

	if ((v >> 24) != 127) {
		fail_set(&a->fail, FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_REWRITE,
			 "answer %s is outside 127.0.0.0/8: the resolver rewrites NXDOMAIN",
			 net_addr_str(na, s, sizeof(s)));
		return;
	}
	if ((v & 0xffffff00u) == IP4(127, 255, 255, 0)) {
		fail_set(&a->fail, FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_REFUSED,
			 "answer %s: %s, not a listing", dnsbl_code_str(v, s, sizeof(s)),
			 dnsbl_refusal(v));
		return;
	}
	if (def != NULL && def->refusal) {
		fail_set(&a->fail, FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_REFUSED,
			 "answer %s: %s, not a listing", dnsbl_code_str(v, s, sizeof(s)),
			 def->name);
		return;
	}
	if (v == IP4(127, 0, 0, 1)) {
		fail_set(&a->fail, FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_LOOPBACK,
			 "answer 127.0.0.1 is never a listing (RFC 5782 section 2.1): the query "
			 "was refused");
		return;
	}
	for (int i = 0; i < a->ncodes; i++)
		if (a->codes[i].addr == v)
			return;
	if (a->ncodes < DNSBL_CODES_MAX) {
		a->codes[a->ncodes].addr = v;
		a->codes[a->ncodes].name = def != NULL ? def->name : NULL;
		a->ncodes++;
	}
}

void dnsbl_decode(const struct dnsbl_list *l, const struct dns_host *ans, struct dnsbl_answer *a)
{
	memset(a, 0, sizeof(*a));
	fail_reset(&a->fail);
	if (ans->status == ARES_ENOTFOUND || ans->status == ARES_ENODATA)
		return;
	if (ans->status != ARES_SUCCESS) {
		fail_set(&a->fail, FAIL_DNS, PHASE_DNS, ans->status, "%s",
			 dns_strerror(ans->status));
		return;
	}
	for (int i = 0; i < ans->n && a->fail.cls == FAIL_NONE; i++)
		dnsbl_decode_addr(l, &ans->addr[i], a);
	if (a->fail.cls != FAIL_NONE) {
		a->ncodes = 0;
		return;
	}
	a->listed = a->ncodes > 0;
}

enum dnsbl_health dnsbl_health_of(const struct dnsbl_answer *listed,
				  const struct dnsbl_answer *unlisted)
{
	if (listed->fail.cls != FAIL_NONE)
		return DNSBL_HEALTH_UNKNOWN;
	if (!listed->listed)
		return DNSBL_HEALTH_DEAD;
	/* a list that answers 127.0.0.1 for INVALID lists it too (RFC 5782 §5) */
	if (unlisted->listed ||
	    (unlisted->fail.cls == FAIL_DNSBL && unlisted->fail.err == FAIL_DNSBLERR_LOOPBACK))
		return DNSBL_HEALTH_LISTS_ALL;
	if (unlisted->fail.cls != FAIL_NONE)
		return DNSBL_HEALTH_UNKNOWN;
	return DNSBL_HEALTH_OK;
}

void dnsbl_health_fail(const struct dnsbl_list *l, enum dnsbl_health h, int family,
		       struct dnsbl_answer *a)
{
	int domain = l->table != NULL && l->table->kind == DNSBL_DOMAIN;
	const char *listed = domain ? "TEST" : family == AF_INET6 ? "::FFFF:7F00:2" : "127.0.0.2";
	const char *unlisted = domain               ? "INVALID"
			       : family == AF_INET6 ? "::FFFF:7F00:1"
						    : "127.0.0.1";

	if (h != DNSBL_HEALTH_DEAD && h != DNSBL_HEALTH_LISTS_ALL)
		return;
	fail_reset(&a->fail);
	a->listed = 0;
	a->ncodes = 0;
	if (h == DNSBL_HEALTH_DEAD)
		fail_set(&a->fail, FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_DEAD,
			 "the list does not list its test point %s (RFC 5782 section 5): dead "
			 "or not a blocklist",
			 listed);
	else
		fail_set(&a->fail, FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_LISTS_ALL,
			 "the list lists its test point %s (RFC 5782 section 5): it lists "
			 "everything",
			 unlisted);
}

size_t dnsbl_reason(const struct dns_txt *txt, char *dst, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return 0;
	for (int i = 0; txt->status == ARES_SUCCESS && i < txt->n && n + 1 < len; i++) {
		size_t k = txt->rr[i].len;

		if (i > 0 && n + 4 < len) {
			memcpy(dst + n, " / ", 3);
			n += 3;
		}
		if (k > len - 1 - n)
			k = len - 1 - n;
		memcpy(dst + n, txt->rr[i].text, k);
		n += k;
	}
	dst[n] = '\0';
	return n;
}

const char *dnsbl_health_name(enum dnsbl_health h)
{
	switch (h) {
	case DNSBL_HEALTH_OK: return "ok";
	case DNSBL_HEALTH_DEAD: return "dead";
	case DNSBL_HEALTH_LISTS_ALL: return "lists-all";
	default: return "unknown";
	}
}

void dnsbl_item_finish(struct dnsbl_item *it, int health, int expired)
{
	unsigned missing = it->asked & ~it->answered;

	if (expired && (missing & (1u << DNSBL_ASK_TARGET)) != 0) {
		fail_reset(&it->ans.fail);
		it->ans.listed = 0;
		it->ans.ncodes = 0;
		fail_set(&it->ans.fail, FAIL_TIMEOUT, PHASE_DNS, 0,
			 "no answer within the time limit (-t)");
		return;
	}
	if (!health)
		return;
	if ((missing & ((1u << DNSBL_ASK_LISTED) | (1u << DNSBL_ASK_UNLISTED))) != 0) {
		it->health = DNSBL_HEALTH_UNKNOWN;
		return;
	}
	it->health = dnsbl_health_of(&it->tp[0], &it->tp[1]);
	dnsbl_health_fail(&it->list, it->health, it->family, &it->ans);
}

void dnsbl_verdict(const struct dnsbl_set *s, struct dnsbl_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->first_listed = v->first_failed = -1;
	for (int i = 0; i < s->n; i++) {
		const struct dnsbl_answer *a = &s->item[i].ans;

		if (a->fail.cls != FAIL_NONE) {
			v->failed++;
			v->timed_out += a->fail.cls == FAIL_TIMEOUT;
			if (v->first_failed < 0)
				v->first_failed = i;
		} else if (a->listed) {
			v->listed++;
			if (v->first_listed < 0)
				v->first_listed = i;
		}
	}
}
