/*
 * spf.c - check_host() of RFC 7208 as a state machine over lookup
 * callbacks (spf.h).
 *
 * One lookup is outstanding at a time (s->wait names it); its callback
 * records the answer and calls spf_step, which evaluates terms until the
 * next lookup or the end. include pushes a frame (§5.2), redirect replaces
 * the current one (§6.1); the limits of §4.6.4 are global counters. The
 * evaluator owns its frames and their parsed records.
 */
#include <ares.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dns/spf.h"

/* Depth: every include costs a lookup, so SPF_MAX_LOOKUPS bounds it. */
#define SPF_MAX_DEPTH (SPF_MAX_LOOKUPS + 2)

enum spf_wait {
	SPF_WAIT_NONE,
	SPF_WAIT_RECORD,
	SPF_WAIT_A,
	SPF_WAIT_MX,
	SPF_WAIT_MX_ADDR,
	SPF_WAIT_PTR,
	SPF_WAIT_PTR_ADDR,
	SPF_WAIT_EXISTS,
	SPF_WAIT_P_PTR,
	SPF_WAIT_P_ADDR,
	SPF_WAIT_EXP,
	SPF_WAIT_DONE,
};

/* One check_host() in progress: a domain and its record. */
struct spf_frame {
	char domain[SPF_DOMAIN_MAX];
	struct spf_record rec;
	int loaded;
	int next;       /* the term being evaluated */
	int redirected; /* reached by redirect= (§6.1: "none" is a permerror) */
};

struct spf {
	struct spf_dns dns;
	struct net_addr ip;
	int family;
	char sender[SPF_SENDER_MAX];
	char helo[SPF_DOMAIN_MAX];
	char receiver[SPF_DOMAIN_MAX];
	int has_receiver;
	long long now;
	size_t local_len;    /* sender[0..local_len) is the local part */
	const char *sdomain; /* into sender */
	spf_done_cb *done;
	void *arg;
	spf_trace_cb *trace;
	void *trace_arg;
	struct spf_frame frame[SPF_MAX_DEPTH];
	int depth; /* frames in use */
	enum spf_wait wait;
	char target[SPF_DOMAIN_MAX];
	char names[SPF_MAX_NAMES][DNS_NAME_MAX]; /* MX or PTR names in progress */
	int nnames, iname;
	int p_state; /* %{p}: 0 unresolved, 1 resolved */
	char p_name[SPF_DOMAIN_MAX];
	struct spf_outcome out;
};

/* The states by name, for the trace (index: enum spf_wait). */
static const char *const spf_wait_names[] = {
	[SPF_WAIT_NONE] = "evaluate",   [SPF_WAIT_RECORD] = "TXT",     [SPF_WAIT_A] = "A/AAAA",
	[SPF_WAIT_MX] = "MX",           [SPF_WAIT_MX_ADDR] = "A/AAAA", [SPF_WAIT_PTR] = "PTR",
	[SPF_WAIT_PTR_ADDR] = "A/AAAA", [SPF_WAIT_EXISTS] = "A",       [SPF_WAIT_P_PTR] = "PTR",
	[SPF_WAIT_P_ADDR] = "A/AAAA",   [SPF_WAIT_EXP] = "TXT",        [SPF_WAIT_DONE] = "done",
};

static void spf_step(struct spf *s);

/* One line of the trace, when the caller asked for one. */
__attribute__((format(printf, 2, 3))) static void spf_tracef(const struct spf *s, const char *fmt,
							     ...)
{
	char line[SPF_TERM_MAX + 2 * SPF_DOMAIN_MAX];
	va_list ap;

	if (s->trace == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->trace(line, s->trace_arg);
}

/* Enter the wait for a lookup of name (the caller then asks for it). */
static void spf_ask(struct spf *s, enum spf_wait w, const char *name)
{
	s->wait = w;
	spf_tracef(s, "lookup %s %s%s", spf_wait_names[w], name,
		   w == SPF_WAIT_P_PTR ? " (for %{p})"
		   : w == SPF_WAIT_EXP ? " (exp=)"
				       : "");
}

/* The frame being evaluated. */
static struct spf_frame *spf_top(struct spf *s)
{
	return &s->frame[s->depth - 1];
}

/* End the evaluation with r; error (printf-like) for permerror and temperror. */
__attribute__((format(printf, 3, 4))) static void spf_end(struct spf *s, enum spf_result r,
							  const char *fmt, ...)
{
	if (s->wait == SPF_WAIT_DONE)
		return;
	s->wait = SPF_WAIT_DONE;
	s->out.result = r;
	spf_tracef(s, "result %s", spf_result_name(r));
	if (fmt != NULL) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(s->out.error, sizeof(s->out.error), fmt, ap);
		va_end(ap);
		dns_name_copy(s->out.domain, spf_top(s)->domain);
	}
	s->done(&s->out, s->arg);
}

