/*
 * faultsrv.c - a fault-injecting SMTP server for the mailpath test lab.
 *
 * One process serves ONE scenario on one listening address. Single-threaded,
 * poll()-based, non-blocking; each client is an independent state machine, so
 * a stalled client never blocks another. OpenSSL provides STARTTLS (RFC 3207)
 * and implicit TLS (RFC 8314). Without fault rules it is a well-behaved ESMTP
 * server (RFC 5321) with AUTH PLAIN/LOGIN/CRAM-MD5 (RFC 4954, 4616, 2195).
 *
 *   faultsrv -s SCENARIO_FILE [-l ADDR:PORT] [-p PIDFILE] [-L LOGFILE] [-d]
 *
 * Scenario file: one directive per line; a line whose first non-blank is '#'
 * is a comment, blank lines are ignored, no trailing comments. "@LAB@" is
 * replaced by $MAILPATH_LAB (default "lab") everywhere.
 *   listen ADDR:PORT       127.0.0.1:31001 or [::1]:31001
 *   cert PATH              PEM cert chain (key too unless `key` is given)
 *   key PATH
 *   implicit-tls           TLS handshake before the greeting
 *   hostname NAME          default fault.lab.test
 *   auth USER PASS         advertise and check AUTH PLAIN LOGIN CRAM-MD5
 *   no-starttls            never advertise STARTTLS
 *   backlog-full           never accept; fill the accept queue (connect timeout)
 *   tls-version VERSION    serve only TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3 (needs cert;
 *                          below 1.2 at security level 0, as old servers are)
 *   require-client-cert    the handshake requires a client certificate (TLS 1.3:
 *                          alert 116 certificate_required after the client's Finished)
 *   security-level N       OpenSSL security level 0..5 of the server context, set
 *                          before the cert is loaded (0: a 1024-bit RSA or SHA-1 cert)
 *   ocsp-staple PATH       staple this DER OCSP response when the client asks for one
 *   on PHASE ACTION [ARG]  at most one rule per phase
 * PHASE: connect greeting ehlo helo starttls tls ehlo2 auth mail rcpt data dot
 *        rset noop quit            (dot = the reply after the final "." of DATA)
 * ACTION: reply TEXT | reply-close TEXT | drop | reset | stall | delay SECS |
 *         drip SECS | endless | longline BYTES | garbage BYTES | inject TEXT |
 *         flood (tls only) | raw-garbage BYTES (inside TLS, beneath the TLS layer) |
 *         reneg-client-cert (inside TLS 1.2: renegotiate, demanding a client certificate)
 * In TEXT, "\n" separates reply lines and "\\" is a backslash. See
 * tests/tools/README.md for the full semantics.
 *
 * Ownership: the server owns the scenario, the SSL_CTX and every client; a
 * client owns its fd, SSL and buffers. Credentials are never logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#define FS_MAX_CLIENTS 512
#define FS_LINE_MAX 2048         /* longest client line accepted, without CRLF */
#define FS_IN_CAP 4096           /* input buffer per client */
#define FS_OUT_LOW 16384         /* generators refill below this many pending bytes */
#define FS_OUT_MAX (4u << 20)    /* output buffer cap per client */
#define FS_IDLE_SECS 300.0       /* close a client silent for this long */
#define FS_ENDLESS_LINES 50      /* endless: lines per batch ... */
#define FS_ENDLESS_EVERY 0.010   /* ... every this many seconds */
#define FS_FLOOD_FILL (1u << 20) /* flood: keep this many bytes queued */
#define FS_DEFAULT_HOST "fault.lab.test"

enum phase {
	PH_CONNECT,
	PH_GREETING,
	PH_EHLO,
	PH_HELO,
	PH_STARTTLS,
	PH_TLS,
	PH_EHLO2,
	PH_AUTH,
	PH_MAIL,
	PH_RCPT,
	PH_DATA,
	PH_DOT,
	PH_RSET,
	PH_NOOP,
	PH_QUIT,
	PH_COUNT
};
static const char *const phase_names[PH_COUNT] = {"connect", "greeting", "ehlo", "helo", "starttls",
						  "tls",     "ehlo2",    "auth", "mail", "rcpt",
						  "data",    "dot",      "rset", "noop", "quit"};

enum action {
	ACT_NONE,
	ACT_REPLY,
	ACT_REPLY_CLOSE,
	ACT_DROP,
	ACT_RESET,
	ACT_STALL,
	ACT_DELAY,
	ACT_DRIP,
	ACT_ENDLESS,
	ACT_LONGLINE,
	ACT_GARBAGE,
	ACT_INJECT,
	ACT_FLOOD,
	ACT_RAW_GARBAGE,
	ACT_RENEG_CERT,
	ACT_COUNT
};
static const char *const action_names[ACT_COUNT] = {
	"none",    "reply",  "reply-close", "drop",        "reset",
	"stall",   "delay",  "drip",        "endless",     "longline",
	"garbage", "inject", "flood",       "raw-garbage", "reneg-client-cert"};

/* One fault rule: what to do at a phase instead of the normal behaviour. */
struct rule {
	enum action act;
	double secs;  /* delay, drip */
	size_t bytes; /* longline, garbage, raw-garbage */
	char *text;   /* reply, reply-close, inject: lines each ending in CRLF */
};

struct scenario {
	char *listen, *cert, *key, *hostname, *user, *pass;
	int implicit_tls, no_starttls, backlog_full, require_client_cert;
	int tls_version; /* tls-version: the one protocol served (TLS1_VERSION...), 0 any */
	int seclevel_set, seclevel; /* security-level */
	char *ocsp;                 /* ocsp-staple: the DER file */
	unsigned char *ocsp_der;    /* its bytes, read with the TLS context */
	long ocsp_len;
	struct rule rules[PH_COUNT];
};

/* Client session stages; one transition point per stage (see client_step). */
enum stage {
	ST_CONNECT,
	ST_TLS_START,
	ST_TLS_HELLO,
	ST_TLS_ACCEPT,
	ST_GREETING,
	ST_CMD,
	ST_DATA,
	ST_AUTH_PLAIN,
	ST_AUTH_USER,
	ST_AUTH_PASS,
	ST_AUTH_CRAM,
	ST_STALL,
	ST_DEAD
};

enum gen { GEN_NONE, GEN_ENDLESS, GEN_LONGLINE, GEN_GARBAGE, GEN_FLOOD };
enum how { CL_GRACEFUL, CL_ABRUPT, CL_RST };
/* Outcome of applying a phase's rule. */
enum rres { RR_NORMAL, RR_DONE, RR_OK, RR_HELD };

struct server;

struct client {
	struct server *srv;
	int fd;
	SSL *ssl;
	unsigned id;
	enum stage st;
	int tls, greeted, greet_rejected, helo, mail, rcpts, authed;
	int no_read;         /* plaintext must not be read (TLS about to start) */
	int tls_after_flush; /* start TLS once the output is flushed */
	int close_after_flush, eof, ssl_want_write;
	int raw_out; /* write beneath TLS (raw-garbage) */
	int holding, delay_done;
	double t_hold, drip, t_drip, t_gen, t_idle;
	enum gen gen;
	size_t gen_left;
	unsigned long gen_n;
	uint32_t rng;
	char gen_code[5];
	size_t data_bytes;
	char login_user[256];
	char cram_chal[160];
	char peer[80];
	char in[FS_IN_CAP];
	size_t in_len;
	char *out;
	size_t out_len, out_off, out_cap;
};

struct server {
	struct scenario sc;
	SSL_CTX *ctx;
	int lfd;
	int selfc[2];
	FILE *log;
	unsigned next_id;
	size_t n;
	struct client *cl[FS_MAX_CLIENTS];
};

static volatile sig_atomic_t fs_stop;

