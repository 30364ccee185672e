/*
 * test_out.c - the result tree and its two renderers: sanitiser, perfdata
 * formatting, Nagios text and JSON, sub-results, and hostile text in every
 * field of the tree.
 */
#include <check.h>
#include <json-c/json.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "front/out_render.h"
#include "result/out.h"
#include "verdict/classify.h"

Suite *out_suite(void);

static const struct san_case {
	const char *src;
	size_t srclen; /* 0: strlen(src) */
	size_t dstlen;
	const char *want;
} san_cases[] = {
	{"hello", 0, 64, "hello"},
	{"a|b", 0, 64, "a/b"},
	{"line1\nline2", 0, 64, "line1 line2"},
	{"line1\r\nline2", 0, 64, "line1 line2"},
	{"a\0b", 3, 64, "a b"},
	{"caf\xc3\xa9", 0, 64, "caf??"},
	{"\xff", 0, 64, "?"},
	{"a\tb", 0, 64, "a b"},
	{"a \t \r\n b", 0, 64, "a b"},
	{"  lead and trail  ", 0, 64, "lead and trail"},
	{"\n\n\n", 0, 64, ""},
	{"", 0, 64, ""},
	{"a\x7f"
	 "b",
	 0, 64, "a b"},
	{"\x1b[31mred", 0, 64, "[31mred"},
	{"x\x1b"
	 "y",
	 0, 64, "x y"},
	{"250 ok; a=b", 0, 64, "250 ok; a=b"},
	{"abcdef", 0, 4, "abc"},
	{"abcdef", 0, 1, ""},
	{"ab cd", 0, 4, "ab"}, /* no trailing blank after a cut */
	{"ab cd", 0, 5, "ab c"},
	{"|||", 0, 64, "///"},
	{"550 5.1.1 <x@example.com>: Recipient address rejected", 0, 24, "550 5.1.1 <x@example.co"},
};

START_TEST(test_sanitize_table)
{
	const struct san_case *c = &san_cases[_i];
	char dst[128];
	size_t srclen = c->srclen ? c->srclen : strlen(c->src);
	size_t n;

	memset(dst, 'Z', sizeof(dst));
	n = out_sanitize(dst, c->dstlen, c->src, srclen);
	ck_assert_msg(strcmp(dst, c->want) == 0, "case %d: got \"%s\", want \"%s\"", _i, dst,
		      c->want);
	ck_assert_msg(n == strlen(c->want), "case %d: got length %zu, want %zu", _i, n,
		      strlen(c->want));
	ck_assert_msg(dst[c->dstlen] == 'Z', "case %d: wrote past dstlen", _i);
}
END_TEST

START_TEST(test_sanitize_long)
{
	static char src[100000], dst[513];
	size_t n;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)(i % 256);
	n = out_sanitize(dst, sizeof(dst), src, sizeof(src));
	ck_assert_msg(n == 512, "got length %zu, want 512", n);
	ck_assert_msg(strlen(dst) == n, "got strlen %zu, want %zu", strlen(dst), n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(dst[i] >= 0x20 && dst[i] < 0x7f && dst[i] != '|',
			      "byte %zu: got 0x%02x", i, (unsigned char)dst[i]);
	ck_assert_msg(out_sanitize(dst, 0, src, 5) == 0, "dstlen 0: want 0");
	ck_assert_msg(out_sanitize(dst, 8, NULL, 0) == 0 && dst[0] == '\0', "NULL src: want \"\"");
}
END_TEST

/* Render o as Nagios text into a fresh string; *rc gets out_print's value. */
static char *render(const struct out *o, int json, int *rc)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	ck_assert_msg(f != NULL, "open_memstream failed");
	*rc = out_print(o, f, json);
	fclose(f);
	return s;
}

