/*
 * test_mx.c - the MX-set logic on recorded answers: ordering, implicit MX,
 * null MX, target problems, reverse DNS and the verdict.
 */
#include <ares.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "mx/mx.h"
#include "mx/mx_report.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *mx_suite(void);

#define ANSWER_MAX 200

/* An MX answer and the records it points at (the resolver owns them in real runs). */
struct answer {
	struct dns_mx_set a;
	struct dns_mx_rr rr[ANSWER_MAX];
};

/* An MX answer from "pref name,pref name" (name "." for a null MX). */
static void answer(struct answer *x, int status, const char *list)
{
	char copy[2048], *save = NULL;

	memset(x, 0, sizeof(*x));
	x->a.status = status;
	x->a.mx = x->rr;
	snprintf(copy, sizeof(copy), "%s", list ? list : "");
	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char name[DNS_NAME_MAX] = "";

		ck_assert_int_lt(x->a.n, ANSWER_MAX);
		ck_assert_int_eq(sscanf(t, "%d %255s", &x->rr[x->a.n].pref, name), 2);
		snprintf(x->rr[x->a.n].name, DNS_NAME_MAX, "%s", strcmp(name, ".") ? name : "");
		x->a.n++;
	}
}

/* An answer of n MX "mxN.test" with preference 10 + N, the preference-0 one last. */
static void answer_many(struct answer *x, int n)
{
	memset(x, 0, sizeof(*x));
	x->a.mx = x->rr;
	for (int i = 0; i < n - 1; i++) {
		x->rr[i].pref = 10 + i;
		snprintf(x->rr[i].name, DNS_NAME_MAX, "mx%d.test", i);
	}
	snprintf(x->rr[n - 1].name, DNS_NAME_MAX, "primary.test");
	x->a.n = n;
}

/* A host lookup result with the given status and addresses ("a,b"). */
static void host(struct dns_host *h, int status, int cname, const char *addrs)
{
	char copy[256], *save = NULL;

	memset(h, 0, sizeof(*h));
	h->status = status;
	h->cname = cname;
	if (cname)
		snprintf(h->canon, sizeof(h->canon), "canonical.test");
	snprintf(copy, sizeof(copy), "%s", addrs ? addrs : "");
	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
		ck_assert_int_eq(net_addr_parse(t, 25, &h->addr[h->n++]), 0);
}

static const struct {
	const char *what;
	int status;
	const char *mx;
	int want_lookup;
	int want_n;
	const char *want_order; /* names joined by ' ' */
	const char *want_fail;  /* cause of s->fail, NULL: none */
} answer_cases[] = {
	{"ordered by preference", ARES_SUCCESS, "30 c.test,10 b.test,20 a.test", 1, 3,
	 "b.test a.test c.test", NULL},
	{"equal preference by name", ARES_SUCCESS, "10 z.test,10 a.test.", 1, 2, "a.test z.test",
	 NULL},
	{"NODATA: implicit MX", ARES_ENODATA, NULL, 1, 1, "d.test", "implicit-mx"},
	{"NXDOMAIN: no fallback", ARES_ENOTFOUND, NULL, 0, 0, "", "dns-nxdomain"},
	{"SERVFAIL: no fallback", ARES_ESERVFAIL, NULL, 0, 0, "", "dns-failure"},
	{"timeout: no fallback", ARES_ETIMEOUT, NULL, 0, 0, "", "dns-timeout"},
	{"null MX", ARES_SUCCESS, "0 .", 0, 0, "", "null-mx"},
	{"null MX mixed", ARES_SUCCESS, "0 .,10 a.test", 1, 1, "a.test", "null-mx-mixed"},
	{"IP literal target", ARES_SUCCESS, "10 192.0.2.1.", 0, 1, "192.0.2.1", NULL},
};

