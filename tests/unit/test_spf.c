/*
 * test_spf.c - the SPF record parser, the macro expander (RFC 7208 §7.4
 * examples) and the evaluator, driven from a table of recorded answers
 * through the struct spf_dns interface (no sockets, no loop).
 *
 * The fake resolver queues every question; pump() answers them one at a
 * time from the table, as the loop would, and checks that the evaluator
 * never has more than one outstanding.
 */
#include <check.h>
#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns/spf.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- parser ---- */

static const struct parse_case {
	const char *record;
	int ok;          /* 1: parses */
	int terms;       /* directives when ok */
	const char *err; /* a part of the message when not */
} parse_cases[] = {
	{"v=spf1", 1, 0, NULL},
	{"v=spf1 -all", 1, 1, NULL},
	{"v=spf1   -all  ", 1, 1, NULL},
	{"V=SPF1 +A/24 MX:%{d}.example/24//64 ~ptr ?exists:%{i}.x.example ip4:192.0.2.1 "
	 "ip6:2001:db8::/32 include:a.example redirect=b.example exp=c.example foo=bar -all",
	 1, 8, NULL},
	{"v=spf1 include:example.com. exists:%{i} a//64 mx/0 ip4:0.0.0.0/0 ip6:::/0", 1, 6, NULL},
	{"v=spf1 foo.bar-x_y=%{d}.example", 1, 0, NULL},
	{"v=spf1 ip4:192.0.2.1/33", 0, 0, "CIDR"},
	{"v=spf1 ip6:::1/129", 0, 0, "CIDR"},
	{"v=spf1 a:example.com/01", 0, 0, "CIDR"},
	{"v=spf1 a/", 0, 0, "invalid mechanism"},
	{"v=spf1 include:", 0, 0, "empty domain-spec"},
	{"v=spf1 include:com", 0, 0, "invalid domain-spec"},
	{"v=spf1 include:example.-bad", 0, 0, "invalid domain-spec"},
	{"v=spf1 include:example.123", 0, 0, "invalid domain-spec"},
	{"v=spf1 exists:%%{d}", 0, 0, "invalid domain-spec"},
	{"v=spf1 all:foo", 0, 0, "invalid mechanism"},
	{"v=spf1 ip4:2001:db8::1", 0, 0, "invalid mechanism"},
	{"v=spf1 ip6:192.0.2.1", 0, 0, "invalid mechanism"},
	{"v=spf1 ip4:192.0.2", 0, 0, "invalid mechanism"},
	{"v=spf1 ip4:[192.0.2.1]", 0, 0, "invalid mechanism"},
	{"v=spf1 foo:bar", 0, 0, "unknown mechanism"},
	{"v=spf1 -all\t", 0, 0, "invalid mechanism"},
	{"v=spf1 redirect=a.example redirect=b.example", 0, 0, "more than one redirect"},
	{"v=spf1 exp=a.example EXP=b.example", 0, 0, "more than one"},
	{"v=spf1 -redirect=a.example", 0, 0, "modifier name"},
	{"v=spf1 1foo=bar", 0, 0, "modifier name"},
	{"v=spf1 foo=%{x}", 0, 0, "macro letter"},
	{"v=spf1 exists:%{c}.example.com", 0, 0, "only in an explanation"},
	{"v=spf10 -all", 0, 0, "not an SPF record"},
	{"v=spf1\t-all", 0, 0, "not an SPF record"},
	{"spf1 -all", 0, 0, "not an SPF record"},
};

START_TEST(test_spf_parse)
{
	const struct parse_case *c = &parse_cases[_i];
	struct spf_record r = {0};
	char err[SPF_ERR_MAX] = "";
	int rc = spf_record_parse(&r, c->record, strlen(c->record), err, sizeof(err));

	ck_assert_msg((rc == 0) == c->ok, "'%s': got rc %d (%s), want %s", c->record, rc, err,
		      c->ok ? "ok" : "error");
	if (c->ok)
		ck_assert_msg(r.n == c->terms, "'%s': got %d terms, want %d", c->record, r.n,
			      c->terms);
	else
		ck_assert_msg(strstr(err, c->err) != NULL, "'%s': got error '%s', want '%s'",
			      c->record, err, c->err);
	spf_record_reset(&r);
}
END_TEST

