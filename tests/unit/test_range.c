/*
 * test_range.c - range_parse, range_alert and thresholds_eval, table-driven.
 */
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/range.h"

Suite *range_suite(void);

#define INF 1
static const struct parse_case {
	const char *text;
	int rc;
	double lo, hi;
	int lo_inf, hi_inf, inside;
} parse_cases[] = {
	{"10", 0, 0, 10, 0, 0, 0},
	{"10:", 0, 10, 0, 0, INF, 0},
	{"~:10", 0, 0, 10, INF, 0, 0},
	{"10:20", 0, 10, 20, 0, 0, 0},
	{"@10:20", 0, 10, 20, 0, 0, 1},
	{"@10", 0, 0, 10, 0, 0, 1},
	{"@~:5", 0, 0, 5, INF, 0, 1},
	{"~:", 0, 0, 0, INF, INF, 0},
	{":10", 0, 0, 10, 0, 0, 0},
	{"0", 0, 0, 0, 0, 0, 0},
	{"0.5", 0, 0, 0.5, 0, 0, 0},
	{"1.25:2.5", 0, 1.25, 2.5, 0, 0, 0},
	{".5", 0, 0, 0.5, 0, 0, 0},
	{"5.", 0, 0, 5, 0, 0, 0},
	{"-10:-5", 0, -10, -5, 0, 0, 0},
	{"-1.5:", 0, -1.5, 0, 0, INF, 0},
	{"+3", 0, 0, 3, 0, 0, 0},
	{"10:10", 0, 10, 10, 0, 0, 0},
	{"0000000000000000000000000000000000000001", 0, 0, 1, 0, 0, 0}, /* 40 bytes */
	/* malformed */
	{"", -1, 0, 0, 0, 0, 0},
	{"@", -1, 0, 0, 0, 0, 0},
	{":", -1, 0, 0, 0, 0, 0},
	{"@:", -1, 0, 0, 0, 0, 0},
	{"~", -1, 0, 0, 0, 0, 0},
	{"-", -1, 0, 0, 0, 0, 0},
	{".", -1, 0, 0, 0, 0, 0},
	{"-.", -1, 0, 0, 0, 0, 0},
	{"abc", -1, 0, 0, 0, 0, 0},
	{"10abc", -1, 0, 0, 0, 0, 0},
	{"10:20x", -1, 0, 0, 0, 0, 0},
	{" 10", -1, 0, 0, 0, 0, 0},
	{"10 ", -1, 0, 0, 0, 0, 0},
	{"20:10", -1, 0, 0, 0, 0, 0},
	{"@20:10", -1, 0, 0, 0, 0, 0},
	{"-5", -1, 0, 0, 0, 0, 0}, /* 0:-5, start > end */
	{"10:20:30", -1, 0, 0, 0, 0, 0},
	{"inf", -1, 0, 0, 0, 0, 0},
	{"10:inf", -1, 0, 0, 0, 0, 0},
	{"nan", -1, 0, 0, 0, 0, 0},
	{"-infinity:", -1, 0, 0, 0, 0, 0},
	{"0x10", -1, 0, 0, 0, 0, 0},
	{"0x1p3", -1, 0, 0, 0, 0, 0},
	{"1e3", -1, 0, 0, 0, 0, 0},
	{"1,5", -1, 0, 0, 0, 0, 0},
	{"1..5", -1, 0, 0, 0, 0, 0},
	{"--1", -1, 0, 0, 0, 0, 0},
	{"@@10", -1, 0, 0, 0, 0, 0},
	{"~10", -1, 0, 0, 0, 0, 0},
	{"10:~", -1, 0, 0, 0, 0, 0},
	{"00000000000000000000000000000000000000001", -1, 0, 0, 0, 0, 0}, /* 41 bytes */
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	struct range r;
	int rc;

	memset(&r, 0x5a, sizeof(r));
	rc = range_parse(c->text, &r);
	ck_assert_msg(rc == c->rc, "\"%s\": got rc %d, want %d", c->text, rc, c->rc);
	if (c->rc != 0) {
		ck_assert_msg(r.set == 0, "\"%s\": got set %d, want 0", c->text, r.set);
		return;
	}
	ck_assert_msg(r.set == 1, "\"%s\": got set %d, want 1", c->text, r.set);
	ck_assert_msg(r.lo_inf == c->lo_inf && r.hi_inf == c->hi_inf,
		      "\"%s\": got lo_inf %d hi_inf %d, want %d %d", c->text, r.lo_inf, r.hi_inf,
		      c->lo_inf, c->hi_inf);
	ck_assert_msg(r.inside == c->inside, "\"%s\": got inside %d, want %d", c->text, r.inside,
		      c->inside);
	if (!c->lo_inf)
		ck_assert_msg(r.lo == c->lo, "\"%s\": got lo %g, want %g", c->text, r.lo, c->lo);
	if (!c->hi_inf)
		ck_assert_msg(r.hi == c->hi, "\"%s\": got hi %g, want %g", c->text, r.hi, c->hi);
	ck_assert_msg(strcmp(r.text, c->text) == 0, "got text \"%s\", want \"%s\"", r.text,
		      c->text);
}
END_TEST

START_TEST(test_parse_null)
{
	struct range r;

	ck_assert_msg(range_parse(NULL, &r) == -1, "NULL text: got 0, want -1");
	ck_assert_msg(r.set == 0, "NULL text: got set %d, want 0", r.set);
}
END_TEST

