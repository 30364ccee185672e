/*
 * test_md5.c - MD5 against the RFC 1321 appendix A.5 test suite, HMAC-MD5
 * against the RFC 2202 §2 test cases, and block-boundary splits of the
 * input (one update versus many).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "base/md5.h"

Suite *md5_suite(void);

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Lowercase hex of a digest. */
static const char *md5_hex(const unsigned char d[MD5_DIGEST_LEN], char out[2 * MD5_DIGEST_LEN + 1])
{
	for (int i = 0; i < MD5_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return out;
}

/* RFC 1321 appendix A.5. */
static const struct {
	const char *msg, *digest;
} rfc1321[] = {
	{"", "d41d8cd98f00b204e9800998ecf8427e"},
	{"a", "0cc175b9c0f1b6a831c399e269772661"},
	{"abc", "900150983cd24fb0d6963f7d28e17f72"},
	{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	 "d174ab98d277d9f5a5611c2c9f419d9f"},
	{"1234567890123456789012345678901234567890123456789012345678901234567890123456789"
	 "0",
	 "57edf4a22be3c955ac49da2e2107b67a"},
};

START_TEST(test_md5_rfc1321)
{
	struct md5_ctx m;
	unsigned char d[MD5_DIGEST_LEN];
	char hex[2 * MD5_DIGEST_LEN + 1];

	md5_init(&m);
	md5_update(&m, rfc1321[_i].msg, strlen(rfc1321[_i].msg));
	md5_final(&m, d);
	ck_assert_msg(strcmp(md5_hex(d, hex), rfc1321[_i].digest) == 0,
		      "MD5(\"%s\"): got %s, want %s", rfc1321[_i].msg, hex, rfc1321[_i].digest);
}
END_TEST

/* Every split of the 80-byte vector into two updates, and byte-wise updates, agree. */
START_TEST(test_md5_splits)
{
	const char *msg = rfc1321[6].msg;
	size_t n = strlen(msg);
	unsigned char d[MD5_DIGEST_LEN];
	char hex[2 * MD5_DIGEST_LEN + 1];
	struct md5_ctx m;

	for (size_t cut = 0; cut <= n; cut++) {
		md5_init(&m);
		md5_update(&m, msg, cut);
		md5_update(&m, msg + cut, n - cut);
		md5_final(&m, d);
		ck_assert_msg(strcmp(md5_hex(d, hex), rfc1321[6].digest) == 0,
			      "cut at %zu: got %s, want %s", cut, hex, rfc1321[6].digest);
	}
	md5_init(&m);
	for (size_t i = 0; i < n; i++)
		md5_update(&m, msg + i, 1);
	md5_final(&m, d);
	ck_assert_msg(strcmp(md5_hex(d, hex), rfc1321[6].digest) == 0, "bytewise: got %s, want %s",
		      hex, rfc1321[6].digest);
}
END_TEST

/* Lengths around the padding boundary (55, 56, 63, 64, 65 bytes) against one-byte updates. */
START_TEST(test_md5_padding_lengths)
{
	static const size_t lens[] = {55, 56, 57, 63, 64, 65, 119, 120, 128};
	unsigned char buf[128], a[MD5_DIGEST_LEN], b[MD5_DIGEST_LEN];
	struct md5_ctx m;

	memset(buf, 'q', sizeof(buf));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		md5_init(&m);
		md5_update(&m, buf, lens[i]);
		md5_final(&m, a);
		md5_init(&m);
		for (size_t j = 0; j < lens[i]; j++)
			md5_update(&m, buf + j, 1);
		md5_final(&m, b);
		ck_assert_msg(memcmp(a, b, sizeof(a)) == 0,
			      "length %zu: one update and bytewise differ", lens[i]);
	}
	/* 56 'q': a second padding block; digest from Python's hashlib. */
	md5_init(&m);
	md5_update(&m, buf, 56);
	md5_final(&m, a);
	{
		char hex[2 * MD5_DIGEST_LEN + 1];

		ck_assert_str_eq(md5_hex(a, hex), "266ea7b18061f04ebe140d63ce648567");
	}
}
END_TEST

/* RFC 2202 §2, test cases 1 to 7. */
struct hmac_case {
	unsigned char key[80];
	size_t klen;
	const char *data; /* NULL: dlen bytes of fill */
	unsigned char fill;
	size_t dlen;
	const char *digest;
};

static const struct hmac_case rfc2202[] = {
	{{0}, 16, "Hi There", 0, 8, "9294727a3638bb1c13f48ef8158bfc9d"},
	{"Jefe", 4, "what do ya want for nothing?", 0, 28, "750c783e6ab0b503eaa86e310a5db738"},
	{{0}, 16, NULL, 0xdd, 50, "56be34521d144c88dbb8c733f0e8b3f6"},
	{{1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
	  14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25},
	 25,
	 NULL,
	 0xcd,
	 50,
	 "697eaf0aca3a3aea3a75164746ffaa79"},
	{{0}, 16, "Test With Truncation", 0, 20, "56461ef2342edc00f9bab995690efd4c"},
	{{0},
	 80,
	 "Test Using Larger Than Block-Size Key - Hash Key First",
	 0,
	 54,
	 "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
	{{0},
	 80,
	 "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
	 0,
	 73,
	 "6f630fad67cda0ee1fb1f562db3aa53e"},
};

/* Key fill bytes of the cases whose key is one repeated byte (0: given literally). */
static const unsigned char rfc2202_keyfill[] = {0x0b, 0, 0xaa, 0, 0x0c, 0xaa, 0xaa};

START_TEST(test_hmac_md5_rfc2202)
{
	const struct hmac_case *t = &rfc2202[_i];
	unsigned char key[80], data[80], d[MD5_DIGEST_LEN];
	char hex[2 * MD5_DIGEST_LEN + 1];

	memcpy(key, t->key, sizeof(key));
	if (rfc2202_keyfill[_i] != 0)
		memset(key, rfc2202_keyfill[_i], t->klen);
	if (t->data != NULL)
		memcpy(data, t->data, t->dlen);
	else
		memset(data, t->fill, t->dlen);
	md5_hmac(key, t->klen, data, t->dlen, d);
	ck_assert_msg(strcmp(md5_hex(d, hex), t->digest) == 0, "RFC 2202 case %d: got %s, want %s",
		      _i + 1, hex, t->digest);
}
END_TEST

/* RFC 2195 §2's example: the digest CRAM-MD5 sends for tim / tanstaaftanstaaf. */
START_TEST(test_hmac_md5_rfc2195)
{
	const char *chal = "<1896.697170952@postoffice.reston.mci.net>";
	unsigned char d[MD5_DIGEST_LEN];
	char hex[2 * MD5_DIGEST_LEN + 1];

	md5_hmac("tanstaaftanstaaf", 16, chal, strlen(chal), d);
	ck_assert_str_eq(md5_hex(d, hex), "b913a602c7eda7a495b4e6e7334d3890");
}
END_TEST

Suite *md5_suite(void)
{
	Suite *s = suite_create("md5");
	TCase *tc = tcase_create("md5");

	tcase_add_loop_test(tc, test_md5_rfc1321, 0, NELEM(rfc1321));
	tcase_add_test(tc, test_md5_splits);
	tcase_add_test(tc, test_md5_padding_lengths);
	tcase_add_loop_test(tc, test_hmac_md5_rfc2202, 0, NELEM(rfc2202));
	tcase_add_test(tc, test_hmac_md5_rfc2195);
	suite_add_tcase(s, tc);
	return s;
}
