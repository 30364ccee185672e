/*
 * test_b64.c - base64 encode and strict decode: RFC 4648 §10 vectors, binary
 * round trips, bounds and malformed input.
 */
#include <check.h>
#include <string.h>

#include "base/b64.h"

Suite *b64_suite(void);

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* RFC 4648 section 10 test vectors. */
static const struct {
	const char *plain, *enc;
} rfc_cases[] = {
	{"", ""},
	{"f", "Zg=="},
	{"fo", "Zm8="},
	{"foo", "Zm9v"},
	{"foob", "Zm9vYg=="},
	{"fooba", "Zm9vYmE="},
	{"foobar", "Zm9vYmFy"},
};

START_TEST(test_b64_rfc_encode)
{
	char out[16];
	size_t n = strlen(rfc_cases[_i].plain);

	ck_assert_msg(b64_encode(out, sizeof(out), rfc_cases[_i].plain, n) == 0,
		      "\"%s\": got failure, want success", rfc_cases[_i].plain);
	ck_assert_msg(strcmp(out, rfc_cases[_i].enc) == 0, "\"%s\": got \"%s\", want \"%s\"",
		      rfc_cases[_i].plain, out, rfc_cases[_i].enc);
	ck_assert_msg(strlen(out) == B64_ENCODED_LEN(n), "got length %zu, want %zu", strlen(out),
		      (size_t)B64_ENCODED_LEN(n));
}
END_TEST

START_TEST(test_b64_rfc_decode)
{
	unsigned char out[16];
	size_t len = 99, want = strlen(rfc_cases[_i].plain);

	ck_assert_msg(b64_decode(out, sizeof(out), rfc_cases[_i].enc, strlen(rfc_cases[_i].enc),
				 &len) == 0,
		      "\"%s\": got failure, want success", rfc_cases[_i].enc);
	ck_assert_msg(len == want, "\"%s\": got length %zu, want %zu", rfc_cases[_i].enc, len,
		      want);
	ck_assert_msg(memcmp(out, rfc_cases[_i].plain, want) == 0, "\"%s\": got other bytes",
		      rfc_cases[_i].enc);
}
END_TEST

START_TEST(test_b64_binary_round_trip)
{
	unsigned char in[256], back[256];
	char enc[B64_ENCODED_LEN(256) + 1];
	size_t n, len;

	for (n = 0; n < sizeof(in); n++)
		in[n] = (unsigned char)(255 - n);
	for (n = 0; n <= sizeof(in); n += 37) {
		ck_assert_msg(b64_encode(enc, sizeof(enc), in, n) == 0, "n=%zu: encode failed", n);
		ck_assert_msg(b64_decode(back, sizeof(back), enc, strlen(enc), &len) == 0,
			      "n=%zu: decode of \"%s\" failed", n, enc);
		ck_assert_msg(len == n && memcmp(back, in, n) == 0, "n=%zu: got %zu other bytes", n,
			      len);
	}
	/* Every alphabet character, incl. '+' and '/'. */
	ck_assert_msg(b64_encode(enc, sizeof(enc), "\xfb\xff\xbf", 3) == 0, "encode failed");
	ck_assert_msg(strcmp(enc, "+/+/") == 0, "got \"%s\", want \"+/+/\"", enc);
}
END_TEST

START_TEST(test_b64_encode_bounds)
{
	char out[9];

	memset(out, 'x', sizeof(out));
	ck_assert_msg(b64_encode(out, 9, "foobar", 6) == 0, "8 chars + NUL in 9: got failure");
	ck_assert_msg(b64_encode(out, 8, "foobar", 6) == -1, "8 chars + NUL in 8: got success");
	ck_assert_msg(b64_encode(out, 9, "foobarx", 7) == -1, "12 chars + NUL in 9: got success");
	ck_assert_msg(b64_encode(out, 0, "", 0) == -1, "size 0: got success");
	ck_assert_msg(b64_encode(out, 1, "", 0) == 0 && out[0] == '\0', "empty: got failure");
}
END_TEST

/* Input an RFC 4648 encoder never produces. */
static const char *bad_cases[] = {
	"Zg=",          /* length not a multiple of 4 */
	"Zm9vY",        /* likewise */
	"Zg==Zm8=",     /* padding before the end */
	"Z===",         /* three pad characters */
	"=Zg=",         /* pad first */
	"Zm=v",         /* pad inside the group */
	"Zm9v\r\nYg==", /* line break */
	"Zm 9v",        /* blank (length 5, and not alphabet) */
	"Zm9 ",         /* blank */
	"Zm-_",         /* base64url alphabet */
	"Zm9\x80",      /* 8-bit */
};

START_TEST(test_b64_decode_bad)
{
	unsigned char out[32];
	size_t len = 99;
	const char *s = bad_cases[_i];

	ck_assert_msg(b64_decode(out, sizeof(out), s, strlen(s), &len) == -1,
		      "\"%s\": got success (length %zu), want -1", s, len);
	ck_assert_msg(len == 0, "\"%s\": got length %zu on failure, want 0", s, len);
}
END_TEST

START_TEST(test_b64_decode_nul_inside)
{
	unsigned char out[8];
	size_t len;

	ck_assert_msg(b64_decode(out, sizeof(out), "Zm\0v", 4, &len) == -1,
		      "NUL inside: got success, want -1");
}
END_TEST

START_TEST(test_b64_decode_bounds)
{
	unsigned char out[6];
	size_t len;

	ck_assert_msg(b64_decode(out, 6, "Zm9vYmFy", 8, &len) == 0 && len == 6,
		      "6 bytes into 6: got failure");
	ck_assert_msg(b64_decode(out, 5, "Zm9vYmFy", 8, &len) == -1, "6 bytes into 5: got success");
	ck_assert_msg(b64_decode(out, 5, "Zm9vYmE=", 8, &len) == 0 && len == 5,
		      "5 bytes into 5: got failure");
	ck_assert_msg(b64_decode(out, 4, "Zm9vYmE=", 8, &len) == -1, "5 bytes into 4: got success");
}
END_TEST

Suite *b64_suite(void)
{
	Suite *s = suite_create("b64");
	TCase *tc = tcase_create("b64");

	tcase_add_loop_test(tc, test_b64_rfc_encode, 0, NELEM(rfc_cases));
	tcase_add_loop_test(tc, test_b64_rfc_decode, 0, NELEM(rfc_cases));
	tcase_add_test(tc, test_b64_binary_round_trip);
	tcase_add_test(tc, test_b64_encode_bounds);
	tcase_add_loop_test(tc, test_b64_decode_bad, 0, NELEM(bad_cases));
	tcase_add_test(tc, test_b64_decode_nul_inside);
	tcase_add_test(tc, test_b64_decode_bounds);
	suite_add_tcase(s, tc);
	return s;
}