/* 1 when a lookup status is an answer without data (NXDOMAIN or NODATA, §4.6.4 "void"). */
static int spf_void_status(int status)
{
	return status == ARES_ENOTFOUND || status == ARES_ENODATA || status == ARES_EBADNAME;
}

/* Count a void lookup; 0, or -1 after ending with permerror (§4.6.4). */
static int spf_count_void(struct spf *s)
{
	if (++s->out.void_lookups <= SPF_MAX_VOID)
		return 0;
	spf_end(s, SPF_PERMERROR, "more than %d void lookups", SPF_MAX_VOID);
	return -1;
}

/* The macro environment of the current frame. */
static void spf_env(struct spf *s, struct spf_macro_env *e, int exp)
{
	memset(e, 0, sizeof(*e));
	e->sender = s->sender;
	e->local = s->sender;
	e->local_len = s->local_len;
	e->sender_domain = s->sdomain;
	e->domain = spf_top(s)->domain;
	e->ip = &s->ip;
	e->helo = s->helo;
	e->validated = s->p_state ? s->p_name : NULL;
	e->receiver = s->has_receiver ? s->receiver : NULL;
	e->now = s->now;
	e->exp = exp;
}

/* Expand the domain-spec of a term (or the current domain) into s->target; -1 after permerror. */
static int spf_target(struct spf *s, const char *spec, size_t len)
{
	struct spf_macro_env e;
	char err[SPF_ERR_MAX];

	if (spec == NULL || len == 0) {
		dns_name_copy(s->target, spf_top(s)->domain);
		return 0;
	}
	spf_env(s, &e, 0);
	if (spf_macro_domain(spec, len, &e, s->target, err, sizeof(err)) == 0)
		return 0;
	spf_end(s, SPF_PERMERROR, "%.*s: %s", (int)len, spec, err);
	return -1;
}

/* Push a frame for domain (include), or replace the top one (redirect). */
static void spf_enter(struct spf *s, const char *domain, int redirect)
{
	struct spf_frame *f;

	if (redirect) {
		f = spf_top(s);
		spf_record_reset(&f->rec);
	} else {
		f = &s->frame[s->depth++];
	}
	memset(f, 0, sizeof(*f));
	dns_name_copy(f->domain, domain);
	f->redirected = redirect;
}

static void spf_on_exp(const struct dns_txt *res, void *arg);

/* The top-level term t matched: the result is its qualifier (§4.6.2), fail with exp= (§6.2). */
static void spf_top_match(struct spf *s, const struct spf_term *t)
{
	const struct spf_frame *f = spf_top(s);

	snprintf(s->out.mechanism, sizeof(s->out.mechanism), "%s", t->text);
	dns_name_copy(s->out.domain, f->domain);
	if (t->qual != SPF_FAIL || f->rec.exp == NULL) {
		spf_end(s, t->qual, NULL);
		return;
	}
	{
		struct spf_macro_env e;
		char err[SPF_ERR_MAX];

		spf_env(s, &e, 0);
		if (spf_macro_domain(f->rec.exp, f->rec.exp_len, &e, s->target, err, sizeof(err)) !=
		    0) {
			spf_end(s, SPF_FAIL, NULL); /* §6.2: no explanation, still fail */
			return;
		}
	}
	spf_ask(s, SPF_WAIT_EXP, s->target);
	s->dns.txt(s->dns.ctx, s->target, spf_on_exp, s);
}

