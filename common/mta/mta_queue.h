/*
 * mta_queue.h - an MTA's queue as counts: per queue, and per destination
 * of the deferred mail with the delay reason's cause.
 *
 * Messages are fed as events (mta_queue_begin, the fields of q->cur,
 * mta_queue_rcpt per recipient, mta_queue_end), so every reader streams:
 * Postfix's showq protocol (mta_showq_feed, what postqueue reads from the
 * showq service), saved `postqueue -j` output (mta_queue_json_line). Memory
 * grows with the number of deferred destination domains, never with the
 * number of messages; past MTA_DEST_MAX domains the rest are counted in
 * dest_dropped. Each reason goes through mta_reason_parse and the one
 * classifier, so a deferral gets check_mail_smtp's cause names.
 * Pure: no I/O.
 */
#ifndef MAILPATH_MTA_QUEUE_H
#define MAILPATH_MTA_QUEUE_H

#include <stddef.h>
#include "base/fail.h"
#include "dns/dns_result.h"
#include "mta/mta_index.h"

/* Postfix's queues, in the order postqueue -j names them. */
enum mta_qname {
	MTA_Q_MAILDROP,
	MTA_Q_INCOMING,
	MTA_Q_ACTIVE,
	MTA_Q_DEFERRED,
	MTA_Q_HOLD,
	MTA_Q_CORRUPT,
	MTA_Q_MAX
};

#define MTA_DEST_MAX 4096   /* deferred destination domains kept */
#define MTA_REASON_MAX 1024 /* bytes of a reason kept (FAIL_TEXT_MAX bounds what is parsed) */

/* One deferred destination domain. */
struct mta_dest {
	char domain[DNS_NAME_MAX];  /* lower case, as the recipient had it */
	unsigned long count;        /* deferred messages with a recipient here */
	long long newest;           /* arrival time of the message whose reason is kept */
	struct fail fail;           /* that reason as a failure record */
	char reason[FAIL_TEXT_MAX]; /* that reason as the MTA wrote it, cut */
	const struct cause *cause;  /* classify(&fail) */
	unsigned long seen_msg;     /* the message that last counted it (private) */
};

/* The message being fed (set its fields between begin and end). */
struct mta_queue_msg {
	int queue; /* enum mta_qname, or -1: a queue we do not know (counted in unknown) */
	long long arrival;
	long long size;
};

struct mta_queue {
	unsigned long count[MTA_Q_MAX];
	unsigned long long bytes[MTA_Q_MAX];
	long long oldest[MTA_Q_MAX]; /* earliest arrival time; 0: queue empty */
	unsigned long total, unknown;
	struct mta_dest *dest; /* ndest entries, in the order first seen */
	size_t ndest, dest_cap;
	struct mta_index idx;       /* domain -> position in dest (private) */
	unsigned long dest_dropped; /* (message, domain) pairs past MTA_DEST_MAX */
	unsigned long *cause_count; /* per cause of cause_all(): deferred (message, domain) pairs */
	size_t ncause;
	struct mta_queue_msg cur;
	unsigned long msg_seq; /* private */
	int oom; /* an allocation failed: counts are still right, domains may be missing */
};

/* 0, or -1 when out of memory. */
int mta_queue_init(struct mta_queue *q);
void mta_queue_free(struct mta_queue *q);

/* The queue named by name (len bytes): enum mta_qname, or -1. */
int mta_queue_name_parse(const char *name, size_t len);
const char *mta_queue_name(enum mta_qname n);

void mta_queue_begin(struct mta_queue *q);
/* One recipient of the current message; reason may be NULL (none). */
void mta_queue_rcpt(struct mta_queue *q, const char *addr, size_t alen, const char *reason,
		    size_t rlen);
void mta_queue_end(struct mta_queue *q);

/* The destination named domain, or NULL. */
const struct mta_dest *mta_queue_dest(const struct mta_queue *q, const char *domain);

/*
 * One line of `postqueue -j` output (one JSON object, len bytes, no NUL
 * needed). 0, or -1 when the line is not such an object (nothing counted).
 */
int mta_queue_json_line(struct mta_queue *q, const char *line, size_t len);

/*
 * Postfix's showq protocol (attributes as name NUL value NUL, a record
 * ended by an empty name; first the record protocol=mail_queue_list_protocol,
 * then one per message, then an empty record). Feed bytes as they arrive.
 */
struct mta_showq {
	int state;     /* private */
	int records;   /* records read, the protocol record included */
	int nattr;     /* attributes in the current record (private) */
	char name[32]; /* the attribute being read (private) */
	size_t nlen;
	char val[MTA_REASON_MAX]; /* its value, cut (private) */
	size_t vlen;
	int in_msg;
	int have_rcpt;
	char rcpt[320];
	size_t rlen;
	char err[96]; /* why the stream was refused */
};

void mta_showq_init(struct mta_showq *p);
/* 0: more wanted; 1: the stream ended (bytes after it are ignored); -1: malformed (p->err). */
int mta_showq_feed(struct mta_showq *p, struct mta_queue *q, const char *buf, size_t len);

#endif