static const struct perf_case {
	const char *label;
	double value;
	const char *uom, *warn, *crit;
	int has_min;
	double min;
	int has_max;
	double max;
	const char *want; /* NULL: out_perf must refuse it */
} perf_cases[] = {
	{"time", 0.012345, "s", NULL, NULL, 0, 0, 0, 0, "time=0.012345s"},
	{"time", 0.0123456, "s", NULL, NULL, 0, 0, 0, 0, "time=0.012346s"},
	{"size", 1234.5, "B", NULL, NULL, 0, 0, 0, 0, "size=1234.5B"},
	{"n", 0, "", NULL, NULL, 0, 0, 0, 0, "n=0"},
	{"n", -0.0000001, "", NULL, NULL, 0, 0, 0, 0, "n=0"},
	{"n", -2.5, "", NULL, NULL, 0, 0, 0, 0, "n=-2.5"},
	{"n", 1e-7, "", NULL, NULL, 0, 0, 0, 0, "n=0"},
	{"n", 1e15, "", NULL, NULL, 0, 0, 0, 0, "n=1000000000000000"},
	{"n", 999999999999.9999999, "", NULL, NULL, 0, 0, 0, 0, "n=1000000000000"},
	{"n", 42, "c", NULL, NULL, 0, 0, 0, 0, "n=42c"},
	{"time", 0.5, "s", "2", "5", 1, 0, 0, 0, "time=0.5s;2;5;0"},
	{"time", 0.5, "s", "2", "5", 1, 0, 1, 10, "time=0.5s;2;5;0;10"},
	{"time", 0.5, "s", NULL, "5", 0, 0, 0, 0, "time=0.5s;;5"},
	{"time", 0.5, "s", "~:2", NULL, 0, 0, 0, 0, "time=0.5s;~:2"},
	{"time", 0.5, "s", NULL, NULL, 0, 0, 1, 10, "time=0.5s;;;;10"},
	{"pct", 99.9, "%", "@10:20", "10:", 1, 0, 1, 100, "pct=99.9%;@10:20;10:;0;100"},
	{"a b", 1, "", NULL, NULL, 0, 0, 0, 0, "'a b'=1"},
	{"t", 1, "s", NULL, NULL, 1, NAN, 1, INFINITY, "t=1s"},
	{"a=b", 1, "", NULL, NULL, 0, 0, 0, 0, NULL},
	{"it's", 1, "", NULL, NULL, 0, 0, 0, 0, NULL},
	{"a|b", 1, "", NULL, NULL, 0, 0, 0, 0, NULL},
	{"", 1, "", NULL, NULL, 0, 0, 0, 0, NULL},
	{"nl\n", 1, "", NULL, NULL, 0, 0, 0, 0, NULL},
	{"n", NAN, "", NULL, NULL, 0, 0, 0, 0, NULL},
	{"n", INFINITY, "", NULL, NULL, 0, 0, 0, 0, NULL},
	{"n", 1, "s;", NULL, NULL, 0, 0, 0, 0, NULL},
	{"n", 1, "abcd", NULL, NULL, 0, 0, 0, 0, NULL},
	{"0123456789012345678901234567890123456789012345678", 1, "", NULL, NULL, 0, 0, 0, 0, NULL},
};

START_TEST(test_perf_table)
{
	const struct perf_case *c = &perf_cases[_i];
	struct thresholds t;
	struct out o;
	char want[256], *got;
	int rc, prc;

	memset(&t, 0, sizeof(t));
	if (c->warn != NULL)
		ck_assert(range_parse(c->warn, &t.warn) == 0);
	if (c->crit != NULL)
		ck_assert(range_parse(c->crit, &t.crit) == 0);
	out_init(&o, "check_test", "SMTP");
	prc = out_perf(&o, c->label, c->value, c->uom, &t);
	if (c->want == NULL) {
		ck_assert_msg(prc == -1 && o.nperf == 0, "label \"%s\": got rc %d, want -1",
			      c->label, prc);
		out_reset(&o);
		return;
	}
	ck_assert_msg(prc == 0, "label \"%s\": got rc %d, want 0", c->label, prc);
	out_perf_minmax(&o, c->has_min, c->min, c->has_max, c->max);
	got = render(&o, 0, &rc);
	snprintf(want, sizeof(want), "SMTP OK | %s\n", c->want);
	ck_assert_msg(strcmp(got, want) == 0, "got \"%s\", want \"%s\"", got, want);
	free(got);
	out_reset(&o);
}
END_TEST

