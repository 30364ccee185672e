/*
 * mx.c - the mail-exchanger set of a domain and its verdict, sans I/O.
 *
 * RFC 5321 §5.1: the MX records are tried in order of preference; only
 * when the name exists and has no MX (NODATA) is the domain itself the
 * implicit MX with preference 0; NXDOMAIN and resolver failures are not
 * fallen back from. RFC 7505: "0 ." is a null MX, the domain accepts no
 * mail; a null MX beside other records is a misconfiguration (§3).
 * RFC 2181 §10.3: an MX target must not be an alias. A target that is an
 * IP literal is a name to senders, hence unusable.
 * Ownership: every struct is caller-owned; nothing here allocates.
 */
#include <ares.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "mx/mx.h"

void mx_set_init(struct mx_set *s, const char *domain)
{
	memset(s, 0, sizeof(*s));
	dns_name_copy(s->domain, domain);
}

/* Order by preference, then by name (deterministic among equals). */
static int mx_cmp(const void *a, const void *b)
{
	const struct mx_host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcasecmp(x->name, y->name);
}

/* Add a host; 1 when its address is to be looked up. */
static int mx_add(struct mx_set *s, const char *name, int pref)
{
	struct mx_host *h = &s->mx[s->n++];
	struct net_addr lit;

	memset(h, 0, sizeof(*h));
	dns_name_copy(h->name, name);
	h->pref = pref;
	if (net_addr_parse(h->name, 0, &lit) == 0) {
		fail_set(&h->fail, FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_LITERAL,
			 "MX target %s is an IP address", h->name);
		return 0;
	}
	h->lookup = 1;
	return 1;
}

int mx_set_answer(struct mx_set *s, const struct dns_mx_set *ans)
{
	int nnull = 0, lookups = 0;

	s->status = ans->status;
	if (ans->status == ARES_ENODATA) {
		/* RFC 5321 §5.1: the name exists without MX: it is its own MX. */
		s->implicit = 1;
		fail_set(&s->fail, FAIL_IMPLICIT_MX, PHASE_DNS, 0, "%s has no MX record", s->domain);
		return mx_add(s, s->domain, 0);
	}
	if (ans->status != ARES_SUCCESS) {
		fail_set(&s->fail, FAIL_DNS, PHASE_DNS, ans->status, "MX lookup of %s: %s",
			 s->domain, dns_strerror(ans->status));
		return 0;
	}
	for (int i = 0; i < ans->n && s->n < MX_MAX; i++) {
		if (ans->mx[i].name[0] == '\0' || strcmp(ans->mx[i].name, ".") == 0) {
			nnull++; /* RFC 7505 §3: the root as target */
			continue;
		}
		lookups += mx_add(s, ans->mx[i].name, ans->mx[i].pref);
	}
	s->null_mx = nnull > 0;
	if (nnull > 0 && s->n == 0)
		fail_set(&s->fail, FAIL_NULL_MX, PHASE_DNS, 0, "%s publishes a null MX", s->domain);
	else if (nnull > 0)
		fail_set(&s->fail, FAIL_NULL_MX, PHASE_DNS, FAIL_MXERR_NULL_MIXED,
			 "%s publishes a null MX and %d other MX", s->domain, s->n);
	qsort(s->mx, (size_t)s->n, sizeof(s->mx[0]), mx_cmp);
	return lookups > 0;
}

void mx_host_addrs(struct mx_host *h, const struct dns_host *res, int family)
{
	h->naddr = 0;
	if (res->cname) {
		dns_name_copy(h->canon, res->canon);
		fail_set(&h->fail, FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_CNAME,
			 "MX target %s is an alias for %s", h->name, h->canon);
	}
	for (int i = 0; i < res->n && h->naddr < MX_ADDR_MAX; i++) {
		if (family != AF_UNSPEC && res->addr[i].ss.ss_family != family)
			continue;
		memset(&h->addr[h->naddr], 0, sizeof(h->addr[0]));
		h->addr[h->naddr++].addr = res->addr[i];
	}
	if (h->naddr > 0)
		return;
	if (res->status == ARES_ENOTFOUND)
		fail_set(&h->fail, FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_NXDOMAIN,
			 "MX target %s does not exist", h->name);
	else if (res->status == ARES_SUCCESS || res->status == ARES_ENODATA)
		fail_set(&h->fail, FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_NOADDR,
			 "MX target %s has no address", h->name);
	else
		fail_set(&h->fail, FAIL_DNS, PHASE_DNS, res->status, "%s: %s", h->name,
			 dns_strerror(res->status));
}

int mx_addr_ptr(struct mx_addr *a, const struct dns_ptr *p)
{
	if (p->status == ARES_SUCCESS && p->n > 0) {
		dns_name_copy(a->ptr, p->name[0]);
		return 1;
	}
	a->ptr_done = 1;
	if (p->status == ARES_ENOTFOUND || p->status == ARES_ENODATA || p->status == ARES_SUCCESS)
		fail_set(&a->rdns, FAIL_RDNS, PHASE_DNS, FAIL_MXERR_NO_PTR, "no PTR record");
	else
		fail_set(&a->rdns, FAIL_RDNS, PHASE_DNS, FAIL_MXERR_NO_PTR, "PTR lookup: %s",
			 dns_strerror(p->status));
	return 0;
}

/* 1 when two addresses are the same host address (ports ignored). */
static int mx_addr_same(const struct net_addr *a, const struct net_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&a->ss)->sin_addr,
			      &((const struct sockaddr_in *)&b->ss)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		      &((const struct sockaddr_in6 *)&b->ss)->sin6_addr, 16) == 0;
}