/* Monotonic time in seconds. */
static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Write one timestamped log line for connection id (0 = server). */
__attribute__((format(printf, 3, 4))) static void fs_log(const struct server *s, unsigned id,
							 const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(s->log, "%s.%03ld [%u] ", stamp, ts.tv_nsec / 1000000, id);
	va_start(ap, fmt);
	vfprintf(s->log, fmt, ap);
	va_end(ap);
	fputc('\n', s->log);
}

/* Log one protocol line, non-printables as '.', truncated to 160 bytes. */
static void log_line(const struct client *c, char dir, const char *p, size_t n)
{
	char buf[161];
	size_t i, k = n < 160 ? n : 160;

	for (i = 0; i < k; i++)
		buf[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '.';
	buf[k] = '\0';
	fs_log(c->srv, c->id, "%c: %s%s", dir, buf, n > k ? "..." : "");
}

/* Close the connection now: graceful (FIN, TLS close_notify), abrupt, or RST. */
static void client_close(struct client *c, enum how how, const char *why)
{
	char junk[4096];
	struct linger lg = {1, 0};

	if (c->st == ST_DEAD)
		return;
	fs_log(c->srv, c->id, "close (%s)%s", why, how == CL_RST ? " with RST" : "");
	if (c->ssl && how == CL_GRACEFUL && c->tls)
		SSL_shutdown(c->ssl);
	if (how == CL_RST) {
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	} else {
		/* FIN first, then drain, so unread input does not turn it into RST. */
		shutdown(c->fd, SHUT_WR);
		while (recv(c->fd, junk, sizeof junk, MSG_DONTWAIT) > 0)
			;
	}
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	c->st = ST_DEAD;
}

/* Append raw bytes to the output buffer (closing the client past the cap). */
static void out_put(struct client *c, const char *p, size_t n)
{
	size_t cap;
	char *nb;

	if (c->st == ST_DEAD)
		return;
	if (c->out_len + n > c->out_cap && c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + n > c->out_cap) {
		cap = c->out_cap ? c->out_cap * 2 : 4096;
		while (cap < c->out_len + n)
			cap *= 2;
		nb = cap <= FS_OUT_MAX ? realloc(c->out, cap) : NULL;
		if (!nb) {
			client_close(c, CL_ABRUPT, "output buffer full");
			return;
		}
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

/* Queue reply text whose lines already end in CRLF, logging each line. */
static void out_text(struct client *c, const char *text)
{
	const char *p = text, *e;

	while (*p && (e = strstr(p, "\r\n")) != NULL) {
		log_line(c, 'S', p, (size_t)(e - p));
		p = e + 2;
	}
	out_put(c, text, strlen(text));
}

/* Queue one formatted reply line, CRLF appended. */
__attribute__((format(printf, 2, 3))) static void out_fmt(struct client *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf - 2)
		n = (int)strlen(buf);
	log_line(c, 'S', buf, (size_t)n);
	memcpy(buf + n, "\r\n", 2);
	out_put(c, buf, (size_t)n + 2);
}

/* Read up to n bytes: >0 bytes, 0 EOF, -1 error, -2 would block. */
static ssize_t io_read(struct client *c, char *p, size_t n)
{
	ssize_t r;
	int rc, err;

	if (c->ssl) {
		ERR_clear_error();
		rc = SSL_read(c->ssl, p, (int)n);
		if (rc > 0) {
			c->ssl_want_write = 0;
			return rc;
		}
		err = SSL_get_error(c->ssl, rc);
		c->ssl_want_write = err == SSL_ERROR_WANT_WRITE;
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
			return -2;
		return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
	}
	r = recv(c->fd, p, n, 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return -2;
	return r;
}

/* Write up to n bytes: bytes written, -1 error, -2 would block. */
static ssize_t io_write(struct client *c, const char *p, size_t n)
{
	ssize_t r;
	int rc, err;

	if (c->ssl && !c->raw_out) {
		ERR_clear_error();
		rc = SSL_write(c->ssl, p, (int)(n > 65536 ? 65536 : n));
		if (rc > 0) {
			c->ssl_want_write = 0;
			return rc;
		}
		err = SSL_get_error(c->ssl, rc);
		c->ssl_want_write = err == SSL_ERROR_WANT_WRITE;
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
			return -2;
		return -1;
	}
	r = send(c->fd, p, n, MSG_NOSIGNAL);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return -2;
	return r;
}

/* Start a byte generator (endless, longline, garbage, flood) and stop reading commands. */
static void gen_start(struct client *c, enum gen g, size_t bytes, enum phase ph)
{
	snprintf(c->gen_code, sizeof c->gen_code, "%s",
		 ph == PH_GREETING || ph == PH_CONNECT ? "220" : "250");
	c->gen = g;
	c->gen_left = bytes;
	c->gen_n = 0;
	c->t_gen = now_mono();
	c->st = ST_STALL;
	if (g == GEN_LONGLINE && bytes >= 4) {
		out_put(c, c->gen_code, 3);
		out_put(c, " ", 1);
		c->gen_left -= 4;
	}
	fs_log(c->srv, c->id, "S: <%s %zu bytes%s>",
	       g == GEN_ENDLESS    ? "endless reply"
	       : g == GEN_LONGLINE ? "long line"
	       : g == GEN_FLOOD    ? "endless HelloRequest records"
				   : "garbage",
	       bytes, c->raw_out ? ", beneath TLS" : "");
}

/*
 * Ask a TLS 1.2 client to renegotiate (RFC 5246 section 7.4.1.1 HelloRequest,
 * RFC 5746) with a client certificate required: without one the server
 * aborts with handshake_failure (alert 40), an alert after the handshake.
 * Input is then read (driving the renegotiation) and discarded.
 */
static void reneg_client_cert(struct client *c)
{
	c->st = ST_STALL;
	if (!c->ssl || !c->tls || SSL_version(c->ssl) != TLS1_2_VERSION) {
		client_close(c, CL_ABRUPT, "reneg-client-cert needs a TLS 1.2 session");
		return;
	}
	SSL_set_verify(c->ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	ERR_clear_error();
	/* A verifying server needs a session id context, or it answers internal_error. */
	if (SSL_set_session_id_context(c->ssl, (const unsigned char *)"faultsrv", 8) != 1 ||
	    SSL_renegotiate(c->ssl) != 1) {
		client_close(c, CL_ABRUPT, "SSL_renegotiate failed");
		return;
	}
	(void)SSL_do_handshake(c->ssl); /* sends the HelloRequest; the rest comes with reads */
	ERR_clear_error();
	fs_log(c->srv, c->id, "S: <TLS HelloRequest: renegotiate with a client certificate>");
}

/*
 * Apply the rule of phase ph. RR_NORMAL: do the normal thing (perhaps dripped);
 * RR_OK: a custom positive reply was sent, apply the normal state change;
 * RR_DONE: handled; RR_HELD: delayed, call again when the timer fires.
 */
static enum rres client_rule(struct client *c, enum phase ph)
{
	const struct rule *r = &c->srv->sc.rules[ph];

	if (r->act == ACT_NONE || c->st == ST_DEAD)
		return RR_NORMAL;
	if (c->delay_done) {
		c->delay_done = 0;
		return RR_NORMAL;
	}
	fs_log(c->srv, c->id, "fault: on %s %s", phase_names[ph], action_names[r->act]);
	switch (r->act) {
	case ACT_DELAY:
		c->holding = 1;
		c->t_hold = now_mono() + r->secs;
		return RR_HELD;
	case ACT_DRIP:
		c->drip = r->secs;
		c->t_drip = now_mono();
		return RR_NORMAL;
	case ACT_REPLY:
	case ACT_REPLY_CLOSE:
		out_text(c, r->text);
		/* RFC 5321 §3.8: after 421 (or 221) the server closes. */
		if (r->act == ACT_REPLY_CLOSE || !strncmp(r->text, "421", 3) ||
		    !strncmp(r->text, "221", 3)) {
			c->close_after_flush = 1;
			return RR_DONE;
		}
		return (r->text[0] == '2' || r->text[0] == '3') ? RR_OK : RR_DONE;
	case ACT_DROP: client_close(c, CL_ABRUPT, "fault drop"); return RR_DONE;
	case ACT_RESET: client_close(c, CL_RST, "fault reset"); return RR_DONE;
	case ACT_STALL: c->st = ST_STALL; return RR_DONE;
	case ACT_ENDLESS: gen_start(c, GEN_ENDLESS, 0, ph); return RR_DONE;
	case ACT_LONGLINE: gen_start(c, GEN_LONGLINE, r->bytes, ph); return RR_DONE;
	case ACT_GARBAGE: gen_start(c, GEN_GARBAGE, r->bytes, ph); return RR_DONE;
	case ACT_FLOOD: gen_start(c, GEN_FLOOD, 0, ph); return RR_DONE;
	case ACT_RAW_GARBAGE:
		c->raw_out = 1;
		gen_start(c, GEN_GARBAGE, r->bytes, ph);
		return RR_DONE;
	case ACT_RENEG_CERT: reneg_client_cert(c); return RR_DONE;
	default: return RR_NORMAL; /* inject: the caller adds the text */
	}
}

/*
 * Queue TLS handshake records (RFC 8446 section 5.1: type 22, legacy version
 * 0x0303, the maximum 2^14 bytes) each holding 4096 empty HelloRequest
 * messages (type 0, length 0; RFC 5246 section 7.4.1.1), which a client still
 * negotiating skips, until FS_FLOOD_FILL bytes wait: the socket never runs dry.
 */
static void gen_flood(struct client *c)
{
	static const char hdr[5] = {22, 3, 3, 0x40, 0x00};
	static const char body[16384];

	while (c->st != ST_DEAD && c->out_len - c->out_off < FS_FLOOD_FILL) {
		out_put(c, hdr, sizeof hdr);
		out_put(c, body, sizeof body);
	}
}

/* Fill the output from the active generator; 1 if bytes were added. */
static int client_gen(struct client *c, double now)
{
	char chunk[8192];
	size_t i, k;
	int n = 0;

	if (c->gen == GEN_NONE || c->st == ST_DEAD || c->out_len - c->out_off >= FS_OUT_LOW)
		return 0;
	if (c->gen == GEN_FLOOD) {
		gen_flood(c);
		return 1;
	}
	if (c->gen == GEN_ENDLESS) {
		if (now < c->t_gen)
			return 0;
		for (i = 0; i < FS_ENDLESS_LINES; i++)
			n += snprintf(chunk + n, sizeof chunk - (size_t)n, "%s-line %lu\r\n",
				      c->gen_code, ++c->gen_n);
		out_put(c, chunk, (size_t)n);
		c->t_gen = now + FS_ENDLESS_EVERY;
		return 1;
	}
	k = c->gen_left < sizeof chunk ? c->gen_left : sizeof chunk;
	for (i = 0; i < k; i++) {
		if (c->gen == GEN_LONGLINE) {
			chunk[i] = (char)('a' + (c->gen_n++ % 26));
			continue;
		}
		c->rng ^= c->rng << 13; /* xorshift32, seeded per client */
		c->rng ^= c->rng >> 17;
		c->rng ^= c->rng << 5;
		chunk[i] = (i % 8 == 0) ? "\0\xff\r\n"[(i / 8) % 4] : (char)(c->rng & 0xff);
	}
	out_put(c, chunk, k);
	c->gen_left -= k;
	if (c->gen_left == 0) {
		if (c->gen == GEN_GARBAGE)
			c->close_after_flush = 1;
		c->gen = GEN_NONE;
	}
	return k > 0;
}

/* Send pending output (one byte per interval when dripping); 1 on progress. */
static int client_flush(struct client *c, double now)
{
	size_t n;
	ssize_t w;
	int did = 0;

	while (c->st != ST_DEAD && c->out_off < c->out_len) {
		n = c->out_len - c->out_off;
		if (c->drip > 0) {
			if (now < c->t_drip)
				return did;
			n = 1;
		}
		w = io_write(c, c->out + c->out_off, n);
		if (w == -2)
			return did;
		if (w < 0) {
			client_close(c, CL_ABRUPT, "write failed");
			return 1;
		}
		c->out_off += (size_t)w;
		did = 1;
		if (c->drip > 0) {
			c->t_drip = now + c->drip;
			return did;
		}
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->drip > 0) {
			c->drip = 0;
			did = 1;
		}
	}
	return did;
}

/* Base64-decode NUL-terminated in into out (cap bytes); length or -1. */
static int b64_decode(const char *in, unsigned char *out, size_t cap)
{
	size_t n = strlen(in), pad = 0;
	int r;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap)
		return -1;
	pad = (in[n - 1] == '=') + (in[n - 2] == '=');
	r = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	return r < 0 ? -1 : r - (int)pad;
}

/* Finish an AUTH exchange: RFC 4954 §6 replies 235 or 535. */
static void auth_result(struct client *c, int ok)
{
	fs_log(c->srv, c->id, "auth %s", ok ? "succeeded" : "failed");
	if (ok)
		out_fmt(c, "235 2.7.0 Authentication successful");
	else
		out_fmt(c, "535 5.7.8 Error: authentication failed");
	c->authed = ok;
	c->st = ST_CMD;
	OPENSSL_cleanse(c->login_user, sizeof c->login_user);
}

/* True if user and pass match the scenario's credentials. */
static int cred_ok(const struct client *c, const char *user, const char *pass)
{
	return !strcmp(user, c->srv->sc.user) && !strcmp(pass, c->srv->sc.pass);
}

/* Check an RFC 4616 PLAIN message: authzid NUL authcid NUL passwd. */
static void auth_plain(struct client *c, const char *b64)
{
	unsigned char buf[1600];
	const char *authcid, *pw;
	int n = b64_decode(b64, buf, sizeof buf - 1);
	int ok = 0;

	if (n >= 0) {
		buf[n] = '\0';
		authcid = memchr(buf, '\0', (size_t)n);
		pw = authcid ? memchr(authcid + 1, '\0',
				      (size_t)n - (size_t)(authcid + 1 - (char *)buf))
			     : NULL;
		ok = pw && cred_ok(c, authcid + 1, pw + 1);
	}
	OPENSSL_cleanse(buf, sizeof buf);
	auth_result(c, ok);
}

/* Check an RFC 2195 CRAM-MD5 response "user hex(HMAC-MD5(pass, challenge))". */
static void auth_cram(struct client *c, const char *b64)
{
	unsigned char buf[1600], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char hex[2 * EVP_MAX_MD_SIZE + 1], *sp;
	const char *pass = c->srv->sc.pass;
	int n = b64_decode(b64, buf, sizeof buf - 1), ok = 0;

	if (n > 0) {
		buf[n] = '\0';
		sp = strrchr((char *)buf, ' ');
		if (sp && HMAC(EVP_md5(), pass, (int)strlen(pass), (unsigned char *)c->cram_chal,
			       strlen(c->cram_chal), md, &mdlen)) {
			*sp = '\0';
			for (i = 0; i < mdlen; i++)
				snprintf(hex + 2 * i, 3, "%02x", md[i]);
			ok = !strcmp((char *)buf, c->srv->sc.user) && !strcasecmp(sp + 1, hex);
		}
	}
	OPENSSL_cleanse(buf, sizeof buf);
	auth_result(c, ok);
}

/* Handle one line of an AUTH exchange (client responses to 334). */
static void auth_line(struct client *c, const char *line)
{
	unsigned char buf[300];
	int n;

	fs_log(c->srv, c->id, "C: <auth data>");
	if (!strcmp(line, "*")) { /* RFC 4954 §4: client cancels */
		out_fmt(c, "501 5.7.0 Authentication aborted");
		c->st = ST_CMD;
		return;
	}
	switch (c->st) {
	case ST_AUTH_PLAIN: auth_plain(c, line); return;
	case ST_AUTH_CRAM: auth_cram(c, line); return;
	case ST_AUTH_USER:
		n = b64_decode(line, buf, sizeof buf - 1);
		if (n < 0 || (size_t)n >= sizeof c->login_user) {
			auth_result(c, 0);
			return;
		}
		memcpy(c->login_user, buf, (size_t)n);
		c->login_user[n] = '\0';
		out_fmt(c, "334 UGFzc3dvcmQ6");
		c->st = ST_AUTH_PASS;
		break;
	default: /* ST_AUTH_PASS */
		n = b64_decode(line, buf, sizeof buf - 1);
		if (n >= 0)
			buf[n] = '\0';
		auth_result(c, n >= 0 && cred_ok(c, c->login_user, (char *)buf));
		break;
	}
	OPENSSL_cleanse(buf, sizeof buf);
}

/* Start AUTH mech [initial-response] (RFC 4954 §4). */
static void auth_start(struct client *c, const char *arg)
{
	char mech[32] = "", ir[FS_LINE_MAX + 1] = "";
	unsigned char enc[sizeof c->cram_chal * 2];
	uint32_t rnd = 0;

	if (!c->srv->sc.user) {
		out_fmt(c, "503 5.5.1 Error: authentication not enabled");
		return;
	}
	if (c->authed || c->mail) {
		out_fmt(c, "503 5.5.1 Error: %s",
			c->authed ? "already authenticated" : "MAIL transaction in progress");
		return;
	}
	sscanf(arg, "%31s %2048s", mech, ir);
	if (!strcasecmp(mech, "PLAIN")) {
		if (ir[0] && strcmp(ir, "="))
			auth_plain(c, ir);
		else if (ir[0])
			auth_result(c, 0);
		else {
			out_fmt(c, "334 ");
			c->st = ST_AUTH_PLAIN;
		}
	} else if (!strcasecmp(mech, "LOGIN")) {
		c->st = ST_AUTH_USER;
		if (ir[0])
			auth_line(c, ir);
		else
			out_fmt(c, "334 VXNlcm5hbWU6");
	} else if (!strcasecmp(mech, "CRAM-MD5") && !ir[0]) {
		RAND_bytes((unsigned char *)&rnd, sizeof rnd);
		snprintf(c->cram_chal, sizeof c->cram_chal, "<%u.%lld@%s>", rnd,
			 (long long)time(NULL), c->srv->sc.hostname);
		EVP_EncodeBlock(enc, (unsigned char *)c->cram_chal, (int)strlen(c->cram_chal));
		out_fmt(c, "334 %s", (char *)enc);
		c->st = ST_AUTH_CRAM;
	} else {
		out_fmt(c, "504 5.5.4 Unsupported authentication mechanism");
	}
	OPENSSL_cleanse(ir, sizeof ir);
}

/* Send the EHLO keyword list (RFC 5321 §4.1.1.1). */
static void reply_ehlo(struct client *c)
{
	const struct scenario *sc = &c->srv->sc;
	const char *ext[8];
	size_t n = 0, i;

	ext[n++] = "PIPELINING";
	ext[n++] = "SIZE 10240000";
	ext[n++] = "8BITMIME";
	ext[n++] = "ENHANCEDSTATUSCODES";
	if ((c->srv->ctx || sc->rules[PH_STARTTLS].act != ACT_NONE) && !c->tls && !sc->no_starttls)
		ext[n++] = "STARTTLS";
	if (sc->user)
		ext[n++] = "AUTH PLAIN LOGIN CRAM-MD5";
	out_fmt(c, "250-%s", sc->hostname);
	for (i = 0; i < n; i++)
		out_fmt(c, "250%c%s", i + 1 == n ? ' ' : '-', ext[i]);
}

/* Reset the mail transaction (RFC 5321 §4.1.1.5). */
static void txn_reset(struct client *c)
{
	c->mail = 0;
	c->rcpts = 0;
}

/* STARTTLS (RFC 3207 §4): 220, then TLS; pipelined plaintext is discarded. */
static void cmd_starttls(struct client *c, enum rres r)
{
	const struct rule *rl = &c->srv->sc.rules[PH_STARTTLS];

	if (r == RR_NORMAL) {
		if (c->tls) {
			out_fmt(c, "554 5.5.1 Error: TLS already active");
			return;
		}
		if (!c->srv->ctx) {
			out_fmt(c, "454 4.7.0 TLS not available due to local problem");
			return;
		}
		out_fmt(c, "220 2.0.0 Ready to start TLS");
		if (rl->act == ACT_INJECT)
			out_text(c, rl->text); /* same write as the 220 */
	}
	if ((r == RR_NORMAL || r == RR_OK) && c->srv->ctx && !c->tls) {
		c->tls_after_flush = 1;
		c->no_read = 1;
		c->in_len = 0; /* CVE-2011-0411: drop plaintext pipelined after STARTTLS */
		txn_reset(c);
		c->helo = 0;
	}
}

/* Map a command verb to its phase; PH_COUNT if it has none. */
static enum phase verb_phase(const struct client *c, const char *v)
{
	static const struct {
		const char *verb;
		enum phase ph;
	} tab[] = {{"EHLO", PH_EHLO}, {"HELO", PH_HELO}, {"STARTTLS", PH_STARTTLS},
		   {"AUTH", PH_AUTH}, {"MAIL", PH_MAIL}, {"RCPT", PH_RCPT},
		   {"DATA", PH_DATA}, {"RSET", PH_RSET}, {"NOOP", PH_NOOP},
		   {"QUIT", PH_QUIT}};
	size_t i;

	for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (!strcasecmp(v, tab[i].verb))
			return tab[i].ph == PH_EHLO && c->tls ? PH_EHLO2 : tab[i].ph;
	return PH_COUNT;
}

/* Handle one command line; RR_HELD if it must be processed again later. */
static enum rres cmd_line(struct client *c, const char *line)
{
	char verb[16] = "";
	const char *arg = line + strcspn(line, " ");
	enum phase ph;
	enum rres r;
	int ok;

	snprintf(verb, sizeof verb, "%.*s", (int)(arg - line), line);
	arg += strspn(arg, " ");
	ph = verb_phase(c, verb);
	if (!c->delay_done)
		log_line(c, 'C', line,
			 ph == PH_AUTH ? (size_t)(arg - line) + strcspn(arg, " ") : strlen(line));
	if (c->greet_rejected && ph != PH_QUIT) { /* RFC 5321 §3.1: only QUIT after 554 */
		out_fmt(c, "503 5.5.1 Error: only QUIT is accepted");
		return RR_DONE;
	}
	if (ph == PH_COUNT) {
		out_fmt(c, "502 5.5.2 Error: command not recognized");
		return RR_DONE;
	}
	r = client_rule(c, ph);
	if (r == RR_HELD || r == RR_DONE)
		return r;
	ok = r == RR_OK;
	switch (ph) {
	case PH_EHLO:
	case PH_EHLO2:
	case PH_HELO:
		if (!ok && !*arg) {
			out_fmt(c, "501 5.5.4 Syntax: %s hostname", verb);
			break;
		}
		if (!ok && ph == PH_HELO)
			out_fmt(c, "250 %s", c->srv->sc.hostname);
		else if (!ok)
			reply_ehlo(c);
		c->helo = 1;
		txn_reset(c);
		break;
	case PH_STARTTLS: cmd_starttls(c, r); break;
	case PH_AUTH:
		if (ok)
			c->authed = 1;
		else
			auth_start(c, arg);
		break;
	case PH_MAIL:
		if (!ok && !c->helo)
			out_fmt(c, "503 5.5.1 Error: send HELO/EHLO first");
		else if (!ok && c->mail)
			out_fmt(c, "503 5.5.1 Error: nested MAIL command");
		else if (!ok && strncasecmp(arg, "FROM:", 5))
			out_fmt(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
		else {
			if (!ok)
				out_fmt(c, "250 2.1.0 Ok");
			c->mail = 1;
		}
		break;
	case PH_RCPT:
		if (!ok && !c->mail)
			out_fmt(c, "503 5.5.1 Error: need MAIL command");
		else if (!ok && strncasecmp(arg, "TO:", 3))
			out_fmt(c, "501 5.5.4 Syntax: RCPT TO:<address>");
		else {
			if (!ok)
				out_fmt(c, "250 2.1.5 Ok");
			c->rcpts++;
		}
		break;
	case PH_DATA:
		if (!ok && !c->rcpts) {
			out_fmt(c, "503 5.5.1 Error: need RCPT command");
			break;
		}
		if (!ok)
			out_fmt(c, "354 End data with <CR><LF>.<CR><LF>");
		c->st = ST_DATA;
		c->data_bytes = 0;
		break;
	case PH_QUIT:
		if (!ok)
			out_fmt(c, "221 2.0.0 Bye");
		c->close_after_flush = 1;
		break;
	case PH_RSET:
		txn_reset(c);
		/* fall through */
	default: /* NOOP */
		if (!ok)
			out_fmt(c, "250 2.0.0 Ok");
		break;
	}
	return r;
}

/* Handle one line of message content; "." ends it (RFC 5321 §4.1.1.4). */
static enum rres data_line(struct client *c, const char *line, size_t len)
{
	enum rres r;

	if (strcmp(line, ".")) {
		c->data_bytes += len + 2;
		return RR_NORMAL;
	}
	if (!c->delay_done)
		fs_log(c->srv, c->id, "C: <message of %zu bytes>", c->data_bytes);
	r = client_rule(c, PH_DOT);
	if (r == RR_HELD)
		return r;
	if (c->st == ST_DATA)
		c->st = ST_CMD;
	if (r == RR_NORMAL)
		out_fmt(c, "250 2.0.0 Ok: queued as FS%u", c->id);
	txn_reset(c);
	return r;
}

/* True if the stage consumes input lines. */
static int stage_reads_lines(enum stage st)
{
	return st == ST_CMD || st == ST_DATA || st == ST_AUTH_PLAIN || st == ST_AUTH_USER ||
	       st == ST_AUTH_PASS || st == ST_AUTH_CRAM;
}

/* Process complete input lines while not held; 1 if any was handled. */
static int client_lines(struct client *c)
{
	char line[FS_LINE_MAX + 1];
	char *nl;
	size_t used, len;
	enum rres r;
	int did = 0;

	while (stage_reads_lines(c->st) && !c->holding && c->drip == 0 && !c->tls_after_flush &&
	       !c->close_after_flush) {
		nl = memchr(c->in, '\n', c->in_len);
		len = nl ? (size_t)(nl - c->in) : c->in_len;
		used = len + 1;
		if (len > 0 && nl && c->in[len - 1] == '\r')
			len--;
		if (len > FS_LINE_MAX) {
			out_fmt(c, "500 5.5.0 Error: line too long");
			c->close_after_flush = 1;
			return 1;
		}
		if (!nl)
			break;
		memcpy(line, c->in, len);
		line[len] = '\0';
		if (c->st == ST_CMD)
			r = cmd_line(c, line);
		else if (c->st == ST_DATA)
			r = data_line(c, line, len);
		else {
			auth_line(c, line);
			r = RR_DONE;
		}
		OPENSSL_cleanse(line, len);
		if (r == RR_HELD || c->st == ST_DEAD)
			return 1;
		if (c->in_len >= used) { /* STARTTLS may have emptied the buffer */
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
		}
		did = 1;
	}
	return did;
}

/* Begin the TLS handshake (or the tls-phase fault); 1 on progress. */
static int tls_start(struct client *c)
{
	enum action act = c->srv->sc.rules[PH_TLS].act;

	if (act == ACT_DELAY) {
		if (client_rule(c, PH_TLS) == RR_HELD)
			return 1;
	} else if (act != ACT_NONE) {
		c->st = ST_TLS_HELLO; /* apply the rule once the ClientHello arrives */
		return 1;
	}
	c->ssl = SSL_new(c->srv->ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
		client_close(c, CL_ABRUPT, "SSL_new failed");
		return 1;
	}
	c->st = ST_TLS_ACCEPT;
	return 1;
}

/* Drive SSL_accept; 1 on progress. */
static int tls_step(struct client *c)
{
	char err[256];
	const char *sni;
	int rc, e;

	ERR_clear_error();
	rc = SSL_accept(c->ssl);
	if (rc == 1) {
		c->tls = 1;
		c->no_read = 0;
		c->ssl_want_write = 0;
		sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
		/* The client's SNI as sent (tests check e.g. that no trailing dot is sent). */
		fs_log(c->srv, c->id, "TLS established: %s %s sni=%s", SSL_get_version(c->ssl),
		       SSL_get_cipher_name(c->ssl), sni != NULL ? sni : "-");
		c->st = c->greeted ? ST_CMD : ST_GREETING;
		return 1;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->ssl_want_write = e == SSL_ERROR_WANT_WRITE;
		return 0;
	}
	ERR_error_string_n(ERR_peek_last_error(), err, sizeof err);
	fs_log(c->srv, c->id, "TLS handshake failed: %s",
	       ERR_peek_last_error() ? err : "peer closed");
	client_close(c, CL_ABRUPT, "TLS failure");
	return 1;
}

/* Run the stages that need no client input (connect, TLS start, greeting). */
static int client_advance(struct client *c)
{
	enum rres r;

	if (c->holding)
		return 0;
	switch (c->st) {
	case ST_CONNECT:
		r = client_rule(c, PH_CONNECT);
		if (r != RR_HELD && c->st == ST_CONNECT && !c->close_after_flush)
			c->st = c->srv->sc.implicit_tls ? ST_TLS_START : ST_GREETING;
		return 1;
	case ST_TLS_START: return tls_start(c);
	case ST_GREETING:
		r = client_rule(c, PH_GREETING);
		if (r == RR_HELD || c->st != ST_GREETING || c->close_after_flush)
			return 1;
		if (r == RR_NORMAL)
			out_fmt(c, "220 %s ESMTP faultsrv", c->srv->sc.hostname);
		c->greet_rejected = r == RR_DONE;
		c->greeted = 1;
		c->st = ST_CMD;
		return 1;
	default: return 0;
	}
}

/* True if the client's socket should be read now. */
static int client_wants_read(const struct client *c)
{
	if (c->eof || c->close_after_flush || c->st == ST_DEAD || c->st == ST_TLS_ACCEPT ||
	    c->st == ST_TLS_START)
		return 0;
	if (c->st == ST_STALL || c->st == ST_TLS_HELLO)
		return 1; /* read and discard */
	return !c->no_read && c->in_len < FS_IN_CAP;
}

/* Read from the socket into the input buffer (or discard); 1 on progress. */
static int client_read(struct client *c)
{
	char junk[4096];
	int discard = c->st == ST_STALL || c->st == ST_TLS_HELLO;
	ssize_t n;

	if (!client_wants_read(c))
		return 0;
	if (discard)
		n = io_read(c, junk, sizeof junk);
	else
		n = io_read(c, c->in + c->in_len, FS_IN_CAP - c->in_len);
	if (n == -2)
		return 0;
	if (n <= 0) {
		c->eof = 1;
		return 1;
	}
	c->t_idle = now_mono() + FS_IDLE_SECS;
	if (!discard) {
		c->in_len += (size_t)n;
	} else if (c->st == ST_TLS_HELLO) {
		fs_log(c->srv, c->id, "C: <%zd bytes of TLS ClientHello>", n);
		client_rule(c, PH_TLS);
		if (c->st == ST_TLS_HELLO) /* a plaintext reply: no handshake can follow */
			c->close_after_flush = 1;
	}
	return 1;
}

/* Actions due once all output is flushed: close, start TLS; EOF. */
static int client_post(struct client *c)
{
	if (c->st == ST_DEAD)
		return 0;
	if (c->eof) {
		client_close(c, CL_GRACEFUL, "client closed");
		return 1;
	}
	if (c->out_len > c->out_off || c->gen != GEN_NONE)
		return 0;
	if (c->close_after_flush) {
		client_close(c, CL_GRACEFUL, "done");
		return 1;
	}
	if (c->tls_after_flush) {
		c->tls_after_flush = 0;
		c->st = ST_TLS_START;
		return 1;
	}
	return 0;
}

/* Advance one client as far as possible without blocking. */
static void client_step(struct client *c, short revents)
{
	double now;
	int guard, did;

	if ((revents & (POLLERR | POLLNVAL)) || ((revents & POLLHUP) && !(revents & POLLIN))) {
		client_close(c, CL_ABRUPT, "socket error or hangup");
		return;
	}
	for (guard = 0; guard < 256 && c->st != ST_DEAD; guard++) {
		now = now_mono();
		did = 0;
		if (now >= c->t_idle) {
			client_close(c, CL_ABRUPT, "idle timeout");
			return;
		}
		if (c->holding && now >= c->t_hold) {
			c->holding = 0;
			c->delay_done = 1;
			did = 1;
		}
		did |= client_advance(c);
		if (c->st == ST_TLS_ACCEPT)
			did |= tls_step(c);
		did |= client_read(c);
		did |= client_lines(c);
		did |= client_gen(c, now);
		did |= client_flush(c, now);
		did |= client_post(c);
		if (!did)
			break;
	}
}

/* Poll events the client waits for. */
static short client_events(const struct client *c)
{
	short ev = 0;

	if (c->st == ST_TLS_ACCEPT)
		return c->ssl_want_write ? POLLOUT : POLLIN;
	if (client_wants_read(c))
		ev |= POLLIN;
	if ((c->out_len > c->out_off && c->drip == 0) || c->ssl_want_write)
		ev |= POLLOUT;
	return ev;
}

/* Earliest time the client needs attention without socket events. */
static double client_deadline(const struct client *c)
{
	double d = c->t_idle;

	if (c->holding && c->t_hold < d)
		d = c->t_hold;
	if (c->drip > 0 && c->out_len > c->out_off && c->t_drip < d)
		d = c->t_drip;
	if (c->gen == GEN_ENDLESS && c->out_len - c->out_off < FS_OUT_LOW && c->t_gen < d)
		d = c->t_gen;
	return d;
}

/* Free a client (closing it first if needed). */
static void client_free(struct client *c)
{
	if (!c)
		return;
	client_close(c, CL_ABRUPT, "server exit");
	free(c->out);
	free(c);
}

/* Accept pending connections and start their sessions. */
static void server_accept(struct server *s)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct client *c;
	char host[64], port[16];
	int fd;

	while (s->n < FS_MAX_CLIENTS) {
		sl = sizeof ss;
		fd = accept4(s->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = s;
		c->fd = fd;
		c->id = ++s->next_id;
		c->rng = 2463534242u ^ c->id;
		c->no_read = s->sc.implicit_tls;
		c->t_idle = now_mono() + FS_IDLE_SECS;
		if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, port, sizeof port,
				NI_NUMERICHOST | NI_NUMERICSERV))
			snprintf(host, sizeof host, "?");
		fs_log(s, c->id, "connect from %s port %s", host, port);
		s->cl[s->n++] = c;
		client_step(c, 0);
	}
}

/* Free dead clients and compact the table. */
static void server_reap(struct server *s)
{
	size_t i, k = 0;

	for (i = 0; i < s->n; i++) {
		if (s->cl[i]->st == ST_DEAD)
			client_free(s->cl[i]);
		else
			s->cl[k++] = s->cl[i];
	}
	s->n = k;
}

/* The event loop; returns on SIGTERM/SIGINT (0) or a poll failure (-1). */
static int server_run(struct server *s, const sigset_t *unblocked)
{
	static struct pollfd pfd[FS_MAX_CLIENTS + 1];
	struct timespec ts;
	double now, next, wait;
	size_t i, nc;
	int rc;

	while (!fs_stop) {
		now = now_mono();
		next = now + 3600;
		nc = s->n;
		pfd[0].fd = (!s->sc.backlog_full && nc < FS_MAX_CLIENTS) ? s->lfd : -1;
		pfd[0].events = POLLIN;
		for (i = 0; i < nc; i++) {
			pfd[i + 1].fd = s->cl[i]->fd;
			pfd[i + 1].events = client_events(s->cl[i]);
			pfd[i + 1].revents = 0;
			if (client_deadline(s->cl[i]) < next)
				next = client_deadline(s->cl[i]);
		}
		wait = next > now ? next - now : 0;
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9) + 500000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		rc = ppoll(pfd, nc + 1, &ts, unblocked);
		if (rc < 0 && errno != EINTR)
			return -1;
		if (fs_stop)
			break;
		now = now_mono();
		for (i = 0; i < nc; i++)
			if (pfd[i + 1].revents || client_deadline(s->cl[i]) <= now)
				client_step(s->cl[i], pfd[i + 1].revents);
		if (rc > 0 && pfd[0].fd >= 0 && (pfd[0].revents & POLLIN))
			server_accept(s);
		server_reap(s);
	}
	return 0;
}