/* The MX answer becomes an ordered set with the domain-level facts. */
START_TEST(test_mx_answer)
{
	static struct mx_set s;
	static struct answer a;
	char order[512] = "";
	int lookup;

	answer(&a, answer_cases[_i].status, answer_cases[_i].mx);
	mx_set_init(&s, "d.test.");
	lookup = mx_set_answer(&s, &a.a);
	for (int i = 0; i < s.n; i++)
		snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%s", i ? " " : "",
			 s.mx[i].name);
	ck_assert_msg(lookup == answer_cases[_i].want_lookup, "%s: got lookup %d, want %d",
		      answer_cases[_i].what, lookup, answer_cases[_i].want_lookup);
	ck_assert_msg(s.n == answer_cases[_i].want_n, "%s: got %d MX, want %d",
		      answer_cases[_i].what, s.n, answer_cases[_i].want_n);
	ck_assert_msg(strcmp(order, answer_cases[_i].want_order) == 0, "%s: got '%s', want '%s'",
		      answer_cases[_i].what, order, answer_cases[_i].want_order);
	if (answer_cases[_i].want_fail == NULL)
		ck_assert_msg(s.fail.cls == FAIL_NONE, "%s: got cause %s, want none",
			      answer_cases[_i].what, classify(&s.fail)->name);
	else
		ck_assert_msg(strcmp(classify(&s.fail)->name, answer_cases[_i].want_fail) == 0,
			      "%s: got cause %s, want %s", answer_cases[_i].what,
			      classify(&s.fail)->name, answer_cases[_i].want_fail);
	ck_assert_msg(s.cause == classify(&s.fail), "%s: got stored cause %s, want %s",
		      answer_cases[_i].what, s.cause ? s.cause->name : "NULL",
		      classify(&s.fail)->name);
	mx_set_reset(&s);
}
END_TEST

static const struct {
	const char *what;
	int status, cname, family;
	const char *addrs;
	int want_naddr;
	const char *want_cause; /* of the host's fail, "ok" when none */
} host_cases[] = {
	{"two addresses", ARES_SUCCESS, 0, AF_UNSPEC, "192.0.2.1,2001:db8::1", 2, "ok"},
	{"-4 keeps IPv4", ARES_SUCCESS, 0, AF_INET, "192.0.2.1,2001:db8::1", 1, "ok"},
	{"-6 without AAAA", ARES_SUCCESS, 0, AF_INET6, "192.0.2.1", 0, "mx-no-address"},
	{"CNAME target", ARES_SUCCESS, 1, AF_UNSPEC, "192.0.2.1", 1, "mx-cname"},
	{"NXDOMAIN target", ARES_ENOTFOUND, 0, AF_UNSPEC, NULL, 0, "mx-nxdomain"},
	{"NODATA target", ARES_ENODATA, 0, AF_UNSPEC, NULL, 0, "mx-no-address"},
	{"SERVFAIL target", ARES_ESERVFAIL, 0, AF_UNSPEC, NULL, 0, "dns-failure"},
};

/* Target lookups become addresses or per-MX causes. */
START_TEST(test_mx_host)
{
	struct mx_host *h = calloc(1, sizeof(*h));
	struct dns_host r;

	host(&r, host_cases[_i].status, host_cases[_i].cname, host_cases[_i].addrs);
	snprintf(h->name, sizeof(h->name), "mx.test");
	mx_host_addrs(h, &r, host_cases[_i].family);
	ck_assert_msg(h->naddr == host_cases[_i].want_naddr, "%s: got %d addresses, want %d",
		      host_cases[_i].what, h->naddr, host_cases[_i].want_naddr);
	ck_assert_msg(strcmp(classify(&h->fail)->name, host_cases[_i].want_cause) == 0,
		      "%s: got %s, want %s", host_cases[_i].what, classify(&h->fail)->name,
		      host_cases[_i].want_cause);
	ck_assert_msg(h->cause == classify(&h->fail), "%s: got stored cause %s, want %s",
		      host_cases[_i].what, h->cause ? h->cause->name : "NULL",
		      host_cases[_i].want_cause);
	free(h->addr);
	free(h);
}
END_TEST

