/*
 * test_buf.c - the bounded buffer: caps, lines, consume, printf overflow.
 */
#include <check.h>
#include <string.h>

#include "base/buf.h"

/* A sequence of appends against a cap; each step says whether it must fit. */
static const struct {
	size_t max;
	size_t sizes[4];
	int want_rc[4];
	size_t want_len;
} append_cases[] = {
	{10, {4, 6, 1, 0}, {0, 0, -1, 0}, 10},          /* exactly full, then one byte too many */
	{10, {11, 0, 0, 0}, {-1, 0, 0, 0}, 0},          /* too big at once: nothing appended */
	{10, {5, 6, 5, 0}, {0, -1, 0, 0}, 10},          /* a refused append leaves room for a fit */
	{0, {1, 0, 0, 0}, {-1, 0, 0, 0}, 0},            /* zero cap holds nothing */
	{1000, {64, 64, 500, 372}, {0, 0, 0, 0}, 1000}, /* growth by doubling up to the cap */
};

START_TEST(test_buf_append_caps)
{
	struct buf b;
	unsigned char src[1000];

	memset(src, 'a', sizeof(src));
	buf_init(&b, append_cases[_i].max);
	for (int k = 0; k < 4; k++) {
		int rc = buf_append(&b, src, append_cases[_i].sizes[k]);

		ck_assert_msg(rc == append_cases[_i].want_rc[k],
			      "case %d step %d: got rc %d, want %d", _i, k, rc,
			      append_cases[_i].want_rc[k]);
	}
	ck_assert_msg(b.len == append_cases[_i].want_len, "case %d: got len %zu, want %zu", _i,
		      b.len, append_cases[_i].want_len);
	ck_assert_msg(b.size <= b.max + 1, "case %d: got size %zu, want <= %zu", _i, b.size,
		      b.max + 1);
	ck_assert_msg(buf_room(&b) == b.max - b.len, "case %d: got room %zu, want %zu", _i,
		      buf_room(&b), b.max - b.len);
	if (b.data != NULL)
		ck_assert_msg(b.data[b.len] == '\0', "case %d: data not NUL-terminated", _i);
	buf_reset(&b);
	ck_assert_msg(b.data == NULL && b.len == 0 && b.size == 0,
		      "after reset got data %p len %zu size %zu, want NULL 0 0", (void *)b.data,
		      b.len, b.size);
	ck_assert_msg(b.max == append_cases[_i].max, "after reset got max %zu, want %zu", b.max,
		      append_cases[_i].max);
}
END_TEST

static const struct {
	const char *in;
	size_t want[4]; /* successive line lengths, consuming each; 0 ends */
	size_t want_rest;
} line_cases[] = {
	{"", {0}, 0},
	{"no newline", {0}, 10},
	{"220 hi\r\n", {8, 0}, 0},
	{"a\nbb\r\nccc", {2, 4, 0}, 3},
	{"\n\n\n", {1, 1, 1, 0}, 0},
	{"250-x\r\n250 y\r\n", {7, 7, 0}, 0},
};

START_TEST(test_buf_lines)
{
	struct buf b;
	size_t n;
	int k = 0;

	buf_init(&b, 64);
	ck_assert_int_eq(buf_append(&b, line_cases[_i].in, strlen(line_cases[_i].in)), 0);
	while ((n = buf_line(&b)) != 0) {
		ck_assert_msg(k < 4 && n == line_cases[_i].want[k],
			      "case %d line %d: got length %zu, want %zu", _i, k, n,
			      k < 4 ? line_cases[_i].want[k] : 0);
		ck_assert_msg(b.data[n - 1] == '\n', "case %d line %d: does not end in LF", _i, k);
		buf_consume(&b, n);
		k++;
	}
	ck_assert_msg(k == 4 || line_cases[_i].want[k] == 0, "case %d: got %d lines, want more", _i,
		      k);
	ck_assert_msg(b.len == line_cases[_i].want_rest, "case %d: got rest %zu, want %zu", _i,
		      b.len, line_cases[_i].want_rest);
	buf_reset(&b);
}
END_TEST