void mx_addr_forward(struct mx_addr *a, const struct dns_host *fwd)
{
	a->ptr_done = 1;
	for (int i = 0; fwd != NULL && i < fwd->n; i++)
		if (mx_addr_same(&fwd->addr[i], &a->addr))
			a->fcrdns = 1;
	if (!a->fcrdns)
		fail_set(&a->rdns, FAIL_RDNS, PHASE_DNS, FAIL_MXERR_FCRDNS,
			 "PTR %s does not resolve back to the address", a->ptr);
}

int mx_addr_ok(const struct mx_addr *a)
{
	return a->probed && classify(&a->probe.smtp.fail)->state != STATE_CRITICAL;
}

int mx_host_ok(const struct mx_host *h)
{
	if (h->fail.cls != FAIL_NONE && classify(&h->fail)->state == STATE_CRITICAL)
		return 0;
	for (int i = 0; i < h->naddr; i++)
		if (mx_addr_ok(&h->addr[i]))
			return 1;
	return 0;
}

/* Record a problem in v when it is worse than the one held (the first wins among equals). */
static void mx_problem(struct mx_verdict *v, const struct fail *f, enum state st, int host,
		       int addr)
{
	v->state = state_worst(v->state, st);
	if (st == STATE_OK || (v->fail != NULL && state_worst(v->shown, st) == v->shown))
		return;
	v->shown = st;
	v->cause = classify(f);
	v->fail = f;
	v->host = host;
	v->addr = addr;
}

/* The problems of one host and its addresses. */
static void mx_host_problems(const struct mx_set *s, enum state failed, int i,
			     struct mx_verdict *v)
{
	const struct mx_host *h = &s->mx[i];
	int ok = mx_host_ok(h);

	if (h->fail.cls != FAIL_NONE)
		mx_problem(v, &h->fail, ok ? classify(&h->fail)->state : failed, i, -1);
	for (int j = 0; j < h->naddr; j++) {
		const struct mx_addr *a = &h->addr[j];

		/* A failed MX costs a WARNING; the healthy-count thresholds may raise it. */
		if (a->probed && !mx_addr_ok(a))
			mx_problem(v, &a->probe.smtp.fail, failed, i, j);
		else if (a->probed && a->probe.smtp.fail.cls != FAIL_NONE)
			mx_problem(v, &a->probe.smtp.fail,
				   classify(&a->probe.smtp.fail)->state, i, j);
	}
}

/* Reverse-DNS problems, after every other problem of the same state. */
static void mx_rdns_problems(const struct mx_set *s, const struct mx_policy *p,
			     struct mx_verdict *v)
{
	if (p->rdns_state < 0)
		return;
	for (int i = 0; i < s->n; i++)
		for (int j = 0; j < s->mx[i].naddr; j++)
			if (s->mx[i].addr[j].rdns.cls != FAIL_NONE)
				mx_problem(v, &s->mx[i].addr[j].rdns, (enum state)p->rdns_state, i,
					   j);
}

/* --require-primary and --require-ipv6. */
static void mx_requirements(const struct mx_set *s, const struct mx_policy *p,
			    struct mx_verdict *v, struct fail *req)
{
	int v6 = 0;

	for (int i = 0; i < s->n; i++)
		for (int j = 0; j < s->mx[i].naddr; j++)
			v6 |= s->mx[i].addr[j].addr.ss.ss_family == AF_INET6 &&
			      mx_addr_ok(&s->mx[i].addr[j]);
	if (p->require_ipv6 && !v6) {
		fail_set(&req[0], FAIL_REQUIRE, PHASE_NONE, FAIL_MXERR_IPV6, "no MX works over IPv6");
		mx_problem(v, &req[0], STATE_CRITICAL, -1, -1);
	}
	if (p->require_primary && s->n > 0 && !mx_host_ok(&s->mx[0])) {
		fail_set(&req[1], FAIL_REQUIRE, PHASE_NONE, FAIL_MXERR_PRIMARY,
			 "the primary MX %s does not work", s->mx[0].name);
		mx_problem(v, &req[1], STATE_CRITICAL, 0, -1);
	}
}

void mx_verdict(const struct mx_set *s, const struct mx_policy *p, struct mx_verdict *v)
{
	struct fail *req = v->req;
	enum state thr;

	memset(v, 0, sizeof(*v));
	v->cause = classify(&req[0]);
	v->host = v->addr = -1;
	v->total = s->n;
	for (int i = 0; i < s->n; i++)
		v->healthy += mx_host_ok(&s->mx[i]);
	v->failed = v->total - v->healthy;
	if (s->null_mx && s->n == 0 && p->expect_null)
		return; /* "0 ." as expected: the domain accepts no mail, and says so */
	if (p->expect_null && !s->null_mx) {
		fail_set(&req[0], FAIL_NULL_MX, PHASE_DNS, FAIL_MXERR_NULL_MISSING,
			 "%s has no null MX", s->domain);
		mx_problem(v, &req[0], STATE_CRITICAL, -1, -1);
		return;
	}
	if (s->fail.cls != FAIL_NONE)
		mx_problem(v, &s->fail, classify(&s->fail)->state, -1, -1);
	if (s->n == 0)
		return;
	thr = thresholds_eval(&p->healthy, v->healthy);
	v->state = state_worst(v->state, thr);
	for (int i = 0; i < s->n; i++)
		mx_host_problems(s, state_worst(thr, STATE_WARNING), i, v);
	mx_requirements(s, p, v, req);
	mx_rdns_problems(s, p, v);
}
/* Free a set and what its probes hold (transcripts). Accepts NULL. */
void mx_set_free(struct mx_set *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < MX_MAX; i++)
		for (int j = 0; j < MX_ADDR_MAX; j++)
			smtp_result_reset(&s->mx[i].addr[j].probe);
	free(s);
}

