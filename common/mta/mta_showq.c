/*
 * mta_showq.c - Postfix's queue_directory and its showq socket, read on the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "mta/mta_showq.h"

#define MTA_DEFAULT_QUEUE_DIR "/var/spool/postfix"

/* Trim spaces and tabs at both ends of s[0..*n). */
static const char *mta_trim(const char *s, size_t *n)
{
	while (*n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t' || s[*n - 1] == '\r'))
		(*n)--;
	return s;
}

int mta_postfix_queue_dir(const char *config_dir, char *dir, size_t dirlen, char *err,
			  size_t errlen)
{
	char path[4096], line[4096];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/main.cf", config_dir) >= (int)sizeof(path)) {
		snprintf(err, errlen, "configuration directory name too long");
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(dir, dirlen, "%s", MTA_DEFAULT_QUEUE_DIR);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strcspn(line, "\n");
		const char *eq, *v;
		size_t klen, vlen;

		/* A line that starts with white space continues a parameter: not ours. */
		if (line[0] == ' ' || line[0] == '\t' || line[0] == '#' ||
		    (eq = memchr(line, '=', n)) == NULL)
			continue;
		klen = (size_t)(eq - line);
		v = mta_trim(line, &klen);
		if (klen != strlen("queue_directory") || memcmp(v, "queue_directory", klen) != 0)
			continue;
		vlen = n - (size_t)(eq + 1 - line);
		v = mta_trim(eq + 1, &vlen);
		if (vlen == 0 || vlen >= dirlen || memchr(v, '$', vlen) != NULL) {
			snprintf(err, errlen, "%s: queue_directory unusable here%s", path,
				 vlen > 0 && memchr(v, '$', vlen) ? " ($name expansions)" : "");
			fclose(f);
			return -1;
		}
		memcpy(dir, v, vlen);
		dir[vlen] = '\0';
		/* the last assignment wins, as in Postfix */
	}
	fclose(f);
	return 0;
}

struct mta_showq_read {
	struct ev_loop *loop;
	struct ev_io io;
	struct ev_timer timer;
	int fd;
	struct mta_queue *q;
	struct mta_showq p;
	int finished, failed, timed_out;
	char err[160];
	mta_showq_done_cb *done;
	void *arg;
};

static void mta_showq_finish(struct mta_showq_read *r)
{
	ev_io_stop(r->loop, &r->io);
	ev_timer_stop(r->loop, &r->timer);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->finished = 1;
	r->done(r->arg);
}

/* Its type is ev_io_cb: w cannot become const. */
/* cppcheck-suppress constParameterCallback */
static void mta_showq_on_read(struct ev_io *w, int revents, void *arg)
{
	struct mta_showq_read *r = arg;
	char buf[65536];
	ssize_t n;
	int rc;

	(void)w;
	(void)revents;
	n = read(r->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		r->failed = 1;
		snprintf(r->err, sizeof(r->err), "showq %s before the end of the queue",
			 n == 0 ? "closed the connection" : strerror(errno));
		mta_showq_finish(r);
		return;
	}
	rc = mta_showq_feed(&r->p, r->q, buf, (size_t)n);
	if (rc == 0)
		return;
	if (rc < 0) {
		r->failed = 1;
		snprintf(r->err, sizeof(r->err), "showq: %s", r->p.err);
	}
	mta_showq_finish(r);
}

static void mta_showq_on_timeout(struct ev_timer *t, void *arg)
{
	struct mta_showq_read *r = arg;

	(void)t;
	r->failed = r->timed_out = 1;
	snprintf(r->err, sizeof(r->err), "showq did not send the whole queue in time (%d messages)",
		 r->p.records > 0 ? r->p.records - 1 : 0);
	mta_showq_finish(r);
}

struct mta_showq_read *mta_showq_read_start(struct ev_loop *loop, const char *path,
					    struct mta_queue *q, int64_t deadline_us,
					    mta_showq_done_cb *done, void *arg, char *err,
					    size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct mta_showq_read *r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "showq socket path too long: %s", path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->loop = loop;
	r->q = q;
	r->done = done;
	r->arg = arg;
	ev_io_init(&r->io);
	ev_timer_init(&r->timer);
	mta_showq_init(&r->p);
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return NULL;
	}
	if (ev_io_start(loop, &r->io, r->fd, EV_READ, mta_showq_on_read, r) != 0 ||
	    ev_timer_start(loop, &r->timer, deadline_us, mta_showq_on_timeout, r) != 0) {
		snprintf(err, errlen, "out of memory");
		mta_showq_read_free(r);
		return NULL;
	}
	return r;
}

int mta_showq_read_status(const struct mta_showq_read *r, int *timed_out, char *err, size_t errlen)
{
	*timed_out = r != NULL && r->timed_out;
	if (r == NULL || !r->finished) {
		snprintf(err, errlen, "the queue was not read");
		return -1;
	}
	if (r->failed) {
		snprintf(err, errlen, "%s", r->err);
		return -1;
	}
	return 0;
}

void mta_showq_read_free(struct mta_showq_read *r)
{
	if (r == NULL)
		return;
	ev_io_stop(r->loop, &r->io);
	ev_timer_stop(r->loop, &r->timer);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}
