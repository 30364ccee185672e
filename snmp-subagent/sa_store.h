/*
 * sa_store.h - the latest result of every configured check, its counters,
 * metrics and causes, and the stable indexes the MIB shows them under.
 *
 * Indexes derive from names (check names; metric labels and cause names
 * within a check): FNV-1a of the name folded into 1..2^31-1. A check's
 * index depends on its name alone, so it is the same after a restart as
 * after the reload that created it: a configuration with two check names
 * of one index is refused (sa_store_index_clash). Metric labels and causes
 * probe upwards on a collision (their order of appearance is fixed). Entries
 * are kept sorted by index for the MIB's ordered lookups. No I/O here.
 */
#ifndef MAILPATH_SA_STORE_H
#define MAILPATH_SA_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "result/out.h"
#include "sa_conf.h"
#include "base/state.h"

#define SA_INDEX_MAX 2147483647u
#define SA_STATUS_MAX 512
#define SA_CAUSE_MAX 48
#define SA_METRICS_MAX 32
#define SA_CAUSES_MAX 24

struct sa_metric {
	uint32_t index;
	int present; /* in the latest result */
	char label[48];
	char value[32]; /* decimal, C locale */
	char unit[8];
	char warn[48], crit[48];
	int32_t milli; /* value * 1000, clamped */
};

struct sa_cause_count {
	uint32_t index;
	char name[SA_CAUSE_MAX];
	uint64_t count;
	int64_t last_seen; /* Unix seconds */
};

struct sa_entry {
	uint32_t index;
	char name[SA_CONF_NAME_MAX + 1];
	unsigned interval_s;
	int argc;
	char **argv;                 /* owned copy of the configured command */
	char command[SA_STATUS_MAX]; /* argv joined, for the MIB */
	const void *check;           /* struct check *, set by the daemon */
	int has_result;
	enum state state, prev_state;
	char cause[SA_CAUSE_MAX];
	char status[SA_STATUS_MAX];
	int64_t last_run, last_change; /* Unix seconds, 0 = never */
	uint32_t duration_ms;
	uint64_t runs, failures, changes;
	struct sa_metric metric[SA_METRICS_MAX]; /* sorted by index */
	size_t nmetric;
	struct sa_cause_count cause_count[SA_CAUSES_MAX]; /* sorted by index */
	size_t ncause;
	void *rt; /* the scheduler's run state, owned by it */
};

struct sa_store {
	struct sa_entry **entry; /* sorted by index, owned */
	size_t n;
	uint64_t notify_sent, notify_suppressed;
	int64_t start_time; /* Unix seconds, set by the daemon */
};

/* Called for each entry about to be freed by sa_store_apply/sa_store_reset. */
typedef void sa_store_drop_cb(struct sa_entry *e, void *arg);

/* FNV-1a of name folded into 1..SA_INDEX_MAX. */
uint32_t sa_index_hash(const char *name);
/*
 * 0 when every check of conf has an index of its own; -1 with a message
 * naming the first two checks whose names fold to one index (rename one).
 */
int sa_store_index_clash(const struct sa_conf *conf, char *err, size_t errlen);
/*
 * Make the store match conf: entries whose name, interval and command are
 * unchanged are kept with their counters; others are dropped (drop is
 * called first) or created. 0, or -1 when out of memory (store unchanged).
 */
int sa_store_apply(struct sa_store *s, const struct sa_conf *conf, sa_store_drop_cb *drop,
		   void *arg);
/* Free every entry (drop called for each). */
void sa_store_reset(struct sa_store *s, sa_store_drop_cb *drop, void *arg);
/* The entry with this index, or NULL. */
struct sa_entry *sa_store_find(const struct sa_store *s, uint32_t index);
/* Position of the first entry whose index is >= index (s->n when none). */
size_t sa_store_lower(const struct sa_store *s, uint32_t index);
/*
 * Record a finished run's output. Returns 1 when this is a state change
 * worth a notification (a real change, or a first result that is not OK).
 */
int sa_store_record(struct sa_entry *e, const struct out *o, uint32_t duration_ms, int64_t now);

#endif