START_TEST(test_spf_parse_fields)
{
	static const char rec[] = "v=spf1 -a:host.example/24//64 ~mx//48 ?ip4:192.0.2.0/25 "
				  "ip6:2001:db8::/40 exp=why.%{d} redirect=other.example";
	struct spf_record r = {0};
	char err[SPF_ERR_MAX], a[64];

	ck_assert_int_eq(spf_record_parse(&r, rec, strlen(rec), err, sizeof(err)), 0);
	ck_assert_int_eq(r.n, 4);
	ck_assert_int_eq(r.term[0].mech, SPF_MECH_A);
	ck_assert_int_eq(r.term[0].qual, SPF_FAIL);
	ck_assert_msg(r.term[0].spec_len == 12 && strncmp(r.term[0].spec, "host.example", 12) == 0,
		      "got spec '%.*s', want host.example", (int)r.term[0].spec_len,
		      r.term[0].spec);
	ck_assert_int_eq(r.term[0].cidr4, 24);
	ck_assert_int_eq(r.term[0].cidr6, 64);
	ck_assert_int_eq(r.term[1].qual, SPF_SOFTFAIL);
	ck_assert_int_eq(r.term[1].cidr4, 32);
	ck_assert_int_eq(r.term[1].cidr6, 48);
	ck_assert_int_eq(r.term[1].spec_len, 0);
	ck_assert_int_eq(r.term[2].qual, SPF_NEUTRAL);
	ck_assert_int_eq(r.term[2].cidr4, 25);
	ck_assert_str_eq(net_addr_str(&r.term[2].net, a, sizeof(a)), "192.0.2.0");
	ck_assert_int_eq(r.term[3].cidr6, 40);
	ck_assert_str_eq(r.term[3].text, "ip6:2001:db8::/40");
	ck_assert_msg(r.exp != NULL && strncmp(r.exp, "why.%{d}", r.exp_len) == 0, "exp");
	ck_assert_msg(r.redirect != NULL &&
			      strncmp(r.redirect, "other.example", r.redirect_len) == 0,
		      "redirect");
	spf_record_reset(&r);
}
END_TEST

/* ---- macros: RFC 7208 §7.4 ---- */