/* PTR and forward confirmation. */
START_TEST(test_mx_rdns)
{
	struct mx_addr a;
	struct dns_ptr p = {.status = ARES_SUCCESS, .n = 1};
	struct dns_host fwd;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(net_addr_parse("192.0.2.1", 25, &a.addr), 0);
	snprintf(p.name[0], DNS_NAME_MAX, "mx.test.");
	ck_assert_msg(mx_addr_ptr(&a, &p) == 1, "got no forward lookup, want one");
	ck_assert_msg(strcmp(a.ptr, "mx.test") == 0, "got ptr '%s', want mx.test", a.ptr);
	ck_assert_msg(a.rdns_cause == NULL, "got a stored rdns cause before the forward lookup");
	host(&fwd, ARES_SUCCESS, 0, "192.0.2.9,192.0.2.1");
	mx_addr_forward(&a, 0, &fwd);
	ck_assert_msg(a.fcrdns && a.rdns.cls == FAIL_NONE, "got fcrdns %d, want confirmed",
		      a.fcrdns);
	ck_assert_msg(a.rdns_cause != NULL && strcmp(a.rdns_cause->name, "ok") == 0,
		      "got stored rdns cause %s, want ok",
		      a.rdns_cause ? a.rdns_cause->name : "NULL");

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(net_addr_parse("192.0.2.1", 25, &a.addr), 0);
	ck_assert_int_eq(mx_addr_ptr(&a, &p), 1);
	host(&fwd, ARES_SUCCESS, 0, "192.0.2.9");
	mx_addr_forward(&a, 0, &fwd);
	ck_assert_msg(strcmp(classify(&a.rdns)->name, "fcrdns-failed") == 0,
		      "got %s, want fcrdns-failed", classify(&a.rdns)->name);
	ck_assert_msg(a.rdns_cause == classify(&a.rdns),
		      "got stored rdns cause %s, want fcrdns-failed",
		      a.rdns_cause ? a.rdns_cause->name : "NULL");

	memset(&a, 0, sizeof(a));
	p.status = ARES_ENOTFOUND;
	p.n = 0;
	ck_assert_msg(mx_addr_ptr(&a, &p) == 0, "got a forward lookup without PTR");
	ck_assert_msg(strcmp(classify(&a.rdns)->name, "ptr-missing") == 0,
		      "got %s, want ptr-missing", classify(&a.rdns)->name);
	ck_assert_msg(a.ptr_done && a.rdns_cause == classify(&a.rdns),
		      "got stored rdns cause %s, want ptr-missing",
		      a.rdns_cause ? a.rdns_cause->name : "NULL");
}
END_TEST

/*
 * FCrDNS with several PTR names: which names resolve back ("1"/"0", in PTR
 * order), the order the forward answers arrive in, and the outcome.
 */
static const struct {
	const char *what;
	const char *confirms;
	int reverse; /* forward answers arrive last name first */
	int want_fcrdns;
	const char *want_ptr;
} ptr_cases[] = {
	{"second of two confirms", "01", 0, 1, "b.test"},
	{"second of two confirms, answers reversed", "01", 1, 1, "b.test"},
	{"first of two confirms", "10", 0, 1, "a.test"},
	{"first of two confirms, answers reversed", "10", 1, 1, "a.test"},
	{"both confirm: the first is shown", "11", 1, 1, "a.test"},
	{"neither confirms", "00", 0, 0, "a.test"},
	{"third of three confirms", "001", 1, 1, "c.test"},
};

/* Every PTR name counts: one that confirms is enough, whatever the record order. */
START_TEST(test_mx_rdns_names)
{
	static const char *const names[] = {"a.test.", "b.test", "c.test"};
	const char *confirms = ptr_cases[_i].confirms;
	int n = (int)strlen(confirms);
	struct mx_addr a;
	struct dns_ptr p = {.status = ARES_SUCCESS, .n = n};
	struct dns_host yes, no;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(net_addr_parse("192.0.2.1", 25, &a.addr), 0);
	for (int k = 0; k < n; k++)
		snprintf(p.name[k], DNS_NAME_MAX, "%s", names[k]);
	host(&yes, ARES_SUCCESS, 0, "192.0.2.1");
	host(&no, ARES_SUCCESS, 0, "192.0.2.7");
	ck_assert_msg(mx_addr_ptr(&a, &p) == n, "%s: got %d forward lookups, want %d",
		      ptr_cases[_i].what, a.nptr, n);
	for (int i = 0; i < n; i++) {
		int k = ptr_cases[_i].reverse ? n - 1 - i : i;

		ck_assert_msg(!a.ptr_done, "%s: settled after %d of %d answers", ptr_cases[_i].what,
			      i, n);
		mx_addr_forward(&a, k, confirms[k] == '1' ? &yes : &no);
	}
	ck_assert_msg(a.ptr_done && a.fcrdns == ptr_cases[_i].want_fcrdns,
		      "%s: got fcrdns %d (done %d), want %d", ptr_cases[_i].what, a.fcrdns,
		      a.ptr_done, ptr_cases[_i].want_fcrdns);
	ck_assert_msg(strcmp(a.ptr, ptr_cases[_i].want_ptr) == 0, "%s: got ptr %s, want %s",
		      ptr_cases[_i].what, a.ptr, ptr_cases[_i].want_ptr);
	ck_assert_msg(strcmp(a.rdns_cause->name, a.fcrdns ? "ok" : "fcrdns-failed") == 0,
		      "%s: got cause %s", ptr_cases[_i].what, a.rdns_cause->name);
}
END_TEST

