/*
 * smtp_run.c - binds the sans-I/O SMTP client to the event loop.
 *
 * One run: resolve (unless given an address), connect, optional implicit
 * TLS, then the SMTP dialogue, doing the STARTTLS handshake when the client
 * asks for it. Every phase is timed against the monotonic clock and the
 * whole run is bounded by one absolute deadline, so a server that stalls
 * or drips bytes anywhere cannot hold it. Failures go into the client's
 * result record (res->smtp.fail); the first one wins.
 *
 * A name that resolves to several addresses is tried address by address,
 * in the resolver's order, within the one deadline, as monitoring-plugins'
 * check_smtp does: a failed connect moves on to the next address (recorded
 * in res->failed), any later failure is the probe's. While more addresses
 * wait, a connect may take its share of the time left (time left divided
 * by the addresses left), so one address that drops SYNs cannot use the
 * whole deadline.
 *
 * Ownership: the run borrows loop, dns, opts' strings and the TLS context;
 * it owns its socket, TLS session and client. A run freed while its DNS
 * query is outstanding lingers until the query's callback frees it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "smtp/smtp_run.h"
#include "verdict/classify.h"

enum run_stage { RUN_DNS, RUN_CONNECT, RUN_TLS, RUN_SMTP, RUN_DONE };

/* With -q, how long the QUIT reply is waited for (it no longer matters). */
#define SMTP_RUN_QUIT_WAIT_US 1000000

struct smtp_run {
	struct ev_loop *loop;
	struct dns *dns;
	struct smtp_run_opts opts;
	struct smtp_run_result *res;
	smtp_run_done_cb *done;
	void *arg;
	struct smtp_client *client;
	struct tls_conn *tls;
	int fd;
	struct net_addr addrs[SMTP_RUN_ADDRS_MAX]; /* to try, in order */
	int next;                                  /* index of the next address to try */
	enum run_stage stage;
	enum phase phase;     /* phase being timed */
	enum phase tls_phase; /* PHASE_TLS_IMPLICIT or PHASE_TLS while handshaking */
	int64_t phase_start;
	int64_t t0;
	struct ev_io io;
	struct ev_timer deadline;
	struct ev_timer kick;    /* defers the start of a run that needs no DNS */
	struct ev_timer connect; /* this address's share of the time left, when more wait */
	int dns_pending;
	int quit_bounded; /* -q: the deadline moved to SMTP_RUN_QUIT_WAIT_US after QUIT */
	int orphaned;     /* freed by the owner while DNS was pending */
};

static void run_pump(struct smtp_run *r);

/* Close the books on the current phase and start timing p. */
static void run_phase(struct smtp_run *r, enum phase p)
{
	int64_t now = ev_now_us();

	if (p == r->phase)
		return;
	if (r->phase != PHASE_NONE) {
		r->res->phase_us[r->phase] += now - r->phase_start;
		r->res->phase_seen[r->phase] = 1;
	}
	r->phase = p;
	r->phase_start = now;
}

