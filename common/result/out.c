/*
 * out.c - plugin output: status line, perfdata, long output and JSON.
 *
 * Contract (Monitoring Plugins guidelines, "Output"):
 * - Nagios text: "SERVICE STATE - summary | perfdata" on the first line,
 *   then the long output lines. Perfdata items are
 *   label=value[uom];warn;crit;min;max with trailing empty fields dropped;
 *   a label with a space is quoted in single quotes.
 * - JSON: one object on one line (schema 1) built with json-c, plus every
 *   key of o->json that does not clash with a standard key.
 * - Numbers are formatted here, by hand, in the "C" style whatever the
 *   process locale: no exponent, at most 6 decimals, trailing zeros cut.
 *   Non-finite values are never printed.
 * - This is the one boundary for untrusted text (CONVENTIONS habit 9):
 *   server text enters only through the *_untrusted functions and
 *   out_sanitize(). As a last guard, '|' and newlines in the summary are
 *   also neutralised when the status line is printed.
 * Ownership: struct out is caller-owned (out_init/out_reset); it owns its
 * two buffers and o->json. check/service are borrowed and must outlive it.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "result/out.h"

#define OUT_LINE_MAX 4096 /* one untrusted long-output line, after sanitising */
#define OUT_NUM_MAX 32

void out_init(struct out *o, const char *check, const char *service)
{
	memset(o, 0, sizeof(*o));
	o->check = check;
	o->service = service;
	o->state = STATE_OK;
	buf_init(&o->summary, OUT_SUMMARY_MAX);
	buf_init(&o->longtext, OUT_LONG_MAX);
}

/* Release the buffers and o->json; o is empty again, for the same check. */
void out_reset(struct out *o)
{
	buf_reset(&o->summary);
	buf_reset(&o->longtext);
	json_object_put(o->json);
	o->json = NULL;
	o->state = STATE_OK;
	o->timed_out = 0;
	o->nperf = 0;
	memset(o->perf, 0, sizeof(o->perf));
}

/* Raise the state to the worse of the current and s. */
void out_state(struct out *o, enum state s)
{
	o->state = state_worst(o->state, s);
}

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

/* Format into a fresh heap string; NULL on error. */
static char *out_vformat(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (vsnprintf(s, (size_t)n + 1, fmt, ap) != n) {
		free(s);
		return NULL;
	}
	return s;
}

/* Append trusted text to the summary. */
void out_summary(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = out_vformat(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return;
	out_append(&o->summary, s, strlen(s), "...");
	free(s);
}

/* Append untrusted text to the summary, sanitised and cut to max bytes (ending "..." when cut). */
void out_summary_untrusted(struct out *o, const char *text, size_t len, size_t max)
{
	char tmp[OUT_SUMMARY_MAX + 2];
	size_t n;

	if (max == 0)
		return;
	if (max > OUT_SUMMARY_MAX)
		max = OUT_SUMMARY_MAX;
	n = out_sanitize(tmp, max + 2, text, len);
	if (n > max) {
		n = max >= 3 ? max - 3 : 0;
		while (n > 0 && tmp[n - 1] == ' ')
			n--;
		memcpy(tmp + n, "...", max >= 3 ? 3 : max);
		n += max >= 3 ? 3 : max;
	}
	out_append(&o->summary, tmp, n, "...");
}

/* Append one line of trusted text to the long output. */
void out_long(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;
	size_t n;

	va_start(ap, fmt);
	s = out_vformat(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return;
	n = strlen(s);
	if (n > 0 && s[n - 1] == '\n')
		n--;
	s[n] = '\n';
	out_append(&o->longtext, s, n + 1, "...\n");
	free(s);
}

/* Append one line: prefix (trusted) then untrusted text, sanitised. */
void out_long_untrusted(struct out *o, const char *prefix, const char *text, size_t len)
{
	char tmp[OUT_LINE_MAX];

	out_sanitize(tmp, sizeof(tmp), text, len);
	out_long(o, "%s%s", prefix != NULL ? prefix : "", tmp);
}

/* 1 when label is usable as a perfdata label: no '=', quote, '|' or control bytes. */
static int out_label_ok(const char *label)
{
	size_t n = strnlen(label, sizeof(((struct out_perf *)0)->label));

	if (n == 0 || n >= sizeof(((struct out_perf *)0)->label))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)label[i];

		if (c < 0x20 || c >= 0x7f || c == '=' || c == '\'' || c == '|')
			return 0;
	}
	return label[0] != ' ' && label[n - 1] != ' ';
}

/* 1 when uom is a short unit of letters or '%'. */
static int out_uom_ok(const char *uom)
{
	size_t n = strnlen(uom, sizeof(((struct out_perf *)0)->uom));

	if (n >= sizeof(((struct out_perf *)0)->uom))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((uom[i] >= 'a' && uom[i] <= 'z') || (uom[i] >= 'A' && uom[i] <= 'Z') ||
		      uom[i] == '%'))
			return 0;
	return 1;
}

