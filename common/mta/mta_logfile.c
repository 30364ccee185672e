/*
 * mta_logfile.c - following a log file across runs, rotation and
 * truncation; the position kept in a small text state file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mta/mta_logfile.h"

#define SCAN_BUF ((size_t)8 * MTA_LOGLINE_MAX) /* one read buffer, whatever the file size */
#define HEAD_MAX 256                           /* bytes of the first line hashed */
#define STATE_MAGIC "mailpath-log-state 1"

/* FNV-1a of the first line of fd (up to HEAD_MAX bytes); 0 when the file is empty. */
static uint64_t logfile_head(int fd)
{
	char b[HEAD_MAX];
	ssize_t n;
	uint64_t h = 14695981039346656037ull;

	do
		n = pread(fd, b, sizeof(b), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	for (ssize_t i = 0; i < n && b[i] != '\n'; i++)
		h = (h ^ (unsigned char)b[i]) * 1099511628211ull;
	return h != 0 ? h : 1;
}

/* Open path read-only as a regular file (never blocking on a FIFO); fd or -1 with errno. */
static int logfile_open(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		int e = S_ISREG(st->st_mode) ? errno : EINVAL;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * The rotated file of path with inode prev->ino: among the names in its
 * directory that are the log's name followed by '.', '-' or '_'. Its fd
 * (its name in name), or -1.
 */
static int logfile_find_old(const char *path, const struct mta_logpos *prev, char *name,
			    size_t namelen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	size_t blen = strlen(base);
	char dir[4096];
	DIR *d;
	const struct dirent *e;
	int fd = -1;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while (fd < 0 && (e = readdir(d)) != NULL) {
		char full[8192];
		struct stat st;

		if (strncmp(e->d_name, base, blen) != 0 ||
		    (e->d_name[blen] != '.' && e->d_name[blen] != '-' && e->d_name[blen] != '_'))
			continue;
		snprintf(full, sizeof(full), "%s/%s", dir, e->d_name);
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (unsigned long long)st.st_dev != prev->dev ||
		    (unsigned long long)st.st_ino != prev->ino)
			continue;
		if ((fd = logfile_open(full, &st)) >= 0)
			snprintf(name, namelen, "%s", e->d_name);
	}
	closedir(d);
	return fd;
}

int mta_logscan_open(struct mta_logscan *s, const char *path, const struct mta_logpos *prev,
		     char *err, size_t errlen)
{
	struct stat st;
	int old;

	memset(s, 0, sizeof(*s));
	s->fd = s->on_old = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if ((s->fd = logfile_open(path, &st)) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	if ((s->buf = malloc(SCAN_BUF)) == NULL) {
		mta_logscan_close(s);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->cur = (struct mta_logpos){(unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
				     0, logfile_head(s->fd)};
	s->pos = s->cur;
	s->how = MTA_SCAN_WHOLE;
	if (prev == NULL)
		return 0;
	if (prev->dev == s->cur.dev && prev->ino == s->cur.ino) {
		if ((unsigned long long)st.st_size < prev->offset ||
		    (prev->head != 0 && prev->head != s->cur.head)) {
			s->how = MTA_SCAN_TRUNCATED;
		} else {
			s->how = MTA_SCAN_RESUMED;
			s->off = s->pos.offset = prev->offset;
		}
		return 0;
	}
	s->how = MTA_SCAN_LOST;
	old = logfile_find_old(path, prev, s->old_name, sizeof(s->old_name));
	if (old < 0)
		return 0;
	if (fstat(old, &st) != 0 || (unsigned long long)st.st_size < prev->offset ||
	    (prev->head != 0 && prev->head != logfile_head(old))) {
		close(old);
		s->old_name[0] = '\0';
		return 0;
	}
	/* read the old file to its end first, then the one at path */
	s->how = MTA_SCAN_ROTATED;
	s->on_old = old;
	s->pos = *prev;
	s->off = prev->offset;
	return 0;
}

/* Hand one line to cb, cut at MTA_LOGLINE_MAX; a CR before the newline is dropped. */
static void logscan_line(struct mta_logscan *s, const char *line, size_t len, mta_logline_cb *cb,
			 void *arg)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > MTA_LOGLINE_MAX) {
		len = MTA_LOGLINE_MAX;
		s->long_lines++;
	}
	s->lines++;
	cb(arg, line, len);
}

/* The whole lines in the buffer to cb; the rest moved to its start. */
static void logscan_lines(struct mta_logscan *s, mta_logline_cb *cb, void *arg)
{
	size_t start = 0;
	const char *nl;

	while ((nl = memchr(s->buf + start, '\n', s->have - start)) != NULL) {
		size_t len = (size_t)(nl - (s->buf + start));

		if (s->skipping)
			s->skipping = 0; /* the end of a line already handed on, cut */
		else
			logscan_line(s, s->buf + start, len, cb, arg);
		start += len + 1;
	}
	if (start == 0 && s->have == SCAN_BUF) {
		/* no newline in a full buffer: hand on its start, skip to the line's end */
		if (!s->skipping)
			logscan_line(s, s->buf, MTA_LOGLINE_MAX + 1, cb, arg);
		s->skipping = 1;
		start = s->have;
	}
	memmove(s->buf, s->buf + start, s->have - start);
	s->have -= start;
	s->off += start;
	s->pos.offset = s->off;
}

/* The old file is done (its last line too, newline or not): go on with the one at path. */
static void logscan_next_file(struct mta_logscan *s, mta_logline_cb *cb, void *arg)
{
	if (s->have > 0 && !s->skipping)
		logscan_line(s, s->buf, s->have, cb, arg);
	close(s->on_old);
	s->on_old = -1;
	s->have = 0;
	s->off = 0;
	s->skipping = 0;
	s->pos = s->cur;
}

int mta_logscan_step(struct mta_logscan *s, size_t budget, mta_logline_cb *cb, void *arg, char *err,
		     size_t errlen)
{
	size_t done = 0;

	while (done < budget) {
		int fd = s->on_old >= 0 ? s->on_old : s->fd;
		ssize_t n =
			pread(fd, s->buf + s->have, SCAN_BUF - s->have, (off_t)(s->off + s->have));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "reading %s: %s",
				 s->on_old >= 0 ? s->old_name : s->path, strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (s->on_old >= 0) {
				logscan_next_file(s, cb, arg);
				continue;
			}
			if (s->pos.head == 0)
				s->pos.head = logfile_head(s->fd); /* it was empty when opened */
			return 1; /* an unfinished last line waits for the next run */
		}
		s->have += (size_t)n;
		s->bytes += (unsigned long long)n;
		done += (size_t)n;
		logscan_lines(s, cb, arg);
	}
	return 0;
}

void mta_logscan_close(struct mta_logscan *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->on_old >= 0)
		close(s->on_old);
	free(s->buf);
	s->fd = -1;
	s->on_old = -1;
	s->buf = NULL;
}