/* Numbers ignore a locale with ',' as decimal point. */
START_TEST(test_perf_locale)
{
	const char *locs[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8"};
	char *old = strdup(setlocale(LC_ALL, NULL)), *got;
	struct out o;
	int rc;

	for (size_t i = 0; i < sizeof(locs) / sizeof(locs[0]); i++)
		if (setlocale(LC_ALL, locs[i]) != NULL)
			break;
	out_init(&o, "check_test", "SMTP");
	out_perf(&o, "time", 1.5, "s", NULL);
	got = render(&o, 0, &rc);
	setlocale(LC_ALL, old);
	free(old);
	ck_assert_msg(strcmp(got, "SMTP OK | time=1.5s\n") == 0, "got \"%s\"", got);
	free(got);
	out_reset(&o);
}
END_TEST

/* A value that could not be determined: "U" without its unit in the text, null in JSON. */
START_TEST(test_perf_unknown)
{
	struct thresholds t;
	struct out o;
	char *got;
	int rc;

	memset(&t, 0, sizeof(t));
	ck_assert(range_parse("5", &t.warn) == 0);
	out_init(&o, "check_test", "MX");
	out_perf(&o, "a_time", 0.5, "s", NULL);
	ck_assert_msg(out_perf_unknown(&o, "b_time", "s", &t) == 0, "got -1, want 0");
	ck_assert_msg(out_perf_unknown(&o, "b=time", "s", NULL) == -1, "bad label: got 0, want -1");
	got = render(&o, 0, &rc);
	ck_assert_msg(strcmp(got, "MX OK | a_time=0.5s b_time=U;5\n") == 0, "got \"%s\"", got);
	free(got);
	got = render(&o, 1, &rc);
	ck_assert_msg(strstr(got,
			     "{\"label\":\"b_time\",\"value\":null,\"uom\":\"s\","
			     "\"warn\":\"5\",\"crit\":null,\"min\":null,\"max\":null}") != NULL,
		      "got %s", got);
	free(got);
	out_reset(&o);
}
END_TEST

START_TEST(test_perf_full)
{
	struct out o;

	out_init(&o, "check_test", "SMTP");
	for (int i = 0; i < OUT_PERF_MAX; i++)
		ck_assert_msg(out_perf(&o, "x", i, "", NULL) == 0, "perf %d: got -1, want 0", i);
	ck_assert_msg(out_perf(&o, "x", 1, "", NULL) == -1, "perf %d: got 0, want -1",
		      OUT_PERF_MAX);
	ck_assert_msg(o.nperf == OUT_PERF_MAX, "got nperf %d, want %d", o.nperf, OUT_PERF_MAX);
	out_reset(&o);
	ck_assert_msg(o.nperf == 0, "after reset: got nperf %d, want 0", o.nperf);
}
END_TEST

/* A full Nagios rendering compared byte for byte. */
START_TEST(test_nagios_full)
{
	struct thresholds t;
	struct out o;
	char *got;
	int rc;
	const char *want = "SMTP WARNING - mx.example.com:25 421 4.7.0 too/many...  done | "
			   "time=0.041s;2;5;0 'tls handshake'=0.012s tls=1\n"
			   "greeting: 220 mx.example.com ESMTP / hi\n"
			   "ehlo: 250 ok\n";

	memset(&t, 0, sizeof(t));
	ck_assert(range_parse("2", &t.warn) == 0 && range_parse("5", &t.crit) == 0);
	out_init(&o, "check_mail_smtp", "SMTP");
	out_state(&o, STATE_WARNING);
	out_state(&o, STATE_OK);
	out_summary(&o, "mx.example.com:%d ", 25);
	out_summary_untrusted(&o, "421 4.7.0 too|many\r\n connections", 32, 21);
	out_summary(&o, "  done");
	out_perf(&o, "time", 0.041, "s", &t);
	out_perf_minmax(&o, 1, 0, 0, 0);
	out_perf(&o, "tls handshake", 0.012, "s", NULL);
	out_perf(&o, "tls", 1, NULL, NULL);
	out_long_untrusted(&o, "greeting: ", "220 mx.example.com ESMTP | hi\r\n", 31);
	out_long(&o, "ehlo: %s", "250 ok");
	got = render(&o, 0, &rc);
	ck_assert_msg(strcmp(got, want) == 0, "got \"%s\", want \"%s\"", got, want);
	ck_assert_msg(rc == STATE_WARNING, "got rc %d, want %d", rc, STATE_WARNING);
	free(got);
	out_reset(&o);
}
END_TEST

static const struct line_case {
	enum state state;
	const char *summary; /* NULL: none */
	const char *want;
} line_cases[] = {
	{STATE_OK, NULL, "SMTP OK\n"},
	{STATE_CRITICAL, "connect-refused", "SMTP CRITICAL - connect-refused\n"},
	{STATE_UNKNOWN, "bad | option", "SMTP UNKNOWN - bad / option\n"},
	{STATE_WARNING, "a\nb", "SMTP WARNING - a b\n"},
};

START_TEST(test_nagios_lines)
{
	const struct line_case *c = &line_cases[_i];
	struct out o;
	char *got;
	int rc;

	out_init(&o, "check_test", "SMTP");
	out_state(&o, c->state);
	if (c->summary != NULL)
		out_summary(&o, "%s", c->summary);
	got = render(&o, 0, &rc);
	ck_assert_msg(strcmp(got, c->want) == 0, "got \"%s\", want \"%s\"", got, c->want);
	ck_assert_msg(rc == (int)c->state, "got rc %d, want %d", rc, c->state);
	free(got);
	out_reset(&o);
}
END_TEST

static const struct worst_case {
	enum state a, b, want;
} worst_cases[] = {
	{STATE_OK, STATE_WARNING, STATE_WARNING},
	{STATE_WARNING, STATE_OK, STATE_WARNING},
	{STATE_WARNING, STATE_CRITICAL, STATE_CRITICAL},
	{STATE_CRITICAL, STATE_UNKNOWN, STATE_CRITICAL},
	{STATE_OK, STATE_UNKNOWN, STATE_UNKNOWN},
};

START_TEST(test_out_state)
{
	const struct worst_case *c = &worst_cases[_i];
	struct out o;

	out_init(&o, "c", "S");
	out_state(&o, c->a);
	out_state(&o, c->b);
	ck_assert_msg(o.state == c->want, "%d then %d: got %d, want %d", c->a, c->b, o.state,
		      c->want);
	out_reset(&o);
}
END_TEST

/* The rendered summary of o, into a static buffer. */
static const char *summary_of(const struct out *o, size_t *len)
{
	static char buf[OUT_SUMMARY_MAX + 16];

	*len = out_text_summary(o, buf, sizeof(buf));
	return buf;
}

/* A host name keeps its valid UTF-8 letters in the text; other untrusted text does not. */
struct name_case {
	const char *text;
	int name; /* out_add_name, else out_add_untrusted */
	const char *want;
};

static const struct name_case name_cases[] = {
	{"b\xc3\xbc"
	 "cher.example",
	 1,
	 "b\xc3\xbc"
	 "cher.example"},
	{"b\xc3\xbc"
	 "cher.example",
	 0, "b??cher.example"},
	{"\xe6\x97\xa5\xe6\x9c\xac.example", 1, "\xe6\x97\xa5\xe6\x9c\xac.example"},
	{"a\xe2\x80\xae"
	 "b",
	 1, "a???b"}, /* U+202E, a bidi control */
	{"a\xc2\x85"
	 "b",
	 1, "a??b"}, /* U+0085, a C1 control */
	{"a\xc0\xaf"
	 "b",
	 1, "a??b"}, /* overlong '/' */
	{"a\xed\xa0\x80"
	 "b",
	 1, "a???b"}, /* a surrogate */
	{"a\xc3"
	 "",
	 1, "a?"}, /* cut sequence */
	{"a|b\r\nc", 1, "a/b c"},
};

START_TEST(test_name_utf8)
{
	const struct name_case *nc = &name_cases[_i];
	struct out o;
	size_t len;
	const char *got;

	out_init(&o, "check_toy", "TOY");
	if (nc->name)
		out_add_name(&o, OUT_TO_SUMMARY, nc->text, strlen(nc->text), 255);
	else
		out_add_untrusted(&o, OUT_TO_SUMMARY, nc->text, strlen(nc->text), 255);
	got = summary_of(&o, &len);
	ck_assert_msg(strcmp(got, nc->want) == 0, "case %d: got '%s', want '%s'", _i, got,
		      nc->want);
	out_reset(&o);
}
END_TEST

START_TEST(test_summary_bound)
{
	static char big[OUT_SUMMARY_MAX * 2];
	const char *got;
	struct out o;
	size_t n;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	out_init(&o, "c", "S");
	out_summary(&o, "%s", big);
	got = summary_of(&o, &n);
	ck_assert_msg(n == OUT_SUMMARY_MAX, "got len %zu, want %d", n, OUT_SUMMARY_MAX);
	ck_assert_msg(memcmp(got + n - 3, "...", 3) == 0, "want a trailing ...");
	out_summary(&o, "more");
	got = summary_of(&o, &n);
	ck_assert_msg(n == OUT_SUMMARY_MAX, "after more: got len %zu", n);
	out_reset(&o);

	out_init(&o, "c", "S");
	out_summary_untrusted(&o, big, sizeof(big) - 1, 10);
	got = summary_of(&o, &n);
	ck_assert_msg(n == 10 && memcmp(got, "aaaaaaa...", 10) == 0,
		      "got \"%.*s\", want \"aaaaaaa...\"", (int)n, got);
	out_reset(&o);

	out_init(&o, "c", "S");
	out_summary_untrusted(&o, "exactly10!", 10, 10);
	got = summary_of(&o, &n);
	ck_assert_msg(n == 10 && memcmp(got, "exactly10!", 10) == 0,
		      "got \"%.*s\", want \"exactly10!\"", (int)n, got);
	out_summary_untrusted(&o, "x", 1, 0);
	got = summary_of(&o, &n);
	ck_assert_msg(n == 10, "max 0: got len %zu, want 10", n);
	out_reset(&o);
}
END_TEST

START_TEST(test_long_bound)
{
	static char line[1000];
	struct out o;
	char *got;
	size_t n;
	int rc;

	memset(line, 'l', sizeof(line) - 1);
	out_init(&o, "c", "S");
	for (int i = 0; i < 1000; i++)
		out_long(&o, "%s", line);
	got = render(&o, 0, &rc);
	n = strlen(got) - strlen("S OK\n");
	ck_assert_msg(n == OUT_LONG_MAX, "got len %zu, want %d", n, OUT_LONG_MAX);
	ck_assert_msg(memcmp(got + strlen(got) - 4, "...\n", 4) == 0, "want a trailing ...\\n");
	free(got);
	out_reset(&o);
}
END_TEST

/* The JSON rendering parses back and carries every field. */
START_TEST(test_json)
{
	struct thresholds t;
	struct json_object *j, *v, *p, *e;
	struct out_fact *f;
	struct out o;
	char *got;
	int rc;

	memset(&t, 0, sizeof(t));
	ck_assert(range_parse("2", &t.warn) == 0 && range_parse("~:5", &t.crit) == 0);
	out_init(&o, "check_mail_smtp", "SMTP");
	out_state(&o, STATE_CRITICAL);
	out_cause(&o, cause_find("server-busy"), 1);
	out_summary(&o, "cause \"x\" / ");
	out_summary_untrusted(&o, "421 busy|\x01\xff", 11, 100);
	out_perf(&o, "time", 0.1, "s", &t);
	out_perf_minmax(&o, 1, 0, 1, 10);
	out_perf(&o, "n", 3, "", NULL);
	out_long(&o, "line one");
	out_long_untrusted(&o, "server: ", "a\nb", 3);
	out_fact_str(&o.facts, "state", "hijack"); /* a standard key wins */
	f = out_fact_obj(&o.facts, "nested");
	out_fact_int(f, "i", -7);
	out_fact_num(f, "secs", 0.25, 6);
	out_fact_num(f, "trim", 0.25, -1);
	out_fact_num(f, "nan", NAN, -1);
	out_fact_bool(f, "yes", 1);
	out_fact_null(f, "nothing");
	out_fact_str(out_fact_arr(f, "list"), NULL, "x");
	got = render(&o, 1, &rc);
	ck_assert_msg(rc == STATE_CRITICAL, "got rc %d, want 2", rc);
	ck_assert_msg(strchr(got, '\n') == got + strlen(got) - 1, "want one line, got \"%s\"", got);
	j = json_tokener_parse(got);
	ck_assert_msg(j != NULL, "JSON does not parse: %s", got);
	ck_assert_msg(strstr(got, "\"nested\":{\"i\":-7,\"secs\":0.250000,\"trim\":0.25,"
				  "\"nan\":null,\"yes\":true,\"nothing\":null,\"list\":[\"x\"]}") !=
			      NULL,
		      "nested facts: got %s", got);

#define STR(obj, key, want)                                                                        \
	do {                                                                                       \
		ck_assert_msg(json_object_object_get_ex(obj, key, &v), "no key %s", key);          \
		ck_assert_msg(strcmp(json_object_get_string(v), want) == 0,                        \
			      "%s: got \"%s\", want \"%s\"", key, json_object_get_string(v),       \
			      want);                                                               \
	} while (0)
	ck_assert(json_object_object_get_ex(j, "schema", &v) && json_object_get_int(v) == 1);
	STR(j, "check", "check_mail_smtp");
	STR(j, "service", "SMTP");
	STR(j, "state", "CRITICAL");
	ck_assert(json_object_object_get_ex(j, "exit", &v) && json_object_get_int(v) == 2);
	STR(j, "summary", "cause \"x\" / 421 busy/ ?");
	STR(j, "cause", "server-busy");
	STR(j, "hint", cause_find("server-busy")->hint);

	ck_assert(json_object_object_get_ex(j, "perfdata", &p));
	ck_assert_msg(json_object_array_length(p) == 2, "perfdata: got %zu items, want 2",
		      json_object_array_length(p));
	e = json_object_array_get_idx(p, 0);
	STR(e, "label", "time");
	STR(e, "uom", "s");
	STR(e, "warn", "2");
	STR(e, "crit", "~:5");
	ck_assert(json_object_object_get_ex(e, "value", &v) && json_object_get_double(v) == 0.1);
	ck_assert_msg(strcmp(json_object_to_json_string(v), "0.1") == 0, "value: got %s",
		      json_object_to_json_string(v));
	ck_assert(json_object_object_get_ex(e, "min", &v) && json_object_get_double(v) == 0);
	ck_assert(json_object_object_get_ex(e, "max", &v) && json_object_get_double(v) == 10);
	e = json_object_array_get_idx(p, 1);
	STR(e, "label", "n");
	/* Every item has every key: null where it has none (issue 10). */
	for (const char *const *k =
		     (const char *const[]){"uom", "warn", "crit", "min", "max", NULL};
	     *k != NULL; k++)
		ck_assert_msg(json_object_object_get_ex(e, *k, &v) && v == NULL,
			      "n: got %s for %s, want null", json_object_to_json_string(v), *k);

	ck_assert(json_object_object_get_ex(j, "long", &p));
	ck_assert_msg(json_object_array_length(p) == 2, "long: got %zu lines, want 2",
		      json_object_array_length(p));
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(p, 0)), "line one");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(p, 1)), "server: a b");
#undef STR
	json_object_put(j);
	free(got);
	out_reset(&o);
	ck_assert_msg(o.facts.first == NULL && o.kids == NULL, "out_reset left facts or children");
}
END_TEST

