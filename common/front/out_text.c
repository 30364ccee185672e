/*
 * out_text.c - the Nagios text renderer of the result tree, and the
 * sanitiser every piece of text passes through on its way out.
 *
 * Contract (Monitoring Plugins guidelines, "Output"): the first line is
 * "SERVICE STATE - summary | perfdata"; perfdata items are
 * label=value[uom];warn;crit;min;max with trailing empty fields dropped, a
 * label with a space in single quotes; long-output lines follow. Text is
 * made safe here and nowhere else (CONVENTIONS habit 9): see out_render.h.
 * Reads the tree only; the caller owns it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "front/out_render.h"

#define OUT_NUM_MAX 32

static size_t out_fold(char *dst, size_t dstlen, const char *src, size_t srclen, int utf8);

/* Append n bytes to b; when they do not fit, fill b up to its cap ending with the ellipsis. */
static void out_append(struct buf *b, const char *s, size_t n, const char *ellipsis)
{
	size_t room = buf_room(b), e = strlen(ellipsis);

	if (n <= room) {
		if (buf_append(b, s, n) == 0)
			return;
		room = buf_room(b); /* out of memory: no room after all */
		if (n <= room)
			return;
	}
	if (room < e)
		return;
	if (buf_append(b, s, room - e) == 0)
		(void)buf_append(b, ellipsis, e);
}

/* Copy trusted text guarded: control bytes to ' ', '|' to '/', non-ASCII to '?'. */
static void out_guard(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			s[i] = ' ';
		else if (c == '|')
			s[i] = '/';
		else if (c > 0x7f)
			s[i] = '?';
	}
}

/* Render one untrusted summary piece: sanitised, cut to p->max ending "..." when cut. */
static size_t out_cut(const struct out_piece *p, char *tmp, size_t tmplen)
{
	size_t max = p->max < tmplen - 2 ? p->max : tmplen - 2;
	size_t n = out_fold(tmp, max + 2, p->text, p->len, p->untrusted == OUT_UNTRUSTED_NAME);

	if (n <= max)
		return n;
	n = max >= 3 ? max - 3 : 0;
	while (n > 0 && ((unsigned char)tmp[n] & 0xc0) == 0x80)
		n--; /* never cut a UTF-8 sequence */
	while (n > 0 && tmp[n - 1] == ' ')
		n--;
	memcpy(tmp + n, "...", max >= 3 ? 3 : max);
	return n + (max >= 3 ? 3 : max);
}

/* Render a piece into b (summary when summary != 0, else a long-output line). */
static void out_piece_render(const struct out_piece *p, struct buf *b, int summary,
			     const char *ellipsis)
{
	char tmp[OUT_SUMMARY_MAX + 2];
	size_t n;

	if (p->untrusted && summary) {
		n = out_cut(p, tmp, sizeof(tmp));
	} else if (p->untrusted) {
		n = out_fold(tmp, (p->max < sizeof(tmp) - 1 ? p->max : sizeof(tmp) - 2) + 1,
			     p->text, p->len, p->untrusted == OUT_UNTRUSTED_NAME);
	} else {
		/* Trusted text is written by our code; guard it all the same, in slices. */
		for (size_t off = 0; off < p->len; off += sizeof(tmp)) {
			n = p->len - off < sizeof(tmp) ? p->len - off : sizeof(tmp);
			memcpy(tmp, p->text + off, n);
			out_guard(tmp, n);
			out_append(b, tmp, n, ellipsis);
		}
		return;
	}
	out_append(b, tmp, n, ellipsis);
}

/* The root's summary rendered into b (cap OUT_SUMMARY_MAX). */
static void out_render_summary(const struct out *o, struct buf *b)
{
	for (const struct out_piece *p = o->summary.first; p != NULL; p = p->next)
		out_piece_render(p, b, 1, "...");
}

