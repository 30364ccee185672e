/*
 * mx.c - the mail-exchanger set of a domain and its verdict, sans I/O.
 *
 * RFC 5321 §5.1: the MX records are tried in order of preference; only
 * when the name exists and has no MX (NODATA) is the domain itself the
 * implicit MX with preference 0; NXDOMAIN and resolver failures are not
 * fallen back from. The whole answer is sorted before anything is cut, so
 * the MX_MAX kept are the most preferred and the primary is the real one.
 * RFC 7505: "0 ." is a null MX, the domain accepts no mail; a null MX
 * beside other records is a misconfiguration (§3). RFC 2181 §10.3: an MX
 * target must not be an alias. A target that is an IP literal is a name
 * to senders, hence unusable. FCrDNS: the address is confirmed when any
 * of its PTR names resolves back to it (every name counts, in any order).
 *
 * Ownership: the set owns its hosts and their addresses (allocated as the
 * answers arrive, freed by mx_set_reset/mx_set_free). Each record's cause
 * is classified once, when the record is final, and stored beside it.
 */
#include <ares.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "mx/mx.h"

struct mx_set *mx_set_new(const char *domain)
{
	struct mx_set *s = calloc(1, sizeof(*s));

	if (s != NULL)
		mx_set_init(s, domain);
	return s;
}

void mx_set_free(struct mx_set *s)
{
	if (s == NULL)
		return;
	mx_set_reset(s);
	free(s);
}

void mx_set_init(struct mx_set *s, const char *domain)
{
	memset(s, 0, sizeof(*s));
	dns_name_copy(s->domain, domain);
}

/* Release the addresses of h (their probe transcripts first). */
static void mx_host_release(struct mx_host *h)
{
	for (int j = 0; j < h->naddr; j++)
		smtp_result_reset(&h->addr[j].probe);
	free(h->addr);
	h->addr = NULL;
	h->naddr = 0;
}

void mx_set_reset(struct mx_set *s)
{
	char domain[DNS_NAME_MAX];

	for (int i = 0; i < s->n; i++)
		mx_host_release(&s->mx[i]);
	free(s->mx);
	memcpy(domain, s->domain, sizeof(domain));
	mx_set_init(s, domain);
}

/* One record of the answer, for sorting. */
struct mx_rr_ref {
	const struct dns_mx_rr *rr;
};

/* Order by preference, then by name, then as answered (deterministic, stable). */
static int mx_rr_cmp(const void *a, const void *b)
{
	const struct dns_mx_rr *x = ((const struct mx_rr_ref *)a)->rr;
	const struct dns_mx_rr *y = ((const struct mx_rr_ref *)b)->rr;
	int c;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	if ((c = strcasecmp(x->name, y->name)) != 0)
		return c;
	return x < y ? -1 : x > y; /* the records are one array in answer order */
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
		h->cause = classify(&h->fail);
		return 0;
	}
	h->lookup = 1;
	return 1;
}

/* The domain-level fact is final: store its cause. */
static void mx_set_settled(struct mx_set *s)
{
	s->cause = classify(&s->fail);
}

/* Record running out of memory for the set; 0 (no lookups). */
static int mx_set_oom(struct mx_set *s)
{
	fail_set(&s->fail, FAIL_INTERNAL, PHASE_DNS, 0, "out of memory");
	mx_set_settled(s);
	return 0;
}

/* 1 when an MX record names a host (RFC 7505: the root is a null MX). */
static int mx_rr_is_host(const struct dns_mx_rr *rr)
{
	return rr->name[0] != '\0' && strcmp(rr->name, ".") != 0;
}

/* Keep the MX_MAX most preferred host records of ans; the number of lookups to do, -1 (memory). */
static int mx_set_hosts(struct mx_set *s, const struct dns_mx_set *ans)
{
	struct mx_rr_ref *ord;
	int lookups = 0, nrec = 0, keep;

	for (int i = 0; i < ans->n; i++)
		s->records += mx_rr_is_host(&ans->mx[i]);
	if (s->records == 0)
		return 0;
	if ((ord = calloc((size_t)s->records, sizeof(*ord))) == NULL)
		return -1;
	for (int i = 0; i < ans->n && nrec < s->records; i++)
		if (mx_rr_is_host(&ans->mx[i]))
			ord[nrec++].rr = &ans->mx[i];
	/* RFC 5321 §5.1: by preference, over the whole answer, before any cut. */
	qsort(ord, (size_t)nrec, sizeof(*ord), mx_rr_cmp);
	keep = s->records < MX_MAX ? s->records : MX_MAX;
	s->dropped = s->records - keep;
	if ((s->mx = calloc((size_t)keep, sizeof(*s->mx))) == NULL) {
		free(ord);
		return -1;
	}
	for (int i = 0; i < keep; i++)
		lookups += mx_add(s, ord[i].rr->name, ord[i].rr->pref);
	free(ord);
	return lookups;
}

