/*
 * net.c - non-blocking TCP connect and numeric address helpers.
 *
 * Sockets are created SOCK_NONBLOCK|SOCK_CLOEXEC with TCP_NODELAY (SMTP is
 * a dialogue of short lines). The caller owns the returned fd and watches
 * it for EV_WRITE, then asks net_connect_finish() for the outcome.
 * Addresses are numeric only; names go through dns.c.
 */
#include "base/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

/* Start a non-blocking connect; fd, or -1 with *err (may be NULL) set to errno. */
int net_connect_start(const struct net_addr *addr, const struct net_addr *src, int *err)
{
	int family = addr->ss.ss_family;
	int one = 1;
	int fd = -1;
	int e;

	if (src != NULL && src->ss.ss_family != family) {
		e = EAFNOSUPPORT;
		goto fail;
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		goto fail_errno;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		goto fail_errno;
	if (src != NULL && bind(fd, (const struct sockaddr *)&src->ss, src->len) != 0)
		goto fail_errno;
	if (connect(fd, (const struct sockaddr *)&addr->ss, addr->len) != 0 && errno != EINPROGRESS)
		goto fail_errno;
	return fd;
fail_errno:
	e = errno;
fail:
	if (fd >= 0)
		close(fd);
	if (err != NULL)
		*err = e;
	return -1;
}

/* Outcome of a connect once the fd is writable: 0 or the errno of the failure. */
int net_connect_finish(int fd)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		return errno;
	return soerr;
}

/* Fill out with an IPv4 address and port; 0 or -1. */
static int net_parse4(const char *text, int port, struct net_addr *out)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
		return -1;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	out->len = sizeof(*sin);
	return 0;
}

/* Fill out with an IPv6 address and port; 0 or -1. */
static int net_parse6(const char *text, int port, struct net_addr *out)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
		return -1;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short)port);
	out->len = sizeof(*sin6);
	return 0;
}

/* Parse "192.0.2.1", "2001:db8::1" or "[2001:db8::1]" with port 0..65535; 0 or -1. */
int net_addr_parse(const char *text, int port, struct net_addr *out)
{
	char inner[INET6_ADDRSTRLEN];
	size_t n;

	if (text == NULL || port < 0 || port > 65535)
		return -1;
	if (text[0] != '[')
		return net_parse4(text, port, out) == 0 ? 0 : net_parse6(text, port, out);
	n = strlen(text);
	if (n < 3 || text[n - 1] != ']' || n - 2 >= sizeof(inner))
		return -1;
	memcpy(inner, text + 1, n - 2);
	inner[n - 2] = '\0';
	return net_parse6(inner, port, out);
}

/* Set the port of an IPv4 or IPv6 address; other families are left alone. */
void net_addr_set_port(struct net_addr *a, int port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons((unsigned short)port);
	else if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((unsigned short)port);
}

/* Numeric text of a into dst; never NULL: "" (when len > 0) if it does not fit or is no IP. */
const char *net_addr_str(const struct net_addr *a, char *dst, size_t len)
{
	const void *src = NULL;

	if (len == 0)
		return "";
	if (a->ss.ss_family == AF_INET)
		src = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else if (a->ss.ss_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	if (src == NULL || len > (socklen_t)-1 ||
	    inet_ntop(a->ss.ss_family, src, dst, (socklen_t)len) == NULL)
		dst[0] = '\0';
	return dst;
}
