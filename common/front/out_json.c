/*
 * out_json.c - the JSON renderer of the result tree (--output json).
 *
 * Contract: one object per result, schema 1, described by
 * contrib/json/mailpath-result-1.schema.json (see out_render.h for the
 * keys). Built with json-c; every string that reaches it passes
 * out_json_clean first, so the output is valid UTF-8 whatever bytes a
 * server or the user's command line held. Reads the tree only.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "front/out_render.h"
#include "verdict/classify.h"

#define OUT_NUM_MAX 32

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid (RFC 3629 §4). */
static size_t out_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, out of range, surrogate */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0; /* C1 control: treated like a C0 control below */
	return len;
}

/*
 * A JSON-safe copy of s (len bytes) into b: valid UTF-8 (an invalid byte
 * becomes U+FFFD), control characters to blanks, runs of blanks folded to
 * one, leading and trailing blanks dropped. 0, or -1 when out of memory.
 */
static int out_json_clean(const char *s, size_t len, struct buf *b)
{
	const unsigned char *u = (const unsigned char *)s;
	int blank = 0;

	b->len = 0;
	for (size_t i = 0; i < len;) {
		size_t n = out_utf8_len(u + i, len - i);
		int ctl = n == 1 && (u[i] < 0x20 || u[i] == 0x7f || u[i] == ' ');
		int c1 = n == 0 && len - i >= 2 && u[i] == 0xc2 && u[i + 1] >= 0x80 &&
			 u[i + 1] <= 0x9f;

		if (ctl || c1) {
			blank = 1;
			i += c1 ? 2 : 1;
			continue;
		}
		if (blank && b->len > 0 && buf_append(b, " ", 1) != 0)
			return -1;
		blank = 0;
		if (buf_append(b, n > 0 ? (const char *)u + i : "\xef\xbf\xbd", n > 0 ? n : 3) != 0)
			return -1;
		i += n > 0 ? n : 1;
	}
	return 0;
}

/* A json-c string from untrusted bytes, cleaned; NULL when out of memory. */
static struct json_object *out_json_str(const char *s, size_t len)
{
	struct json_object *j;
	struct buf b;

	buf_init(&b, 3 * len + 1);
	if (out_json_clean(s, len, &b) != 0) {
		buf_reset(&b);
		return NULL;
	}
	j = json_object_new_string_len(b.len > 0 ? (const char *)b.data : "", (int)b.len);
	buf_reset(&b);
	return j;
}

/* A JSON number printed our way (decimals fixed, or -1: trimmed); NULL when v cannot be printed. */
static struct json_object *out_json_number(double v, int decimals)
{
	char num[OUT_NUM_MAX];

	if (out_number(num, sizeof(num), v) != 0)
		return NULL; /* NaN, infinities, absurd */
	if (decimals >= 0) {
		int n = snprintf(num, sizeof(num), "%.*f", decimals, v);

		if (n < 0 || (size_t)n >= sizeof(num))
			return NULL;
	}
	return json_object_new_double_s(v, num);
}

/* Add key = val to obj (val NULL is JSON null); -1 when adding fails. */
static int out_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

static struct json_object *out_json_fact(const struct out_fact *f);

/* Add member m of an object fact to j under its cleaned key, unless j has that key. 0 or -1. */
static int out_json_member(const struct out_fact *m, struct json_object *j)
{
	struct json_object *v;
	struct buf key;
	int rc = -1;

	buf_init(&key, 3 * strlen(m->key) + 1);
	if (out_json_clean(m->key, strlen(m->key), &key) != 0 || buf_append(&key, "", 1) != 0)
		goto out;
	rc = 0;
	if (json_object_object_get_ex(j, (const char *)key.data, NULL))
		goto out; /* the standard keys (and the first of two equal ones) win */
	v = out_json_fact(m);
	if (v == NULL && m->type != OUT_FACT_NULL && m->type != OUT_FACT_NUM)
		rc = -1; /* out of memory (an unprintable number is null) */
	else
		rc = out_json_add(j, (const char *)key.data, v);
out:
	buf_reset(&key);
	return rc;
}

