/*
 * out.c - the result tree: nodes, text pieces, perfdata and typed facts.
 *
 * Contract: builds the tree described in out.h and nothing else: no
 * rendering, no sanitising, no I/O (the renderers are front/out_text.c and
 * front/out_json.c). Text is stored as given, bounded per node so a hostile
 * peer cannot grow a tree without limit. Perfdata labels and units are
 * validated when added (a bad one is refused, never rewritten); values
 * that cannot be printed (NaN, infinities) are refused too.
 * Ownership: see out.h; out_reset frees the whole tree.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "result/out.h"

#define OUT_SUMMARY_STORE ((size_t)2 * OUT_SUMMARY_MAX) /* stored summary bytes per node */
#define OUT_LONG_STORE ((size_t)2 * OUT_LONG_MAX)       /* stored long-output bytes per node */

/* Free the members of an object or array fact (not f itself). */
static void out_fact_clear(struct out_fact *f)
{
	struct out_fact *m = f->first, *next;

	for (; m != NULL; m = next) {
		next = m->next;
		out_fact_clear(m);
		free(m->key);
		free(m->str);
		free(m);
	}
	f->first = f->last = NULL;
}

/* Free every piece of t. */
static void out_text_clear(struct out_text *t)
{
	struct out_piece *p = t->first, *next;

	for (; p != NULL; p = next) {
		next = p->next;
		free(p->text);
		free(p);
	}
	t->first = t->last = NULL;
	t->bytes = 0;
}

/* Free everything o holds and its children (not o itself). */
static void out_node_clear(struct out *o)
{
	struct out *k = o->kids, *next;

	for (; k != NULL; k = next) {
		next = k->next;
		out_node_clear(k);
		free(k);
	}
	o->kids = o->last_kid = NULL;
	out_text_clear(&o->summary);
	out_text_clear(&o->longtext);
	out_fact_clear(&o->facts);
	free(o->perf);
	o->perf = NULL;
}

void out_init(struct out *o, const char *check, const char *service)
{
	memset(o, 0, sizeof(*o));
	o->check = check;
	o->service = service;
	o->state = STATE_OK;
	o->facts.type = OUT_FACT_OBJ;
}

/* Free the tree; o is an empty root for the same check again. */
void out_reset(struct out *o)
{
	const char *check = o->check, *service = o->service;

	out_node_clear(o);
	out_init(o, check, service);
}

struct out *out_root(struct out *o)
{
	while (o->parent != NULL)
		o = o->parent;
	return o;
}

/* A new sub-result under parent (see out.h); NULL when out of memory. */
struct out *out_child(struct out *parent, const char *key, int listed)
{
	struct out *k;

	if (parent == NULL)
		return NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		out_root(parent)->oom = 1;
		return NULL;
	}
	k->state = STATE_OK;
	k->facts.type = OUT_FACT_OBJ;
	k->key = key;
	k->listed = listed;
	k->parent = parent;
	if (parent->last_kid != NULL)
		parent->last_kid->next = k;
	else
		parent->kids = k;
	parent->last_kid = k;
	return k;
}

/* Raise the state to the worse of the current and s. */
void out_state(struct out *o, enum state s)
{
	o->state = state_worst(o->state, s);
}

/* Record the cause decided for this result. */
void out_cause(struct out *o, const struct cause *c, int show_in_json)
{
	o->cause = c;
	o->show_cause = show_in_json;
}

/* Append a piece of len bytes (copied) to t under its per-node cap; the piece or NULL. */
static struct out_piece *out_piece_add(struct out *o, struct out_text *t, const char *s, size_t len,
				       size_t cap)
{
	struct out_piece *p;

	if (t->bytes >= cap)
		return NULL; /* bounded: the renderer ends what is there with "..." */
	if (len > cap - t->bytes)
		len = cap - t->bytes;
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->text = malloc(len + 1)) == NULL) {
		free(p);
		out_root(o)->oom = 1;
		return NULL;
	}
	if (len > 0)
		memcpy(p->text, s, len);
	p->text[len] = '\0';
	p->len = len;
	t->bytes += len;
	if (t->last != NULL)
		t->last->next = p;
	else
		t->first = p;
	t->last = p;
	return p;
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

/* The text of o that a piece for where goes to, and its store cap. */
static struct out_text *out_where_text(struct out *o, enum out_where where, size_t *cap)
{
	*cap = where == OUT_TO_SUMMARY ? OUT_SUMMARY_STORE : OUT_LONG_STORE;
	return where == OUT_TO_SUMMARY ? &o->summary : &o->longtext;
}

/* Append a formatted trusted piece to the summary or the current long-output line. */
static void out_vadd(struct out *o, enum out_where where, const char *fmt, va_list ap)
{
	char *s = out_vformat(fmt, ap);
	struct out_text *t;
	size_t cap;

	if (s == NULL) {
		out_root(o)->oom = 1;
		return;
	}
	t = out_where_text(o, where, &cap);
	(void)out_piece_add(o, t, s, strlen(s), cap);
	free(s);
}

