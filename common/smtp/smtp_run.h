/*
 * smtp_run.h - one SMTP probe on the event loop: resolve, connect, TLS,
 * and the sans-I/O client from smtp.c, under one absolute deadline.
 *
 * Many runs may share one loop, resolver and TLS context. Each phase is
 * timed; the first failure is recorded in the result.
 */
#ifndef MAILPATH_SMTP_RUN_H
#define MAILPATH_SMTP_RUN_H

#include <stdint.h>
#include "dns/dns.h"
#include "base/ev.h"
#include "base/net.h"
#include "smtp/smtp.h"
#include "smtp/smtp_result.h"
#include "tls/tls.h"

struct smtp_run_opts {
	const char *host;     /* name as given (display; SNI and verify name by default) */
	struct net_addr addr; /* address to connect to; len 0: resolve host via dns */
	int port;
	int family;                 /* AF_UNSPEC/AF_INET/AF_INET6 for the lookup */
	const struct net_addr *src; /* -b source address, may be NULL */
	struct smtp_params smtp;
	int implicit_tls;          /* TLS before the greeting (-s, port 465) */
	const char *sni;           /* NULL: host, unless host is an IP literal */
	const char *verify_name;   /* NULL: sni */
	int verify;                /* check chain and name (facts are recorded either way) */
	struct tls_ctx *tls;       /* shared context; needed when TLS may be used */
	struct tls_detail *detail; /* non-NULL: ask for an OCSP staple, fill after the handshake */
	int64_t deadline_us;
};

/* The result, struct smtp_run_result, is in smtp_result.h. */

struct smtp_run;
typedef void smtp_run_done_cb(struct smtp_run *r, void *arg);

/* Start a probe; done runs once, from the loop, when it has finished. NULL on out of memory. */
struct smtp_run *smtp_run_start(struct ev_loop *loop, struct dns *dns,
				const struct smtp_run_opts *o, struct smtp_run_result *res,
				smtp_run_done_cb *done, void *arg);
/* Stop and free (no callback). Accepts NULL. */
void smtp_run_free(struct smtp_run *r);

#endif
