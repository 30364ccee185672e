/*
 * test_dns.c - the resolver on the loop, against an in-test UDP responder.
 *
 * Every query goes to 127.0.0.1: the responder below answers on a kernel-
 * chosen port, "silent" servers are bound sockets nobody reads. Nothing
 * ever reaches resolv.conf's servers: every dns_new() passes `servers`.
 */
#include <check.h>
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dns/dns.h"
#include "dns/dns_wire.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the responder ---- */

struct responder {
	int fd;
	int port;
	int queries;
	struct ev_io io;
};

/* Read the lowercased dotted QNAME at off into name; offset after it, or -1. */
static int dns_qname(const unsigned char *p, int len, int off, char *name, size_t size)
{
	size_t n = 0;

	while (off < len && p[off] != 0) {
		int l = p[off++];

		if (l > 63 || off + l > len || n + (size_t)l + 2 > size)
			return -1;
		if (n > 0)
			name[n++] = '.';
		for (int i = 0; i < l; i++) {
			unsigned char c = p[off + i];

			name[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		off += l;
	}
	if (off >= len)
		return -1;
	name[n] = '\0';
	return off + 1;
}

/* Append one answer RR owned by the name at offset owner, with rdata. */
static int add_rr_at(unsigned char *out, int o, int owner, int type, const void *rdata, int rdlen)
{
	static const unsigned char ttl[4] = {0, 0, 0, 60};

	out[o++] = (unsigned char)(0xc0 | owner >> 8);
	out[o++] = (unsigned char)owner;
	out[o++] = (unsigned char)(type >> 8);
	out[o++] = (unsigned char)type;
	out[o++] = 0;
	out[o++] = 1; /* IN */
	memcpy(out + o, ttl, 4);
	o += 4;
	out[o++] = 0;
	out[o++] = (unsigned char)rdlen;
	memcpy(out + o, rdata, (size_t)rdlen);
	return o + rdlen;
}

/* Append one answer RR owned by the question name. */
static int add_rr(unsigned char *out, int o, int type, const void *rdata, int rdlen)
{
	return add_rr_at(out, o, 12, type, rdata, rdlen);
}

/* Encode dotted name (may be "") into wire format at w; returns the length. */
static int wire_name(unsigned char *w, const char *name)
{
	int n = 0;

	while (*name != '\0') {
		size_t l = strcspn(name, ".");

		w[n++] = (unsigned char)l;
		memcpy(w + n, name, l);
		n += (int)l;
		name += l;
		if (*name == '.')
			name++;
	}
	w[n++] = 0;
	return n;
}

/* Append an MX RR with preference pref and target name. */
static int add_mx(unsigned char *out, int o, int pref, const char *name)
{
	unsigned char rd[260];
	int n;

	rd[0] = (unsigned char)(pref >> 8);
	rd[1] = (unsigned char)pref;
	n = wire_name(rd + 2, name);
	return add_rr(out, o, 15, rd, n + 2);
}

/* Answer the MX, CNAME and PTR test names; 1 if name was one of them (*o, *an, *rcode set). */
static int answer_more(const char *name, int type, unsigned char *out, int *o, int *an, int *rcode)
{
	unsigned char rd[260], a4[4] = {192, 0, 2, 7};
	int n;

	if (strcmp(name, "mx.test") == 0 && type == 15) {
		*o = add_mx(out, *o, 20, "b.test");
		*o = add_mx(out, *o, 10, "a.test");
		*an = 2;
	} else if (strcmp(name, "null.test") == 0 && type == 15) {
		*o = add_mx(out, *o, 0, "");
		*an = 1;
	} else if (strcmp(name, "alias.test") == 0 && type == 1) {
		int target;

		n = wire_name(rd, "a.test");
		*o = add_rr(out, *o, 5, rd, n);
		target = *o - n; /* the CNAME's rdata: owner of the A record */
		*o = add_rr_at(out, *o, target, 1, a4, 4);
		*an = 2;
	} else if (strcmp(name, "chain.test") == 0 && type == 1) {
		int hop;

		n = wire_name(rd, "alias.test");
		*o = add_rr(out, *o, 5, rd, n);
		hop = *o - n;
		n = wire_name(rd, "a.test");
		*o = add_rr_at(out, *o, hop, 5, rd, n);
		*o = add_rr_at(out, *o, *o - n, 1, a4, 4);
		*an = 3;
	} else if (strcmp(name, "cname-mx.test") == 0 && type == 15) {
		n = wire_name(rd, "a.test"); /* only a CNAME, no MX at its target */
		*o = add_rr(out, *o, 5, rd, n);
		*an = 1;
	} else if (strcmp(name, "7.2.0.192.in-addr.arpa") == 0 && type == 12) {
		n = wire_name(rd, "a.test");
		*o = add_rr(out, *o, 12, rd, n);
		*an = 1;
	} else if (strcmp(name, "9.2.0.192.in-addr.arpa") == 0 && type == 12) {
		n = wire_name(rd, "a.test");
		*o = add_rr(out, *o, 12, rd, n);
		n = wire_name(rd, "b.test");
		*o = add_rr(out, *o, 12, rd, n);
		*an = 2;
	} else if (strcmp(name, "txt.test") == 0 && type == 16) {
		/* "v=spf1 " "-all" (two strings, one record), then "" and "a\0b" */
		static const unsigned char one[] = "\007v=spf1 \004-all", two[] = "\000",
					   three[] = "\003a\0b";

		*o = add_rr(out, *o, 16, one, (int)sizeof(one) - 1);
		*o = add_rr(out, *o, 16, two, (int)sizeof(two) - 1);
		*o = add_rr(out, *o, 16, three, (int)sizeof(three) - 1);
		*an = 3;
	} else if (strcmp(name, "fail.test") == 0) {
		*rcode = 2; /* SERVFAIL */
		return 1;
	} else if (strcmp(name, "mx.test") == 0 || strcmp(name, "null.test") == 0 ||
		   strcmp(name, "alias.test") == 0 || strcmp(name, "txt.test") == 0) {
		/* exists, no data of this type */
	} else {
		return 0;
	}
	*rcode = 0;
	return 1;
}

/*
 * Answer one query: a.test A/AAAA, six.test AAAA only (A: NODATA), mx.test
 * MX 20 b.test + 10 a.test, null.test MX 0 ".", alias.test CNAME a.test,
 * chain.test CNAME alias.test (CNAME a.test), cname-mx.test CNAME a.test (no
 * MX), txt.test TXT "v=spf1 " "-all" + "" + "a\0b", 192.0.2.7 PTR a.test, 192.0.2.9 PTR a.test + b.test, fail.test
 * SERVFAIL, else NXDOMAIN.
 */
static void on_responder(struct ev_io *w, int revents, void *arg)
{
	struct responder *r = arg;
	unsigned char q[512], out[1200];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	char name[256];
	int len, end, type, o, rcode = 3, an = 0;
	unsigned char a4[4], a6[16];

	(void)revents;
	len = (int)recvfrom(w->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
	if (len < 12 || (end = dns_qname(q, len, 12, name, sizeof(name))) < 0 || end + 4 > len)
		return;
	r->queries++;
	type = q[end] << 8 | q[end + 1];
	end += 4;
	memcpy(out, q, (size_t)end); /* id, flags, counts and the question */
	o = end;
	if (strcmp(name, "a.test") == 0 || strcmp(name, "six.test") == 0) {
		rcode = 0;
		if (type == 1 && name[0] == 'a' && inet_pton(AF_INET, "192.0.2.7", a4) == 1) {
			o = add_rr(out, o, 1, a4, 4);
			an = 1;
		} else if (type == 28) {
			inet_pton(AF_INET6, name[0] == 'a' ? "2001:db8::7" : "2001:db8::6", a6);
			o = add_rr(out, o, 28, a6, 16);
			an = 1;
		}
	} else {
		(void)answer_more(name, type, out, &o, &an, &rcode);
	}
	out[2] = (unsigned char)(0x80 | (q[2] & 0x79)); /* QR, opcode, RD */
	out[3] = (unsigned char)(0x80 | rcode);         /* RA, rcode */
	out[4] = 0, out[5] = 1;
	out[6] = 0, out[7] = (unsigned char)an;
	memset(out + 8, 0, 4);
	(void)sendto(w->fd, out, (size_t)o, 0, (struct sockaddr *)&from, flen);
}

/* Bind a UDP socket on 127.0.0.1 with a kernel-chosen port; returns fd, sets *port. */
static int udp_loopback(int *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Start the responder on loop. */
static void responder_start(struct ev_loop *loop, struct responder *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = udp_loopback(&r->port);
	ev_io_init(&r->io);
	ck_assert_int_eq(ev_io_start(loop, &r->io, r->fd, EV_READ, on_responder, r), 0);
}

/* ---- results ---- */

struct result {
	struct ev_loop *loop;
	struct dns **free_me; /* dns_free() this from the callback when set */
	int calls;
	int status;
	int n;
	char addr[DNS_MAX_ADDRS][64];
	int64_t at;
};

/* Store a result and stop the loop. */
static void on_addrs(const struct dns_addrs *res, void *arg)
{
	struct result *r = arg;

	r->calls++;
	r->status = res->status;
	r->n = res->n;
	r->at = ev_now_us();
	for (int i = 0; i < res->n && i < DNS_MAX_ADDRS; i++)
		net_addr_str(&res->addr[i], r->addr[i], sizeof(r->addr[i]));
	if (r->free_me != NULL) {
		dns_free(*r->free_me);
		*r->free_me = NULL;
	}
	if (r->loop != NULL)
		ev_break(r->loop);
}

/* Safety net: stop the loop after a few seconds. */
static void on_guard(struct ev_timer *t, void *arg)
{
	(void)t;
	ev_break(arg);
}

/* Run loop until a callback breaks it or secs pass. */
static void run_for(struct ev_loop *loop, int secs)
{
	struct ev_timer guard;

	ev_timer_init(&guard);
	ck_assert_int_eq(
		ev_timer_start(loop, &guard, ev_now_us() + secs * 1000000LL, on_guard, loop), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	ev_timer_stop(loop, &guard);
}

/* Resolver pointed at 127.0.0.1:port. */
static struct dns *dns_at(struct ev_loop *loop, int port)
{
	char servers[64], err[256] = "";
	struct dns *d;

	snprintf(servers, sizeof(servers), "127.0.0.1:%d", port);
	d = dns_new(loop, servers, err, sizeof(err));
	ck_assert_msg(d != NULL, "dns_new(%s): got NULL (%s), want a resolver", servers, err);
	return d;
}

/* ---- tests ---- */

static const struct {
	const char *name;
	int family;
	int want_status;
	const char *want;
} literal_cases[] = {
	{"192.0.2.1", AF_UNSPEC, ARES_SUCCESS, "192.0.2.1"},
	{"192.0.2.1", AF_INET, ARES_SUCCESS, "192.0.2.1"},
	{"2001:db8::1", AF_INET6, ARES_SUCCESS, "2001:db8::1"},
	{"[::1]", AF_UNSPEC, ARES_SUCCESS, "::1"},
	{"::1", AF_INET, ARES_ENOTFOUND, NULL},
	{"192.0.2.1", AF_INET6, ARES_ENOTFOUND, NULL},
	{"192.0.2.1", 12345, ARES_EBADFAMILY, NULL},
	{"", AF_UNSPEC, ARES_EBADNAME, NULL},
};

/* Literals complete with no query, never inside dns_addrs(). */
START_TEST(test_dns_literal)
{
	struct ev_loop *loop = ev_loop_new();
	struct responder resp;
	struct dns *d;
	struct result r = {0};

	responder_start(loop, &resp);
	d = dns_at(loop, resp.port);
	r.loop = loop;
	dns_addrs(d, literal_cases[_i].name, literal_cases[_i].family, on_addrs, &r);
	ck_assert_msg(r.calls == 0, "got a callback inside dns_addrs, want none");
	run_for(loop, 2);
	ck_assert_msg(r.calls == 1, "got %d callbacks, want 1", r.calls);
	ck_assert_msg(r.status == literal_cases[_i].want_status, "\"%s\": got status %s, want %s",
		      literal_cases[_i].name, dns_strerror(r.status),
		      dns_strerror(literal_cases[_i].want_status));
	if (literal_cases[_i].want != NULL)
		ck_assert_msg(r.n == 1 && strcmp(r.addr[0], literal_cases[_i].want) == 0,
			      "\"%s\": got %d addrs (%s), want 1 (%s)", literal_cases[_i].name, r.n,
			      r.n ? r.addr[0] : "", literal_cases[_i].want);
	ck_assert_msg(resp.queries == 0, "got %d queries for a literal, want 0", resp.queries);
	dns_free(d);
	close(resp.fd);
	ev_loop_free(loop);
}
END_TEST

static const struct {
	const char *name;
	int family;
	int want_status;
	int want_n;
	const char *want[2]; /* in any order */
} answer_cases[] = {
	{"a.test", AF_INET, ARES_SUCCESS, 1, {"192.0.2.7"}},
	{"a.test", AF_INET6, ARES_SUCCESS, 1, {"2001:db8::7"}},
	{"A.Test", AF_UNSPEC, ARES_SUCCESS, 2, {"192.0.2.7", "2001:db8::7"}},
	{"six.test", AF_UNSPEC, ARES_SUCCESS, 1, {"2001:db8::6"}},
	{"six.test", AF_INET, ARES_ENODATA, 0, {NULL}},
	{"nx.test", AF_INET, ARES_ENOTFOUND, 0, {NULL}},
	{"nx.test", AF_UNSPEC, ARES_ENOTFOUND, 0, {NULL}},
};

/* Answers, NODATA and NXDOMAIN from the in-test responder, all on one loop. */
START_TEST(test_dns_answers)
{
	struct ev_loop *loop = ev_loop_new();
	struct responder resp;
	struct dns *d;
	struct result r = {0};

	responder_start(loop, &resp);
	d = dns_at(loop, resp.port);
	r.loop = loop;
	dns_addrs(d, answer_cases[_i].name, answer_cases[_i].family, on_addrs, &r);
	ck_assert_msg(r.calls == 0, "got a callback inside dns_addrs, want none");
	run_for(loop, 4);
	ck_assert_msg(r.calls == 1, "%s: got %d callbacks, want 1", answer_cases[_i].name, r.calls);
	ck_assert_msg(resp.queries > 0, "%s: responder got no query", answer_cases[_i].name);
	ck_assert_msg(r.status == answer_cases[_i].want_status, "%s/%d: got status %s, want %s",
		      answer_cases[_i].name, answer_cases[_i].family, dns_strerror(r.status),
		      dns_strerror(answer_cases[_i].want_status));
	ck_assert_msg(r.n == answer_cases[_i].want_n, "%s: got %d addrs, want %d",
		      answer_cases[_i].name, r.n, answer_cases[_i].want_n);
	for (int i = 0; i < answer_cases[_i].want_n; i++) {
		int found = 0;

		for (int j = 0; j < r.n; j++)
			found |= strcmp(r.addr[j], answer_cases[_i].want[i]) == 0;
		ck_assert_msg(found, "%s: %s missing from the answer", answer_cases[_i].name,
			      answer_cases[_i].want[i]);
	}
	dns_free(d);
	close(resp.fd);
	ev_loop_free(loop);
}
END_TEST

/* Many queries at once on one resolver all complete. */
START_TEST(test_dns_parallel)
{
	struct ev_loop *loop = ev_loop_new();
	struct responder resp;
	struct dns *d;
	static struct result r[40];
	int done = 0;

	responder_start(loop, &resp);
	d = dns_at(loop, resp.port);
	for (int i = 0; i < NELEM(r); i++) {
		memset(&r[i], 0, sizeof(r[i]));
		dns_addrs(d, i % 2 ? "a.test" : "nx.test", AF_INET, on_addrs, &r[i]);
	}
	for (int round = 0; round < 200 && done < NELEM(r); round++) {
		ck_assert_int_ge(ev_run_once(loop, 50000), 0);
		done = 0;
		for (int i = 0; i < NELEM(r); i++)
			done += r[i].calls;
	}
	ck_assert_msg(done == NELEM(r), "got %d results, want %d", done, NELEM(r));
	for (int i = 0; i < NELEM(r); i++) {
		int want = i % 2 ? ARES_SUCCESS : ARES_ENOTFOUND;

		ck_assert_msg(r[i].status == want, "query %d: got %s, want %s", i,
			      dns_strerror(r[i].status), dns_strerror(want));
	}
	dns_free(d);
	close(resp.fd);
	ev_loop_free(loop);
}
END_TEST

/* A server that never answers: ARES_ETIMEOUT after tries x timeout (about 3 s). */
START_TEST(test_dns_timeout)
{
	struct ev_loop *loop = ev_loop_new();
	int port, fd = udp_loopback(&port);
	struct dns *d = dns_at(loop, port);
	struct result r = {.loop = loop};
	int64_t start = ev_now_us(), took;

	dns_addrs(d, "a.test", AF_INET, on_addrs, &r);
	run_for(loop, 8);
	took = r.at - start;
	ck_assert_msg(r.calls == 1, "got %d callbacks, want 1", r.calls);
	ck_assert_msg(r.status == ARES_ETIMEOUT, "got %s, want %s", dns_strerror(r.status),
		      dns_strerror(ARES_ETIMEOUT));
	ck_assert_msg(took >= 900000 && took < 4500000, "got %lld ms, want 900..4500 ms",
		      (long long)took / 1000);
	dns_free(d);
	close(fd);
	ev_loop_free(loop);
}
END_TEST

/* A closed port: ICMP port unreachable ends the query early with ECONNREFUSED. */
START_TEST(test_dns_refused)
{
	struct ev_loop *loop = ev_loop_new();
	int port, fd = udp_loopback(&port);
	struct dns *d;
	struct result r = {.loop = loop};

	close(fd); /* now nothing listens on port */
	d = dns_at(loop, port);
	dns_addrs(d, "a.test", AF_INET, on_addrs, &r);
	run_for(loop, 8);
	ck_assert_msg(r.calls == 1, "got %d callbacks, want 1", r.calls);
	ck_assert_msg(r.status == ARES_ECONNREFUSED, "got %s, want %s", dns_strerror(r.status),
		      dns_strerror(ARES_ECONNREFUSED));
	dns_free(d);
	ev_loop_free(loop);
}
END_TEST

/* dns_free with queries outstanding: callbacks run inside it with ECANCELLED, then nothing. */
START_TEST(test_dns_free_outstanding)
{
	struct ev_loop *loop = ev_loop_new();
	int port, fd = udp_loopback(&port);
	struct dns *d = dns_at(loop, port);
	struct result rq = {0}, rl = {0};

	dns_addrs(d, "a.test", AF_UNSPEC, on_addrs, &rq);  /* waits on a silent server */
	dns_addrs(d, "192.0.2.1", AF_INET, on_addrs, &rl); /* scheduled, not yet delivered */
	ck_assert_int_ge(ev_run_once(loop, 0), 0);
	ck_assert_msg(rq.calls == 0, "got %d early callbacks, want 0", rq.calls);
	rl.calls = 0; /* the literal may or may not have been delivered in that round */
	dns_free(d);
	ck_assert_msg(rq.calls == 1 && rq.status == ARES_ECANCELLED,
		      "got %d callbacks with %s, want 1 with %s", rq.calls, dns_strerror(rq.status),
		      dns_strerror(ARES_ECANCELLED));
	/* Every watcher of the resolver is gone: the loop has nothing left to run. */
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(rq.calls == 1 && rl.calls <= 1, "got late callbacks after dns_free");
	close(fd);
	ev_loop_free(loop);
}
END_TEST

/* The literal is still pending when dns_free runs: it gets ECANCELLED exactly once. */
START_TEST(test_dns_free_pending_literal)
{
	struct ev_loop *loop = ev_loop_new();
	struct dns *d = dns_at(loop, 9);
	struct result r = {0};

	dns_addrs(d, "192.0.2.1", AF_INET, on_addrs, &r);
	dns_free(d);
	ck_assert_msg(r.calls == 1 && r.status == ARES_ECANCELLED,
		      "got %d calls with %s, want 1 %s", r.calls, dns_strerror(r.status),
		      dns_strerror(ARES_ECANCELLED));
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_msg(r.calls == 1, "got %d calls after the loop ran, want 1", r.calls);
	ev_loop_free(loop);
}
END_TEST

/* A callback frees the resolver while another query is outstanding (ASan checks the rest). */
START_TEST(test_dns_free_from_callback)
{
	struct ev_loop *loop = ev_loop_new();
	struct responder resp;
	struct dns *d;
	struct result r1 = {0}, r2 = {0};

	responder_start(loop, &resp);
	d = dns_at(loop, resp.port);
	r1.loop = loop;
	r1.free_me = &d;
	dns_addrs(d, "192.0.2.1", AF_INET, on_addrs, &r1);
	dns_addrs(d, "a.test", AF_INET, on_addrs, &r2);
	run_for(loop, 4);
	ck_assert_msg(d == NULL, "resolver not freed by the callback");
	ck_assert_msg(r1.calls == 1 && r1.status == ARES_SUCCESS, "first: got %d calls %s",
		      r1.calls, dns_strerror(r1.status));
	ck_assert_msg(r2.calls == 1 && r2.status == ARES_ECANCELLED,
		      "second: got %d calls %s, want 1 %s", r2.calls, dns_strerror(r2.status),
		      dns_strerror(ARES_ECANCELLED));
	close(resp.fd);
	ev_loop_free(loop);
}
END_TEST

START_TEST(test_dns_bad_servers)
{
	struct ev_loop *loop = ev_loop_new();
	char err[256] = "";
	struct dns *d = dns_new(loop, "not an address", err, sizeof(err));

	ck_assert_msg(d == NULL, "got a resolver for a bad server list, want NULL");
	ck_assert_msg(err[0] != '\0', "got no error text");
	d = dns_new(loop, "[::1]:5353,127.0.0.1:15353", err, sizeof(err));
	ck_assert_msg(d != NULL, "got NULL (%s), want a resolver", err);
	dns_free(d);
	dns_free(NULL);
	ck_assert_msg(strcmp(dns_strerror(ARES_ENOTFOUND), ares_strerror(ARES_ENOTFOUND)) == 0,
		      "dns_strerror differs from ares_strerror");
	ev_loop_free(loop);
}
END_TEST

/* ---- MX, host (A + AAAA) and PTR lookups ---- */

struct more {
	struct ev_loop *loop;
	int calls;
	struct dns_mx_set mx;
	struct dns_mx_rr mx0; /* the first record (res->mx lives only during the callback) */
	struct dns_host host;
	struct dns_ptr ptr;
	struct dns_txt txt;
	char txt_text[3][32]; /* the records' text (res->rr lives only during the callback) */
	size_t txt_len[3];
};

static void on_mx(const struct dns_mx_set *res, void *arg)
{
	struct more *m = arg;

	m->calls++;
	m->mx = *res;
	if (res->n > 0)
		m->mx0 = res->mx[0];
	m->mx.mx = &m->mx0;
	ev_break(m->loop);
}

static void on_host(const struct dns_host *res, void *arg)
{
	struct more *m = arg;

	m->calls++;
	m->host = *res;
	ev_break(m->loop);
}

static void on_txt(const struct dns_txt *res, void *arg)
{
	struct more *m = arg;

	m->calls++;
	m->txt = *res;
	for (int i = 0; i < res->n && i < 3; i++) {
		m->txt_len[i] = res->rr[i].len;
		if (res->rr[i].len < sizeof(m->txt_text[i]))
			memcpy(m->txt_text[i], res->rr[i].text, res->rr[i].len + 1);
	}
	m->txt.rr = NULL;
	ev_break(m->loop);
}

static void on_ptr(const struct dns_ptr *res, void *arg)
{
	struct more *m = arg;

	m->calls++;
	m->ptr = *res;
	ev_break(m->loop);
}

static const struct {
	const char *name;
	int want_status;
	int want_n;
	int pref0;
	const char *name0; /* first record as answered */
} mx_cases[] = {
	{"mx.test", ARES_SUCCESS, 2, 20, "b.test"},
	{"null.test", ARES_SUCCESS, 1, 0, ""},
	{"a.test", ARES_ENODATA, 0, 0, NULL},
	{"nx.test", ARES_ENOTFOUND, 0, 0, NULL},
	{"fail.test", ARES_ESERVFAIL, 0, 0, NULL},
	{"cname-mx.test", ARES_ENODATA, 0, 0, NULL},
	{"", ARES_EBADNAME, 0, 0, NULL},
};

/* MX answers, null MX, NODATA, NXDOMAIN and SERVFAIL are told apart. */
START_TEST(test_dns_mx)
{
	struct ev_loop *loop = ev_loop_new();
	struct responder resp;
	struct dns *d;
	struct more m = {.loop = loop};

	responder_start(loop, &resp);
	d = dns_at(loop, resp.port);
	dns_mx(d, mx_cases[_i].name, on_mx, &m);
	ck_assert_msg(m.calls == 0, "got a callback inside dns_mx, want none");
	run_for(loop, 4);
	ck_assert_msg(m.calls == 1, "%s: got %d callbacks, want 1", mx_cases[_i].name, m.calls);
	ck_assert_msg(m.mx.status == mx_cases[_i].want_status, "%s: got %s, want %s",
		      mx_cases[_i].name, dns_strerror(m.mx.status),
		      dns_strerror(mx_cases[_i].want_status));
	ck_assert_msg(m.mx.n == mx_cases[_i].want_n, "%s: got %d records, want %d",
		      mx_cases[_i].name, m.mx.n, mx_cases[_i].want_n);
	if (mx_cases[_i].name0 != NULL)
		ck_assert_msg(m.mx.mx[0].pref == mx_cases[_i].pref0 &&
				      strcmp(m.mx.mx[0].name, mx_cases[_i].name0) == 0,
			      "%s: got %d '%s', want %d '%s'", mx_cases[_i].name, m.mx.mx[0].pref,
			      m.mx.mx[0].name, mx_cases[_i].pref0, mx_cases[_i].name0);
	dns_free(d);
	close(resp.fd);
	ev_loop_free(loop);
}
END_TEST

static const struct {
	const char *name;
	int want_status;
	int want_n;
} txt_cases[] = {
	{"txt.test", ARES_SUCCESS, 3},  {"a.test", ARES_ENODATA, 0},
	{"nx.test", ARES_ENOTFOUND, 0}, {"fail.test", ARES_ESERVFAIL, 0},
	{"", ARES_EBADNAME, 0},
};

/* TXT: the strings of one record joined, records kept apart and in order, a NUL kept, the statuses. */
START_TEST(test_dns_txt)
{
	struct ev_loop *loop = ev_loop_new();
	struct responder resp;
	struct dns *d;
	struct more m = {.loop = loop};

	responder_start(loop, &resp);
	d = dns_at(loop, resp.port);
	dns_txt(d, txt_cases[_i].name, on_txt, &m);
	ck_assert_msg(m.calls == 0, "got a callback inside dns_txt, want none");
	run_for(loop, 4);
	ck_assert_msg(m.calls == 1, "%s: got %d callbacks, want 1", txt_cases[_i].name, m.calls);
	ck_assert_msg(m.txt.status == txt_cases[_i].want_status, "%s: got %s, want %s",
		      txt_cases[_i].name, dns_strerror(m.txt.status),
		      dns_strerror(txt_cases[_i].want_status));
	ck_assert_msg(m.txt.n == txt_cases[_i].want_n, "%s: got %d records, want %d",
		      txt_cases[_i].name, m.txt.n, txt_cases[_i].want_n);
	if (m.txt.n == 3) {
		ck_assert_str_eq(m.txt_text[0], "v=spf1 -all");
		ck_assert_uint_eq(m.txt_len[0], 11);
		ck_assert_uint_eq(m.txt_len[1], 0);
		ck_assert_uint_eq(m.txt_len[2], 3);
		ck_assert_msg(memcmp(m.txt_text[2], "a\0b", 4) == 0, "the NUL byte was not kept");
	}
	dns_free(d);
	close(resp.fd);
	ev_loop_free(loop);
}
END_TEST

static const struct {
	const char *name;
	int family;
	int want_status;
	int want_n;
	int want_cname;
	const char *want_canon;
} host_cases[] = {
	{"a.test", AF_UNSPEC, ARES_SUCCESS, 2, 0, ""},
	{"a.test", AF_INET6, ARES_SUCCESS, 1, 0, ""},
	{"six.test", AF_UNSPEC, ARES_SUCCESS, 1, 0, ""},
	{"six.test", AF_INET, ARES_ENODATA, 0, 0, ""},
	{"alias.test", AF_UNSPEC, ARES_SUCCESS, 1, 1, "a.test"},
	{"chain.test", AF_INET, ARES_SUCCESS, 1, 1, "a.test"},
	{"mx.test", AF_UNSPEC, ARES_ENODATA, 0, 0, ""},
	{"nx.test", AF_UNSPEC, ARES_ENOTFOUND, 0, 0, ""},
	{"fail.test", AF_UNSPEC, ARES_ESERVFAIL, 0, 0, ""},
	{"a.test", 12345, ARES_EBADFAMILY, 0, 0, ""},
};

/* A + AAAA in parallel: addresses of both, NODATA vs NXDOMAIN, CNAME detection. */
START_TEST(test_dns_host)
{
	struct ev_loop *loop = ev_loop_new();
	struct responder resp;
	struct dns *d;
	struct more m = {.loop = loop};

	responder_start(loop, &resp);
	d = dns_at(loop, resp.port);
	dns_host(d, host_cases[_i].name, host_cases[_i].family, on_host, &m);
	ck_assert_msg(m.calls == 0, "got a callback inside dns_host, want none");
	run_for(loop, 4);
	ck_assert_msg(m.calls == 1, "%s: got %d callbacks, want 1", host_cases[_i].name, m.calls);
	ck_assert_msg(m.host.status == host_cases[_i].want_status, "%s/%d: got %s, want %s",
		      host_cases[_i].name, host_cases[_i].family, dns_strerror(m.host.status),
		      dns_strerror(host_cases[_i].want_status));
	ck_assert_msg(m.host.n == host_cases[_i].want_n, "%s: got %d addrs, want %d",
		      host_cases[_i].name, m.host.n, host_cases[_i].want_n);
	/* c-ares < 1.28's parser names the first hop of a longer chain as canonical. */
	if (strcmp(dns_wire_api(), "legacy") == 0 && strcmp(host_cases[_i].name, "chain.test") == 0)
		ck_assert_msg(m.host.cname == 1, "chain.test: got cname %d, want 1", m.host.cname);
	else
		ck_assert_msg(m.host.cname == host_cases[_i].want_cname &&
				      strcmp(m.host.canon, host_cases[_i].want_canon) == 0,
			      "%s: got cname %d '%s', want %d '%s'", host_cases[_i].name,
			      m.host.cname, m.host.canon, host_cases[_i].want_cname,
			      host_cases[_i].want_canon);
	dns_free(d);
	close(resp.fd);
	ev_loop_free(loop);
}
END_TEST

static const struct {
	const char *addr;
	int want_status;
	const char *want;  /* a name (the only one when want2 is NULL) */
	const char *want2; /* the other name, in any order (an RRset has none) */
} ptr_cases[] = {
	{"192.0.2.7", ARES_SUCCESS, "a.test", NULL},
	{"192.0.2.9", ARES_SUCCESS, "a.test", "b.test"},
	{"192.0.2.8", ARES_ENOTFOUND, NULL, NULL},
	{"2001:db8::7", ARES_ENOTFOUND, NULL, NULL},
};

/* PTR lookups through the reverse name. */
START_TEST(test_dns_ptr)
{
	struct ev_loop *loop = ev_loop_new();
	struct responder resp;
	struct dns *d;
	struct more m = {.loop = loop};
	struct net_addr a;

	responder_start(loop, &resp);
	d = dns_at(loop, resp.port);
	ck_assert_int_eq(net_addr_parse(ptr_cases[_i].addr, 25, &a), 0);
	dns_ptr(d, &a, on_ptr, &m);
	run_for(loop, 4);
	ck_assert_msg(m.calls == 1, "%s: got %d callbacks, want 1", ptr_cases[_i].addr, m.calls);
	ck_assert_msg(m.ptr.status == ptr_cases[_i].want_status, "%s: got %s, want %s",
		      ptr_cases[_i].addr, dns_strerror(m.ptr.status),
		      dns_strerror(ptr_cases[_i].want_status));
	if (ptr_cases[_i].want != NULL && ptr_cases[_i].want2 == NULL)
		ck_assert_msg(m.ptr.n == 1 && strcmp(m.ptr.name[0], ptr_cases[_i].want) == 0,
			      "%s: got %d names (%s), want %s", ptr_cases[_i].addr, m.ptr.n,
			      m.ptr.n ? m.ptr.name[0] : "", ptr_cases[_i].want);
	if (ptr_cases[_i].want2 != NULL) {
		int fwd = m.ptr.n == 2 && strcmp(m.ptr.name[0], ptr_cases[_i].want) == 0 &&
			  strcmp(m.ptr.name[1], ptr_cases[_i].want2) == 0;
		int rev = m.ptr.n == 2 && strcmp(m.ptr.name[1], ptr_cases[_i].want) == 0 &&
			  strcmp(m.ptr.name[0], ptr_cases[_i].want2) == 0;

		ck_assert_msg(fwd || rev, "%s: got %d names (%s, %s), want %s and %s",
			      ptr_cases[_i].addr, m.ptr.n, m.ptr.n > 0 ? m.ptr.name[0] : "",
			      m.ptr.n > 1 ? m.ptr.name[1] : "", ptr_cases[_i].want,
			      ptr_cases[_i].want2);
	}
	dns_free(d);
	close(resp.fd);
	ev_loop_free(loop);
}
END_TEST

/* The build uses the record API where c-ares has it (1.28+), the old parsers before. */
START_TEST(test_dns_wire_api)
{
	const char *want = ARES_VERSION >= 0x011c00 ? "dnsrec" : "legacy";

	ck_assert_msg(strcmp(dns_wire_api(), want) == 0, "c-ares %s: got API %s, want %s",
		      ARES_VERSION_STR, dns_wire_api(), want);
}
END_TEST

/* Reverse names (RFC 1035 §3.5, RFC 3596 §2.5) and name comparison. */
START_TEST(test_dns_names)
{
	struct net_addr a;
	char name[DNS_NAME_MAX], small[8];

	ck_assert_int_eq(net_addr_parse("192.0.2.7", 0, &a), 0);
	ck_assert_int_eq(dns_reverse_name(&a, name, sizeof(name)), 0);
	ck_assert_msg(strcmp(name, "7.2.0.192.in-addr.arpa") == 0, "got %s", name);
	ck_assert_msg(dns_reverse_name(&a, small, sizeof(small)) == -1, "got 0 for a short buffer");
	ck_assert_int_eq(net_addr_parse("2001:db8::1", 0, &a), 0);
	ck_assert_int_eq(dns_reverse_name(&a, name, sizeof(name)), 0);
	ck_assert_msg(strcmp(name,
			     "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
			     "ip6.arpa") == 0,
		      "got %s", name);
	ck_assert_msg(dns_name_eq("Mail.Lab.Test.", "mail.lab.test"), "got unequal, want equal");
	ck_assert_msg(!dns_name_eq("mail.lab.test", "mail.lab.tes"), "got equal, want unequal");
	ck_assert_msg(!dns_name_eq("a..", "a"), "got equal for two dots, want unequal");
}
END_TEST

Suite *dns_suite(void);

Suite *dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("dns");

	tcase_set_timeout(tc, 15);
	tcase_add_loop_test(tc, test_dns_literal, 0, NELEM(literal_cases));
	tcase_add_loop_test(tc, test_dns_answers, 0, NELEM(answer_cases));
	tcase_add_test(tc, test_dns_parallel);
	tcase_add_test(tc, test_dns_timeout);
	tcase_add_test(tc, test_dns_refused);
	tcase_add_test(tc, test_dns_free_outstanding);
	tcase_add_test(tc, test_dns_free_pending_literal);
	tcase_add_test(tc, test_dns_free_from_callback);
	tcase_add_test(tc, test_dns_bad_servers);
	tcase_add_loop_test(tc, test_dns_mx, 0, NELEM(mx_cases));
	tcase_add_loop_test(tc, test_dns_host, 0, NELEM(host_cases));
	tcase_add_loop_test(tc, test_dns_ptr, 0, NELEM(ptr_cases));
	tcase_add_loop_test(tc, test_dns_txt, 0, NELEM(txt_cases));
	tcase_add_test(tc, test_dns_names);
	tcase_add_test(tc, test_dns_wire_api);
	suite_add_tcase(s, tc);
	return s;
}
