/*
 * cause_limit.c - parsing CAUSE=RANGE thresholds.
 */
#include <stdio.h>
#include <string.h>
#include "checks/cause_limit.h"

int cause_limit_parse(struct cause_limits *cl, const char *arg, int crit, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	struct cause_limit *l = NULL;

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, errlen, "invalid --cause-%s '%s': want CAUSE=RANGE",
			 crit ? "critical" : "warning", arg);
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	for (int i = 0; i < cl->n; i++)
		if (strcmp(cl->limit[i].cause->name, name) == 0)
			l = &cl->limit[i];
	if (l == NULL) {
		const struct cause *c = cause_find(name);

		if (c == NULL) {
			snprintf(err, errlen, "unknown cause '%s'", name);
			return -1;
		}
		if (cl->n == CAUSE_LIMITS) {
			snprintf(err, errlen, "at most %d causes take thresholds", CAUSE_LIMITS);
			return -1;
		}
		l = &cl->limit[cl->n++];
		l->cause = c;
	}
	if (range_parse(eq + 1, crit ? &l->t.crit : &l->t.warn) != 0) {
		snprintf(err, errlen, "invalid range in '%s'", arg);
		return -1;
	}
	return 0;
}