/* The members of an object or array fact added to j. 0 or -1. */
static int out_json_members(const struct out_fact *f, struct json_object *j)
{
	for (const struct out_fact *m = f->first; m != NULL; m = m->next) {
		struct json_object *v;

		if (f->type == OUT_FACT_OBJ) {
			if (out_json_member(m, j) != 0)
				return -1;
			continue;
		}
		v = out_json_fact(m);
		if (v == NULL && m->type != OUT_FACT_NULL && m->type != OUT_FACT_NUM)
			return -1;
		if (json_object_array_add(j, v) != 0) {
			json_object_put(v);
			return -1;
		}
	}
	return 0;
}

/* One fact as json-c; NULL for null (and for failure of a non-null one). */
static struct json_object *out_json_fact(const struct out_fact *f)
{
	struct json_object *j = NULL;

	switch (f->type) {
	case OUT_FACT_NULL: return NULL;
	case OUT_FACT_STR: return out_json_str(f->str, f->len);
	case OUT_FACT_INT: return json_object_new_int64(f->i);
	case OUT_FACT_NUM: return out_json_number(f->num, f->decimals);
	case OUT_FACT_BOOL: return json_object_new_boolean((json_bool)f->i);
	case OUT_FACT_OBJ: j = json_object_new_object(); break;
	case OUT_FACT_ARR: j = json_object_new_array(); break;
	}
	if (j != NULL && out_json_members(f, j) != 0) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

/* A perfdata text field, or NULL (JSON null) when empty. */
static struct json_object *out_json_perf_str(int set, const char *s)
{
	return set && s[0] != '\0' ? json_object_new_string(s) : NULL;
}

/*
 * One perfdata item as a JSON object with every key (label, value, uom,
 * warn, crit, min, max), null where the item has none: the same keys in
 * every item of every outcome. NULL when it cannot be rendered.
 */
static struct json_object *out_json_perf(const struct out_perf *p)
{
	struct json_object *o = json_object_new_object(), *v = NULL;

	if (!p->unknown && (v = out_json_number(p->value, -1)) == NULL)
		goto fail; /* not printable: left out, as in the text */
	if (o == NULL || out_json_add(o, "label", json_object_new_string(p->label)) != 0)
		goto fail;
	if (out_json_add(o, "value", v) != 0) /* v is released either way */
		goto fail_o;
	if (out_json_add(o, "uom", out_json_perf_str(1, p->uom)) != 0 ||
	    out_json_add(o, "warn", out_json_perf_str(p->warn.set, p->warn.text)) != 0 ||
	    out_json_add(o, "crit", out_json_perf_str(p->crit.set, p->crit.text)) != 0 ||
	    out_json_add(o, "min", p->has_min ? out_json_number(p->min, -1) : NULL) != 0 ||
	    out_json_add(o, "max", p->has_max ? out_json_number(p->max, -1) : NULL) != 0)
		goto fail_o;
	return o;
fail:
	json_object_put(v);
fail_o:
	json_object_put(o);
	return NULL;
}

/* The perfdata of the whole tree as a JSON array; items that cannot be rendered are skipped. */
static struct json_object *out_json_perfdata(const struct out *o)
{
	const struct out_perf *perf[OUT_PERF_MAX];
	struct json_object *a = json_object_new_array();
	int n = out_perf_all(o, perf, OUT_PERF_MAX);

