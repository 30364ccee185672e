/*
 * test_fail.c - the failure record and the Nagios state helpers.
 */
#include <check.h>
#include <string.h>

#include "base/fail.h"
#include "base/state.h"

START_TEST(test_fail_first_wins)
{
	struct fail f;

	fail_reset(&f);
	ck_assert_msg(f.cls == FAIL_NONE, "got cls %d, want FAIL_NONE", f.cls);
	fail_set(&f, FAIL_CONNECT, PHASE_CONNECT, 111, "connect to %s: %s", "127.0.0.1", "refused");
	fail_set(&f, FAIL_TIMEOUT, PHASE_GREETING, 0, "later");
	ck_assert_msg(f.cls == FAIL_CONNECT, "got cls %d, want FAIL_CONNECT", f.cls);
	ck_assert_msg(f.phase == PHASE_CONNECT, "got phase %d, want PHASE_CONNECT", f.phase);
	ck_assert_msg(f.err == 111, "got err %d, want 111", f.err);
	ck_assert_msg(strcmp(f.detail, "connect to 127.0.0.1: refused") == 0,
		      "got detail \"%s\", want \"connect to 127.0.0.1: refused\"", f.detail);
	fail_reset(&f);
	fail_set(&f, FAIL_TIMEOUT, PHASE_GREETING, 0, "later");
	ck_assert_msg(f.cls == FAIL_TIMEOUT, "after reset got cls %d, want FAIL_TIMEOUT", f.cls);
}
END_TEST

START_TEST(test_fail_detail_truncated)
{
	struct fail f;
	char big[FAIL_DETAIL_MAX * 2];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fail_reset(&f);
	fail_set(&f, FAIL_INTERNAL, PHASE_NONE, 0, "%s", big);
	ck_assert_msg(strlen(f.detail) == FAIL_DETAIL_MAX - 1, "got detail length %zu, want %d",
		      strlen(f.detail), FAIL_DETAIL_MAX - 1);
}
END_TEST

START_TEST(test_fail_reply)
{
	struct fail f;
	struct enh e = {5, 7, 1};
	char big[FAIL_TEXT_MAX + 100];

	fail_reset(&f);
	fail_set(&f, FAIL_REPLY, PHASE_RCPT, 0, "rejected");
	fail_set_reply(&f, 550, &e, "5.7.1 relay denied\r\nignored", 18);
	ck_assert_msg(f.code == 550, "got code %d, want 550", f.code);
	ck_assert_msg(f.enh.cls == 5 && f.enh.subject == 7 && f.enh.detail == 1,
		      "got enh %d.%d.%d, want 5.7.1", f.enh.cls, f.enh.subject, f.enh.detail);
	ck_assert_msg(strcmp(f.text, "5.7.1 relay denied") == 0,
		      "got text \"%s\", want \"5.7.1 relay denied\"", f.text);
	/* Overwrites; NULL enh clears it; long text is cut and terminated. */
	memset(big, 'y', sizeof(big));
	fail_set_reply(&f, 421, NULL, big, sizeof(big));
	ck_assert_msg(f.code == 421, "got code %d, want 421", f.code);
	ck_assert_msg(f.enh.cls == 0, "got enh.cls %d, want 0", f.enh.cls);
	ck_assert_msg(strlen(f.text) == FAIL_TEXT_MAX - 1, "got text length %zu, want %d",
		      strlen(f.text), FAIL_TEXT_MAX - 1);
	fail_set_reply(&f, 0, NULL, NULL, 5);
	ck_assert_msg(f.text[0] == '\0', "got text \"%s\", want empty", f.text);
}
END_TEST

static const struct {
	enum phase p;
	const char *want;
} phase_cases[] = {
	{PHASE_NONE, "none"},         {PHASE_DNS, "dns"},
	{PHASE_CONNECT, "connect"},   {PHASE_TLS_IMPLICIT, "tlsconnect"},
	{PHASE_GREETING, "greeting"}, {PHASE_EHLO, "ehlo"},
	{PHASE_STARTTLS, "starttls"}, {PHASE_TLS, "tls"},
	{PHASE_EHLO2, "ehlo_tls"},    {PHASE_AUTH, "auth"},
	{PHASE_MAIL, "mail"},         {PHASE_RCPT, "rcpt"},
	{PHASE_COMMAND, "command"},   {PHASE_QUIT, "quit"},
	{PHASE_MAX, "unknown"},       {(enum phase) - 1, "unknown"},
};

START_TEST(test_phase_name)
{
	const char *got = phase_name(phase_cases[_i].p);

	ck_assert_msg(strcmp(got, phase_cases[_i].want) == 0, "phase %d: got \"%s\", want \"%s\"",
		      (int)phase_cases[_i].p, got, phase_cases[_i].want);
}
END_TEST