/* The current frame's check_host() returned r (§5.2 for an include, §6.1 for a redirect). */
static void spf_frame_result(struct spf *s, enum spf_result r)
{
	struct spf_frame *f;
	const struct spf_term *t;
	char inc[SPF_DOMAIN_MAX];

	if (s->depth == 1) {
		if (r == SPF_NONE && spf_top(s)->redirected) {
			spf_end(s, SPF_PERMERROR, "redirect to a domain without SPF record");
			return;
		}
		dns_name_copy(s->out.domain, spf_top(s)->domain);
		spf_end(s, r, NULL);
		return;
	}
	if (r == SPF_NONE) {
		spf_end(s, SPF_PERMERROR, "include of a domain without SPF record");
		return;
	}
	dns_name_copy(inc, spf_top(s)->domain);
	spf_record_reset(&spf_top(s)->rec);
	s->depth--;
	f = spf_top(s);
	t = &f->rec.term[f->next];
	spf_tracef(s, "%s: %s: %s, %s", f->domain, t->text, spf_result_name(r),
		   r == SPF_PASS ? "matched" : "no match");
	if (r != SPF_PASS) {
		f->next++;
		spf_step(s);
		return;
	}
	if (s->depth == 1)
		spf_top_match(s, t);
	else
		spf_frame_result(s, t->qual);
}

/* Term t of the current frame matched. */
static void spf_match(struct spf *s, const struct spf_term *t)
{
	spf_tracef(s, "%s: %s matched", spf_top(s)->domain, t->text);
	if (s->depth == 1)
		spf_top_match(s, t);
	else
		spf_frame_result(s, t->qual);
}

/* The current term did not match: on to the next. */
static void spf_next(struct spf *s)
{
	spf_top(s)->next++;
	spf_step(s);
}

/* A DNS failure (§4.4, §5): temperror unless the caller may go on. */
static void spf_dns_error(struct spf *s, const char *what, const char *name, int status)
{
	spf_end(s, SPF_TEMPERROR, "DNS error on %s %s: %s", what, name, dns_strerror(status));
}

/*
 * 1 when the resolver library refused a name that DNS allows: ARES_EBADNAME
 * for a name of legal length whose labels fit (c-ares >= 1.34 refuses
 * bytes such as '%' that a macro's URL escaping makes, §7.3). Nothing was
 * asked, so nothing is known: temperror, never a void lookup.
 */
static int spf_name_refused(int status, const char *name)
{
	size_t label = 0;

	if (status != ARES_EBADNAME || name == NULL || name[0] == '\0' ||
	    strlen(name) >= DNS_NAME_MAX)
		return 0;
	for (const char *p = name; *p != '\0'; p++) {
		label = *p == '.' ? 0 : label + 1;
		if (label > 63)
			return 0;
	}
	return 1;
}

/* End with temperror for a name the resolver library would not ask. */
static void spf_refused_error(struct spf *s, const char *what, const char *name)
{
	spf_end(s, SPF_TEMPERROR,
		"the resolver library refuses to ask for %s %s (a legal DNS name)", what, name);
}

/* ---- callbacks ---- */

/* The SPF record of the top frame (§4.4, §4.5). */
static void spf_on_record(const struct dns_txt *res, void *arg)
{
	struct spf *s = arg;
	struct spf_frame *f = spf_top(s);
	const struct dns_txt_rr *rec = NULL;
	char err[SPF_ERR_MAX];
	int n = 0;

	if (s->wait != SPF_WAIT_RECORD)
		return;
	s->wait = SPF_WAIT_NONE;
	if (spf_name_refused(res->status, f->domain)) {
		spf_refused_error(s, "TXT", f->domain);
		return;
	}
	if (spf_void_status(res->status)) {
		if ((s->depth > 1 || f->redirected) && spf_count_void(s) != 0)
			return;
		spf_frame_result(s, SPF_NONE);
		return;
	}
	if (res->status != ARES_SUCCESS) {
		spf_dns_error(s, "TXT", f->domain, res->status);
		return;
	}
	for (int i = 0; i < res->n; i++)
		if (spf_record_is_spf(res->rr[i].text, res->rr[i].len)) {
			rec = &res->rr[i];
			n++;
		}
	if (n == 0) {
		spf_frame_result(s, SPF_NONE);
		return;
	}
	if (n > 1) {
		spf_end(s, SPF_PERMERROR, "%d SPF records at %s", n, f->domain);
		return;
	}
	if (spf_record_parse(&f->rec, rec->text, rec->len, err, sizeof(err)) != 0) {
		spf_end(s, SPF_PERMERROR, "%s: %s", f->domain, err);
		return;
	}
	f->loaded = 1;
	spf_tracef(s, "%s: %.*s", f->domain, (int)rec->len, rec->text);
	spf_step(s);
}

