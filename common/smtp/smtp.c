/*
 * smtp.c - the SMTP client state machine, sans I/O (RFC 5321, 3207, 4954).
 *
 * Contract: smtp_client_new() borrows params and the caller-owned result;
 * bytes from the server go in through smtp_client_feed(), complete lines
 * (LF-terminated, CR stripped, bare LF tolerated) are parsed into replies
 * (RFC 5321 §4.2, §4.2.1) and each complete reply is judged by smtp_step(),
 * which picks the next state. smtp_enter() is the one transition function:
 * the only place the state changes; entering a state sends its opening
 * command (EHLO, STARTTLS, AUTH, ...) and, with params->trace, writes
 * "state: old -> new" into the transcript (the -vvvv trace). Commands come
 * out of smtp_client_output(). No pipelining: one command is outstanding
 * at a time. The first failure is recorded in res->fail; then the client
 * sends QUIT, except after 421, a drop, a timeout, a protocol error or
 * injection, where it only asks to close. CRAM-MD5 uses the in-tree
 * HMAC-MD5 (base/md5.c): the core loads no library.
 * Secrets: credential lines are masked in the transcript and wiped from
 * the output buffer once sent and in smtp_client_free().
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/md5.h"
#include "smtp/smtp.h"

#define SMTP_IN_MAX (SMTP_LINE_MAX + 2)       /* one pending line plus CRLF */
#define SMTP_OUT_MAX (2 * SMTP_LINE_MAX + 16) /* one command line, and QUIT */
#define SMTP_MASK "********"

struct smtp_client {
	const struct smtp_params *p;
	struct smtp_result *res;
	enum smtp_state st;
	struct buf in;                 /* partial reply line */
	struct buf out;                /* bytes to send */
	int out_secret;                /* out holds credentials: wipe once sent */
	struct smtp_reply cur;         /* reply being assembled */
	char first[SMTP_LINE_MAX + 1]; /* "CODE TEXT" of the reply's first line */
	size_t first_len;
	regex_t *re;          /* compiled -R per command */
	unsigned char *re_ok; /* 1 when re[i] compiled */
	unsigned auth;        /* SMTP_AUTH_* chosen, 0 when none */
	int auth_done;
	int cmd_i;
	int mail_done;
	int rcpt_i;
};

/* clang-format off */
static const char *const smtp_state_names[SMTP_ST_MAX] = {
	[SMTP_ST_INIT] = "init",
	[SMTP_ST_GREETING] = "greeting",
	[SMTP_ST_EHLO] = "ehlo",
	[SMTP_ST_HELO] = "helo",
	[SMTP_ST_STARTTLS] = "starttls",
	[SMTP_ST_TLS] = "tls",
	[SMTP_ST_EHLO2] = "ehlo2",
	[SMTP_ST_AUTH] = "auth",
	[SMTP_ST_AUTH_USER] = "auth-user",
	[SMTP_ST_AUTH_PASS] = "auth-pass",
	[SMTP_ST_COMMAND] = "command",
	[SMTP_ST_MAIL] = "mail",
	[SMTP_ST_RCPT] = "rcpt",
	[SMTP_ST_QUIT] = "quit",
	[SMTP_ST_DONE] = "done",
};
/* clang-format on */

/* The phase each state waits in (used for timing and failure records). */
/* clang-format off */
static const enum phase smtp_state_phase[SMTP_ST_MAX] = {
	[SMTP_ST_INIT] = PHASE_GREETING,
	[SMTP_ST_GREETING] = PHASE_GREETING,
	[SMTP_ST_EHLO] = PHASE_EHLO,
	[SMTP_ST_HELO] = PHASE_EHLO,
	[SMTP_ST_STARTTLS] = PHASE_STARTTLS,
	[SMTP_ST_TLS] = PHASE_TLS,
	[SMTP_ST_EHLO2] = PHASE_EHLO2,
	[SMTP_ST_AUTH] = PHASE_AUTH,
	[SMTP_ST_AUTH_USER] = PHASE_AUTH,
	[SMTP_ST_AUTH_PASS] = PHASE_AUTH,
	[SMTP_ST_COMMAND] = PHASE_COMMAND,
	[SMTP_ST_MAIL] = PHASE_MAIL,
	[SMTP_ST_RCPT] = PHASE_RCPT,
	[SMTP_ST_QUIT] = PHASE_QUIT,
	[SMTP_ST_DONE] = PHASE_NONE,
};
/* clang-format on */

/* 1 when cmd can be sent as one command line (RFC 5321 §4.5.3.1.4, §2.3.8). */
int smtp_command_valid(const char *cmd)
{
	return cmd != NULL && strpbrk(cmd, "\r\n") == NULL && strlen(cmd) <= SMTP_COMMAND_MAX;
}

