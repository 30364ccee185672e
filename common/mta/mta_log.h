/*
 * mta_log.h - what an MTA's log says about deliveries, as counts per
 * destination domain and per cause.
 *
 * Lines are fed one at a time (mta_log_line): Postfix syslog lines with the
 * classic ("Dec  7 15:30:01") or the RFC 3339 timestamp, any syslog_name
 * ("postfix-out/smtp[123]: ..."), short or long queue ids; Exim main log
 * lines ("2026-12-07 15:30:01 1vABCD-000ABC-12 == ..."), both message id
 * lengths. What counts:
 *   - a delivery attempt of one recipient: Postfix "to=<a@d>, ...,
 *     status=sent|deferred|bounced|expired (reason)", Exim "=>", "->" (sent),
 *     "==" (deferred) and "**" (bounced); per domain, deferrals by the cause
 *     of their reason (mta_reason_parse and the one classifier);
 *   - a rejection by our own server: Postfix "reject:", Exim "rejected";
 *   - a failure towards one host that Postfix logs before it tries the next
 *     MX ("connect to X: Connection refused", "lost connection with X while
 *     ...", "SSL_connect error to X", "conversation with X timed out"):
 *     host errors by cause (the delivery's own status line counts apart).
 * Memory is bounded whatever the log size: MTA_LOG_DEST_MAX domains (the
 * rest counted in dest_dropped) and MTA_LOG_IDS_MAX distinct deferred
 * queue ids (past that deferred_messages is a lower bound, ids_full set).
 * Pure: no I/O.
 */
#ifndef MAILPATH_MTA_LOG_H
#define MAILPATH_MTA_LOG_H

#include <stddef.h>
#include <stdint.h>
#include "base/fail.h"
#include "mta/mta_index.h"

#define MTA_LOG_DEST_MAX 4096   /* destination domains kept */
#define MTA_LOG_IDS_MAX 262144  /* distinct deferred queue ids remembered */
#define MTA_LOG_TLSERR_SLOTS 16 /* delivery processes whose last TLS error is kept */
#define MTA_LOG_RCACHE 256      /* deferral reasons whose parse is kept */

enum mta_log_mta { MTA_LOG_AUTO, MTA_LOG_POSTFIX, MTA_LOG_EXIM };

/* What one line was. */
enum mta_log_kind {
	MTA_LOG_OTHER,    /* nothing counted */
	MTA_LOG_SENT,     /* a recipient delivered */
	MTA_LOG_DEFERRED, /* a delivery attempt deferred */
	MTA_LOG_BOUNCED,  /* a recipient bounced (or expired) */
	MTA_LOG_REJECTED, /* our server rejected a command */
	MTA_LOG_HOSTERR,  /* one host failed before the next was tried */
};

/* A reason parsed and classified, kept by its hash (mta_log's cache). */
struct mta_log_reason {
	uint64_t hash;
	const struct cause *cause; /* NULL: the entry is empty */
	struct fail fail;
};

/* One destination domain. */
struct mta_log_dest {
	char domain[DNS_NAME_MAX]; /* first: mta_index keys on it */
	unsigned long sent, deferred, bounced;
	unsigned long *cause_count; /* deferrals per cause of cause_all(); NULL until one */
	struct fail fail;           /* the last deferral's reason as a failure record */
	char reason[FAIL_TEXT_MAX]; /* that reason as the MTA wrote it, cut */
	const struct cause *cause;  /* classify(&fail); NULL before a deferral */
	uint64_t reason_hash;       /* of reason (private) */
};

struct mta_log {
	int mta; /* enum mta_log_mta: which format to read (AUTO: each line's own) */
	unsigned long lines, sent, deferred, bounced, rejected, hosterr;
	unsigned long deferred_messages; /* distinct queue ids among the deferrals */
	int ids_full;                    /* more ids than MTA_LOG_IDS_MAX: a lower bound */
	unsigned long *cause_count;      /* deferrals per cause, all domains */
	unsigned long *host_cause;       /* host errors per cause */
	size_t ncause;
	struct mta_log_dest *dest; /* ndest entries, in the order first seen */
	size_t ndest, dest_cap;
	struct mta_index idx;
	unsigned long dest_dropped; /* attempts to domains past MTA_LOG_DEST_MAX */
	uint64_t *ids;              /* open-addressing set of queue id hashes (private) */
	size_t nids_slot;
	long long first_time, last_time; /* of the lines with a timestamp read; 0: none */
	long long now;                   /* for the year of classic syslog timestamps */
	int year;                        /* now's (private) */
	struct mta_log_tcache {
		int key;
		long long base;
	} tcache; /* the last local hour converted (private) */
	int oom;  /* an allocation failed: totals are right, domains may be missing */
	/*
	 * The last TLS host error of each of a few delivery processes (by pid):
	 * Postfix logs "SSL_connect error to X: Connection timed out" and then
	 * only "Cannot start TLS: handshake failure" as the status, so the
	 * status of the same process takes the more specific failure (private).
	 */
	struct mta_log_tlserr {
		long pid;
		struct fail fail;
	} tlserr[MTA_LOG_TLSERR_SLOTS];
	struct mta_log_reason *rcache; /* reasons parsed, by their hash (private) */
	struct mta_log_reason rmiss;   /* the entry when rcache could not be made */
	/*
	 * The reason of the last line, when it was a deferral, a bounce or a
	 * host error: it points into that line (valid while the caller's line
	 * is); NULL after any other line. mailpath explain reads it.
	 */
	const char *last_reason;
	size_t last_reason_len;
};

/* mta: enum mta_log_mta; now: the current time (seconds). 0, or -1 out of memory. */
int mta_log_init(struct mta_log *l, int mta, long long now);
void mta_log_free(struct mta_log *l);

/* One line (len bytes, no newline, untrusted): what it was. */
enum mta_log_kind mta_log_line(struct mta_log *l, const char *line, size_t len);

/* The destination named domain, or NULL. */
const struct mta_log_dest *mta_log_dest(const struct mta_log *l, const char *domain);

/*
 * The time of a line's timestamp (seconds since the epoch), or 0 when it
 * has none; *skip is set to the bytes it took with the blank after it.
 * Classic syslog stamps have no year or zone: local time in now's year, or
 * the year before when that would be more than a day ahead of now.
 */
long long mta_log_time(const char *line, size_t len, long long now, size_t *skip);

#endif
