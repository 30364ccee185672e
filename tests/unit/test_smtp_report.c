/*
 * test_smtp_report.c - one SMTP probe result as a result-tree node: words
 * (rendered by the text renderer), perfdata and facts (rendered as JSON),
 * from fixture results (no network).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "front/out_render.h"
#include "smtp/smtp_report.h"
#include "verdict/classify.h"

Suite *smtp_report_suite(void);

/* A result as a probe of 127.0.0.1 would leave it. */
static void fixture(struct smtp_run_result *r)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&r->addr.ss;

	memset(r, 0, sizeof(*r));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(25);
	inet_pton(AF_INET, "127.0.0.1", &sin->sin_addr);
	r->addr.len = sizeof(*sin);
}

struct failure_case {
	enum fail_class cls;
	enum phase phase;
	int err, code;
	struct enh enh;
	const char *text, *detail;
	const char *want;
};

static const struct failure_case failure_cases[] = {
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 421,
	 {4, 4, 2},
	 "fault Connection dropped",
	 "",
	 "421 4.4.2 at greeting: fault Connection dropped"},
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 550,
	 {0, 0, 0},
	 "no such user\nsecond line",
	 "",
	 "550 at rcpt: no such user"},
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 421,
	 {4, 3, 2},
	 "busy | fake=1;2;3\r\x1b[31m",
	 "",
	 "421 4.3.2 at greeting: busy / fake=1;2;3 [31m"},
	{FAIL_EXPECT,
	 PHASE_GREETING,
	 0,
	 220,
	 {0, 0, 0},
	 "mail ESMTP",
	 "",
	 "220 at greeting: mail ESMTP"},
	{FAIL_CONNECT,
	 PHASE_CONNECT,
	 ECONNREFUSED,
	 0,
	 {0, 0, 0},
	 "",
	 "Connection refused",
	 "connect failed: Connection refused"},
	{FAIL_TIMEOUT, PHASE_TLS, ETIMEDOUT, 0, {0, 0, 0}, "", "", "timeout at tls"},
	{FAIL_DROPPED, PHASE_EHLO, 0, 0, {0, 0, 0}, "", "", "connection dropped at ehlo"},
	{FAIL_DNS,
	 PHASE_DNS,
	 4,
	 0,
	 {0, 0, 0},
	 "",
	 "x: Domain name not found",
	 "DNS lookup failed: x: Domain name not found"},
	{FAIL_TLS,
	 PHASE_TLS,
	 1,
	 0,
	 {0, 0, 0},
	 "",
	 "wrong version number",
	 "TLS handshake failed: wrong version number"},
	{FAIL_TLS,
	 PHASE_EHLO2,
	 1116,
	 0,
	 {0, 0, 0},
	 "",
	 "tlsv13 alert certificate required",
	 "TLS failed after the handshake: tlsv13 alert certificate required"},
	{FAIL_VERIFY,
	 PHASE_TLS,
	 10,
	 0,
	 {0, 0, 0},
	 "",
	 "certificate has expired",
	 "certificate verification failed: certificate has expired"},
	{FAIL_INJECTION,
	 PHASE_STARTTLS,
	 0,
	 0,
	 {0, 0, 0},
	 "",
	 "",
	 "plaintext sent after the STARTTLS 220 reply"},
	{FAIL_MISSING,
	 PHASE_STARTTLS,
	 0,
	 0,
	 {0, 0, 0},
	 "",
	 "STARTTLS not offered",
	 "missing at starttls: STARTTLS not offered"},
	{FAIL_NONE, PHASE_NONE, 0, 0, {0, 0, 0}, "", "", "ok"},
};

START_TEST(test_report_failure)
{
	const struct failure_case *fc = &failure_cases[_i];
	struct smtp_run_result r;
	struct out o;
	char got[512];

	fixture(&r);
	fail_set(&r.smtp.fail, fc->cls, fc->phase, fc->err, "%s", fc->detail);
	r.smtp.fail.code = fc->code;
	r.smtp.fail.enh = fc->enh;
	snprintf(r.smtp.fail.text, sizeof(r.smtp.fail.text), "%s", fc->text);
	out_init(&o, "check_mail_smtp", "SMTP");
	smtp_report_failure(&r, &o, OUT_TO_SUMMARY);
	out_text_summary(&o, got, sizeof(got));
	out_reset(&o);
	ck_assert_msg(strcmp(got, fc->want) == 0, "case %d: got '%s', want '%s'", _i, got,
		      fc->want);
	ck_assert_msg(strpbrk(got, "|\n\r\x1b") == NULL, "case %d: unsanitised '%s'", _i, got);
}
END_TEST

