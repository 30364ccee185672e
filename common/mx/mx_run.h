/*
 * mx_run.h - every mail exchanger of a domain, resolved and probed
 * concurrently on one loop: the MX lookup, then A+AAAA of every target at
 * once, then for every address its PTR (and the forward confirmation of
 * every PTR name) and one SMTP probe (smtp_run), all in parallel, under
 * one deadline.
 */
#ifndef MAILPATH_MX_RUN_H
#define MAILPATH_MX_RUN_H

#include "mx/mx.h"
#include "smtp/smtp_run.h"

/* After a probe finished, before its cause is stored: may add to r's record (-D check). */
typedef void mx_probe_hook(void *arg, struct smtp_run_result *r);

struct mx_run_opts {
	const char *domain;
	int family; /* AF_UNSPEC, AF_INET or AF_INET6: addresses kept */
	int port;
	int rdns;                  /* look up PTR and check FCrDNS */
	int probe;                 /* 0: resolve only (discovery) */
	struct smtp_run_opts smtp; /* template: host, addr, sni, verify_name set per address */
	int64_t deadline_us;
	mx_probe_hook *probe_hook; /* may be NULL */
	void *probe_hook_arg;
};

struct mx_run;
typedef void mx_run_done_cb(void *arg);

/*
 * Start; done(arg) runs once from the loop when everything finished or the
 * deadline passed, with the set finished (mx_set_finish: every cause
 * stored). set is emptied first (mx_set_reset) and takes o->domain.
 */
struct mx_run *mx_run_start(struct ev_loop *loop, struct dns *dns, const struct mx_run_opts *o,
			    struct mx_set *set, mx_run_done_cb *done, void *arg);
/* Stop the probes and free; outstanding DNS callbacks are absorbed later. Accepts NULL. */
void mx_run_free(struct mx_run *r);

#endif
