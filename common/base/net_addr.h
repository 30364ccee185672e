/*
 * net_addr.h - an IPv4 or IPv6 address as plain data, and helpers on it
 * (implemented in net.c). Results that record an address include this,
 * not net.h, so reading a result never pulls in the socket calls.
 */
#ifndef MAILPATH_NET_ADDR_H
#define MAILPATH_NET_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* An address with its length, IPv4 or IPv6. */
struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parse a numeric IPv4/IPv6 literal (brackets allowed) with port into *out; -1 if not one. */
int net_addr_parse(const char *text, int port, struct net_addr *out);
/* Set the port of an address. */
void net_addr_set_port(struct net_addr *a, int port);
/* Numeric text of an address without port, e.g. "127.0.0.1" or "::1". */
const char *net_addr_str(const struct net_addr *a, char *dst, size_t len);

#endif