/*
 * Verdict cases: MX list, which MX work ("1" ok, "0" greeting 421, "-" not
 * probed), the policy, and the expected state, counts and cause.
 */
static const struct {
	const char *what;
	int status;
	const char *mx;
	const char *works;
	int expect_null, require_ipv6, require_primary, rdns_state;
	const char *warn, *crit;
	enum state want_state;
	int want_healthy;
	const char *want_cause;
} verdict_cases[] = {
	{"all healthy", ARES_SUCCESS, "10 a.test,20 b.test", "11", 0, 0, 0, -1, NULL,
	 "1:", STATE_OK, 2, "ok"},
	{"one of two", ARES_SUCCESS, "10 a.test,20 b.test", "10", 0, 0, 0, -1, NULL,
	 "1:", STATE_WARNING, 1, "server-busy"},
	{"none works", ARES_SUCCESS, "10 a.test,20 b.test", "00", 0, 0, 0, -1, NULL,
	 "1:", STATE_CRITICAL, 0, "server-busy"},
	{"-w 2: with one", ARES_SUCCESS, "10 a.test,20 b.test", "01", 0, 0, 0, 1,
	 "2:", "1:", STATE_WARNING, 1, "server-busy"},
	{"-c 2: with one", ARES_SUCCESS, "10 a.test,20 b.test", "01", 0, 0, 0, -1, NULL,
	 "2:", STATE_CRITICAL, 1, "server-busy"},
	{"require primary", ARES_SUCCESS, "10 a.test,20 b.test", "01", 0, 0, 1, -1, NULL,
	 "1:", STATE_CRITICAL, 1, "primary-mx-failed"},
	{"require primary ok", ARES_SUCCESS, "10 a.test,20 b.test", "10", 0, 0, 1, -1, NULL,
	 "1:", STATE_WARNING, 1, "server-busy"},
	{"require ipv6", ARES_SUCCESS, "10 a.test", "1", 0, 1, 0, -1, NULL, "1:", STATE_CRITICAL, 1,
	 "ipv6-unreachable"},
	{"null MX", ARES_SUCCESS, "0 .", "", 0, 0, 0, -1, NULL, "1:", STATE_CRITICAL, 0, "null-mx"},
	{"null MX expected", ARES_SUCCESS, "0 .", "", 1, 0, 0, -1, NULL, "1:", STATE_OK, 0, "ok"},
	{"null MX expected, MX found", ARES_SUCCESS, "10 a.test", "1", 1, 0, 0, -1, NULL,
	 "1:", STATE_CRITICAL, 1, "null-mx-missing"},
	{"null MX mixed", ARES_SUCCESS, "0 .,10 a.test", "1", 0, 0, 0, -1, NULL,
	 "1:", STATE_CRITICAL, 1, "null-mx-mixed"},
	{"implicit MX works", ARES_ENODATA, NULL, "1", 0, 0, 0, -1, NULL, "1:", STATE_WARNING, 1,
	 "implicit-mx"},
	{"implicit MX fails", ARES_ENODATA, NULL, "0", 0, 0, 0, -1, NULL, "1:", STATE_CRITICAL, 0,
	 "server-busy"},
	{"NXDOMAIN", ARES_ENOTFOUND, NULL, "", 0, 0, 0, -1, NULL, "1:", STATE_CRITICAL, 0,
	 "dns-nxdomain"},
	{"rdns critical", ARES_SUCCESS, "10 a.test", "1", 0, 0, 0, 2, NULL, "1:", STATE_CRITICAL, 1,
	 "ptr-missing"},
	{"rdns warning", ARES_SUCCESS, "10 a.test", "1", 0, 0, 0, 1, NULL, "1:", STATE_WARNING, 1,
	 "ptr-missing"},
	{"failure shown before rdns", ARES_SUCCESS, "10 a.test,20 b.test", "10", 0, 0, 0, 1, NULL,
	 "1:", STATE_WARNING, 1, "server-busy"},
	{"rdns ignored", ARES_SUCCESS, "10 a.test", "1", 0, 0, 0, -1, NULL, "1:", STATE_OK, 1,
	 "ok"},
};

