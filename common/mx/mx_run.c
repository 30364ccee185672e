/*
 * mx_run.c - the MX set of a domain on the event loop.
 *
 * Every step that can run at once does: all target lookups together, and
 * for every address its PTR lookup and its SMTP probe together, so the
 * check costs about the slowest MX, not their sum. The facts go into the
 * caller's struct mx_set through mx.c; nothing is judged here.
 *
 * Ownership: the run borrows loop, dns and the set (which must outlive
 * it); it owns its smtp_runs and its per-host and per-address state,
 * allocated as the answers arrive. DNS callbacks cannot be cancelled one
 * by one, so a run freed while lookups are outstanding lingers, detached,
 * until the last of them arrives (at the latest from dns_free()).
 */
#include <ares.h>
#include <stdlib.h>
#include <string.h>
#include "mx/mx_run.h"

#define MX_GRACE_US 100000 /* past the probes' deadline: let them report first */

/* What a callback needs to find its place: host, address, PTR name index. */
struct mx_op {
	struct mx_run *r;
	int host, addr, k;
};

/* Run state of one address: its PTR lookup and probe, and one forward lookup per PTR name. */
struct mx_run_addr {
	struct mx_op op;
	struct mx_op fwd[MX_PTR_MAX];
	struct smtp_run *run;
};

/* Run state of one host: its address lookup and its addresses. */
struct mx_run_host {
	struct mx_op op;
	int naddr;
	struct mx_run_addr *addr;
};

/* One run: what it borrows, what is outstanding, and its per-host state. */
struct mx_run {
	struct ev_loop *loop;
	struct dns *dns;
	struct mx_run_opts opts;
	struct mx_set *set;
	mx_run_done_cb *done;
	void *arg;
	int pending;     /* lookups and probes not finished */
	int dns_pending; /* DNS callbacks still to come (they point at us) */
	int finished;
	int orphaned;
	struct ev_timer deadline;
	struct mx_op op_mx;
	int nhost;
	struct mx_run_host *host; /* nhost, one per MX of the set */
};

/* Free the run and its state (no probe may be running). */
static void mx_run_release(struct mx_run *r)
{
	for (int i = 0; i < r->nhost; i++)
		free(r->host[i].addr);
	free(r->host);
	free(r);
}

/* Everything finished or the deadline passed: settle the set, tell the owner once. */
static void mx_finish(struct mx_run *r, int expired)
{
	if (r->finished)
		return;
	r->finished = 1;
	ev_timer_stop(r->loop, &r->deadline);
	mx_set_finish(r->set, expired);
	r->done(r->arg);
}

/* One step finished. */
static void mx_step_done(struct mx_run *r)
{
	if (--r->pending == 0)
		mx_finish(r, 0);
}

/* A DNS callback arrived: 1 when its result is still wanted (frees a detached run). */
static int mx_dns_back(struct mx_run *r)
{
	r->dns_pending--;
	if (r->orphaned) {
		if (r->dns_pending == 0)
			mx_run_release(r);
		return 0;
	}
	return !r->finished;
}

/* The address an op is about. */
static struct mx_addr *mx_op_addr(const struct mx_op *op)
{
	return &op->r->set->mx[op->host].addr[op->addr];
}

/* A probe finished: the -D hook, then its cause is stored. */
static void mx_on_probe(struct smtp_run *run, void *arg)
{
	struct mx_op *op = arg;
	struct mx_run *r = op->r;
	struct mx_addr *a = mx_op_addr(op);

	(void)run;
	if (r->finished)
		return; /* the set is final: a late probe changes nothing */
	if (r->opts.probe_hook != NULL)
		r->opts.probe_hook(r->opts.probe_hook_arg, &a->probe);
	mx_addr_probed(a);
	mx_step_done(r);
}

/* The forward lookup of one PTR name is back. */
static void mx_on_forward(const struct dns_host *res, void *arg)
{
	struct mx_op *op = arg;

	if (!mx_dns_back(op->r))
		return;
	mx_addr_forward(mx_op_addr(op), op->k, res);
	mx_step_done(op->r);
}

/* The PTR lookup of an address is back: look every name up again. */
static void mx_on_ptr(const struct dns_ptr *res, void *arg)
{
	struct mx_op *op = arg;
	struct mx_run *r = op->r;
	struct mx_run_addr *ra;
	struct mx_addr *a;
	int n;

	if (!mx_dns_back(r))
		return;
	a = mx_op_addr(op);
	ra = &r->host[op->host].addr[op->addr];
	/* FCrDNS: every PTR name is looked up; one that resolves back confirms. */
	n = mx_addr_ptr(a, res);
	r->pending += n;
	for (int k = 0; k < n; k++) {
		ra->fwd[k] = (struct mx_op){r, op->host, op->addr, k};
		r->dns_pending++;
		dns_host(r->dns, a->ptrs[k], a->addr.ss.ss_family, mx_on_forward, &ra->fwd[k]);
	}
	mx_step_done(r);
}