static const struct macro_case {
	const char *ip;
	const char *in;
	const char *want; /* NULL: a syntax error */
	int exp;
} macro_cases[] = {
	{"192.0.2.3", "%{s}", "strong-bad@email.example.com", 0},
	{"192.0.2.3", "%{o}", "email.example.com", 0},
	{"192.0.2.3", "%{d}", "email.example.com", 0},
	{"192.0.2.3", "%{d4}", "email.example.com", 0},
	{"192.0.2.3", "%{d3}", "email.example.com", 0},
	{"192.0.2.3", "%{d2}", "example.com", 0},
	{"192.0.2.3", "%{d1}", "com", 0},
	{"192.0.2.3", "%{dr}", "com.example.email", 0},
	{"192.0.2.3", "%{d2r}", "example.email", 0},
	{"192.0.2.3", "%{l}", "strong-bad", 0},
	{"192.0.2.3", "%{l-}", "strong.bad", 0},
	{"192.0.2.3", "%{lr}", "strong-bad", 0},
	{"192.0.2.3", "%{lr-}", "bad.strong", 0},
	{"192.0.2.3", "%{l1r-}", "strong", 0},
	{"192.0.2.3", "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com", 0},
	{"192.0.2.3", "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com", 0},
	{"192.0.2.3", "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	 "bad.strong.lp.3.2.0.192.in-addr._spf.example.com", 0},
	{"192.0.2.3", "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
	 "3.2.0.192.in-addr.strong.lp._spf.example.com", 0},
	{"192.0.2.3", "%{d2}.trusted-domains.example.net",
	 "example.com.trusted-domains.example.net", 0},
	{"2001:db8::cb01", "%{ir}.%{v}._spf.%{d2}",
	 "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com", 0},
	{"2001:db8::cb01", "%{i}",
	 "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1", 0},
	{"2001:db8::cb01", "%{c}", "2001:db8::cb01", 1},
	/* escapes, URL encoding, delimiters, transformers past the parts */
	{"192.0.2.3", "a%%b%_c%-d", "a%b c%20d", 0},
	{"192.0.2.3", "%{S}", "strong-bad%40email.example.com", 0},
	{"192.0.2.3", "%{l+-,/_=}", "strong.bad", 0},
	{"192.0.2.3", "%{d99}", "email.example.com", 0},
	{"192.0.2.3", "%{D2R}", "example.email", 0},
	{"192.0.2.3", "%{h}", "mx.example.org", 0},
	{"192.0.2.3", "%{p}", "unknown", 0},
	{"192.0.2.3", "%{r} %{t}", "unknown 1700000000", 1},
	{"192.0.2.3", "%{c} %{v}", "192.0.2.3 in-addr", 1},
	{"192.0.2.3", "%{c}", NULL, 0},
	{"192.0.2.3", "%{t}", NULL, 0},
	{"192.0.2.3", "%{x}", NULL, 0},
	{"192.0.2.3", "%{d0}", NULL, 0},
	{"192.0.2.3", "%{d", NULL, 0},
	{"192.0.2.3", "%{d2r-x}", NULL, 0},
	{"192.0.2.3", "%", NULL, 0},
	{"192.0.2.3", "%a", NULL, 0},
	{"192.0.2.3", "a b", NULL, 0},
	{"192.0.2.3", "a b", "a b", 1},
};

START_TEST(test_spf_macro)
{
	const struct macro_case *c = &macro_cases[_i];
	struct net_addr ip;
	struct spf_macro_env e = {
		.sender = "strong-bad@email.example.com",
		.local = "strong-bad@email.example.com",
		.local_len = 10,
		.sender_domain = "email.example.com",
		.domain = "email.example.com",
		.ip = &ip,
		.helo = "mx.example.org",
		.now = 1700000000,
		.exp = c->exp,
	};
	char out[512], err[SPF_ERR_MAX] = "";
	int n;

	ck_assert_int_eq(net_addr_parse(c->ip, 0, &ip), 0);
	n = spf_macro_expand(c->in, strlen(c->in), &e, out, sizeof(out), err, sizeof(err));
	if (c->want == NULL) {
		ck_assert_msg(n < 0, "'%s': got '%s', want a syntax error", c->in, out);
		return;
	}
	ck_assert_msg(n >= 0, "'%s': got error %s, want '%s'", c->in, err, c->want);
	ck_assert_msg(strcmp(out, c->want) == 0, "'%s': got '%s', want '%s'", c->in, out, c->want);
	ck_assert_int_eq(n, (int)strlen(c->want));
}
END_TEST

/* §7.3: an expansion longer than 253 characters loses labels on the left. */
START_TEST(test_spf_macro_domain_cut)
{
	char spec[400], out[SPF_DOMAIN_MAX], err[SPF_ERR_MAX], full[512];
	struct net_addr ip;
	struct spf_macro_env e = {.domain = "d.example", .ip = &ip, .sender = "", .local = ""};
	size_t n = 0;

	ck_assert_int_eq(net_addr_parse("192.0.2.1", 0, &ip), 0);
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "label%03d.", i);
	snprintf(spec + n, sizeof(spec) - n, "%%{d}.");
	ck_assert_int_eq(spf_macro_domain(spec, strlen(spec), &e, out, err, sizeof(err)), 0);
	ck_assert_msg(strlen(out) <= 253, "got %zu characters, want at most 253", strlen(out));
	snprintf(full, sizeof(full), "%.*sd.example", (int)n, spec);
	ck_assert_msg(strlen(full) > 253, "the test wants a long name");
	ck_assert_msg(strcmp(out, full + strlen(full) - strlen(out)) == 0 && out[0] != '.' &&
			      full[strlen(full) - strlen(out) - 1] == '.',
		      "got '%s', want a label-aligned right part of '%s'", out, full);
	ck_assert_msg(spf_macro_uses_p("x.%{p}", 6) == 1 && spf_macro_uses_p("x.%%{p}", 7) == 0,
		      "spf_macro_uses_p");
}
END_TEST

