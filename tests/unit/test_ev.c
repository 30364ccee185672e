/*
 * test_ev.c - the event loop: timer order, io readiness, stopping, starting
 * and freeing watchers from callbacks, ev_break and 2000 watchers.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/ev.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Fired-timer log shared by timer callbacks. */
struct tlog {
	int order[16];
	int n;
};

struct tctx {
	struct tlog *log;
	int id;
};

/* Append the timer's id to its log. */
static void on_timer_log(struct ev_timer *t, void *arg)
{
	struct tctx *c = arg;

	(void)t;
	c->log->order[c->log->n++] = c->id;
}

/* Offsets (ms, relative to a common base; negative: already due) and the firing order. */
static const struct {
	int n;
	int off_ms[6];
	int want[6];
} order_cases[] = {
	{3, {30, 10, 20}, {1, 2, 0}},
	{4, {5, 5, 0, 5}, {2, 0, 1, 3}}, /* ties fire in start order */
	{3, {-5, -10, 1}, {1, 0, 2}},    /* overdue first, oldest deadline first */
	{6, {6, 5, 4, 3, 2, 1}, {5, 4, 3, 2, 1, 0}},
	{1, {0}, {0}},
};

START_TEST(test_ev_timer_order)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_timer t[6];
	struct tctx c[6];
	struct tlog log = {{0}, 0};
	int64_t base = ev_now_us();

	for (int i = 0; i < order_cases[_i].n; i++) {
		c[i] = (struct tctx){&log, i};
		ev_timer_init(&t[i]);
		ck_assert_int_eq(ev_timer_start(loop, &t[i],
						base + order_cases[_i].off_ms[i] * 1000,
						on_timer_log, &c[i]),
				 0);
	}
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(log.n == order_cases[_i].n, "case %d: got %d fired, want %d", _i, log.n,
		      order_cases[_i].n);
	for (int i = 0; i < log.n; i++)
		ck_assert_msg(log.order[i] == order_cases[_i].want[i],
			      "case %d position %d: got timer %d, want %d", _i, i, log.order[i],
			      order_cases[_i].want[i]);
	for (int i = 0; i < order_cases[_i].n; i++)
		ck_assert_msg(t[i].slot == -1, "case %d: fired timer %d still linked", _i, i);
	ev_loop_free(loop);
}
END_TEST

/* A timer does not fire early and the loop does not oversleep grossly. */
START_TEST(test_ev_timer_wait)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_timer t;
	struct tlog log = {{0}, 0};
	struct tctx c = {&log, 0};
	int64_t start = ev_now_us(), took;

	ev_timer_init(&t);
	ck_assert_int_eq(ev_timer_start(loop, &t, start + 50000, on_timer_log, &c), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	took = ev_now_us() - start;
	ck_assert_msg(log.n == 1, "got %d fired, want 1", log.n);
	ck_assert_msg(took >= 50000 && took < 500000, "got %lld us, want 50000..500000",
		      (long long)took);
	ev_loop_free(loop);
}
END_TEST

struct ioctx {
	struct ev_loop *loop;
	struct ev_io *other; /* watcher to stop (and maybe free) */
	int free_other;
	int calls;
	int revents;
	int stop_self;
	char got;
};

/* Record the call, read a byte when readable, then stop self and/or other as asked. */
static void on_io(struct ev_io *w, int revents, void *arg)
{
	struct ioctx *c = arg;

	c->calls++;
	c->revents = revents;
	if ((revents & EV_READ) && read(w->fd, &c->got, 1) != 1)
		c->got = 0;
	if (c->stop_self)
		ev_io_stop(c->loop, w);
	if (c->other != NULL) {
		ev_io_stop(c->loop, c->other);
		if (c->free_other)
			free(c->other);
		c->other = NULL;
	}
}

