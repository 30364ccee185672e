/*
 * target.c - -H split into host, DNS name, TLS name and port (target.h).
 *
 * The forms follow RFC 3986 §3.2.2-3.2.3: an IPv6 literal with a port is
 * written in brackets; a bare IPv6 literal is an address, so "::1:25" is
 * the address ::1:25, never ::1 port 25. An international name (any byte
 * outside ASCII) is converted to A-labels by libidn2 (IDNA2008, RFC 5891,
 * with the UTS #46 mapping) for DNS and TLS, and shown as given. No
 * printing: errors go into err.
 */
#include <idn2.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "base/net_addr.h"
#include "front/target.h"

#define TARGET_HOST_MAX 253 /* RFC 1035 §2.3.4: a name is at most 253 characters as text */

/* Parse the digits of a port (1..65535) into *port; 0, or -1. */
static int target_port(const char *text, int *port)
{
	long v = 0;

	if (*text == '\0' || strlen(text) > 5)
		return -1;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* An IP literal as host and DNS text, in its canonical form; 0, or -1 when text is none. */
static int target_ip(const char *text, int family, struct target *t)
{
	struct net_addr a;

	if (net_addr_parse(text, 0, &a) != 0 || (family != AF_UNSPEC && a.ss.ss_family != family))
		return -1;
	net_addr_str(&a, t->host, sizeof(t->host));
	snprintf(t->dns, sizeof(t->dns), "%s", t->host);
	t->tls[0] = '\0';
	t->is_ip = 1;
	return 0;
}

/* 1 when s has a byte outside ASCII: a name with U-labels. */
static int target_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s > 0x7f)
			return 1;
	return 0;
}

/* An international name as A-labels (RFC 5891 §4, UTS #46 mapping) into dst; 0, or -1. */
static int target_alabel(const char *name, char *dst, size_t len, char *err, size_t errlen)
{
	char *ascii = NULL;
	int rc = idn2_to_ascii_8z(name, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);

	if (rc != IDN2_OK) {
		snprintf(err, errlen, "invalid international domain name '%s': %s", name,
			 idn2_strerror(rc));
		return -1;
	}
	rc = strlen(ascii) < len && strlen(ascii) <= TARGET_HOST_MAX ? 0 : -1;
	if (rc == 0)
		memcpy(dst, ascii, strlen(ascii) + 1);
	else
		snprintf(err, errlen, "invalid international domain name: longer than %d bytes",
			 TARGET_HOST_MAX);
	idn2_free(ascii);
	return rc;
}

int target_tls_name(const char *name, char *dst, size_t len, char *err, size_t errlen)
{
	char bare[TARGET_NAME_MAX];
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--; /* RFC 6066 §3: "HostName" is sent without a trailing dot; matched likewise */
	if (n == 0 || n >= len || n > TARGET_HOST_MAX) {
		snprintf(err, errlen, "invalid server name: want 1..%d bytes", TARGET_HOST_MAX);
		return -1;
	}
	memcpy(bare, name, n);
	bare[n] = '\0';
	if (target_8bit(bare))
		return target_alabel(bare, dst, len, err, errlen);
	memcpy(dst, bare, n + 1);
	return 0;
}

/* The host part, a name or an IPv4 literal (text of n bytes), into *t. */
static int target_host(const char *text, size_t n, struct target *t, char *err, size_t errlen)
{
	if (n == 0 || n > TARGET_HOST_MAX) {
		snprintf(err, errlen, "invalid -H: want a host name of 1..%d bytes",
			 TARGET_HOST_MAX);
		return -1;
	}
	memcpy(t->host, text, n);
	t->host[n] = '\0';
	if (strpbrk(t->host, " \t\r\n|/[]:") != NULL) {
		snprintf(err, errlen, "invalid host name");
		return -1;
	}
	if (target_ip(t->host, AF_INET, t) == 0)
		return 0;
	if (target_tls_name(t->host, t->tls, sizeof(t->tls), err, errlen) != 0)
		return -1;
	/* DNS gets the A-labels, absolute when the name was given absolute. */
	if (snprintf(t->dns, sizeof(t->dns), "%s%s", t->tls, t->host[n - 1] == '.' ? "." : "") >=
	    (int)sizeof(t->dns)) {
		snprintf(err, errlen, "invalid -H: name too long");
		return -1;
	}
	return 0;
}

/* "[IPV6]" or "[IPV6]:PORT" into *t. */
static int target_bracket(const char *arg, struct target *t, char *err, size_t errlen)
{
	const char *close = strchr(arg, ']');
	char inner[TARGET_NAME_MAX];
	size_t n = close != NULL ? (size_t)(close - arg - 1) : 0;

	if (close == NULL || n == 0 || n >= sizeof(inner)) {
		snprintf(err, errlen, "invalid -H '%s': want [IPV6ADDRESS] or [IPV6ADDRESS]:PORT",
			 arg);
		return -1;
	}
	memcpy(inner, arg + 1, n);
	inner[n] = '\0';
	if (target_ip(inner, AF_INET6, t) != 0) {
		snprintf(err, errlen, "invalid -H '%s': brackets hold an IPv6 address", arg);
		return -1;
	}
	if (close[1] == '\0')
		return 0;
	if (close[1] != ':' || target_port(close + 2, &t->port) != 0) {
		snprintf(err, errlen, "invalid port in -H '%s': want [ADDRESS]:PORT, PORT 1..65535",
			 arg);
		return -1;
	}
	return 0;
}

int target_parse(const char *arg, struct target *t, char *err, size_t errlen)
{
	const char *colon;

	memset(t, 0, sizeof(*t));
	if (arg == NULL || arg[0] == '\0') {
		snprintf(err, errlen, "-H HOST is required");
		return -1;
	}
	if (arg[0] == '[')
		return target_bracket(arg, t, err, errlen);
	colon = strchr(arg, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		if (target_ip(arg, AF_INET6, t) == 0)
			return 0; /* a bare IPv6 literal is an address, whatever its last group */
		snprintf(err, errlen,
			 "invalid -H: not an IPv6 address (with a port, write [ADDRESS]:PORT)");
		return -1;
	}
	if (colon == NULL)
		return target_host(arg, strlen(arg), t, err, errlen);
	if (target_port(colon + 1, &t->port) != 0) {
		snprintf(err, errlen, "invalid port in -H: want HOST:PORT, PORT 1..65535");
		return -1;
	}
	return target_host(arg, (size_t)(colon - arg), t, err, errlen);
}

int target_from_args(const char *arg, const char *sni, struct target *t, int *port, char *sni_name,
		     char *err, size_t errlen)
{
	if (target_parse(arg, t, err, errlen) != 0)
		return -1;
	if (t->port != 0 && *port != 0 && t->port != *port) {
		snprintf(err, errlen, "-H gives port %d, -p %d: give one", t->port, *port);
		return -1;
	}
	if (t->port != 0)
		*port = t->port;
	if (sni != NULL && target_tls_name(sni, sni_name, TARGET_NAME_MAX, err, errlen) != 0)
		return -1;
	return 0;
}
