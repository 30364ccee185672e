/*
 * smtp_reply.c - SMTP replies, sans I/O: one line at a time into a struct
 * smtp_reply (RFC 5321 §4.2, §4.2.1), with RFC 3463 enhanced status codes
 * (RFC 2034 §3: read from the first line, stripped from every line).
 *
 * Contract: lines come without their CRLF; a line is judged before it is
 * taken (smtp_reply_problem), text is kept bounded (SMTP_TEXT_MAX), the
 * reply's size and line count are capped (SMTP_REPLY_MAX, _LINES). No
 * allocation; the client (smtp.c) feeds the lines.
 */
#include <string.h>

#include "smtp/smtp.h"

/* Start a new reply. */
void smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
}

/* Parse 1-3 digits at s[*i]; returns the value or -1. */
static int smtp_enh_num(const char *s, size_t len, size_t *i)
{
	int v = 0;
	size_t n = 0;

	while (*i < len && n < 4 && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	return n >= 1 && n <= 3 ? v : -1;
}

/* Parse an RFC 3463 code at the start of s; returns bytes consumed (0 if none). */
size_t smtp_enh_parse(const char *s, size_t len, struct enh *out)
{
	struct enh e;
	size_t i = 1;

	memset(out, 0, sizeof(*out));
	/* RFC 3463 §2: class "." subject "." detail, class 2/4/5, 1*3digit each. */
	if (len < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return 0;
	e.cls = s[0] - '0';
	i = 2;
	if ((e.subject = smtp_enh_num(s, len, &i)) < 0 || i >= len || s[i] != '.')
		return 0;
	i++;
	if ((e.detail = smtp_enh_num(s, len, &i)) < 0)
		return 0;
	if (i < len && s[i] != ' ')
		return 0;
	*out = e;
	return i;
}

/* The 3-digit code at the start of a checked line. */
static int smtp_code(const char *line)
{
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* What is wrong with this line as the next line of r; NULL when it is fine. */
const char *smtp_reply_problem(const struct smtp_reply *r, const char *line, size_t len)
{
	if (len < 3)
		return "reply line shorter than a 3-digit code";
	for (int i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return "reply code is not 3 digits";
	if (line[0] < '2' || line[0] > '5')
		return "reply code outside 2xx-5xx";
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return "reply code followed by neither SP nor '-'";
	if (r->lines > 0 && smtp_code(line) != r->code)
		return "reply code differs from the previous line";
	if (r->lines >= SMTP_REPLY_LINES || r->bytes + len + 1 > SMTP_REPLY_MAX)
		return "reply too long";
	for (size_t i = 3; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		/* RFC 5321 §4.2 textstring: HT and printable; 8-bit is tolerated (SMTPUTF8). */
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return "control character in reply text";
	}
	return NULL;
}

/* Append s[0..n) to the reply text, '\n'-joined and bounded to SMTP_TEXT_MAX - 1. */
static void smtp_reply_text(struct smtp_reply *r, const char *s, size_t n)
{
	size_t room;

	if (r->lines > 0 && r->len < SMTP_TEXT_MAX - 1)
		r->text[r->len++] = '\n';
	room = SMTP_TEXT_MAX - 1 - r->len;
	if (n > room)
		n = room;
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
}

/*
 * Feed one line without its CRLF/LF. Returns 1 when the reply is complete,
 * 0 when more lines follow, -1 on a syntax error. The enhanced code is read
 * from the first line (RFC 2034 §3) and stripped from the text of each line.
 */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len)
{
	const char *t = line + (len > 4 ? 4 : len);
	size_t tlen = len > 4 ? len - 4 : 0;
	struct enh e;
	size_t n;

	if (smtp_reply_problem(r, line, len) != NULL)
		return -1;
	r->code = smtp_code(line);
	if (r->lines == 0)
		n = smtp_enh_parse(t, tlen, &r->enh);
	else
		n = r->enh.cls != 0 ? smtp_enh_parse(t, tlen, &e) : 0;
	if (n > 0) {
		n += n < tlen; /* the SP after the code */
		t += n;
		tlen -= n;
	}
	smtp_reply_text(r, t, tlen);
	r->lines++;
	r->bytes += len + 1;
	return len > 3 && line[3] == '-' ? 0 : 1;
}