/* Read readiness with a socketpair, write readiness, and HUP after close. */
START_TEST(test_ev_io_ready)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_io w;
	struct ioctx c = {.loop = loop, .stop_self = 1};
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ev_io_init(&w);
	ck_assert_int_eq(ev_io_start(loop, &w, sv[0], EV_READ, on_io, &c), 0);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_msg(c.calls == 0, "got %d calls before data, want 0", c.calls);
	ck_assert_int_eq(write(sv[1], "x", 1), 1);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(c.calls == 1 && c.revents == EV_READ && c.got == 'x',
		      "got calls %d revents %d byte %c, want 1 EV_READ x", c.calls, c.revents,
		      c.got);

	c.calls = 0;
	ck_assert_int_eq(ev_io_start(loop, &w, sv[0], EV_WRITE, on_io, &c), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(c.calls == 1 && c.revents == EV_WRITE, "got calls %d revents %d, want 1 %d",
		      c.calls, c.revents, EV_WRITE);

	c.calls = 0;
	close(sv[1]);
	ck_assert_int_eq(ev_io_start(loop, &w, sv[0], EV_READ, on_io, &c), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(c.calls == 1 && (c.revents & EV_READ), "after close got calls %d revents %d",
		      c.calls, c.revents);
	close(sv[0]);
	ev_loop_free(loop);
}
END_TEST

/* A watcher that frees itself from its own callback; ASan catches any later use. */
static void on_io_free_self(struct ev_io *w, int revents, void *arg)
{
	struct ioctx *c = arg;

	(void)revents;
	c->calls++;
	ev_io_stop(c->loop, w);
	free(w);
}

START_TEST(test_ev_free_self)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_io *w = malloc(sizeof(*w));
	struct ioctx c = {.loop = loop};
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ev_io_init(w);
	ck_assert_int_eq(ev_io_start(loop, w, sv[0], EV_WRITE, on_io_free_self, &c), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(c.calls == 1, "got %d calls, want 1", c.calls);
	close(sv[0]);
	close(sv[1]);
	ev_loop_free(loop);
}
END_TEST

/* Two ready watchers; whichever runs first stops and frees the other: one call in total. */
START_TEST(test_ev_stop_other)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_io *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct ioctx ca = {.loop = loop, .other = b, .free_other = 1, .stop_self = 1};
	struct ioctx cb = {.loop = loop, .other = a, .free_other = 1, .stop_self = 1};
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ev_io_init(a);
	ev_io_init(b);
	ck_assert_int_eq(ev_io_start(loop, a, sv[0], EV_WRITE, on_io, &ca), 0);
	ck_assert_int_eq(ev_io_start(loop, b, sv[1], EV_WRITE, on_io, &cb), 0);
	ck_assert_int_eq(ev_run_once(loop, -1), 1);
	ck_assert_msg(ca.calls + cb.calls == 1, "got %d calls, want 1", ca.calls + cb.calls);
	ck_assert_int_eq(ev_run(loop), 0); /* nothing left: returns */
	free(ca.calls ? a : b);
	close(sv[0]);
	close(sv[1]);
	ev_loop_free(loop);
}
END_TEST

struct tstop {
	struct ev_loop *loop;
	struct ev_timer *other;
	int calls;
};

/* Stop the other timer. */
static void on_timer_stop_other(struct ev_timer *t, void *arg)
{
	struct tstop *c = arg;

	(void)t;
	c->calls++;
	ev_timer_stop(c->loop, c->other);
}

/* Two due timers; the earlier one stops the later one, which must not fire. */
START_TEST(test_ev_timer_stop_other)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_timer t1, t2;
	struct tstop c1 = {loop, &t2, 0}, c2 = {loop, &t1, 0};
	int64_t now = ev_now_us();

	ev_timer_init(&t1);
	ev_timer_init(&t2);
	ck_assert_int_eq(ev_timer_start(loop, &t2, now - 1, on_timer_stop_other, &c2), 0);
	ck_assert_int_eq(ev_timer_start(loop, &t1, now - 2, on_timer_stop_other, &c1), 0);
	ck_assert_int_eq(ev_run_once(loop, 0), 1);
	ck_assert_msg(c1.calls == 1 && c2.calls == 0, "got calls %d/%d, want 1/0", c1.calls,
		      c2.calls);
	ev_loop_free(loop);
}
END_TEST

struct startctx {
	struct ev_loop *loop;
	struct ev_io *nw;
	struct ev_timer *nt;
	struct ioctx *nc;
	struct tctx *ntc;
	int fd;
	int calls;
};

/* Start a new watcher on an already ready fd and a new already due timer. */
static void on_io_start_more(struct ev_io *w, int revents, void *arg)
{
	struct startctx *c = arg;

	(void)revents;
	c->calls++;
	ev_io_stop(c->loop, w);
	ck_assert_int_eq(ev_io_start(c->loop, c->nw, c->fd, EV_WRITE, on_io, c->nc), 0);
	ck_assert_int_eq(ev_timer_start(c->loop, c->nt, ev_now_us() - 1000, on_timer_log, c->ntc),
			 0);
}