START_TEST(test_spf_addr)
{
	struct net_addr a, n;

	ck_assert_int_eq(net_addr_parse("192.0.2.129", 0, &a), 0);
	ck_assert_int_eq(net_addr_parse("192.0.2.128", 0, &n), 0);
	ck_assert_int_eq(spf_addr_in(&a, &n, 25), 1);
	ck_assert_int_eq(spf_addr_in(&a, &n, 32), 0);
	ck_assert_int_eq(spf_addr_in(&a, &n, 0), 1);
	ck_assert_int_eq(net_addr_parse("::ffff:192.0.2.129", 0, &a), 0);
	ck_assert_int_eq(spf_addr_in(&a, &n, 25), 1);
	ck_assert_int_eq(net_addr_parse("2001:db8::1", 0, &n), 0);
	ck_assert_int_eq(spf_addr_in(&a, &n, 0), 0); /* family differs */
	ck_assert_int_eq(net_addr_parse("2001:db8:ffff::1", 0, &a), 0);
	ck_assert_int_eq(spf_addr_in(&a, &n, 32), 1);
	ck_assert_int_eq(spf_addr_in(&a, &n, 33), 0);
	ck_assert_int_eq(spf_domain_ok("example.com"), 1);
	ck_assert_int_eq(spf_domain_ok("example.com."), 1);
	ck_assert_int_eq(spf_domain_ok("localhost"), 0);
	ck_assert_int_eq(spf_domain_ok("a..example"), 0);
	ck_assert_int_eq(spf_domain_ok(""), 0);
}
END_TEST

/* ---- the evaluator on recorded answers ---- */

/*
 * One recorded answer: type 'T' (TXT), 'A' (A or AAAA by the address), 'M'
 * (MX, data the exchange), 'P' (PTR, name the address), 'F' (this name and
 * type fail with status, for type in data[0]).
 */
struct fake_rr {
	char type;
	const char *name;
	const char *data;
	int status;
};

#define FAKE_MAX_Q 8

struct fake_q {
	char type;
	char name[DNS_NAME_MAX];
	int family;
	void *cb;
	void *arg;
};

static struct fake {
	const struct fake_rr *rr;
	int nrr;
	struct fake_q q[FAKE_MAX_Q];
	int nq;
	int asked;
	int max_outstanding;
	int cancel; /* deliver ARES_ECANCELLED to everything */
} fk;

/* Queue one question (answered later by fake_pump). */
static void fake_ask(char type, const char *name, int family, void *cb, void *arg)
{
	struct fake_q *q = &fk.q[fk.nq++];

	ck_assert_msg(fk.nq <= FAKE_MAX_Q, "too many questions queued");
	q->type = type;
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->family = family;
	q->cb = cb;
	q->arg = arg;
	fk.asked++;
	if (fk.nq > fk.max_outstanding)
		fk.max_outstanding = fk.nq;
}

static void fake_txt(void *ctx, const char *name, spf_txt_cb *cb, void *arg)
{
	(void)ctx;
	fake_ask('T', name, 0, (void *)cb, arg);
}

static void fake_host(void *ctx, const char *name, int family, spf_host_cb *cb, void *arg)
{
	(void)ctx;
	fake_ask('A', name, family, (void *)cb, arg);
}

static void fake_mx(void *ctx, const char *name, spf_mx_cb *cb, void *arg)
{
	(void)ctx;
	fake_ask('M', name, 0, (void *)cb, arg);
}

static void fake_ptr(void *ctx, const struct net_addr *a, spf_ptr_cb *cb, void *arg)
{
	char ip[64];

	(void)ctx;
	fake_ask('P', net_addr_str(a, ip, sizeof(ip)), 0, (void *)cb, arg);
}

/* The status of a question with no matching record: failure, NODATA or NXDOMAIN. */
static int fake_status(const struct fake_q *q)
{
	int known = 0;

	if (fk.cancel)
		return ARES_ECANCELLED;
	for (int i = 0; i < fk.nrr; i++) {
		if (strcasecmp(fk.rr[i].name, q->name) != 0)
			continue;
		if (fk.rr[i].type == 'F' && fk.rr[i].data[0] == q->type)
			return fk.rr[i].status;
		known = 1;
	}
	return known ? ARES_ENODATA : ARES_ENOTFOUND;
}

