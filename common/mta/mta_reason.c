/*
 * mta_reason.c - Postfix and Exim delivery reasons into failure records.
 *
 * The reason is matched against the phrases the two MTAs write (Postfix's
 * smtp(8) client: smtp_proto.c, smtp_connect.c, smtp_trouble.c; Exim's
 * transports/smtp.c and its log of deferrals), most specific first. Each
 * phrase says what failed (a reply, a timeout, a drop, the connect, TLS,
 * DNS) and where; the reply code, enhanced code and server text are copied
 * as check_mail_smtp would record them. Anything else stays unclassified:
 * a reason the table does not know never gets a cause it does not have.
 */
#include <ares.h>
#include <errno.h>
#include <openssl/x509_vfy.h>
#include <string.h>
#include "mta/mta_reason.h"
#include "smtp/smtp.h"

/* A bounded view of the reason. */
struct span {
	const char *s;
	size_t n;
};

/* Offset of lit in v, or -1. */
static long mta_find(struct span v, const char *lit)
{
	size_t k = strlen(lit);

	if (k == 0 || k > v.n)
		return -1;
	for (size_t i = 0; i + k <= v.n; i++)
		if (v.s[i] == lit[0] && memcmp(v.s + i, lit, k) == 0)
			return (long)i;
	return -1;
}

/* 1 when v starts with lit. */
static int mta_starts(struct span v, const char *lit)
{
	size_t k = strlen(lit);

	return v.n >= k && memcmp(v.s, lit, k) == 0;
}

/* v from offset i on. */
static struct span mta_from(struct span v, size_t i)
{
	return i < v.n ? (struct span){v.s + i, v.n - i} : (struct span){v.s + v.n, 0};
}

/*
 * The phase a phrase names: Postfix "while receiving the initial server
 * greeting", "(in reply to RCPT TO command)", Exim "after initial
 * connection", "after pipelined MAIL FROM:<...>". Specific words first
 * ("end of DATA" before "DATA", "EHLO" before "HELO" is immaterial).
 */
