/*
 * test_smtp.c - the SMTP client core: reply parser, enhanced codes, EHLO
 * capabilities, and scripted sessions replayed without sockets (each
 * session is run twice: in its chunks and one byte at a time).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- reply parser ---- */

struct reply_case {
	const char *name;
	const char *lines[5]; /* fed in order; NULL ends */
	int rc[5];            /* wanted return per line */
	int code;
	struct enh enh;
	int nlines;
	const char *text;
};

/* clang-format off */
static const struct reply_case reply_cases[] = {
	{"single", {"250 OK"}, {1}, 250, {0, 0, 0}, 1, "OK"},
	{"multiline",
	 {"250-mx.example.com", "250-PIPELINING", "250 SIZE 100"},
	 {0, 0, 1},
	 250,
	 {0, 0, 0},
	 3,
	 "mx.example.com\nPIPELINING\nSIZE 100"},
	{"bare code", {"250"}, {1}, 250, {0, 0, 0}, 1, ""},
	{"bare code with dash", {"220-", "220 ready"}, {0, 1}, 220, {0, 0, 0}, 2, "\nready"},
	{"mismatched codes", {"250-a", "251 b"}, {0, -1}, 250, {0, 0, 0}, 1, "a"},
	{"bad separator", {"250_x"}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"no separator", {"250x"}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"non-digit", {"2a0 x"}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"letters", {"abc def"}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"short", {"25"}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"empty", {""}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"1xx code", {"150 x"}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"6xx code", {"650 x"}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"control char", {"250 a\001b"}, {-1}, 0, {0, 0, 0}, 0, ""},
	{"tab allowed", {"250 a\tb"}, {1}, 250, {0, 0, 0}, 1, "a\tb"},
	{"utf-8 allowed", {"250 caf\xc3\xa9"}, {1}, 250, {0, 0, 0}, 1, "caf\xc3\xa9"},
	{"enhanced", {"550 5.1.1 User unknown"}, {1}, 550, {5, 1, 1}, 1, "User unknown"},
	{"3-digit detail", {"451 4.7.500 Server busy"}, {1}, 451, {4, 7, 500}, 1, "Server busy"},
	{"class mismatch keeps code", {"550 4.7.1 go away"}, {1}, 550, {4, 7, 1}, 1, "go away"},
	{"enhanced multiline",
	 {"421-4.7.0 first", "421 4.7.0 second"},
	 {0, 1},
	 421,
	 {4, 7, 0},
	 2,
	 "first\nsecond"},
	{"enhanced alone", {"250 2.0.0"}, {1}, 250, {2, 0, 0}, 1, ""},
	{"not enhanced: 2 parts", {"250 2.0 x"}, {1}, 250, {0, 0, 0}, 1, "2.0 x"},
	{"not enhanced: glued", {"250 2.0.0x"}, {1}, 250, {0, 0, 0}, 1, "2.0.0x"},
	{"not enhanced: class 3", {"354 3.0.0 go"}, {1}, 354, {0, 0, 0}, 1, "3.0.0 go"},
	{"not enhanced: 4 digits", {"250 2.1234.0 x"}, {1}, 250, {0, 0, 0}, 1, "2.1234.0 x"},
};
/* clang-format on */

START_TEST(test_reply_table)
{
	const struct reply_case *t = &reply_cases[_i];
	struct smtp_reply r;

	smtp_reply_init(&r);
	for (int i = 0; i < 5 && t->lines[i] != NULL; i++) {
		int rc = smtp_reply_line(&r, t->lines[i], strlen(t->lines[i]));

		ck_assert_msg(rc == t->rc[i], "%s: line %d: got rc %d, want %d", t->name, i, rc,
			      t->rc[i]);
	}
	ck_assert_msg(r.code == t->code, "%s: got code %d, want %d", t->name, r.code, t->code);
	ck_assert_msg(r.lines == t->nlines, "%s: got %d lines, want %d", t->name, r.lines,
		      t->nlines);
	ck_assert_msg(r.enh.cls == t->enh.cls && r.enh.subject == t->enh.subject &&
			      r.enh.detail == t->enh.detail,
		      "%s: got enh %d.%d.%d, want %d.%d.%d", t->name, r.enh.cls, r.enh.subject,
		      r.enh.detail, t->enh.cls, t->enh.subject, t->enh.detail);
	ck_assert_msg(strcmp(r.text, t->text) == 0 && r.len == strlen(t->text),
		      "%s: got text \"%s\" (%zu), want \"%s\"", t->name, r.text, r.len, t->text);
}
END_TEST

START_TEST(test_reply_too_many_lines)
{
	struct smtp_reply r;
	int rc = 0;

	smtp_reply_init(&r);
	for (int i = 0; i < SMTP_REPLY_LINES; i++) {
		rc = smtp_reply_line(&r, "250-x", 5);
		ck_assert_msg(rc == 0, "line %d: got rc %d, want 0", i, rc);
	}
	rc = smtp_reply_line(&r, "250 x", 5);
	ck_assert_msg(rc == -1, "line %d: got rc %d, want -1", SMTP_REPLY_LINES, rc);
}
END_TEST

START_TEST(test_reply_too_many_bytes)
{
	static char line[SMTP_LINE_MAX];
	struct smtp_reply r;
	int rc = 0, i;

	memset(line, 'a', sizeof(line));
	memcpy(line, "250-", 4);
	smtp_reply_init(&r);
	for (i = 0; i < SMTP_REPLY_LINES && rc == 0; i++)
		rc = smtp_reply_line(&r, line, sizeof(line));
	ck_assert_msg(rc == -1, "got rc %d, want -1", rc);
	ck_assert_msg(i == SMTP_REPLY_MAX / (SMTP_LINE_MAX + 1) + 1, "failed at line %d, want %d",
		      i, SMTP_REPLY_MAX / (SMTP_LINE_MAX + 1) + 1);
	ck_assert_msg(r.len == SMTP_TEXT_MAX - 1, "got text len %zu, want %d", r.len,
		      SMTP_TEXT_MAX - 1);
	ck_assert_msg(strlen(r.text) == r.len, "text not terminated at len");
}
END_TEST

struct enh_case {
	const char *in;
	size_t used;
	struct enh enh;
};

/* clang-format off */
static const struct enh_case enh_cases[] = {
	{"2.0.0", 5, {2, 0, 0}},
	{"5.1.1 user unknown", 5, {5, 1, 1}},
	{"4.7.500 busy", 7, {4, 7, 500}},
	{"5.7.515", 7, {5, 7, 515}},
	{"4.999.999 x", 9, {4, 999, 999}},
	{"3.0.0 x", 0, {0, 0, 0}},
	{"6.0.0", 0, {0, 0, 0}},
	{"5.1", 0, {0, 0, 0}},
	{"5.1.", 0, {0, 0, 0}},
	{"5..1", 0, {0, 0, 0}},
	{"5.1.1x", 0, {0, 0, 0}},
	{"5.1.1.1", 0, {0, 0, 0}},
	{"5.1000.1", 0, {0, 0, 0}},
	{"5.1.1000", 0, {0, 0, 0}},
	{"x.1.1", 0, {0, 0, 0}},
	{"", 0, {0, 0, 0}},
	{"5.1.1\tx", 0, {0, 0, 0}},
};
/* clang-format on */

START_TEST(test_enh_table)
{
	const struct enh_case *t = &enh_cases[_i];
	struct enh e = {9, 9, 9};
	size_t n = smtp_enh_parse(t->in, strlen(t->in), &e);

	ck_assert_msg(n == t->used, "\"%s\": got %zu bytes, want %zu", t->in, n, t->used);
	ck_assert_msg(e.cls == t->enh.cls && e.subject == t->enh.subject &&
			      e.detail == t->enh.detail,
		      "\"%s\": got %d.%d.%d, want %d.%d.%d", t->in, e.cls, e.subject, e.detail,
		      t->enh.cls, t->enh.subject, t->enh.detail);
}
END_TEST

/* ---- capabilities ---- */

struct caps_case {
	const char *lines[10];
	unsigned flags, auth;
	unsigned long size;
	const char *str;
};