/* Append text to the summary. */
void out_summary(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vadd(o, OUT_TO_SUMMARY, fmt, ap);
	va_end(ap);
}

/* Append untrusted text to the summary, rendered at most max bytes. */
void out_summary_untrusted(struct out *o, const char *text, size_t len, size_t max)
{
	struct out_piece *p;

	if (max == 0 || text == NULL)
		return;
	if (max > OUT_SUMMARY_MAX)
		max = OUT_SUMMARY_MAX;
	/* Keep enough to fold blanks and still fill max, bounded by the store. */
	if ((p = out_piece_add(o, &o->summary, text, len, OUT_SUMMARY_STORE)) != NULL) {
		p->untrusted = 1;
		p->max = max;
	}
}

/* Append one line of text to the long output. */
void out_long(struct out *o, const char *fmt, ...)
{
	struct out_piece *p;
	va_list ap;
	char *s;
	size_t n;

	va_start(ap, fmt);
	s = out_vformat(fmt, ap);
	va_end(ap);
	if (s == NULL) {
		out_root(o)->oom = 1;
		return;
	}
	n = strlen(s);
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if ((p = out_piece_add(o, &o->longtext, s, n, OUT_LONG_STORE)) != NULL)
		p->eol = 1;
	else if (o->longtext.last != NULL)
		o->longtext.last->eol = 1; /* full: whatever is pending ends here */
	free(s);
}

/* Append one line: prefix (trusted) then untrusted text. */
void out_long_untrusted(struct out *o, const char *prefix, const char *text, size_t len)
{
	struct out_piece *p;

	if (prefix != NULL && prefix[0] != '\0')
		(void)out_piece_add(o, &o->longtext, prefix, strlen(prefix), OUT_LONG_STORE);
	p = out_piece_add(o, &o->longtext, text != NULL ? text : "", text != NULL ? len : 0,
			  OUT_LONG_STORE);
	if (p != NULL) {
		p->untrusted = 1;
		p->max = OUT_SUMMARY_MAX - 1; /* one long-output line */
		p->eol = 1;
	} else if (o->longtext.last != NULL) {
		o->longtext.last->eol = 1;
	}
}

/* Append a trusted piece to the summary or the current long-output line. */
void out_add(struct out *o, enum out_where where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vadd(o, where, fmt, ap);
	va_end(ap);
}

/* Append an untrusted piece of the given kind (OUT_UNTRUSTED*), rendered at most max bytes. */
static void out_add_kind(struct out *o, enum out_where where, const char *text, size_t len,
			 size_t max, unsigned char kind)
{
	struct out_piece *p;
	struct out_text *t;
	size_t cap;

	if (text == NULL || max == 0)
		return;
	t = out_where_text(o, where, &cap);
	if ((p = out_piece_add(o, t, text, len, cap)) != NULL) {
		p->untrusted = kind;
		p->max = max < OUT_SUMMARY_MAX ? max : OUT_SUMMARY_MAX - 1;
	}
}

void out_add_untrusted(struct out *o, enum out_where where, const char *text, size_t len,
		       size_t max)
{
	out_add_kind(o, where, text, len, max, OUT_UNTRUSTED);
}

void out_add_name(struct out *o, enum out_where where, const char *text, size_t len, size_t max)
{
	out_add_kind(o, where, text, len, max, OUT_UNTRUSTED_NAME);
}

/* End the current long-output line (an empty line when nothing is pending). */
void out_eol(struct out *o)
{
	struct out_piece *p = o->longtext.last;

	if (p == NULL || p->eol)
		p = out_piece_add(o, &o->longtext, "", 0, OUT_LONG_STORE + 1);
	if (p != NULL)
		p->eol = 1;
}