/* An empty out renders as valid JSON with empty arrays and a null cause. */
START_TEST(test_json_empty)
{
	struct out o;
	char *got;
	int rc;

	out_init(&o, "c", NULL);
	got = render(&o, 1, &rc);
	ck_assert_msg(strcmp(got, "{\"schema\":1,\"check\":\"c\",\"service\":\"\",\"state\":\"OK\","
				  "\"exit\":0,\"summary\":\"\",\"perfdata\":[],\"long\":[],"
				  "\"cause\":null,\"hint\":null}\n") == 0,
		      "got %s", got);
	ck_assert_msg(rc == 0, "got rc %d, want 0", rc);
	free(got);
	out_reset(&o);
}
END_TEST

/* Sub-results: perfdata and long output depth first; JSON children under their keys. */
START_TEST(test_tree)
{
	const char *want_text = "MX WARNING - d: 1 of 2 | mx_total=2 a_time=1s b_time=2s\n"
				"domain line\n"
				"MX a\n"
				"  addr a1\n"
				"    probe a1\n"
				"MX b\n";
	struct out o, *a, *b, *a1, *p1;
	char *got;
	int rc;

	out_init(&o, "check_mail_mx", "MX");
	out_summary(&o, "d: 1 of 2");
	out_perf(&o, "mx_total", 2, "", NULL);
	out_long(&o, "domain line");
	out_fact_arr(&o.facts, "mx");
	a = out_child(&o, "mx", 1);
	b = out_child(&o, "mx", 1);
	ck_assert(a != NULL && b != NULL && out_root(b) == &o);
	out_cause(a, cause_find("ok"), 1);
	out_long(a, "MX a");
	out_perf(a, "a_time", 1, "s", NULL);
	out_fact_str(&a->facts, "name", "a");
	a1 = out_child(a, "addresses", 1);
	out_long(a1, "  addr a1");
	p1 = out_child(a1, "probe", 0);
	out_state(p1, STATE_WARNING);
	out_long(p1, "    probe a1");
	out_fact_str(&p1->facts, "address", "127.0.0.1");
	out_long(b, "MX b");
	out_perf(b, "b_time", 2, "s", NULL);
	out_state(&o, STATE_WARNING);
	got = render(&o, 0, &rc);
	ck_assert_msg(strcmp(got, want_text) == 0, "got \"%s\", want \"%s\"", got, want_text);
	free(got);
	got = render(&o, 1, &rc);
	ck_assert_msg(strstr(got, "\"mx\":[{\"cause\":\"ok\",\"hint\":") != NULL &&
			      strstr(got, "\"name\":\"a\",\"addresses\":[{\"probe\":"
					  "{\"address\":\"127.0.0.1\"}}]},{}]") != NULL,
		      "children: got %s", got);
	ck_assert_msg(strstr(got, "\"long\":[\"domain line\",\"MX a\",\"  addr a1\","
				  "\"    probe a1\",\"MX b\"]") != NULL,
		      "long: got %s", got);
	free(got);
	ck_assert_msg(out_child(NULL, "x", 0) == NULL, "out_child(NULL): want NULL");
	out_reset(&o);
	ck_assert_msg(o.kids == NULL && o.nperf == 0, "out_reset left children or perfdata");
}
END_TEST

