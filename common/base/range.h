/*
 * range.h - Nagios threshold ranges: "10", "10:", "~:10", "10:20", "@10:20".
 *
 * An alert is raised when the value is outside [lo, hi] (inside with '@').
 * Endpoints are inclusive; "~" is minus infinity.
 */
#ifndef MAILPATH_RANGE_H
#define MAILPATH_RANGE_H

#include "base/state.h"

struct range {
	int set; /* 0: no range (never alerts) */
	double lo, hi;
	int lo_inf, hi_inf;
	int inside;    /* '@' */
	char text[48]; /* as given, for perfdata */
};

/* Parse text into r; 0, or -1 when malformed (r->set stays 0). */
int range_parse(const char *text, struct range *r);
/* 1 when v raises an alert under r. */
int range_alert(const struct range *r, double v);

struct thresholds {
	struct range warn, crit;
};

/* CRITICAL if crit alerts, else WARNING if warn alerts, else OK. */
enum state thresholds_eval(const struct thresholds *t, double v);

#endif
