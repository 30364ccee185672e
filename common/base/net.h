/*
 * net.h - non-blocking TCP sockets and address helpers.
 */
#ifndef MAILPATH_NET_H
#define MAILPATH_NET_H

#include <stddef.h>
#include <sys/socket.h>
#include "base/net_addr.h"

/*
 * Start a non-blocking connect to addr (port already set), optionally bound
 * to src (may be NULL). Returns the fd, connect in progress or done; -1 with
 * *err = errno on immediate failure.
 */
int net_connect_start(const struct net_addr *addr, const struct net_addr *src, int *err);
/* After the fd became writable: 0 if connected, else the errno of the failure. */
int net_connect_finish(int fd);
/* The address helpers (net_addr_parse, _set_port, _str) are declared in net_addr.h. */

#endif