/* Answer the oldest question from the table. */
static void fake_answer(struct fake_q *q)
{
	int status = fake_status(q);

	if (q->type == 'T') {
		struct dns_txt_rr rr[8];
		struct dns_txt res = {.rr = rr};

		for (int i = 0; i < fk.nrr && status == ARES_ENODATA && !fk.cancel; i++)
			if (fk.rr[i].type == 'T' && strcasecmp(fk.rr[i].name, q->name) == 0) {
				rr[res.n].text = (char *)fk.rr[i].data;
				rr[res.n++].len = strlen(fk.rr[i].data);
			}
		res.status = res.n > 0 ? ARES_SUCCESS : status;
		((spf_txt_cb *)q->cb)(&res, q->arg);
	} else if (q->type == 'A') {
		struct dns_host res = {0};

		for (int i = 0; i < fk.nrr && status == ARES_ENODATA && !fk.cancel; i++) {
			struct net_addr a;

			if (fk.rr[i].type != 'A' || strcasecmp(fk.rr[i].name, q->name) != 0 ||
			    net_addr_parse(fk.rr[i].data, 0, &a) != 0 ||
			    a.ss.ss_family != q->family)
				continue;
			res.addr[res.n++] = a;
		}
		res.status = res.n > 0 ? ARES_SUCCESS : status;
		((spf_host_cb *)q->cb)(&res, q->arg);
	} else if (q->type == 'M') {
		struct dns_mx_rr mx[16];
		struct dns_mx_set res = {.mx = mx};

		for (int i = 0; i < fk.nrr && status == ARES_ENODATA && !fk.cancel; i++)
			if (fk.rr[i].type == 'M' && strcasecmp(fk.rr[i].name, q->name) == 0) {
				mx[res.n].pref = res.n;
				snprintf(mx[res.n++].name, DNS_NAME_MAX, "%s", fk.rr[i].data);
			}
		res.status = res.n > 0 ? ARES_SUCCESS : status;
		((spf_mx_cb *)q->cb)(&res, q->arg);
	} else {
		struct dns_ptr res = {0};

		for (int i = 0; i < fk.nrr && status == ARES_ENODATA && !fk.cancel; i++)
			if (fk.rr[i].type == 'P' && strcmp(fk.rr[i].name, q->name) == 0 &&
			    res.n < DNS_MAX_PTR)
				snprintf(res.name[res.n++], DNS_NAME_MAX, "%s", fk.rr[i].data);
		res.status = res.n > 0 ? ARES_SUCCESS : status;
		((spf_ptr_cb *)q->cb)(&res, q->arg);
	}
}

/* Answer questions in order until none is left (as the loop would). */
static void fake_pump(void)
{
	while (fk.nq > 0) {
		struct fake_q q = fk.q[0];

		memmove(&fk.q[0], &fk.q[1], sizeof(fk.q[0]) * (size_t)(fk.nq - 1));
		fk.nq--;
		fake_answer(&q);
	}
}

static int fake_done_calls;

static void fake_done(const struct spf_outcome *o, void *arg)
{
	(void)o;
	(void)arg;
	fake_done_calls++;
}

/* Evaluate ip/sender/helo over the table rr into *out. */
static void fake_eval(const struct fake_rr *rr, int nrr, const char *ip, const char *sender,
		      const char *helo, struct spf_outcome *out)
{
	const struct spf_dns ops = {NULL, fake_txt, fake_host, fake_mx, fake_ptr};
	struct spf_query q = {.sender = sender, .helo = helo, .now = 1700000000};
	struct spf *s;

	memset(&fk, 0, sizeof(fk));
	fk.rr = rr;
	fk.nrr = nrr;
	fake_done_calls = 0;
	ck_assert_int_eq(net_addr_parse(ip, 0, &q.ip), 0);
	s = spf_new(&ops, &q, fake_done, NULL);
	ck_assert_ptr_nonnull(s);
	spf_start(s);
	fake_pump();
	ck_assert_msg(fake_done_calls == 1, "done ran %d times, want once", fake_done_calls);
	ck_assert_msg(fk.max_outstanding <= 1, "%d lookups outstanding at once, want 1",
		      fk.max_outstanding);
	*out = *spf_outcome(s);
	spf_free(s);
}