START_TEST(test_report_target)
{
	static const struct {
		const char *host;
		int port, noaddr;
		const char *want;
	} cases[] = {
		{"mx.example.net", 25, 0, "mx.example.net[127.0.0.1]:25"},
		{"127.0.0.1", 25, 0, "127.0.0.1:25"},
		{"bad|name", 2525, 1, "bad/name:2525"}, /* DNS failed: no address */
		{"::1", 25, 2, "[::1]:25"},             /* an IPv6 host: once, in brackets */
		{"::1", 25, 3, "[::1]:25"},             /* ... also before an address is known */
	};
	struct smtp_run_result r;
	struct out o;
	char got[320];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture(&r);
		if (cases[i].noaddr == 1 || cases[i].noaddr == 3)
			r.addr.len = 0;
		if (cases[i].noaddr == 2)
			ck_assert_int_eq(net_addr_parse("::1", 25, &r.addr), 0);
		out_init(&o, "check_mail_smtp", "SMTP");
		smtp_report_target(&r, cases[i].host, cases[i].port, &o, OUT_TO_SUMMARY);
		out_text_summary(&o, got, sizeof(got));
		out_reset(&o);
		ck_assert_msg(strcmp(got, cases[i].want) == 0, "got '%s', want '%s'", got,
			      cases[i].want);
	}
}
END_TEST

/* The addresses given up on: JSON failed_addresses and one long-output line each. */
START_TEST(test_report_failed_addresses)
{
	struct smtp_run_result r;
	struct json_object *j, *v, *e;
	struct fail f;
	struct out o;
	char *text;

	fixture(&r);
	r.naddrs = 2;
	r.nfailed = 1;
	ck_assert_int_eq(net_addr_parse("127.0.0.4", 25, &r.failed[0].addr), 0);
	fail_reset(&f);
	fail_set(&f, FAIL_CONNECT, PHASE_CONNECT, ECONNREFUSED, "Connection refused");
	r.failed[0].cause = classify(&f);
	snprintf(r.failed[0].detail, sizeof(r.failed[0].detail), "Connection refused");
	out_init(&o, "check_mail_smtp", "SMTP");
	smtp_report_long(&r, 0, &o);
	smtp_report_failed_addresses(&r, &o);
	text = out_json_text(&o);
	out_reset(&o);
	ck_assert(text != NULL);
	j = json_tokener_parse(text);
	ck_assert_msg(j != NULL, "JSON does not parse: %s", text);
	free(text);
	ck_assert(json_object_object_get_ex(j, "failed_addresses", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 1);
	e = json_object_array_get_idx(v, 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(e, "address")), "127.0.0.4");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(e, "cause")),
			 "connect-refused");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(e, "detail")),
			 "Connection refused");
	ck_assert(json_object_object_get_ex(j, "long", &v));
	ck_assert_msg(strcmp(json_object_get_string(json_object_array_get_idx(v, 0)),
			     "address 127.0.0.4 failed: connect-refused: Connection refused") == 0,
		      "got long '%s'", json_object_get_string(json_object_array_get_idx(v, 0)));
	json_object_put(j);
	/* No address known (the lookup failed): null; none failed: []. */
	for (int naddrs = 0; naddrs <= 1; naddrs++) {
		fixture(&r);
		r.naddrs = naddrs;
		out_init(&o, "check_mail_smtp", "SMTP");
		smtp_report_failed_addresses(&r, &o);
		text = out_json_text(&o);
		out_reset(&o);
		j = json_tokener_parse(text);
		free(text);
		ck_assert(json_object_object_get_ex(j, "failed_addresses", &v));
		if (naddrs == 0)
			ck_assert_msg(v == NULL, "got %s, want null",
				      json_object_to_json_string(v));
		else
			ck_assert_int_eq((int)json_object_array_length(v), 0);
		json_object_put(j);
	}
}
END_TEST

