/*
 * sa_daemon.c - the subagent's life: load the configuration, schedule
 * every check on the loop (jittered, one run per check at a time, each
 * under its own -t deadline), record results, send rate-limited
 * notifications, reload on SIGHUP and stop on SIGTERM/SIGINT.
 *
 * Signals reach the loop through a self-pipe: the handler only writes
 * the signal number. Ownership: the daemon owns the loop, resolver,
 * store and agent; each store entry's e->rt is a struct sa_rt owned here.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "sa_conf.h"
#include "sa_daemon.h"
#include "sa_log.h"
#include "sa_store.h"
#include "tls/tls.h"

struct sa_daemon {
	const struct sa_daemon_opts *o;
	struct ev_loop *loop;
	struct dns *dns;
	struct sa_store store;
	struct sa_agent *agent;
	struct ev_io sigw;
	uint64_t rng;  /* jitter generator state (xorshift64*), never 0 */
	double tokens; /* notification bucket */
	int64_t tokens_at;
};

/* Per-check run state. */
struct sa_rt {
	struct sa_daemon *d;
	struct sa_entry *e;
	struct ev_timer timer;
	struct check_run *run;
	int64_t started_us;
};

static int sa_sigpipe[2] = {-1, -1};

/* Async-signal-safe: pass the signal number to the loop. */
static void sa_on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(sa_sigpipe[1], &b, 1) < 0) {
		/* pipe full: a signal is already pending */
	}
	errno = saved;
}

/* Seed the jitter generator from the kernel (time and pid if that fails). */
static void sa_rand_seed(struct sa_daemon *d)
{
	if (getrandom(&d->rng, sizeof(d->rng), GRND_NONBLOCK) != (ssize_t)sizeof(d->rng))
		d->rng = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	if (d->rng == 0)
		d->rng = 0x9e3779b97f4a7c15u;
}

/* Microseconds in [0, max) for jitter (xorshift64*: spread, not secrecy). */
static int64_t sa_rand_us(struct sa_daemon *d, int64_t max)
{
	if (max <= 0)
		return 0;
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return (int64_t)((d->rng * 0x2545f4914f6cdd1du >> 11) % (uint64_t)max);
}

/* May a notification go out now? Token bucket of notify_per_min, burst the same. */
static int sa_notify_allowed(struct sa_daemon *d)
{
	double rate = d->o->notify_per_min / 60e6, cap = d->o->notify_per_min;
	int64_t now = ev_now_us();

	d->tokens += (double)(now - d->tokens_at) * rate;
	d->tokens_at = now;
	if (d->tokens > cap)
		d->tokens = cap;
	if (d->tokens < 1)
		return 0;
	d->tokens -= 1;
	return 1;
}

static void sa_run_start(struct ev_timer *t, void *arg);

/* Arm the next run: one interval after the last start, plus up to 5% jitter. */
static void sa_schedule_next(struct sa_rt *rt)
{
	int64_t iv = (int64_t)rt->e->interval_s * 1000000;
	int64_t at = rt->started_us + iv + sa_rand_us(rt->d, iv / 20);

	if (at < ev_now_us())
		at = ev_now_us();
	ev_timer_start(rt->d->loop, &rt->timer, at, sa_run_start, rt);
}

/* Record o as the entry's result; notify on a state change. */
static void sa_record(struct sa_rt *rt, const struct out *o)
{
	struct sa_daemon *d = rt->d;
	int64_t ms = (ev_now_us() - rt->started_us) / 1000;

	if (!sa_store_record(rt->e, o, (uint32_t)(ms < 0 ? 0 : ms), (int64_t)time(NULL)))
		return;
	sa_log(LOG_INFO, "check %s: %s -> %s (%s)", rt->e->name, state_name(rt->e->prev_state),
	       state_name(rt->e->state), rt->e->cause);
	if (!sa_notify_allowed(d)) {
		d->store.notify_suppressed++;
		return;
	}
	d->store.notify_sent++;
	sa_agent_notify(d->agent, rt->e);
}

