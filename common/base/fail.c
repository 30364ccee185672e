/*
 * fail.c - the failure record: set once, read by the classifier.
 *
 * The first failure of a probe is the cause; later ones are consequences,
 * so fail_set() ignores them. fail_set_reply() attaches the server reply
 * that went with the failure and always overwrites the reply fields.
 * The record is caller-owned; nothing here allocates.
 */
#include "base/fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const fail_phase_names[PHASE_MAX] = {
	[PHASE_NONE] = "none",         [PHASE_DNS] = "dns",
	[PHASE_CONNECT] = "connect",   [PHASE_TLS_IMPLICIT] = "tlsconnect",
	[PHASE_GREETING] = "greeting", [PHASE_EHLO] = "ehlo",
	[PHASE_STARTTLS] = "starttls", [PHASE_TLS] = "tls",
	[PHASE_EHLO2] = "ehlo_tls",    [PHASE_AUTH] = "auth",
	[PHASE_MAIL] = "mail",         [PHASE_RCPT] = "rcpt",
	[PHASE_DATA] = "data",         [PHASE_COMMAND] = "command",
	[PHASE_QUIT] = "quit",
};

static const char *const fail_class_names[FAIL_MAX] = {
	[FAIL_NONE] = "none",
	[FAIL_INTERNAL] = "internal",
	[FAIL_DNS] = "dns",
	[FAIL_CONNECT] = "connect",
	[FAIL_TIMEOUT] = "timeout",
	[FAIL_DROPPED] = "dropped",
	[FAIL_PROTOCOL] = "protocol",
	[FAIL_REPLY] = "reply",
	[FAIL_TLS] = "tls",
	[FAIL_VERIFY] = "verify",
	[FAIL_CERT_DAYS] = "cert-days",
	[FAIL_MISSING] = "missing",
	[FAIL_EXPECT] = "expect",
	[FAIL_INJECTION] = "injection",
	[FAIL_NULL_MX] = "null-mx",
	[FAIL_IMPLICIT_MX] = "implicit-mx",
	[FAIL_MX_TARGET] = "mx-target",
	[FAIL_RDNS] = "rdns",
	[FAIL_REQUIRE] = "require",
	[FAIL_UNCLASSIFIED] = "unclassified",
	[FAIL_QUEUE] = "queue",
	[FAIL_LOG] = "log",
	[FAIL_PLAINTEXT_AUTH] = "plaintext-auth",
	[FAIL_TLS_POLICY] = "tls-policy",
	[FAIL_DNSBL] = "dnsbl",
};

/* Clear the record: no failure, no reply, empty texts. */
void fail_reset(struct fail *f)
{
	memset(f, 0, sizeof(*f));
}

/* Record class, phase, err and a formatted detail unless a failure is already recorded. */
void fail_set(struct fail *f, enum fail_class cls, enum phase phase, int err, const char *fmt, ...)
{
	va_list ap;

	if (f->cls != FAIL_NONE)
		return;
	f->cls = cls;
	f->phase = phase;
	f->err = err;
	f->detail[0] = '\0';
	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	/* Truncation is acceptable: the detail is a hint for humans. */
	if (vsnprintf(f->detail, sizeof(f->detail), fmt, ap) < 0)
		f->detail[0] = '\0';
	va_end(ap);
}

/* Overwrite the reply fields with code, enhanced code (NULL: none) and len bytes of text. */
void fail_set_reply(struct fail *f, int code, const struct enh *enh, const char *text, size_t len)
{
	f->code = code;
	if (enh != NULL)
		f->enh = *enh;
	else
		memset(&f->enh, 0, sizeof(f->enh));
	if (text == NULL)
		len = 0;
	if (len > sizeof(f->text) - 1)
		len = sizeof(f->text) - 1;
	if (len > 0)
		memcpy(f->text, text, len);
	f->text[len] = '\0';
}

/* Name of a phase, "unknown" when out of range. */
const char *phase_name(enum phase p)
{
	if ((unsigned)p >= PHASE_MAX || fail_phase_names[p] == NULL)
		return "unknown";
	return fail_phase_names[p];
}

/* Name of a failure class, "unknown" when out of range. */
const char *fail_class_name(enum fail_class c)
{
	if ((unsigned)c >= FAIL_MAX || fail_class_names[c] == NULL)
		return "unknown";
	return fail_class_names[c];
}
