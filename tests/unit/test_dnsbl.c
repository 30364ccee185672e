/*
 * test_dnsbl.c - the blocklist core on recorded answers: query names,
 * --list and target parsing, answer decoding (codes, refusals, rewritten
 * NXDOMAIN), health by the test points, the TXT reason, the verdict.
 */
#include <ares.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dns/dnsbl.h"
#include "verdict/classify.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *dnsbl_suite(void);

/* A host answer with status and addresses "a,b". */
static void host(struct dns_host *h, int status, const char *addrs)
{
	char copy[512], *save = NULL;

	memset(h, 0, sizeof(*h));
	h->status = status;
	snprintf(copy, sizeof(copy), "%s", addrs ? addrs : "");
	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
		ck_assert_int_eq(net_addr_parse(t, 0, &h->addr[h->n++]), 0);
}

/* A list of kind from "ZONE[=TABLE]" (must parse). */
static void list(struct dnsbl_list *l, const char *text, enum dnsbl_kind kind)
{
	char err[128];

	ck_assert_msg(dnsbl_list_parse(text, kind, l, err, sizeof(err)) == 0, "%s: %s", text, err);
}

static const struct {
	const char *target;
	enum dnsbl_kind kind;
	const char *zone;
	const char *want; /* NULL: does not fit */
} names[] = {
	{"192.0.2.25", DNSBL_IP, "zen.spamhaus.org", "25.2.0.192.zen.spamhaus.org"},
	{"127.0.0.2", DNSBL_IP, "bl.test", "2.0.0.127.bl.test"},
	{"2001:db8::1", DNSBL_IP, "bl.test",
	 "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test"},
	{"::ffff:7f00:2", DNSBL_IP, "bl.test",
	 "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.test"},
	{"example.net", DNSBL_DOMAIN, "dbl.spamhaus.org", "example.net.dbl.spamhaus.org"},
	{"Example.NET.", DNSBL_DOMAIN, "dbl.test", "Example.NET.dbl.test"},
};

START_TEST(test_query_name)
{
	struct dnsbl_target t;
	char err[128], got[DNS_NAME_MAX];

	ck_assert_msg(dnsbl_target_parse(names[_i].target, names[_i].kind, &t, err, sizeof(err)) ==
			      0,
		      "%s: %s", names[_i].target, err);
	ck_assert_int_eq(dnsbl_query_name(&t, names[_i].zone, got, sizeof(got)), 0);
	ck_assert_msg(strcmp(got, names[_i].want) == 0, "%s in %s: got %s, want %s",
		      names[_i].target, names[_i].zone, got, names[_i].want);
}
END_TEST

