/*
 * dnsbl_run.h - every list of a struct dnsbl_set asked at once on the loop:
 * the target's A record in every zone (and, with health, both RFC 5782 test
 * points), then the TXT reason of each listing, under one deadline.
 */
#ifndef MAILPATH_DNSBL_RUN_H
#define MAILPATH_DNSBL_RUN_H

#include "dns/dns.h"
#include "dns/dnsbl.h"

struct dnsbl_run;
typedef void dnsbl_run_done_cb(void *arg);

/*
 * Start asking; done(arg) runs once from the loop when every answer is in
 * or the deadline passed, with every item settled (dnsbl_item_finish).
 * The set (target, health, lists) is the caller's and must outlive the run.
 * NULL when out of memory.
 */
struct dnsbl_run *dnsbl_run_start(struct ev_loop *loop, struct dns *dns, struct dnsbl_set *set,
				  int64_t deadline_us, dnsbl_run_done_cb *done, void *arg);
/* Stop and free; outstanding DNS callbacks are absorbed later. Accepts NULL. */
void dnsbl_run_free(struct dnsbl_run *r);

#endif