/* Print a one-line error and return -1. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("faultsrv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Turn TEXT with "\n" escapes into CRLF-terminated lines; NULL if empty. */
static char *text_unescape(const char *t)
{
	char *out = malloc(strlen(t) * 2 + 3), *o = out;

	if (!out || !*t) {
		free(out);
		return NULL;
	}
	for (; *t; t++) {
		if (t[0] == '\\' && t[1] == 'n') {
			*o++ = '\r';
			*o++ = '\n';
			t++;
		} else if (t[0] == '\\' && t[1] == '\\') {
			*o++ = '\\';
			t++;
		} else {
			*o++ = *t;
		}
	}
	memcpy(o, "\r\n", 3);
	return out;
}

/* Parse "on PHASE ACTION [ARG]" into the scenario; -1 with message on error. */
static int parse_rule(struct scenario *sc, char *rest, const char *where)
{
	char *phs = strtok_r(rest, " \t", &rest), *acts = strtok_r(NULL, " \t", &rest), *end;
	const char *arg = rest ? rest + strspn(rest, " \t") : "";
	struct rule *r;
	int ph, act;

	for (ph = 0; ph < PH_COUNT && (!phs || strcmp(phs, phase_names[ph])); ph++)
		;
	for (act = 1; act < ACT_COUNT && (!acts || strcmp(acts, action_names[act])); act++)
		;
	if (ph == PH_COUNT || act == ACT_COUNT)
		return fail("%s: unknown %s '%s'", where, ph == PH_COUNT ? "phase" : "action",
			    ph == PH_COUNT ? (phs ? phs : "") : (acts ? acts : ""));
	r = &sc->rules[ph];
	if (r->act != ACT_NONE)
		return fail("%s: second rule for phase %s", where, phase_names[ph]);
	r->act = (enum action)act;
	if ((act == ACT_INJECT && ph != PH_STARTTLS) || (act == ACT_FLOOD && ph != PH_TLS) ||
	    (act == ACT_DRIP && (ph == PH_TLS || ph == PH_CONNECT)))
		return fail("%s: %s is not supported at %s", where, acts, phase_names[ph]);
	if (act == ACT_REPLY || act == ACT_REPLY_CLOSE || act == ACT_INJECT) {
		r->text = text_unescape(arg);
		return r->text ? 0 : fail("%s: %s needs TEXT", where, acts);
	}
	if (act == ACT_DELAY || act == ACT_DRIP) {
		r->secs = strtod(arg, &end);
		if (end == arg || *end || !isfinite(r->secs) || r->secs < 0 || r->secs > 86400 ||
		    (act == ACT_DRIP && r->secs <= 0))
			return fail("%s: bad SECONDS '%s'", where, arg);
		return 0;
	}
	if (act == ACT_LONGLINE || act == ACT_GARBAGE || act == ACT_RAW_GARBAGE) {
		r->bytes = strtoull(arg, &end, 10);
		if (end == arg || *end || r->bytes == 0 || r->bytes > 1000000000ull)
			return fail("%s: bad BYTES '%s'", where, arg);
		return 0;
	}
	return *arg ? fail("%s: %s takes no argument", where, acts) : 0;
}