/* clang-format off */
static const struct caps_case caps_cases[] = {
	{{"PIPELINING", "SIZE 52428800", "STARTTLS", "AUTH PLAIN LOGIN", "8BITMIME",
	  "ENHANCEDSTATUSCODES", "SMTPUTF8", "CHUNKING", "DSN"},
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE | SMTP_CAP_STARTTLS | SMTP_CAP_AUTH |
		 SMTP_CAP_8BITMIME | SMTP_CAP_ENHANCED | SMTP_CAP_SMTPUTF8 | SMTP_CAP_CHUNKING |
		 SMTP_CAP_DSN,
	 SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN,
	 52428800,
	 "PIPELINING SIZE 8BITMIME ENHANCEDSTATUSCODES SMTPUTF8 CHUNKING DSN STARTTLS "
	 "AUTH=PLAIN,LOGIN"},
	{{"starttls", "auth=plain login cram-md5"},
	 SMTP_CAP_STARTTLS | SMTP_CAP_AUTH,
	 SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN | SMTP_AUTH_CRAM_MD5,
	 0,
	 "STARTTLS AUTH=PLAIN,LOGIN,CRAM-MD5"},
	{{"AUTH=LOGIN", "AUTH CRAM-MD5 GSSAPI"},
	 SMTP_CAP_AUTH,
	 SMTP_AUTH_LOGIN | SMTP_AUTH_CRAM_MD5,
	 0,
	 "AUTH=LOGIN,CRAM-MD5"},
	{{"AUTH GSSAPI XOAUTH2"}, SMTP_CAP_AUTH, 0, 0, "AUTH"},
	{{"SIZE"}, SMTP_CAP_SIZE, 0, 0, "SIZE"},
	{{"SIZE abc"}, SMTP_CAP_SIZE, 0, 0, "SIZE"},
	{{"SIZE 99999999999999999999999999"}, SMTP_CAP_SIZE, 0, 0, "SIZE"},
	{{"STARTTLSX", "X-EXPS GSSAPI", "PIPE", ""}, 0, 0, 0, ""},
	{{"PLAIN"}, 0, 0, 0, ""},
};
/* clang-format on */

START_TEST(test_caps_table)
{
	const struct caps_case *t = &caps_cases[_i];
	struct smtp_caps caps = {0, 0, 0};
	char str[256];

	for (int i = 0; i < 10 && t->lines[i] != NULL; i++)
		smtp_caps_line(&caps, t->lines[i], strlen(t->lines[i]));
	ck_assert_msg(caps.flags == t->flags, "case %d: got flags %#x, want %#x", _i, caps.flags,
		      t->flags);
	ck_assert_msg(caps.auth == t->auth, "case %d: got auth %#x, want %#x", _i, caps.auth,
		      t->auth);
	ck_assert_msg(caps.size == t->size, "case %d: got size %lu, want %lu", _i, caps.size,
		      t->size);
	smtp_caps_str(&caps, str, sizeof(str));
	ck_assert_msg(strcmp(str, t->str) == 0, "case %d: got \"%s\", want \"%s\"", _i, str,
		      t->str);
}
END_TEST

START_TEST(test_caps_str_small)
{
	struct smtp_caps caps = {SMTP_CAP_PIPELINING | SMTP_CAP_STARTTLS | SMTP_CAP_AUTH,
				 SMTP_AUTH_PLAIN, 0};
	char str[12];

	smtp_caps_str(&caps, str, sizeof(str));
	ck_assert_msg(strlen(str) < sizeof(str), "got length %zu, want < %zu", strlen(str),
		      sizeof(str));
	ck_assert_msg(strncmp(str, "PIPELINING", 10) == 0, "got \"%s\", want a PIPELINING prefix",
		      str);
	ck_assert_msg(strcmp(smtp_caps_str(&caps, str, 0), "") == 0, "len 0: want \"\"");
}
END_TEST

/* -A text to mechanism and back: case-insensitive, canonical names, unknown refused. */
START_TEST(test_auth_parse)
{
	static const struct {
		const char *in;
		int rc;
		enum smtp_auth m;
		const char *name;
	} t[] = {
		{"PLAIN", 0, SMTP_AUTH_PLAIN, "PLAIN"},
		{"plain", 0, SMTP_AUTH_PLAIN, "PLAIN"},
		{"Login", 0, SMTP_AUTH_LOGIN, "LOGIN"},
		{"cram-md5", 0, SMTP_AUTH_CRAM_MD5, "CRAM-MD5"},
		{"CRAM-MD5", 0, SMTP_AUTH_CRAM_MD5, "CRAM-MD5"},
		{"GSSAPI", -1, SMTP_AUTH_NONE, ""},
		{"", -1, SMTP_AUTH_NONE, ""},
		{"PLAINX", -1, SMTP_AUTH_NONE, ""},
		{"CRAM", -1, SMTP_AUTH_NONE, ""},
		{NULL, -1, SMTP_AUTH_NONE, ""},
	};

	for (size_t i = 0; i < NELEM(t); i++) {
		enum smtp_auth m = SMTP_AUTH_NONE;
		int rc = smtp_auth_parse(t[i].in, &m);

		ck_assert_msg(rc == t[i].rc && m == t[i].m, "'%s': got rc %d mech %d, want %d %d",
			      t[i].in ? t[i].in : "(null)", rc, m, t[i].rc, t[i].m);
		ck_assert_msg(strcmp(smtp_auth_name(m), t[i].name) == 0,
			      "'%s': got name %s, want %s", t[i].in ? t[i].in : "(null)",
			      smtp_auth_name(m), t[i].name);
	}
	ck_assert_str_eq(smtp_auth_name((enum smtp_auth)0x40), "");
}
END_TEST

/* -C commands: RFC 5321 §4.5.3.1.4 bounds a command line to 510 bytes plus CRLF. */
START_TEST(test_command_valid)
{
	char cmd[SMTP_COMMAND_MAX + 2];

	memset(cmd, 'x', sizeof(cmd));
	cmd[SMTP_COMMAND_MAX] = '\0';
	ck_assert_msg(smtp_command_valid(cmd) == 1, "510 bytes: got 0, want 1");
	cmd[SMTP_COMMAND_MAX] = 'x';
	cmd[SMTP_COMMAND_MAX + 1] = '\0';
	ck_assert_msg(smtp_command_valid(cmd) == 0, "511 bytes: got 1, want 0");
	ck_assert_msg(smtp_command_valid("NOOP") == 1, "NOOP: got 0, want 1");
	ck_assert_msg(smtp_command_valid("") == 1, "empty: got 0, want 1");
	ck_assert_msg(smtp_command_valid("NOOP\r\nRSET") == 0, "CRLF: got 1, want 0");
	ck_assert_msg(smtp_command_valid("NOOP\n") == 0, "LF: got 1, want 0");
	ck_assert_msg(smtp_command_valid("NOOP\r") == 0, "CR: got 1, want 0");
	ck_assert_msg(smtp_command_valid(NULL) == 0, "NULL: got 1, want 0");
}
END_TEST

/* ESMTP means EHLO was answered 250 with extensions; HELO fallback or a bare 250 is SMTP. */
START_TEST(test_result_esmtp)
{
	static struct smtp_result r;

	memset(&r, 0, sizeof(r));
	ck_assert_msg(smtp_result_esmtp(&r) == 0, "no reply: got 1, want 0");
	r.reply[PHASE_EHLO].code = 250;
	ck_assert_msg(smtp_result_esmtp(&r) == 0, "250 without extensions: got 1, want 0");
	r.caps.flags = SMTP_CAP_PIPELINING;
	ck_assert_msg(smtp_result_esmtp(&r) == 1, "250 with extensions: got 0, want 1");
	r.reply[PHASE_EHLO].code = 502;
	ck_assert_msg(smtp_result_esmtp(&r) == 0, "502: got 1, want 0");
}
END_TEST

/* smtp_result_reset releases the transcript and clears every field; the result is reusable. */
START_TEST(test_result_reset)
{
	static struct smtp_run_result r;

	memset(&r, 0xa5, sizeof(r));
	buf_init(&r.smtp.transcript, SMTP_TRANSCRIPT_MAX);
	ck_assert_int_eq(buf_append(&r.smtp.transcript, "S: 220 x\n", 9), 0);
	smtp_result_reset(&r);
	ck_assert_msg(r.smtp.transcript.data == NULL && r.smtp.transcript.len == 0,
		      "transcript: got %zu bytes, want released", r.smtp.transcript.len);
	ck_assert_msg(r.smtp.transcript.max == SMTP_TRANSCRIPT_MAX, "cap: got %zu, want %d",
		      r.smtp.transcript.max, SMTP_TRANSCRIPT_MAX);
	ck_assert_msg(r.smtp.fail.cls == FAIL_NONE && r.total_us == 0 && r.tls_used == 0 &&
			      r.tls.not_after == 0 && r.addr.len == 0 && r.smtp.caps.flags == 0,
		      "fields not cleared");
	ck_assert_int_eq(buf_append(&r.smtp.transcript, "C: QUIT\n", 8), 0);
	smtp_result_reset(&r);
	smtp_result_reset(&r); /* twice is fine */
	ck_assert_ptr_null(r.smtp.transcript.data);
}
END_TEST