static const struct fake_rr rr_world[] = {
	{'T', "ip4.example", "v=spf1 ip4:192.0.2.0/24 -all", 0},
	{'T', "inc.example", "v=spf1 include:inner.example ~all exp=why.example", 0},
	{'T', "inner.example", "v=spf1 a:host.example -all exp=innerwhy.example", 0},
	{'A', "host.example", "198.51.100.7", 0},
	{'A', "host.example", "2001:db8::7", 0},
	{'T', "why.example", "%{i} may not send for %{d} (%{o})", 0},
	{'T', "innerwhy.example", "inner explanation must not be used", 0},
	{'T', "redir.example", "v=spf1 redirect=target.example exp=lostwhy.example", 0},
	{'T', "target.example", "v=spf1 -ip4:203.0.113.0/24 ?all exp=targetwhy.example", 0},
	{'T', "targetwhy.example", "target says no to %{i} for %{d}", 0},
	{'T', "lostwhy.example", "the redirecting record's exp must not be used", 0},
	{'T', "sf.example", "v=spf1 include:sfinner.example -all", 0},
	{'F', "sfinner.example", "T", ARES_ESERVFAIL},
	{'T', "mx.example", "v=spf1 mx:mxd.example/24 -all", 0},
	{'M', "mxd.example", "mx1.example", 0},
	{'M', "mxd.example", "mx2.example", 0},
	{'A', "mx1.example", "192.0.2.200", 0},
	{'A', "mx2.example", "198.51.100.200", 0},
	{'T', "ptr.example", "v=spf1 ptr -all", 0},
	{'P', "203.0.113.9", "other.test", 0},
	{'P', "203.0.113.9", "mail.ptr.example", 0},
	{'A', "mail.ptr.example", "203.0.113.9", 0},
	{'P', "203.0.113.10", "fake.ptr.example", 0},
	{'A', "fake.ptr.example", "203.0.113.99", 0},
	{'T', "void.example", "v=spf1 a:n1.example mx:n2.example exists:n3.example +all", 0},
	{'T', "void2.example", "v=spf1 a:n1.example ptr:n2.example ?all", 0},
	{'T', "limit.example", "v=spf1 a a a a a a a a a a a:n1.example -all", 0},
	{'A', "limit.example", "192.0.2.250", 0},
	{'T', "two.example", "v=spf1 -all", 0},
	{'T', "two.example", "v=spf1 +all", 0},
	{'T', "two.example", "unrelated", 0},
	{'T', "helo.example", "v=spf1 ip4:192.0.2.99 exists:%{l}.%{o}.x.example -all", 0},
	{'A', "postmaster.helo.example.x.example", "127.0.0.2", 0},
	{'T', "p.example", "v=spf1 exists:%{p}.p.example -all", 0},
	{'A', "mail.ptr.example.p.example", "127.0.0.2", 0},
	{'T', "bad.example", "v=spf1 -all ip4:1.2.3.4/40", 0},
	{'T', "norec.example", "just text", 0},
	{'T', "incnorec.example", "v=spf1 include:norec.example -all", 0},
	{'T', "redirall.example", "v=spf1 ?all redirect=target.example", 0},
	{'T', "expfail.example", "v=spf1 -all exp=expbad.example", 0},
	{'T', "expbad.example", "%{x} bad macro", 0},
	{'T', "sfa.example", "v=spf1 a:sfhost.example +all", 0},
	{'F', "sfhost.example", "A", ARES_ETIMEOUT},
	{'T', "ptrerr.example", "v=spf1 ptr +all", 0},
};