/* Add a perfdata value; t may be NULL. Returns 0, or -1 when full or label/uom/value is bad. */
int out_perf(struct out *o, const char *label, double value, const char *uom,
             const struct thresholds *t)
{
	struct out_perf *p;

	if (uom == NULL)
		uom = "";
	if (o->nperf >= OUT_PERF_MAX || label == NULL || !out_label_ok(label) || !out_uom_ok(uom) ||
	    !isfinite(value))
		return -1;
	p = &o->perf[o->nperf++];
	memset(p, 0, sizeof(*p));
	/* Lengths checked by out_label_ok and out_uom_ok above. */
	strcpy(p->label, label); /* NOLINT(clang-analyzer-security.insecureAPI.strcpy) */
	strcpy(p->uom, uom);     /* NOLINT(clang-analyzer-security.insecureAPI.strcpy) */
	p->value = value;
	if (t != NULL) {
		p->warn = t->warn;
		p->crit = t->crit;
	}
	return 0;
}

/* Set min/max of the last perfdata value added; non-finite bounds are left unset. */
void out_perf_minmax(struct out *o, int has_min, double min, int has_max, double max)
{
	struct out_perf *p;

	if (o->nperf == 0)
		return;
	p = &o->perf[o->nperf - 1];
	p->has_min = has_min && isfinite(min);
	p->min = p->has_min ? min : 0;
	p->has_max = has_max && isfinite(max);
	p->max = p->has_max ? max : 0;
}

/*
 * Format v without exponent and without the locale: up to 6 decimals,
 * trailing zeros cut, no "-0". Values of 1e12 and more are printed as
 * integers. Returns 0, or -1 for NaN, infinities and |v| >= 9e18.
 */
static int out_number(char *dst, size_t len, double v)
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
static int out_print_perf(const struct out_perf *p, FILE *f)
{
	char val[OUT_NUM_MAX], min[OUT_NUM_MAX] = "", max[OUT_NUM_MAX] = "";
	const char *field[4];
	int last = -1;

	if (out_number(val, sizeof(val), p->value) != 0)
		return -1;
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
	if (strchr(p->label, ' ') != NULL)
		fprintf(f, "'%s'=%s%s", p->label, val, p->uom);
	else
		fprintf(f, "%s=%s%s", p->label, val, p->uom);
	for (int i = 0; i <= last; i++)
		fprintf(f, ";%s", field[i]);
	return 0;
}

/* Print the summary with '|' and line breaks neutralised (last guard of the status line). */
static void out_print_summary(const struct buf *b, FILE *f)
{
	for (size_t i = 0; i < b->len; i++) {
		int c = b->data[i];

		fputc(c == '|' ? '/' : (c == '\n' || c == '\r') ? ' ' : c, f);
	}
}

/* Render the Nagios status line, perfdata and long output. */
static void out_print_nagios(const struct out *o, FILE *f)
{
	int first = 1;

	if (o->service != NULL && o->service[0] != '\0')
		fprintf(f, "%s ", o->service);
	fputs(state_name(o->state), f);
	if (o->summary.len > 0) {
		fputs(" - ", f);
		out_print_summary(&o->summary, f);
	}
	for (int i = 0; i < o->nperf; i++) {
		char num[OUT_NUM_MAX];

		if (out_number(num, sizeof(num), o->perf[i].value) != 0)
			continue; /* never print nan, inf or absurd values */
		fputs(first ? " | " : " ", f);
		out_print_perf(&o->perf[i], f);
		first = 0;
	}
	fputc('\n', f);
	if (o->longtext.len > 0)
		fwrite(o->longtext.data, 1, o->longtext.len, f);
}

/* A JSON number from v with our formatting; NULL when v cannot be printed. */
static struct json_object *out_json_number(double v)
{
	char num[OUT_NUM_MAX];

	if (out_number(num, sizeof(num), v) != 0)
		return NULL;
	return json_object_new_double_s(v, num);
}

/* Add key = val to obj unless val is NULL; -1 when val is NULL or adding fails. */
static int out_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == NULL)
		return -1;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