/* Watchers started during dispatch are not called in that round, but in the next. */
START_TEST(test_ev_start_during_dispatch)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_io w, nw;
	struct ev_timer nt;
	struct ioctx nc = {.loop = loop, .stop_self = 1};
	struct tlog log = {{0}, 0};
	struct tctx ntc = {&log, 7};
	struct startctx c = {loop, &nw, &nt, &nc, &ntc, -1, 0};
	int sv[2];
	int ran;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c.fd = sv[1];
	ev_io_init(&w);
	ev_io_init(&nw);
	ev_timer_init(&nt);
	ck_assert_int_eq(ev_io_start(loop, &w, sv[0], EV_WRITE, on_io_start_more, &c), 0);
	ran = ev_run_once(loop, 0);
	ck_assert_msg(ran == 1 && c.calls == 1 && nc.calls == 0 && log.n == 0,
		      "round 1: got ran %d calls %d/%d/%d, want 1 1/0/0", ran, c.calls, nc.calls,
		      log.n);
	ran = ev_run_once(loop, 0);
	ck_assert_msg(ran == 2 && nc.calls == 1 && log.n == 1 && log.order[0] == 7,
		      "round 2: got ran %d calls %d/%d, want 2 1/1", ran, nc.calls, log.n);
	close(sv[0]);
	close(sv[1]);
	ev_loop_free(loop);
}
END_TEST

struct repctx {
	struct ev_loop *loop;
	int calls, stop_at;
};

/* Re-arm self 1 ms later; call ev_break at stop_at. */
static void on_timer_repeat(struct ev_timer *t, void *arg)
{
	struct repctx *c = arg;

	if (++c->calls == c->stop_at)
		ev_break(c->loop);
	ck_assert_int_eq(ev_timer_start(c->loop, t, ev_now_us() + 1000, on_timer_repeat, c), 0);
}

/* ev_break ends ev_run although a watcher is still linked; a later ev_run continues. */
START_TEST(test_ev_break)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_timer t;
	struct repctx c = {loop, 0, 5};

	ev_timer_init(&t);
	ck_assert_int_eq(ev_timer_start(loop, &t, ev_now_us(), on_timer_repeat, &c), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(c.calls == 5, "got %d calls, want 5", c.calls);
	ck_assert_msg(t.slot >= 0, "timer not linked after break");
	c.stop_at = 8;
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(c.calls == 8, "got %d calls, want 8", c.calls);
	ev_timer_stop(loop, &t);
	ck_assert_int_eq(ev_run(loop), 0);
	ev_loop_free(loop);
}
END_TEST

static struct ev_loop *nested_loop;

/* Nested run attempt through a global loop pointer. */
static void on_timer_nested_loop(struct ev_timer *t, void *arg)
{
	int *rc = arg;

	(void)t;
	errno = 0;
	*rc = ev_run_once(nested_loop, 0);
	if (*rc < 0 && errno != EBUSY)
		*rc = -100;
}

/* Misuse is refused: nested runs, stopping unlinked watchers, empty loops. */
START_TEST(test_ev_misuse)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_io w;
	struct ev_timer t;
	int rc = 0;

	ev_io_init(&w);
	ev_timer_init(&t);
	ev_io_stop(loop, &w);
	ev_timer_stop(loop, &t);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_int_eq(ev_run_once(loop, -1), 0); /* nothing to wait for: no hang */
	ck_assert_int_eq(ev_io_start(loop, &w, -1, EV_READ, on_io, NULL), -1);
	nested_loop = loop;
	ck_assert_int_eq(ev_timer_start(loop, &t, 0, on_timer_nested_loop, &rc), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(rc == -1, "nested ev_run_once: got %d, want -1 with EBUSY", rc);
	ev_loop_free(loop);
	ev_loop_free(NULL);
}
END_TEST

#define MANY 2000

struct manyctx {
	struct ev_loop *loop;
	int *hits;
	int id;
	int64_t *last;
	int *disorder;
};

/* Count a hit for this watcher and stop it. */
static void on_io_many(struct ev_io *w, int revents, void *arg)
{
	struct manyctx *c = arg;

	(void)revents;
	c->hits[c->id]++;
	ev_io_stop(c->loop, w);
}

