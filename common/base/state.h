/*
 * state.h - Nagios plugin states (exit codes).
 */
#ifndef MAILPATH_STATE_H
#define MAILPATH_STATE_H

enum state { STATE_OK = 0, STATE_WARNING = 1, STATE_CRITICAL = 2, STATE_UNKNOWN = 3 };

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *state_name(enum state s);
/* The worse of two states: CRITICAL > WARNING > UNKNOWN > OK. */
enum state state_worst(enum state a, enum state b);
/* Parse "ok"/"warning"/"critical"/"unknown" or "0".."3", any case; -1 if none. */
int state_parse(const char *s);

#endif