/* Set a string option once. */
static int set_str(char **dst, const char *val, const char *key, const char *where)
{
	if (!*val)
		return fail("%s: %s needs a value", where, key);
	free(*dst);
	*dst = strdup(val);
	return *dst ? 0 : fail("out of memory");
}

/* tls-version VERSION: serve only that protocol (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3). */
static int parse_tls_version(struct scenario *sc, const char *val, const char *where)
{
	static const struct {
		const char *name;
		int version;
	} versions[] = {{"TLSv1", TLS1_VERSION},
			{"TLSv1.1", TLS1_1_VERSION},
			{"TLSv1.2", TLS1_2_VERSION},
			{"TLSv1.3", TLS1_3_VERSION}};
	size_t i;

	for (i = 0; i < sizeof versions / sizeof versions[0]; i++)
		if (!strcmp(val, versions[i].name)) {
			sc->tls_version = versions[i].version;
			return 0;
		}
	return fail("%s: tls-version wants TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3, not '%s'", where,
		    val);
}
/* Parse one directive line (already @LAB@-substituted, no newline). */
static int parse_line(struct scenario *sc, char *line, const char *where)
{
	char *rest, *key = strtok_r(line, " \t", &rest);
	const char *val = rest ? rest + strspn(rest, " \t") : "";
	char user[256], pass[256], extra[2];

	if (!strcmp(key, "on"))
		return parse_rule(sc, rest, where);
	if (!strcmp(key, "listen"))
		return set_str(&sc->listen, val, key, where);
	if (!strcmp(key, "cert"))
		return set_str(&sc->cert, val, key, where);
	if (!strcmp(key, "key"))
		return set_str(&sc->key, val, key, where);
	if (!strcmp(key, "hostname"))
		return set_str(&sc->hostname, val, key, where);
	if (!strcmp(key, "auth")) {
		if (sscanf(val, "%255s %255s %1s", user, pass, extra) != 2)
			return fail("%s: auth needs USER PASS", where);
		return set_str(&sc->user, user, key, where) || set_str(&sc->pass, pass, key, where);
	}
	if (!strcmp(key, "tls-version"))
		return parse_tls_version(sc, val, where);
	if (!strcmp(key, "ocsp-staple"))
		return set_str(&sc->ocsp, val, key, where);
	if (!strcmp(key, "security-level")) {
		if (sscanf(val, "%d %1s", &sc->seclevel, extra) != 1 || sc->seclevel < 0 ||
		    sc->seclevel > 5)
			return fail("%s: security-level wants 0..5, not '%s'", where, val);
		sc->seclevel_set = 1;
		return 0;
	}
	if (*val)
		return fail("%s: %s takes no argument", where, key);
	if (!strcmp(key, "implicit-tls"))
		sc->implicit_tls = 1;
	else if (!strcmp(key, "no-starttls"))
		sc->no_starttls = 1;
	else if (!strcmp(key, "backlog-full"))
		sc->backlog_full = 1;
	else if (!strcmp(key, "require-client-cert"))
		sc->require_client_cert = 1;
	else
		return fail("%s: unknown directive '%s'", where, key);
	return 0;
}