START_TEST(test_regex_valid)
{
	ck_assert_msg(smtp_regex_valid("^250 2\\.0\\.0") == 1, "valid regex: got 0, want 1");
	ck_assert_msg(smtp_regex_valid("(a|b)+") == 1, "valid ERE: got 0, want 1");
	ck_assert_msg(smtp_regex_valid("(unclosed") == 0, "invalid regex: got 1, want 0");
	ck_assert_msg(smtp_regex_valid("a{2,1}") == 0, "invalid interval: got 1, want 0");
	ck_assert_msg(smtp_regex_valid(NULL) == 0, "NULL: got 1, want 0");
}
END_TEST

/* Regexes whose compiled size would explode are refused before regcomp; real ones pass. */
static const struct {
	const char *re;
	int want;
} regex_cost_cases[] = {
	{"^250 ([0-9]{1,3}\\.){3}[0-9]{1,3}$", 1},
	{"^2[0-9][0-9][ -](OK|Ok|ok)+", 1},
	{"[]a{99999}]x", 1}, /* braces inside a bracket are literal */
	{"[[:digit:]]{1,255}", 1},
	{"\\{1000\\}", 1}, /* escaped braces */
	{"a{1000}", 1},
	/* Loops nest at most 2 deep: "x+++++++++" (depth 10, 2^10 nodes) was compiled in a
	 * CPU-limited child before; it is now refused by the nesting bound, without a fork. */
	{"x+++++++++", 0},
	{"x++++++++++++", 0}, /* 2^13 nodes */
	{"(a+)+", 1},         /* depth 2 */
	{"x**", 1},
	{"^250( [A-Z0-9]+)*$", 1},
	{"x***", 0}, /* depth 3 */
	{"((a+)+)+", 0},
	{"x+?+?", 0},
	{"[ab]?[ab]*?+", 0},
	/* Depth 3 stacked in sequence is exponential in glibc: 15 copies took 320 ms. */
	{"x*?+x*?+x*?+x*?+x*?+x*?+x*?+x*?+x*?+x*?+x*?+x*?+x*?+x*?+x*?+", 0},
	/* Nested weight: 85 copies of "(x*)*" weigh 255 (about 15 ms), 86 weigh 258. */
	{"(x*)*{85}", 1},
	{"(x*)*{86}", 0},
	{"(x*)*{400}", 0}, /* 124 ms before */
	{"x+++++++++++++++++++++++++++++++++++++++++++++++++", 0},
	{"((a{100}){100}){100}", 0},
	{"(a{255}){255}", 0},
	{"(((((x+)+)+)+)+)+(((((((((((((((((y+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+", 0},
	{"x{1,2000}", 1}, /* 4,000 nodes, no nested loop: milliseconds */
	{"x{1,4000}", 0}, /* 8,000 nodes */
	/* Few nodes, seconds of regcomp: refused by the child's CPU limit. */
	{"x+?+?+?+?+?+?+?+?+?", 0},
	{"(x*)*{1999}", 0},
};

START_TEST(test_regex_cost)
{
	int got = smtp_regex_valid(regex_cost_cases[_i].re);

	ck_assert_msg(got == regex_cost_cases[_i].want, "'%s': got %d, want %d",
		      regex_cost_cases[_i].re, got, regex_cost_cases[_i].want);
}
END_TEST

/* Nested weight adds up across a sequence: 64 "x*+" weigh 256, 65 weigh 260. */
START_TEST(test_regex_nested_weight)
{
	char re[512] = "";

	for (int i = 0; i < 64; i++)
		strcat(re, "x*+");
	ck_assert_msg(smtp_regex_valid(re) == 1, "64 x \"x*+\": got 0, want 1");
	strcat(re, "x*+");
	ck_assert_msg(smtp_regex_valid(re) == 0, "65 x \"x*+\": got 1, want 0");
	ck_assert_msg(smtp_regex_bounded(re) == 0, "65 x \"x*+\": bounded, want not");
}
END_TEST

static int regex_forks;

/* pthread_atfork hook: counts fork() calls made by this process. */
static void regex_count_fork(void)
{
	regex_forks++;
}

/* -R checks never fork (the subagent runs them on its event loop). */
START_TEST(test_regex_no_fork)
{
	static const char *const res[] = {"(a+)+",       "x**",       "x+?+?+?+?+?+?+?+?+?",
					  "(x*)*{1999}", "(x*)*{85}", "^250"};

	ck_assert_int_eq(pthread_atfork(regex_count_fork, NULL, NULL), 0);
	regex_forks = 0;
	for (size_t i = 0; i < NELEM(res); i++)
		(void)smtp_regex_valid(res[i]);
	ck_assert_msg(regex_forks == 0, "got %d fork() calls, want 0", regex_forks);
}
END_TEST

START_TEST(test_regex_too_long)
{
	char re[1100];

	memset(re, 'a', sizeof(re) - 1);
	re[sizeof(re) - 1] = '\0';
	ck_assert_msg(smtp_regex_valid(re) == 0, "1099-byte regex: got 1, want 0");
	re[1024] = '\0';
	ck_assert_msg(smtp_regex_valid(re) == 1, "1024-byte regex: got 0, want 1");
}
END_TEST

START_TEST(test_state_names)
{
	for (int i = 0; i < SMTP_ST_MAX; i++) {
		const char *n = smtp_state_name((enum smtp_state)i);

		ck_assert_msg(n != NULL && n[0] != '\0' && strcmp(n, "unknown") != 0,
			      "state %d has no name", i);
		for (int j = 0; j < i; j++)
			ck_assert_msg(strcmp(n, smtp_state_name((enum smtp_state)j)) != 0,
				      "states %d and %d share the name %s", i, j, n);
	}
	ck_assert_str_eq(smtp_state_name(SMTP_ST_MAX), "unknown");
}
END_TEST

/* ---- scripted sessions ---- */

/*
 * A step is a string whose first character says what happens:
 * 'S' the server sends the rest, 'T' the TLS handshake succeeds, 'V' the
 * handshake succeeds but verification failed (recorded by the runner),
 * 'E' EOF, 'R' connection reset, 'O' timeout, 'L' an endless line,
 * 'A' a TLS alert after the handshake (certificate required, reason 1116).
 */
struct session {
	const char *name;
	struct smtp_params p;
	const char *steps[12];
	const char *sent; /* everything the client sent, concatenated */
	enum fail_class cls;
	enum phase phase;
	int code;
	struct enh enh;
	enum smtp_state st;
	enum smtp_want want;
	int auth_ok, tls_active;
	unsigned caps; /* wanted res->caps.flags */
};

#define HELO "probe.example.org"
#define GREET "S220 mx.example.com ESMTP\r\n"
#define EHLO_PLAIN "S250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"
#define EHLO_TLS "S250-mx.example.com\r\n250-STARTTLS\r\n250 PIPELINING\r\n"
#define EHLO_AUTH "S250-mx.example.com\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 8BITMIME\r\n"
#define C_EHLO "EHLO " HELO "\r\n"
#define BYE "S221 2.0.0 Bye\r\n"
#define PLAIN_B64 "AGFsaWNlAHMzY3JldCE=" /* "\0alice\0s3cret!" */
#define CRAM_CHAL "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
#define CRAM_RESP "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"

static const char *const rcpt1[] = {"b@example.net"};
static const char *const rcpt2[] = {"b@example.net", "c@example.net"};
static const char *const noop[] = {"NOOP"};
static const char *const noop_re[] = {"^250 2\\.0\\.0"};
static const char *const two_cmds[] = {"NOOP", "VRFY x"};
static const char *const no_re[] = {NULL, NULL};
static const char *const bad_re[] = {"(unclosed"};
static const char *const crlf_cmd[] = {"NOOP\r\nRSET"};

#define AUTH_P(mech) .helo = HELO, .auth = mech, .auth_user = "alice", .auth_pass = "s3cret!"

