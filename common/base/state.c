/*
 * state.c - Nagios plugin states: names, ordering and parsing.
 *
 * Severity order for combining results: CRITICAL > WARNING > UNKNOWN > OK.
 * Values outside the enum are treated as UNKNOWN.
 */
#include "base/state.h"

#include <stddef.h>
#include <strings.h>

static const char *const state_names[] = {
	[STATE_OK] = "OK",
	[STATE_WARNING] = "WARNING",
	[STATE_CRITICAL] = "CRITICAL",
	[STATE_UNKNOWN] = "UNKNOWN",
};

/* Upper-case name of a state; out-of-range values read as "UNKNOWN". */
const char *state_name(enum state s)
{
	if ((unsigned)s > STATE_UNKNOWN)
		return "UNKNOWN";
	return state_names[s];
}

/* Severity rank used to compare states. */
static int state_rank(enum state s)
{
	switch (s) {
	case STATE_OK: return 0;
	case STATE_WARNING: return 2;
	case STATE_CRITICAL: return 3;
	case STATE_UNKNOWN:
	default: return 1;
	}
}

/* The more severe of a and b. */
enum state state_worst(enum state a, enum state b)
{
	return state_rank(b) > state_rank(a) ? b : a;
}

/* Parse a state name (any case) or a digit 0..3; -1 if it is neither. */
int state_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0')
		return s[0] - '0';
	for (int i = STATE_OK; i <= STATE_UNKNOWN; i++)
		if (strcasecmp(s, state_names[i]) == 0)
			return i;
	return -1;
}
