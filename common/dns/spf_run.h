/*
 * spf_run.h - the SPF evaluator (dns/spf.h) bound to the c-ares resolver
 * on the event loop, with one deadline for the whole evaluation.
 */
#ifndef MAILPATH_SPF_RUN_H
#define MAILPATH_SPF_RUN_H

#include "dns/dns.h"
#include "dns/spf.h"

/* Fill ops with lookups through the resolver d (borrowed). */
void spf_run_dns(struct spf_dns *ops, struct dns *d);
/*
 * Evaluate q on a loop of its own, asking the DNS servers `servers` (NULL:
 * resolv.conf), within timeout_s seconds. Returns 0 with *out the outcome,
 * 1 when the deadline came first (*out then holds the counts so far), or -1
 * with a message in err when the resolver cannot be set up.
 */
int spf_run(const struct spf_query *q, const char *servers, double timeout_s,
	    struct spf_outcome *out, char *err, size_t errlen);

#endif