/* clang-format off */
static const struct session sessions[] = {
	{"healthy plain",
	 {.helo = HELO},
	 {GREET, EHLO_PLAIN, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"default helo, bare LF",
	 {.helo = NULL},
	 {"S220 hi\n", "S250-mx\n250 DSN\n", "S221 bye\n"},
	 "EHLO localhost\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, SMTP_CAP_DSN},
	{"multiline greeting split mid-line",
	 {.helo = HELO},
	 {"S220-mx.exa", "Smple.com hello\r\n220-sec", "Sond\r", "S\n220 ", "Sready\r\n",
	  EHLO_PLAIN, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"421 greeting: no QUIT",
	 {.helo = HELO},
	 {"S421 4.3.2 Service not available\r\n"},
	 "",
	 FAIL_REPLY, PHASE_GREETING, 421, {4, 3, 2}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"554 greeting: QUIT",
	 {.helo = HELO},
	 {"S554 5.3.2 No SMTP service here\r\n", BYE},
	 "QUIT\r\n",
	 FAIL_REPLY, PHASE_GREETING, 554, {5, 3, 2}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"554 greeting, drop at QUIT",
	 {.helo = HELO},
	 {"S554 go away\r\n", "E"},
	 "QUIT\r\n",
	 FAIL_REPLY, PHASE_GREETING, 554, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"expect matches",
	 {.helo = HELO, .expect = "ESMTP"},
	 {GREET, EHLO_PLAIN, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"expect fails",
	 {.helo = HELO, .expect = "Postfix"},
	 {GREET, BYE},
	 "QUIT\r\n",
	 FAIL_EXPECT, PHASE_GREETING, 220, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"EHLO 502 then HELO",
	 {.helo = HELO},
	 {GREET, "S502 5.5.1 Command not implemented\r\n", "S250 mx.example.com\r\n", BYE},
	 C_EHLO "HELO " HELO "\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"EHLO 451: no HELO",
	 {.helo = HELO},
	 {GREET, "S451 4.3.0 try later\r\n", BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_REPLY, PHASE_EHLO, 451, {4, 3, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"HELO refused too",
	 {.helo = HELO},
	 {GREET, "S500 no\r\n", "S501 bad\r\n", BYE},
	 C_EHLO "HELO " HELO "\r\nQUIT\r\n",
	 FAIL_REPLY, PHASE_EHLO, 501, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"LMTP: LHLO, no HELO fallback",
	 {.helo = HELO, .lmtp = 1},
	 {GREET, "S500 no\r\n", BYE},
	 "LHLO " HELO "\r\nQUIT\r\n",
	 FAIL_REPLY, PHASE_EHLO, 500, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"STARTTLS then EHLO again, caps reset",
	 {.helo = HELO, .starttls = SMTP_TLS_TRY},
	 {GREET, EHLO_TLS, "S220 2.0.0 Ready to start TLS\r\n", "T", "S250-mx\r\n250 SIZE 5\r\n",
	  BYE},
	 C_EHLO "STARTTLS\r\n" C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 1, SMTP_CAP_SIZE},
	/* RFC 8446 §4.4.2.4: a TLS 1.3 server judges the client certificate after the handshake */
	{"TLS alert after STARTTLS: a TLS failure at EHLO inside TLS",
	 {.helo = HELO, .starttls = SMTP_TLS_TRY},
	 {GREET, EHLO_TLS, "S220 2.0.0 Ready to start TLS\r\n", "T", "A"},
	 C_EHLO "STARTTLS\r\n" C_EHLO,
	 FAIL_TLS, PHASE_EHLO2, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 1, 0},
	{"TLS alert instead of the implicit-TLS greeting",
	 {.helo = HELO, .implicit_tls = 1},
	 {"A"},
	 "",
	 FAIL_TLS, PHASE_GREETING, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 1, 0},
	{"TLS alert after QUIT: the close QUIT ends in",
	 {.helo = HELO},
	 {GREET, EHLO_PLAIN, "A"},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"STARTTLS TRY not offered: plain",
	 {.helo = HELO, .starttls = SMTP_TLS_TRY},
	 {GREET, EHLO_PLAIN, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"STARTTLS NONE: offered but not used",
	 {.helo = HELO},
	 {GREET, EHLO_TLS, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_STARTTLS | SMTP_CAP_PIPELINING},
	{"STARTTLS response injection, same chunk",
	 {.helo = HELO, .starttls = SMTP_TLS_TRY},
	 {GREET, EHLO_TLS, "S220 go ahead\r\n250 x\r\n"},
	 C_EHLO "STARTTLS\r\n",
	 FAIL_INJECTION, PHASE_STARTTLS, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_STARTTLS | SMTP_CAP_PIPELINING},
	{"STARTTLS response injection, next chunk",
	 {.helo = HELO, .starttls = SMTP_TLS_REQUIRE},
	 {GREET, EHLO_TLS, "S220 go ahead\r\n", "S250 x\r\n"},
	 C_EHLO "STARTTLS\r\n",
	 FAIL_INJECTION, PHASE_STARTTLS, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_STARTTLS | SMTP_CAP_PIPELINING},
	{"STARTTLS REQUIRE not offered",
	 {.helo = HELO, .starttls = SMTP_TLS_REQUIRE},
	 {GREET, EHLO_PLAIN, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_MISSING, PHASE_STARTTLS, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"STARTTLS REQUIRE satisfied by implicit TLS",
	 {.helo = HELO, .starttls = SMTP_TLS_REQUIRE, .implicit_tls = 1},
	 {GREET, EHLO_PLAIN, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 1,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"STARTTLS 454",
	 {.helo = HELO, .starttls = SMTP_TLS_TRY},
	 {GREET, EHLO_TLS, "S454 4.7.0 TLS not available due to local problem\r\n", BYE},
	 C_EHLO "STARTTLS\r\nQUIT\r\n",
	 FAIL_REPLY, PHASE_STARTTLS, 454, {4, 7, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_STARTTLS | SMTP_CAP_PIPELINING},
	{"verification failed: QUIT after handshake",
	 {.helo = HELO, .starttls = SMTP_TLS_TRY},
	 {GREET, EHLO_TLS, "S220 go\r\n", "V", BYE},
	 C_EHLO "STARTTLS\r\nQUIT\r\n",
	 FAIL_VERIFY, PHASE_TLS, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 1, 0},
	{"AUTH PLAIN ok",
	 {AUTH_P(SMTP_AUTH_PLAIN), .implicit_tls = 1},
	 {GREET, EHLO_AUTH, "S235 2.7.0 Authentication successful\r\n", BYE},
	 C_EHLO "AUTH PLAIN " PLAIN_B64 "\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 1, 1,
	 SMTP_CAP_AUTH | SMTP_CAP_8BITMIME},
	{"AUTH PLAIN 535",
	 {AUTH_P(SMTP_AUTH_PLAIN)},
	 {GREET, EHLO_AUTH, "S535 5.7.8 Error: authentication failed\r\n", BYE},
	 C_EHLO "AUTH PLAIN " PLAIN_B64 "\r\nQUIT\r\n",
	 FAIL_REPLY, PHASE_AUTH, 535, {5, 7, 8}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_AUTH | SMTP_CAP_8BITMIME},
	{"AUTH after STARTTLS, offered only inside TLS",
	 {AUTH_P(SMTP_AUTH_PLAIN), .starttls = SMTP_TLS_REQUIRE},
	 {GREET, EHLO_TLS, "S220 go\r\n", "T", EHLO_AUTH, "S235 ok\r\n", BYE},
	 C_EHLO "STARTTLS\r\n" C_EHLO "AUTH PLAIN " PLAIN_B64 "\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 1, 1,
	 SMTP_CAP_AUTH | SMTP_CAP_8BITMIME},
	{"AUTH LOGIN",
	 {AUTH_P(SMTP_AUTH_LOGIN)},
	 {GREET, EHLO_AUTH, "S334 VXNlcm5hbWU6\r\n", "S334 UGFzc3dvcmQ6\r\n", "S235 2.7.0 ok\r\n",
	  BYE},
	 C_EHLO "AUTH LOGIN\r\nYWxpY2U=\r\nczNjcmV0IQ==\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 1, 0,
	 SMTP_CAP_AUTH | SMTP_CAP_8BITMIME},
	{"AUTH LOGIN refused at user: no QUIT inside the exchange",
	 {AUTH_P(SMTP_AUTH_LOGIN)},
	 {GREET, EHLO_AUTH, "S334 VXNlcm5hbWU6\r\n", "S535 5.7.8 no\r\n", BYE},
	 C_EHLO "AUTH LOGIN\r\nYWxpY2U=\r\nQUIT\r\n",
	 FAIL_REPLY, PHASE_AUTH, 535, {5, 7, 8}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_AUTH | SMTP_CAP_8BITMIME},
	{"AUTH CRAM-MD5 (RFC 2195 example)",
	 {.helo = HELO, .auth = SMTP_AUTH_CRAM_MD5, .auth_user = "tim",
	  .auth_pass = "tanstaaftanstaaf"},
	 {GREET, EHLO_AUTH, "S334 " CRAM_CHAL "\r\n", "S235 2.7.0 ok\r\n", BYE},
	 C_EHLO "AUTH CRAM-MD5\r\n" CRAM_RESP "\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 1, 0,
	 SMTP_CAP_AUTH | SMTP_CAP_8BITMIME},
	{"AUTH CRAM-MD5 bad challenge",
	 {.helo = HELO, .auth = SMTP_AUTH_CRAM_MD5, .auth_user = "tim", .auth_pass = "x"},
	 {GREET, EHLO_AUTH, "S334 not base64!\r\n"},
	 C_EHLO "AUTH CRAM-MD5\r\n",
	 FAIL_PROTOCOL, PHASE_AUTH, 334, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_AUTH | SMTP_CAP_8BITMIME},
	{"AUTH mechanism not offered",
	 {.helo = HELO, .auth = SMTP_AUTH_CRAM_MD5, .auth_user = "u", .auth_pass = "p"},
	 {GREET, "S250-mx\r\n250 AUTH PLAIN LOGIN\r\n", BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_MISSING, PHASE_AUTH, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_AUTH},
	{"AUTH not offered at all",
	 {AUTH_P(SMTP_AUTH_PLAIN)},
	 {GREET, EHLO_PLAIN, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_MISSING, PHASE_AUTH, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"-C/-R match",
	 {.helo = HELO, .cmd = noop, .cmd_expect = noop_re, .ncmd = 1},
	 {GREET, EHLO_PLAIN, "S250 2.0.0 Ok\r\n", BYE},
	 C_EHLO "NOOP\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"-C/-R mismatch",
	 {.helo = HELO, .cmd = noop, .cmd_expect = noop_re, .ncmd = 1},
	 {GREET, EHLO_PLAIN, "S250 Ok\r\n", BYE},
	 C_EHLO "NOOP\r\nQUIT\r\n",
	 FAIL_EXPECT, PHASE_COMMAND, 250, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"-C without -R accepts any reply",
	 {.helo = HELO, .cmd = two_cmds, .cmd_expect = no_re, .ncmd = 2},
	 {GREET, EHLO_PLAIN, "S250 Ok\r\n", "S502 5.5.1 VRFY disabled\r\n", BYE},
	 C_EHLO "NOOP\r\nVRFY x\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"-R that does not compile",
	 {.helo = HELO, .cmd = noop, .cmd_expect = bad_re, .ncmd = 1},
	 {GREET, EHLO_PLAIN, "S250 Ok\r\n", BYE},
	 C_EHLO "NOOP\r\nQUIT\r\n",
	 FAIL_INTERNAL, PHASE_COMMAND, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"-C with CRLF is refused",
	 {.helo = HELO, .cmd = crlf_cmd, .ncmd = 1},
	 {GREET, EHLO_PLAIN, BYE},
	 C_EHLO "QUIT\r\n",
	 FAIL_INTERNAL, PHASE_COMMAND, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"MAIL and two RCPT",
	 {.helo = HELO, .mail_from = "a@example.org", .rcpt = rcpt2, .nrcpt = 2},
	 {GREET, EHLO_PLAIN, "S250 2.1.0 Ok\r\n", "S250 2.1.5 Ok\r\n", "S251 2.1.5 forward\r\n",
	  BYE},
	 C_EHLO "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"
		"RCPT TO:<c@example.net>\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"RCPT without MAIL FROM uses <>",
	 {.helo = HELO, .rcpt = rcpt1, .nrcpt = 1},
	 {GREET, EHLO_PLAIN, "S250 Ok\r\n", "S250 Ok\r\n", BYE},
	 C_EHLO "MAIL FROM:<>\r\nRCPT TO:<b@example.net>\r\nQUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"MAIL refused",
	 {.helo = HELO, .mail_from = "a@example.org"},
	 {GREET, EHLO_PLAIN, "S553 5.1.8 bad sender\r\n", BYE},
	 C_EHLO "MAIL FROM:<a@example.org>\r\nQUIT\r\n",
	 FAIL_REPLY, PHASE_MAIL, 553, {5, 1, 8}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"RCPT 450 4.2.0 greylisted",
	 {.helo = HELO, .mail_from = "a@example.org", .rcpt = rcpt1, .nrcpt = 1},
	 {GREET, EHLO_PLAIN, "S250 2.1.0 Ok\r\n",
	  "S450 4.2.0 <b@example.net>: Recipient address rejected: Greylisted\r\n", BYE},
	 C_EHLO "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nQUIT\r\n",
	 FAIL_REPLY, PHASE_RCPT, 450, {4, 2, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"RCPT 550 5.1.1",
	 {.helo = HELO, .mail_from = "a@example.org", .rcpt = rcpt2, .nrcpt = 2},
	 {GREET, EHLO_PLAIN, "S250 2.1.0 Ok\r\n",
	  "S550-5.1.1 The email account that you tried to reach does not exist.\r\n"
	  "550 5.1.1 Please try again.\r\n",
	  BYE},
	 C_EHLO "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nQUIT\r\n",
	 FAIL_REPLY, PHASE_RCPT, 550, {5, 1, 1}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"421 at RCPT: no QUIT",
	 {.helo = HELO, .mail_from = "a@example.org", .rcpt = rcpt1, .nrcpt = 1},
	 {GREET, EHLO_PLAIN, "S250 Ok\r\n", "S421 4.4.2 mx Error: timeout exceeded\r\n"},
	 C_EHLO "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n",
	 FAIL_REPLY, PHASE_RCPT, 421, {4, 4, 2}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"EOF mid-EHLO",
	 {.helo = HELO},
	 {GREET, "S250-mx.example.com\r\n250-PIPE", "E"},
	 C_EHLO,
	 FAIL_DROPPED, PHASE_EHLO, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING * 0},
	{"reset at greeting",
	 {.helo = HELO},
	 {"R"},
	 "",
	 FAIL_DROPPED, PHASE_GREETING, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"timeout at greeting",
	 {.helo = HELO},
	 {"S220-slow\r\n", "O"},
	 "",
	 FAIL_TIMEOUT, PHASE_GREETING, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"timeout in RCPT",
	 {.helo = HELO, .rcpt = rcpt1, .nrcpt = 1},
	 {GREET, EHLO_PLAIN, "S250 Ok\r\n", "O"},
	 C_EHLO "MAIL FROM:<>\r\nRCPT TO:<b@example.net>\r\n",
	 FAIL_TIMEOUT, PHASE_RCPT, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"timeout in TLS handshake",
	 {.helo = HELO, .starttls = SMTP_TLS_TRY},
	 {GREET, EHLO_TLS, "S220 go\r\n", "O"},
	 C_EHLO "STARTTLS\r\n",
	 FAIL_TIMEOUT, PHASE_TLS, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_STARTTLS | SMTP_CAP_PIPELINING},
	{"over-long line",
	 {.helo = HELO},
	 {"L"},
	 "",
	 FAIL_PROTOCOL, PHASE_GREETING, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"garbage bytes at greeting (TLS record)",
	 {.helo = HELO},
	 {"S\x16\x03\x01\x02\xa5\x01\x02\xff\xfe\r\n"},
	 "",
	 FAIL_PROTOCOL, PHASE_GREETING, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"HTTP server answering EHLO",
	 {.helo = HELO},
	 {GREET, "SHTTP/1.1 400 Bad Request\r\n"},
	 C_EHLO,
	 FAIL_PROTOCOL, PHASE_EHLO, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"mismatched codes in multiline",
	 {.helo = HELO},
	 {GREET, "S250-mx\r\n251 x\r\n"},
	 C_EHLO,
	 FAIL_PROTOCOL, PHASE_EHLO, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
	{"EOF right after QUIT is fine",
	 {.helo = HELO},
	 {GREET, EHLO_PLAIN, "E"},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"QUIT answered 500",
	 {.helo = HELO},
	 {GREET, EHLO_PLAIN, "S500 what\r\n"},
	 C_EHLO "QUIT\r\n",
	 FAIL_REPLY, PHASE_QUIT, 500, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"QUIT answered 500, ignored",
	 {.helo = HELO, .ignore_quit_failure = 1},
	 {GREET, EHLO_PLAIN, "S500 what\r\n"},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"QUIT timeout",
	 {.helo = HELO},
	 {GREET, EHLO_PLAIN, "O"},
	 C_EHLO "QUIT\r\n",
	 FAIL_TIMEOUT, PHASE_QUIT, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"QUIT garbage",
	 {.helo = HELO},
	 {GREET, EHLO_PLAIN, "S\xff\xfe\r\n"},
	 C_EHLO "QUIT\r\n",
	 FAIL_PROTOCOL, PHASE_QUIT, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"QUIT timeout, ignored",
	 {.helo = HELO, .ignore_quit_failure = 1},
	 {GREET, EHLO_PLAIN, "O"},
	 C_EHLO "QUIT\r\n",
	 FAIL_NONE, PHASE_NONE, 0, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0,
	 SMTP_CAP_PIPELINING | SMTP_CAP_SIZE},
	{"bytes after the end are ignored",
	 {.helo = HELO},
	 {"S421 bye\r\n250 more\r\n", "Sjunk"},
	 "",
	 FAIL_REPLY, PHASE_GREETING, 421, {0, 0, 0}, SMTP_ST_DONE, SMTP_WANT_CLOSE, 0, 0, 0},
};
/* clang-format on */

/* Drain the client's output into sent. */
static void drain(struct smtp_client *c, char *sent, size_t size)
{
	size_t n, have = strlen(sent);
	const char *p = smtp_client_output(c, &n);

	if (p == NULL)
		return;
	ck_assert_msg(have + n < size, "client sent more than %zu bytes", size);
	memcpy(sent + have, p, n);
	sent[have + n] = '\0';
	smtp_client_sent(c, n);
}

/* Feed n bytes, all at once or one at a time, draining the output. */
static void feed(struct smtp_client *c, const char *s, size_t n, int bytewise, char *sent,
		 size_t size)
{
	if (!bytewise) {
		smtp_client_feed(c, s, n);
		drain(c, sent, size);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		smtp_client_feed(c, s + i, 1);
		drain(c, sent, size);
	}
}

/* Play a session's steps against a fresh client. */
static struct smtp_client *play(const struct session *t, const struct smtp_params *p,
				struct smtp_result *res, int bytewise, char *sent, size_t size)
{
	struct smtp_client *c = smtp_client_new(p, res);
	static char longline[SMTP_LINE_MAX + 2];

	ck_assert_msg(c != NULL, "%s: smtp_client_new failed", t->name);
	sent[0] = '\0';
	for (int i = 0; i < 12 && t->steps[i] != NULL; i++) {
		const char *s = t->steps[i];

		switch (s[0]) {
		case 'S': feed(c, s + 1, strlen(s + 1), bytewise, sent, size); break;
		case 'L':
			memset(longline, 'A', sizeof(longline));
			memcpy(longline, "220 ", 4);
			feed(c, longline, sizeof(longline), bytewise, sent, size);
			break;
		case 'V':
			fail_set(&res->fail, FAIL_VERIFY, PHASE_TLS, 0,
				 "certificate verify failed");
			/* fall through */
		case 'T':
			ck_assert_msg(smtp_client_want(c) == SMTP_WANT_TLS,
				      "%s: step %d: got want %d, want TLS", t->name, i,
				      smtp_client_want(c));
			smtp_client_tls_done(c);
			break;
		case 'E': smtp_client_eof(c, 0); break;
		case 'R': smtp_client_eof(c, ECONNRESET); break;
		case 'O': smtp_client_timeout(c); break;
		case 'A': smtp_client_tls_fail(c, 1116, "tlsv13 alert certificate required"); break;
		}
		drain(c, sent, size);
	}
	return c;
}

/* Check one session's outcome. */
static void check_session(const struct session *t, struct smtp_client *c,
			  const struct smtp_result *res, const char *sent, const char *how)
{
	const struct fail *f = &res->fail;

	ck_assert_msg(strcmp(sent, t->sent) == 0, "%s (%s): sent\n%s\nwant\n%s", t->name, how, sent,
		      t->sent);
	ck_assert_msg(f->cls == t->cls, "%s (%s): got class %d, want %d (%s)", t->name, how, f->cls,
		      t->cls, f->detail);
	ck_assert_msg(f->phase == t->phase, "%s (%s): got phase %d, want %d", t->name, how,
		      f->phase, t->phase);
	ck_assert_msg(f->code == t->code, "%s (%s): got code %d, want %d", t->name, how, f->code,
		      t->code);
	ck_assert_msg(f->enh.cls == t->enh.cls && f->enh.subject == t->enh.subject &&
			      f->enh.detail == t->enh.detail,
		      "%s (%s): got enh %d.%d.%d, want %d.%d.%d", t->name, how, f->enh.cls,
		      f->enh.subject, f->enh.detail, t->enh.cls, t->enh.subject, t->enh.detail);
	ck_assert_msg(smtp_client_state(c) == t->st, "%s (%s): got state %s, want %s", t->name, how,
		      smtp_state_name(smtp_client_state(c)), smtp_state_name(t->st));
	ck_assert_msg(smtp_client_want(c) == t->want, "%s (%s): got want %d, want %d", t->name, how,
		      smtp_client_want(c), t->want);
	ck_assert_msg(res->auth_ok == t->auth_ok, "%s (%s): got auth_ok %d, want %d", t->name, how,
		      res->auth_ok, t->auth_ok);
	ck_assert_msg(res->tls_active == t->tls_active, "%s (%s): got tls_active %d, want %d",
		      t->name, how, res->tls_active, t->tls_active);
	ck_assert_msg(res->caps.flags == t->caps, "%s (%s): got caps %#x, want %#x", t->name, how,
		      res->caps.flags, t->caps);
	ck_assert_msg(f->cls == FAIL_NONE || f->detail[0] != '\0', "%s (%s): empty detail", t->name,
		      how);
	for (const char *d = f->detail; *d != '\0'; d++)
		ck_assert_msg(*d >= 0x20 && *d < 0x7f, "%s (%s): raw byte %#x in detail", t->name,
			      how, (unsigned char)*d);
}

/*
 * The traced states of a finished session, "init greeting ehlo ... done",
 * checked to form one chain: each line starts where the previous one ended.
 */
static const char *trace_states(const struct session *t, const struct smtp_result *res, char *dst,
				size_t size)
{
	const char *p = res->transcript.data ? (const char *)res->transcript.data : "";
	const char *end = p + res->transcript.len;
	char prev[32] = "", from[32], to[32];

	snprintf(dst, size, "init");
	for (; p < end; p = strchr(p, '\n') + 1) {
		size_t n = strlen(dst);

		if (strncmp(p, "state: ", 7) != 0)
			continue;
		ck_assert_msg(sscanf(p + 7, "%31s -> %31s", from, to) == 2,
			      "%s: bad trace line %.40s", t->name, p);
		ck_assert_msg(prev[0] == '\0' ? strcmp(from, "init") == 0 : strcmp(from, prev) == 0,
			      "%s: trace jumps: \"%s -> %s\" after \"%s\"", t->name, from, to,
			      prev);
		snprintf(prev, sizeof(prev), "%s", to);
		snprintf(dst + n, size - n, " %s", to);
	}
	return dst;
}

START_TEST(test_session_table)
{
	const struct session *t = &sessions[_i];
	static struct smtp_result res;
	char sent[2048], states[512];
	struct smtp_params p = t->p;

	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct smtp_client *c;
		const char *last;

		p.transcript = bytewise; /* and with the transcript on */
		p.trace = 1;
		c = play(t, &p, &res, bytewise, sent, sizeof(sent));
		check_session(t, c, &res, sent, bytewise ? "bytewise" : "chunks");
		trace_states(t, &res, states, sizeof(states));
		last = strrchr(states, ' ');
		ck_assert_msg(last != NULL &&
				      strcmp(last + 1, smtp_state_name(smtp_client_state(c))) == 0,
			      "%s: trace \"%s\" does not end in the state %s", t->name, states,
			      smtp_state_name(smtp_client_state(c)));
		smtp_client_free(c);
		smtp_session_reset(&res);
	}
}
END_TEST

/* Replayed transcripts and the exact sequence of states the -vvvv trace shows. */
static const struct {
	const char *session, *states;
} trace_cases[] = {
	{"healthy plain", "init greeting ehlo quit done"},
	{"421 greeting: no QUIT", "init greeting done"},
	{"554 greeting: QUIT", "init greeting quit done"},
	{"EHLO 502 then HELO", "init greeting ehlo helo quit done"},
	{"STARTTLS then EHLO again, caps reset", "init greeting ehlo starttls tls ehlo2 quit done"},
	{"STARTTLS response injection, same chunk", "init greeting ehlo starttls tls done"},
	{"verification failed: QUIT after handshake", "init greeting ehlo starttls tls quit done"},
	{"timeout in TLS handshake", "init greeting ehlo starttls tls done"},
	{"AUTH PLAIN ok", "init greeting ehlo auth-pass quit done"},
	{"AUTH after STARTTLS, offered only inside TLS",
	 "init greeting ehlo starttls tls ehlo2 auth-pass quit done"},
	{"AUTH LOGIN", "init greeting ehlo auth auth-user auth-pass quit done"},
	{"AUTH CRAM-MD5 (RFC 2195 example)", "init greeting ehlo auth auth-pass quit done"},
	{"AUTH CRAM-MD5 bad challenge", "init greeting ehlo auth done"},
	{"AUTH mechanism not offered", "init greeting ehlo quit done"},
	{"-C/-R match", "init greeting ehlo command quit done"},
	{"-C with CRLF is refused", "init greeting ehlo quit done"},
	{"MAIL and two RCPT", "init greeting ehlo mail rcpt rcpt quit done"},
	{"421 at RCPT: no QUIT", "init greeting ehlo mail rcpt done"},
	{"EOF mid-EHLO", "init greeting ehlo done"},
	{"QUIT timeout", "init greeting ehlo quit done"},
};

START_TEST(test_trace_states)
{
	static struct smtp_result res;
	const struct session *t = NULL;
	char sent[2048], states[512];
	struct smtp_params p;
	struct smtp_client *c;

	for (size_t i = 0; i < NELEM(sessions) && t == NULL; i++)
		if (strcmp(sessions[i].name, trace_cases[_i].session) == 0)
			t = &sessions[i];
	ck_assert_msg(t != NULL, "no session named \"%s\"", trace_cases[_i].session);
	p = t->p;
	p.trace = 1;
	c = play(t, &p, &res, 0, sent, sizeof(sent));
	ck_assert_msg(
		strcmp(trace_states(t, &res, states, sizeof(states)), trace_cases[_i].states) == 0,
		"%s: got states \"%s\", want \"%s\"", t->name, states, trace_cases[_i].states);
	smtp_client_free(c);
	smtp_session_reset(&res);
}
END_TEST

/* ---- focused client tests ---- */

static const char *transcript_str(struct smtp_result *res)
{
	static char s[SMTP_TRANSCRIPT_MAX + 1];

	memcpy(s, res->transcript.data ? (const char *)res->transcript.data : "",
	       res->transcript.len);
	s[res->transcript.len] = '\0';
	return s;
}

START_TEST(test_transcript_masks_secrets)
{
	static const char *const secrets[] = {"s3cret!",  "czNjcmV0IQ==", PLAIN_B64,
					      "YWxpY2U=", "tanstaaf",     CRAM_RESP};
	const struct session *plays[3] = {NULL, NULL, NULL};
	static struct smtp_result res;
	char sent[2048];
	int n = 0;

	for (size_t i = 0; i < NELEM(sessions); i++)
		if (strstr(sessions[i].name, "AUTH PLAIN ok") ||
		    strcmp(sessions[i].name, "AUTH LOGIN") == 0 ||
		    strstr(sessions[i].name, "RFC 2195"))
			plays[n++] = &sessions[i];
	ck_assert_msg(n == 3, "found %d AUTH sessions, want 3", n);
	for (int i = 0; i < n; i++) {
		struct smtp_params p = plays[i]->p;
		struct smtp_client *c;
		const char *tr;

		p.transcript = 1;
		c = play(plays[i], &p, &res, 0, sent, sizeof(sent));
		tr = transcript_str(&res);
		ck_assert_msg(res.auth_ok == 1, "%s: got auth_ok 0, want 1", plays[i]->name);
		for (size_t k = 0; k < NELEM(secrets); k++)
			ck_assert_msg(strstr(tr, secrets[k]) == NULL,
				      "%s: transcript holds %s:\n%s", plays[i]->name, secrets[k],
				      tr);
		ck_assert_msg(strstr(tr, "C: ********\n") != NULL ||
				      strstr(tr, "C: AUTH PLAIN ********\n") != NULL,
			      "%s: no masked line in\n%s", plays[i]->name, tr);
		ck_assert_msg(strstr(tr, "S: 235 ") != NULL, "%s: no 235 in\n%s", plays[i]->name,
			      tr);
		smtp_client_free(c);
		smtp_session_reset(&res);
	}
}
END_TEST

START_TEST(test_transcript_lines)
{
	static struct smtp_result res;
	struct smtp_params p = {.helo = HELO, .transcript = 1};
	const struct session t = {.name = "t", .steps = {GREET, EHLO_PLAIN, BYE}};
	char sent[512];
	struct smtp_client *c = play(&t, &p, &res, 0, sent, sizeof(sent));
	const char *want = "S: 220 mx.example.com ESMTP\nC: EHLO " HELO "\n"
			   "S: 250-mx.example.com\nS: 250-PIPELINING\nS: 250 SIZE 1000\n"
			   "C: QUIT\nS: 221 2.0.0 Bye\n";

	ck_assert_msg(strcmp(transcript_str(&res), want) == 0, "got transcript\n%s\nwant\n%s",
		      transcript_str(&res), want);
	smtp_client_free(c);
	smtp_session_reset(&res);

	p.transcript = 0;
	c = play(&t, &p, &res, 0, sent, sizeof(sent));
	ck_assert_msg(res.transcript.len == 0, "transcript off: got %zu bytes, want 0",
		      res.transcript.len);
	smtp_client_free(c);
	smtp_session_reset(&res);
}
END_TEST

/* -vvvv: the trace lines sit between the dialogue lines, where each change happened. */
START_TEST(test_transcript_trace)
{
	static struct smtp_result res;
	struct smtp_params p = {.helo = HELO, .transcript = 1, .trace = 1};
	const struct session t = {.name = "t", .steps = {GREET, EHLO_PLAIN, BYE}};
	char sent[512];
	struct smtp_client *c = play(&t, &p, &res, 0, sent, sizeof(sent));
	const char *want = "state: init -> greeting\nS: 220 mx.example.com ESMTP\n"
			   "state: greeting -> ehlo\nC: EHLO " HELO "\n"
			   "S: 250-mx.example.com\nS: 250-PIPELINING\nS: 250 SIZE 1000\n"
			   "state: ehlo -> quit\nC: QUIT\nS: 221 2.0.0 Bye\nstate: quit -> done\n";

	ck_assert_msg(strcmp(transcript_str(&res), want) == 0, "got transcript\n%s\nwant\n%s",
		      transcript_str(&res), want);
	smtp_client_free(c);
	smtp_session_reset(&res);

	/* Trace without the dialogue: only the state lines. */
	p.transcript = 0;
	c = play(&t, &p, &res, 0, sent, sizeof(sent));
	ck_assert_str_eq(transcript_str(&res), "state: init -> greeting\nstate: greeting -> ehlo\n"
					       "state: ehlo -> quit\nstate: quit -> done\n");
	smtp_client_free(c);
	smtp_session_reset(&res);
}
END_TEST

START_TEST(test_phases_and_replies)
{
	static struct smtp_result res;
	struct smtp_params p = {.helo = HELO,
				.starttls = SMTP_TLS_TRY,
				.auth = SMTP_AUTH_PLAIN,
				.auth_user = "u",
				.auth_pass = "p",
				.cmd = noop,
				.ncmd = 1,
				.rcpt = rcpt1,
				.nrcpt = 1};
	struct step {
		const char *in; /* NULL: tls_done */
		enum phase phase;
		enum smtp_want want;
	} steps[] = {
		{"220-mx.example.com\r\n220 ready\r\n", PHASE_EHLO, SMTP_WANT_READ},
		{"250-mx\r\n250 STARTTLS\r\n", PHASE_STARTTLS, SMTP_WANT_READ},
		{"220 go\r\n", PHASE_TLS, SMTP_WANT_TLS},
		{NULL, PHASE_EHLO2, SMTP_WANT_READ},
		{"250-mx\r\n250 AUTH PLAIN\r\n", PHASE_AUTH, SMTP_WANT_READ},
		{"235 2.7.0 ok\r\n", PHASE_COMMAND, SMTP_WANT_READ},
		{"250 2.0.0 noop\r\n", PHASE_MAIL, SMTP_WANT_READ},
		{"250 2.1.0 ok\r\n", PHASE_RCPT, SMTP_WANT_READ},
		{"250 2.1.5 ok\r\n", PHASE_QUIT, SMTP_WANT_READ},
		{"221 2.0.0 bye\r\n", PHASE_NONE, SMTP_WANT_CLOSE},
	};
	struct smtp_client *c = smtp_client_new(&p, &res);
	size_t n;

	ck_assert_msg(smtp_client_phase(c) == PHASE_GREETING, "start: got phase %d, want %d",
		      smtp_client_phase(c), PHASE_GREETING);
	for (size_t i = 0; i < NELEM(steps); i++) {
		if (steps[i].in != NULL)
			smtp_client_feed(c, steps[i].in, strlen(steps[i].in));
		else
			smtp_client_tls_done(c);
		smtp_client_output(c, &n);
		smtp_client_sent(c, n);
		ck_assert_msg(smtp_client_phase(c) == steps[i].phase,
			      "step %zu: got phase %d, want %d", i, smtp_client_phase(c),
			      steps[i].phase);
		ck_assert_msg(smtp_client_want(c) == steps[i].want,
			      "step %zu: got want %d, want %d", i, smtp_client_want(c),
			      steps[i].want);
	}
	ck_assert_msg(res.fail.cls == FAIL_NONE, "got class %d, want none (%s)", res.fail.cls,
		      res.fail.detail);
	ck_assert_msg(res.reply[PHASE_GREETING].code == 220 &&
			      res.reply[PHASE_GREETING].lines == 2 &&
			      strcmp(res.reply[PHASE_GREETING].text, "mx.example.com\nready") == 0,
		      "greeting: got %d/%d \"%s\"", res.reply[PHASE_GREETING].code,
		      res.reply[PHASE_GREETING].lines, res.reply[PHASE_GREETING].text);
	ck_assert_msg(res.reply[PHASE_RCPT].code == 250 && res.reply[PHASE_RCPT].enh.detail == 5,
		      "rcpt: got %d %d.%d.%d", res.reply[PHASE_RCPT].code,
		      res.reply[PHASE_RCPT].enh.cls, res.reply[PHASE_RCPT].enh.subject,
		      res.reply[PHASE_RCPT].enh.detail);
	ck_assert_msg(res.reply[PHASE_TLS].code == 0, "tls: got code %d, want 0",
		      res.reply[PHASE_TLS].code);
	ck_assert_msg(res.auth_ok == 1 && res.tls_active == 1, "got auth_ok %d tls %d, want 1 1",
		      res.auth_ok, res.tls_active);
	smtp_client_free(c);
}
END_TEST

/* Feed a reply of many lines; want FAIL_PROTOCOL "reply too long". */
static void long_reply(int lines, size_t linelen)
{
	static struct smtp_result res;
	struct smtp_params p = {.helo = HELO};
	struct smtp_client *c = smtp_client_new(&p, &res);
	char *line = malloc(linelen + 2);

	ck_assert_ptr_nonnull(line);
	memset(line, 'x', linelen);
	memcpy(line, "220-", 4);
	memcpy(line + linelen, "\r\n", 2);
	for (int i = 0; i < lines && smtp_client_state(c) == SMTP_ST_GREETING; i++)
		smtp_client_feed(c, line, linelen + 2);
	ck_assert_msg(res.fail.cls == FAIL_PROTOCOL && res.fail.phase == PHASE_GREETING,
		      "got class %d phase %d, want protocol greeting", res.fail.cls,
		      res.fail.phase);
	ck_assert_msg(strstr(res.fail.detail, "reply too long") != NULL,
		      "got detail \"%s\", want \"reply too long\"", res.fail.detail);
	ck_assert_msg(smtp_client_want(c) == SMTP_WANT_CLOSE, "got want %d, want close",
		      smtp_client_want(c));
	free(line);
	smtp_client_free(c);
}

START_TEST(test_reply_too_long_lines)
{
	long_reply(SMTP_REPLY_LINES + 1, 8);
}
END_TEST

START_TEST(test_reply_too_long_bytes)
{
	long_reply(SMTP_REPLY_MAX / SMTP_LINE_MAX + 2, SMTP_LINE_MAX);
}
END_TEST

START_TEST(test_line_limit)
{
	static struct smtp_result res;
	static char line[SMTP_LINE_MAX + 3];
	struct smtp_params p = {.helo = HELO};
	struct smtp_client *c;

	/* Exactly SMTP_LINE_MAX plus CRLF is fine. */
	c = smtp_client_new(&p, &res);
	memset(line, 'y', sizeof(line));
	memcpy(line, "220 ", 4);
	memcpy(line + SMTP_LINE_MAX, "\r\n", 2);
	smtp_client_feed(c, line, SMTP_LINE_MAX + 2);
	ck_assert_msg(res.fail.cls == FAIL_NONE && smtp_client_state(c) == SMTP_ST_EHLO,
		      "max line: got class %d state %s, want none ehlo", res.fail.cls,
		      smtp_state_name(smtp_client_state(c)));
	smtp_client_free(c);
	/* One more byte before the LF is too long. */
	c = smtp_client_new(&p, &res);
	line[SMTP_LINE_MAX] = 'y';
	line[SMTP_LINE_MAX + 1] = '\n';
	smtp_client_feed(c, line, SMTP_LINE_MAX + 2);
	ck_assert_msg(res.fail.cls == FAIL_PROTOCOL &&
			      strcmp(res.fail.detail, "reply line too long") == 0,
		      "max+1: got class %d \"%s\", want protocol \"reply line too long\"",
		      res.fail.cls, res.fail.detail);
	smtp_client_free(c);
}
END_TEST

/* A greeting that never comes: with STARTTLS wanted and not one byte, the record says so. */
START_TEST(test_greeting_silent)
{
	static const struct {
		enum smtp_tls_mode starttls;
		const char *bytes; /* received before the deadline */
		int want_err;
	} cases[] = {
		{SMTP_TLS_REQUIRE, "", FAIL_TIMEOUT_SILENT_STARTTLS},
		{SMTP_TLS_TRY, "", FAIL_TIMEOUT_SILENT_STARTTLS},
		{SMTP_TLS_NONE, "", ETIMEDOUT},
		{SMTP_TLS_REQUIRE, "220-slow", ETIMEDOUT},
		{SMTP_TLS_REQUIRE, "220-slow\r\n", ETIMEDOUT},
	};
	static struct smtp_result res;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct smtp_params p = {.helo = HELO, .starttls = cases[i].starttls};
		struct smtp_client *c = smtp_client_new(&p, &res);

		ck_assert_ptr_nonnull(c);
		smtp_client_feed(c, cases[i].bytes, strlen(cases[i].bytes));
		smtp_client_timeout(c);
		ck_assert_msg(
			res.fail.cls == FAIL_TIMEOUT && res.fail.phase == PHASE_GREETING &&
				res.fail.err == cases[i].want_err,
			"case %zu: got class %d phase %d err %d, want timeout at greeting, err %d",
			i, res.fail.cls, res.fail.phase, res.fail.err, cases[i].want_err);
		smtp_client_free(c);
		smtp_session_reset(&res);
	}
}
END_TEST

START_TEST(test_free_null)
{
	smtp_client_free(NULL);
}
END_TEST

Suite *smtp_suite(void);

Suite *smtp_suite(void)
{
	Suite *s = suite_create("smtp");
	TCase *tc = tcase_create("parser");

	tcase_add_loop_test(tc, test_reply_table, 0, NELEM(reply_cases));
	tcase_add_test(tc, test_reply_too_many_lines);
	tcase_add_test(tc, test_reply_too_many_bytes);
	tcase_add_loop_test(tc, test_enh_table, 0, NELEM(enh_cases));
	tcase_add_loop_test(tc, test_caps_table, 0, NELEM(caps_cases));
	tcase_add_test(tc, test_caps_str_small);
	tcase_add_test(tc, test_auth_parse);
	tcase_add_test(tc, test_command_valid);
	tcase_add_test(tc, test_result_esmtp);
	tcase_add_test(tc, test_result_reset);
	tcase_add_test(tc, test_regex_valid);
	tcase_add_loop_test(tc, test_regex_cost, 0,
			    (int)(sizeof regex_cost_cases / sizeof regex_cost_cases[0]));
	tcase_add_test(tc, test_regex_too_long);
	tcase_add_test(tc, test_regex_nested_weight);
	tcase_add_test(tc, test_regex_no_fork);
	tcase_add_test(tc, test_state_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("client");
	tcase_add_loop_test(tc, test_session_table, 0, NELEM(sessions));
	tcase_add_test(tc, test_transcript_masks_secrets);
	tcase_add_test(tc, test_transcript_lines);
	tcase_add_test(tc, test_transcript_trace);
	tcase_add_loop_test(tc, test_trace_states, 0, NELEM(trace_cases));
	tcase_add_test(tc, test_phases_and_replies);
	tcase_add_test(tc, test_reply_too_long_lines);
	tcase_add_test(tc, test_reply_too_long_bytes);
	tcase_add_test(tc, test_line_limit);
	tcase_add_test(tc, test_greeting_silent);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);
	return s;
}
