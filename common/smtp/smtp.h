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

#define SMTP_LINE_MAX 4096   /* one reply line; RFC 5321 says 512, servers exceed it */
#define SMTP_REPLY_MAX 65536 /* one whole (multiline) reply */
#define SMTP_REPLY_LINES 512 /* lines in one reply */
#define SMTP_TEXT_MAX 1024   /* text kept of a reply */
#define SMTP_TRANSCRIPT_MAX 65536

/* A parsed reply: every line's text joined by '\n', truncated to SMTP_TEXT_MAX - 1. */
struct smtp_reply {
	int code;     /* final line's code, 0 when no reply */
	struct enh enh;
	int lines;
	size_t bytes; /* total bytes seen in this reply */
	size_t len;   /* of text */
	char text[SMTP_TEXT_MAX];
};

/* Start a new reply. */
void smtp_reply_init(struct smtp_reply *r);
/*
 * Feed one line without its CRLF/LF. Returns 1 when the reply is complete,
 * 0 when more lines follow, -1 on a syntax error (bad code, separator other
 * than SP or '-', code differs from the previous lines, too many lines).
 */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len);
/* Parse an RFC 3463 code at the start of s; returns bytes consumed (0 if none). */
size_t smtp_enh_parse(const char *s, size_t len, struct enh *out);

/* EHLO capabilities (RFC 5321 §4.1.1.1; keywords case-insensitive). */
#define SMTP_CAP_STARTTLS 0x001
#define SMTP_CAP_PIPELINING 0x002
#define SMTP_CAP_SIZE 0x004
#define SMTP_CAP_8BITMIME 0x008
#define SMTP_CAP_ENHANCED 0x010
#define SMTP_CAP_SMTPUTF8 0x020
#define SMTP_CAP_AUTH 0x040
#define SMTP_CAP_CHUNKING 0x080
#define SMTP_CAP_DSN 0x100

#define SMTP_AUTH_PLAIN 0x1
#define SMTP_AUTH_LOGIN 0x2
#define SMTP_AUTH_CRAM_MD5 0x4

struct smtp_caps {
	unsigned flags;
	unsigned auth;       /* SMTP_AUTH_* offered */
	unsigned long size;  /* SIZE parameter, 0 when none */
};

/* Take one EHLO reply line's text (after "250-"); the first line (the domain) is skipped by the caller. */
void smtp_caps_line(struct smtp_caps *caps, const char *text, size_t len);
/* Space-separated keyword list of caps, e.g. "PIPELINING SIZE STARTTLS AUTH=PLAIN,LOGIN". */
const char *smtp_caps_str(const struct smtp_caps *caps, char *dst, size_t len);

enum smtp_tls_mode {
	SMTP_TLS_NONE = 0, /* never STARTTLS */
	SMTP_TLS_TRY,      /* STARTTLS when offered */
	SMTP_TLS_REQUIRE   /* STARTTLS or fail (missing extension) */
};

struct smtp_params {
	const char *helo;        /* EHLO name; NULL: "localhost" */
	int lmtp;                /* LHLO instead of EHLO/HELO */
	enum smtp_tls_mode starttls;
	int implicit_tls;        /* the session is TLS from the start (runner did the handshake) */
	const char *expect;      /* substring the greeting's first line must contain; NULL: any 2xx */
	const char *auth_mech;   /* "PLAIN", "LOGIN", "CRAM-MD5"; NULL: no AUTH */
	const char *auth_user;
	const char *auth_pass;   /* borrowed; never written to the transcript */
	const char *mail_from;   /* NULL: no MAIL FROM (unless rcpt given: then "") */
	const char *const *rcpt; /* RCPT TO addresses */
	int nrcpt;
	const char *const *cmd;  /* -C commands */
	const char *const *cmd_expect; /* -R extended regex per command, NULL entries allowed */
	int ncmd;
	int ignore_quit_failure;
	int transcript;          /* keep a transcript in res->transcript */
};

enum smtp_state {
	SMTP_ST_GREETING = 0,
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
	SMTP_WANT_READ,  /* send smtp_client_output() if any, then read */
	SMTP_WANT_TLS,   /* send pending output, do the TLS handshake, then smtp_client_tls_done() */
	SMTP_WANT_CLOSE  /* send pending output, then close: the dialogue is over */
};

/* Everything a session learned; caller-owned, filled by the client. */
struct smtp_result {
	struct fail fail;
	struct smtp_reply reply[PHASE_MAX]; /* last reply in each phase; code 0: none */
	struct smtp_caps caps;              /* latest EHLO (after TLS when TLS was used) */
	int tls_active;
	int auth_ok;
	struct buf transcript;              /* "S: ..." / "C: ..." lines when params->transcript */
};

struct smtp_client;

/* Make a client; params and res must outlive it. res is reset. NULL on out of memory. */
struct smtp_client *smtp_client_new(const struct smtp_params *p, struct smtp_result *res);
/* Release what a result holds (the transcript); res is empty again. */
void smtp_result_reset(struct smtp_result *res);
/* Free the client (not res). Accepts NULL. Wipes buffered credentials. */
void smtp_client_free(struct smtp_client *c);
/* Feed bytes received from the server. */
void smtp_client_feed(struct smtp_client *c, const void *data, size_t len);
/* The connection was closed by the peer (err = errno or 0 for EOF). */
void smtp_client_eof(struct smtp_client *c, int err);
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
 * time (-R option checks; forks once: smtp_re.c), else 0.
 */
int smtp_regex_valid(const char *re);
/* 1 when regcomp's copies of re stay small (memory bound only; smtp_re.c), else 0. */
int smtp_regex_small(const char *re);

#endif
