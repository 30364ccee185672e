/*
 * mta_check.h - what the checks of an MTA's own evidence share
 * (check_mail_queue, check_mail_log): CAUSE=RANGE thresholds, range and
 * --domain options, "421 4.7.0 at mail" for a reason, and the report of
 * a queue or log that could not be read.
 */
#ifndef MAILPATH_MTA_CHECK_H
#define MAILPATH_MTA_CHECK_H

#include <stddef.h>
#include "base/fail.h"
#include "base/range.h"
#include "result/out.h"
#include "verdict/classify.h"

#define CAUSE_LIMITS 8 /* causes that take thresholds, at most */

struct cause_limit {
	const struct cause *cause;
	struct thresholds t;
};

struct cause_limits {
	struct cause_limit limit[CAUSE_LIMITS];
	int n;
};

/* "CAUSE=RANGE" as the warning (crit 0) or critical range of its cause; 0, or -1 with a message. */
int cause_limit_parse(struct cause_limits *cl, const char *arg, int crit, char *err, size_t errlen);

/* A RANGE option's value into r; 0, or -1 with a message naming opt. */
int mta_check_range(struct range *r, const char *opt, const char *arg, char *err, size_t errlen);

/* A --domain value (NULL: none given); 0, or -1 with a message. */
int mta_check_domain(const char *domain, char *err, size_t errlen);

/* "421 4.7.0 at mail", "421 at greeting", "at tls" or "": the reply and phase of a reason. */
void mta_check_where(const struct fail *f, char *buf, size_t len);

/*
 * The report of evidence that could not be read: cls (FAIL_QUEUE or
 * FAIL_LOG) with FAIL_QUEUE_TIMEOUT when timed_out, err as the summary, and
 * the check's JSON keys null (the same keys as a run that read it).
 */
void mta_check_unreadable(struct out *o, enum fail_class cls, int timed_out, const char *err,
			  const char *const *keys);

#endif