/* A name that does not fit the buffer is refused, never cut. */
START_TEST(test_query_name_too_long)
{
	struct dnsbl_target t;
	char err[128], got[40];

	ck_assert_int_eq(dnsbl_target_parse("2001:db8::1", DNSBL_IP, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(dnsbl_query_name(&t, "bl.test", got, sizeof(got)), -1);
}
END_TEST

static const struct {
	const char *text;
	enum dnsbl_kind kind;
	const char *want_zone;  /* NULL: usage error */
	const char *want_table; /* the table picked */
} lists[] = {
	{"zen.spamhaus.org", DNSBL_IP, "zen.spamhaus.org", "spamhaus-zen"},
	{"ZEN.Spamhaus.org.", DNSBL_IP, "ZEN.Spamhaus.org", "spamhaus-zen"},
	{"bl.spamcop.net", DNSBL_IP, "bl.spamcop.net", "spamcop"},
	{"dbl.spamhaus.org", DNSBL_DOMAIN, "dbl.spamhaus.org", "spamhaus-dbl"},
	/* a known address list asked for a domain gets the generic domain table */
	{"zen.spamhaus.org", DNSBL_DOMAIN, "zen.spamhaus.org", "generic-domain"},
	{"zen.bl.test=spamhaus-zen", DNSBL_IP, "zen.bl.test", "spamhaus-zen"},
	{"other.bl.test", DNSBL_IP, "other.bl.test", "generic"},
	{"dbl.bl.test=spamhaus-dbl", DNSBL_DOMAIN, "dbl.bl.test", "spamhaus-dbl"},
	{"x_y.bl.test", DNSBL_IP, "x_y.bl.test", "generic"},
	{"zen.bl.test=spamhaus-dbl", DNSBL_IP, NULL, NULL},
	{"zen.bl.test=nosuch", DNSBL_IP, NULL, NULL},
	{"", DNSBL_IP, NULL, NULL},
	{".", DNSBL_IP, NULL, NULL},
	{"a..b", DNSBL_IP, NULL, NULL},
	{".a.b", DNSBL_IP, NULL, NULL},
	{"a b.test", DNSBL_IP, NULL, NULL},
	{"a|b.test", DNSBL_IP, NULL, NULL},
	{"a/b.test", DNSBL_IP, NULL, NULL},
	{"bl.test\r", DNSBL_IP, NULL, NULL},
	{"0123456789012345678901234567890123456789012345678901234567890123.test", DNSBL_IP, NULL,
	 NULL},
};

START_TEST(test_list_parse)
{
	struct dnsbl_list l;
	char err[128] = "";
	int rc = dnsbl_list_parse(lists[_i].text, lists[_i].kind, &l, err, sizeof(err));

	if (lists[_i].want_zone == NULL) {
		ck_assert_msg(rc == -1, "'%s': got %d, want -1", lists[_i].text, rc);
		ck_assert_msg(err[0] != '\0' && strchr(err, '\n') == NULL,
			      "'%s': got message '%s', want one line", lists[_i].text, err);
		return;
	}
	ck_assert_msg(rc == 0, "'%s': got %d (%s), want 0", lists[_i].text, rc, err);
	ck_assert_msg(strcmp(l.zone, lists[_i].want_zone) == 0, "'%s': got zone %s, want %s",
		      lists[_i].text, l.zone, lists[_i].want_zone);
	ck_assert_msg(strcmp(l.table->name, lists[_i].want_table) == 0,
		      "'%s': got table %s, want %s", lists[_i].text, l.table->name,
		      lists[_i].want_table);
}
END_TEST

/* A zone of DNSBL_ZONE_MAX bytes is taken; one byte more is refused. */
START_TEST(test_list_zone_max)
{
	char zone[DNSBL_ZONE_MAX + 2], err[128];
	struct dnsbl_list l;

	for (int i = 0; i < DNSBL_ZONE_MAX + 1; i++)
		zone[i] = i % 10 == 9 ? '.' : 'a';
	zone[DNSBL_ZONE_MAX] = '\0';
	ck_assert_int_eq(dnsbl_list_parse(zone, DNSBL_IP, &l, err, sizeof(err)), 0);
	zone[DNSBL_ZONE_MAX] = 'b';
	zone[DNSBL_ZONE_MAX + 1] = '\0';
	ck_assert_int_eq(dnsbl_list_parse(zone, DNSBL_IP, &l, err, sizeof(err)), -1);
}
END_TEST

static const struct {
	const char *text;
	enum dnsbl_kind kind;
	int want_rc;
} targets[] = {
	{"192.0.2.1", DNSBL_IP, 0},
	{"::1", DNSBL_IP, 0},
	{"example.net", DNSBL_DOMAIN, 0},
	{"1.2.3", DNSBL_IP, -1},
	{"[::1]", DNSBL_IP, -1},
	{"mail.example.net", DNSBL_IP, -1},
	{"", DNSBL_IP, -1},
	{"", DNSBL_DOMAIN, -1},
	{"a..b", DNSBL_DOMAIN, -1},
	{"exa mple.net", DNSBL_DOMAIN, -1},
	{"192.0.2.1:25", DNSBL_IP, -1},
};

START_TEST(test_target_parse)
{
	struct dnsbl_target t;
	char err[128];
	int rc = dnsbl_target_parse(targets[_i].text, targets[_i].kind, &t, err, sizeof(err));

	ck_assert_msg(rc == targets[_i].want_rc, "'%s': got %d, want %d", targets[_i].text, rc,
		      targets[_i].want_rc);
}
END_TEST

static const struct {
	const char *what;
	const char *list;
	int status;
	const char *addrs;
	int want_listed;
	int want_ncodes;
	const char *want_name0; /* the first code's name; NULL: unnamed */
	const char *want_cause; /* of the failure; "ok" when none */
} decodes[] = {
	{"NXDOMAIN", "zen.spamhaus.org", ARES_ENOTFOUND, NULL, 0, 0, NULL, "ok"},
	{"NODATA", "zen.spamhaus.org", ARES_ENODATA, NULL, 0, 0, NULL, "ok"},
	{"SBL", "zen.spamhaus.org", 0, "127.0.0.2", 1, 1, "SBL (spam source)", "ok"},
	{"XBL and PBL", "zen.spamhaus.org", 0, "127.0.0.4,127.0.0.10", 1, 2,
	 "XBL (exploited host, CBL)", "ok"},
	{"the same code twice counts once", "zen.spamhaus.org", 0, "127.0.0.3,127.0.0.3", 1, 1,
	 "SBL CSS (snowshoe spam)", "ok"},
	{"undocumented code still a listing", "zen.spamhaus.org", 0, "127.0.0.99", 1, 1, NULL,
	 "ok"},
	{"generic list", "bl.test", 0, "127.0.0.2", 1, 1, NULL, "ok"},
	{"DBL malware", "dbl.bl.test=spamhaus-dbl", 0, "127.0.1.5", 1, 1, "DBL malware domain",
	 "ok"},
	{"public resolver", "zen.spamhaus.org", 0, "127.255.255.254", 0, 0, NULL, "dnsbl-refused"},
	{"rate limited", "zen.spamhaus.org", 0, "127.255.255.255", 0, 0, NULL, "dnsbl-refused"},
	{"typing error", "zen.spamhaus.org", 0, "127.255.255.252", 0, 0, NULL, "dnsbl-refused"},
	{"refusal beside a code: not trusted", "zen.spamhaus.org", 0, "127.0.0.2,127.255.255.254",
	 0, 0, NULL, "dnsbl-refused"},
	{"DBL: IP queries prohibited", "dbl.bl.test=spamhaus-dbl", 0, "127.0.1.255", 0, 0, NULL,
	 "dnsbl-refused"},
	{"127.0.1.255 of a generic list is a code", "bl.test", 0, "127.0.1.255", 1, 1, NULL, "ok"},
	{"NXDOMAIN rewritten", "bl.test", 0, "192.0.2.80", 0, 0, NULL, "dnsbl-bad-answer"},
	{"rewritten after a code", "bl.test", 0, "127.0.0.2,198.51.100.1", 0, 0, NULL,
	 "dnsbl-bad-answer"},
	{"127.0.0.1 is no listing", "bl.test", 0, "127.0.0.1", 0, 0, NULL, "dnsbl-bad-answer"},
	{"SERVFAIL", "bl.test", ARES_ESERVFAIL, NULL, 0, 0, NULL, "dns-failure"},
	{"REFUSED", "bl.test", ARES_EREFUSED, NULL, 0, 0, NULL, "dns-failure"},
	{"c-ares timeout", "bl.test", ARES_ETIMEOUT, NULL, 0, 0, NULL, "dns-timeout"},
};

START_TEST(test_decode)
{
	struct dnsbl_list l;
	struct dns_host h;
	struct dnsbl_answer a;
	const char *cause;

	list(&l, decodes[_i].list, strstr(decodes[_i].list, "dbl") ? DNSBL_DOMAIN : DNSBL_IP);
	host(&h, decodes[_i].status, decodes[_i].addrs);
	dnsbl_decode(&l, &h, &a);
	cause = classify(&a.fail)->name;
	ck_assert_msg(a.listed == decodes[_i].want_listed, "%s: got listed %d, want %d",
		      decodes[_i].what, a.listed, decodes[_i].want_listed);
	ck_assert_msg(a.ncodes == decodes[_i].want_ncodes, "%s: got %d codes, want %d",
		      decodes[_i].what, a.ncodes, decodes[_i].want_ncodes);
	ck_assert_msg(strcmp(cause, decodes[_i].want_cause) == 0, "%s: got cause %s, want %s",
		      decodes[_i].what, cause, decodes[_i].want_cause);
	if (a.ncodes > 0) {
		const char *n = a.codes[0].name, *w = decodes[_i].want_name0;

		ck_assert_msg((n == NULL && w == NULL) || (n && w && strcmp(n, w) == 0),
			      "%s: got code name %s, want %s", decodes[_i].what, n ? n : "(null)",
			      w ? w : "(null)");
	}
}
END_TEST

/* More codes than kept: the first DNSBL_CODES_MAX, still listed. */
START_TEST(test_decode_many_codes)
{
	struct dnsbl_list l;
	struct dns_host h;
	struct dnsbl_answer a;
	char addrs[256] = "";

	for (int i = 2; i < 2 + DNS_MAX_ADDRS; i++)
		snprintf(addrs + strlen(addrs), sizeof(addrs) - strlen(addrs), "%s127.0.0.%d",
			 i > 2 ? "," : "", i);
	list(&l, "bl.test", DNSBL_IP);
	host(&h, 0, addrs);
	dnsbl_decode(&l, &h, &a);
	ck_assert_int_eq(a.listed, 1);
	ck_assert_int_eq(a.ncodes, DNSBL_CODES_MAX);
	ck_assert_uint_eq(a.codes[0].addr, 0x7f000002u);
}
END_TEST

static const struct {
	const char *what;
	int listed_status;
	const char *listed_addrs;
	int unlisted_status;
	const char *unlisted_addrs;
	enum dnsbl_health want;
	const char *want_cause; /* of the target's answer (listed 127.0.0.2) after health */
} healths[] = {
	{"healthy", 0, "127.0.0.2", ARES_ENOTFOUND, NULL, DNSBL_HEALTH_OK, "ok"},
	{"dead", ARES_ENOTFOUND, NULL, ARES_ENOTFOUND, NULL, DNSBL_HEALTH_DEAD, "dnsbl-dead"},
	{"lists everything", 0, "127.0.0.2", 0, "127.0.0.2", DNSBL_HEALTH_LISTS_ALL,
	 "dnsbl-lists-all"},
	{"answers 127.0.0.1 for the unlisted point", 0, "127.0.0.2", 0, "127.0.0.1",
	 DNSBL_HEALTH_LISTS_ALL, "dnsbl-lists-all"},
	{"refused at the test point", 0, "127.255.255.254", 0, "127.255.255.254",
	 DNSBL_HEALTH_UNKNOWN, "ok"},
	{"unlisted point SERVFAIL", 0, "127.0.0.2", ARES_ESERVFAIL, NULL, DNSBL_HEALTH_UNKNOWN,
	 "ok"},
};

START_TEST(test_health)
{
	struct dnsbl_item it;
	struct dns_host h;

	memset(&it, 0, sizeof(it));
	list(&it.list, "bl.test", DNSBL_IP);
	host(&h, 0, "127.0.0.2");
	dnsbl_decode(&it.list, &h, &it.ans);
	host(&h, healths[_i].listed_status, healths[_i].listed_addrs);
	dnsbl_decode(&it.list, &h, &it.tp[0]);
	host(&h, healths[_i].unlisted_status, healths[_i].unlisted_addrs);
	dnsbl_decode(&it.list, &h, &it.tp[1]);
	it.asked = it.answered = 7;
	dnsbl_item_finish(&it, 1, 0);
	ck_assert_msg(it.health == healths[_i].want, "%s: got health %s, want %s", healths[_i].what,
		      dnsbl_health_name(it.health), dnsbl_health_name(healths[_i].want));
	ck_assert_msg(strcmp(classify(&it.ans.fail)->name, healths[_i].want_cause) == 0,
		      "%s: got cause %s, want %s", healths[_i].what, classify(&it.ans.fail)->name,
		      healths[_i].want_cause);
	ck_assert_int_eq(it.ans.listed, strcmp(healths[_i].want_cause, "ok") == 0);
}
END_TEST

/* The test points of RFC 5782 §5, by kind and family. */
START_TEST(test_test_points)
{
	struct dnsbl_target l, u;
	char a[DNS_NAME_MAX], b[DNS_NAME_MAX];

	dnsbl_test_points(DNSBL_IP, AF_INET, &l, &u);
	ck_assert_int_eq(dnsbl_query_name(&l, "z", a, sizeof(a)), 0);
	ck_assert_int_eq(dnsbl_query_name(&u, "z", b, sizeof(b)), 0);
	ck_assert_str_eq(a, "2.0.0.127.z");
	ck_assert_str_eq(b, "1.0.0.127.z");
	dnsbl_test_points(DNSBL_IP, AF_INET6, &l, &u);
	ck_assert_int_eq(dnsbl_query_name(&l, "z", a, sizeof(a)), 0);
	ck_assert_str_eq(a, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.z");
	dnsbl_test_points(DNSBL_DOMAIN, AF_UNSPEC, &l, &u);
	ck_assert_int_eq(dnsbl_query_name(&l, "z", a, sizeof(a)), 0);
	ck_assert_int_eq(dnsbl_query_name(&u, "z", b, sizeof(b)), 0);
	ck_assert_str_eq(a, "test.z");
	ck_assert_str_eq(b, "invalid.z");
}
END_TEST

/* TXT records joined by " / ", bytes kept as they are, cut to the buffer. */
START_TEST(test_reason)
{
	struct dns_txt_rr rr[2] = {{5, (char *)"a|b\x07\n"}, {3, (char *)"x\0y"}};
	struct dns_txt t = {ARES_SUCCESS, 2, rr};
	char dst[32], small[6];
	size_t n;

	n = dnsbl_reason(&t, dst, sizeof(dst));
	ck_assert_uint_eq(n, 11);
	ck_assert_int_eq(memcmp(dst, "a|b\x07\n / x\0y", 11), 0);
	n = dnsbl_reason(&t, small, sizeof(small));
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(small[5], '\0');
	t.status = ARES_ENOTFOUND;
	ck_assert_uint_eq(dnsbl_reason(&t, dst, sizeof(dst)), 0);
	ck_assert_int_eq(dst[0], '\0');
}
END_TEST

/* Missing answers at the deadline time out; the verdict counts listings and failures. */
START_TEST(test_verdict)
{
	struct dnsbl_set *s = calloc(1, sizeof(*s));
	struct dnsbl_verdict v;
	struct dns_host h;

	ck_assert_ptr_nonnull(s);
	s->n = 4;
	for (int i = 0; i < s->n; i++)
		list(&s->item[i].list, "bl.test", DNSBL_IP);
	host(&h, 0, "127.0.0.2");
	dnsbl_decode(&s->item[1].list, &h, &s->item[1].ans);
	host(&h, 0, "127.255.255.254");
	dnsbl_decode(&s->item[2].list, &h, &s->item[2].ans);
	host(&h, ARES_ENOTFOUND, NULL);
	dnsbl_decode(&s->item[0].list, &h, &s->item[0].ans);
	s->item[3].asked = 1u << DNSBL_ASK_TARGET; /* never answered */
	dnsbl_item_finish(&s->item[3], 0, 1);
	ck_assert_str_eq(classify(&s->item[3].ans.fail)->name, "dns-timeout");
	dnsbl_verdict(s, &v);
	ck_assert_int_eq(v.listed, 1);
	ck_assert_int_eq(v.failed, 2);
	ck_assert_int_eq(v.timed_out, 1);
	ck_assert_int_eq(v.first_listed, 1);
	ck_assert_int_eq(v.first_failed, 2);
	free(s);
}
END_TEST

/* Every table is findable by name, and the defaults have the tables README names. */
START_TEST(test_tables)
{
	const struct dnsbl_table *const *t;
	size_t n = dnsbl_tables(&t);

	ck_assert_uint_ge(n, 4);
	for (size_t i = 0; i < n; i++)
		ck_assert_ptr_eq(dnsbl_table_find(t[i]->name), t[i]);
	ck_assert_str_eq(dnsbl_defaults(DNSBL_IP)[0], "zen.spamhaus.org");
	ck_assert_str_eq(dnsbl_table_for("zen.spamhaus.org", DNSBL_IP)->name, "spamhaus-zen");
	ck_assert_str_eq(dnsbl_defaults(DNSBL_DOMAIN)[0], "dbl.spamhaus.org");
	ck_assert_ptr_null(dnsbl_defaults(DNSBL_DOMAIN)[1]);
}
END_TEST

Suite *dnsbl_suite(void)
{
	Suite *s = suite_create("dnsbl");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_query_name, 0, NELEM(names));
	tcase_add_test(tc, test_query_name_too_long);
	tcase_add_loop_test(tc, test_list_parse, 0, NELEM(lists));
	tcase_add_test(tc, test_list_zone_max);
	tcase_add_loop_test(tc, test_target_parse, 0, NELEM(targets));
	tcase_add_loop_test(tc, test_decode, 0, NELEM(decodes));
	tcase_add_test(tc, test_decode_many_codes);
	tcase_add_loop_test(tc, test_health, 0, NELEM(healths));
	tcase_add_test(tc, test_test_points);
	tcase_add_test(tc, test_reason);
	tcase_add_test(tc, test_verdict);
	tcase_add_test(tc, test_tables);
	suite_add_tcase(s, tc);
	return s;
}