START_TEST(test_buf_consume)
{
	struct buf b;

	buf_init(&b, 16);
	ck_assert_int_eq(buf_append(&b, "abcdef", 6), 0);
	buf_consume(&b, 2);
	ck_assert_msg(b.len == 4 && memcmp(b.data, "cdef", 4) == 0,
		      "got len %zu \"%.*s\", want 4 \"cdef\"", b.len, (int)b.len, b.data);
	ck_assert_msg(strcmp((char *)b.data, "cdef") == 0, "got \"%s\", want terminated \"cdef\"",
		      (char *)b.data);
	buf_consume(&b, 100);
	ck_assert_msg(b.len == 0, "got len %zu after over-consume, want 0", b.len);
	ck_assert_msg(buf_room(&b) == 16, "got room %zu, want 16", buf_room(&b));
	buf_consume(&b, 1); /* on empty: harmless */
	ck_assert_msg(b.len == 0, "got len %zu, want 0", b.len);
	buf_reset(&b);
	buf_consume(&b, 1); /* on unallocated: harmless */
	ck_assert_msg(buf_line(&b) == 0, "got line %zu on empty buffer, want 0", buf_line(&b));
}
END_TEST

static const struct {
	size_t max;
	const char *pre;
	int num;
	int want_rc;
	const char *want;
} printf_cases[] = {
	{32, "", 42, 0, "EHLO host42\r\n"},
	{13, "", 42, 0, "EHLO host42\r\n"},  /* exactly the cap */
	{12, "", 42, -1, ""},                /* one byte over: nothing written */
	{19, "xxxxxxxx", 7, -1, "xxxxxxxx"}, /* over with earlier content: unchanged */
	{20, "xxxxxxxx", 7, 0, "xxxxxxxxEHLO host7\r\n"},
};

START_TEST(test_buf_printf)
{
	struct buf b;
	int rc;

	buf_init(&b, printf_cases[_i].max);
	ck_assert_int_eq(buf_append(&b, printf_cases[_i].pre, strlen(printf_cases[_i].pre)), 0);
	rc = buf_printf(&b, "EHLO host%d\r\n", printf_cases[_i].num);
	ck_assert_msg(rc == printf_cases[_i].want_rc, "case %d: got rc %d, want %d", _i, rc,
		      printf_cases[_i].want_rc);
	ck_assert_msg(b.len == strlen(printf_cases[_i].want) &&
			      memcmp(b.data ? (char *)b.data : "", printf_cases[_i].want, b.len) ==
				      0,
		      "case %d: got \"%.*s\", want \"%s\"", _i, (int)b.len,
		      b.data ? (char *)b.data : "", printf_cases[_i].want);
	buf_reset(&b);
}
END_TEST

/* Binary data with NULs passes through unchanged; lines are found past a NUL. */
START_TEST(test_buf_binary)
{
	struct buf b;
	static const unsigned char in[] = {0, 1, 2, 0, '\n', 0xff};

	buf_init(&b, sizeof(in));
	ck_assert_int_eq(buf_append(&b, in, sizeof(in)), 0);
	ck_assert_msg(memcmp(b.data, in, sizeof(in)) == 0, "binary content changed");
	ck_assert_msg(buf_line(&b) == 5, "got line %zu, want 5", buf_line(&b));
	ck_assert_msg(buf_room(&b) == 0, "got room %zu, want 0", buf_room(&b));
	buf_reset(&b);
}
END_TEST

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *buf_suite(void);

Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tcase_add_loop_test(tc, test_buf_append_caps, 0, NELEM(append_cases));
	tcase_add_loop_test(tc, test_buf_lines, 0, NELEM(line_cases));
	tcase_add_test(tc, test_buf_consume);
	tcase_add_loop_test(tc, test_buf_printf, 0, NELEM(printf_cases));
	tcase_add_test(tc, test_buf_binary);
	suite_add_tcase(s, tc);
	return s;
}
