/*
 * smtp.h - the SMTP client state machine, sans I/O (RFC 5321, 3207, 4954).
 *
 * Bytes from the server go in (smtp_client_feed), bytes to send come out
 * (smtp_client_output). The runner (smtp_run.c) moves them over a socket
 * and performs the TLS handshake when the client asks for it. Unit tests
 * drive the client from recorded transcripts without sockets.
 *
 * Dialogue: greeting, EHLO (HELO fallback; LHLO for LMTP), STARTTLS,
 * [runner: TLS handshake], EHLO again, AUTH, -C/-R commands, MAIL FROM,
 * RCPT TO, QUIT. No pipelining. The first failure is recorded in
 * res->fail; after it the client sends QUIT (except after 421 or a drop).
 */
#ifndef MAILPATH_SMTP_H
#define MAILPATH_SMTP_H

#include <stddef.h>
#include "base/buf.h"
#include "base/fail.h"
#include "smtp/smtp_result.h"

#define SMTP_LINE_MAX 4096   /* one reply line; RFC 5321 says 512, servers exceed it */
#define SMTP_REPLY_MAX 65536 /* one whole (multiline) reply */
#define SMTP_REPLY_LINES 512 /* lines in one reply */
/* RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF. */
#define SMTP_COMMAND_MAX 510

/* 1 when cmd can be sent as one command line: no CR or LF, at most SMTP_COMMAND_MAX bytes. */
int smtp_command_valid(const char *cmd);

/* Start a new reply. */
void smtp_reply_init(struct smtp_reply *r);
/*
 * Feed one line without its CRLF/LF (smtp_reply.c). Returns 1 when the reply is complete,
 * 0 when more lines follow, -1 on a syntax error (bad code, separator other
 * than SP or '-', code differs from the previous lines, too many lines).
 */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len);
/* Parse an RFC 3463 code at the start of s; returns bytes consumed (0 if none). */
size_t smtp_enh_parse(const char *s, size_t len, struct enh *out);
/* What is wrong with line as the next line of r (a short phrase); NULL when it is fine. */
const char *smtp_reply_problem(const struct smtp_reply *r, const char *line, size_t len);

/* Capabilities, AUTH mechanism names and the result types: smtp_result.h. */

enum smtp_tls_mode {
	SMTP_TLS_NONE = 0, /* never STARTTLS */
	SMTP_TLS_TRY,      /* STARTTLS when offered */
	SMTP_TLS_REQUIRE   /* STARTTLS or fail (missing extension) */
};

struct smtp_params {
	const char *helo; /* EHLO name; NULL: "localhost" */
	int lmtp;         /* LHLO instead of EHLO/HELO */
	enum smtp_tls_mode starttls;
	int implicit_tls;    /* the session is TLS from the start (runner did the handshake) */
	const char *expect;  /* substring the greeting's first line must contain; NULL: any 2xx */
	enum smtp_auth auth; /* mechanism (smtp_auth_parse); SMTP_AUTH_NONE: no AUTH */
	const char *auth_user;
	const char *auth_pass;   /* borrowed; never written to the transcript */
	const char *mail_from;   /* NULL: no MAIL FROM (unless rcpt given: then "") */
	const char *const *rcpt; /* RCPT TO addresses */
	int nrcpt;
	const char *const *cmd;        /* -C commands */
	const char *const *cmd_expect; /* -R extended regex per command, NULL entries allowed */
	int ncmd;
	int ignore_quit_failure;
	int transcript; /* keep a transcript in res->transcript */
	int trace;      /* add each state change, "state: old -> new", to it (-vvvv) */
};

/* The client's states; smtp_state_name() names them for the -vvvv trace. */
enum smtp_state {
	SMTP_ST_INIT = 0, /* made, left at once by smtp_client_new() */
	SMTP_ST_GREETING,
	SMTP_ST_EHLO,
	SMTP_ST_HELO,
	SMTP_ST_STARTTLS,
	SMTP_ST_TLS, /* waiting for the runner's handshake */
	SMTP_ST_EHLO2,
	SMTP_ST_AUTH,
	SMTP_ST_AUTH_USER, /* LOGIN: username sent */
	SMTP_ST_AUTH_PASS, /* LOGIN/CRAM-MD5/PLAIN: credentials sent */
	SMTP_ST_COMMAND,
	SMTP_ST_MAIL,
	SMTP_ST_RCPT,
	SMTP_ST_QUIT,
	SMTP_ST_DONE, /* finished; res->fail tells success or failure */
	SMTP_ST_MAX
};

/* What the runner should do next. */
enum smtp_want {
	SMTP_WANT_READ, /* send smtp_client_output() if any, then read */
	SMTP_WANT_TLS,  /* send pending output, do the TLS handshake, then smtp_client_tls_done() */
	SMTP_WANT_CLOSE /* send pending output, then close: the dialogue is over */
};

struct smtp_client;

/* Make a client; params and res must outlive it. res is reset. NULL on out of memory. */
struct smtp_client *smtp_client_new(const struct smtp_params *p, struct smtp_result *res);
/* Free the client (not res). Accepts NULL. Wipes buffered credentials. */
void smtp_client_free(struct smtp_client *c);
/* Feed bytes received from the server. */
void smtp_client_feed(struct smtp_client *c, const void *data, size_t len);
/* The connection was closed by the peer (err = errno or 0 for EOF). */
void smtp_client_eof(struct smtp_client *c, int err);
/* TLS failed after the handshake: reason = OpenSSL reason code, why = its text. */
void smtp_client_tls_fail(struct smtp_client *c, int reason, const char *why);
/* The runner finished the STARTTLS handshake successfully. */
void smtp_client_tls_done(struct smtp_client *c);
/* The deadline passed: record a timeout in the current phase and finish. */
void smtp_client_timeout(struct smtp_client *c);
/* Bytes waiting to be sent (NULL/0 when none). */
const void *smtp_client_output(const struct smtp_client *c, size_t *len);
/* n bytes of the output were sent. */
void smtp_client_sent(struct smtp_client *c, size_t n);
enum smtp_want smtp_client_want(const struct smtp_client *c);
enum smtp_state smtp_client_state(const struct smtp_client *c);
enum phase smtp_client_phase(const struct smtp_client *c);
/* Name of a state, for traces. */
const char *smtp_state_name(enum smtp_state s);
/*
 * 1 when re is a POSIX extended regex that compiles in bounded memory and
 * time (-R option checks; smtp_re.c: bounds decided before regcomp, no fork), else 0.
 */
int smtp_regex_valid(const char *re);
/* 1 when re is within the length, size and nesting bounds (no regcomp; smtp_re.c), else 0. */
int smtp_regex_bounded(const char *re);

#endif
