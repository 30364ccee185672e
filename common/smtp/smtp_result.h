/*
 * smtp_result.h - what one SMTP probe learned, as plain data.
 *
 * The client (smtp.c) fills struct smtp_result, the runner (smtp_run.c)
 * wraps it in struct smtp_run_result with the address, the timings and
 * the TLS facts. Code that only reads results (reports, the MX verdict)
 * includes this header alone: no loop, DNS, socket or TLS session API.
 * Helpers on results live in smtp_result.c.
 */
#ifndef MAILPATH_SMTP_RESULT_H
#define MAILPATH_SMTP_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/fail.h"
#include "base/net_addr.h"
#include "tls/tls_info.h"

#define SMTP_TEXT_MAX 1024        /* text kept of a reply */
#define SMTP_TRANSCRIPT_MAX 65536 /* bytes of transcript kept */

/* A parsed reply: every line's text joined by '\n', truncated to SMTP_TEXT_MAX - 1. */
struct smtp_reply {
	int code; /* final line's code, 0 when no reply */
	struct enh enh;
	int lines;
	size_t bytes; /* total bytes seen in this reply */
	size_t len;   /* of text */
	char text[SMTP_TEXT_MAX];
};

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

/* The SASL mechanisms the client speaks (RFC 4954); also the bits of smtp_caps.auth. */
enum smtp_auth {
	SMTP_AUTH_NONE = 0,
	SMTP_AUTH_PLAIN = 0x1,   /* RFC 4616 */
	SMTP_AUTH_LOGIN = 0x2,   /* draft-murchison-sasl-login */
	SMTP_AUTH_CRAM_MD5 = 0x4 /* RFC 2195 */
};

/* The mechanisms by name, for help texts and usage errors. */
#define SMTP_AUTH_LIST "PLAIN, LOGIN or CRAM-MD5"

struct smtp_caps {
	unsigned flags;
	unsigned auth;      /* SMTP_AUTH_* offered */
	unsigned long size; /* SIZE parameter, 0 when none */
};

/* Everything a session learned; caller-owned, filled by the client. */
struct smtp_result {
	struct fail fail;
	struct smtp_reply reply[PHASE_MAX]; /* last reply in each phase; code 0: none */
	struct smtp_caps caps;              /* latest EHLO (after TLS when TLS was used) */
	int tls_active;
	int auth_ok;
	struct buf transcript; /* "S: ..." / "C: ..." lines when params->transcript */
};

#define SMTP_RUN_ADDRS_MAX 16 /* addresses of one name tried, as many as a lookup gives */

struct cause;

/* An address given up on before the one the probe reports (its connection failed). */
struct smtp_addr_fail {
	struct net_addr addr;
	const struct cause *cause;    /* classify() of the failure, decided when it happened */
	char detail[FAIL_DETAIL_MAX]; /* our words, e.g. strerror */
};

/* One probe: the session, where it went, how long each phase took, TLS facts. */
struct smtp_run_result {
	struct smtp_result smtp; /* fail record, replies, caps, transcript */
	struct net_addr addr;    /* address used (the last one tried) */
	int naddrs;              /* addresses the name resolved to (1 for an address) */
	int nfailed;             /* addresses given up on before addr, in the order tried */
	struct smtp_addr_fail failed[SMTP_RUN_ADDRS_MAX];
	int64_t phase_us[PHASE_MAX]; /* time spent in each phase */
	unsigned char phase_seen[PHASE_MAX];
	int64_t total_us;
	int tls_used;
	struct tls_info tls;
};

/* Release what a session result holds (the transcript) and clear it; reusable afterwards. */
void smtp_session_reset(struct smtp_result *r);
/* Release what a probe result holds and clear it; reusable afterwards. */
void smtp_result_reset(struct smtp_run_result *r);
/* 1 when the server spoke ESMTP: EHLO was answered 250 with extensions (RFC 5321 §4.1.1.1). */
int smtp_result_esmtp(const struct smtp_result *r);
/* Take one EHLO reply line's text (after "250-"); the first line (the domain) is skipped by the caller. */
void smtp_caps_line(struct smtp_caps *caps, const char *text, size_t len);
/* Space-separated keyword list of caps, e.g. "PIPELINING SIZE STARTTLS AUTH=PLAIN,LOGIN". */
const char *smtp_caps_str(const struct smtp_caps *caps, char *dst, size_t len);
/* The mechanism named by text (case-insensitive, e.g. the -A option) into *m; 0, or -1 if unknown. */
int smtp_auth_parse(const char *text, enum smtp_auth *m);
/* Canonical name of a mechanism ("CRAM-MD5"); "" for SMTP_AUTH_NONE or an unknown value. */
const char *smtp_auth_name(enum smtp_auth m);

#endif
