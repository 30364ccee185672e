/*
 * test_net.c - non-blocking connect on loopback and numeric address parsing.
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "base/net.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Listen on 127.0.0.1 on a kernel-chosen port; fd, with *addr set to the bound address. */
static int listen_loopback(struct net_addr *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(net_addr_parse("127.0.0.1", 0, addr), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr->ss, addr->len), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	addr->len = sizeof(addr->ss);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr->ss, &addr->len), 0);
	return fd;
}

/* Wait until fd is writable (connect done) within 2 s. */
static void wait_writable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};

	ck_assert_msg(poll(&p, 1, 2000) == 1, "connect did not finish within 2 s");
}

START_TEST(test_net_connect_ok)
{
	struct net_addr addr, src, local;
	int lfd = listen_loopback(&addr);
	int err = 0, fd, one = 0, fl;
	socklen_t len = sizeof(one);
	char text[64];

	/* Bound to a source address on another loopback IP. */
	ck_assert_int_eq(net_addr_parse("127.0.0.2", 0, &src), 0);
	fd = net_connect_start(&addr, &src, &err);
	ck_assert_msg(fd >= 0, "got fd %d err %s, want a socket", fd, strerror(err));
	fl = fcntl(fd, F_GETFL);
	ck_assert_msg(fl >= 0 && (fl & O_NONBLOCK), "socket is not non-blocking");
	ck_assert_msg(fcntl(fd, F_GETFD) & FD_CLOEXEC, "socket is not close-on-exec");
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &len), 0);
	ck_assert_msg(one != 0, "got TCP_NODELAY %d, want on", one);
	wait_writable(fd);
	ck_assert_msg(net_connect_finish(fd) == 0, "got %s, want connected",
		      strerror(net_connect_finish(fd)));
	local.len = sizeof(local.ss);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&local.ss, &local.len), 0);
	net_addr_str(&local, text, sizeof(text));
	ck_assert_msg(strcmp(text, "127.0.0.2") == 0, "got source %s, want 127.0.0.2", text);
	close(fd);
	close(lfd);
}
END_TEST

START_TEST(test_net_connect_refused)
{
	struct net_addr addr;
	int lfd = listen_loopback(&addr);
	int err = 0, fd, rc;

	close(lfd); /* the port is now closed */
	fd = net_connect_start(&addr, NULL, &err);
	if (fd < 0) {
		ck_assert_msg(err == ECONNREFUSED, "got immediate %s, want ECONNREFUSED",
			      strerror(err));
		return;
	}
	wait_writable(fd);
	rc = net_connect_finish(fd);
	ck_assert_msg(rc == ECONNREFUSED, "got %d (%s), want ECONNREFUSED", rc, strerror(rc));
	close(fd);
}
END_TEST

START_TEST(test_net_connect_bad_src)
{
	struct net_addr addr, src;
	int err = 0;

	ck_assert_int_eq(net_addr_parse("127.0.0.1", 9, &addr), 0);
	ck_assert_int_eq(net_addr_parse("::1", 0, &src), 0);
	ck_assert_int_eq(net_connect_start(&addr, &src, &err), -1);
	ck_assert_msg(err == EAFNOSUPPORT, "got %s, want EAFNOSUPPORT", strerror(err));
	/* A source address we do not own cannot be bound. */
	ck_assert_int_eq(net_addr_parse("192.0.2.1", 0, &src), 0);
	ck_assert_int_eq(net_connect_start(&addr, &src, &err), -1);
	ck_assert_msg(err == EADDRNOTAVAIL, "got %s, want EADDRNOTAVAIL", strerror(err));
}
END_TEST

