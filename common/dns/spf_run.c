/*
 * spf_run.c - SPF on the loop: the evaluator's lookups are the resolver's
 * (same callback types), and spf_run owns a loop, a resolver, a deadline
 * timer and one evaluation for the length of one call.
 */
#include <stdio.h>
#include <string.h>
#include "dns/spf_run.h"

/* The adapters: struct spf_dns passes the resolver as ctx. */
static void spf_run_txt(void *ctx, const char *name, spf_txt_cb *cb, void *arg)
{
	dns_txt(ctx, name, cb, arg);
}

static void spf_run_host(void *ctx, const char *name, int family, spf_host_cb *cb, void *arg)
{
	dns_host(ctx, name, family, cb, arg);
}

static void spf_run_mx(void *ctx, const char *name, spf_mx_cb *cb, void *arg)
{
	dns_mx(ctx, name, cb, arg);
}

static void spf_run_ptr(void *ctx, const struct net_addr *a, spf_ptr_cb *cb, void *arg)
{
	dns_ptr(ctx, a, cb, arg);
}

void spf_run_dns(struct spf_dns *ops, struct dns *d)
{
	ops->ctx = d;
	ops->txt = spf_run_txt;
	ops->host = spf_run_host;
	ops->mx = spf_run_mx;
	ops->ptr = spf_run_ptr;
}

/* One run: whether the evaluation ended and whether the deadline passed. */
struct spf_run_state {
	struct ev_loop *loop;
	int done;
	int timed_out;
};

/* The evaluation ended: stop the loop (its deadline timer would keep it alive). */
static void spf_run_on_done(const struct spf_outcome *o, void *arg)
{
	struct spf_run_state *st = arg;

	(void)o;
	st->done = 1;
	if (st->loop != NULL)
		ev_break(st->loop);
}

/* The deadline: stop waiting. */
static void spf_run_on_deadline(struct ev_timer *t, void *arg)
{
	struct spf_run_state *st = arg;

	(void)t;
	if (!st->done)
		st->timed_out = 1;
	ev_break(st->loop);
}

int spf_run(const struct spf_query *q, const char *servers, double timeout_s,
	    struct spf_outcome *out, char *err, size_t errlen)
{
	struct spf_run_state st = {0};
	struct spf_dns ops;
	struct ev_timer deadline;
	struct dns *d = NULL;
	struct spf *s = NULL;
	int rc = -1;

	ev_timer_init(&deadline);
	if ((st.loop = ev_loop_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((d = dns_new(st.loop, servers, err, errlen)) == NULL)
		goto out;
	spf_run_dns(&ops, d);
	if ((s = spf_new(&ops, q, spf_run_on_done, &st)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	(void)ev_timer_start(st.loop, &deadline, ev_now_us() + (int64_t)(timeout_s * 1e6),
			     spf_run_on_deadline, &st);
	spf_start(s);
	while (!st.done && !st.timed_out)
		if (ev_run(st.loop) != 0)
			break;
	ev_timer_stop(st.loop, &deadline);
	rc = st.timed_out || !st.done ? 1 : 0;
	*out = *spf_outcome(s);
out:
	/* dns_free delivers ECANCELLED to a pending lookup: the evaluator ends, asks nothing. */
	dns_free(d);
	spf_free(s);
	ev_loop_free(st.loop);
	return rc;
}