/* Fill a set from a verdict case: one IPv4 address per MX, PTR missing on all. */
static void verdict_set(struct mx_set *s, int k)
{
	static struct answer a;
	struct dns_host h;
	const char *works = verdict_cases[k].works;

	answer(&a, verdict_cases[k].status, verdict_cases[k].mx);
	mx_set_init(s, "d.test");
	mx_set_answer(s, &a.a);
	host(&h, ARES_SUCCESS, 0, "192.0.2.1");
	for (int i = 0; i < s->n; i++) {
		struct mx_addr *ad;
		struct dns_ptr none = {.status = ARES_ENOTFOUND};

		mx_host_addrs(&s->mx[i], &h, AF_UNSPEC);
		ad = &s->mx[i].addr[0];
		if (works[i] == '0') {
			fail_set(&ad->probe.smtp.fail, FAIL_REPLY, PHASE_GREETING, 0, NULL);
			fail_set_reply(&ad->probe.smtp.fail, 421, NULL, "busy", 4);
		}
		if (works[i] == 't')
			fail_set(&ad->probe.smtp.fail, FAIL_TIMEOUT, PHASE_GREETING, 0, "greeting");
		if (works[i] != '-')
			mx_addr_probed(ad);
		mx_addr_ptr(ad, &none);
	}
	mx_set_finish(s, 0);
}

START_TEST(test_mx_verdict)
{
	static struct mx_set s;
	struct mx_policy p = {0};
	struct mx_verdict v;

	verdict_set(&s, _i);
	p.expect_null = verdict_cases[_i].expect_null;
	p.require_ipv6 = verdict_cases[_i].require_ipv6;
	p.require_primary = verdict_cases[_i].require_primary;
	p.rdns_state = verdict_cases[_i].rdns_state;
	if (verdict_cases[_i].warn)
		ck_assert_int_eq(range_parse(verdict_cases[_i].warn, &p.healthy.warn), 0);
	ck_assert_int_eq(range_parse(verdict_cases[_i].crit, &p.healthy.crit), 0);
	mx_verdict(&s, &p, &v);
	ck_assert_msg(v.state == verdict_cases[_i].want_state, "%s: got %s, want %s",
		      verdict_cases[_i].what, state_name(v.state),
		      state_name(verdict_cases[_i].want_state));
	ck_assert_msg(v.healthy == verdict_cases[_i].want_healthy, "%s: got %d healthy, want %d",
		      verdict_cases[_i].what, v.healthy, verdict_cases[_i].want_healthy);
	ck_assert_msg(v.failed == v.total - v.healthy, "%s: got failed %d of %d with %d healthy",
		      verdict_cases[_i].what, v.failed, v.total, v.healthy);
	ck_assert_msg(strcmp(v.cause->name, verdict_cases[_i].want_cause) == 0,
		      "%s: got cause %s, want %s", verdict_cases[_i].what, v.cause->name,
		      verdict_cases[_i].want_cause);
	mx_set_reset(&s);
}
END_TEST

/*
 * Issue 10: the -t state applies only when the check as a whole ran out of
 * time, not when one MX of several stalled ("t": greeting timeout).
 */
static const struct {
	const char *what;
	const char *mx, *works;
	enum state want_state;
	const char *want_cause;
	int want_timed_out;
} timeout_cases[] = {
	{"backup stalls, primary works", "10 a.test,20 b.test", "1t", STATE_WARNING,
	 "greeting-timeout", 0},
	{"primary stalls, backup works", "10 a.test,20 b.test", "t1", STATE_WARNING,
	 "greeting-timeout", 0},
	{"every MX stalls", "10 a.test,20 b.test", "tt", STATE_CRITICAL, "greeting-timeout", 1},
	{"the only MX stalls", "10 a.test", "t", STATE_CRITICAL, "greeting-timeout", 1},
	{"one busy, one stalls", "10 a.test,20 b.test", "0t", STATE_CRITICAL, "server-busy", 0},
};