START_TEST(test_report_cert_days)
{
	struct smtp_run_result r;
	int days;

	fixture(&r);
	r.tls.not_after = time(NULL) + 10 * 86400 + 3600;
	days = smtp_report_cert_days(&r);
	ck_assert_msg(days == 10, "got %d days, want 10", days);
	r.tls.not_after = time(NULL) - 3600;
	days = smtp_report_cert_days(&r);
	ck_assert_msg(days == -1, "got %d days, want -1 (expired an hour ago)", days);
}
END_TEST

/* Only phases that were reached become perfdata, in phase order, in seconds. */
START_TEST(test_report_perf)
{
	struct smtp_run_result r;
	struct out o;

	fixture(&r);
	r.phase_seen[PHASE_CONNECT] = r.phase_seen[PHASE_GREETING] = 1;
	r.phase_us[PHASE_CONNECT] = 1500;
	r.phase_us[PHASE_GREETING] = 250000;
	out_init(&o, "check_mail_smtp", "SMTP");
	smtp_report_perf(&r, &o, NULL);
	ck_assert_msg(o.nperf == 2, "got %d perfdata, want 2", o.nperf);
	ck_assert_str_eq(o.perf[0].label, "connect");
	ck_assert_msg(o.perf[0].value == 0.0015, "got %g, want 0.0015", o.perf[0].value);
	ck_assert_str_eq(o.perf[1].label, "greeting");
	ck_assert_str_eq(o.perf[1].uom, "s");
	out_reset(&o);
}
END_TEST

/* JSON: the failing reply, phases with replies, sanitised text, no TLS object without TLS. */
START_TEST(test_report_json)
{
	struct smtp_run_result r;
	struct json_object *j, *v;
	struct out o;
	char *text;

	fixture(&r);
	r.phase_seen[PHASE_GREETING] = 1;
	r.smtp.reply[PHASE_GREETING].code = 421;
	r.smtp.reply[PHASE_GREETING].enh = (struct enh){4, 4, 2};
	snprintf(r.smtp.reply[PHASE_GREETING].text, SMTP_TEXT_MAX, "busy\n| x=1");
	fail_set(&r.smtp.fail, FAIL_REPLY, PHASE_GREETING, 0, "unexpected reply");
	fail_set_reply(&r.smtp.fail, 421, &(struct enh){4, 4, 2}, "busy\n| x=1", 10);
	out_init(&o, "check_mail_smtp", "SMTP");
	out_cause(&o, classify(&r.smtp.fail), 1);
	smtp_report_facts(&r, &o);
	text = out_json_text(&o);
	out_reset(&o);
	ck_assert(text != NULL);
	j = json_tokener_parse(text);
	ck_assert_msg(j != NULL, "JSON does not parse: %s", text);
	free(text);
	ck_assert(json_object_object_get_ex(j, "cause", &v));
	ck_assert_str_eq(json_object_get_string(v), "server-busy");
	ck_assert(json_object_object_get_ex(j, "failed_phase", &v));
	ck_assert_str_eq(json_object_get_string(v), "greeting");
	ck_assert(json_object_object_get_ex(j, "reply", &v));
	ck_assert_int_eq(json_object_get_int(json_object_object_get(v, "code")), 421);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(v, "enhanced")), "4.4.2");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(v, "text")), "busy | x=1");
	ck_assert(json_object_object_get_ex(j, "tls", &v));
	ck_assert_msg(v == NULL, "got a tls object without TLS");
	ck_assert(json_object_object_get_ex(j, "phases", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 1);
	json_object_put(j);
}
END_TEST

Suite *smtp_report_suite(void)
{
	Suite *s = suite_create("smtp_report");
	TCase *tc = tcase_create("report");

	tcase_add_loop_test(tc, test_report_failure, 0,
			    (int)(sizeof(failure_cases) / sizeof(failure_cases[0])));
	tcase_add_test(tc, test_report_target);
	tcase_add_test(tc, test_report_failed_addresses);
	tcase_add_test(tc, test_report_cert_days);
	tcase_add_test(tc, test_report_perf);
	tcase_add_test(tc, test_report_json);
	suite_add_tcase(s, tc);
	return s;
}
