/*
 * net.h - non-blocking TCP sockets and address helpers.
 */
#ifndef MAILPATH_NET_H
#define MAILPATH_NET_H

#include <stddef.h>
#include <sys/socket.h>

/* An address with its length, IPv4 or IPv6. */
struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * Start a non-blocking connect to addr (port already set), optionally bound
 * to src (may be NULL). Returns the fd, connect in progress or done; -1 with
 * *err = errno on immediate failure.
 */
int net_connect_start(const struct net_addr *addr, const struct net_addr *src, int *err);
/* After the fd became writable: 0 if connected, else the errno of the failure. */
int net_connect_finish(int fd);
/* Parse a numeric IPv4/IPv6 literal (brackets allowed) with port into *out; -1 if not one. */
int net_addr_parse(const char *text, int port, struct net_addr *out);
/* Set the port of an address. */
void net_addr_set_port(struct net_addr *a, int port);
/* Numeric text of an address without port, e.g. "127.0.0.1" or "::1". */
const char *net_addr_str(const struct net_addr *a, char *dst, size_t len);

#endif