/* A run finished (or passed its deadline): take its report and schedule the next. */
static void sa_run_done(void *arg)
{
	struct sa_rt *rt = arg;
	struct out o;

	check_run_report(rt->run, &o);
	sa_record(rt, &o);
	out_reset(&o);
	check_run_free(rt->run);
	rt->run = NULL;
	sa_schedule_next(rt);
}

/* Record an UNKNOWN result for a run that could not start. */
static void sa_run_failed(struct sa_rt *rt, const char *why)
{
	const struct check *c = rt->e->check;
	struct out o;

	out_init(&o, c->name, c->service);
	out_state(&o, STATE_UNKNOWN);
	out_summary(&o, "cannot start: %s", why);
	sa_record(rt, &o);
	out_reset(&o);
}

/* Timer: start one run of the check. */
static void sa_run_start(struct ev_timer *t, void *arg)
{
	struct sa_rt *rt = arg;
	char err[CHECK_ERR_MAX];

	(void)t;
	if (rt->run != NULL)
		return; /* never two runs of one check */
	rt->started_us = ev_now_us();
	rt->run = check_run_start(rt->e->check, rt->d->loop, rt->d->dns, rt->e->argc, rt->e->argv,
				  sa_run_done, rt, err, sizeof(err));
	if (rt->run == NULL) {
		sa_log(LOG_WARNING, "check %s: %s", rt->e->name, err);
		sa_run_failed(rt, err);
		sa_schedule_next(rt);
	}
}

/* Store callback: an entry goes away; stop its timer and run. */
static void sa_drop(struct sa_entry *e, void *arg)
{
	struct sa_rt *rt = e->rt;

	(void)arg;
	if (rt == NULL)
		return;
	ev_timer_stop(rt->d->loop, &rt->timer);
	check_run_free(rt->run);
	free(rt);
	e->rt = NULL;
}

/* The plugin name of an entry's command (argv[0] without its directory). */
static const char *sa_entry_command(const struct sa_entry *e)
{
	const char *slash = strrchr(e->argv[0], '/');

	return slash ? slash + 1 : e->argv[0];
}

/* Give new entries their check and a first run within the jitter window. */
static int sa_start_new(struct sa_daemon *d)
{
	int64_t now = ev_now_us();

	for (size_t i = 0; i < d->store.n; i++) {
		struct sa_entry *e = d->store.entry[i];
		struct sa_rt *rt;
		int64_t spread;

		if (e->rt != NULL)
			continue;
		e->check = checks_find(sa_entry_command(e));
		if ((rt = calloc(1, sizeof(*rt))) == NULL)
			return -1;
		rt->d = d;
		rt->e = e;
		ev_timer_init(&rt->timer);
		e->rt = rt;
		spread = (int64_t)(e->interval_s < d->o->jitter_s ? e->interval_s : d->o->jitter_s);
		ev_timer_start(d->loop, &rt->timer, now + sa_rand_us(d, spread * 1000000),
			       sa_run_start, rt);
	}
	return 0;
}

/* A warning about a configured check's options: logged once per load. */
static void sa_conf_warn(const void *arg, const char *msg)
{
	const struct sa_conf_check *k = arg;

	sa_log(LOG_WARNING, "line %d: check %s: %s", k->line, k->name, msg);
}

/* Check every configured command exists and its options parse; 0 or -1 (logged). */
static int sa_conf_validate(const struct sa_conf *c)
{
	char err[CHECK_ERR_MAX];

	if (sa_store_index_clash(c, err, sizeof(err)) != 0) {
		sa_log(LOG_ERR, "%s", err);
		return -1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct sa_conf_check *k = &c->check[i];
		const struct check *chk = checks_find(sa_conf_command(k));

		if (chk == NULL) {
			sa_log(LOG_ERR, "line %d: check %s: unknown command '%s'", k->line, k->name,
			       sa_conf_command(k));
			return -1;
		}
		if (check_run_validate(chk, k->argc, k->argv, sa_conf_warn, k, err, sizeof(err)) !=
		    0) {
			sa_log(LOG_ERR, "line %d: check %s: %s", k->line, k->name, err);
			return -1;
		}
	}
	return 0;
}

