/*
 * range.c - Nagios threshold ranges and their evaluation.
 *
 * Syntax (Monitoring Plugins guidelines, "range expressions"):
 * [@][start:][end], start "~" meaning minus infinity, an empty end meaning
 * plus infinity, endpoints inclusive, start <= end. "10" is "0:10";
 * ":10" is accepted as "0:10" like check_smtp does.
 *
 * Numbers are plain decimals only: optional sign, digits, optional '.'
 * and digits. No exponent, hex, "inf" or "nan". The grammar is checked
 * here and only a validated token is converted, with strtod_l() in the
 * "C" locale, so a process locale with ',' as decimal point changes nothing.
 * The caller owns struct range; nothing is allocated per call.
 */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/range.h"

#define RANGE_TEXT_MAX 40

/* The "C" locale object for strtod_l; NULL when it cannot be created. */
static locale_t range_c_locale(void)
{
	static locale_t c;

	if (c == (locale_t)0)
		c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c;
}

/* Parse a whole plain decimal number from s (n bytes); 0 or -1. */
static int range_number(const char *s, size_t n, double *v)
{
	char tmp[RANGE_TEXT_MAX + 1];
	size_t i = 0, digits = 0;
	locale_t c = range_c_locale();
	char *end;

	if (n == 0 || n > RANGE_TEXT_MAX || c == (locale_t)0)
		return -1;
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (i != n || digits == 0)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*v = strtod_l(tmp, &end, c);
	if (end != tmp + n || !isfinite(*v))
		return -1;
	return 0;
}

/* Parse the start part (before ':'): "~", empty (0) or a number. */
static int range_start(const char *s, size_t n, struct range *r)
{
	if (n == 1 && s[0] == '~') {
		r->lo_inf = 1;
		return 0;
	}
	if (n == 0) {
		r->lo = 0;
		return 0;
	}
	return range_number(s, n, &r->lo);
}

/* Parse text into r; 0, or -1 when malformed (r->set stays 0). */
int range_parse(const char *text, struct range *r)
{
	struct range t;
	const char *p, *colon;
	size_t len;

	memset(r, 0, sizeof(*r));
	if (text == NULL)
		return -1;
	len = strnlen(text, RANGE_TEXT_MAX + 1);
	if (len == 0 || len > RANGE_TEXT_MAX)
		return -1;
	memset(&t, 0, sizeof(t));
	p = text;
	if (*p == '@') {
		t.inside = 1;
		p++;
	}
	if (*p == '\0')
		return -1;
	colon = strchr(p, ':');
	if (colon == NULL) {
		/* "end" alone means 0:end */
		if (range_number(p, strlen(p), &t.hi) != 0)
			return -1;
	} else {
		if (colon == p && colon[1] == '\0')
			return -1; /* ":" alone says nothing */
		if (range_start(p, (size_t)(colon - p), &t) != 0)
			return -1;
		if (colon[1] == '\0')
			t.hi_inf = 1;
		else if (range_number(colon + 1, strlen(colon + 1), &t.hi) != 0)
			return -1;
	}
	if (!t.lo_inf && !t.hi_inf && t.lo > t.hi)
		return -1;
	memcpy(t.text, text, len);
	t.text[len] = '\0';
	t.set = 1;
	*r = t;
	return 0;
}

/* 1 when v raises an alert under r; a NaN value never alerts. */
int range_alert(const struct range *r, double v)
{
	int outside;

	if (r == NULL || !r->set || isnan(v))
		return 0;
	outside = (!r->lo_inf && v < r->lo) || (!r->hi_inf && v > r->hi);
	return r->inside ? !outside : outside;
}

/* CRITICAL if crit alerts, else WARNING if warn alerts, else OK. */
enum state thresholds_eval(const struct thresholds *t, double v)
{
	if (t == NULL)
		return STATE_OK;
	if (range_alert(&t->crit, v))
		return STATE_CRITICAL;
	if (range_alert(&t->warn, v))
		return STATE_WARNING;
	return STATE_OK;
}