static const struct {
	enum fail_class c;
	const char *want;
} class_cases[] = {
	{FAIL_NONE, "none"},
	{FAIL_INTERNAL, "internal"},
	{FAIL_DNS, "dns"},
	{FAIL_CONNECT, "connect"},
	{FAIL_TIMEOUT, "timeout"},
	{FAIL_DROPPED, "dropped"},
	{FAIL_PROTOCOL, "protocol"},
	{FAIL_REPLY, "reply"},
	{FAIL_TLS, "tls"},
	{FAIL_VERIFY, "verify"},
	{FAIL_CERT_DAYS, "cert-days"},
	{FAIL_MISSING, "missing"},
	{FAIL_EXPECT, "expect"},
	{FAIL_INJECTION, "injection"},
	{FAIL_MAX, "unknown"},
	{FAIL_PLAINTEXT_AUTH, "plaintext-auth"},
};

START_TEST(test_fail_class_name)
{
	const char *got = fail_class_name(class_cases[_i].c);

	ck_assert_msg(strcmp(got, class_cases[_i].want) == 0, "class %d: got \"%s\", want \"%s\"",
		      (int)class_cases[_i].c, got, class_cases[_i].want);
}
END_TEST

/* Every in-range phase and class has a distinct name. */
START_TEST(test_names_distinct)
{
	for (int i = 0; i < PHASE_MAX; i++)
		for (int j = i + 1; j < PHASE_MAX; j++)
			ck_assert_msg(strcmp(phase_name(i), phase_name(j)) != 0,
				      "phases %d and %d share the name \"%s\"", i, j,
				      phase_name(i));
	for (int i = 0; i < FAIL_MAX; i++)
		for (int j = i + 1; j < FAIL_MAX; j++)
			ck_assert_msg(strcmp(fail_class_name(i), fail_class_name(j)) != 0,
				      "classes %d and %d share the name \"%s\"", i, j,
				      fail_class_name(i));
}
END_TEST

static const struct {
	const char *text;
	int want;
} parse_cases[] = {
	{"ok", STATE_OK},
	{"OK", STATE_OK},
	{"Warning", STATE_WARNING},
	{"CRITICAL", STATE_CRITICAL},
	{"unknown", STATE_UNKNOWN},
	{"0", 0},
	{"3", 3},
	{"4", -1},
	{"-1", -1},
	{"", -1},
	{"warn", -1},
	{"okay", -1},
	{"00", -1},
	{NULL, -1},
};

START_TEST(test_state_parse)
{
	int got = state_parse(parse_cases[_i].text);

	ck_assert_msg(got == parse_cases[_i].want, "state_parse(\"%s\"): got %d, want %d",
		      parse_cases[_i].text ? parse_cases[_i].text : "(null)", got,
		      parse_cases[_i].want);
}
END_TEST

static const struct {
	enum state a, b, want;
} worst_cases[] = {
	{STATE_OK, STATE_OK, STATE_OK},
	{STATE_OK, STATE_UNKNOWN, STATE_UNKNOWN},
	{STATE_UNKNOWN, STATE_WARNING, STATE_WARNING},
	{STATE_WARNING, STATE_UNKNOWN, STATE_WARNING},
	{STATE_CRITICAL, STATE_WARNING, STATE_CRITICAL},
	{STATE_UNKNOWN, STATE_CRITICAL, STATE_CRITICAL},
	{STATE_OK, STATE_CRITICAL, STATE_CRITICAL},
};

START_TEST(test_state_worst)
{
	enum state got = state_worst(worst_cases[_i].a, worst_cases[_i].b);

	ck_assert_msg(got == worst_cases[_i].want, "worst(%d, %d): got %d, want %d",
		      worst_cases[_i].a, worst_cases[_i].b, got, worst_cases[_i].want);
}
END_TEST

START_TEST(test_state_name)
{
	static const char *want[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	for (int s = 0; s < 4; s++)
		ck_assert_msg(strcmp(state_name(s), want[s]) == 0, "state %d: got %s, want %s", s,
			      state_name(s), want[s]);
	ck_assert_msg(strcmp(state_name((enum state)7), "UNKNOWN") == 0,
		      "state 7: got %s, want UNKNOWN", state_name((enum state)7));
}
END_TEST

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *fail_suite(void);

Suite *fail_suite(void)
{
	Suite *s = suite_create("fail");
	TCase *tc = tcase_create("fail");
	TCase *ts = tcase_create("state");

	tcase_add_test(tc, test_fail_first_wins);
	tcase_add_test(tc, test_fail_detail_truncated);
	tcase_add_test(tc, test_fail_reply);
	tcase_add_loop_test(tc, test_phase_name, 0, NELEM(phase_cases));
	tcase_add_loop_test(tc, test_fail_class_name, 0, NELEM(class_cases));
	tcase_add_test(tc, test_names_distinct);
	tcase_add_loop_test(ts, test_state_parse, 0, NELEM(parse_cases));
	tcase_add_loop_test(ts, test_state_worst, 0, NELEM(worst_cases));
	tcase_add_test(ts, test_state_name);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, ts);
	return s;
}