/* Count a hit and check times never go backwards. */
static void on_timer_many(struct ev_timer *t, void *arg)
{
	struct manyctx *c = arg;

	c->hits[c->id]++;
	if (t->when_us < *c->last)
		(*c->disorder)++;
	*c->last = t->when_us;
}

/* Raise the fd limit enough for n descriptors; 0 or -1. */
static int raise_nofile(rlim_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur >= n)
		return 0;
	if (rl.rlim_max < n)
		return -1;
	rl.rlim_cur = n;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* 2000 ready io watchers on 2000 fds and 2000 timers: each called once, timers in order. */
START_TEST(test_ev_many)
{
	struct ev_loop *loop = ev_loop_new();
	static struct ev_io w[MANY];
	static struct ev_timer t[MANY];
	static struct manyctx c[MANY], tc[MANY];
	static int hits[MANY], thits[MANY];
	static int fds[MANY];
	int64_t now = ev_now_us(), last = 0;
	int disorder = 0;
	unsigned seed = 12345;
	int shared = raise_nofile(MANY + 64) != 0; /* fall back to 16 fds shared by watchers */

	for (int i = 0; i < MANY; i += 2) {
		int sv[2];

		if (shared && i >= 16) {
			fds[i] = fds[i % 16];
			fds[i + 1] = fds[(i + 1) % 16];
			continue;
		}
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		fds[i] = sv[0];
		fds[i + 1] = sv[1];
	}
	for (int i = 0; i < MANY; i++) {
		c[i] = (struct manyctx){loop, hits, i, NULL, NULL};
		tc[i] = (struct manyctx){loop, thits, i, &last, &disorder};
		ev_io_init(&w[i]);
		ev_timer_init(&t[i]);
		ck_assert_int_eq(ev_io_start(loop, &w[i], fds[i], EV_WRITE, on_io_many, &c[i]), 0);
		seed = seed * 1103515245u + 12345u;
		ck_assert_int_eq(ev_timer_start(loop, &t[i], now + (seed >> 16) % 20000,
						on_timer_many, &tc[i]),
				 0);
	}
	ck_assert_int_eq(ev_run(loop), 0);
	for (int i = 0; i < MANY; i++) {
		ck_assert_msg(hits[i] == 1, "io watcher %d: got %d calls, want 1", i, hits[i]);
		ck_assert_msg(thits[i] == 1, "timer %d: got %d calls, want 1", i, thits[i]);
	}
	ck_assert_msg(disorder == 0, "got %d timers fired out of order, want 0", disorder);
	for (int i = 0; i < (shared ? 16 : MANY); i++)
		close(fds[i]);
	ev_loop_free(loop);
}
END_TEST

/* Restart with new parameters while linked: only the new parameters apply. */
START_TEST(test_ev_restart)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_timer t;
	struct tlog log = {{0}, 0};
	struct tctx c1 = {&log, 1}, c2 = {&log, 2};
	int64_t now = ev_now_us();

	ev_timer_init(&t);
	ck_assert_int_eq(ev_timer_start(loop, &t, now - 1, on_timer_log, &c1), 0);
	ck_assert_int_eq(ev_timer_start(loop, &t, now + 10000, on_timer_log, &c2), 0);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(log.n == 1 && log.order[0] == 2, "got %d fired (first %d), want 1 (2)", log.n,
		      log.order[0]);
	ev_loop_free(loop);
}
END_TEST

Suite *ev_suite(void);

Suite *ev_suite(void)
{
	Suite *s = suite_create("ev");
	TCase *tc = tcase_create("ev");

	tcase_add_loop_test(tc, test_ev_timer_order, 0, NELEM(order_cases));
	tcase_add_test(tc, test_ev_timer_wait);
	tcase_add_test(tc, test_ev_io_ready);
	tcase_add_test(tc, test_ev_free_self);
	tcase_add_test(tc, test_ev_stop_other);
	tcase_add_test(tc, test_ev_timer_stop_other);
	tcase_add_test(tc, test_ev_start_during_dispatch);
	tcase_add_test(tc, test_ev_break);
	tcase_add_test(tc, test_ev_misuse);
	tcase_add_test(tc, test_ev_many);
	tcase_add_test(tc, test_ev_restart);
	suite_add_tcase(s, tc);
	return s;
}
