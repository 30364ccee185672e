/*
 * test_ossl.c - the on-demand OpenSSL loader: loads once, fills every entry,
 * and fails with a message (not a crash) when a library or symbol is missing.
 */
#include <check.h>
#include <string.h>

#include "tls/ossl.h"

Suite *ossl_suite(void);

START_TEST(test_ossl_load_twice)
{
	char err[256] = "untouched";
	void (*first)(void);

	ck_assert_msg(ossl_load(err, sizeof(err)) == 0, "first load: got \"%s\", want success",
		      err);
	ck_assert_msg(OSSL(SSL_new) != NULL && OSSL(HMAC) != NULL && OSSL(ERR_get_error) != NULL,
		      "got NULL table entries after a successful load");
	memcpy(&first, &ossl_fn.SSL_CTX_new, sizeof(first));
	ck_assert_msg(ossl_load(NULL, 0) == 0, "second load: got failure, want success");
	ck_assert_msg(memcmp(&first, &ossl_fn.SSL_CTX_new, sizeof(first)) == 0,
		      "second load changed the table");
	ck_assert_msg(OSSL(OpenSSL_version_num)() >> 28 == 3, "got version %lx, want 3.x",
		      OSSL(OpenSSL_version_num)());
}
END_TEST

START_TEST(test_ossl_every_entry)
{
	struct ossl_fns t;
	const unsigned char *p = (const unsigned char *)&t;
	char err[256] = "";
	void *slot;
	size_t i;

	memset(&t, 0, sizeof(t));
	ck_assert_msg(ossl_open(&t, OSSL_SSL_NAME, OSSL_CRYPTO_NAME, err, sizeof(err)) == 0,
		      "got \"%s\", want success", err);
	for (i = 0; i + sizeof(slot) <= sizeof(t); i += sizeof(slot)) {
		memcpy(&slot, p + i, sizeof(slot));
		ck_assert_msg(slot != NULL, "entry %zu: got NULL, want an address",
			      i / sizeof(slot));
	}
}
END_TEST

/* Libraries that cannot serve as OpenSSL, and the message part wanted. */
static const struct {
	const char *ssl, *crypto, *want;
} bad_cases[] = {
	{"libssl.so.3", "libmailpath-no-such-crypto.so.3", "libmailpath-no-such-crypto.so.3"},
	{"libmailpath-no-such-ssl.so.3", "libcrypto.so.3", "libmailpath-no-such-ssl.so.3"},
	{"libc.so.6", "libc.so.6", "OPENSSL_init_ssl"}, /* loads, first symbol missing */
};

START_TEST(test_ossl_open_fails)
{
	struct ossl_fns t;
	char err[256] = "";

	memset(&t, 0xff, sizeof(t));
	ck_assert_msg(ossl_open(&t, bad_cases[_i].ssl, bad_cases[_i].crypto, err, sizeof(err)) ==
			      -1,
		      "%s/%s: got success, want -1", bad_cases[_i].ssl, bad_cases[_i].crypto);
	ck_assert_msg(strstr(err, "cannot load OpenSSL") != NULL &&
			      strstr(err, bad_cases[_i].want) != NULL,
		      "got \"%s\", want it to name %s", err, bad_cases[_i].want);
	ck_assert_msg(t.SSL_new == NULL && t.HMAC == NULL, "a failed open left table entries set");
}
END_TEST

Suite *ossl_suite(void)
{
	Suite *s = suite_create("ossl");
	TCase *tc = tcase_create("ossl");

	tcase_add_test(tc, test_ossl_load_twice);
	tcase_add_test(tc, test_ossl_every_entry);
	tcase_add_loop_test(tc, test_ossl_open_fails, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