/* Release the socket and TLS session and stop every watcher. */
static void run_close(struct smtp_run *r)
{
	ev_io_stop(r->loop, &r->io);
	ev_timer_stop(r->loop, &r->deadline);
	ev_timer_stop(r->loop, &r->kick);
	ev_timer_stop(r->loop, &r->connect);
	tls_conn_free(r->tls);
	r->tls = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* The run is over: stop timing, release resources, tell the owner. */
static void run_finish(struct smtp_run *r)
{
	if (r->stage == RUN_DONE)
		return;
	run_phase(r, PHASE_NONE);
	r->res->total_us = ev_now_us() - r->t0;
	r->stage = RUN_DONE;
	run_close(r);
	r->done(r, r->arg);
}

static struct fail *run_fail(struct smtp_run *r)
{
	return &r->res->smtp.fail;
}

/* Deadline: record a timeout in whatever phase the run is in. */
static void run_on_deadline(struct ev_timer *t, void *arg)
{
	struct smtp_run *r = arg;

	(void)t;
	if (r->stage == RUN_SMTP) {
		smtp_client_timeout(r->client);
	} else {
		enum phase p = r->phase != PHASE_NONE ? r->phase : PHASE_CONNECT;

		fail_set(run_fail(r), FAIL_TIMEOUT, p, ETIMEDOUT,
			 "no progress before the deadline");
	}
	run_finish(r);
}

/* Watch the socket for the given events (0: none). */
static void run_watch(struct smtp_run *r, int events, ev_io_cb *cb)
{
	/*
	 * Before waiting for data, ask for immediate ACKs: a server that sends
	 * TLS 1.3 session tickets and then its EHLO reply would otherwise hold
	 * the reply (Nagle) until our delayed ACK, 40 ms later. Linux clears
	 * TCP_QUICKACK by itself, so it is set again before every wait.
	 */
	if (events & EV_READ)
		(void)setsockopt(r->fd, IPPROTO_TCP, TCP_QUICKACK, &(int){1}, sizeof(int));
	if (events == 0)
		ev_io_stop(r->loop, &r->io);
	else
		ev_io_start(r->loop, &r->io, r->fd, events, cb, r);
}

/* The handshake completed: record the facts and judge them. */
static void run_tls_established(struct smtp_run *r, enum phase p)
{
	struct tls_info *ti = &r->res->tls;

	tls_conn_info(r->tls, ti);
	if (r->opts.detail != NULL)
		tls_conn_detail(r->tls, r->opts.detail);
	r->res->tls_used = 1;
	if (r->opts.verify && ti->verify_code != 0)
		fail_set(run_fail(r), FAIL_VERIFY, p, ti->verify_code, "%s", ti->verify_text);
	else if (r->opts.verify && !ti->name_ok)
		fail_set(run_fail(r), FAIL_VERIFY, p, 62, "certificate does not match %s",
			 r->opts.verify_name ? r->opts.verify_name : "the host name");
}

static void run_on_tls_io(struct ev_io *w, int revents, void *arg);

/* Advance the TLS handshake (implicit or after STARTTLS). */
static void run_tls_step(struct smtp_run *r)
{
	enum phase p = r->tls_phase;
	char why[FAIL_DETAIL_MAX];
	int reason;

	switch (tls_handshake(r->tls)) {
	case TLS_IO_WANT_READ: run_watch(r, EV_READ, run_on_tls_io); return;
	case TLS_IO_WANT_WRITE: run_watch(r, EV_WRITE, run_on_tls_io); return;
	case TLS_IO_EOF:
		fail_set(run_fail(r), FAIL_DROPPED, p, 0,
			 "connection closed during the TLS handshake");
		run_finish(r);
		return;
	case TLS_IO_ERROR:
		reason = tls_conn_error(r->tls, why, sizeof(why));
		fail_set(run_fail(r), FAIL_TLS, p, reason, "%s", why);
		run_finish(r);
		return;
	case TLS_IO_OK: break;
	}
	run_tls_established(r, p);
	r->stage = RUN_SMTP;
	if (p == PHASE_TLS_IMPLICIT) {
		/* RFC 8314 §3: the greeting arrives inside TLS. Never talk to an unverified peer. */
		if (run_fail(r)->cls != FAIL_NONE) {
			run_finish(r);
			return;
		}
		run_phase(r, PHASE_GREETING);
	} else {
		smtp_client_tls_done(r->client);
	}
	run_pump(r);
}

static void run_on_tls_io(struct ev_io *w, int revents, void *arg)
{
	(void)w;
	(void)revents;
	run_tls_step(arg);
}

/* Start a TLS session on the connected socket. */
static void run_tls_start(struct smtp_run *r, enum phase p)
{
	const char *sni = r->opts.sni;

	run_phase(r, p);
	r->tls_phase = p;
	r->stage = RUN_TLS;
	if (r->opts.tls == NULL ||
	    (r->tls = tls_conn_new(r->opts.tls, r->fd, sni, r->opts.verify_name)) == NULL) {
		fail_set(run_fail(r), FAIL_INTERNAL, p, 0, "cannot create a TLS session");
		run_finish(r);
		return;
	}
	if (r->opts.detail != NULL && !tls_conn_want_ocsp(r->tls)) {
		fail_set(run_fail(r), FAIL_INTERNAL, p, 0, "cannot ask for an OCSP staple");
		run_finish(r);
		return;
	}
	run_tls_step(r);
}

/* A TLS call after the handshake failed: give the client OpenSSL's reason, or the close. */
static void run_tls_broken(const struct smtp_run *r, enum tls_io rc, int err)
{
	char why[FAIL_DETAIL_MAX];
	int reason;

	if (rc != TLS_IO_ERROR) {
		smtp_client_eof(r->client, err);
		return;
	}
	reason = tls_conn_error(r->tls, why, sizeof(why));
	smtp_client_tls_fail(r->client, reason, why);
}

/* Send what the client has queued; 0 when all is sent, 1 to wait, -1 on failure. */
static int run_flush(struct smtp_run *r)
{
	size_t len, n;
	const void *p;

	while ((p = smtp_client_output(r->client, &len)) != NULL && len > 0) {
		if (r->tls != NULL) {
			enum tls_io rc = tls_write(r->tls, p, len, &n);

			if (rc == TLS_IO_WANT_READ || rc == TLS_IO_WANT_WRITE)
				return 1;
			if (rc != TLS_IO_OK) {
				run_tls_broken(r, rc, EPIPE);
				return -1;
			}
		} else {
			ssize_t w = send(r->fd, p, len, MSG_NOSIGNAL);

			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return 1;
			if (w < 0) {
				smtp_client_eof(r->client, errno);
				return -1;
			}
			n = (size_t)w;
		}
		smtp_client_sent(r->client, n);
	}
	return 0;
}

/* Read what the server sent and feed it to the client. */
static void run_read(struct smtp_run *r)
{
	unsigned char data[4096];
	size_t n = 0;

	if (r->tls != NULL) {
		enum tls_io rc = tls_read(r->tls, data, sizeof(data), &n);

		switch (rc) {
		case TLS_IO_OK: break;
		case TLS_IO_WANT_READ:
		case TLS_IO_WANT_WRITE: return;
		case TLS_IO_EOF:
		case TLS_IO_ERROR: run_tls_broken(r, rc, 0); return;
		}
	} else {
		ssize_t got = recv(r->fd, data, sizeof(data), 0);

		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (got <= 0) {
			smtp_client_eof(r->client, got < 0 ? errno : 0);
			return;
		}
		n = (size_t)got;
	}
	smtp_client_feed(r->client, data, n);
}

static void run_on_smtp_io(struct ev_io *w, int revents, void *arg)
{
	struct smtp_run *r = arg;

	(void)w;
	if (revents & EV_READ)
		run_read(r);
	run_pump(r);
}

/* -q: once QUIT is sent, wait for its reply about a second instead of until the deadline. */
static void run_quit_bound(struct smtp_run *r)
{
	int64_t when = ev_now_us() + SMTP_RUN_QUIT_WAIT_US;

	if (r->phase != PHASE_QUIT || !r->opts.smtp.ignore_quit_failure || r->quit_bounded)
		return;
	r->quit_bounded = 1;
	if (when >= r->opts.deadline_us)
		return;
	ev_timer_stop(r->loop, &r->deadline);
	ev_timer_start(r->loop, &r->deadline, when, run_on_deadline, r);
}

/* Drive the client: send its output, then do what it wants next. */
static void run_pump(struct smtp_run *r)
{
	int flushed;

	if (r->stage != RUN_SMTP)
		return;
	flushed = run_flush(r);
	run_phase(r, smtp_client_phase(r->client));
	run_quit_bound(r);
	if (flushed < 0) {
		run_finish(r);
		return;
	}
	if (flushed > 0) {
		run_watch(r, EV_READ | EV_WRITE, run_on_smtp_io);
		return;
	}
	switch (smtp_client_want(r->client)) {
	case SMTP_WANT_READ:
		/* TLS may hold decrypted bytes that poll cannot see. */
		if (r->tls != NULL && tls_pending(r->tls) > 0) {
			run_read(r);
			run_pump(r);
			return;
		}
		run_watch(r, EV_READ, run_on_smtp_io);
		return;
	case SMTP_WANT_TLS: run_tls_start(r, PHASE_TLS); return;
	case SMTP_WANT_CLOSE: run_finish(r); return;
	}
}

static void run_connect(struct smtp_run *r);

/* The connect to res->addr failed: try the next address, or end the run with err. */
static void run_connect_failed(struct smtp_run *r, int err)
{
	struct smtp_run_result *res = r->res;
	struct smtp_addr_fail *af;

	fail_set(run_fail(r), FAIL_CONNECT, PHASE_CONNECT, err, "%s", strerror(err));
	if (r->next >= res->naddrs || res->nfailed >= SMTP_RUN_ADDRS_MAX) {
		run_finish(r);
		return;
	}
	af = &res->failed[res->nfailed++];
	af->addr = res->addr;
	af->cause = classify(run_fail(r));
	snprintf(af->detail, sizeof(af->detail), "%s", run_fail(r)->detail);
	fail_reset(run_fail(r));
	ev_io_stop(r->loop, &r->io);
	ev_timer_stop(r->loop, &r->connect);
	close(r->fd);
	r->fd = -1;
	run_connect(r);
}

static void run_on_connect(struct ev_io *w, int revents, void *arg)
{
	struct smtp_run *r = arg;
	int err = net_connect_finish(r->fd);

	(void)w;
	(void)revents;
	ev_timer_stop(r->loop, &r->connect);
	if (err != 0) {
		run_connect_failed(r, err);
		return;
	}
	if (r->opts.implicit_tls) {
		run_tls_start(r, PHASE_TLS_IMPLICIT);
		return;
	}
	r->stage = RUN_SMTP;
	run_phase(r, PHASE_GREETING);
	run_pump(r);
}

/* This address's share of the time is up and more addresses wait: give up on it. */
static void run_on_connect_budget(struct ev_timer *t, void *arg)
{
	(void)t;
	run_connect_failed(arg, ETIMEDOUT);
}

/* Open the TCP connection to the next address to try (it becomes res->addr). */
static void run_connect(struct smtp_run *r)
{
	int64_t now = ev_now_us();
	int err = 0, left;

	r->stage = RUN_CONNECT;
	run_phase(r, PHASE_CONNECT);
	r->res->addr = r->addrs[r->next++];
	net_addr_set_port(&r->res->addr, r->opts.port);
	r->fd = net_connect_start(&r->res->addr, r->opts.src, &err);
	if (r->fd < 0) {
		run_connect_failed(r, err);
		return;
	}
	left = r->res->naddrs - r->next + 1; /* this address and the ones after it */
	if (left > 1)
		ev_timer_start(r->loop, &r->connect, now + (r->opts.deadline_us - now) / left,
			       run_on_connect_budget, r);
	run_watch(r, EV_WRITE, run_on_connect);
}

static void run_free_now(struct smtp_run *r)
{
	run_close(r);
	smtp_client_free(r->client);
	free(r);
}

static void run_on_dns(const struct dns_addrs *a, void *arg)
{
	struct smtp_run *r = arg;

	r->dns_pending = 0;
	if (r->orphaned) {
		run_free_now(r);
		return;
	}
	if (r->stage != RUN_DNS)
		return; /* the deadline already ended the run */
	if (a->status != 0 || a->n == 0) {
		fail_set(run_fail(r), FAIL_DNS, PHASE_DNS, a->status, "%s: %s", r->opts.host,
			 a->status != 0 ? dns_strerror(a->status) : "no address");
		run_finish(r);
		return;
	}
	for (int i = 0; i < a->n && i < SMTP_RUN_ADDRS_MAX; i++)
		r->addrs[r->res->naddrs++] = a->addr[i];
	run_connect(r);
}

static void run_on_kick(struct ev_timer *t, void *arg)
{
	(void)t;
	run_connect(arg);
}

struct smtp_run *smtp_run_start(struct ev_loop *loop, struct dns *dns,
				const struct smtp_run_opts *o, struct smtp_run_result *res,
				smtp_run_done_cb *done, void *arg)
{
	struct smtp_run *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	memset(res, 0, sizeof(*res));
	r->loop = loop;
	r->dns = dns;
	r->opts = *o;
	r->res = res;
	r->done = done;
	r->arg = arg;
	r->fd = -1;
	r->t0 = ev_now_us();
	ev_io_init(&r->io);
	ev_timer_init(&r->deadline);
	ev_timer_init(&r->kick);
	ev_timer_init(&r->connect);
	r->opts.smtp.implicit_tls = o->implicit_tls;
	r->client = smtp_client_new(&r->opts.smtp, &res->smtp);
	if (r->client == NULL) {
		free(r);
		return NULL;
	}
	ev_timer_start(loop, &r->deadline, o->deadline_us, run_on_deadline, r);
	if (o->addr.len != 0 || net_addr_parse(o->host, o->port, &res->addr) == 0) {
		if (o->addr.len != 0)
			res->addr = o->addr;
		r->addrs[0] = res->addr;
		res->naddrs = 1;
		r->stage = RUN_CONNECT;
		ev_timer_start(loop, &r->kick, r->t0, run_on_kick, r);
		return r;
	}
	r->stage = RUN_DNS;
	run_phase(r, PHASE_DNS);
	r->dns_pending = 1;
	dns_addrs(dns, o->host, o->family, run_on_dns, r);
	return r;
}

void smtp_run_free(struct smtp_run *r)
{
	if (r == NULL)
		return;
	if (r->dns_pending) {
		run_close(r);
		r->orphaned = 1;
		return;
	}
	run_free_now(r);
}