/* Copy line replacing every "@LAB@" with lab; NULL on allocation failure. */
static char *subst_lab(const char *line, const char *lab)
{
	size_t n = 0, ll = strlen(lab);
	const char *p;
	char *out, *o;

	for (p = line; (p = strstr(p, "@LAB@")) != NULL; p += 5)
		n++;
	out = malloc(strlen(line) + n * ll + 1);
	if (!out)
		return NULL;
	for (o = out; *line;) {
		if (!strncmp(line, "@LAB@", 5)) {
			memcpy(o, lab, ll);
			o += ll;
			line += 5;
		} else {
			*o++ = *line++;
		}
	}
	*o = '\0';
	return out;
}

/* Load and check a scenario file; -1 with message on error. */
static int scenario_load(struct scenario *sc, const char *path, const char *lab)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *sub, *p, where[512];
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;

	if (!f)
		return fail("%s: %s", path, strerror(errno));
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
				   line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		p = line + strspn(line, " \t");
		if (!*p || *p == '#')
			continue;
		snprintf(where, sizeof where, "%s:%d", path, lineno);
		sub = subst_lab(p, lab);
		rc = sub ? parse_line(sc, sub, where) : fail("out of memory");
		free(sub);
	}
	free(line);
	fclose(f);
	if (rc == 0 && !sc->hostname)
		rc = set_str(&sc->hostname, FS_DEFAULT_HOST, "hostname", path);
	if (rc == 0 && !sc->cert &&
	    (sc->implicit_tls || sc->key || sc->rules[PH_TLS].act || sc->tls_version ||
	     sc->require_client_cert || sc->ocsp || sc->seclevel_set))
		rc = fail("%s: implicit-tls, key, tls-version, require-client-cert, ocsp-staple, "
			  "security-level and `on tls` need a cert",
			  path);
	return rc;
}

