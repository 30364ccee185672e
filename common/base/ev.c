/*
 * ev.c - the event loop: ppoll(2), fd watchers and monotonic timers.
 *
 * The loop keeps two growable arrays of slot pointers, one for io
 * watchers and one for timers; a watcher's `slot` field is its index.
 * Stopping a watcher only clears its slot (NULL) and sets slot = -1, so a
 * callback may stop, restart or free any watcher, its own included:
 * dispatch walks the slots captured before polling and skips NULL ones.
 * Starting always takes a fresh slot at the end (restart = stop + start),
 * so a watcher started during dispatch is not called in that round and a
 * non-NULL captured slot is guaranteed unchanged since the capture.
 * Holes are compacted only outside dispatch. The pollfd and timer scratch
 * arrays grow together with the slot arrays, so a round never allocates.
 *
 * Each round: poll io (bounded by the earliest timer), call io callbacks,
 * then call the timers that are due, earliest first (ties in start order).
 * Time is CLOCK_MONOTONIC in microseconds. The loop is not reentrant:
 * ev_run_once() from inside a callback fails with -1.
 * Owns only its arrays; watchers are caller-owned.
 */
#include "base/ev.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EV_MIN_SLOTS 16

struct ev_due {
	int64_t when_us;
	int slot;
};

struct ev_loop {
	struct ev_io **io;    /* slots; NULL = stopped */
	int nio, capio;       /* slots used, allocated */
	int io_active;        /* non-NULL io slots */
	struct pollfd *pfd;   /* capio entries */
	int *pfd_slot;        /* pfd index -> io slot */
	struct ev_timer **tm; /* slots; NULL = stopped */
	int ntm, captm;
	int tm_active;
	struct ev_due *due; /* captm entries */
	int dispatching;
	int broken;
};

/* Monotonic clock in microseconds. */
int64_t ev_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Allocate an empty loop; NULL when out of memory. */
struct ev_loop *ev_loop_new(void)
{
	return calloc(1, sizeof(struct ev_loop));
}

/* Free the loop's arrays; linked watchers are not touched. */
void ev_loop_free(struct ev_loop *loop)
{
	if (loop == NULL)
		return;
	free((void *)loop->io);
	free(loop->pfd);
	free(loop->pfd_slot);
	free((void *)loop->tm);
	free(loop->due);
	free(loop);
}

/* Zero an io watcher and mark it stopped. */
void ev_io_init(struct ev_io *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->slot = -1;
}

/* Zero a timer and mark it stopped. */
void ev_timer_init(struct ev_timer *t)
{
	memset(t, 0, sizeof(*t));
	t->slot = -1;
}

/* Squeeze NULL io slots out, renumbering the watchers; only outside dispatch. */
static void ev_io_compact(struct ev_loop *loop)
{
	int j = 0;

	for (int i = 0; i < loop->nio; i++) {
		if (loop->io[i] == NULL)
			continue;
		loop->io[j] = loop->io[i];
		loop->io[j]->slot = j;
		j++;
	}
	loop->nio = j;
}

/* Squeeze NULL timer slots out, renumbering the timers; only outside dispatch. */
static void ev_timer_compact(struct ev_loop *loop)
{
	int j = 0;

	for (int i = 0; i < loop->ntm; i++) {
		if (loop->tm[i] == NULL)
			continue;
		loop->tm[j] = loop->tm[i];
		loop->tm[j]->slot = j;
		j++;
	}
	loop->ntm = j;
}

/* Next capacity after cap; -1 on overflow. */
static int ev_next_cap(int cap)
{
	if (cap == 0)
		return EV_MIN_SLOTS;
	if (cap > (1 << 28))
		return -1;
	return cap * 2;
}