static const struct eval_case {
	const char *ip, *sender, *helo;
	enum spf_result want;
	const char *mech;        /* "" none */
	const char *explanation; /* NULL: none */
	int lookups, voids;      /* -1: not checked */
	const char *domain;
} eval_cases[] = {
	{"192.0.2.1", "a@ip4.example", "h.example", SPF_PASS, "ip4:192.0.2.0/24", NULL, 0, 0,
	 "ip4.example"},
	{"198.51.100.1", "a@ip4.example", "h.example", SPF_FAIL, "-all", NULL, 0, 0, "ip4.example"},
	/* include: pass inside is a match; the inner fail is no match; only the top exp counts */
	{"198.51.100.7", "a@inc.example", "h.example", SPF_PASS, "include:inner.example", NULL, 2,
	 0, "inc.example"},
	{"2001:db8::7", "a@inc.example", "h.example", SPF_PASS, "include:inner.example", NULL, 2, 0,
	 "inc.example"},
	{"192.0.2.5", "a@inc.example", "h.example", SPF_SOFTFAIL, "~all", NULL, 2, 0,
	 "inc.example"},
	/* redirect: the target's exp, never the redirecting record's */
	{"203.0.113.5", "a@redir.example", "h.example", SPF_FAIL, "-ip4:203.0.113.0/24",
	 "target says no to 203.0.113.5 for target.example", 1, 0, "target.example"},
	{"192.0.2.5", "a@redir.example", "h.example", SPF_NEUTRAL, "?all", NULL, 1, 0,
	 "target.example"},
	{"192.0.2.5", "a@redirall.example", "h.example", SPF_NEUTRAL, "?all", NULL, 0, 0,
	 "redirall.example"},
	{"192.0.2.5", "a@sf.example", "h.example", SPF_TEMPERROR, "", NULL, 1, 0, NULL},
	{"192.0.2.5", "a@sfa.example", "h.example", SPF_TEMPERROR, "", NULL, 1, 0, NULL},
	{"192.0.2.77", "a@mx.example", "h.example", SPF_PASS, "mx:mxd.example/24", NULL, 1, 0,
	 NULL},
	{"198.51.100.1", "a@mx.example", "h.example", SPF_PASS, "mx:mxd.example/24", NULL, 1, 0,
	 NULL},
	{"203.0.114.1", "a@mx.example", "h.example", SPF_FAIL, "-all", NULL, 1, 0, NULL},
	{"203.0.113.9", "a@ptr.example", "h.example", SPF_PASS, "ptr", NULL, 1, 0, NULL},
	{"203.0.113.10", "a@ptr.example", "h.example", SPF_FAIL, "-all", NULL, 1, 0, NULL},
	{"203.0.113.11", "a@ptr.example", "h.example", SPF_FAIL, "-all", NULL, 1, 1, NULL},
	{"203.0.113.11", "a@void.example", "h.example", SPF_PERMERROR, "", NULL, 3, 3, NULL},
	{"203.0.113.11", "a@void2.example", "h.example", SPF_NEUTRAL, "?all", NULL, 2, 2, NULL},
	{"203.0.113.11", "a@limit.example", "h.example", SPF_PERMERROR, "", NULL, 11, 0, NULL},
	{"192.0.2.250", "a@limit.example", "h.example", SPF_PASS, "a", NULL, 1, 0, NULL},
	{"192.0.2.1", "a@two.example", "h.example", SPF_PERMERROR, "", NULL, 0, 0, "two.example"},
	{"192.0.2.1", "a@bad.example", "h.example", SPF_PERMERROR, "", NULL, 0, 0, "bad.example"},
	{"192.0.2.1", "a@norec.example", "h.example", SPF_NONE, "", NULL, 0, 0, "norec.example"},
	{"192.0.2.1", "a@nowhere.example", "h.example", SPF_NONE, "", NULL, 0, 0, NULL},
	{"192.0.2.1", "a@incnorec.example", "h.example", SPF_PERMERROR, "", NULL, 1, 0, NULL},
	{"192.0.2.1", "a@expfail.example", "h.example", SPF_FAIL, "-all", NULL, 0, 0, NULL},
	{"192.0.2.1", "a@single", "h.example", SPF_NONE, "", NULL, 0, 0, NULL},
	/* the HELO identity: the null sender is postmaster@HELO (§2.4), %{l} postmaster */
	{"192.0.2.99", "", "helo.example", SPF_PASS, "ip4:192.0.2.99", NULL, 0, 0, "helo.example"},
	{"192.0.2.98", "", "helo.example", SPF_PASS, "exists:%{l}.%{o}.x.example", NULL, 1, 0,
	 NULL},
	{"192.0.2.98", "helo.example", "x.example", SPF_PASS, "exists:%{l}.%{o}.x.example", NULL, 1,
	 0, NULL},
	/* %{p}: the validated PTR name (other.test does not validate) */
	{"203.0.113.9", "a@p.example", "h.example", SPF_PASS, "exists:%{p}.p.example", NULL, 1, 0,
	 NULL},
	{"203.0.113.10", "a@p.example", "h.example", SPF_FAIL, "-all", NULL, 1, 1, NULL},
};

START_TEST(test_spf_eval)
{
	const struct eval_case *c = &eval_cases[_i];
	struct spf_outcome o;

	fake_eval(rr_world, NELEM(rr_world), c->ip, c->sender, c->helo, &o);
	ck_assert_msg(o.result == c->want, "%s from %s: got %s (%s), want %s", c->sender, c->ip,
		      spf_result_name(o.result), o.error, spf_result_name(c->want));
	ck_assert_msg(strcmp(o.mechanism, c->mech) == 0,
		      "%s from %s: got mechanism '%s', want '%s'", c->sender, c->ip, o.mechanism,
		      c->mech);
	ck_assert_msg(c->explanation == NULL
			      ? !o.has_explanation
			      : o.has_explanation && strcmp(o.explanation, c->explanation) == 0,
		      "%s from %s: got explanation '%s' (%d), want '%s'", c->sender, c->ip,
		      o.explanation, o.has_explanation, c->explanation ? c->explanation : "(none)");
	if (c->lookups >= 0)
		ck_assert_msg(o.lookups == c->lookups, "%s: got %d lookups, want %d", c->sender,
			      o.lookups, c->lookups);
	if (c->voids >= 0)
		ck_assert_msg(o.void_lookups == c->voids, "%s: got %d void lookups, want %d",
			      c->sender, o.void_lookups, c->voids);
	if (c->domain != NULL)
		ck_assert_msg(strcmp(o.domain, c->domain) == 0, "%s: got domain %s, want %s",
			      c->sender, o.domain, c->domain);
	ck_assert_msg((o.result == SPF_PERMERROR || o.result == SPF_TEMPERROR) == (o.error[0] != 0),
		      "%s: error text '%s' for %s", c->sender, o.error, spf_result_name(o.result));
}
END_TEST