/* Name of a state, for traces. */
const char *smtp_state_name(enum smtp_state s)
{
	return (unsigned)s < SMTP_ST_MAX ? smtp_state_names[s] : "unknown";
}

/* ---- the client ---- */

/* Record a failure (first one wins) with the reply r, when given, as evidence. */
static void smtp_record(struct smtp_client *c, enum fail_class cls, enum phase ph, int err,
			const struct smtp_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void smtp_record(struct smtp_client *c, enum fail_class cls, enum phase ph, int err,
			const struct smtp_reply *r, const char *fmt, ...)
{
	char detail[FAIL_DETAIL_MAX];
	va_list ap;

	if (c->res->fail.cls != FAIL_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	fail_set(&c->res->fail, cls, ph, err, "%s", detail);
	if (r != NULL && r->code != 0)
		fail_set_reply(&c->res->fail, r->code, &r->enh, r->text, r->len);
}

/* Append one transcript line: prefix then n raw bytes then LF; dropped when full. */
static void smtp_log_line(struct smtp_client *c, const char *prefix, const char *s, size_t n)
{
	struct buf *t = &c->res->transcript;
	size_t plen = strlen(prefix);

	if (buf_room(t) < plen + n + 1)
		return;
	if (buf_append(t, prefix, plen) != 0 || buf_append(t, s, n) != 0 ||
	    buf_append(t, "\n", 1) != 0)
		return; /* room was checked; a failure here only shortens the transcript */
}

/* Log a line of the dialogue ("S: ", "C: ") when the transcript is on. */
static void smtp_log(struct smtp_client *c, const char *prefix, const char *s, size_t n)
{
	if (c->p->transcript)
		smtp_log_line(c, prefix, s, n);
}

/* Wipe the whole output storage (it held credentials). */
static void smtp_wipe_out(struct smtp_client *c)
{
	if (c->out.data != NULL)
		explicit_bzero(c->out.data, c->out.size);
	c->out_secret = 0;
}

/* One command line being made: its text and what the transcript shows instead. */
struct smtp_cmdline {
	char text[SMTP_LINE_MAX + 3]; /* room for CRLF */
	size_t len;                   /* without CRLF; 0: the state sends nothing */
	const char *masked;           /* transcript text (credentials), NULL: text itself */
};

/*
 * Format a command line for a state of phase ph. A line that is too long
 * or holds CR/LF (RFC 5321 §2.3.8: a parameter must not add lines) records
 * FAIL_INTERNAL; returns 0 or -1.
 */
static int smtp_fmt(struct smtp_client *c, struct smtp_cmdline *o, enum phase ph,
		    const char *masked, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int smtp_fmt(struct smtp_client *c, struct smtp_cmdline *o, enum phase ph,
		    const char *masked, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->text, sizeof(o->text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > SMTP_LINE_MAX) {
		smtp_record(c, FAIL_INTERNAL, ph, 0, NULL, "%s",
			    masked != NULL ? "credentials too long" : "command line too long");
		return -1;
	}
	if (strpbrk(o->text, "\r\n") != NULL) {
		smtp_record(c, FAIL_INTERNAL, ph, 0, NULL, "CR or LF inside a command");
		return -1;
	}
	o->len = (size_t)n;
	o->masked = masked;
	return 0;
}

/* Format base64 of s[0..n) as a credential line (RFC 4954 §4); 0 or -1. */
static int smtp_fmt_b64(struct smtp_client *c, struct smtp_cmdline *o, const char *prefix,
			const void *s, size_t n)
{
	char b64[SMTP_LINE_MAX];
	int rc = -1;

	if (n <= sizeof(b64) / 4 * 3 - 3 && b64_encode(b64, sizeof(b64), s, n) == 0)
		rc = prefix[0] != '\0' ? smtp_fmt(c, o, PHASE_AUTH, "AUTH PLAIN " SMTP_MASK, "%s%s",
						  prefix, b64)
				       : smtp_fmt(c, o, PHASE_AUTH, SMTP_MASK, "%s", b64);
	else
		smtp_record(c, FAIL_INTERNAL, PHASE_AUTH, 0, NULL, "credentials too long");
	explicit_bzero(b64, sizeof(b64));
	return rc;
}

/* RFC 4616 §2: the PLAIN initial response, [authzid] NUL authcid NUL passwd. */
static int smtp_fmt_plain(struct smtp_client *c, struct smtp_cmdline *o)
{
	const char *user = c->p->auth_user ? c->p->auth_user : "";
	const char *pass = c->p->auth_pass ? c->p->auth_pass : "";
	size_t ul = strlen(user), pl = strlen(pass);
	char raw[2 * SMTP_LINE_MAX / 3];
	int rc;

	if (ul + pl + 2 > sizeof(raw)) {
		smtp_record(c, FAIL_INTERNAL, PHASE_AUTH, 0, NULL, "credentials too long");
		return -1;
	}
	raw[0] = '\0';
	memcpy(raw + 1, user, ul);
	raw[ul + 1] = '\0';
	memcpy(raw + ul + 2, pass, pl);
	rc = smtp_fmt_b64(c, o, "AUTH PLAIN ", raw, ul + pl + 2);
	explicit_bzero(raw, sizeof(raw));
	return rc;
}

/*
 * RFC 2195 §2: answer the CRAM-MD5 challenge (the 334 text, base64) with
 * base64 of "user SP hex(HMAC-MD5(password, challenge))" (RFC 2104).
 */
static int smtp_fmt_cram(struct smtp_client *c, struct smtp_cmdline *o)
{
	const char *user = c->p->auth_user ? c->p->auth_user : "";
	const char *pass = c->p->auth_pass ? c->p->auth_pass : "";
	const char *chal = c->first + 4;
	size_t clen = c->first_len > 4 ? c->first_len - 4 : 0, dlen = 0;
	unsigned char dec[SMTP_LINE_MAX], mac[MD5_DIGEST_LEN];
	char resp[SMTP_LINE_MAX / 2];
	int n, rc = -1;

	if (clen == 0 || b64_decode(dec, sizeof(dec), chal, clen, &dlen) != 0) {
		smtp_record(c, FAIL_PROTOCOL, PHASE_AUTH, 0, &c->res->reply[PHASE_AUTH],
			    "CRAM-MD5 challenge is not base64");
		return -1;
	}
	md5_hmac(pass, strlen(pass), dec, dlen, mac);
	n = snprintf(resp, sizeof(resp), "%s ", user);
	for (unsigned i = 0; i < sizeof(mac) && n > 0 && (size_t)n + 3 < sizeof(resp); i++)
		n += snprintf(resp + n, sizeof(resp) - (size_t)n, "%02x", mac[i]);
	if (n < 0 || (size_t)n + 3 >= sizeof(resp))
		smtp_record(c, FAIL_INTERNAL, PHASE_AUTH, 0, NULL, "credentials too long");
	else
		rc = smtp_fmt_b64(c, o, "", resp, (size_t)n);
	explicit_bzero(mac, sizeof(mac));
	explicit_bzero(resp, sizeof(resp));
	return rc;
}

/*
 * Make the command that opens state st (RFC 5321 §4.1.1, RFC 3207 §4,
 * RFC 4954 §4) into o; o->len stays 0 for states that send nothing.
 * Returns 0, or -1 with the failure recorded.
 */
static int smtp_compose(struct smtp_client *c, enum smtp_state st, struct smtp_cmdline *o)
{
	const struct smtp_params *p = c->p;
	const char *helo = p->helo != NULL ? p->helo : "localhost";
	const char *user = p->auth_user ? p->auth_user : "";
	const char *pass = p->auth_pass ? p->auth_pass : "";
	enum phase ph = smtp_state_phase[st];

	o->len = 0;
	o->masked = NULL;
	switch (st) {
	case SMTP_ST_EHLO:
	case SMTP_ST_EHLO2:
		return smtp_fmt(c, o, ph, NULL, "%s %s", p->lmtp ? "LHLO" : "EHLO", helo);
	case SMTP_ST_HELO: return smtp_fmt(c, o, ph, NULL, "HELO %s", helo);
	case SMTP_ST_STARTTLS: return smtp_fmt(c, o, ph, NULL, "STARTTLS");
	case SMTP_ST_AUTH:
		return smtp_fmt(c, o, ph, NULL, "AUTH %s", smtp_auth_name((enum smtp_auth)c->auth));
	case SMTP_ST_AUTH_USER: return smtp_fmt_b64(c, o, "", user, strlen(user));
	case SMTP_ST_AUTH_PASS:
		if (c->auth == SMTP_AUTH_PLAIN)
			return smtp_fmt_plain(c, o);
		if (c->auth == SMTP_AUTH_CRAM_MD5)
			return smtp_fmt_cram(c, o);
		return smtp_fmt_b64(c, o, "", pass, strlen(pass));
	case SMTP_ST_COMMAND: return smtp_fmt(c, o, ph, NULL, "%s", p->cmd[c->cmd_i]);
	case SMTP_ST_MAIL:
		return smtp_fmt(c, o, ph, NULL, "MAIL FROM:<%s>", p->mail_from ? p->mail_from : "");
	case SMTP_ST_RCPT: return smtp_fmt(c, o, ph, NULL, "RCPT TO:<%s>", p->rcpt[c->rcpt_i]);
	case SMTP_ST_QUIT: return smtp_fmt(c, o, ph, NULL, "QUIT");
	case SMTP_ST_INIT:
	case SMTP_ST_GREETING:
	case SMTP_ST_TLS:
	case SMTP_ST_DONE:
	case SMTP_ST_MAX: break;
	}
	return 0;
}

/*
 * Where the client goes after a failure, from state st: QUIT, or DONE when
 * it is already leaving, the server is closing (421), the server waits
 * inside an AUTH exchange (334) or the stream cannot be trusted.
 */
static enum smtp_state smtp_exit_state(const struct smtp_client *c, enum smtp_state st,
				       const struct smtp_reply *r)
{
	enum fail_class cls = c->res->fail.cls;

	if (st == SMTP_ST_QUIT || st == SMTP_ST_DONE || cls == FAIL_PROTOCOL ||
	    cls == FAIL_INJECTION || cls == FAIL_DROPPED || cls == FAIL_TIMEOUT ||
	    (r != NULL && (r->code == 421 || r->code == 334)))
		return SMTP_ST_DONE;
	return SMTP_ST_QUIT;
}

/* The -vvvv trace: one "state: old -> new" line in the transcript. */
static void smtp_trace(struct smtp_client *c, enum smtp_state from, enum smtp_state to)
{
	char line[64];
	int n;

	if (!c->p->trace)
		return;
	n = snprintf(line, sizeof(line), "%s -> %s", smtp_state_name(from), smtp_state_name(to));
	if (n > 0 && (size_t)n < sizeof(line))
		smtp_log_line(c, "state: ", line, (size_t)n);
}

/*
 * The one transition function: the only place c->st changes. The state's
 * opening command is made first; when it cannot be, the failure is
 * recorded and the client leaves instead (QUIT or DONE). Then the change
 * is traced, the state set and the command queued (shown masked in the
 * transcript when it carries credentials, which are wiped here).
 */
static void smtp_enter(struct smtp_client *c, enum smtp_state st)
{
	struct smtp_cmdline o;
	enum smtp_state from = c->st;

	if (smtp_compose(c, st, &o) != 0) {
		st = smtp_exit_state(c, st, NULL);
		if (st == SMTP_ST_QUIT && smtp_compose(c, st, &o) != 0)
			st = SMTP_ST_DONE; /* not reached: QUIT always fits */
		if (st == SMTP_ST_DONE)
			o.len = 0;
	}
	smtp_trace(c, from, st);
	c->st = st;
	/* RFC 5321 §4.1.4, RFC 3207 §4.2: a new greeting replaces what was learned before. */
	if (st == SMTP_ST_EHLO || st == SMTP_ST_HELO || st == SMTP_ST_EHLO2)
		memset(&c->res->caps, 0, sizeof(c->res->caps));
	if (o.len > 0) {
		smtp_log(c, "C: ", o.masked != NULL ? o.masked : o.text,
			 strlen(o.masked != NULL ? o.masked : o.text));
		memcpy(o.text + o.len, "\r\n", 2);
		if (o.masked != NULL)
			c->out_secret = 1;
		if (buf_append(&c->out, o.text, o.len + 2) != 0) {
			smtp_record(c, FAIL_INTERNAL, smtp_state_phase[st], ENOMEM, NULL,
				    "output buffer full");
			smtp_enter(c, SMTP_ST_DONE);
		}
	}
	explicit_bzero(&o, sizeof(o)); /* it may hold credentials */
}

/* After a failure: leave (QUIT or DONE, see smtp_exit_state); r is the reply that failed. */
static void smtp_abort(struct smtp_client *c, const struct smtp_reply *r)
{
	smtp_enter(c, smtp_exit_state(c, c->st, r));
}

/* Record an unexpected reply in the current phase and stop. */
static void smtp_bad_reply(struct smtp_client *c, const struct smtp_reply *r, const char *what)
{
	smtp_record(c, FAIL_REPLY, smtp_state_phase[c->st], 0, r, "unexpected reply to %s", what);
	smtp_abort(c, r);
}

/* Choose the AUTH mechanism, or record why it cannot be used; returns 0 to go on. */
static int smtp_auth_pick(struct smtp_client *c)
{
	enum smtp_auth want = c->p->auth;
	const char *m = smtp_auth_name(want);

	if (m[0] == '\0') {
		smtp_record(c, FAIL_INTERNAL, PHASE_AUTH, 0, NULL, "unknown AUTH mechanism");
		return -1;
	}
	if (!(c->res->caps.flags & SMTP_CAP_AUTH)) {
		smtp_record(c, FAIL_MISSING, PHASE_AUTH, 0, NULL, "AUTH not offered");
		return -1;
	}
	if (!(c->res->caps.auth & (unsigned)want)) {
		smtp_record(c, FAIL_MISSING, PHASE_AUTH, 0, NULL, "AUTH %s not offered", m);
		return -1;
	}
	c->auth = want;
	return 0;
}

/* After a successful step: the next state of the dialogue. */
static void smtp_next(struct smtp_client *c)
{
	const struct smtp_params *p = c->p;

	/* RFC 3207 §4: STARTTLS only when offered; REQUIRE makes its absence a failure. */
	if (!c->res->tls_active && p->starttls != SMTP_TLS_NONE) {
		if (c->res->caps.flags & SMTP_CAP_STARTTLS) {
			smtp_enter(c, SMTP_ST_STARTTLS);
			return;
		}
		if (p->starttls == SMTP_TLS_REQUIRE) {
			smtp_record(c, FAIL_MISSING, PHASE_STARTTLS, 0, NULL,
				    "STARTTLS not offered");
			smtp_abort(c, NULL);
			return;
		}
	}
	if (p->auth != SMTP_AUTH_NONE && !c->auth_done) {
		if (smtp_auth_pick(c) != 0)
			smtp_abort(c, NULL);
		else /* RFC 4954 §4: PLAIN goes with an initial response */
			smtp_enter(c,
				   c->auth == SMTP_AUTH_PLAIN ? SMTP_ST_AUTH_PASS : SMTP_ST_AUTH);
		return;
	}
	if (c->cmd_i < p->ncmd)
		smtp_enter(c, SMTP_ST_COMMAND);
	else if (!c->mail_done && (p->mail_from != NULL || p->nrcpt > 0))
		smtp_enter(c, SMTP_ST_MAIL);
	else if (c->rcpt_i < p->nrcpt)
		smtp_enter(c, SMTP_ST_RCPT);
	else
		smtp_enter(c, SMTP_ST_QUIT);
}

/* Greeting (RFC 5321 §4.3.1): 2xx, and the -e substring in its first line. */
static void smtp_on_greeting(struct smtp_client *c, const struct smtp_reply *r)
{
	if (r->code / 100 != 2) {
		smtp_bad_reply(c, r, "the connection (greeting)");
		return;
	}
	if (c->p->expect != NULL && strstr(c->first, c->p->expect) == NULL) {
		smtp_record(c, FAIL_EXPECT, PHASE_GREETING, 0, r, "greeting lacks \"%.64s\"",
			    c->p->expect);
		smtp_abort(c, r);
		return;
	}
	smtp_enter(c, SMTP_ST_EHLO);
}

/* EHLO/LHLO reply; RFC 5321 §4.1.4: fall back to HELO when EHLO is not understood. */
static void smtp_on_ehlo(struct smtp_client *c, const struct smtp_reply *r)
{
	int code = r->code;

	if (code == 250) {
		smtp_next(c);
		return;
	}
	if (c->st == SMTP_ST_EHLO && !c->p->lmtp &&
	    (code == 500 || code == 502 || code == 504 || code == 550)) {
		smtp_enter(c, SMTP_ST_HELO);
		return;
	}
	smtp_bad_reply(c, r, c->p->lmtp ? "LHLO" : (c->st == SMTP_ST_HELO ? "HELO" : "EHLO"));
}

/* STARTTLS reply (RFC 3207 §4): 220 means the handshake comes next. */
static void smtp_on_starttls(struct smtp_client *c, const struct smtp_reply *r)
{
	if (r->code != 220) {
		smtp_bad_reply(c, r, "STARTTLS");
		return;
	}
	/* The injection check (bytes after the 220) is done by smtp_client_feed. */
	smtp_enter(c, SMTP_ST_TLS);
}

/* AUTH replies (RFC 4954 §4, §6): 334 continues, 235 succeeds. */
static void smtp_on_auth(struct smtp_client *c, const struct smtp_reply *r)
{
	if (r->code == 235 && c->st == SMTP_ST_AUTH_PASS) {
		c->res->auth_ok = 1;
		c->auth_done = 1;
		smtp_next(c);
	} else if (r->code == 334 && c->st == SMTP_ST_AUTH && c->auth == SMTP_AUTH_LOGIN) {
		smtp_enter(c, SMTP_ST_AUTH_USER);
	} else if (r->code == 334 && (c->st == SMTP_ST_AUTH_USER ||
				      (c->st == SMTP_ST_AUTH && c->auth == SMTP_AUTH_CRAM_MD5))) {
		smtp_enter(c, SMTP_ST_AUTH_PASS);
	} else {
		smtp_bad_reply(c, r, "AUTH");
	}
}

/* Reply to a -C command: checked against its -R regex when one was given (421: smtp_step). */
static void smtp_on_command(struct smtp_client *c, const struct smtp_reply *r)
{
	int i = c->cmd_i;

	if (c->p->cmd_expect != NULL && c->p->cmd_expect[i] != NULL) {
		if (!c->re_ok[i]) {
			smtp_record(c, FAIL_INTERNAL, PHASE_COMMAND, 0, NULL, "invalid -R regex");
			smtp_abort(c, r);
			return;
		}
		if (regexec(&c->re[i], c->first, 0, NULL, 0) != 0) {
			smtp_record(c, FAIL_EXPECT, PHASE_COMMAND, 0, r,
				    "reply to command %d does not match -R", i + 1);
			smtp_abort(c, r);
			return;
		}
	}
	c->cmd_i++;
	smtp_next(c);
}

/* QUIT reply (RFC 5321 §4.1.1.10): 221 expected; a failure before QUIT wins. */
static void smtp_on_quit(struct smtp_client *c, const struct smtp_reply *r)
{
	if (r->code != 221 && !c->p->ignore_quit_failure)
		smtp_record(c, FAIL_REPLY, PHASE_QUIT, 0, r, "unexpected reply to QUIT");
	smtp_enter(c, SMTP_ST_DONE);
}

/* A complete reply r arrived in the current state: decide the next state. */
static void smtp_step(struct smtp_client *c, const struct smtp_reply *r)
{
	if (r->code == 421 && c->st != SMTP_ST_QUIT) {
		/* RFC 5321 §3.8: the server is closing; send nothing more. */
		smtp_bad_reply(c, r, smtp_state_name(c->st));
		return;
	}
	switch (c->st) {
	case SMTP_ST_GREETING: smtp_on_greeting(c, r); break;
	case SMTP_ST_EHLO:
	case SMTP_ST_HELO:
	case SMTP_ST_EHLO2: smtp_on_ehlo(c, r); break;
	case SMTP_ST_STARTTLS: smtp_on_starttls(c, r); break;
	case SMTP_ST_AUTH:
	case SMTP_ST_AUTH_USER:
	case SMTP_ST_AUTH_PASS: smtp_on_auth(c, r); break;
	case SMTP_ST_COMMAND: smtp_on_command(c, r); break;
	case SMTP_ST_MAIL:
		if (r->code != 250) {
			smtp_bad_reply(c, r, "MAIL FROM");
			break;
		}
		c->mail_done = 1;
		smtp_next(c);
		break;
	case SMTP_ST_RCPT:
		if (r->code != 250 && r->code != 251) {
			smtp_bad_reply(c, r, "RCPT TO");
			break;
		}
		c->rcpt_i++;
		smtp_next(c);
		break;
	case SMTP_ST_QUIT: smtp_on_quit(c, r); break;
	case SMTP_ST_INIT:
	case SMTP_ST_TLS:
	case SMTP_ST_DONE:
	case SMTP_ST_MAX: break;
	}
}

/* A protocol error in the current phase (not recorded at QUIT when ignored). */
static void smtp_protocol(struct smtp_client *c, const char *what)
{
	if (c->st != SMTP_ST_QUIT || !c->p->ignore_quit_failure)
		smtp_record(c, FAIL_PROTOCOL, smtp_state_phase[c->st], 0, NULL, "%s", what);
	smtp_enter(c, SMTP_ST_DONE);
}

/* Handle one input line (CR/LF stripped). */
static void smtp_line(struct smtp_client *c, const char *line, size_t len)
{
	const char *problem;
	enum phase ph;
	int rc;

	smtp_log(c, "S: ", line, len);
	if (c->cur.lines == 0) {
		memcpy(c->first, line, len);
		c->first[len] = '\0';
		if (len > 3)
			c->first[3] = ' '; /* "CODE TEXT" even for "CODE-TEXT" */
		c->first_len = len;
	}
	problem = smtp_reply_problem(&c->cur, line, len);
	rc = problem == NULL ? smtp_reply_line(&c->cur, line, len) : -1;
	if (rc < 0) {
		smtp_protocol(c, problem != NULL ? problem : "malformed reply line");
		return;
	}
	if ((c->st == SMTP_ST_EHLO || c->st == SMTP_ST_EHLO2) && c->cur.code == 250 &&
	    c->cur.lines >= 2 && len > 4)
		smtp_caps_line(&c->res->caps, line + 4, len - 4);
	if (rc == 0)
		return;
	ph = smtp_state_phase[c->st];
	c->res->reply[ph] = c->cur;
	smtp_reply_init(&c->cur);
	smtp_step(c, &c->res->reply[ph]);
}

/* 1 when the client is waiting for a server reply. */
static int smtp_reading(const struct smtp_client *c)
{
	return c->st != SMTP_ST_TLS && c->st != SMTP_ST_DONE;
}

/* Parse every complete line held in the input buffer. */
static void smtp_input(struct smtp_client *c)
{
	while (smtp_reading(c)) {
		size_t n = buf_line(&c->in), len;

		if (n == 0) {
			if (buf_room(&c->in) == 0)
				smtp_protocol(c, "reply line too long");
			return;
		}
		len = n - 1;
		if (len > 0 && c->in.data[len - 1] == '\r')
			len--;
		if (len > SMTP_LINE_MAX)
			smtp_protocol(c, "reply line too long");
		else
			smtp_line(c, (const char *)c->in.data, len);
		buf_consume(&c->in, n);
	}
}

/* Feed bytes received from the server. */
void smtp_client_feed(struct smtp_client *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0 && smtp_reading(c)) {
		size_t n = buf_room(&c->in);

		if (n > len)
			n = len;
		if (buf_append(&c->in, p, n) != 0) {
			smtp_record(c, FAIL_INTERNAL, smtp_state_phase[c->st], ENOMEM, NULL,
				    "out of memory");
			smtp_enter(c, SMTP_ST_DONE);
			break;
		}
		p += n;
		len -= n;
		smtp_input(c);
	}
	/*
	 * RFC 3207 §4.2 / CVE-2011-0411 class: nothing may follow the STARTTLS
	 * 220 before the handshake. Bytes that did are response injection.
	 */
	if (c->st == SMTP_ST_TLS && (c->in.len > 0 || len > 0)) {
		smtp_record(c, FAIL_INJECTION, PHASE_STARTTLS, 0, NULL,
			    "plaintext received after the STARTTLS 220 reply");
		smtp_enter(c, SMTP_ST_DONE);
	}
	if (c->st == SMTP_ST_DONE)
		buf_consume(&c->in, c->in.len);
}

/* The connection was closed by the peer (err = errno or 0 for EOF). */
void smtp_client_eof(struct smtp_client *c, int err)
{
	int partial = c->cur.lines > 0 || c->in.len > 0;

	if (c->st == SMTP_ST_DONE)
		return;
	if (c->st == SMTP_ST_QUIT) {
		/* A close right after QUIT is how many servers say goodbye. */
		if (partial && !c->p->ignore_quit_failure)
			smtp_record(c, FAIL_DROPPED, PHASE_QUIT, err, NULL,
				    "connection closed in the middle of the QUIT reply");
	} else if (err != 0) {
		smtp_record(c, FAIL_DROPPED, smtp_state_phase[c->st], err, NULL, "%s",
			    strerror(err));
	} else {
		smtp_record(c, FAIL_DROPPED, smtp_state_phase[c->st], 0, NULL,
			    partial ? "connection closed in the middle of a reply"
				    : "connection closed by the server");
	}
	smtp_enter(c, SMTP_ST_DONE);
}

/*
 * The TLS layer failed after the handshake (an alert such as certificate_required,
 * RFC 8446 section 6.2, or a corrupt record): a TLS failure of the current phase,
 * reason and text as OpenSSL gave them. At QUIT it is the close it ends in.
 */
void smtp_client_tls_fail(struct smtp_client *c, int reason, const char *why)
{
	if (c->st == SMTP_ST_DONE)
		return;
	if (c->st == SMTP_ST_QUIT) {
		smtp_client_eof(c, 0);
		return;
	}
	smtp_record(c, FAIL_TLS, smtp_state_phase[c->st], reason, NULL, "%s", why);
	smtp_enter(c, SMTP_ST_DONE);
}

/* The runner finished the STARTTLS handshake successfully. */
void smtp_client_tls_done(struct smtp_client *c)
{
	if (c->st != SMTP_ST_TLS)
		return;
	/* RFC 3207 §4.2: forget everything learned before TLS. */
	memset(&c->res->caps, 0, sizeof(c->res->caps));
	c->res->tls_active = 1;
	/* A verification failure recorded by the runner: leave politely. */
	smtp_enter(c, c->res->fail.cls != FAIL_NONE ? SMTP_ST_QUIT : SMTP_ST_EHLO2);
}

/* The deadline passed: record a timeout in the current phase and finish. */
void smtp_client_timeout(struct smtp_client *c)
{
	if (c->st == SMTP_ST_DONE)
		return;
	if (c->st == SMTP_ST_GREETING && c->cur.lines == 0 && c->in.len == 0 &&
	    c->p->starttls != SMTP_TLS_NONE)
		smtp_record(c, FAIL_TIMEOUT, PHASE_GREETING, FAIL_TIMEOUT_SILENT_STARTTLS, NULL,
			    "not one byte of greeting (STARTTLS wanted)");
	else if (c->st != SMTP_ST_QUIT || !c->p->ignore_quit_failure)
		smtp_record(c, FAIL_TIMEOUT, smtp_state_phase[c->st], ETIMEDOUT, NULL,
			    "timed out in %s", smtp_state_name(c->st));
	smtp_enter(c, SMTP_ST_DONE);
}

/* Bytes waiting to be sent (NULL/0 when none). */
const void *smtp_client_output(const struct smtp_client *c, size_t *len)
{
	*len = c->out.len;
	return c->out.len > 0 ? c->out.data : NULL;
}

/* n bytes of the output were sent; credentials are wiped once all are out. */
void smtp_client_sent(struct smtp_client *c, size_t n)
{
	/* Wipe before the last consume, in case the buffer releases its storage. */
	if (n >= c->out.len && c->out_secret)
		smtp_wipe_out(c);
	buf_consume(&c->out, n);
}

/* What the runner should do next. */
enum smtp_want smtp_client_want(const struct smtp_client *c)
{
	if (c->st == SMTP_ST_TLS)
		return SMTP_WANT_TLS;
	return c->st == SMTP_ST_DONE ? SMTP_WANT_CLOSE : SMTP_WANT_READ;
}

/* Current state. */
enum smtp_state smtp_client_state(const struct smtp_client *c)
{
	return c->st;
}

/* The phase the client is waiting in; PHASE_NONE when done. */
enum phase smtp_client_phase(const struct smtp_client *c)
{
	return smtp_state_phase[c->st];
}

/* Compile the -R regexes; invalid ones are reported when their command runs. 0 or -1 (OOM). */
static int smtp_compile(struct smtp_client *c)
{
	const struct smtp_params *p = c->p;

	if (p->ncmd <= 0 || p->cmd_expect == NULL)
		return 0;
	c->re = calloc((size_t)p->ncmd, sizeof(*c->re));
	c->re_ok = calloc((size_t)p->ncmd, 1);
	if (c->re == NULL || c->re_ok == NULL)
		return -1;
	for (int i = 0; i < p->ncmd; i++)
		if (p->cmd_expect[i] != NULL && smtp_regex_bounded(p->cmd_expect[i]))
			c->re_ok[i] =
				regcomp(&c->re[i], p->cmd_expect[i], REG_EXTENDED | REG_NOSUB) == 0;
	return 0;
}

/* Make a client; params and res must outlive it. res is reset. NULL on out of memory. */
struct smtp_client *smtp_client_new(const struct smtp_params *p, struct smtp_result *res)
{
	struct smtp_client *c = calloc(1, sizeof(*c));

	memset(res, 0, sizeof(*res));
	fail_reset(&res->fail);
	buf_init(&res->transcript, SMTP_TRANSCRIPT_MAX);
	if (c == NULL)
		return NULL;
	c->p = p;
	c->res = res;
	buf_init(&c->in, SMTP_IN_MAX);
	buf_init(&c->out, SMTP_OUT_MAX);
	/* Allocate the output storage once so credentials are never left behind by a realloc. */
	while (buf_room(&c->out) > 0) {
		size_t n =
			buf_room(&c->out) < sizeof(c->first) ? buf_room(&c->out) : sizeof(c->first);

		if (buf_append(&c->out, c->first, n) != 0)
			goto fail;
	}
	buf_consume(&c->out, c->out.len);
	if (smtp_compile(c) != 0)
		goto fail;
	smtp_reply_init(&c->cur);
	res->tls_active = p->implicit_tls != 0;
	smtp_enter(c, SMTP_ST_GREETING); /* from SMTP_ST_INIT: wait for the greeting */
	return c;
fail:
	smtp_client_free(c);
	return NULL;
}

/* Free the client (not res). Accepts NULL. Wipes buffered credentials. */
void smtp_client_free(struct smtp_client *c)
{
	if (c == NULL)
		return;
	smtp_wipe_out(c);
	buf_reset(&c->out);
	buf_reset(&c->in);
	if (c->re != NULL && c->re_ok != NULL)
		for (int i = 0; i < c->p->ncmd; i++)
			if (c->re_ok[i])
				regfree(&c->re[i]);
	free(c->re);
	free(c->re_ok);
	free(c);
}
