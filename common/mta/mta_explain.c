/*
 * mta_explain.c - a reply, log line or delay reason, explained.
 *
 * The text is made one line (controls as blanks) of at most MTA_EXPLAIN_TEXT_MAX - 1
 * bytes. A log line is read by mta_log (the parser check_mail_log uses),
 * which points at the reason of a deferral, bounce or host error; a
 * multi-line reply ("421-4.7.0 a 421 4.7.0 b") is joined to one text. The
 * reply or reason goes through mta_reason_parse and classify, so the cause
 * is the one the plugins and the log and queue checks name. The code
 * tables below cite RFC 5321 §4.2, RFC 3463 §3 and the IANA "Enumerated
 * Status Codes" registry (RFC 4954, 5248, 7372, 7504, 7505, 8689 additions).
 */
#include <string.h>
#include "mta/mta_explain.h"
#include "mta/mta_log.h"
#include "mta/mta_reason.h"
#include "smtp/smtp.h"

/* RFC 5321 §4.2.1: the first digit. */
static const char *mta_code_class(int code)
{
	switch (code / 100) {
	case 2: return "positive completion: the command was accepted";
	case 3: return "positive intermediate: the server waits for more (AUTH, DATA)";
	case 4: return "transient negative completion: not done now, the sender retries later";
	case 5: return "permanent negative completion: not done, repeating it will fail the same";
	default: break;
	}
	return NULL;
}