/* A cancelled lookup (the resolver freed at the deadline) ends in temperror, asking nothing more. */
START_TEST(test_spf_cancelled)
{
	const struct spf_dns ops = {NULL, fake_txt, fake_host, fake_mx, fake_ptr};
	struct spf_query q = {.sender = "a@ptr.example", .helo = "h.example"};
	struct fake_q q0;
	struct spf *s;

	memset(&fk, 0, sizeof(fk));
	fk.rr = rr_world;
	fk.nrr = NELEM(rr_world);
	fake_done_calls = 0;
	ck_assert_int_eq(net_addr_parse("203.0.113.9", 0, &q.ip), 0);
	s = spf_new(&ops, &q, fake_done, NULL);
	spf_start(s);
	q0 = fk.q[0];
	fk.nq = 0;
	fake_answer(&q0); /* the record: the ptr mechanism asks next */
	ck_assert_int_eq(fk.nq, 1);
	ck_assert_int_eq(fk.q[0].type, 'P');
	fk.cancel = 1;
	fake_pump();
	ck_assert_int_eq(fake_done_calls, 1);
	ck_assert_msg(spf_outcome(s)->result == SPF_TEMPERROR, "got %s, want temperror",
		      spf_result_name(spf_outcome(s)->result));
	ck_assert_int_eq(fk.asked, 2);
	spf_free(s);
	spf_free(NULL);
}
END_TEST

static char trace_buf[4096];

static void trace_line(const char *line, void *arg)
{
	size_t n = strlen(trace_buf);

	(void)arg;
	snprintf(trace_buf + n, sizeof(trace_buf) - n, "%s\n", line);
}

/* The trace names every lookup, the record, the matches and the result, in order. */
START_TEST(test_spf_trace)
{
	const struct spf_dns ops = {NULL, fake_txt, fake_host, fake_mx, fake_ptr};
	struct spf_query q = {.sender = "a@inc.example", .helo = "h.example", .trace = trace_line};
	static const char want[] =
		"lookup TXT inc.example\n"
		"inc.example: v=spf1 include:inner.example ~all exp=why.example\n"
		"lookup TXT inner.example\n"
		"inner.example: v=spf1 a:host.example -all exp=innerwhy.example\n"
		"lookup A/AAAA host.example\n"
		"inner.example: a:host.example matched\n"
		"inc.example: include:inner.example: pass, matched\n"
		"result pass\n";
	struct spf *s;

	memset(&fk, 0, sizeof(fk));
	fk.rr = rr_world;
	fk.nrr = NELEM(rr_world);
	trace_buf[0] = '\0';
	ck_assert_int_eq(net_addr_parse("198.51.100.7", 0, &q.ip), 0);
	s = spf_new(&ops, &q, fake_done, NULL);
	spf_start(s);
	fake_pump();
	ck_assert_msg(strcmp(trace_buf, want) == 0, "got trace\n%s\nwant\n%s", trace_buf, want);
	spf_free(s);
}
END_TEST

Suite *spf_suite(void);
Suite *spf_suite(void)
{
	Suite *s = suite_create("spf");
	TCase *tc = tcase_create("spf");

	tcase_add_loop_test(tc, test_spf_parse, 0, NELEM(parse_cases));
	tcase_add_test(tc, test_spf_parse_fields);
	tcase_add_loop_test(tc, test_spf_macro, 0, NELEM(macro_cases));
	tcase_add_test(tc, test_spf_macro_domain_cut);
	tcase_add_test(tc, test_spf_addr);
	tcase_add_loop_test(tc, test_spf_eval, 0, NELEM(eval_cases));
	tcase_add_test(tc, test_spf_cancelled);
	tcase_add_test(tc, test_spf_trace);
	suite_add_tcase(s, tc);
	return s;
}
