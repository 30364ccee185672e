/*
 * dnsbl_run.c - the lists of a set on the event loop.
 *
 * Every query that can go at once does: the target and the test points of
 * every list together, so a run costs about its slowest list (plus one
 * TXT round trip for a listing), not the sum. What an answer means is
 * decided in dnsbl.c; this file only moves answers into the set.
 *
 * Ownership: the run borrows loop, dns and the set; it owns one op per
 * query. DNS callbacks cannot be cancelled one by one, so a run freed with
 * lookups outstanding lingers, detached, until the last of them arrives
 * (at the latest from dns_free()).
 */
#include <ares.h>
#include <stdlib.h>
#include <string.h>
#include "dns/dnsbl_run.h"

#define DNSBL_GRACE_US 50000 /* past the deadline: let answers on their way arrive */

/* What a callback needs to find its place: the item and which question. */
struct dnsbl_op {
	struct dnsbl_run *r;
	int item;
	enum dnsbl_ask ask;
};

struct dnsbl_run {
	struct ev_loop *loop;
	struct dns *dns;
	struct dnsbl_set *set;
	dnsbl_run_done_cb *done;
	void *arg;
	int64_t start_us;
	int pending;     /* items not settled */
	int dns_pending; /* DNS callbacks still to come (they point at us) */
	int finished;
	int orphaned;
	struct ev_timer deadline;
	struct dnsbl_op op[DNSBL_LISTS_MAX][DNSBL_ASK_MAX];
};

/* Everything settled or the deadline passed: settle the rest, tell the owner once. */
static void dnsbl_finish(struct dnsbl_run *r, int expired)
{
	if (r->finished)
		return;
	r->finished = 1;
	ev_timer_stop(r->loop, &r->deadline);
	for (int i = 0; expired && i < r->set->n; i++) {
		struct dnsbl_item *it = &r->set->item[i];

		if ((it->asked & ~it->answered) != 0)
			dnsbl_item_finish(it, r->set->health, 1);
	}
	r->done(r->arg);
}

/* A DNS callback arrived: 1 when its result is still wanted (frees a detached run). */
static int dnsbl_dns_back(struct dnsbl_run *r)
{
	r->dns_pending--;
	if (r->orphaned) {
		if (r->dns_pending == 0)
			free(r);
		return 0;
	}
	return !r->finished;
}

/* Ask one question of item i (the name is built by the caller). */
static void dnsbl_ask(struct dnsbl_run *r, int i, enum dnsbl_ask ask, const char *name);

/* One answer of item i is in: settle the item when it was the last. */
static void dnsbl_answered(struct dnsbl_run *r, int i, enum dnsbl_ask ask)
{
	struct dnsbl_item *it = &r->set->item[i];

	it->answered |= 1u << ask;
	it->seconds = (double)(ev_now_us() - r->start_us) / 1e6;
	if (it->answered != it->asked)
		return;
	dnsbl_item_finish(it, r->set->health, 0);
	if (--r->pending == 0)
		dnsbl_finish(r, 0);
}

/* The TXT reason of a listing is back. */
static void dnsbl_on_txt(const struct dns_txt *res, void *arg)
{
	const struct dnsbl_op *op = arg;
	struct dnsbl_item *it;

	if (!dnsbl_dns_back(op->r))
		return;
	it = &op->r->set->item[op->item];
	it->reason_len = dnsbl_reason(res, it->reason, sizeof(it->reason));
	dnsbl_answered(op->r, op->item, op->ask);
}