START_TEST(test_mx_timed_out)
{
	static struct mx_set s;
	static struct answer a;
	struct mx_policy p = {.rdns_state = -1};
	struct mx_verdict v;
	struct dns_host h;

	answer(&a, ARES_SUCCESS, timeout_cases[_i].mx);
	mx_set_init(&s, "d.test");
	mx_set_answer(&s, &a.a);
	host(&h, ARES_SUCCESS, 0, "192.0.2.1");
	for (int i = 0; i < s.n; i++) {
		struct mx_addr *ad;

		mx_host_addrs(&s.mx[i], &h, AF_UNSPEC);
		ad = &s.mx[i].addr[0];
		if (timeout_cases[_i].works[i] == 't')
			fail_set(&ad->probe.smtp.fail, FAIL_TIMEOUT, PHASE_GREETING, 0, "greeting");
		if (timeout_cases[_i].works[i] == '0') {
			fail_set(&ad->probe.smtp.fail, FAIL_REPLY, PHASE_GREETING, 0, NULL);
			fail_set_reply(&ad->probe.smtp.fail, 421, NULL, "busy", 4);
		}
		mx_addr_probed(ad);
	}
	mx_set_finish(&s, 0);
	ck_assert_int_eq(range_parse("1:", &p.healthy.crit), 0);
	mx_verdict(&s, &p, &v);
	ck_assert_msg(v.state == timeout_cases[_i].want_state &&
			      strcmp(v.cause->name, timeout_cases[_i].want_cause) == 0 &&
			      v.timed_out == timeout_cases[_i].want_timed_out,
		      "%s: got %s %s timed_out %d, want %s %s %d", timeout_cases[_i].what,
		      state_name(v.state), v.cause->name, v.timed_out,
		      state_name(timeout_cases[_i].want_state), timeout_cases[_i].want_cause,
		      timeout_cases[_i].want_timed_out);
	mx_set_reset(&s);
}
END_TEST

/* Each record's cause is stored once, beside it, and is what classify() says. */
START_TEST(test_mx_causes)
{
	static struct mx_set s;

	verdict_set(&s, _i);
	ck_assert_msg(s.cause == classify(&s.fail), "%s: domain cause %s, want %s",
		      verdict_cases[_i].what, s.cause ? s.cause->name : "NULL",
		      classify(&s.fail)->name);
	for (int i = 0; i < s.n; i++) {
		const struct mx_host *h = &s.mx[i];

		ck_assert_msg(h->cause == classify(&h->fail), "%s: MX %d cause %s, want %s",
			      verdict_cases[_i].what, i, h->cause ? h->cause->name : "NULL",
			      classify(&h->fail)->name);
		for (int j = 0; j < h->naddr; j++) {
			ck_assert_msg(
				h->addr[j].probe_cause == classify(&h->addr[j].probe.smtp.fail),
				"%s: MX %d probe cause %s", verdict_cases[_i].what, i,
				h->addr[j].probe_cause ? h->addr[j].probe_cause->name : "NULL");
			ck_assert_msg(h->addr[j].rdns_cause == classify(&h->addr[j].rdns),
				      "%s: MX %d rdns cause %s", verdict_cases[_i].what, i,
				      h->addr[j].rdns_cause ? h->addr[j].rdns_cause->name : "NULL");
		}
	}
	mx_set_reset(&s);
	ck_assert_msg(s.n == 0 && s.mx == NULL && strcmp(s.domain, "d.test") == 0,
		      "after reset: got %d MX for '%s', want an empty set for d.test", s.n,
		      s.domain);
}
END_TEST

/*
 * Issue 10: the whole answer is sorted before anything is cut; a cut is
 * counted, and --require-primary judges the real primary.
 */
START_TEST(test_mx_cut)
{
	static const struct {
		int n, want_n, want_dropped;
	} cases[] = {{21, 21, 0}, {100, 100, 0}, {150, MX_MAX, 150 - MX_MAX}};
	static struct answer a;
	struct mx_set *s = mx_set_new("d.test");

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		mx_set_reset(s);
		answer_many(&a, cases[c].n);
		mx_set_answer(s, &a.a);
		ck_assert_msg(s->n == cases[c].want_n && s->dropped == cases[c].want_dropped &&
				      s->records == cases[c].n,
			      "%d MX: got %d kept, %d dropped of %d, want %d, %d", cases[c].n, s->n,
			      s->dropped, s->records, cases[c].want_n, cases[c].want_dropped);
		ck_assert_msg(s->mx[0].pref == 0 && strcmp(s->mx[0].name, "primary.test") == 0,
			      "%d MX: got first %d %s, want 0 primary.test", cases[c].n,
			      s->mx[0].pref, s->mx[0].name);
		for (int i = 1; i < s->n; i++)
			ck_assert_msg(s->mx[i - 1].pref <= s->mx[i].pref,
				      "%d MX: %d before %d at %d", cases[c].n, s->mx[i - 1].pref,
				      s->mx[i].pref, i);
		ck_assert_msg(s->mx[s->n - 1].pref == 10 + s->n - 2,
			      "%d MX: got last kept pref %d, want %d", cases[c].n,
			      s->mx[s->n - 1].pref, 10 + s->n - 2);
	}
	mx_set_free(s);
}
END_TEST