/* Free the scenario's strings. */
static void scenario_free(struct scenario *sc)
{
	int i;

	free(sc->listen);
	free(sc->cert);
	free(sc->ocsp);
	free(sc->ocsp_der);
	free(sc->key);
	free(sc->hostname);
	free(sc->user);
	free(sc->pass);
	for (i = 0; i < PH_COUNT; i++)
		free(sc->rules[i].text);
}

/* Status request callback: staple the scenario's OCSP response (RFC 6066 §8) when asked. */
static int ocsp_staple_cb(SSL *ssl, void *arg)
{
	const struct scenario *sc = arg;
	unsigned char *copy;

	if (SSL_get_tlsext_status_type(ssl) != TLSEXT_STATUSTYPE_ocsp)
		return SSL_TLSEXT_ERR_NOACK;
	copy = OPENSSL_malloc((size_t)sc->ocsp_len);
	if (!copy)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	memcpy(copy, sc->ocsp_der, (size_t)sc->ocsp_len);
	if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, sc->ocsp_len) != 1) {
		OPENSSL_free(copy);
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	return SSL_TLSEXT_ERR_OK;
}

/* Read the DER OCSP response of ocsp-staple into sc; 0 or -1 with message. */
static int ocsp_load(struct scenario *sc)
{
	FILE *f = fopen(sc->ocsp, "rb");
	long n;

	if (!f)
		return fail("cannot open %s: %s", sc->ocsp, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || n > 65536 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(sc->ocsp_der = malloc((size_t)n)) ||
	    fread(sc->ocsp_der, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return fail("cannot read %s (1..65536 bytes)", sc->ocsp);
	}
	fclose(f);
	sc->ocsp_len = n;
	return 0;
}

/* Create the server TLS context from the scenario's cert and key. */
static SSL_CTX *tls_ctx_new(struct scenario *sc)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	const char *key = sc->key ? sc->key : sc->cert;
	char err[256];

	if (!ctx)
		return NULL;
	if (sc->seclevel_set)
		SSL_CTX_set_security_level(ctx, sc->seclevel);
	if (sc->ocsp) {
		if (ocsp_load(sc) != 0) {
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_tlsext_status_cb(ctx, ocsp_staple_cb);
		SSL_CTX_set_tlsext_status_arg(ctx, sc);
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, sc->cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_error_string_n(ERR_get_error(), err, sizeof err);
		fail("cannot load cert %s / key %s: %s", sc->cert, key, err);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* RFC 8446 section 4.4.2.4: without a client certificate the server aborts
	 * with certificate_required (alert 116), after the client's Finished. */
	if (sc->require_client_cert)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (sc->tls_version != 0 && (SSL_CTX_set_min_proto_version(ctx, sc->tls_version) != 1 ||
				     SSL_CTX_set_max_proto_version(ctx, sc->tls_version) != 1)) {
		fail("cannot restrict TLS to version %#x", (unsigned)sc->tls_version);
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* OpenSSL 3 serves TLS 1.0/1.1 (SHA-1, MD5-SHA1 signatures) only at level 0. */
	if (sc->tls_version != 0 && sc->tls_version < TLS1_2_VERSION) {
		SSL_CTX_set_security_level(ctx, 0);
		if (SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1) {
			fail("cannot set the TLS 1.0/1.1 cipher list");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

/* Resolve "HOST:PORT" or "[V6]:PORT" (numeric); 0 or -1 with message. */
static int addr_parse(const char *text, struct addrinfo **res)
{
	char host[256];
	const char *colon = strrchr(text, ':');
	struct addrinfo hints = {0};
	size_t hl;

	if (!colon || !colon[1] || (size_t)(colon - text) >= sizeof host)
		return fail("bad listen address '%s' (want ADDR:PORT)", text);
	hl = (size_t)(colon - text);
	if (text[0] == '[' && hl >= 2 && text[hl - 1] == ']')
		snprintf(host, sizeof host, "%.*s", (int)hl - 2, text + 1);
	else
		snprintf(host, sizeof host, "%.*s", (int)hl, text);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, colon + 1, &hints, res) != 0)
		return fail("bad listen address '%s' (want ADDR:PORT)", text);
	return 0;
}

/* Fill our own accept queue: with backlog 0 one queued connection makes the
 * kernel drop every later SYN, so clients see a connect timeout. */
static void backlog_fill(struct server *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct pollfd p;
	int i;

	if (getsockname(s->lfd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	for (i = 0; i < 2; i++) {
		s->selfc[i] = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->selfc[i] < 0)
			return;
		if (connect(s->selfc[i], (struct sockaddr *)&ss, sl) < 0 && errno == EINPROGRESS &&
		    i == 0) {
			p.fd = s->selfc[i];
			p.events = POLLOUT;
			poll(&p, 1, 1000); /* the first must be queued before we go on */
		}
	}
	fs_log(s, 0, "backlog-full: accept queue filled, not accepting");
}

/* Open the listening socket; -1 with message on error. */
static int server_listen(struct server *s, const char *addr)
{
	struct addrinfo *ai = NULL;
	int one = 1, rc = -1;

	if (addr_parse(addr, &ai) < 0)
		return -2;
	s->lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		goto out;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ai->ai_family == AF_INET6)
		setsockopt(s->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(s->lfd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(s->lfd, s->sc.backlog_full ? 0 : 128) < 0)
		goto out;
	rc = 0;
	if (s->sc.backlog_full)
		backlog_fill(s);
	fs_log(s, 0, "listening on %s", addr);
out:
	if (rc < 0)
		fail("cannot listen on %s: %s", addr, strerror(errno));
	freeaddrinfo(ai);
	return rc;
}

/* Write our pid (or pid) to path. */
static int pidfile_write(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%ld\n", (long)pid) < 0 || fclose(f) != 0)
		return fail("cannot write pidfile %s", path);
	return 0;
}

/* Fork into the background; the parent writes the pidfile and exits. */
static int daemonize(const char *pidfile, int keep_stderr)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	if (pid > 0) {
		if (pidfile && pidfile_write(pidfile, pid) < 0) {
			kill(pid, SIGTERM);
			_exit(1);
		}
		_exit(0);
	}
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (!keep_stderr)
			dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* Signal handler: ask the loop to stop. */
static void on_signal(int sig)
{
	(void)sig;
	fs_stop = 1;
}

/* Block SIGTERM/SIGINT (delivered only inside ppoll) and ignore SIGPIPE. */
static void signals_setup(sigset_t *unblocked)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, unblocked);
	sigdelset(unblocked, SIGTERM);
	sigdelset(unblocked, SIGINT);
}

/* Print usage and return exit status 2. */
static int usage(void)
{
	fprintf(stderr, "usage: faultsrv -s SCENARIO_FILE [-l ADDR:PORT] [-p PIDFILE] "
			"[-L LOGFILE] [-d]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct server s;
	const char *scen = NULL, *laddr = NULL, *pidfile = NULL, *logfile = NULL;
	const char *lab = getenv("MAILPATH_LAB");
	int opt, daemon = 0, rc = 2, wrote_pid = 0, i;
	sigset_t unblocked;

	s.lfd = s.selfc[0] = s.selfc[1] = -1;
	s.log = stderr;
	while ((opt = getopt(argc, argv, "s:l:p:L:d")) != -1) {
		switch (opt) {
		case 's': scen = optarg; break;
		case 'l': laddr = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'L': logfile = optarg; break;
		case 'd': daemon = 1; break;
		default: return usage();
		}
	}
	if (!scen || optind != argc)
		return usage();
	if (scenario_load(&s.sc, scen, lab && *lab ? lab : "lab") < 0)
		goto out;
	if (laddr && set_str(&s.sc.listen, laddr, "-l", "command line") < 0)
		goto out;
	if (!s.sc.listen) {
		fail("%s: no listen address (use `listen` or -l)", scen);
		goto out;
	}
	if (logfile && !(s.log = fopen(logfile, "a"))) {
		s.log = stderr;
		fail("cannot open log %s: %s", logfile, strerror(errno));
		goto out;
	}
	setvbuf(s.log, NULL, _IOLBF, 0);
	if (s.sc.cert && !(s.ctx = tls_ctx_new(&s.sc)))
		goto out;
	i = server_listen(&s, s.sc.listen);
	if (i < 0) {
		rc = i == -2 ? 2 : 1;
		goto out;
	}
	rc = 1;
	if (daemon && daemonize(pidfile, logfile == NULL) < 0)
		goto out;
	if (!daemon && pidfile && pidfile_write(pidfile, getpid()) < 0)
		goto out;
	wrote_pid = pidfile != NULL;
	signals_setup(&unblocked);
	fs_log(&s, 0, "faultsrv %ld serving %s", (long)getpid(), scen);
	rc = server_run(&s, &unblocked) < 0 ? 1 : 0;
	fs_log(&s, 0, "exiting");
out:
	for (i = 0; i < (int)s.n; i++)
		client_free(s.cl[i]);
	for (i = 0; i < 2; i++)
		if (s.selfc[i] >= 0)
			close(s.selfc[i]);
	if (s.lfd >= 0)
		close(s.lfd);
	if (wrote_pid)
		unlink(pidfile);
	SSL_CTX_free(s.ctx);
	scenario_free(&s.sc);
	if (s.log != stderr)
		fclose(s.log);
	return rc;
}
