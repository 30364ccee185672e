/*
 * target.h - the -H argument of a check as the parts a probe needs: the
 * host to show, the name or address to look up, the name TLS sends and
 * matches, and a port given with the host.
 *
 * Accepted: NAME, NAME:PORT, IPV4, IPV4:PORT, [IPV6], [IPV6]:PORT and a
 * bare IPV6 (which is an address, never "address:port"). An absolute NAME
 * (trailing dot) keeps its dot for DNS and loses it for TLS (RFC 6066 §3:
 * the SNI host name has no trailing dot). An international name goes to
 * DNS and TLS as A-labels (libidn2) and is shown as given. No printing:
 * errors go into err.
 */
#ifndef MAILPATH_TARGET_H
#define MAILPATH_TARGET_H

#include <stddef.h>

#define TARGET_NAME_MAX 256

struct target {
	char host[TARGET_NAME_MAX]; /* as shown: the name as given (U-labels), or the address */
	char dns[TARGET_NAME_MAX];  /* what DNS is asked (A-labels), or the IP literal */
	char tls[TARGET_NAME_MAX];  /* SNI and certificate name (A-labels, no dot); "" for an IP */
	int port;                   /* the port given with the host, 0 when none */
	int is_ip;                  /* host is an IPv4 or IPv6 literal */
};

/* Split and check -H into *t; 0, or -1 with a message in err (a usage error). */
int target_parse(const char *arg, struct target *t, char *err, size_t errlen);
/* A server name for TLS (--sni): A-labels without a trailing dot, into dst; 0, or -1 (err). */
int target_tls_name(const char *name, char *dst, size_t len, char *err, size_t errlen);
/*
 * -H ARG and -p into *t and *port: a port in ARG must agree with *port (0:
 * not given) and then becomes it; sni (NULL: none) is checked into
 * sni_name (TARGET_NAME_MAX bytes). 0, or -1 with a usage error in err.
 */
int target_from_args(const char *arg, const char *sni, struct target *t, int *port, char *sni_name,
		     char *err, size_t errlen);

#endif
