/*
 * smtp_result.c - helpers on SMTP results: the EHLO keyword and SASL
 * mechanism name tables (RFC 5321 §4.1.1.1, RFC 4954 §3), resets, and the
 * facts a report infers from a session (ESMTP or not).
 *
 * Contract: plain data in, plain data out; nothing here does I/O or
 * allocates, except that the resets release a result's transcript.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smtp/smtp_result.h"

struct smtp_name {
	const char *name;
	unsigned flag;
};

/* clang-format off */
static const struct smtp_name smtp_cap_names[] = {
	{"PIPELINING", SMTP_CAP_PIPELINING},
	{"SIZE", SMTP_CAP_SIZE},
	{"8BITMIME", SMTP_CAP_8BITMIME},
	{"ENHANCEDSTATUSCODES", SMTP_CAP_ENHANCED},
	{"SMTPUTF8", SMTP_CAP_SMTPUTF8},
	{"CHUNKING", SMTP_CAP_CHUNKING},
	{"DSN", SMTP_CAP_DSN},
	{"STARTTLS", SMTP_CAP_STARTTLS},
	{"AUTH", SMTP_CAP_AUTH},
};

static const struct smtp_name smtp_auth_names[] = {
	{"PLAIN", SMTP_AUTH_PLAIN},
	{"LOGIN", SMTP_AUTH_LOGIN},
	{"CRAM-MD5", SMTP_AUTH_CRAM_MD5},
};
/* clang-format on */

#define SMTP_NCAPS (sizeof(smtp_cap_names) / sizeof(smtp_cap_names[0]))
#define SMTP_NAUTH (sizeof(smtp_auth_names) / sizeof(smtp_auth_names[0]))

/* Look a word up in a name table, case-insensitively; 0 when unknown. */
static unsigned smtp_name_flag(const struct smtp_name *t, size_t n, const char *w, size_t wlen)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == wlen && strncasecmp(t[i].name, w, wlen) == 0)
			return t[i].flag;
	return 0;
}

/* Parse the SIZE parameter (RFC 1870 §4); 0 when absent or not a number. */
static unsigned long smtp_size_param(const char *s, size_t len)
{
	unsigned long v = 0;

	for (size_t i = 0; i < len && s[i] != ' '; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (~0UL - 9) / 10)
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v;
}

/* Take one EHLO reply line's text; also accepts the old "AUTH=PLAIN LOGIN" form. */
void smtp_caps_line(struct smtp_caps *caps, const char *text, size_t len)
{
	size_t k = 0, i;
	unsigned flag;

	while (k < len && text[k] != ' ' && text[k] != '=')
		k++;
	flag = smtp_name_flag(smtp_cap_names, SMTP_NCAPS, text, k);
	caps->flags |= flag;
	i = k < len ? k + 1 : len;
	if (flag == SMTP_CAP_SIZE)
		caps->size = smtp_size_param(text + i, len - i);
	if (flag != SMTP_CAP_AUTH)
		return;
	/* RFC 4954 §3: AUTH followed by space-separated SASL mechanism names. */
	while (i < len) {
		size_t w = i;

		while (w < len && text[w] != ' ')
			w++;
		caps->auth |= smtp_name_flag(smtp_auth_names, SMTP_NAUTH, text + i, w - i);
		i = w + 1;
	}
}

/* Append word to dst (len bytes) after sep; keeps dst NUL-terminated. */
static void smtp_str_add(char *dst, size_t len, const char *sep, const char *word)
{
	size_t n = strlen(dst);

	if (n > 0 && n < len)
		snprintf(dst + n, len - n, "%s%s", sep, word);
	else if (n < len)
		snprintf(dst + n, len - n, "%s", word);
}

/* Space-separated keyword list of caps, e.g. "PIPELINING SIZE STARTTLS AUTH=PLAIN,LOGIN". */
const char *smtp_caps_str(const struct smtp_caps *caps, char *dst, size_t len)
{
	char auth[64] = "";

	if (len == 0)
		return "";
	dst[0] = '\0';
	for (size_t i = 0; i < SMTP_NCAPS; i++)
		if ((caps->flags & smtp_cap_names[i].flag) &&
		    smtp_cap_names[i].flag != SMTP_CAP_AUTH)
			smtp_str_add(dst, len, " ", smtp_cap_names[i].name);
	if (!(caps->flags & SMTP_CAP_AUTH))
		return dst;
	for (size_t i = 0; i < SMTP_NAUTH; i++)
		if (caps->auth & smtp_auth_names[i].flag)
			smtp_str_add(auth, sizeof(auth), ",", smtp_auth_names[i].name);
	smtp_str_add(dst, len, " ", "AUTH");
	if (auth[0] != '\0' && strlen(dst) < len - 1)
		snprintf(dst + strlen(dst), len - strlen(dst), "=%s", auth);
	return dst;
}

/* The mechanism named by text (case-insensitive) into *m; 0, or -1 if unknown. */
int smtp_auth_parse(const char *text, enum smtp_auth *m)
{
	unsigned f =
		text != NULL ? smtp_name_flag(smtp_auth_names, SMTP_NAUTH, text, strlen(text)) : 0;

	if (f == 0)
		return -1;
	*m = (enum smtp_auth)f;
	return 0;
}

/* Canonical name of a mechanism; "" for SMTP_AUTH_NONE or an unknown value. */
const char *smtp_auth_name(enum smtp_auth m)
{
	for (size_t i = 0; i < SMTP_NAUTH; i++)
		if (smtp_auth_names[i].flag == (unsigned)m)
			return smtp_auth_names[i].name;
	return "";
}

/* Release what a session result holds (the transcript) and clear it. */
void smtp_session_reset(struct smtp_result *r)
{
	buf_reset(&r->transcript);
	memset(r, 0, sizeof(*r));
	fail_reset(&r->fail);
	buf_init(&r->transcript, SMTP_TRANSCRIPT_MAX);
}

/* Release what a probe result holds and clear it. */
void smtp_result_reset(struct smtp_run_result *r)
{
	buf_reset(&r->smtp.transcript);
	memset(r, 0, sizeof(*r));
	smtp_session_reset(&r->smtp);
}

/*
 * 1 when the server spoke ESMTP: the first EHLO was answered 250 and it
 * listed extensions (a HELO fallback clears them, RFC 5321 §4.1.1.1).
 */
int smtp_result_esmtp(const struct smtp_result *r)
{
	return r->reply[PHASE_EHLO].code == 250 && r->caps.flags != 0;
}
