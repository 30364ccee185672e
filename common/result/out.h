/*
 * out.h - plugin output: status line, perfdata, long output and JSON.
 *
 * A check fills one struct out; out_print() renders it as the Nagios
 * status line (SERVICE STATE - summary | perfdata, then long output) or
 * as one JSON object (--output json). Untrusted text (from the network)
 * enters only through the *_untrusted functions, which sanitise it: no
 * '|', no control characters, bounded length.
 */
#ifndef MAILPATH_OUT_H
#define MAILPATH_OUT_H

#include <stddef.h>
#include <stdio.h>
#include "base/buf.h"
#include "base/range.h"
#include "base/state.h"

struct json_object;

#define OUT_PERF_MAX 64
#define OUT_SUMMARY_MAX 4096
#define OUT_LONG_MAX 262144

struct out_perf {
	char label[48];
	double value;
	char uom[4];
	struct range warn, crit;
	int has_min, has_max;
	double min, max;
};

struct out {
	const char *service;  /* "SMTP" */
	const char *check;    /* "check_mail_smtp" */
	enum state state;
	int timed_out;        /* the result is a timeout (-t N:STATE applies) */
	struct buf summary;   /* text after "SERVICE STATE - " */
	struct buf longtext;  /* lines after the status line */
	struct out_perf perf[OUT_PERF_MAX];
	int nperf;
	const char *cause;        /* the verdict's cause name (static), NULL when none */
	struct json_object *json; /* check-specific fields, merged into the JSON object; owned */
	int raw;              /* print o->json alone, in either mode (e.g. Zabbix discovery) */
};

void out_init(struct out *o, const char *check, const char *service);
void out_reset(struct out *o);
/* Raise the state to the worse of the current and s. */
void out_state(struct out *o, enum state s);
/* Append trusted text to the summary. */
void out_summary(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append untrusted text to the summary, sanitised and cut to max bytes. */
void out_summary_untrusted(struct out *o, const char *text, size_t len, size_t max);
/* Append one line of trusted text to the long output. */
void out_long(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append one line: prefix (trusted) then untrusted text, sanitised. */
void out_long_untrusted(struct out *o, const char *prefix, const char *text, size_t len);
/* Add a perfdata value; t may be NULL. Returns 0 or -1 when full. */
int out_perf(struct out *o, const char *label, double value, const char *uom,
	     const struct thresholds *t);
/* Set min/max of the last perfdata value added. */
void out_perf_minmax(struct out *o, int has_min, double min, int has_max, double max);
/* Render to f: Nagios text, or JSON when json != 0. Returns the exit code (o->state). */
int out_print(const struct out *o, FILE *f, int json);

/*
 * Copy untrusted src (srclen bytes) into dst (dstlen > 0, always terminated):
 * control characters and newlines become ' ', '|' becomes '/', bytes that
 * are not printable ASCII become '?', runs of blanks fold to one.
 * Returns the length written.
 */
size_t out_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
