/*
 * smtp_report.h - one SMTP probe result as a node of the result tree
 * (result/out.h): words for the summary and long output, perfdata, and
 * typed facts (phases, replies, TLS, capabilities). Shared by
 * check_mail_smtp (the probe is the root), check_mail_mx (one probe node
 * per address) and the SNMP subagent, so a probe reads the same everywhere.
 *
 * Server text goes into the tree as untrusted pieces or raw facts; the
 * renderers sanitise it. The cause is decided once, by the caller
 * (out_cause with classify()), and read from the node here.
 */
#ifndef MAILPATH_SMTP_REPORT_H
#define MAILPATH_SMTP_REPORT_H

#include "result/out.h"
#include "smtp/smtp_result.h"

/* "host[addr]:port" (host as given; "[addr]" when it differs; "[::1]:port" for an IPv6 host). */
void smtp_report_target(const struct smtp_run_result *r, const char *host, int port, struct out *o,
			enum out_where where);
/* Whole days from now until the certificate expires (negative when expired). */
int smtp_report_cert_days(const struct smtp_run_result *r);
/* Whole days left of the certificate of the sent chain that expires first (the leaf's when it does). */
int smtp_report_chain_days(const struct smtp_run_result *r);
/*
 * One phrase for a failure appended at where, e.g. "421 4.4.2 at greeting:
 * <text>" or "connect failed: <detail>"; "ok" when none.
 */
void smtp_report_failure(const struct smtp_run_result *r, struct out *o, enum out_where where);
/* The phase timings as perfdata (seconds); thresholds per phase may be NULL. */
void smtp_report_perf(const struct smtp_run_result *r, struct out *o,
		      const struct thresholds *phase_th);
/* Long output: the cause and hint (o->cause), phases, TLS facts, at verbose >= 3 the transcript. */
void smtp_report_long(const struct smtp_run_result *r, int verbose, struct out *o);
/*
 * The probe's facts into o->facts: address, phases, replies, TLS, capabilities, failure;
 * every key of SMTP_REPORT_KEYS in every outcome (null where there is nothing).
 */
void smtp_report_facts(const struct smtp_run_result *r, struct out *o);
/*
 * "failed_addresses": the addresses of a name given up on before the one
 * reported, as {address, cause, detail} (check_mail_smtp); [] when none
 * failed, null when no address was known (the lookup failed).
 */
void smtp_report_failed_addresses(const struct smtp_run_result *r, struct out *o);
#define SMTP_REPORT_KEYS                                                                           \
	"address", "failed_phase", "failure_class", "detail", "reply", "phases", "total_seconds",  \
		"tls", "auth_ok", "extensions"

#endif