/* RFC 5321 §4.2.2/§4.2.3 and the AUTH (RFC 4954), STARTTLS (RFC 3207), RFC 7504 codes. */
static const char *mta_code_meaning(int code)
{
	/* clang-format off */
	static const struct {
		int code;
		const char *text;
	} codes[] = {
		{211, "system status, or system help reply"},
		{214, "help message"},
		{220, "service ready"},
		{221, "service closing transmission channel"},
		{235, "authentication succeeded (RFC 4954)"},
		{250, "requested mail action okay, completed"},
		{251, "user not local; will forward"},
		{252, "cannot VRFY user, but will accept the message and attempt delivery"},
		{334, "AUTH challenge (RFC 4954)"},
		{354, "start mail input; end with <CRLF>.<CRLF>"},
		{421, "service not available, closing transmission channel (RFC 5321 section 3.8)"},
		{432, "a password transition is needed (RFC 4954)"},
		{450, "mailbox unavailable (busy, or temporarily blocked for policy reasons)"},
		{451, "requested action aborted: local error in processing"},
		{452, "insufficient system storage (or too many recipients, RFC 5321 section 4.5.3.1.10)"},
		{454, "temporary authentication failure (RFC 4954), or TLS not available now (RFC 3207)"},
		{455, "server unable to accommodate parameters"},
		{500, "syntax error, command unrecognized (or command line too long)"},
		{501, "syntax error in parameters or arguments"},
		{502, "command not implemented"},
		{503, "bad sequence of commands"},
		{504, "command parameter not implemented"},
		{521, "host does not accept mail (RFC 7504)"},
		{530, "authentication required (RFC 4954), or STARTTLS first (RFC 3207)"},
		{534, "authentication mechanism is too weak (RFC 4954)"},
		{535, "authentication credentials invalid (RFC 4954)"},
		{538, "encryption required for the requested authentication mechanism (RFC 4954)"},
		{550, "mailbox unavailable (not found, no access, or rejected for policy reasons)"},
		{551, "user not local"},
		{552, "exceeded storage allocation"},
		{553, "mailbox name not allowed (e.g. syntax)"},
		{554, "transaction failed (at the greeting: no SMTP service here)"},
		{555, "MAIL FROM/RCPT TO parameters not recognized or not implemented"},
		{556, "domain does not accept mail (RFC 7504)"},
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return codes[i].text;
	return NULL;
}

/* RFC 3463 §3.1. */
static const char *mta_enh_class(int cls)
{
	switch (cls) {
	case 2: return "success";
	case 4: return "persistent transient failure: it may work later";
	case 5: return "permanent failure: it will not work as it is";
	default: break;
	}
	return NULL;
}

/* RFC 3463 §3.2. */
static const char *mta_enh_subject(int subject)
{
	static const char *const subjects[] = {
		"other or undefined status",
		"addressing status",
		"mailbox status",
		"mail system status",
		"network and routing status",
		"mail delivery protocol status",
		"message content or media status",
		"security or policy status",
	};

	return subject >= 0 && subject < 8 ? subjects[subject] : NULL;
}

/* RFC 3463 §3.3-§3.9 and the IANA registry: the subject.detail entry. */
static const char *mta_enh_detail(int subject, int detail)
{
	/* clang-format off */
	static const struct {
		int subject, detail;
		const char *text;
	} details[] = {
		{0, 0, "other undefined status"},
		{1, 0, "other address status"},
		{1, 1, "bad destination mailbox address (user unknown)"},
		{1, 2, "bad destination system address"},
		{1, 3, "bad destination mailbox address syntax"},
		{1, 4, "destination mailbox address ambiguous"},
		{1, 5, "destination address valid"},
		{1, 6, "destination mailbox has moved, no forwarding address"},
		{1, 7, "bad sender's mailbox address syntax"},
		{1, 8, "bad sender's system address"},
		{1, 9, "message relayed to a non-compliant mailer (RFC 3886)"},
		{1, 10, "recipient address has null MX (RFC 7505)"},
		{2, 0, "other or undefined mailbox status"},
		{2, 1, "mailbox disabled, not accepting messages"},
		{2, 2, "mailbox full"},
		{2, 3, "message length exceeds administrative limit"},
		{2, 4, "mailing list expansion problem"},
		{3, 0, "other or undefined mail system status"},
		{3, 1, "mail system full"},
		{3, 2, "system not accepting network messages"},
		{3, 3, "system not capable of selected features"},
		{3, 4, "message too big for system"},
		{3, 5, "system incorrectly configured"},
		{3, 6, "requested priority was changed (RFC 6710)"},
		{4, 0, "other or undefined network or routing status"},
		{4, 1, "no answer from host"},
		{4, 2, "bad connection"},
		{4, 3, "directory server failure"},
		{4, 4, "unable to route"},
		{4, 5, "mail system congestion"},
		{4, 6, "routing loop detected"},
		{4, 7, "delivery time expired"},
		{5, 0, "other or undefined protocol status"},
		{5, 1, "invalid command"},
		{5, 2, "syntax error"},
		{5, 3, "too many recipients"},
		{5, 4, "invalid command arguments"},
		{5, 5, "wrong protocol version"},
		{5, 6, "authentication exchange line is too long (RFC 4954)"},
		{6, 0, "other or undefined media error"},
		{6, 1, "media not supported"},
		{6, 2, "conversion required and prohibited"},
		{6, 3, "conversion required but not supported"},
		{6, 4, "conversion with loss performed"},
		{6, 5, "conversion failed"},
		{6, 6, "message content not available (RFC 4468)"},
		{6, 7, "non-ASCII addresses not permitted for that sender/recipient (RFC 6531)"},
		{6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client (RFC 6531)"},
		{6, 9, "UTF-8 header message cannot be transferred to one or more recipients (RFC 6531)"},
		{7, 0, "other or undefined security status"},
		{7, 1, "delivery not authorized, message refused"},
		{7, 2, "mailing list expansion prohibited"},
		{7, 3, "security conversion required but not possible"},
		{7, 4, "security features not supported"},
		{7, 5, "cryptographic failure"},
		{7, 6, "cryptographic algorithm not supported"},
		{7, 7, "message integrity failure"},
		{7, 8, "authentication credentials invalid (RFC 4954)"},
		{7, 9, "authentication mechanism is too weak (RFC 4954)"},
		{7, 10, "encryption needed (RFC 5248)"},
		{7, 11, "encryption required for requested authentication mechanism (RFC 4954)"},
		{7, 12, "a password transition is needed (RFC 4954)"},
		{7, 13, "user account disabled (RFC 5248)"},
		{7, 14, "trust relationship required (RFC 5248)"},
		{7, 15, "priority level is too low (RFC 6710)"},
		{7, 16, "message is too big for the specified priority (RFC 6710)"},
		{7, 17, "mailbox owner has changed (RFC 7293)"},
		{7, 18, "domain owner has changed (RFC 7293)"},
		{7, 19, "RRVS test cannot be completed (RFC 7293)"},
		{7, 20, "no passing DKIM signature found (RFC 7372)"},
		{7, 21, "no acceptable DKIM signature found (RFC 7372)"},
		{7, 22, "no valid author-matched DKIM signature found (RFC 7372)"},
		{7, 23, "SPF validation failed (RFC 7372)"},
		{7, 24, "SPF validation error (RFC 7372)"},
		{7, 25, "reverse DNS validation failed (RFC 7372)"},
		{7, 26, "multiple authentication checks failed (RFC 7372)"},
		{7, 27, "sender address has null MX (RFC 7505)"},
		{7, 28, "mail flood detected (IANA registry)"},
		{7, 29, "ARC validation failure (RFC 8617)"},
		{7, 30, "REQUIRETLS support required (RFC 8689)"},
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(details) / sizeof(details[0]); i++)
		if (details[i].subject == subject && details[i].detail == detail)
			return details[i].text;
	return NULL;
}

/* Copy src into e->text, controls and NULs as blanks, leading and trailing blanks dropped. */
static void mta_explain_fold(struct mta_explain *e, const char *src, size_t len)
{
	size_t n = 0, cap = sizeof(e->text) - 1;
	size_t i = 0;

	for (; i < len && n < cap; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if (c == ' ' && n == 0)
			continue; /* inner runs stay: a classic syslog stamp has "Dec  7" */
		e->text[n++] = (char)c;
	}
	while (n > 0 && e->text[n - 1] == ' ')
		n--;
	e->text[n] = '\0';
	e->ignored = len - i;
}

/* 1 when s (n bytes) starts with three digits, the first 2-5, then c. */
static int mta_code_then(const char *s, size_t n, char c)
{
	return n >= 4 && s[0] >= '2' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
	       s[2] <= '9' && s[3] == c;
}

/*
 * A multi-line reply joined by blanks ("421-4.7.0 a 421-4.7.0 b 421 4.7.0 c",
 * RFC 5321 §4.2.1) to one reply, "421 4.7.0 a b c": the continuation
 * prefixes after the first line, and the enhanced code repeated after them,
 * are dropped. A reply of one line is left as it is.
 */
static void mta_explain_join(struct mta_explain *e)
{
	char *s = e->text;
	size_t n = strlen(s), w, r, elen;
	struct enh enh;
	const char *es;

	if (!mta_code_then(s, n, '-'))
		return;
	s[3] = ' ';
	es = s + 4;
	elen = smtp_enh_parse(es, n - 4, &enh);
	w = r = 4 + elen;
	while (r < n) {
		size_t t = r + 5;
		int prefix = 0;

		/* at a blank before "CODE-", or "CODE " and the same enhanced code */
		if (s[r] == ' ' && r + 4 < n && memcmp(s + r + 1, s, 3) == 0 &&
		    (mta_code_then(s + r + 1, n - r - 1, '-') ||
		     mta_code_then(s + r + 1, n - r - 1, ' '))) {
			int same = elen > 0 && t + elen <= n && memcmp(s + t, es, elen) == 0 &&
				   (t + elen == n || s[t + elen] == ' ');

			prefix = s[r + 4] == '-' || same; /* "421 x": a number in the text */
			if (same)
				t += elen;
		}
		if (prefix) {
			r = t;
			continue;
		}
		s[w++] = s[r++];
	}
	while (w > 0 && s[w - 1] == ' ')
		w--;
	s[w] = '\0';
}

/* Which span of e->text to parse: a log line's reason, or all of it. */
static int mta_explain_locate(struct mta_explain *e, long long now)
{
	struct mta_log l;
	size_t n = strlen(e->text);

	e->reason_off = 0;
	e->reason_len = n;
	if (mta_code_then(e->text, n, '-') || mta_code_then(e->text, n, ' ') ||
	    (n == 3 && mta_code_then((char[]){e->text[0], e->text[1], e->text[2], ' '}, 4, ' '))) {
		e->source = MTA_EXPLAIN_REPLY;
		mta_explain_join(e);
		e->reason_len = strlen(e->text);
		return 0;
	}
	if (mta_log_init(&l, MTA_LOG_AUTO, now) != 0)
		return -1;
	mta_log_line(&l, e->text, n);
	if (l.last_reason != NULL && l.last_reason >= e->text && l.last_reason_len <= n) {
		e->source = MTA_EXPLAIN_LOG;
		e->reason_off = (size_t)(l.last_reason - e->text);
		e->reason_len = l.last_reason_len;
	} else {
		e->source = MTA_EXPLAIN_REASON;
	}
	mta_log_free(&l);
	return 0;
}

int mta_explain(const char *text, size_t len, long long now, struct mta_explain *e)
{
	const char *r;
	const struct enh *enh;

	memset(e, 0, sizeof(*e));
	mta_explain_fold(e, text != NULL ? text : "", text != NULL ? len : 0);
	if (mta_explain_locate(e, now) != 0)
		return -1;
	r = e->text + e->reason_off;
	if (!mta_reason_parse(r, e->reason_len, &e->fail) && e->source == MTA_EXPLAIN_REASON)
		e->source = MTA_EXPLAIN_UNKNOWN;
	e->cause = classify(&e->fail);
	e->code_class = e->fail.code != 0 ? mta_code_class(e->fail.code) : NULL;
	e->code_meaning = e->fail.code != 0 ? mta_code_meaning(e->fail.code) : NULL;
	enh = e->fail.enh.cls != 0 ? &e->fail.enh : NULL;
	if (enh != NULL) {
		e->enh_class = mta_enh_class(enh->cls);
		e->enh_subject = mta_enh_subject(enh->subject);
		e->enh_detail = mta_enh_detail(enh->subject, enh->detail);
	}
	e->kb = kb_match(e->fail.code, enh, r, e->reason_len);
	return 0;
}

const char *mta_explain_source_name(enum mta_explain_source s)
{
	switch (s) {
	case MTA_EXPLAIN_REPLY: return "reply";
	case MTA_EXPLAIN_LOG: return "log";
	case MTA_EXPLAIN_REASON: return "reason";
	case MTA_EXPLAIN_UNKNOWN: return "unknown";
	}
	return "unknown";
}