/* 1 when label is usable as a perfdata label: no '=', quote, '|' or control bytes. */
static int out_label_ok(const char *label)
{
	size_t n = strnlen(label, OUT_LABEL_MAX);

	if (n == 0 || n >= OUT_LABEL_MAX)
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

/* Perfdata items in the whole tree below (and in) o. */
static int out_perf_count(const struct out *o)
{
	int n = o->nperf;

	for (const struct out *k = o->kids; k != NULL; k = k->next)
		n += out_perf_count(k);
	return n;
}

/* Add a perfdata item (value unknown when unknown != 0); 0, or -1 when full or bad. */
static int out_perf_add(struct out *o, const char *label, double value, int unknown,
			const char *uom, const struct thresholds *t)
{
	struct out_perf *p;

	if (uom == NULL)
		uom = "";
	if (label == NULL || !out_label_ok(label) || !out_uom_ok(uom) || !isfinite(value) ||
	    out_perf_count(out_root(o)) >= OUT_PERF_MAX)
		return -1;
	p = realloc(o->perf, (size_t)(o->nperf + 1) * sizeof(*p));
	if (p == NULL) {
		out_root(o)->oom = 1;
		return -1;
	}
	o->perf = p;
	p = &o->perf[o->nperf++];
	memset(p, 0, sizeof(*p));
	/* Lengths checked by out_label_ok and out_uom_ok above. */
	strcpy(p->label, label); /* NOLINT(clang-analyzer-security.insecureAPI.strcpy) */
	strcpy(p->uom, uom);     /* NOLINT(clang-analyzer-security.insecureAPI.strcpy) */
	p->value = value;
	p->unknown = unknown;
	if (t != NULL) {
		p->warn = t->warn;
		p->crit = t->crit;
	}
	return 0;
}

/* Add a perfdata value; t may be NULL. 0, or -1 when full or label/uom/value is bad. */
int out_perf(struct out *o, const char *label, double value, const char *uom,
	     const struct thresholds *t)
{
	return out_perf_add(o, label, value, 0, uom, t);
}

/* Add a perfdata item whose value is unknown ("U"); 0, or -1 when full or label/uom is bad. */
int out_perf_unknown(struct out *o, const char *label, const char *uom, const struct thresholds *t)
{
	return out_perf_add(o, label, 0, 1, uom, t);
}

/* Set min/max of the last perfdata value added to o; non-finite bounds are left unset. */
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

/* Collect o's perfdata then its children's, depth first, from index n; the new count. */
static int out_perf_walk(const struct out *o, const struct out_perf **list, int max, int n)
{
	for (int i = 0; i < o->nperf && n < max; i++)
		list[n++] = &o->perf[i];
	for (const struct out *k = o->kids; k != NULL; k = k->next)
		n = out_perf_walk(k, list, max, n);
	return n;
}

int out_perf_all(const struct out *o, const struct out_perf **list, int max)
{
	return out_perf_walk(o, list, max, 0);
}

/* Append a new fact of type to obj; NULL when obj is NULL or out of memory. */
static struct out_fact *out_fact_add(struct out_fact *obj, const char *key, enum out_fact_type type)
{
	struct out_fact *f;

	if (obj == NULL || (obj->type != OUT_FACT_OBJ && obj->type != OUT_FACT_ARR))
		return NULL;
	if (obj->type == OUT_FACT_OBJ && key == NULL)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if (obj->type == OUT_FACT_OBJ && (f->key = strdup(key)) == NULL) {
		free(f);
		return NULL;
	}
	f->type = type;
	if (obj->last != NULL)
		obj->last->next = f;
	else
		obj->first = f;
	obj->last = f;
	return f;
}

struct out_fact *out_fact_obj(struct out_fact *obj, const char *key)
{
	return out_fact_add(obj, key, OUT_FACT_OBJ);
}

struct out_fact *out_fact_arr(struct out_fact *obj, const char *key)
{
	return out_fact_add(obj, key, OUT_FACT_ARR);
}

struct out_fact *out_fact_strn(struct out_fact *obj, const char *key, const char *s, size_t len)
{
	struct out_fact *f;

	if (s == NULL)
		return out_fact_null(obj, key);
	if ((f = out_fact_add(obj, key, OUT_FACT_STR)) == NULL)
		return NULL;
	if ((f->str = malloc(len + 1)) == NULL) {
		f->type = OUT_FACT_NULL; /* stays in the list, freed with it */
		return NULL;
	}
	if (len > 0)
		memcpy(f->str, s, len);
	f->str[len] = '\0';
	f->len = len;
	return f;
}

struct out_fact *out_fact_str(struct out_fact *obj, const char *key, const char *s)
{
	return out_fact_strn(obj, key, s, s != NULL ? strlen(s) : 0);
}

struct out_fact *out_fact_int(struct out_fact *obj, const char *key, long long v)
{
	struct out_fact *f = out_fact_add(obj, key, OUT_FACT_INT);

	if (f != NULL)
		f->i = v;
	return f;
}

struct out_fact *out_fact_num(struct out_fact *obj, const char *key, double v, int decimals)
{
	struct out_fact *f;

	if (!isfinite(v))
		return out_fact_null(obj, key);
	if ((f = out_fact_add(obj, key, OUT_FACT_NUM)) != NULL) {
		f->num = v;
		f->decimals = decimals > 6 ? 6 : decimals;
	}
	return f;
}

struct out_fact *out_fact_bool(struct out_fact *obj, const char *key, int v)
{
	struct out_fact *f = out_fact_add(obj, key, OUT_FACT_BOOL);

	if (f != NULL)
		f->i = v != 0;
	return f;
}

struct out_fact *out_fact_null(struct out_fact *obj, const char *key)
{
	return out_fact_add(obj, key, OUT_FACT_NULL);
}

const struct out_fact *out_fact_get(const struct out_fact *obj, const char *key)
{
	if (obj == NULL || obj->type != OUT_FACT_OBJ)
		return NULL;
	for (const struct out_fact *m = obj->first; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}