/* Start the probe of address j of host i. */
static void mx_probe(struct mx_run *r, int i, int j)
{
	struct mx_host *h = &r->set->mx[i];
	struct mx_run_addr *ra = &r->host[i].addr[j];
	struct smtp_run_opts o = r->opts.smtp;

	o.host = h->name;
	o.addr = h->addr[j].addr;
	net_addr_set_port(&o.addr, r->opts.port);
	o.port = r->opts.port;
	o.sni = h->name;
	o.verify_name = h->name; /* the certificate must name the MX */
	o.deadline_us = r->opts.deadline_us;
	r->pending++;
	ra->run = smtp_run_start(r->loop, r->dns, &o, &h->addr[j].probe, mx_on_probe, &ra->op);
	if (ra->run == NULL) {
		fail_set(&h->addr[j].probe.smtp.fail, FAIL_INTERNAL, PHASE_NONE, 0,
			 "out of memory");
		mx_addr_probed(&h->addr[j]);
		r->pending--;
	}
}

/* No run state for the addresses of h: each one's probe fails as out of memory. */
static void mx_host_oom(struct mx_host *h)
{
	for (int j = 0; j < h->naddr; j++) {
		fail_set(&h->addr[j].probe.smtp.fail, FAIL_INTERNAL, PHASE_NONE, 0,
			 "out of memory");
		mx_addr_probed(&h->addr[j]);
	}
}

/* The address lookup of an MX target is back: reverse DNS and a probe per address. */
static void mx_on_host(const struct dns_host *res, void *arg)
{
	struct mx_op *op = arg;
	struct mx_run *r = op->r;
	struct mx_run_host *rh;
	struct mx_host *h;

	if (!mx_dns_back(r))
		return;
	h = &r->set->mx[op->host];
	rh = &r->host[op->host];
	h->lookup = 0;
	mx_host_addrs(h, res, r->opts.family);
	if (h->naddr > 0 && (rh->addr = calloc((size_t)h->naddr, sizeof(*rh->addr))) == NULL)
		mx_host_oom(h);
	for (int j = 0; rh->addr != NULL && j < h->naddr; j++) {
		rh->addr[j].op = (struct mx_op){r, op->host, j, -1};
		rh->naddr = j + 1;
		if (r->opts.rdns) {
			r->pending++;
			r->dns_pending++;
			dns_ptr(r->dns, &h->addr[j].addr, mx_on_ptr, &rh->addr[j].op);
		}
		if (r->opts.probe)
			mx_probe(r, op->host, j);
	}
	mx_step_done(r);
}

/* The MX answer is back: look up every target at once. */
static void mx_on_mx(const struct dns_mx_set *res, void *arg)
{
	struct mx_op *op = arg;
	struct mx_run *r = op->r;
	struct mx_set *s;

	if (!mx_dns_back(r))
		return;
	s = r->set;
	if (mx_set_answer(s, res) && (r->host = calloc((size_t)s->n, sizeof(*r->host))) == NULL) {
		for (int i = 0; i < s->n; i++)
			if (s->mx[i].lookup) {
				fail_set(&s->mx[i].fail, FAIL_INTERNAL, PHASE_DNS, 0,
					 "out of memory");
				s->mx[i].lookup = 0;
			}
	}
	for (int i = 0; r->host != NULL && i < s->n; i++) {
		r->nhost = i + 1;
		if (!s->mx[i].lookup)
			continue;
		r->host[i].op = (struct mx_op){r, i, -1, -1};
		r->pending++;
		r->dns_pending++;
		dns_host(r->dns, s->mx[i].name, r->opts.family, mx_on_host, &r->host[i].op);
	}
	mx_step_done(r);
}

/* The deadline passed: what is still missing times out (mx_set_finish); finish. */
static void mx_on_deadline(struct ev_timer *t, void *arg)
{
	(void)t;
	mx_finish(arg, 1);
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
	mx_set_reset(set);
	mx_set_init(set, o->domain);
	ev_timer_init(&r->deadline);
	if (ev_timer_start(loop, &r->deadline, o->deadline_us + MX_GRACE_US, mx_on_deadline, r) !=
	    0) {
		free(r);
		return NULL;
	}
	r->op_mx = (struct mx_op){r, -1, -1, -1};
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
	for (int i = 0; i < r->nhost; i++)
		for (int j = 0; j < r->host[i].naddr; j++) {
			smtp_run_free(r->host[i].addr[j].run);
			r->host[i].addr[j].run = NULL;
		}
	if (r->dns_pending > 0) {
		r->orphaned = 1;
		return;
	}
	mx_run_release(r);
}
