/*
 * cause_limit.h - --cause-warning/--cause-critical CAUSE=RANGE, shared by
 * the checks that count causes (check_mail_queue, check_mail_log).
 */
#ifndef MAILPATH_CAUSE_LIMIT_H
#define MAILPATH_CAUSE_LIMIT_H

#include <stddef.h>
#include "base/range.h"
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

#endif
