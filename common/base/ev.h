/*
 * ev.h - the event loop: poll(2), fd watchers and monotonic timers.
 *
 * Watchers are caller-owned structs; start links them into the loop,
 * stop unlinks them. A watcher may be stopped, restarted or freed from
 * any callback, including its own; a stopped watcher is never called.
 * No threads, no signals: one loop runs every probe of a process.
 */
#ifndef MAILPATH_EV_H
#define MAILPATH_EV_H

#include <stdint.h>

#define EV_READ 1
#define EV_WRITE 2

struct ev_loop;
struct ev_io;
struct ev_timer;

typedef void ev_io_cb(struct ev_io *w, int revents, void *arg);
typedef void ev_timer_cb(struct ev_timer *t, void *arg);

struct ev_io {
	int fd;
	int events;
	ev_io_cb *cb;
	void *arg;
	int slot; /* -1 when stopped (loop private) */
};

struct ev_timer {
	int64_t when_us; /* absolute, ev_now_us() clock */
	ev_timer_cb *cb;
	void *arg;
	int slot; /* -1 when stopped (loop private) */
};

/* Monotonic time in microseconds. */
int64_t ev_now_us(void);

struct ev_loop *ev_loop_new(void);
/* Free the loop; watchers still linked are simply forgotten. Accepts NULL. */
void ev_loop_free(struct ev_loop *loop);

/* Zero a watcher so that ev_*_stop on it is harmless. */
void ev_io_init(struct ev_io *w);
void ev_timer_init(struct ev_timer *t);

/* Watch fd for events (EV_READ|EV_WRITE); restarting a started watcher updates it. */
int ev_io_start(struct ev_loop *loop, struct ev_io *w, int fd, int events, ev_io_cb *cb, void *arg);
void ev_io_stop(struct ev_loop *loop, struct ev_io *w);
/* Fire once at the absolute time when_us; restarting re-arms. */
int ev_timer_start(struct ev_loop *loop, struct ev_timer *t, int64_t when_us, ev_timer_cb *cb,
		   void *arg);
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t);

/*
 * Run one poll round, waiting at most max_wait_us (-1: until the next timer).
 * Returns the number of callbacks run (0 also when interrupted by a signal),
 * or -1 with errno when poll fails or when called from inside a callback.
 */
int ev_run_once(struct ev_loop *loop, int64_t max_wait_us);
/* Run until no watcher is left or ev_break() is called. Returns 0, or -1 on poll failure. */
int ev_run(struct ev_loop *loop);
void ev_break(struct ev_loop *loop);

#endif
