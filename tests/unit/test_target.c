/*
 * test_target.c - -H split into host, DNS name, TLS name and port, and the
 * forms refused as usage errors (issue 10).
 */
#include <check.h>
#include <string.h>
#include "front/target.h"

Suite *target_suite(void);

struct target_case {
	const char *arg;
	int rc;
	const char *host, *dns, *tls; /* when rc == 0; for rc < 0: dns is a part of the error */
	int port, is_ip;
};

static const struct target_case target_cases[] = {
	{"mail.example.net", 0, "mail.example.net", "mail.example.net", "mail.example.net", 0, 0},
	{"mail.example.net:587", 0, "mail.example.net", "mail.example.net", "mail.example.net", 587,
	 0},
	/* RFC 6066 §3: no trailing dot in SNI (and the name matched); DNS keeps it */
	{"mail.example.net.", 0, "mail.example.net.", "mail.example.net.", "mail.example.net", 0,
	 0},
	{"mail.example.net.:25", 0, "mail.example.net.", "mail.example.net.", "mail.example.net",
	 25, 0},
	{"127.0.0.1", 0, "127.0.0.1", "127.0.0.1", "", 0, 1},
	{"127.0.0.1:2525", 0, "127.0.0.1", "127.0.0.1", "", 2525, 1},
	{"::1", 0, "::1", "::1", "", 0, 1},
	{"::1:25", 0, "::0.1.0.37", "::0.1.0.37", "", 0, 1}, /* an address, not ::1 port 25 */
	{"[::1]", 0, "::1", "::1", "", 0, 1},
	{"[::1]:25", 0, "::1", "::1", "", 25, 1},
	{"[2001:DB8::1]:65535", 0, "2001:db8::1", "2001:db8::1", "", 65535, 1},
	/* IDNA2008 with the UTS #46 mapping: A-labels for DNS and TLS, the name shown as given */
	{"b\xc3\xbc"
	 "cher.example",
	 0,
	 "b\xc3\xbc"
	 "cher.example",
	 "xn--bcher-kva.example", "xn--bcher-kva.example", 0, 0},
	{"B\xc3\xbc"
	 "CHER.example.:25",
	 0,
	 "B\xc3\xbc"
	 "CHER.example.",
	 "xn--bcher-kva.example.", "xn--bcher-kva.example", 25, 0},
	{"xn--bcher-kva.example", 0, "xn--bcher-kva.example", "xn--bcher-kva.example",
	 "xn--bcher-kva.example", 0, 0},
	{"b\xfc\xff"
	 "cher.example",
	 -1, NULL, "international", NULL, 0, 0}, /* not UTF-8 */
	{"a\xe2\x80\xae"
	 "b.example",
	 -1, NULL, "international", NULL, 0, 0}, /* U+202E */
	{"", -1, NULL, "required", NULL, 0, 0},
	{"[::1", -1, NULL, "[IPV6ADDRESS]", NULL, 0, 0},
	{"[]:25", -1, NULL, "[IPV6ADDRESS]", NULL, 0, 0},
	{"[127.0.0.1]:25", -1, NULL, "IPv6", NULL, 0, 0},
	{"[mail.example.net]", -1, NULL, "IPv6", NULL, 0, 0},
	{"[::1]25", -1, NULL, "port", NULL, 0, 0},
	{"[::1]:0", -1, NULL, "port", NULL, 0, 0},
	{"[::1]:", -1, NULL, "port", NULL, 0, 0},
	{"host:", -1, NULL, "port", NULL, 0, 0},
	{"host:65536", -1, NULL, "port", NULL, 0, 0},
	{"host:+25", -1, NULL, "port", NULL, 0, 0},
	{"host:25x", -1, NULL, "port", NULL, 0, 0},
	{":25", -1, NULL, "host name", NULL, 0, 0},
	{"host:25:26", -1, NULL, "[ADDRESS]:PORT", NULL, 0, 0},
	{"::1::2", -1, NULL, "IPv6", NULL, 0, 0},
	{"a b", -1, NULL, "invalid host name", NULL, 0, 0},
	{"a/b:25", -1, NULL, "invalid host name", NULL, 0, 0},
	{".", -1, NULL, "server name", NULL, 0, 0},
};

START_TEST(test_target_parse)
{
	const struct target_case *tc = &target_cases[_i];
	struct target t;
	char err[256] = "";
	int rc = target_parse(tc->arg, &t, err, sizeof(err));

	ck_assert_msg(rc == tc->rc, "'%s': got rc %d (%s), want %d", tc->arg, rc, err, tc->rc);
	if (rc != 0) {
		ck_assert_msg(strstr(err, tc->dns) != NULL, "'%s': got error '%s', want '%s'",
			      tc->arg, err, tc->dns);
		return;
	}
	ck_assert_msg(strcmp(t.host, tc->host) == 0, "'%s': got host '%s', want '%s'", tc->arg,
		      t.host, tc->host);
	ck_assert_msg(strcmp(t.dns, tc->dns) == 0, "'%s': got dns '%s', want '%s'", tc->arg, t.dns,
		      tc->dns);
	ck_assert_msg(strcmp(t.tls, tc->tls) == 0, "'%s': got tls '%s', want '%s'", tc->arg, t.tls,
		      tc->tls);
	ck_assert_msg(t.port == tc->port, "'%s': got port %d, want %d", tc->arg, t.port, tc->port);
	ck_assert_msg(t.is_ip == tc->is_ip, "'%s': got is_ip %d, want %d", tc->arg, t.is_ip,
		      tc->is_ip);
}
END_TEST

/* --sni loses one trailing dot, nothing else. */
START_TEST(test_target_tls_name)
{
	char dst[TARGET_NAME_MAX], err[256];

	ck_assert_int_eq(target_tls_name("mail.example.net.", dst, sizeof(dst), err, sizeof(err)),
			 0);
	ck_assert_str_eq(dst, "mail.example.net");
	ck_assert_int_eq(target_tls_name("mail.example.net", dst, sizeof(dst), err, sizeof(err)),
			 0);
	ck_assert_str_eq(dst, "mail.example.net");
	ck_assert_int_eq(target_tls_name("", dst, sizeof(dst), err, sizeof(err)), -1);
}
END_TEST

Suite *target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_target_parse, 0,
			    (int)(sizeof(target_cases) / sizeof(target_cases[0])));
	tcase_add_test(tc, test_target_tls_name);
	suite_add_tcase(s, tc);
	return s;
}