static enum phase mta_phase(struct span v)
{
	/* clang-format off */
	static const struct {
		const char *word;
		enum phase phase;
	} words[] = {
		{"initial server greeting", PHASE_GREETING},
		{"initial connection", PHASE_GREETING},
		{"TLS handshake", PHASE_TLS},
		{"STARTTLS", PHASE_STARTTLS},
		{"EHLO", PHASE_EHLO},
		{"HELO", PHASE_EHLO},
		{"LHLO", PHASE_EHLO},
		{"AUTH", PHASE_AUTH},
		{"MAIL FROM", PHASE_MAIL},
		{"RCPT TO", PHASE_RCPT},
		{"end of DATA", PHASE_DATA},
		{"end of data", PHASE_DATA},
		{"message body", PHASE_DATA},
		{"DATA", PHASE_DATA},
		{"QUIT", PHASE_QUIT},
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (mta_find(v, words[i].word) >= 0)
			return words[i].phase;
	return PHASE_NONE;
}

/*
 * A reply at the start of v: "450 4.7.1 text" (Postfix joins multi-line
 * replies with blanks). Records it into f as FAIL_REPLY in phase; 1, or 0
 * when v does not start with a reply code.
 */
static int mta_reply(struct span v, enum phase phase, struct fail *f)
{
	struct enh enh = {0, 0, 0};
	size_t i = 3, k;
	int code;

	if (v.n < 3 || v.s[0] < '2' || v.s[0] > '5' || v.s[1] < '0' || v.s[1] > '9' ||
	    v.s[2] < '0' || v.s[2] > '9' || (v.n > 3 && v.s[3] != ' ' && v.s[3] != '-'))
		return 0;
	code = (v.s[0] - '0') * 100 + (v.s[1] - '0') * 10 + (v.s[2] - '0');
	if (i < v.n)
		i++;
	k = smtp_enh_parse(v.s + i, v.n - i, &enh);
	fail_set(f, FAIL_REPLY, phase, 0, NULL);
	fail_set_reply(f, code, k > 0 ? &enh : NULL, v.s, v.n);
	return 1;
}

/* The errno a system message names, 0 if none. */
static int mta_errno(struct span v)
{
	/* clang-format off */
	static const struct {
		const char *text;
		int err;
	} errs[] = {
		{"Connection refused", ECONNREFUSED},
		{"Connection timed out", ETIMEDOUT},
		{"No route to host", EHOSTUNREACH},
		{"Network is unreachable", ENETUNREACH},
		{"Host is down", EHOSTDOWN},
		{"Connection reset by peer", ECONNRESET},
		{"Permission denied", EACCES},
		{"Cannot assign requested address", EADDRNOTAVAIL},
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (mta_find(v, errs[i].text) >= 0)
			return errs[i].err;
	return 0;
}

/* A system error (connect, or a reset) in phase; 1 when v names one. */
static int mta_syserr(struct span v, enum phase phase, struct fail *f)
{
	int err = mta_errno(v);

	if (err == 0)
		return 0;
	if (err == ECONNRESET)
		fail_set(f, FAIL_DROPPED, phase == PHASE_CONNECT ? PHASE_GREETING : phase, err,
			 "%s", strerror(err));
	else
		fail_set(f, FAIL_CONNECT, PHASE_CONNECT, err, "%s", strerror(err));
	return 1;
}

/* Postfix's smtp(8) and its queue manager's words. */
static int mta_postfix(struct span v, struct fail *f)
{
	long at;

	/* "host mx.example[192.0.2.1] said: 450 4.7.1 ... (in reply to RCPT TO command)" */
	if (mta_starts(v, "host ") && (at = mta_find(v, "] said: ")) >= 0) {
		struct span r = mta_from(v, (size_t)at + 8);
		long tail = mta_find(r, " (in reply to ");
		enum phase ph = tail >= 0 ? mta_phase(mta_from(r, (size_t)tail)) : PHASE_NONE;

		if (tail >= 0)
			r.n = (size_t)tail;
		return mta_reply(r, ph, f);
	}
	/* "host mx.example[192.0.2.1] refused to talk to me: 421 4.4.2 ..." */
	if (mta_starts(v, "host ") && (at = mta_find(v, "] refused to talk to me: ")) >= 0)
		return mta_reply(mta_from(v, (size_t)at + 25), PHASE_GREETING, f);
	/* "conversation with mx.example[192.0.2.1] timed out while receiving ..." */
	if (mta_starts(v, "conversation with ") && (at = mta_find(v, " timed out while ")) >= 0) {
		enum phase ph = mta_phase(mta_from(v, (size_t)at));

		fail_set(f, FAIL_TIMEOUT, ph != PHASE_NONE ? ph : PHASE_GREETING, ETIMEDOUT,
			 "timed out");
		return 1;
	}
	/* "lost connection with mx.example[192.0.2.1] while performing the EHLO handshake" */
	if (mta_starts(v, "lost connection with ") && (at = mta_find(v, " while ")) >= 0) {
		enum phase ph = mta_phase(mta_from(v, (size_t)at));

		fail_set(f, FAIL_DROPPED, ph != PHASE_NONE ? ph : PHASE_GREETING, 0,
			 "connection lost");
		return 1;
	}
	/* "connect to mx.example[192.0.2.1]:25: Connection refused" */
	if (mta_starts(v, "connect to ") && mta_syserr(v, PHASE_CONNECT, f))
		return 1;
	/* "SSL_connect error to mx[192.0.2.1]:25: Connection timed out": the handshake stalled */
	if (mta_starts(v, "SSL_connect error") && mta_find(v, "timed out") >= 0) {
		fail_set(f, FAIL_TIMEOUT, PHASE_TLS, ETIMEDOUT, "TLS handshake timed out");
		return 1;
	}
	/* "Cannot start TLS: handshake failure", "SSL_connect error to ...: lost connection" */
	if (mta_starts(v, "Cannot start TLS") || mta_starts(v, "SSL_connect error")) {
		fail_set(f, FAIL_TLS, PHASE_TLS, 0, "TLS handshake failed");
		return 1;
	}
	if (mta_starts(v, "TLS is required, but was not offered")) {
		fail_set(f, FAIL_MISSING, PHASE_STARTTLS, 0, "STARTTLS not offered");
		return 1;
	}
	if (mta_starts(v, "Server certificate not trusted")) {
		fail_set(f, FAIL_VERIFY, PHASE_TLS, X509_V_ERR_CERT_UNTRUSTED, "not trusted");
		return 1;
	}
	/* "Host or domain name not found. Name service error for name=... type=MX: Host not found, try again" */
	if (mta_starts(v, "Host or domain name not found") || mta_starts(v, "Name service error")) {
		int temp = mta_find(v, "try again") >= 0;

		fail_set(f, FAIL_DNS, PHASE_DNS, temp ? ARES_ESERVFAIL : ARES_ENOTFOUND, "%s",
			 temp ? "name service error, try again" : "host not found");
		return 1;
	}
	return 0;
}

/* Exim's transport and router words. */
static int mta_exim(struct span v, struct fail *f)
{
	long at;

	/* "SMTP error from remote mail server after RCPT TO:<a@b>: 450 4.7.1 ..." */
	if ((at = mta_find(v, "SMTP error from remote mail server after ")) >= 0) {
		struct span w = mta_from(v, (size_t)at + 41);

		/* the reply follows the first ": " that a code follows (MAIL FROM:<...> has ':' too) */
		for (long c = mta_find(w, ": "); c >= 0;) {
			struct span r = mta_from(w, (size_t)c + 2);
			long next;

			if (mta_reply(r, mta_phase((struct span){w.s, (size_t)c}), f))
				return 1;
			next = mta_find(r, ": ");
			c = next >= 0 ? c + 2 + next : -1;
		}
		return 0;
	}
	/* "SMTP timeout after initial connection: Connection timed out" */
	if ((at = mta_find(v, "SMTP timeout after ")) >= 0) {
		enum phase ph = mta_phase(mta_from(v, (size_t)at));

		fail_set(f, FAIL_TIMEOUT, ph != PHASE_NONE ? ph : PHASE_GREETING, ETIMEDOUT,
			 "timed out");
		return 1;
	}
	/* "Remote host closed connection in response to initial connection" */
	if ((at = mta_find(v, "Remote host closed connection")) >= 0) {
		enum phase ph = mta_phase(mta_from(v, (size_t)at));

		fail_set(f, FAIL_DROPPED, ph != PHASE_NONE ? ph : PHASE_GREETING, 0,
			 "connection closed");
		return 1;
	}
	/* "TLS error on connection to mx [192.0.2.1] (SSL_connect): timed out" */
	if (mta_find(v, "TLS error on connection") >= 0 || mta_find(v, "TLS session: ") >= 0) {
		if (mta_find(v, "timed out") >= 0)
			fail_set(f, FAIL_TIMEOUT, PHASE_TLS, ETIMEDOUT, "TLS handshake timed out");
		else
			fail_set(f, FAIL_TLS, PHASE_TLS, 0, "TLS handshake failed");
		return 1;
	}
	return 0;
}

int mta_reason_parse(const char *text, size_t len, struct fail *f)
{
	struct span v = {text != NULL ? text : "", text != NULL ? len : 0};
	long at;

	fail_reset(f);
	/* Postfix: "delivery temporarily suspended: <the reason that suspended it>" */
	if (mta_starts(v, "delivery temporarily suspended: "))
		v = mta_from(v, 32);
	/* Exim: "defer (111): Connection refused", "defer (-44): SMTP error ..." */
	if (mta_starts(v, "defer (") && (at = mta_find(v, "): ")) >= 0 && at < 16)
		v = mta_from(v, (size_t)at + 3);
	while (v.n > 0 && v.s[0] == ' ')
		v = mta_from(v, 1);
	if (mta_postfix(v, f) || mta_exim(v, f))
		return 1;
	fail_reset(f);
	/* a bare system message ("Connection refused") */
	if (mta_syserr(v, PHASE_CONNECT, f))
		return 1;
	/* a bare reply ("421 4.7.0 ..."), maybe with Postfix's "(in reply to RCPT TO command)" */
	if ((at = mta_find(v, " (in reply to ")) >= 0) {
		struct span r = {v.s, (size_t)at};

		if (mta_reply(r, mta_phase(mta_from(v, (size_t)at)), f))
			return 1;
	}
	if (mta_reply(v, PHASE_NONE, f))
		return 1;
	fail_reset(f);
	fail_set(f, FAIL_UNCLASSIFIED, PHASE_NONE, 0, "reason not recognised");
	fail_set_reply(f, 0, NULL, v.s, v.n);
	return 0;
}
