/*
 * fuzz_smtp_client.c - libFuzzer target for the whole SMTP client.
 *
 * Input: byte 0 selects the features (STARTTLS mode, LMTP, implicit TLS,
 * AUTH mechanism, -C/-R, MAIL/RCPT, QUIT handling); then records follow:
 * a length byte L and L % 64 + 1 server bytes, except L == 0xff (EOF),
 * 0xfe (timeout) and 0xfd (verification failure before the next TLS
 * handshake). The client's output is drained after every step and the
 * handshake is completed whenever it asks for TLS. Invariants checked:
 * want/state/phase agree, details are printable, commands end in CRLF,
 * no "C:" transcript line holds the password or its base64, and the
 * -vvvv trace ("state: old -> new") forms one chain from init to the
 * client's final state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PASS "fuzzpass"
#define FUZZ_PASS_B64 "ZnV6enBhc3M"          /* base64("fuzzpass") without padding */
#define FUZZ_PLAIN_B64 "AHVzZXIAZnV6enBhc3M" /* base64("\0user\0fuzzpass") */

static const enum smtp_auth fuzz_mechs[4] = {SMTP_AUTH_NONE, SMTP_AUTH_PLAIN, SMTP_AUTH_LOGIN,
					     SMTP_AUTH_CRAM_MD5};
static const char *const fuzz_rcpt[2] = {"a@example.net", "b@example.net"};
static const char *const fuzz_cmd[2] = {"NOOP", "VRFY postmaster"};
static const char *const fuzz_re[2] = {"^250", NULL};

/* Abort unless every "C: " transcript line is free of the password. */
static void fuzz_check_transcript(const struct buf *t)
{
	size_t i = 0;

	while (i < t->len) {
		const unsigned char *nl = memchr(t->data + i, '\n', t->len - i);
		size_t n = nl ? (size_t)(nl - (t->data + i)) : t->len - i;

		if (n >= 3 && memcmp(t->data + i, "C: ", 3) == 0 &&
		    (memmem(t->data + i, n, FUZZ_PASS, strlen(FUZZ_PASS)) != NULL ||
		     memmem(t->data + i, n, FUZZ_PASS_B64, strlen(FUZZ_PASS_B64)) != NULL ||
		     memmem(t->data + i, n, FUZZ_PLAIN_B64, strlen(FUZZ_PLAIN_B64)) != NULL))
			abort();
		i += n + 1;
	}
}

/* Abort unless the "state:" lines chain from "init" to the final state's name. */
static void fuzz_check_trace(const struct buf *t, const char *final)
{
	char prev[32] = "init";
	size_t i = 0;

	while (i < t->len) {
		const unsigned char *nl = memchr(t->data + i, '\n', t->len - i);
		size_t n = nl ? (size_t)(nl - (t->data + i)) : t->len - i;
		const char *l = (const char *)t->data + i;

		if (n > 7 && memcmp(l, "state: ", 7) == 0) {
			size_t pl = strlen(prev);
			const char *arrow = memchr(l, '>', n);

			if (n < 7 + pl + 4 || memcmp(l + 7, prev, pl) != 0 ||
			    memcmp(l + 7 + pl, " -> ", 4) != 0 || arrow == NULL)
				abort();
			n -= (size_t)(arrow + 2 - l);
			if (n == 0 || n >= sizeof(prev))
				abort();
			memcpy(prev, arrow + 2, n);
			prev[n] = '\0';
			n = (size_t)(arrow + 2 - l) + strlen(prev);
		}
		i += n + 1;
	}
	if (strcmp(prev, final) != 0)
		abort();
}

/* Send everything pending; abort unless it is whole CRLF lines without bare CR/LF. */
static void fuzz_drain(struct smtp_client *c)
{
	size_t n;
	const unsigned char *p = smtp_client_output(c, &n);

	if (p == NULL)
		return;
	if (n < 2 || p[n - 2] != '\r' || p[n - 1] != '\n')
		abort();
	for (size_t i = 0; i < n; i++)
		if ((p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) ||
		    (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n')))
			abort();
	smtp_client_sent(c, n);
}

/* Abort unless the client's view of itself is consistent. */
static void fuzz_check(const struct smtp_client *c, const struct smtp_result *res)
{
	enum smtp_state st = smtp_client_state(c);
	enum smtp_want w = smtp_client_want(c);

	if ((st == SMTP_ST_DONE) != (w == SMTP_WANT_CLOSE) ||
	    (st == SMTP_ST_TLS) != (w == SMTP_WANT_TLS) ||
	    (st == SMTP_ST_DONE) != (smtp_client_phase(c) == PHASE_NONE))
		abort();
	if (res->fail.cls >= FAIL_MAX || res->fail.phase >= PHASE_MAX)
		abort();
	for (const char *d = res->fail.detail; *d != '\0'; d++)
		if (*d < 0x20 || *d > 0x7e)
			abort();
	if (res->auth_ok && res->fail.cls == FAIL_NONE && res->reply[PHASE_AUTH].code != 235)
		abort();
}

/* Configure params from the first input byte. */
static void fuzz_params(struct smtp_params *p, uint8_t b)
{
	memset(p, 0, sizeof(*p));
	p->helo = "fuzz.example.org";
	p->starttls = (enum smtp_tls_mode)(b % 3);
	p->lmtp = (b >> 2) & 1;
	p->implicit_tls = (b >> 3) & 1;
	p->auth = fuzz_mechs[(b >> 4) & 3];
	p->auth_user = "user";
	p->auth_pass = FUZZ_PASS;
	if (b & 0x40) {
		p->cmd = fuzz_cmd;
		p->cmd_expect = fuzz_re;
		p->ncmd = 2;
	}
	if (b & 0x80) {
		p->mail_from = "probe@example.org";
		p->rcpt = fuzz_rcpt;
		p->nrcpt = 2;
	}
	p->expect = (b & 0x03) == 0x03 ? "ESMTP" : NULL;
	p->ignore_quit_failure = (b >> 5) & (b >> 6) & 1;
	p->transcript = 1;
	p->trace = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_params p;
	static struct smtp_result res;
	struct smtp_client *c;
	size_t i = 1;

	if (size < 1)
		return 0;
	fuzz_params(&p, data[0]);
	if ((c = smtp_client_new(&p, &res)) == NULL)
		return 0;
	while (i < size && smtp_client_want(c) != SMTP_WANT_CLOSE) {
		uint8_t l = data[i++];
		size_t n = (size_t)(l % 64) + 1;

		if (l == 0xff) {
			smtp_client_eof(c, 0);
		} else if (l == 0xfe) {
			smtp_client_timeout(c);
		} else if (l == 0xfd) {
			fail_set(&res.fail, FAIL_VERIFY, PHASE_TLS, 0, "fuzz verify failure");
		} else {
			if (n > size - i)
				n = size - i;
			smtp_client_feed(c, data + i, n);
			i += n;
		}
		fuzz_drain(c);
		if (smtp_client_want(c) == SMTP_WANT_TLS) {
			smtp_client_tls_done(c);
			fuzz_drain(c);
		}
		fuzz_check(c, &res);
	}
	fuzz_check_transcript(&res.transcript);
	/* A full transcript drops lines: the chain is only checked when nothing was dropped. */
	if (buf_room(&res.transcript) > SMTP_LINE_MAX + 64)
		fuzz_check_trace(&res.transcript, smtp_state_name(smtp_client_state(c)));
	smtp_client_free(c);
	smtp_session_reset(&res);
	return 0;
}