START_TEST(test_parse_long_unterminated)
{
	char text[200];
	struct range r;

	memset(text, '1', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	ck_assert_msg(range_parse(text, &r) == -1, "199-byte range: got 0, want -1");
}
END_TEST

/* A locale whose decimal point is ',' must not change parsing. */
START_TEST(test_parse_locale)
{
	const char *locs[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "C.UTF-8"};
	char *old = strdup(setlocale(LC_NUMERIC, NULL));
	struct range r;
	int rc;

	for (size_t i = 0; i < sizeof(locs) / sizeof(locs[0]); i++)
		if (setlocale(LC_NUMERIC, locs[i]) != NULL)
			break;
	rc = range_parse("1.5:2.5", &r);
	ck_assert_msg(rc == 0 && r.lo == 1.5 && r.hi == 2.5, "1.5:2.5 under %s: got rc %d %g:%g",
		      setlocale(LC_NUMERIC, NULL), rc, r.lo, r.hi);
	rc = range_parse("1,5", &r);
	setlocale(LC_NUMERIC, old);
	free(old);
	ck_assert_msg(rc == -1, "1,5: got rc %d, want -1", rc);
}
END_TEST

static const struct alert_case {
	const char *range;
	double v;
	int alert;
} alert_cases[] = {
	{"10", -0.001, 1},   {"10", 0, 0},       {"10", 5, 0},        {"10", 10, 0},
	{"10", 10.001, 1},   {"10:", 9.99, 1},   {"10:", 10, 0},      {"10:", 1e300, 0},
	{"~:10", -1e300, 0}, {"~:10", 10, 0},    {"~:10", 11, 1},     {"10:20", 9, 1},
	{"10:20", 10, 0},    {"10:20", 15, 0},   {"10:20", 20, 0},    {"10:20", 21, 1},
	{"@10:20", 9, 0},    {"@10:20", 10, 1},  {"@10:20", 15, 1},   {"@10:20", 20, 1},
	{"@10:20", 21, 0},   {"~:", -5, 0},      {"~:", 5, 0},        {"@~:", 5, 1},
	{"-5:-1", -3, 0},    {"-5:-1", 0, 1},    {"0.5", 0.6, 1},     {"0.5", 0.5, 0},
	{"10", NAN, 0},      {"@10:20", NAN, 0}, {"10", INFINITY, 1}, {"~:10", -INFINITY, 0},
};

START_TEST(test_alert_table)
{
	const struct alert_case *c = &alert_cases[_i];
	struct range r;
	int got;

	ck_assert_msg(range_parse(c->range, &r) == 0, "parse %s failed", c->range);
	got = range_alert(&r, c->v);
	ck_assert_msg(got == c->alert, "%s at %g: got alert %d, want %d", c->range, c->v, got,
		      c->alert);
}
END_TEST

START_TEST(test_alert_unset)
{
	struct range r;

	memset(&r, 0, sizeof(r));
	ck_assert_msg(range_alert(&r, 1e9) == 0, "unset range: got alert, want none");
	ck_assert_msg(range_alert(NULL, 1e9) == 0, "NULL range: got alert, want none");
}
END_TEST

static const struct eval_case {
	const char *warn, *crit;
	double v;
	enum state want;
} eval_cases[] = {
	{"5", "10", 3, STATE_OK},
	{"5", "10", 7, STATE_WARNING},
	{"5", "10", 11, STATE_CRITICAL},
	{NULL, "10", 7, STATE_OK},
	{"5", NULL, 70, STATE_WARNING},
	{NULL, NULL, 1e9, STATE_OK},
	{"10", "5", 7, STATE_CRITICAL}, /* crit is checked first */
	{"@0:1", "@0:0.5", 0.7, STATE_WARNING},
};

START_TEST(test_eval_table)
{
	const struct eval_case *c = &eval_cases[_i];
	struct thresholds t;
	enum state got;

	memset(&t, 0, sizeof(t));
	if (c->warn != NULL)
		ck_assert(range_parse(c->warn, &t.warn) == 0);
	if (c->crit != NULL)
		ck_assert(range_parse(c->crit, &t.crit) == 0);
	got = thresholds_eval(&t, c->v);
	ck_assert_msg(got == c->want, "w=%s c=%s v=%g: got %d, want %d", c->warn, c->crit, c->v,
		      got, c->want);
}
END_TEST

START_TEST(test_eval_null)
{
	ck_assert_msg(thresholds_eval(NULL, 5) == STATE_OK, "NULL thresholds: want OK");
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *range_suite(void)
{
	Suite *s = suite_create("range");
	TCase *tc = tcase_create("range");

	tcase_add_loop_test(tc, test_parse_table, 0, N(parse_cases));
	tcase_add_test(tc, test_parse_null);
	tcase_add_test(tc, test_parse_long_unterminated);
	tcase_add_test(tc, test_parse_locale);
	tcase_add_loop_test(tc, test_alert_table, 0, N(alert_cases));
	tcase_add_test(tc, test_alert_unset);
	tcase_add_loop_test(tc, test_eval_table, 0, N(eval_cases));
	tcase_add_test(tc, test_eval_null);
	suite_add_tcase(s, tc);
	return s;
}