/* 1 when one of the n addresses is within the term's CIDR of the client. */
static int spf_any_in(const struct spf *s, const struct spf_term *t, const struct net_addr *a,
		      int n)
{
	for (int i = 0; i < n; i++)
		if (spf_addr_in(&s->ip, &a[i], s->family == AF_INET ? t->cidr4 : t->cidr6))
			return 1;
	return 0;
}

/* The current term of the top frame. */
static const struct spf_term *spf_term(struct spf *s)
{
	struct spf_frame *f = spf_top(s);

	return &f->rec.term[f->next];
}

/* a (§5.3) and exists (§5.7): addresses of the target. */
static void spf_on_host(const struct dns_host *res, void *arg)
{
	struct spf *s = arg;
	const struct spf_term *t;

	if (s->wait != SPF_WAIT_A && s->wait != SPF_WAIT_EXISTS)
		return;
	t = spf_term(s);
	if (spf_name_refused(res->status, s->target)) {
		spf_refused_error(s, s->wait == SPF_WAIT_A ? "A/AAAA" : "A", s->target);
		return;
	}
	if (spf_void_status(res->status)) {
		s->wait = SPF_WAIT_NONE;
		if (spf_count_void(s) == 0)
			spf_next(s);
		return;
	}
	if (res->status != ARES_SUCCESS) {
		spf_dns_error(s, s->wait == SPF_WAIT_A ? "A/AAAA" : "A", s->target, res->status);
		return;
	}
	if (s->wait == SPF_WAIT_EXISTS ? res->n > 0 : spf_any_in(s, t, res->addr, res->n)) {
		s->wait = SPF_WAIT_NONE;
		spf_match(s, t);
		return;
	}
	s->wait = SPF_WAIT_NONE;
	spf_next(s);
}

static void spf_on_mx_addr(const struct dns_host *res, void *arg);

/* Ask for the addresses of the next MX name, or give up on the mechanism. */
static void spf_mx_next(struct spf *s)
{
	if (s->iname >= s->nnames) {
		s->wait = SPF_WAIT_NONE;
		spf_next(s);
		return;
	}
	spf_ask(s, SPF_WAIT_MX_ADDR, s->names[s->iname]);
	s->dns.host(s->dns.ctx, s->names[s->iname], s->family, spf_on_mx_addr, s);
}

/* mx (§5.4): the MX names, at most 10 (§4.6.4). */
static void spf_on_mx(const struct dns_mx_set *res, void *arg)
{
	struct spf *s = arg;

	if (s->wait != SPF_WAIT_MX)
		return;
	if (spf_void_status(res->status)) {
		s->wait = SPF_WAIT_NONE;
		if (spf_count_void(s) == 0)
			spf_next(s);
		return;
	}
	if (res->status != ARES_SUCCESS) {
		spf_dns_error(s, "MX", s->target, res->status);
		return;
	}
	if (res->n > SPF_MAX_NAMES) {
		spf_end(s, SPF_PERMERROR, "%s has %d MX records (at most %d)", s->target, res->n,
			SPF_MAX_NAMES);
		return;
	}
	s->nnames = s->iname = 0;
	for (int i = 0; i < res->n; i++)
		if (res->mx[i].name[0] != '\0') /* a null MX names no host */
			dns_name_copy(s->names[s->nnames++], res->mx[i].name);
	spf_mx_next(s);
}

