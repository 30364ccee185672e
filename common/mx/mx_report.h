/*
 * mx_report.h - an MX set and its verdict as a result tree (result/out.h):
 * the check node (domain, counts, the problem shown), one sub-result per
 * MX (JSON "mx"), below each one per address (JSON "addresses": reverse
 * DNS) and below that its SMTP probe (JSON "probe", built by smtp_report
 * so an MX probe reads like check_mail_smtp). Also Zabbix low-level
 * discovery. Every cause is decided once, when its node is made.
 */
#ifndef MAILPATH_MX_REPORT_H
#define MAILPATH_MX_REPORT_H

#include "mx/mx.h"
#include "result/out.h"

/* The keys mx_report adds to the root's facts (for usage errors: struct check's json_keys). */
#define MX_REPORT_KEYS                                                                             \
	"domain", "failed_phase", "mx_total", "mx_healthy", "mx_failed", "null_mx", "mx_dropped",  \
		"implicit_mx", "mx"
/* Fill the tree rooted at o from the set and its verdict (the root's state and cause from v). */
void mx_report(const struct mx_set *s, const struct mx_verdict *v, const struct mx_policy *p,
	       int port, int verbose, struct out *o);
/*
 * Zabbix LLD into o (raw): {"data":[{"{#MX}":..,"{#MXPRIO}":..,"{#MXADDR}":..}]}, one row per
 * address. When the domain's MX lookup itself failed, the check node as mx_report makes it
 * (no MX, no long output) with state UNKNOWN instead: never an empty list.
 */
void mx_report_discovery(const struct mx_set *s, const struct mx_verdict *v,
			 const struct mx_policy *p, int port, struct out *o);

#endif
