/*
 * out_render.h - the two renderers of the result tree (result/out.h), and
 * the one boundary where untrusted text is made safe.
 *
 * Text (Nagios plugin guidelines, "Output"): "SERVICE STATE - summary |
 * perfdata" on the first line, then the long output. The summary is the
 * root's; perfdata and long-output lines are every node's, depth first.
 * Every piece of text is guarded when rendered: control characters and
 * newlines become ' ', '|' becomes '/', bytes outside printable ASCII
 * become '?'; untrusted pieces are also folded (runs of blanks to one,
 * trimmed) and cut to their bound. So the status line has exactly one '|',
 * before the perfdata, and no stray line breaks, whatever a server sent.
 *
 * JSON (--output json, schema contrib/json/mailpath-result-1.schema.json):
 * one object on one line: schema, check, service, state, exit, summary,
 * perfdata, long (the text renderer's words), cause and hint (the root's
 * stored cause, null when none), then the root's facts and its children's
 * facts under their keys (a child with a stored cause shown gets "cause"
 * and "hint" too). Fact strings are made valid UTF-8 (an invalid byte
 * becomes U+FFFD), control characters become ' ' (runs folded, trimmed),
 * and json-c escapes the rest. A root marked raw prints its facts alone.
 *
 * Numbers are printed in the "C" style whatever the locale: no exponent, at
 * most 6 decimals, trailing zeros cut (or a fixed count for a fact that asks
 * for it); non-finite values are never printed.
 */
#ifndef MAILPATH_OUT_RENDER_H
#define MAILPATH_OUT_RENDER_H

#include <stddef.h>
#include <stdio.h>
#include "result/out.h"

#define OUT_STATUS_MAX (OUT_SUMMARY_MAX + 96)

/* Render o to f: Nagios text, or JSON when json != 0. Returns o's state, UNKNOWN when f fails. */
int out_print(const struct out *o, FILE *f, int json);
/* The root's summary as the status line shows it (sanitised, bounded); returns its length. */
size_t out_text_summary(const struct out *o, char *dst, size_t len);
/* "SERVICE STATE - summary" without perfdata, as the status line starts; returns its length. */
size_t out_text_status(const struct out *o, char *dst, size_t len);
/* The rendered long-output lines (as the text shows them), one call of line() each. */
void out_text_long_lines(const struct out *o, void (*line)(const char *s, size_t len, void *arg),
			 void *arg);
/* The JSON rendering as a fresh string (caller frees); NULL when out of memory. */
char *out_json_text(const struct out *o);
/*
 * Format v without exponent and without the locale: up to 6 decimals,
 * trailing zeros cut, no "-0"; values of 1e12 and more as integers. 0, or
 * -1 for NaN, infinities and |v| >= 9e18.
 */
int out_number(char *dst, size_t len, double v);
/*
 * Copy untrusted src (srclen bytes) into dst (dstlen > 0, always terminated):
 * control characters and newlines become ' ', '|' becomes '/', bytes that
 * are not printable ASCII become '?', runs of blanks fold to one, leading
 * and trailing blanks are dropped. Returns the length written.
 */
size_t out_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