/* The addresses of one MX name. */
static void spf_on_mx_addr(const struct dns_host *res, void *arg)
{
	struct spf *s = arg;

	if (s->wait != SPF_WAIT_MX_ADDR)
		return;
	if (res->status != ARES_SUCCESS && !spf_void_status(res->status)) {
		spf_dns_error(s, "A/AAAA", s->names[s->iname], res->status);
		return;
	}
	if (res->status == ARES_SUCCESS && spf_any_in(s, spf_term(s), res->addr, res->n)) {
		s->wait = SPF_WAIT_NONE;
		spf_match(s, spf_term(s));
		return;
	}
	s->iname++;
	spf_mx_next(s);
}

/* 1 when name is target or a subdomain of it (§5.5), ignoring case and a trailing dot. */
static int spf_name_within(const char *name, const char *target)
{
	size_t n = strlen(name), t = strlen(target);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (t > 0 && target[t - 1] == '.')
		t--;
	if (n < t || strncasecmp(name + n - t, target, t) != 0)
		return 0;
	return n == t || name[n - t - 1] == '.';
}

/* Keep the PTR names (at most 10, §4.6.4) within target ("" keeps all) in s->names. */
static void spf_ptr_names(struct spf *s, const struct dns_ptr *res, const char *target)
{
	s->nnames = s->iname = 0;
	for (int i = 0; i < res->n && i < SPF_MAX_NAMES; i++)
		if (target[0] == '\0' || spf_name_within(res->name[i], target))
			dns_name_copy(s->names[s->nnames++], res->name[i]);
}

static void spf_on_ptr_addr(const struct dns_host *res, void *arg);

/* Validate the next PTR name (forward lookup), or give up. */
static void spf_ptr_next(struct spf *s)
{
	if (s->iname >= s->nnames) {
		if (s->wait == SPF_WAIT_P_ADDR || s->wait == SPF_WAIT_P_PTR) {
			s->p_state = 1; /* no validated name: "unknown" */
			s->wait = SPF_WAIT_NONE;
			spf_step(s);
			return;
		}
		s->wait = SPF_WAIT_NONE;
		spf_next(s);
		return;
	}
	if (s->wait == SPF_WAIT_P_PTR || s->wait == SPF_WAIT_P_ADDR)
		spf_ask(s, SPF_WAIT_P_ADDR, s->names[s->iname]);
	else
		spf_ask(s, SPF_WAIT_PTR_ADDR, s->names[s->iname]);
	s->dns.host(s->dns.ctx, s->names[s->iname], s->family, spf_on_ptr_addr, s);
}

/* ptr (§5.5) and %{p} (§7.3): the names of the client address. */
static void spf_on_ptr(const struct dns_ptr *res, void *arg)
{
	struct spf *s = arg;

	if (s->wait != SPF_WAIT_PTR && s->wait != SPF_WAIT_P_PTR)
		return;
	if (res->status == ARES_ECANCELLED) {
		spf_dns_error(s, "PTR", "of the client", res->status);
		return;
	}
	if (s->wait == SPF_WAIT_PTR && spf_void_status(res->status) && spf_count_void(s) != 0)
		return;
	/* A PTR failure is no match (§5.5), and %{p} is then "unknown" (§7.3). */
	if (res->status != ARES_SUCCESS) {
		s->nnames = s->iname = 0;
	} else {
		spf_ptr_names(s, res, s->wait == SPF_WAIT_PTR ? s->target : "");
	}
	spf_ptr_next(s);
}

/* The forward lookup of one PTR name: validated when it holds the client address. */
static void spf_on_ptr_addr(const struct dns_host *res, void *arg)
{
	struct spf *s = arg;
	int ok = 0;

	if (s->wait != SPF_WAIT_PTR_ADDR && s->wait != SPF_WAIT_P_ADDR)
		return;
	if (res->status == ARES_ECANCELLED) {
		spf_dns_error(s, "A/AAAA", s->names[s->iname], res->status);
		return;
	}
	/* §5.5: a failed lookup skips that name. */
	for (int i = 0; res->status == ARES_SUCCESS && i < res->n && !ok; i++)
		ok = spf_addr_in(&s->ip, &res->addr[i], s->family == AF_INET ? 32 : 128);
	if (!ok) {
		s->iname++;
		spf_ptr_next(s);
		return;
	}
	if (s->wait == SPF_WAIT_P_ADDR) {
		s->p_state = 1;
		dns_name_copy(s->p_name, s->names[s->iname]);
		s->wait = SPF_WAIT_NONE;
		spf_step(s);
		return;
	}
	s->wait = SPF_WAIT_NONE;
	spf_match(s, spf_term(s));
}