int mx_set_answer(struct mx_set *s, const struct dns_mx_set *ans)
{
	int nnull, lookups;

	s->status = ans->status;
	if (ans->status == ARES_ENODATA) {
		/* RFC 5321 §5.1: the name exists without MX: it is its own MX. */
		s->implicit = 1;
		fail_set(&s->fail, FAIL_IMPLICIT_MX, PHASE_DNS, 0, "%s has no MX record",
			 s->domain);
		mx_set_settled(s);
		if ((s->mx = calloc(1, sizeof(*s->mx))) == NULL)
			return 0; /* the implicit-mx fact stands; no host to probe */
		return mx_add(s, s->domain, 0);
	}
	if (ans->status != ARES_SUCCESS) {
		fail_set(&s->fail, FAIL_DNS, PHASE_DNS, ans->status, "MX lookup of %s: %s",
			 s->domain, dns_strerror(ans->status));
		mx_set_settled(s);
		return 0;
	}
	if ((lookups = mx_set_hosts(s, ans)) < 0)
		return mx_set_oom(s);
	nnull = ans->n - s->records; /* RFC 7505 §3: the root as target */
	s->null_mx = nnull > 0;
	if (nnull > 0 && s->n == 0)
		fail_set(&s->fail, FAIL_NULL_MX, PHASE_DNS, 0, "%s publishes a null MX", s->domain);
	else if (nnull > 0)
		fail_set(&s->fail, FAIL_NULL_MX, PHASE_DNS, FAIL_MXERR_NULL_MIXED,
			 "%s publishes a null MX and %d other MX", s->domain, s->records);
	mx_set_settled(s);
	return lookups > 0;
}

/* Record why h has no address, from the lookup's status. */
static void mx_host_noaddr(struct mx_host *h, int status)
{
	if (status == ARES_ENOTFOUND)
		fail_set(&h->fail, FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_NXDOMAIN,
			 "MX target %s does not exist", h->name);
	else if (status == ARES_SUCCESS || status == ARES_ENODATA)
		fail_set(&h->fail, FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_NOADDR,
			 "MX target %s has no address", h->name);
	else
		fail_set(&h->fail, FAIL_DNS, PHASE_DNS, status, "%s: %s", h->name,
			 dns_strerror(status));
}

void mx_host_addrs(struct mx_host *h, const struct dns_host *res, int family)
{
	int want = 0;

	mx_host_release(h);
	if (res->cname) {
		dns_name_copy(h->canon, res->canon);
		fail_set(&h->fail, FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_CNAME,
			 "MX target %s is an alias for %s", h->name, h->canon);
	}
	for (int i = 0; i < res->n; i++)
		want += family == AF_UNSPEC || res->addr[i].ss.ss_family == family;
	if (want > MX_ADDR_MAX)
		want = MX_ADDR_MAX;
	if (want > 0 && (h->addr = calloc((size_t)want, sizeof(*h->addr))) == NULL)
		fail_set(&h->fail, FAIL_INTERNAL, PHASE_DNS, 0, "out of memory");
	for (int i = 0; h->addr != NULL && i < res->n && h->naddr < want; i++)
		if (family == AF_UNSPEC || res->addr[i].ss.ss_family == family)
			h->addr[h->naddr++].addr = res->addr[i];
	if (h->naddr == 0)
		mx_host_noaddr(h, res->status);
	h->cause = classify(&h->fail);
}

/* Reverse DNS of a is final: store its cause. */
static void mx_addr_rdns_settled(struct mx_addr *a)
{
	a->ptr_done = 1;
	a->rdns_cause = classify(&a->rdns);
}

