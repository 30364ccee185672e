/*
 * spf.h - the SPF evaluator, check_host() of RFC 7208 §4, driven by
 * lookup callbacks.
 *
 * The evaluator asks for DNS answers through struct spf_dns, four
 * functions that deliver plain answers (dns/dns_result.h) to a callback
 * later, never inside the call. spf_run.h binds them to the c-ares
 * resolver on the loop; unit tests answer from a table. Lookups run one
 * after the other in evaluation order, so a result never depends on
 * timing.
 */
#ifndef MAILPATH_SPF_H
#define MAILPATH_SPF_H

#include "dns/dns_result.h"
#include "dns/spf_record.h"

/* §4.6.4: DNS-querying terms and void lookups allowed, names considered per MX/PTR. */
#define SPF_MAX_LOOKUPS 10
#define SPF_MAX_VOID 2
#define SPF_MAX_NAMES 10
#define SPF_TERM_MAX 512
#define SPF_SENDER_MAX 512

typedef void spf_txt_cb(const struct dns_txt *res, void *arg);
typedef void spf_host_cb(const struct dns_host *res, void *arg);
typedef void spf_mx_cb(const struct dns_mx_set *res, void *arg);
typedef void spf_ptr_cb(const struct dns_ptr *res, void *arg);

/* Where the answers come from; each cb runs later (from the loop), exactly once. */
struct spf_dns {
	void *ctx;
	void (*txt)(void *ctx, const char *name, spf_txt_cb *cb, void *arg);
	void (*host)(void *ctx, const char *name, int family, spf_host_cb *cb, void *arg);
	void (*mx)(void *ctx, const char *name, spf_mx_cb *cb, void *arg);
	void (*ptr)(void *ctx, const struct net_addr *a, spf_ptr_cb *cb, void *arg);
};

/* One line of the evaluation's trace (lookups, records, matches, the result). */
typedef void spf_trace_cb(const char *line, void *arg);

/*
 * The question: ip, MAIL FROM (NULL or "": the null sender, then
 * postmaster@helo and the HELO domain are checked, §2.4) and HELO.
 * receiver is %{r} (NULL: "unknown"), now is %{t}. Strings are copied;
 * trace, when set, is called with each step as it happens.
 */
struct spf_query {
	struct net_addr ip;
	const char *sender;
	const char *helo;
	const char *receiver;
	long long now;
	spf_trace_cb *trace; /* NULL: no trace */
	void *trace_arg;
};

/*
 * The answer. mechanism: the term of the top-level record (after any
 * redirect) that matched, "" when none did; domain: the domain whose record
 * decided (for an error, the one where it happened); error: what went
 * wrong for permerror and temperror, else "".
 */
struct spf_outcome {
	enum spf_result result;
	char mechanism[SPF_TERM_MAX];
	char domain[SPF_DOMAIN_MAX];
	char sender[SPF_SENDER_MAX];
	int lookups;
	int void_lookups;
	int has_explanation;
	char explanation[SPF_EXP_MAX];
	char error[SPF_ERR_MAX];
};

typedef void spf_done_cb(const struct spf_outcome *o, void *arg);

struct spf;

/* A new evaluation of q over dns (copied); NULL when out of memory. */
struct spf *spf_new(const struct spf_dns *dns, const struct spf_query *q, spf_done_cb *done,
		    void *arg);
/*
 * Start it. done(arg) runs exactly once: from a lookup callback, or inside
 * spf_start when the answer needs no lookup (a malformed domain is "none").
 */
void spf_start(struct spf *s);
/* The outcome so far (final once done has run). */
const struct spf_outcome *spf_outcome(const struct spf *s);
/*
 * Free. Accepts NULL. A lookup still outstanding must not be delivered
 * afterwards: cancel it first (dns_free delivers ARES_ECANCELLED, on which
 * the evaluator ends with temperror and asks nothing more).
 */
void spf_free(struct spf *s);

#endif