/* Ensure a free io slot at the end; 0 or -1 (ENOMEM). */
static int ev_io_reserve(struct ev_loop *loop)
{
	int cap;
	void *p;

	if (loop->nio == loop->capio && !loop->dispatching && loop->io_active < loop->nio)
		ev_io_compact(loop);
	if (loop->nio < loop->capio)
		return 0;
	if ((cap = ev_next_cap(loop->capio)) < 0)
		goto nomem;
	/* An array of pointers: sizeof one pointer is meant. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if ((p = realloc((void *)loop->io, (size_t)cap * sizeof(*loop->io))) == NULL)
		goto nomem;
	loop->io = (struct ev_io **)p;
	if ((p = realloc(loop->pfd, (size_t)cap * sizeof(*loop->pfd))) == NULL)
		goto nomem;
	loop->pfd = p;
	if ((p = realloc(loop->pfd_slot, (size_t)cap * sizeof(*loop->pfd_slot))) == NULL)
		goto nomem;
	loop->pfd_slot = p;
	loop->capio = cap;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

/* Ensure a free timer slot at the end; 0 or -1 (ENOMEM). */
static int ev_timer_reserve(struct ev_loop *loop)
{
	int cap;
	void *p;

	if (loop->ntm == loop->captm && !loop->dispatching && loop->tm_active < loop->ntm)
		ev_timer_compact(loop);
	if (loop->ntm < loop->captm)
		return 0;
	if ((cap = ev_next_cap(loop->captm)) < 0)
		goto nomem;
	/* An array of pointers: sizeof one pointer is meant. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if ((p = realloc((void *)loop->tm, (size_t)cap * sizeof(*loop->tm))) == NULL)
		goto nomem;
	loop->tm = (struct ev_timer **)p;
	if ((p = realloc(loop->due, (size_t)cap * sizeof(*loop->due))) == NULL)
		goto nomem;
	loop->due = p;
	loop->captm = cap;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

/* Link w for events on fd; a started watcher is stopped first. 0, or -1 with errno. */
int ev_io_start(struct ev_loop *loop, struct ev_io *w, int fd, int events, ev_io_cb *cb, void *arg)
{
	if (fd < 0 || cb == NULL || (events & ~(EV_READ | EV_WRITE)) != 0) {
		errno = EINVAL;
		return -1;
	}
	ev_io_stop(loop, w);
	if (ev_io_reserve(loop) != 0)
		return -1;
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	w->slot = loop->nio;
	loop->io[loop->nio++] = w;
	loop->io_active++;
	return 0;
}

/* Unlink w if it is linked to loop; harmless otherwise. */
void ev_io_stop(struct ev_loop *loop, struct ev_io *w)
{
	if (w->slot < 0 || w->slot >= loop->nio || loop->io[w->slot] != w)
		return;
	loop->io[w->slot] = NULL;
	w->slot = -1;
	loop->io_active--;
}

/* Arm t to fire once at when_us; a started timer is re-armed. 0, or -1 with errno. */
int ev_timer_start(struct ev_loop *loop, struct ev_timer *t, int64_t when_us, ev_timer_cb *cb,
		   void *arg)
{
	if (cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	ev_timer_stop(loop, t);
	if (ev_timer_reserve(loop) != 0)
		return -1;
	t->when_us = when_us;
	t->cb = cb;
	t->arg = arg;
	t->slot = loop->ntm;
	loop->tm[loop->ntm++] = t;
	loop->tm_active++;
	return 0;
}

/* Disarm t if it is linked to loop; harmless otherwise. */
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t)
{
	if (t->slot < 0 || t->slot >= loop->ntm || loop->tm[t->slot] != t)
		return;
	loop->tm[t->slot] = NULL;
	t->slot = -1;
	loop->tm_active--;
}

/* Earliest armed timer among the first n slots, or INT64_MAX. */
static int64_t ev_next_when(const struct ev_loop *loop, int n)
{
	int64_t best = INT64_MAX;

	for (int i = 0; i < n; i++)
		if (loop->tm[i] != NULL && loop->tm[i]->when_us < best)
			best = loop->tm[i]->when_us;
	return best;
}

/* Fill pfd from the first n io slots; returns the number of pollfds. */
static int ev_fill_pfd(struct ev_loop *loop, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		const struct ev_io *w = loop->io[i];

		if (w == NULL)
			continue;
		loop->pfd[k].fd = w->fd;
		loop->pfd[k].events = (short)(((w->events & EV_READ) ? POLLIN : 0) |
					      ((w->events & EV_WRITE) ? POLLOUT : 0));
		loop->pfd[k].revents = 0;
		loop->pfd_slot[k] = i;
		k++;
	}
	return k;
}

/* Map poll revents to EV_* for a watcher wanting events; errors wake every wanted event. */
static int ev_revents(short revents, int events)
{
	int r = 0;

	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		return events;
	if (revents & POLLIN)
		r |= EV_READ;
	if (revents & POLLOUT)
		r |= EV_WRITE;
	return r & events;
}

/* Call the io callbacks for the k polled entries; returns how many ran. */
static int ev_dispatch_io(struct ev_loop *loop, int k)
{
	int ran = 0;

	for (int j = 0; j < k; j++) {
		struct ev_io *w = loop->io[loop->pfd_slot[j]];
		int r;

		if (w == NULL || loop->pfd[j].revents == 0)
			continue;
		if ((r = ev_revents(loop->pfd[j].revents, w->events)) == 0)
			continue;
		w->cb(w, r, w->arg);
		ran++;
	}
	return ran;
}

/* Order due entries by time, then by slot (start order). */
static int ev_due_cmp(const void *a, const void *b)
{
	const struct ev_due *x = a, *y = b;

	if (x->when_us != y->when_us)
		return x->when_us < y->when_us ? -1 : 1;
	return (x->slot > y->slot) - (x->slot < y->slot);
}

/* Fire the timers among the first n slots that are due at now, earliest first. */
static int ev_dispatch_timers(struct ev_loop *loop, int n, int64_t now)
{
	int k = 0, ran = 0;

	for (int i = 0; i < n; i++)
		if (loop->tm[i] != NULL && loop->tm[i]->when_us <= now)
			loop->due[k++] = (struct ev_due){loop->tm[i]->when_us, i};
	if (k > 1)
		qsort(loop->due, (size_t)k, sizeof(*loop->due), ev_due_cmp);
	for (int j = 0; j < k; j++) {
		struct ev_timer *t = loop->tm[loop->due[j].slot];

		/* NULL: stopped by an earlier callback (a restart took a new slot). */
		if (t == NULL)
			continue;
		ev_timer_stop(loop, t);
		t->cb(t, t->arg);
		ran++;
	}
	return ran;
}

/* Poll timeout in us for a wait of up to max_wait_us bounded by the next timer; -1 = forever. */
static int64_t ev_wait_us(const struct ev_loop *loop, int ntm, int64_t max_wait_us)
{
	int64_t next = ev_next_when(loop, ntm);
	int64_t wait = -1;

	if (next != INT64_MAX) {
		int64_t now = ev_now_us();

		wait = next > now ? next - now : 0;
	}
	if (max_wait_us >= 0 && (wait < 0 || max_wait_us < wait))
		wait = max_wait_us;
	return wait;
}

/* One round: poll, io callbacks, due timers. Returns callbacks run, or -1 (errno). */
int ev_run_once(struct ev_loop *loop, int64_t max_wait_us)
{
	struct timespec ts, *tsp = NULL;
	int64_t wait;
	int nio, ntm, k, rc, ran;

	if (loop->dispatching) {
		errno = EBUSY;
		return -1;
	}
	if (loop->io_active < loop->nio)
		ev_io_compact(loop);
	if (loop->tm_active < loop->ntm)
		ev_timer_compact(loop);
	nio = loop->nio;
	ntm = loop->ntm;
	k = ev_fill_pfd(loop, nio);
	wait = ev_wait_us(loop, ntm, max_wait_us);
	if (k == 0 && wait < 0)
		return 0; /* nothing to wait for: do not block forever */
	if (wait >= 0) {
		ts.tv_sec = (time_t)(wait / 1000000);
		ts.tv_nsec = (long)(wait % 1000000) * 1000;
		tsp = &ts;
	}
	rc = ppoll(loop->pfd, (nfds_t)k, tsp, NULL);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	loop->dispatching = 1;
	ran = rc > 0 ? ev_dispatch_io(loop, k) : 0;
	ran += ev_dispatch_timers(loop, ntm, ev_now_us());
	loop->dispatching = 0;
	return ran;
}

/* Run rounds until no watcher is linked or ev_break(); 0, or -1 when poll fails. */
int ev_run(struct ev_loop *loop)
{
	loop->broken = 0;
	while (!loop->broken && (loop->io_active > 0 || loop->tm_active > 0)) {
		if (ev_run_once(loop, -1) < 0)
			return -1;
	}
	loop->broken = 0;
	return 0;
}

/* Make ev_run() return after the current round. */
void ev_break(struct ev_loop *loop)
{
	loop->broken = 1;
}