int mx_addr_ptr(struct mx_addr *a, const struct dns_ptr *p)
{
	if (p->status == ARES_SUCCESS && p->n > 0) {
		a->nptr = p->n < MX_PTR_MAX ? p->n : MX_PTR_MAX;
		for (int k = 0; k < a->nptr; k++) {
			dns_name_copy(a->ptrs[k], p->name[k]);
			a->ptr_ok[k] = 0;
		}
		memcpy(a->ptr, a->ptrs[0], sizeof(a->ptr));
		a->fwd_pending = a->nptr;
		return a->nptr;
	}
	if (p->status == ARES_ENOTFOUND || p->status == ARES_ENODATA || p->status == ARES_SUCCESS)
		fail_set(&a->rdns, FAIL_RDNS, PHASE_DNS, FAIL_MXERR_NO_PTR, "no PTR record");
	else
		fail_set(&a->rdns, FAIL_RDNS, PHASE_DNS, FAIL_MXERR_NO_PTR, "PTR lookup: %s",
			 dns_strerror(p->status));
	mx_addr_rdns_settled(a);
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

/* Every forward lookup is back: FCrDNS holds when any PTR name confirmed. */
static void mx_addr_fcrdns(struct mx_addr *a)
{
	for (int k = a->nptr - 1; k >= 0; k--)
		if (a->ptr_ok[k]) {
			a->fcrdns = 1;
			memcpy(a->ptr, a->ptrs[k], sizeof(a->ptr)); /* the first that confirms */
		}
	if (!a->fcrdns && a->nptr == 1)
		fail_set(&a->rdns, FAIL_RDNS, PHASE_DNS, FAIL_MXERR_FCRDNS,
			 "PTR %s does not resolve back to the address", a->ptr);
	else if (!a->fcrdns)
		fail_set(&a->rdns, FAIL_RDNS, PHASE_DNS, FAIL_MXERR_FCRDNS,
			 "none of the %d PTR names (%s, ...) resolves back to the address", a->nptr,
			 a->ptr);
	mx_addr_rdns_settled(a);
}

void mx_addr_forward(struct mx_addr *a, int k, const struct dns_host *fwd)
{
	if (a->ptr_done || k < 0 || k >= a->nptr)
		return;
	for (int i = 0; fwd != NULL && i < fwd->n; i++)
		if (mx_addr_same(&fwd->addr[i], &a->addr))
			a->ptr_ok[k] = 1;
	if (--a->fwd_pending <= 0)
		mx_addr_fcrdns(a);
}

void mx_addr_probed(struct mx_addr *a)
{
	a->probed = 1;
	a->probe_cause = classify(&a->probe.smtp.fail);
}

/* The run ended: settle what is left of one host. */
static void mx_host_finish(struct mx_host *h, int expired)
{
	if (h->lookup && h->cause == NULL && expired)
		fail_set(&h->fail, FAIL_TIMEOUT, PHASE_DNS, ARES_ETIMEOUT, "%s", h->name);
	if (h->cause == NULL)
		h->cause = classify(&h->fail);
	for (int j = 0; j < h->naddr; j++) {
		struct mx_addr *a = &h->addr[j];

		if (a->rdns_cause == NULL)
			a->rdns_cause = classify(&a->rdns);
		if (a->probe_cause == NULL)
			a->probe_cause = classify(&a->probe.smtp.fail);
	}
}

void mx_set_finish(struct mx_set *s, int expired)
{
	if (expired && s->status == 0 && s->n == 0 && s->fail.cls == FAIL_NONE)
		fail_set(&s->fail, FAIL_TIMEOUT, PHASE_DNS, ARES_ETIMEOUT, "MX lookup of %s",
			 s->domain);
	if (s->cause == NULL)
		mx_set_settled(s);
	for (int i = 0; i < s->n; i++)
		mx_host_finish(&s->mx[i], expired);
}

int mx_addr_ok(const struct mx_addr *a)
{
	return a->probed && a->probe_cause != NULL && a->probe_cause->state != STATE_CRITICAL;
}

int mx_host_ok(const struct mx_host *h)
{
	if (h->cause != NULL && h->cause->state == STATE_CRITICAL)
		return 0;
	for (int i = 0; i < h->naddr; i++)
		if (mx_addr_ok(&h->addr[i]))
			return 1;
	return 0;
}

/* Record a problem in v when it is worse than the one held (the first wins among equals). */
static void mx_problem(struct mx_verdict *v, const struct fail *f, const struct cause *c,
		       enum state st, int host, int addr)
{
	v->state = state_worst(v->state, st);
	if (st == STATE_OK || (v->fail != NULL && state_worst(v->shown, st) == v->shown))
		return;
	v->shown = st;
	v->cause = c;
	v->fail = f;
	v->host = host;
	v->addr = addr;
}

/* The problems of one host and its addresses. */
static void mx_host_problems(const struct mx_set *s, enum state failed, int i, struct mx_verdict *v)
{
	const struct mx_host *h = &s->mx[i];
	int ok = mx_host_ok(h);

	if (h->fail.cls != FAIL_NONE && h->cause != NULL)
		mx_problem(v, &h->fail, h->cause, ok ? h->cause->state : failed, i, -1);
	for (int j = 0; j < h->naddr; j++) {
		const struct mx_addr *a = &h->addr[j];

		if (a->probe_cause == NULL || !a->probed)
			continue;
		/* A failed MX costs a WARNING; the healthy-count thresholds may raise it. */
		if (!mx_addr_ok(a))
			mx_problem(v, &a->probe.smtp.fail, a->probe_cause, failed, i, j);
		else if (a->probe.smtp.fail.cls != FAIL_NONE)
			mx_problem(v, &a->probe.smtp.fail, a->probe_cause, a->probe_cause->state, i,
				   j);
	}
}

/* Reverse-DNS problems, after every other problem of the same state. */
static void mx_rdns_problems(const struct mx_set *s, const struct mx_policy *p,
			     struct mx_verdict *v)
{
	if (p->rdns_state < 0)
		return;
	for (int i = 0; i < s->n; i++)
		for (int j = 0; j < s->mx[i].naddr; j++) {
			const struct mx_addr *a = &s->mx[i].addr[j];

			if (a->rdns.cls != FAIL_NONE && a->rdns_cause != NULL)
				mx_problem(v, &a->rdns, a->rdns_cause, (enum state)p->rdns_state, i,
					   j);
		}
}

/* Record an unmet requirement in req and in v. */
static void mx_unmet(struct mx_verdict *v, const struct fail *req, int host)
{
	mx_problem(v, req, classify(req), STATE_CRITICAL, host, -1);
}

/* --require-primary (judged on the most preferred MX of the whole answer) and --require-ipv6. */
static void mx_requirements(const struct mx_set *s, const struct mx_policy *p, struct mx_verdict *v,
			    struct fail *req)
{
	int v6 = 0;

	for (int i = 0; i < s->n; i++)
		for (int j = 0; j < s->mx[i].naddr; j++)
			v6 |= s->mx[i].addr[j].addr.ss.ss_family == AF_INET6 &&
			      mx_addr_ok(&s->mx[i].addr[j]);
	if (p->require_ipv6 && !v6) {
		fail_set(&req[0], FAIL_REQUIRE, PHASE_NONE, FAIL_MXERR_IPV6,
			 "no MX works over IPv6");
		mx_unmet(v, &req[0], -1);
	}
	if (p->require_primary && s->n > 0 && !mx_host_ok(&s->mx[0])) {
		fail_set(&req[1], FAIL_REQUIRE, PHASE_NONE, FAIL_MXERR_PRIMARY,
			 "the primary MX %s does not work", s->mx[0].name);
		mx_unmet(v, &req[1], 0);
	}
}

/*
 * 1 when the -t state applies: the check as a whole ran out of time. The
 * problem shown is a timeout, it decides the state, and no MX answered
 * (the MX lookup itself timed out, or every MX failed). One stalled MX
 * among working ones is a failed MX with its cause, not a timed-out check:
 * mail is deliverable and the check knew it within -t.
 */
static int mx_timed_out(const struct mx_verdict *v)
{
	return v->fail != NULL && v->cause->timeout && v->shown == v->state && v->healthy == 0;
}

void mx_verdict(const struct mx_set *s, const struct mx_policy *p, struct mx_verdict *v)
{
	struct fail *req = v->req;
	enum state thr;

	memset(v, 0, sizeof(*v));
	v->cause = classify(&req[0]); /* the "ok" cause of an empty record */
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
		mx_unmet(v, &req[0], -1);
		return;
	}
	if (s->fail.cls != FAIL_NONE && s->cause != NULL)
		mx_problem(v, &s->fail, s->cause, s->cause->state, -1, -1);
	if (s->n > 0) {
		thr = thresholds_eval(&p->healthy, v->healthy);
		v->state = state_worst(v->state, thr);
		for (int i = 0; i < s->n; i++)
			mx_host_problems(s, state_worst(thr, STATE_WARNING), i, v);
		mx_requirements(s, p, v, req);
		mx_rdns_problems(s, p, v);
	}
	v->timed_out = mx_timed_out(v);
}