size_t out_text_summary(const struct out *o, char *dst, size_t len)
{
	struct buf b;
	size_t n;

	if (len == 0)
		return 0;
	buf_init(&b, OUT_SUMMARY_MAX);
	out_render_summary(o, &b);
	n = b.len < len - 1 ? b.len : len - 1;
	if (n > 0)
		memcpy(dst, b.data, n);
	dst[n] = '\0';
	buf_reset(&b);
	return n;
}

size_t out_text_status(const struct out *o, char *dst, size_t len)
{
	char summary[OUT_SUMMARY_MAX + 1], service[64] = "";
	int n;

	out_text_summary(o, summary, sizeof(summary));
	if (o->service != NULL)
		out_sanitize(service, sizeof(service), o->service, strlen(o->service));
	n = snprintf(dst, len, "%s%s%s%s%s", service, service[0] != '\0' ? " " : "",
		     state_name(o->state), summary[0] != '\0' ? " - " : "", summary);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

/* Render the long output of o and its children, depth first, into b (cap OUT_LONG_MAX). */
static void out_render_long(const struct out *o, struct buf *b, struct buf *line)
{
	for (const struct out_piece *p = o->longtext.first; p != NULL; p = p->next) {
		out_piece_render(p, line, 0, "");
		if (!p->eol)
			continue;
		(void)buf_append(line, "\n", 1);
		out_append(b, (const char *)line->data, line->len, "...\n");
		line->len = 0;
	}
	for (const struct out *k = o->kids; k != NULL; k = k->next)
		out_render_long(k, b, line);
}

/* The long output as one string (caller resets b). */
static void out_long_text(const struct out *o, struct buf *b)
{
	struct buf line;

	buf_init(b, OUT_LONG_MAX);
	buf_init(&line, OUT_SUMMARY_MAX + 1);
	out_render_long(o, b, &line);
	buf_reset(&line);
}

int out_number(char *dst, size_t len, double v)
{
	double a = v < 0 ? -v : v;
	long long scaled, ip, fp;
	int n, neg = v < 0;

	if (!isfinite(v) || a >= 9e18)
		return -1;
	if (a >= 1e12) {
		n = snprintf(dst, len, "%s%lld", neg ? "-" : "", (long long)(a + 0.5));
		return n < 0 || (size_t)n >= len ? -1 : 0;
	}
	scaled = (long long)(a * 1e6 + 0.5); /* a >= 0: round half up, no libm */
	ip = scaled / 1000000;
	fp = scaled % 1000000;
	if (scaled == 0)
		neg = 0;
	n = snprintf(dst, len, "%s%lld.%06lld", neg ? "-" : "", ip, fp);
	if (n < 0 || (size_t)n >= len)
		return -1;
	while (dst[n - 1] == '0')
		dst[--n] = '\0';
	if (dst[n - 1] == '.')
		dst[--n] = '\0';
	return 0;
}

/* Print one perfdata item; 0, or -1 (nothing printed) when its value cannot be printed. */
static int out_print_perf(const struct out_perf *p, FILE *f, int first)
{
	char val[OUT_NUM_MAX], min[OUT_NUM_MAX] = "", max[OUT_NUM_MAX] = "";
	const char *field[4];
	int last = -1;

	if (p->unknown)
		snprintf(val, sizeof(val), "U"); /* no unit after U */
	else if (out_number(val, sizeof(val), p->value) != 0)
		return -1; /* never print nan, inf or absurd values */
	if (p->has_min && out_number(min, sizeof(min), p->min) != 0)
		min[0] = '\0';
	if (p->has_max && out_number(max, sizeof(max), p->max) != 0)
		max[0] = '\0';
	field[0] = p->warn.set ? p->warn.text : "";
	field[1] = p->crit.set ? p->crit.text : "";
	field[2] = min;
	field[3] = max;
	for (int i = 0; i < 4; i++)
		if (field[i][0] != '\0')
			last = i;
	fputs(first ? " | " : " ", f);
	if (strchr(p->label, ' ') != NULL)
		fprintf(f, "'%s'=%s%s", p->label, val, p->unknown ? "" : p->uom);
	else
		fprintf(f, "%s=%s%s", p->label, val, p->unknown ? "" : p->uom);
	for (int i = 0; i <= last; i++)
		fprintf(f, ";%s", field[i]);
	return 0;
}

/* Render the Nagios status line, perfdata and long output. */
static void out_print_nagios(const struct out *o, FILE *f)
{
	const struct out_perf *perf[OUT_PERF_MAX];
	int n = out_perf_all(o, perf, OUT_PERF_MAX), first = 1;
	char status[OUT_STATUS_MAX];
	struct buf b;

	out_text_status(o, status, sizeof(status));
	fputs(status, f);
	for (int i = 0; i < n; i++)
		if (out_print_perf(perf[i], f, first) == 0)
			first = 0;
	fputc('\n', f);
	out_long_text(o, &b);
	if (b.len > 0)
		fwrite(b.data, 1, b.len, f);
	buf_reset(&b);
}

/* Print JSON text s and a newline (NULL: nothing, UNKNOWN). */
static int out_print_json(const struct out *o, FILE *f)
{
	char *s = out_json_text(o);

	if (s == NULL)
		return -1;
	fputs(s, f);
	fputc('\n', f);
	free(s);
	return 0;
}

/* Render to f: Nagios text, or JSON when json != 0. Returns o->state, UNKNOWN when f fails. */
int out_print(const struct out *o, FILE *f, int json)
{
	if (o->raw || json) {
		if (out_print_json(o, f) != 0)
			return STATE_UNKNOWN;
	} else {
		out_print_nagios(o, f);
	}
	if (fflush(f) != 0 || ferror(f))
		return STATE_UNKNOWN;
	return (int)o->state;
}

/*
 * The length of the UTF-8 sequence of a printable letter at s (n bytes
 * left): 2..4, or 0 when the bytes are no valid shortest form (RFC 3629 §3)
 * or the character is a control (C1), a format or separator character
 * (U+2000..U+206F: spaces, joiners, bidi controls), a BOM or a special.
 */
static size_t out_utf8_letter(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	unsigned long cp;
	static const unsigned long least[5] = {0, 0, 0x80, 0x800, 0x10000};

	if (len == 0 || len > n || s[0] > 0xf4)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < least[len] || cp < 0xa0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x2000 && cp <= 0x206f) || cp == 0xfeff || cp >= 0xfff0)
		return 0;
	return len;
}

