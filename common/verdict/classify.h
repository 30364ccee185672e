/*
 * classify.h - one table from a failure record to a named cause.
 *
 * Every failure policy of the project lives in classify.c: mechanism code
 * records what happened (struct fail), this module says what it means,
 * what to check next, and which Nagios state it deserves by default.
 */
#ifndef MAILPATH_CLASSIFY_H
#define MAILPATH_CLASSIFY_H

#include "base/fail.h"
#include "base/state.h"

struct cause {
	const char *name; /* stable identifier, e.g. "server-busy" (JSON, SNMP) */
	const char *hint; /* what it means / what to check next */
	enum state state; /* default state */
	int timeout;      /* 1 for causes that are timeouts (-t N:STATE applies) */
};

/* The cause of a failure record; the "ok" cause when f->cls == FAIL_NONE. Never NULL. */
const struct cause *classify(const struct fail *f);
/* Look a cause up by name; NULL if unknown. */
const struct cause *cause_find(const char *name);
/* Every cause, for documentation and tests: returns the count, *list the array. */
size_t cause_all(const struct cause *const **list);

#endif