/* --require-primary with 21 MX: the preference-0 MX, answered last, is broken. */
START_TEST(test_mx_primary_last)
{
	static struct answer a;
	struct mx_set *s = mx_set_new("d.test");
	struct mx_policy p = {.rdns_state = -1};
	struct mx_verdict v;
	struct dns_host h;

	answer_many(&a, 21);
	mx_set_answer(s, &a.a);
	host(&h, ARES_SUCCESS, 0, "192.0.2.1");
	for (int i = 0; i < s->n; i++) {
		mx_host_addrs(&s->mx[i], &h, AF_UNSPEC);
		if (strcmp(s->mx[i].name, "primary.test") == 0)
			fail_set(&s->mx[i].addr[0].probe.smtp.fail, FAIL_CONNECT, PHASE_CONNECT,
				 111, "refused");
		mx_addr_probed(&s->mx[i].addr[0]);
	}
	mx_set_finish(s, 0);
	ck_assert_int_eq(range_parse("1:", &p.healthy.crit), 0);
	p.require_primary = 1;
	mx_verdict(s, &p, &v);
	ck_assert_msg(v.state == STATE_CRITICAL && strcmp(v.cause->name, "primary-mx-failed") == 0,
		      "got %s %s, want CRITICAL primary-mx-failed", state_name(v.state),
		      v.cause->name);
	ck_assert_msg(v.total == 21 && v.healthy == 20, "got %d of %d healthy, want 20 of 21",
		      v.healthy, v.total);
	mx_set_free(s);
}
END_TEST

/* Equal preferences: by name, then as answered, so the order never flaps. */
START_TEST(test_mx_ties)
{
	static struct answer a;
	struct mx_set *s = mx_set_new("d.test");
	char order[2048] = "";

	answer(&a, ARES_SUCCESS, "20 c.test,10 b.test,10 B.test,10 a.test,20 a.test");
	mx_set_answer(s, &a.a);
	for (int i = 0; i < s->n; i++)
		snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%d %s",
			 i ? "," : "", s->mx[i].pref, s->mx[i].name);
	ck_assert_msg(strcmp(order, "10 a.test,10 b.test,10 B.test,20 a.test,20 c.test") == 0,
		      "got '%s'", order);
	mx_set_free(s);
}
END_TEST

/* The deadline: an outstanding target lookup times out; every cause is stored. */
START_TEST(test_mx_finish_expired)
{
	struct mx_set *s = mx_set_new("d.test.");
	static struct answer a;

	ck_assert_ptr_nonnull(s);
	answer(&a, ARES_SUCCESS, "10 a.test,20 b.test");
	ck_assert_int_eq(mx_set_answer(s, &a.a), 1);
	ck_assert_msg(s->mx[0].cause == NULL, "got a target cause before its lookup");
	mx_set_finish(s, 1);
	for (int i = 0; i < s->n; i++)
		ck_assert_msg(s->mx[i].cause != NULL &&
				      strcmp(s->mx[i].cause->name, "dns-timeout") == 0,
			      "MX %d: got %s, want dns-timeout", i,
			      s->mx[i].cause ? s->mx[i].cause->name : "NULL");
	mx_set_free(s);
	mx_set_free(NULL);

	s = mx_set_new("d.test");
	mx_set_finish(s, 1);
	ck_assert_msg(s->cause != NULL && strcmp(s->cause->name, "dns-timeout") == 0,
		      "MX lookup outstanding: got %s, want dns-timeout",
		      s->cause ? s->cause->name : "NULL");
	mx_set_free(s);
}
END_TEST