/* One perfdata item as a JSON object; NULL when it cannot be rendered. */
static struct json_object *out_json_perf(const struct out_perf *p)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	if (out_json_add(o, "label", json_object_new_string(p->label)) != 0 ||
	    out_json_add(o, "value", out_json_number(p->value)) != 0)
		goto fail;
	if (p->uom[0] != '\0' && out_json_add(o, "uom", json_object_new_string(p->uom)) != 0)
		goto fail;
	if (p->warn.set && out_json_add(o, "warn", json_object_new_string(p->warn.text)) != 0)
		goto fail;
	if (p->crit.set && out_json_add(o, "crit", json_object_new_string(p->crit.text)) != 0)
		goto fail;
	if (p->has_min)
		(void)out_json_add(o, "min", out_json_number(p->min));
	if (p->has_max)
		(void)out_json_add(o, "max", out_json_number(p->max));
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/* The long output as a JSON array of lines; NULL on allocation failure. */
static struct json_object *out_json_long(const struct buf *b)
{
	struct json_object *a = json_object_new_array();
	size_t start = 0;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i <= b->len; i++) {
		struct json_object *s;

		if (i < b->len && b->data[i] != '\n')
			continue;
		if (i == b->len && i == start)
			break; /* nothing after the last newline */
		s = json_object_new_string_len((const char *)b->data + start, (int)(i - start));
		if (s == NULL || json_object_array_add(a, s) != 0) {
			json_object_put(s);
			json_object_put(a);
			return NULL;
		}
		start = i + 1;
	}
	return a;
}

/* The perfdata as a JSON array; items that cannot be rendered are skipped. */
static struct json_object *out_json_perfdata(const struct out *o)
{
	struct json_object *a = json_object_new_array();

	if (a == NULL)
		return NULL;
	for (int i = 0; i < o->nperf; i++) {
		struct json_object *p = out_json_perf(&o->perf[i]);

		if (p != NULL && json_object_array_add(a, p) != 0)
			json_object_put(p);
	}
	return a;
}

/* Build the whole JSON object; NULL on allocation failure. */
static struct json_object *out_json(const struct out *o)
{
	struct json_object *j = json_object_new_object();
	const char *summary = o->summary.len > 0 ? (const char *)o->summary.data : "";

	if (j == NULL)
		return NULL;
	if (out_json_add(j, "schema", json_object_new_int(1)) != 0 ||
	    out_json_add(j, "check", json_object_new_string(o->check ? o->check : "")) != 0 ||
	    out_json_add(j, "service", json_object_new_string(o->service ? o->service : "")) != 0 ||
	    out_json_add(j, "state", json_object_new_string(state_name(o->state))) != 0 ||
	    out_json_add(j, "exit", json_object_new_int((int)o->state)) != 0 ||
	    out_json_add(j, "summary", json_object_new_string_len(summary, (int)o->summary.len)) !=
	        0 ||
	    out_json_add(j, "perfdata", out_json_perfdata(o)) != 0 ||
	    out_json_add(j, "long", out_json_long(&o->longtext)) != 0)
		goto fail;
	if (o->json != NULL && json_object_is_type(o->json, json_type_object)) {
		json_object_object_foreach(o->json, key, val)
		{
			if (json_object_object_get_ex(j, key, NULL))
				continue; /* the standard keys win */
			/* a NULL val is JSON null, which json-c stores as NULL */
			if (json_object_object_add(j, key, json_object_get(val)) != 0)
				goto fail;
		}
	}
	return j;
fail:
	json_object_put(j);
	return NULL;
}

/* Render to f: Nagios text, or JSON when json != 0. Returns o->state, UNKNOWN when f fails. */
int out_print(const struct out *o, FILE *f, int json)
{
	if (o->raw && o->json != NULL) {
		fputs(json_object_to_json_string_ext(o->json, JSON_C_TO_STRING_PLAIN |
		                                                  JSON_C_TO_STRING_NOSLASHESCAPE),
		      f);
		fputc('\n', f);
	} else if (json) {
		struct json_object *j = out_json(o);

		if (j == NULL)
			return STATE_UNKNOWN;
		fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
		                                            JSON_C_TO_STRING_NOSLASHESCAPE),
		      f);
		fputc('\n', f);
		json_object_put(j);
	} else {
		out_print_nagios(o, f);
	}
	if (fflush(f) != 0 || ferror(f))
		return STATE_UNKNOWN;
	return (int)o->state;
}

/*
 * Copy untrusted src (srclen bytes) into dst (dstlen > 0, always terminated):
 * control characters and newlines become ' ', '|' becomes '/', bytes that
 * are not printable ASCII become '?', runs of blanks fold to one, and
 * leading and trailing blanks are dropped. Returns the length written.
 */
size_t out_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = 0;
	int blank = 0;

	if (dstlen == 0)
		return 0;
	for (size_t i = 0; i < srclen && src != NULL; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7f || c == ' ') {
			blank = 1;
			continue;
		}
		if (c > 0x7f)
			c = '?';
		else if (c == '|')
			c = '/';
		if (blank && n > 0) {
			if (n + 2 >= dstlen)
				break;
			dst[n++] = ' ';
		}
		blank = 0;
		if (n + 1 >= dstlen)
			break;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return n;
}