static const struct {
	const char *text;
	int port;
	int want_rc;
	int want_family;
	const char *want_str;
} parse_cases[] = {
	{"127.0.0.1", 25, 0, AF_INET, "127.0.0.1"},
	{"192.0.2.255", 0, 0, AF_INET, "192.0.2.255"},
	{"::1", 587, 0, AF_INET6, "::1"},
	{"[::1]", 465, 0, AF_INET6, "::1"},
	{"2001:DB8::0:1", 25, 0, AF_INET6, "2001:db8::1"},
	{"[2001:db8::1]", 65535, 0, AF_INET6, "2001:db8::1"},
	{"::ffff:192.0.2.1", 25, 0, AF_INET6, "::ffff:192.0.2.1"},
	{"", 25, -1, 0, NULL},
	{"[]", 25, -1, 0, NULL},
	{"[", 25, -1, 0, NULL},
	{"[::1", 25, -1, 0, NULL},
	{"::1]", 25, -1, 0, NULL},
	{"[127.0.0.1]", 25, -1, 0, NULL}, /* brackets are for IPv6 only */
	{"127.0.0.1:25", 25, -1, 0, NULL},
	{"[::1]:25", 25, -1, 0, NULL},
	{"256.0.0.1", 25, -1, 0, NULL},
	{"1.2.3", 25, -1, 0, NULL},
	{"0x7f.0.0.1", 25, -1, 0, NULL},
	{" 127.0.0.1", 25, -1, 0, NULL},
	{"127.0.0.1 ", 25, -1, 0, NULL},
	{"mail.example", 25, -1, 0, NULL},
	{"fe80::1%lo", 25, -1, 0, NULL},
	{"[1111:2222:3333:4444:5555:6666:7777:8888:9999]", 25, -1, 0, NULL},
	{"127.0.0.1", -1, -1, 0, NULL},
	{"127.0.0.1", 65536, -1, 0, NULL},
	{NULL, 25, -1, 0, NULL},
};

START_TEST(test_net_parse)
{
	struct net_addr a;
	char text[64];
	int rc = net_addr_parse(parse_cases[_i].text, parse_cases[_i].port, &a);
	const char *in = parse_cases[_i].text ? parse_cases[_i].text : "(null)";

	ck_assert_msg(rc == parse_cases[_i].want_rc, "\"%s\": got rc %d, want %d", in, rc,
		      parse_cases[_i].want_rc);
	if (rc != 0)
		return;
	ck_assert_msg(a.ss.ss_family == parse_cases[_i].want_family,
		      "\"%s\": got family %d, want %d", in, a.ss.ss_family,
		      parse_cases[_i].want_family);
	ck_assert_msg(strcmp(net_addr_str(&a, text, sizeof(text)), parse_cases[_i].want_str) == 0,
		      "\"%s\": got text %s, want %s", in, text, parse_cases[_i].want_str);
	if (a.ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&a.ss;

		ck_assert_msg(a.len == sizeof(*sin), "\"%s\": got len %u, want %zu", in,
			      (unsigned)a.len, sizeof(*sin));
		ck_assert_msg(ntohs(sin->sin_port) == parse_cases[_i].port,
			      "\"%s\": got port %u, want %d", in, ntohs(sin->sin_port),
			      parse_cases[_i].port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a.ss;

		ck_assert_msg(a.len == sizeof(*sin6), "\"%s\": got len %u, want %zu", in,
			      (unsigned)a.len, sizeof(*sin6));
		ck_assert_msg(ntohs(sin6->sin6_port) == parse_cases[_i].port,
			      "\"%s\": got port %u, want %d", in, ntohs(sin6->sin6_port),
			      parse_cases[_i].port);
	}
}
END_TEST

START_TEST(test_net_port_and_str)
{
	struct net_addr a;
	char small[4], text[64];

	ck_assert_int_eq(net_addr_parse("::1", 1, &a), 0);
	net_addr_set_port(&a, 2525);
	ck_assert_msg(ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port) == 2525,
		      "got port %u, want 2525", ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port));
	ck_assert_int_eq(net_addr_parse("10.1.2.3", 1, &a), 0);
	net_addr_set_port(&a, 25);
	ck_assert_msg(ntohs(((struct sockaddr_in *)&a.ss)->sin_port) == 25, "got port %u, want 25",
		      ntohs(((struct sockaddr_in *)&a.ss)->sin_port));
	/* Too small a buffer yields "", never garbage or NULL. */
	ck_assert_msg(strcmp(net_addr_str(&a, small, sizeof(small)), "") == 0,
		      "got \"%s\" in 4 bytes, want \"\"", small);
	memset(&a, 0, sizeof(a));
	ck_assert_msg(strcmp(net_addr_str(&a, text, sizeof(text)), "") == 0,
		      "got \"%s\" for AF_UNSPEC, want \"\"", text);
	ck_assert_msg(strcmp(net_addr_str(&a, text, 0), "") == 0, "got non-empty for len 0");
}
END_TEST

Suite *net_suite(void);

Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_add_test(tc, test_net_connect_ok);
	tcase_add_test(tc, test_net_connect_refused);
	tcase_add_test(tc, test_net_connect_bad_src);
	tcase_add_loop_test(tc, test_net_parse, 0, NELEM(parse_cases));
	tcase_add_test(tc, test_net_port_and_str);
	suite_add_tcase(s, tc);
	return s;
}