/* The perfdata labels of the MX (not mx_*) of an answer, joined by ' '; all unknown ("U"). */
static void labels_of(const char *list, char *dst, size_t len)
{
	const struct out_perf *perf[OUT_PERF_MAX];
	struct mx_policy p = {0};
	struct mx_verdict v = {0};
	struct answer x;
	struct out o;
	struct mx_set *s = mx_set_new("example.test");
	int n;

	answer(&x, ARES_SUCCESS, list);
	ck_assert(s != NULL);
	mx_set_answer(s, &x.a);
	mx_set_finish(s, 1);
	mx_verdict(s, &p, &v);
	out_init(&o, "check_mail_mx", "MX");
	mx_report(s, &v, &p, 25, 0, &o);
	n = out_perf_all(&o, perf, OUT_PERF_MAX);
	dst[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strncmp(perf[i]->label, "mx_", 3) == 0)
			continue;
		ck_assert_msg(perf[i]->unknown, "%s: never probed, want U", perf[i]->label);
		snprintf(dst + strlen(dst), len - strlen(dst), "%s%s", dst[0] ? " " : "",
			 perf[i]->label);
	}
	out_reset(&o);
	mx_set_free(s);
}

static const struct {
	const char *mx, *reversed; /* the same set in the other order */
	const char *want;          /* the labels, in set order; NULL: checked by shape below */
} label_cases[] = {
	{"10 a.test,20 b.test", "20 b.test,10 a.test", "a.test_time b.test_time"},
	{"10 mail.test,20 mail.test", "20 mail.test,10 mail.test",
	 "mail.test~10_time mail.test~20_time"},
	{"10 MAIL.test,20 mail.test", "20 mail.test,10 MAIL.test",
	 "mail.test~10_time mail.test~20_time"},
	{"10 x.test,10 x.test", "10 x.test,10 x.test", "x.test~10~1_time x.test~10~2_time"},
	{"10 eq=sign.test,10 it's.test,10 bl\\032ank.test",
	 "10 bl\\032ank.test,10 it's.test,10 eq=sign.test", NULL},
	{"10 longname-longname-longname-longname-longname-1.test,"
	 "10 longname-longname-longname-longname-longname-2.test",
	 "10 longname-longname-longname-longname-longname-2.test,"
	 "10 longname-longname-longname-longname-longname-1.test",
	 NULL},
};

/* Perfdata labels: unique, the same in any answer order, sanitised, bounded; U unprobed. */
START_TEST(test_labels)
{
	char a[2048], b[2048], copy[2048], *save = NULL, *seen[16];
	int n = 0;

	labels_of(label_cases[_i].mx, a, sizeof(a));
	labels_of(label_cases[_i].reversed, b, sizeof(b));
	ck_assert_msg(strcmp(a, b) == 0, "got \"%s\" and, reversed, \"%s\"", a, b);
	if (label_cases[_i].want != NULL)
		ck_assert_msg(strcmp(a, label_cases[_i].want) == 0, "got \"%s\", want \"%s\"", a,
			      label_cases[_i].want);
	snprintf(copy, sizeof(copy), "%s", a);
	for (char *t = strtok_r(copy, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
		ck_assert_msg(strlen(t) < OUT_LABEL_MAX && strpbrk(t, "='\"\\") == NULL,
			      "label \"%s\": too long or not sanitised", t);
		for (int i = 0; i < n; i++)
			ck_assert_msg(strcmp(seen[i], t) != 0, "label \"%s\" twice in \"%s\"", t,
				      a);
		ck_assert_int_lt(n, 16);
		seen[n++] = t;
	}
	ck_assert_msg(n == 2 || n == 3, "got %d labels in \"%s\"", n, a);
}
END_TEST

Suite *mx_suite(void)
{
	Suite *s = suite_create("mx");
	TCase *tc = tcase_create("mx");

	tcase_add_loop_test(tc, test_mx_answer, 0, NELEM(answer_cases));
	tcase_add_loop_test(tc, test_mx_host, 0, NELEM(host_cases));
	tcase_add_test(tc, test_mx_rdns);
	tcase_add_loop_test(tc, test_mx_rdns_names, 0, NELEM(ptr_cases));
	tcase_add_loop_test(tc, test_mx_verdict, 0, NELEM(verdict_cases));
	tcase_add_loop_test(tc, test_mx_causes, 0, NELEM(verdict_cases));
	tcase_add_test(tc, test_mx_finish_expired);
	tcase_add_test(tc, test_mx_cut);
	tcase_add_test(tc, test_mx_primary_last);
	tcase_add_test(tc, test_mx_ties);
	tcase_add_loop_test(tc, test_mx_timed_out, 0, NELEM(timeout_cases));
	tcase_add_loop_test(tc, test_labels, 0, NELEM(label_cases));
	suite_add_tcase(s, tc);
	return s;
}