/* (Re)load the configuration; on any error the running one stays. 0 or -1. */
static int sa_load(struct sa_daemon *d)
{
	struct sa_conf c;
	char err[512];
	int rc = -1;

	if (sa_conf_load(&c, d->o->conf_path, err, sizeof(err)) != 0) {
		sa_log(LOG_ERR, "%s", err);
		return -1;
	}
	if (sa_conf_validate(&c) != 0)
		goto out;
	if (sa_store_apply(&d->store, &c, sa_drop, d) != 0 || sa_start_new(d) != 0) {
		sa_log(LOG_ERR, "out of memory loading the configuration");
		goto out;
	}
	sa_log(LOG_INFO, "%zu checks configured from %s", d->store.n, d->o->conf_path);
	/* Runs after a reload make new TLS contexts (CA files reread); running ones keep theirs. */
	tls_ctx_shared_release();
	rc = 0;
out:
	sa_conf_reset(&c);
	return rc;
}

/* Self-pipe readable: act on the signals received. */
static void sa_on_sigpipe(struct ev_io *w, int revents, void *arg)
{
	struct sa_daemon *d = arg;
	unsigned char b[16];
	ssize_t n = read(w->fd, b, sizeof(b));

	(void)revents;
	for (ssize_t i = 0; i < n; i++) {
		if (b[i] == SIGHUP) {
			sa_log(LOG_INFO, "SIGHUP: reloading %s", d->o->conf_path);
			sa_load(d);
		} else {
			sa_log(LOG_INFO, "signal %d: exiting", b[i]);
			ev_break(d->loop);
		}
	}
}

/* Install the self-pipe and the handlers; 0 or -1. */
static int sa_signals(struct sa_daemon *d)
{
	struct sigaction sa;

	if (pipe2(sa_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sa_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGHUP, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	ev_io_init(&d->sigw);
	return ev_io_start(d->loop, &d->sigw, sa_sigpipe[0], EV_READ, sa_on_sigpipe, d);
}

int sa_daemon_run(const struct sa_daemon_opts *o)
{
	struct sa_daemon d = {.o = o};
	char err[256];
	int rc = -1;

	sa_rand_seed(&d);
	d.store.start_time = (int64_t)time(NULL);
	d.tokens = o->notify_per_min;
	d.tokens_at = ev_now_us();
	if ((d.loop = ev_loop_new()) == NULL || sa_signals(&d) != 0) {
		sa_log(LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	if ((d.dns = dns_new(d.loop, NULL, err, sizeof(err))) == NULL) {
		sa_log(LOG_ERR, "resolver: %s", err);
		goto out;
	}
	if (sa_load(&d) != 0)
		goto out;
	if ((d.agent = sa_agent_new(d.loop, &d.store, &o->agent, err, sizeof(err))) == NULL) {
		sa_log(LOG_ERR, "agentx: %s", err);
		goto out;
	}
	rc = ev_run(d.loop);
	if (rc != 0)
		sa_log(LOG_ERR, "event loop: %s", strerror(errno));
out:
	sa_store_reset(&d.store, sa_drop, &d);
	tls_ctx_shared_release();
	sa_agent_free(d.agent);
	dns_free(d.dns);
	ev_io_stop(d.loop, &d.sigw);
	ev_loop_free(d.loop);
	for (int i = 0; i < 2; i++)
		if (sa_sigpipe[i] >= 0) {
			close(sa_sigpipe[i]);
			sa_sigpipe[i] = -1;
		}
	return rc;
}
