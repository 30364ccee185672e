/*
 * mx_run.c - the MX set of a domain on the event loop.
 *
 * Every step that can run at once does: all target lookups together, and
 * for every address its PTR lookup and its SMTP probe together, so the
 * check costs about the slowest MX, not their sum. The facts go into the
 * caller's struct mx_set through mx.c; nothing is judged here.
 *
 * Ownership: the run borrows loop, dns and the set (which must outlive
 * it); it owns its smtp_runs. DNS callbacks cannot be cancelled one by
 * one, so a run freed while lookups are outstanding lingers, detached,
 * until the last of them arrives (at the latest from dns_free()).
 */
#include <ares.h>
#include <stdlib.h>
#include <string.h>
#include "mx/mx_run.h"

#define MX_GRACE_US 100000 /* past the probes' deadline: let them report first */

struct mx_op {
	struct mx_run *r;
	int host, addr;
};

struct mx_run {
	struct ev_loop *loop;
	struct dns *dns;
	struct mx_run_opts opts;
	struct mx_set *set;
	mx_run_done_cb *done;
	void *arg;
	int pending;      /* lookups and probes not finished */
	int dns_pending;  /* DNS callbacks still to come (they point at us) */
	int finished;
	int orphaned;
	struct ev_timer deadline;
	struct mx_op op_mx;
	struct mx_op op_host[MX_MAX];
	struct mx_op op_addr[MX_MAX][MX_ADDR_MAX];
	struct smtp_run *run[MX_MAX][MX_ADDR_MAX];
};

/* Everything finished or the deadline passed: tell the owner once. */
static void mx_finish(struct mx_run *r)
{
	if (r->finished)
		return;
	r->finished = 1;
	ev_timer_stop(r->loop, &r->deadline);
	r->done(r->arg);
}

/* One step finished. */
static void mx_step_done(struct mx_run *r)
{
	if (--r->pending == 0)
		mx_finish(r);
}

/* A DNS callback arrived: 1 when its result is still wanted (frees a detached run). */
static int mx_dns_back(struct mx_run *r)
{
	r->dns_pending--;
	if (r->orphaned) {
		if (r->dns_pending == 0)
			free(r);
		return 0;
	}
	return !r->finished;
}

static void mx_on_probe(struct smtp_run *run, void *arg)
{
	struct mx_op *op = arg;

	(void)run;
	op->r->set->mx[op->host].addr[op->addr].probed = 1;
	mx_step_done(op->r);
}

static void mx_on_forward(const struct dns_host *res, void *arg)
{
	struct mx_op *op = arg;

	if (!mx_dns_back(op->r))
		return;
	mx_addr_forward(&op->r->set->mx[op->host].addr[op->addr], res);
	mx_step_done(op->r);
}

static void mx_on_ptr(const struct dns_ptr *res, void *arg)
{
	struct mx_op *op = arg;
	struct mx_run *r = op->r;
	struct mx_addr *a;

	if (!mx_dns_back(r))
		return;
	a = &r->set->mx[op->host].addr[op->addr];
	if (mx_addr_ptr(a, res)) {
		/* FCrDNS: the PTR name must resolve back to this address. */
		r->dns_pending++;
		dns_host(r->dns, a->ptr, a->addr.ss.ss_family, mx_on_forward, op);
		return;
	}
	mx_step_done(r);
}

/* Start the probe of address j of host i. */
static void mx_probe(struct mx_run *r, int i, int j)
{
	struct mx_host *h = &r->set->mx[i];
	struct smtp_run_opts o = r->opts.smtp;

	o.host = h->name;
	o.addr = h->addr[j].addr;
	net_addr_set_port(&o.addr, r->opts.port);
	o.port = r->opts.port;
	o.sni = h->name;
	o.verify_name = h->name; /* the certificate must name the MX */
	o.deadline_us = r->opts.deadline_us;
	r->pending++;
	r->run[i][j] = smtp_run_start(r->loop, r->dns, &o, &h->addr[j].probe, mx_on_probe,
				      &r->op_addr[i][j]);
	if (r->run[i][j] == NULL) {
		fail_set(&h->addr[j].probe.smtp.fail, FAIL_INTERNAL, PHASE_NONE, 0, "out of memory");
		h->addr[j].probed = 1;
		r->pending--;
	}
}

