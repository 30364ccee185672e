/*
 * mta_logfile.h - read a log file from where the last run stopped,
 * across rotation and truncation, a slice at a time.
 *
 * A position (struct mta_logpos) names the file by device and inode, the
 * offset after the last whole line read and a hash of the file's first
 * line. Opening a scan with the position of the last run decides where to
 * start:
 *   - the same file, not shorter and with the same first line: at offset;
 *   - the same inode but shorter or with another first line (copytruncate,
 *     or the inode reused): from the start;
 *   - another file at the path (renamed by logrotate, "maillog.1",
 *     "maillog-20261207", Postfix's "maillog.20261207-154500"): the old one
 *     is found by its inode among the names in the directory that begin
 *     with the log's name, read from the offset to its end, and then the
 *     new one from its start. Compressed old files cannot be finished: use
 *     logrotate's delaycompress.
 * Without a position the whole file is read. A line the writer has not
 * finished (no newline yet) at the end of the current file is left for
 * the next run. Memory is one buffer, whatever the file size.
 */
#ifndef MAILPATH_MTA_LOGFILE_H
#define MAILPATH_MTA_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#define MTA_LOGLINE_MAX 8192 /* longer lines are cut (counted in long_lines) */

struct mta_logpos {
	unsigned long long dev, ino, offset;
	uint64_t head; /* FNV-1a of the first line (up to 256 bytes); 0: the file was empty */
};

/* How the scan started. */
enum mta_logscan_how {
	MTA_SCAN_WHOLE,     /* no position: the whole file */
	MTA_SCAN_RESUMED,   /* the same file, from the offset */
	MTA_SCAN_ROTATED,   /* the old file finished first, then the new one */
	MTA_SCAN_LOST,      /* rotated, the old file not found: the new one from its start */
	MTA_SCAN_TRUNCATED, /* the file was truncated or replaced in place: from its start */
};

typedef void mta_logline_cb(void *arg, const char *line, size_t len);

struct mta_logscan {
	enum mta_logscan_how how;
	unsigned long long bytes;      /* read in all */
	unsigned long long lines;      /* whole lines handed to the callback */
	unsigned long long long_lines; /* lines cut at MTA_LOGLINE_MAX */
	char old_name[256];            /* the rotated file finished first (ROTATED) */
	struct mta_logpos pos;         /* where the next run starts, as far as read */
	/* private */
	int fd, on_old, skipping; /* on_old: the rotated file being finished, or -1 */
	char path[4096];
	unsigned long long off;
	struct mta_logpos cur; /* the file at path */
	char *buf;
	size_t have;
};

/*
 * Open the scan of path from prev (NULL: the whole file). 0, or -1 with a
 * message (not a regular file, cannot open, out of memory).
 */
int mta_logscan_open(struct mta_logscan *s, const char *path, const struct mta_logpos *prev,
		     char *err, size_t errlen);

/*
 * Read about budget bytes, handing each whole line to cb. 1 when the end
 * was reached, 0 when there is more, -1 with a message on a read error.
 */
int mta_logscan_step(struct mta_logscan *s, size_t budget, mta_logline_cb *cb, void *arg, char *err,
		     size_t errlen);

void mta_logscan_close(struct mta_logscan *s);

/*
 * The position saved in state for log path. 1 when read; 0 when there is
 * no state file; -1 when it is unusable (corrupt, or for another log): why
 * says which.
 */
int mta_logpos_load(const char *state, const char *path, struct mta_logpos *p, char *why,
		    size_t whylen);

/* Save p for log path in state (written aside, then renamed). 0, or -1 with a message. */
int mta_logpos_save(const char *state, const char *path, const struct mta_logpos *p, char *err,
		    size_t errlen);

#endif