/* out_sanitize, keeping valid UTF-8 letters when utf8 (a host name piece). */
static size_t out_fold(char *dst, size_t dstlen, const char *src, size_t srclen, int utf8)
{
	size_t n = 0, seq;
	int blank = 0;

	if (dstlen == 0)
		return 0;
	for (size_t i = 0; i < srclen && src != NULL; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7f || c == ' ') {
			blank = 1;
			continue;
		}
		seq = c > 0x7f && utf8 ? out_utf8_letter((const unsigned char *)src + i, srclen - i)
				       : 0;
		if (c > 0x7f && seq == 0)
			c = '?';
		else if (c == '|')
			c = '/';
		if (blank && n > 0) {
			if (n + 2 >= dstlen)
				break;
			dst[n++] = ' ';
		}
		blank = 0;
		if (n + (seq > 0 ? seq : 1) >= dstlen)
			break;
		if (seq > 0) {
			memcpy(dst + n, src + i, seq);
			n += seq;
			i += seq - 1;
			continue;
		}
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return n;
}

size_t out_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	return out_fold(dst, dstlen, src, srclen, 0);
}

void out_text_long_lines(const struct out *o, void (*line)(const char *, size_t, void *), void *arg)
{
	struct buf b;
	size_t start = 0;

	out_long_text(o, &b);
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] != '\n')
			continue;
		line((const char *)b.data + start, i - start, arg);
		start = i + 1;
	}
	if (start < b.len)
		line((const char *)b.data + start, b.len - start, arg);
	buf_reset(&b);
}
