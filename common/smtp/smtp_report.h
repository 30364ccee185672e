/*
 * smtp_report.h - turning one SMTP probe result into words, perfdata and
 * JSON. Shared by check_mail_smtp, check_mail_mx (one line per MX) and the
 * SNMP subagent, so a probe reads the same everywhere.
 */
#ifndef MAILPATH_SMTP_REPORT_H
#define MAILPATH_SMTP_REPORT_H

#include <stddef.h>
#include "verdict/classify.h"
#include "result/out.h"
#include "smtp/smtp_result.h"

struct json_object;

/* "host[addr]:port" for the status line (host sanitised). */
const char *smtp_report_target(const struct smtp_run_result *r, const char *host, int port,
			       char *dst, size_t len);
/* Whole days from now until the certificate expires (negative when expired). */
int smtp_report_cert_days(const struct smtp_run_result *r);
/*
 * One-phrase description of a failure, e.g. "421 4.4.2 at greeting: <text>"
 * or "connection refused at connect", sanitised, at most len-1 bytes.
 */
const char *smtp_report_failure(const struct smtp_run_result *r, char *dst, size_t len);
/* The phase timings as perfdata (seconds), thresholds per phase may be NULL. */
void smtp_report_perf(const struct smtp_run_result *r, struct out *o,
		      const struct thresholds *phase_th);
/* Long output: hint, phases, TLS facts, and at verbose >= 3 the transcript. */
void smtp_report_long(const struct smtp_run_result *r, const struct cause *cause, int verbose,
		      struct out *o);
/* A JSON object describing the probe: phases, replies, TLS, capabilities, cause. */
struct json_object *smtp_report_json(const struct smtp_run_result *r, const struct cause *cause);

#endif