/*
 * The value of line "key VALUE\n" at *p (advanced past it) into val
 * (vlen); 0, or -1 when the line is not that.
 */
static int logpos_field(const char **p, const char *key, char *val, size_t vlen)
{
	size_t k = strlen(key);
	const char *nl;

	if (strncmp(*p, key, k) != 0 || (*p)[k] != ' ' || (nl = strchr(*p + k + 1, '\n')) == NULL ||
	    (size_t)(nl - (*p + k + 1)) >= vlen || nl == *p + k + 1)
		return -1;
	memcpy(val, *p + k + 1, (size_t)(nl - (*p + k + 1)));
	val[nl - (*p + k + 1)] = '\0';
	*p = nl + 1;
	return 0;
}

/* The number of line "key N\n" (base 10 or 16) at *p; 0 or -1. */
static int logpos_num(const char **p, const char *key, int base, unsigned long long *v)
{
	char val[32], *end;

	if (logpos_field(p, key, val, sizeof(val)) != 0 || val[0] == '-' || val[0] == '+')
		return -1;
	errno = 0;
	*v = strtoull(val, &end, base);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* Parse the state text buf into p (its log's path into spath); 0 or -1. */
static int logpos_parse(const char *buf, char *spath, size_t splen, struct mta_logpos *p)
{
	const char *q = buf;
	unsigned long long head;

	if (strncmp(q, STATE_MAGIC "\n", strlen(STATE_MAGIC) + 1) != 0)
		return -1;
	q += strlen(STATE_MAGIC) + 1;
	if (logpos_field(&q, "path", spath, splen) != 0 ||
	    logpos_num(&q, "dev", 10, &p->dev) != 0 || logpos_num(&q, "inode", 10, &p->ino) != 0 ||
	    logpos_num(&q, "offset", 10, &p->offset) != 0 ||
	    logpos_num(&q, "head", 16, &head) != 0 || *q != '\0')
		return -1;
	p->head = (uint64_t)head;
	return 0;
}

int mta_logpos_load(const char *state, const char *path, struct mta_logpos *p, char *why,
		    size_t whylen)
{
	char buf[8192], spath[4096];
	int fd = open(state, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	ssize_t n;

	memset(p, 0, sizeof(*p));
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "state file %s unusable: %s", state,
			 fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (n <= 0 || (size_t)n >= sizeof(buf) - 1 || memchr(buf, '\0', (size_t)n) != NULL ||
	    logpos_parse(buf, spath, sizeof(spath), p) != 0) {
		snprintf(why, whylen, "state file %s is corrupt", state);
		memset(p, 0, sizeof(*p));
		return -1;
	}
	if (strcmp(spath, path) == 0)
		return 1;
	snprintf(why, whylen, "state file %s is for another log (%.200s)", state, spath);
	memset(p, 0, sizeof(*p));
	return -1;
}

int mta_logpos_save(const char *state, const char *path, const struct mta_logpos *p, char *err,
		    size_t errlen)
{
	char tmp[4200], buf[4300];
	int fd, len, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", state, (long)getpid());
	len = snprintf(buf, sizeof(buf),
		       STATE_MAGIC "\npath %s\ndev %llu\ninode %llu\noffset %llu\nhead %016" PRIx64
				   "\n",
		       path, p->dev, p->ino, p->offset, p->head);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		snprintf(err, errlen, "cannot write state file %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (len < 0 || (size_t)len >= sizeof(buf) || write(fd, buf, (size_t)len) != len ||
	    fsync(fd) != 0)
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, state) != 0)
		rc = -1;
	if (rc != 0) {
		snprintf(err, errlen, "cannot write state file %s: %s", state, strerror(errno));
		unlink(tmp);
	}
	return rc;
}