/* 1 when s (n bytes) is valid UTF-8 (RFC 3629). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t len = s[i] < 0x80             ? 1
			     : (s[i] & 0xe0) == 0xc0 ? 2
			     : (s[i] & 0xf0) == 0xe0 ? 3
			     : (s[i] & 0xf8) == 0xf0 ? 4
						     : 0;

		if (len == 0 || i + len > n || (len == 2 && s[i] < 0xc2) || (s[i] > 0xf4))
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		if ((len == 3 && s[i] == 0xe0 && s[i + 1] < 0xa0) ||
		    (len == 3 && s[i] == 0xed && s[i + 1] >= 0xa0) ||
		    (len == 4 && s[i] == 0xf0 && s[i + 1] < 0x90) ||
		    (len == 4 && s[i] == 0xf4 && s[i + 1] >= 0x90))
			return 0;
		i += len;
	}
	return 1;
}

/* Hostile text: '|', line breaks, escape sequences, invalid and C1 UTF-8, overlong forms. */
static const char *const hostile[] = {
	"a|b",
	"x\ny\r\nz",
	"\x1b[31mred\x1b[0m",
	"\xff\xfe",
	"caf\xc3\xa9",
	"\xc3",
	"\xc0\xaf",
	"\xed\xa0\x80",
	"\xc2\x9b"
	"2J",
	"'quote' \"dq\" \\ back",
	"tab\there",
	"| | |\n|",
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* Every text field of a tree gets hostile text; count the long-output lines added. */
static int fill_hostile(struct out *o, const char *h)
{
	struct out *k = out_child(o, "mx", 1), *p = out_child(k, "probe", 0);
	struct out_fact *f = out_fact_obj(&o->facts, h), *arr;
	int lines = 0;

	out_summary(o, "%s", h);
	out_summary_untrusted(o, h, strlen(h), 64);
	out_add(o, OUT_TO_SUMMARY, "%s", h);
	out_add_untrusted(o, OUT_TO_SUMMARY, h, strlen(h), 64);
	out_long(o, "%s", h), lines++;
	out_long_untrusted(o, h, h, strlen(h)), lines++;
	out_add(k, OUT_TO_LONG, "%s", h);
	out_add_untrusted(k, OUT_TO_LONG, h, strlen(h), 64);
	out_eol(k), lines++;
	out_long(p, "%s", h), lines++;
	out_summary(k, "%s", h);
	out_fact_str(&o->facts, "hostile", h);
	out_fact_str(&k->facts, h, h);
	out_fact_str(&p->facts, "text", h);
	out_fact_str(f, h, h);
	arr = out_fact_arr(f, "list");
	out_fact_str(arr, NULL, h);
	out_perf(o, h, 1, "s", NULL); /* refused unless the label is clean */
	return lines;
}

START_TEST(test_hostile_everywhere)
{
	struct out o;
	char *text, *json, *perf;
	int rc, lines = 0, got_lines = 0, pipes = 0;
	struct json_object *j;

	out_init(&o, "check_mail_\xff|x\n", "SMTP|\n\x1b");
	out_cause(&o, cause_find("server-busy"), 1);
	out_perf(&o, "time", 0.5, "s", NULL);
	for (size_t i = 0; i < NHOSTILE; i++)
		lines += fill_hostile(&o, hostile[i]);
	text = render(&o, 0, &rc);
	for (const char *c = text; *c != '\0'; c++) {
		ck_assert_msg(*c != '\r' && *c != '\x1b' && (unsigned char)*c < 0x80,
			      "control or non-ASCII byte 0x%02x in the text output",
			      (unsigned char)*c);
		got_lines += *c == '\n';
	}
	ck_assert_msg(got_lines == 1 + lines, "got %d lines, want %d: %s", got_lines, 1 + lines,
		      text);
	perf = strstr(text, " | ");
	ck_assert_msg(perf != NULL && strncmp(perf, " | time=0.5s", 12) == 0,
		      "want perfdata after ' | ': %s", text);
	for (const char *c = text; *c != '\0'; c++)
		pipes += *c == '|';
	ck_assert_msg(pipes == 1, "got %d '|' in the output, want 1: %s", pipes, text);
	ck_assert_msg(strchr(perf + 3, '\n') != NULL && strchr(text, '\n') > perf,
		      "the status line must end after the perfdata");
	json = render(&o, 1, &rc);
	ck_assert_msg(strchr(json, '\n') == json + strlen(json) - 1, "JSON: want one line");
	ck_assert_msg(utf8_valid((const unsigned char *)json, strlen(json)),
		      "JSON is not valid UTF-8: %s", json);
	j = json_tokener_parse(json);
	ck_assert_msg(j != NULL, "JSON does not parse: %s", json);
	ck_assert_msg(strstr(json, "caf\xc3\xa9") != NULL, "valid UTF-8 is kept: %s", json);
	ck_assert_msg(strstr(json, "\xef\xbf\xbd") != NULL, "invalid bytes become U+FFFD");
	ck_assert_msg(strstr(json, "\\u001b") == NULL && strstr(json, "\\n") == NULL,
		      "control characters must not reach JSON strings: %s", json);
	json_object_put(j);
	free(text);
	free(json);
	out_reset(&o);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *out_suite(void)
{
	Suite *s = suite_create("out");
	TCase *tc = tcase_create("out");

	tcase_add_loop_test(tc, test_sanitize_table, 0, N(san_cases));
	tcase_add_test(tc, test_sanitize_long);
	tcase_add_loop_test(tc, test_perf_table, 0, N(perf_cases));
	tcase_add_test(tc, test_perf_locale);
	tcase_add_test(tc, test_perf_unknown);
	tcase_add_test(tc, test_perf_full);
	tcase_add_test(tc, test_nagios_full);
	tcase_add_loop_test(tc, test_nagios_lines, 0, N(line_cases));
	tcase_add_loop_test(tc, test_out_state, 0, N(worst_cases));
	tcase_add_loop_test(tc, test_name_utf8, 0, N(name_cases));
	tcase_add_test(tc, test_summary_bound);
	tcase_add_test(tc, test_long_bound);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_empty);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_hostile_everywhere);
	suite_add_tcase(s, tc);
	return s;
}