/* The explanation TXT (§6.2): exactly one record, expanded with c, r and t allowed. */
static void spf_on_exp(const struct dns_txt *res, void *arg)
{
	struct spf *s = arg;
	struct spf_macro_env e;
	char err[SPF_ERR_MAX];

	if (s->wait != SPF_WAIT_EXP)
		return;
	s->wait = SPF_WAIT_NONE;
	if (res->status == ARES_SUCCESS && res->n == 1 &&
	    memchr(res->rr[0].text, '\0', res->rr[0].len) == NULL) {
		spf_env(s, &e, 1);
		if (spf_macro_expand(res->rr[0].text, res->rr[0].len, &e, s->out.explanation,
				     sizeof(s->out.explanation), err, sizeof(err)) >= 0)
			s->out.has_explanation = 1;
		else
			s->out.explanation[0] = '\0';
	}
	spf_end(s, SPF_FAIL, NULL);
}

/* ---- the term loop ---- */

/* 1 when the term (or, at the end of the record, redirect=) needs %{p} not yet known. */
static int spf_needs_p(const struct spf *s, const char *spec, size_t len)
{
	return !s->p_state && spec != NULL && spf_macro_uses_p(spec, len);
}

/* Count a DNS-querying term (§4.6.4); -1 after permerror. */
static int spf_count_lookup(struct spf *s)
{
	if (++s->out.lookups <= SPF_MAX_LOOKUPS)
		return 0;
	spf_end(s, SPF_PERMERROR, "more than %d DNS lookups", SPF_MAX_LOOKUPS);
	return -1;
}

/* 1 when the record has an "all" mechanism (§6.1: redirect is then ignored). */
static int spf_has_all(const struct spf_record *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->term[i].mech == SPF_MECH_ALL)
			return 1;
	return 0;
}

/* Start the lookup of a DNS mechanism t; its callback continues. */
static void spf_lookup(struct spf *s, const struct spf_term *t)
{
	if (spf_count_lookup(s) != 0 || spf_target(s, t->spec, t->spec_len) != 0)
		return;
	switch (t->mech) {
	case SPF_MECH_INCLUDE: spf_enter(s, s->target, 0); break; /* spf_step asks for its record */
	case SPF_MECH_A:
		spf_ask(s, SPF_WAIT_A, s->target);
		s->dns.host(s->dns.ctx, s->target, s->family, spf_on_host, s);
		return;
	case SPF_MECH_EXISTS: /* §5.7: always an A query */
		spf_ask(s, SPF_WAIT_EXISTS, s->target);
		s->dns.host(s->dns.ctx, s->target, AF_INET, spf_on_host, s);
		return;
	case SPF_MECH_MX:
		spf_ask(s, SPF_WAIT_MX, s->target);
		s->dns.mx(s->dns.ctx, s->target, spf_on_mx, s);
		return;
	case SPF_MECH_PTR:
		spf_ask(s, SPF_WAIT_PTR, "of the client address");
		s->dns.ptr(s->dns.ctx, &s->ip, spf_on_ptr, s);
		return;
	default: break;
	}
	spf_step(s);
}

/* The end of a record without a match: redirect= or the default neutral (§4.7, §6.1). */
static void spf_end_of_record(struct spf *s)
{
	const struct spf_frame *f = spf_top(s);

	if (f->rec.redirect == NULL || spf_has_all(&f->rec)) {
		spf_frame_result(s, SPF_NEUTRAL);
		return;
	}
	if (spf_count_lookup(s) != 0 || spf_target(s, f->rec.redirect, f->rec.redirect_len) != 0)
		return;
	spf_tracef(s, "%s: redirect=%s", f->domain, s->target);
	spf_enter(s, s->target, 1);
	spf_step(s);
}

