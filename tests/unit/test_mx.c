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

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *mx_suite(void);

/* An MX answer from "pref name,pref name" (name "." for a null MX). */
static void answer(struct dns_mx_set *a, int status, const char *list)
{
	char copy[512], *save = NULL;

	memset(a, 0, sizeof(*a));
	a->status = status;
	snprintf(copy, sizeof(copy), "%s", list ? list : "");
	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char name[DNS_NAME_MAX] = "";

		ck_assert_int_eq(sscanf(t, "%d %255s", &a->mx[a->n].pref, name), 2);
		snprintf(a->mx[a->n].name, DNS_NAME_MAX, "%s", strcmp(name, ".") ? name : "");
		a->n++;
	}
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
	struct dns_mx_set a;
	char order[512] = "";
	int lookup;

	answer(&a, answer_cases[_i].status, answer_cases[_i].mx);
	mx_set_init(&s, "d.test.");
	lookup = mx_set_answer(&s, &a);
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
	host(&fwd, ARES_SUCCESS, 0, "192.0.2.9,192.0.2.1");
	mx_addr_forward(&a, &fwd);
	ck_assert_msg(a.fcrdns && a.rdns.cls == FAIL_NONE, "got fcrdns %d, want confirmed", a.fcrdns);

	memset(&a.rdns, 0, sizeof(a.rdns));
	a.fcrdns = 0;
	host(&fwd, ARES_SUCCESS, 0, "192.0.2.9");
	mx_addr_forward(&a, &fwd);
	ck_assert_msg(strcmp(classify(&a.rdns)->name, "fcrdns-failed") == 0, "got %s, want fcrdns-failed",
		      classify(&a.rdns)->name);

	memset(&a.rdns, 0, sizeof(a.rdns));
	p.status = ARES_ENOTFOUND;
	p.n = 0;
	ck_assert_msg(mx_addr_ptr(&a, &p) == 0, "got a forward lookup without PTR");
	ck_assert_msg(strcmp(classify(&a.rdns)->name, "ptr-missing") == 0, "got %s, want ptr-missing",
		      classify(&a.rdns)->name);
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
	{"all healthy", ARES_SUCCESS, "10 a.test,20 b.test", "11", 0, 0, 0, -1, NULL, "1:",
	 STATE_OK, 2, "ok"},
	{"one of two", ARES_SUCCESS, "10 a.test,20 b.test", "10", 0, 0, 0, -1, NULL, "1:",
	 STATE_WARNING, 1, "server-busy"},
	{"none works", ARES_SUCCESS, "10 a.test,20 b.test", "00", 0, 0, 0, -1, NULL, "1:",
	 STATE_CRITICAL, 0, "server-busy"},
	{"-w 2: with one", ARES_SUCCESS, "10 a.test,20 b.test", "01", 0, 0, 0, 1, "2:", "1:",
	 STATE_WARNING, 1, "server-busy"},
	{"-c 2: with one", ARES_SUCCESS, "10 a.test,20 b.test", "01", 0, 0, 0, -1, NULL, "2:",
	 STATE_CRITICAL, 1, "server-busy"},
	{"require primary", ARES_SUCCESS, "10 a.test,20 b.test", "01", 0, 0, 1, -1, NULL, "1:",
	 STATE_CRITICAL, 1, "primary-mx-failed"},
	{"require primary ok", ARES_SUCCESS, "10 a.test,20 b.test", "10", 0, 0, 1, -1, NULL, "1:",
	 STATE_WARNING, 1, "server-busy"},
	{"require ipv6", ARES_SUCCESS, "10 a.test", "1", 0, 1, 0, -1, NULL, "1:", STATE_CRITICAL, 1,
	 "ipv6-unreachable"},
	{"null MX", ARES_SUCCESS, "0 .", "", 0, 0, 0, -1, NULL, "1:", STATE_CRITICAL, 0, "null-mx"},
	{"null MX expected", ARES_SUCCESS, "0 .", "", 1, 0, 0, -1, NULL, "1:", STATE_OK, 0, "ok"},
	{"null MX expected, MX found", ARES_SUCCESS, "10 a.test", "1", 1, 0, 0, -1, NULL, "1:",
	 STATE_CRITICAL, 1, "null-mx-missing"},
	{"null MX mixed", ARES_SUCCESS, "0 .,10 a.test", "1", 0, 0, 0, -1, NULL, "1:",
	 STATE_CRITICAL, 1, "null-mx-mixed"},
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
	{"rdns ignored", ARES_SUCCESS, "10 a.test", "1", 0, 0, 0, -1, NULL, "1:", STATE_OK, 1, "ok"},
};

/* Fill a set from a verdict case: one IPv4 address per MX, PTR missing on all. */
static void verdict_set(struct mx_set *s, int k)
{
	struct dns_mx_set a;
	struct dns_host h;
	const char *works = verdict_cases[k].works;

	answer(&a, verdict_cases[k].status, verdict_cases[k].mx);
	mx_set_init(s, "d.test");
	mx_set_answer(s, &a);
	host(&h, ARES_SUCCESS, 0, "192.0.2.1");
	for (int i = 0; i < s->n; i++) {
		struct mx_addr *ad = &s->mx[i].addr[0];
		struct dns_ptr none = {.status = ARES_ENOTFOUND};

		mx_host_addrs(&s->mx[i], &h, AF_UNSPEC);
		ad->probed = works[i] != '-';
		if (works[i] == '0') {
			fail_set(&ad->probe.smtp.fail, FAIL_REPLY, PHASE_GREETING, 0, NULL);
			fail_set_reply(&ad->probe.smtp.fail, 421, NULL, "busy", 4);
		}
		mx_addr_ptr(ad, &none);
	}
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
}
END_TEST

Suite *mx_suite(void)
{
	Suite *s = suite_create("mx");
	TCase *tc = tcase_create("mx");

	tcase_add_loop_test(tc, test_mx_answer, 0, NELEM(answer_cases));
	tcase_add_loop_test(tc, test_mx_host, 0, NELEM(host_cases));
	tcase_add_test(tc, test_mx_rdns);
	tcase_add_loop_test(tc, test_mx_verdict, 0, NELEM(verdict_cases));
	suite_add_tcase(s, tc);
	return s;
}