static void mx_on_host(const struct dns_host *res, void *arg)
{
	struct mx_op *op = arg;
	struct mx_run *r = op->r;
	struct mx_host *h;

	if (!mx_dns_back(r))
		return;
	h = &r->set->mx[op->host];
	h->lookup = 0;
	mx_host_addrs(h, res, r->opts.family);
	for (int j = 0; j < h->naddr; j++) {
		r->op_addr[op->host][j] = (struct mx_op){r, op->host, j};
		if (r->opts.rdns) {
			r->pending++;
			r->dns_pending++;
			dns_ptr(r->dns, &h->addr[j].addr, mx_on_ptr, &r->op_addr[op->host][j]);
		}
		if (r->opts.probe)
			mx_probe(r, op->host, j);
	}
	mx_step_done(r);
}

static void mx_on_mx(const struct dns_mx_set *res, void *arg)
{
	struct mx_op *op = arg;
	struct mx_run *r = op->r;
	struct mx_set *s;

	if (!mx_dns_back(r))
		return;
	s = r->set;
	if (mx_set_answer(s, res)) {
		for (int i = 0; i < s->n; i++) {
			if (!s->mx[i].lookup)
				continue;
			r->op_host[i] = (struct mx_op){r, i, -1};
			r->pending++;
			r->dns_pending++;
			dns_host(r->dns, s->mx[i].name, r->opts.family, mx_on_host, &r->op_host[i]);
		}
	}
	mx_step_done(r);
}

/* The deadline passed: record what is still missing as a DNS timeout and finish. */
static void mx_on_deadline(struct ev_timer *t, void *arg)
{
	struct mx_run *r = arg;
	struct mx_set *s = r->set;

	(void)t;
	if (s->status == 0 && s->n == 0 && s->fail.cls == FAIL_NONE)
		fail_set(&s->fail, FAIL_TIMEOUT, PHASE_DNS, ARES_ETIMEOUT, "MX lookup of %s",
			 s->domain);
	for (int i = 0; i < s->n; i++)
		if (s->mx[i].lookup)
			fail_set(&s->mx[i].fail, FAIL_TIMEOUT, PHASE_DNS, ARES_ETIMEOUT, "%s",
				 s->mx[i].name);
	mx_finish(r);
}

struct mx_run *mx_run_start(struct ev_loop *loop, struct dns *dns, const struct mx_run_opts *o,
			    struct mx_set *set, mx_run_done_cb *done, void *arg)
{
	struct mx_run *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->loop = loop;
	r->dns = dns;
	r->opts = *o;
	r->set = set;
	r->done = done;
	r->arg = arg;
	mx_set_init(set, o->domain);
	ev_timer_init(&r->deadline);
	if (ev_timer_start(loop, &r->deadline, o->deadline_us + MX_GRACE_US, mx_on_deadline, r) != 0) {
		free(r);
		return NULL;
	}
	r->op_mx = (struct mx_op){r, -1, -1};
	r->pending = 1;
	r->dns_pending = 1;
	dns_mx(dns, o->domain, mx_on_mx, &r->op_mx);
	return r;
}

void mx_run_free(struct mx_run *r)
{
	if (r == NULL)
		return;
	ev_timer_stop(r->loop, &r->deadline);
	for (int i = 0; i < MX_MAX; i++)
		for (int j = 0; j < MX_ADDR_MAX; j++)
			smtp_run_free(r->run[i][j]);
	if (r->dns_pending > 0) {
		r->orphaned = 1;
		memset(r->run, 0, sizeof(r->run));
		return;
	}
	free(r);
}