/* Evaluate the current frame from its current term until a lookup is outstanding or the end. */
static void spf_step(struct spf *s)
{
	while (s->wait == SPF_WAIT_NONE) {
		struct spf_frame *f = spf_top(s);
		const struct spf_term *t;
		const char *spec;
		size_t spec_len;

		if (!f->loaded) {
			spf_ask(s, SPF_WAIT_RECORD, f->domain);
			s->dns.txt(s->dns.ctx, f->domain, spf_on_record, s);
			return;
		}
		t = f->next < f->rec.n ? &f->rec.term[f->next] : NULL;
		spec = t != NULL ? t->spec : f->rec.redirect;
		spec_len = t != NULL ? t->spec_len : f->rec.redirect_len;
		if (spf_needs_p(s, spec, spec_len)) {
			spf_ask(s, SPF_WAIT_P_PTR, "of the client address");
			s->dns.ptr(s->dns.ctx, &s->ip, spf_on_ptr, s);
			return;
		}
		if (t == NULL) {
			spf_end_of_record(s);
			return;
		}
		switch (t->mech) {
		case SPF_MECH_ALL: spf_match(s, t); return;
		case SPF_MECH_IP4:
		case SPF_MECH_IP6:
			if (spf_addr_in(&s->ip, &t->net,
					t->mech == SPF_MECH_IP4 ? t->cidr4 : t->cidr6)) {
				spf_match(s, t);
				return;
			}
			f->next++;
			break;
		default: spf_lookup(s, t); return;
		}
	}
}

/* ---- the handle ---- */

/* Copy the identity (§2.4, §4.3): the null sender is postmaster@HELO, a bare domain postmaster@. */
static void spf_identity(struct spf *s, const struct spf_query *q)
{
	const char *snd = q->sender != NULL ? q->sender : "";
	const char *at;

	if (snd[0] == '\0')
		snprintf(s->sender, sizeof(s->sender), "postmaster@%s", s->helo);
	else if ((at = strrchr(snd, '@')) == NULL)
		snprintf(s->sender, sizeof(s->sender), "postmaster@%s", snd);
	else if (at == snd)
		snprintf(s->sender, sizeof(s->sender), "postmaster%s", snd);
	else
		snprintf(s->sender, sizeof(s->sender), "%s", snd);
	at = strrchr(s->sender, '@');
	s->local_len = (size_t)(at - s->sender);
	s->sdomain = at + 1;
}

struct spf *spf_new(const struct spf_dns *dns, const struct spf_query *q, spf_done_cb *done,
		    void *arg)
{
	struct spf *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->dns = *dns;
	spf_addr_unmap(&q->ip, &s->ip);
	s->family = s->ip.ss.ss_family;
	dns_name_copy(s->helo, q->helo != NULL ? q->helo : "");
	if (q->receiver != NULL) {
		s->has_receiver = 1;
		dns_name_copy(s->receiver, q->receiver);
	}
	s->now = q->now;
	s->done = done;
	s->arg = arg;
	s->trace = q->trace;
	s->trace_arg = q->trace_arg;
	spf_identity(s, q);
	snprintf(s->out.sender, sizeof(s->out.sender), "%s", s->sender);
	s->wait = SPF_WAIT_NONE;
	return s;
}

void spf_start(struct spf *s)
{
	spf_enter(s, s->sdomain, 0);
	dns_name_copy(s->out.domain, s->sdomain);
	/* §4.3: a malformed or single-label domain has no SPF: "none". */
	if (!spf_domain_ok(s->sdomain) || strlen(s->sdomain) >= SPF_DOMAIN_MAX) {
		spf_end(s, SPF_NONE, NULL);
		return;
	}
	spf_step(s);
}

const struct spf_outcome *spf_outcome(const struct spf *s)
{
	return &s->out;
}

void spf_free(struct spf *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->depth; i++)
		spf_record_reset(&s->frame[i].rec);
	free(s);
}