	for (int i = 0; a != NULL && i < n; i++) {
		struct json_object *p = out_json_perf(perf[i]);

		if (p != NULL && json_object_array_add(a, p) != 0)
			json_object_put(p);
	}
	return a;
}

/* Collect one long-output line (rendered: printable ASCII already) into the JSON array in arg. */
static void out_json_line(const char *s, size_t len, void *arg)
{
	struct json_object *s_j = json_object_new_string_len(s, (int)len);

	if (s_j != NULL && json_object_array_add(arg, s_j) != 0)
		json_object_put(s_j);
}

static int out_json_node(const struct out *o, struct json_object *j);

/* Place child k's object into parent object j under its key. 0 or -1. */
static int out_json_child(const struct out *k, struct json_object *j)
{
	struct json_object *kj = json_object_new_object(), *arr = NULL;
	const char *key = k->key != NULL ? k->key : "results";

	if (kj == NULL || out_json_node(k, kj) != 0) {
		json_object_put(kj);
		return -1;
	}
	if (!k->listed)
		return out_json_add(j, key, kj);
	if (!json_object_object_get_ex(j, key, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		if ((arr = json_object_new_array()) == NULL || out_json_add(j, key, arr) != 0) {
			json_object_put(kj);
			return -1;
		}
	}
	if (json_object_array_add(arr, kj) != 0) {
		json_object_put(kj);
		return -1;
	}
	return 0;
}

/* A node's keys into j: its cause (if shown), summary (children), facts, then children. */
static int out_json_node(const struct out *o, struct json_object *j)
{
	if (o->parent != NULL && o->show_cause &&
	    (out_json_add(j, "cause", o->cause ? json_object_new_string(o->cause->name) : NULL) !=
		     0 ||
	     out_json_add(j, "hint", o->cause ? json_object_new_string(o->cause->hint) : NULL) !=
		     0))
		return -1;
	if (o->parent != NULL && o->summary.first != NULL) {
		char s[OUT_SUMMARY_MAX + 1];
		size_t n = out_text_summary(o, s, sizeof(s));

		if (out_json_add(j, "summary", json_object_new_string_len(s, (int)n)) != 0)
			return -1;
	}
	if (out_json_members(&o->facts, j) != 0)
		return -1;
	for (const struct out *k = o->kids; k != NULL; k = k->next)
		if (out_json_child(k, j) != 0)
			return -1;
	return 0;
}

/* The standard keys of the root object. 0 or -1. */
static int out_json_std(const struct out *o, struct json_object *j)
{
	char summary[OUT_SUMMARY_MAX + 1];
	size_t n = out_text_summary(o, summary, sizeof(summary));
	struct json_object *lines = json_object_new_array();

	if (lines != NULL)
		out_text_long_lines(o, out_json_line, lines);
	if (out_json_add(j, "schema", json_object_new_int(1)) != 0 ||
	    out_json_add(j, "check",
			 out_json_str(o->check ? o->check : "", o->check ? strlen(o->check) : 0)) !=
		    0 ||
	    out_json_add(j, "service",
			 out_json_str(o->service ? o->service : "",
				      o->service ? strlen(o->service) : 0)) != 0 ||
	    out_json_add(j, "state", json_object_new_string(state_name(o->state))) != 0 ||
	    out_json_add(j, "exit", json_object_new_int((int)o->state)) != 0 ||
	    out_json_add(j, "summary", json_object_new_string_len(summary, (int)n)) != 0 ||
	    out_json_add(j, "perfdata", out_json_perfdata(o)) != 0 ||
	    out_json_add(j, "long", lines) != 0)
		return -1;
	/* Every outcome has a cause key: null when the check named none. */
	if (out_json_add(j, "cause", o->cause ? json_object_new_string(o->cause->name) : NULL) ||
	    out_json_add(j, "hint", o->cause ? json_object_new_string(o->cause->hint) : NULL))
		return -1;
	return 0;
}

char *out_json_text(const struct out *o)
{
	struct json_object *j = json_object_new_object();
	char *s = NULL;
	int rc;

	if (j == NULL)
		return NULL;
	rc = o->raw ? out_json_members(&o->facts, j) : out_json_std(o, j) || out_json_node(o, j);
	if (rc == 0 && !o->oom)
		s = strdup(json_object_to_json_string_ext(
			j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	return s;
}
