/*
 * sa_mib.h - MAILPATH-MIB over a result store: ordered GET and GETNEXT.
 *
 * The objects live under one build-time root, SA_MIB_ROOT, which the
 * Makefile reads from MAILPATH-MIB.txt (scripts/mib-root.sh). This
 * module knows the MIB's layout and its lexicographic order, and nothing
 * of net-snmp: sa_agent.c turns a struct sa_var into a varbind, and the
 * unit tests call sa_mib_lookup directly against a fixture store.
 */
#ifndef MAILPATH_SA_MIB_H
#define MAILPATH_SA_MIB_H

#include <stddef.h>
#include <stdint.h>
#include "sa_store.h"

#define SA_OID_MAX 40

/* Relative to the root: where the parts of the MIB live. */
#define SA_MIB_NOTIFY 0       /* .0.1 mailpathCheckStateChange */
#define SA_MIB_AGENT 1, 1     /* scalars .1.1.N.0 */
#define SA_MIB_CHECK 1, 2, 1  /* mailpathCheckEntry */
#define SA_MIB_METRIC 1, 3, 1 /* mailpathMetricEntry */
#define SA_MIB_CAUSE 1, 4, 1  /* mailpathCauseEntry */

/* Columns of mailpathCheckEntry. */
enum sa_check_col {
	SA_COL_CHECK_NAME = 2,
	SA_COL_CHECK_COMMAND,
	SA_COL_CHECK_STATE,
	SA_COL_CHECK_CAUSE,
	SA_COL_CHECK_STATUS,
	SA_COL_CHECK_LAST_RUN,
	SA_COL_CHECK_DURATION,
	SA_COL_CHECK_LAST_CHANGE,
	SA_COL_CHECK_RUNS,
	SA_COL_CHECK_FAILURES,
	SA_COL_CHECK_CHANGES,
	SA_COL_CHECK_INTERVAL,
	SA_COL_CHECK_PREV_STATE
};

enum sa_type { SA_T_INTEGER, SA_T_UNSIGNED, SA_T_GAUGE, SA_T_COUNTER64, SA_T_STRING };

/* One variable found by a lookup: its full OID, type and value (s borrowed from the store). */
struct sa_var {
	uint64_t oid[SA_OID_MAX];
	size_t len;
	enum sa_type type;
	int64_t i;  /* SA_T_INTEGER */
	uint64_t u; /* SA_T_UNSIGNED, SA_T_GAUGE, SA_T_COUNTER64 */
	const char *s;
	size_t slen; /* SA_T_STRING */
};

/* Results of sa_mib_lookup besides 0 (found). */
#define SA_MIB_NO_OBJECT (-1)   /* GET: no such object; GETNEXT: end of the MIB view */
#define SA_MIB_NO_INSTANCE (-2) /* GET: the object exists, not this instance */

extern const uint64_t sa_mib_root[];
extern const size_t sa_mib_root_len;

/*
 * GET (next == 0) the variable named exactly name, or GETNEXT (next == 1)
 * the first variable after name in lexicographic order, from s. name may
 * be longer than SA_OID_MAX arcs (a manager may send up to 128): no
 * instance is that long, so GET finds none, and GETNEXT answers the
 * successor of its first SA_OID_MAX arcs, which is the successor of the
 * whole name (RFC 3416 §4.2.2).
 * Returns 0 with v filled, or SA_MIB_NO_OBJECT / SA_MIB_NO_INSTANCE.
 */
int sa_mib_lookup(const struct sa_store *s, const uint64_t *name, size_t len, int next,
		  struct sa_var *v);
/* The instance OID of a check column for entry e (for notifications); fills v. */
int sa_mib_check_var(const struct sa_store *s, const struct sa_entry *e, int col, struct sa_var *v);

#endif