/* An A answer is back: decode it; a listed target gets its TXT asked for. */
static void dnsbl_on_a(const struct dns_host *res, void *arg)
{
	const struct dnsbl_op *op = arg;
	struct dnsbl_run *r = op->r;
	struct dnsbl_item *it;
	char name[DNS_NAME_MAX];

	if (!dnsbl_dns_back(r))
		return;
	it = &r->set->item[op->item];
	if (op->ask == DNSBL_ASK_TARGET) {
		dnsbl_decode(&it->list, res, &it->ans);
		/* RFC 5782 §2.1: the TXT record of the same name says why */
		if (it->ans.listed &&
		    dnsbl_query_name(&r->set->target, it->list.zone, name, sizeof(name)) == 0) {
			it->asked |= 1u << DNSBL_ASK_TXT;
			dnsbl_ask(r, op->item, DNSBL_ASK_TXT, name);
		}
	} else {
		dnsbl_decode(&it->list, res, &it->tp[op->ask == DNSBL_ASK_LISTED ? 0 : 1]);
	}
	dnsbl_answered(r, op->item, op->ask);
}

static void dnsbl_ask(struct dnsbl_run *r, int i, enum dnsbl_ask ask, const char *name)
{
	struct dnsbl_op *op = &r->op[i][ask];

	*op = (struct dnsbl_op){r, i, ask};
	r->dns_pending++;
	if (ask == DNSBL_ASK_TXT)
		dns_txt(r->dns, name, dnsbl_on_txt, op);
	else
		dns_host(r->dns, name, AF_INET, dnsbl_on_a, op);
}

/* The deadline passed: what is still missing times out; finish. */
static void dnsbl_on_deadline(struct ev_timer *t, void *arg)
{
	(void)t;
	dnsbl_finish(arg, 1);
}

/* Ask every question of item i at once. */
static void dnsbl_start_item(struct dnsbl_run *r, int i, const struct dnsbl_target *tp)
{
	struct dnsbl_item *it = &r->set->item[i];
	char name[3][DNS_NAME_MAX];
	int n = r->set->health ? 3 : 1;

	it->seconds = -1;
	it->family = r->set->target.addr.ss.ss_family;
	for (int k = 0; k < n; k++)
		if (dnsbl_query_name(&tp[k], it->list.zone, name[k], sizeof(name[k])) != 0) {
			fail_set(&it->ans.fail, FAIL_DNS, PHASE_DNS, ARES_EBADNAME,
				 "the query name does not fit in a DNS name");
			return;
		}
	/* Mark every question asked before sending any: an answer may come at once. */
	for (int k = 0; k < n; k++)
		it->asked |= 1u << k;
	r->pending++;
	for (int k = 0; k < n; k++)
		dnsbl_ask(r, i, (enum dnsbl_ask)k, name[k]);
}

struct dnsbl_run *dnsbl_run_start(struct ev_loop *loop, struct dns *dns, struct dnsbl_set *set,
				  int64_t deadline_us, dnsbl_run_done_cb *done, void *arg)
{
	struct dnsbl_run *r = calloc(1, sizeof(*r));
	struct dnsbl_target tp[3];

	if (r == NULL)
		return NULL;
	r->loop = loop;
	r->dns = dns;
	r->set = set;
	r->done = done;
	r->arg = arg;
	r->start_us = ev_now_us();
	ev_timer_init(&r->deadline);
	if (ev_timer_start(loop, &r->deadline, deadline_us + DNSBL_GRACE_US, dnsbl_on_deadline,
			   r) != 0) {
		free(r);
		return NULL;
	}
	tp[0] = set->target;
	dnsbl_test_points(set->target.kind, set->target.addr.ss.ss_family, &tp[1], &tp[2]);
	r->pending = 1; /* held until every list is asked */
	for (int i = 0; i < set->n; i++)
		dnsbl_start_item(r, i, tp);
	if (--r->pending == 0) /* nothing was asked: finish from the loop, never from here */
		(void)ev_timer_start(loop, &r->deadline, ev_now_us(), dnsbl_on_deadline, r);
	return r;
}

void dnsbl_run_free(struct dnsbl_run *r)
{
	if (r == NULL)
		return;
	ev_timer_stop(r->loop, &r->deadline);
	if (r->dns_pending > 0) {
		r->orphaned = 1;
		return;
	}
	free(r);
}
