/*
 * sa_store.c - results, counters and stable indexes (see sa_store.h).
 *
 * Ownership: the store owns its entries; an entry owns its argv copy.
 * The scheduler's per-entry state (e->rt) is released through the drop
 * callback before an entry is freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sa_store.h"
#include "front/out_render.h"
#include "verdict/classify.h"

uint32_t sa_index_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	h %= SA_INDEX_MAX;
	return h + 1;
}

/* The next candidate index after a collision, wrapping inside 1..SA_INDEX_MAX. */
static uint32_t sa_index_probe(uint32_t i)
{
	return i >= SA_INDEX_MAX ? 1 : i + 1;
}

struct sa_entry *sa_store_find(const struct sa_store *s, uint32_t index)
{
	size_t i = sa_store_lower(s, index);

	return i < s->n && s->entry[i]->index == index ? s->entry[i] : NULL;
}

size_t sa_store_lower(const struct sa_store *s, uint32_t index)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->entry[mid]->index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Free one entry (after drop). */
static void sa_entry_free(struct sa_entry *e, sa_store_drop_cb *drop, void *arg)
{
	if (e == NULL)
		return;
	if (drop != NULL)
		drop(e, arg);
	for (int i = 0; e->argv != NULL && i < e->argc; i++)
		free(e->argv[i]);
	free((void *)e->argv);
	free(e);
}

/* Join argv with blanks into dst, quoting words that hold blanks or quotes. */
static void sa_join(char *dst, size_t len, int argc, char *const *argv)
{
	size_t used = 0;

	dst[0] = '\0';
	for (int i = 0; i < argc && used < len; i++) {
		int q = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"\\#") != NULL;
		int n = snprintf(dst + used, len - used, "%s%s%s%s", i ? " " : "", q ? "'" : "",
				 argv[i], q ? "'" : "");

		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* A new entry for conf check k, in the initial "not run yet" state; NULL when out of memory. */
static struct sa_entry *sa_entry_new(const struct sa_conf_check *k)
{
	struct sa_entry *e = calloc(1, sizeof(*e));

	if (e == NULL ||
	    (e->argv = (char **)calloc((size_t)k->argc + 1, sizeof(*e->argv))) == NULL) {
		free(e);
		return NULL;
	}
	for (int i = 0; i < k->argc; i++) {
		if ((e->argv[i] = strdup(k->argv[i])) == NULL) {
			e->argc = i;
			sa_entry_free(e, NULL, NULL);
			return NULL;
		}
	}
	e->argc = k->argc;
	snprintf(e->name, sizeof(e->name), "%s", k->name);
	e->interval_s = k->interval_s;
	e->state = e->prev_state = STATE_UNKNOWN;
	snprintf(e->status, sizeof(e->status), "not run yet");
	sa_join(e->command, sizeof(e->command), e->argc, e->argv);
	return e;
}

/* 1 when entry e runs exactly what conf check k asks for. */
static int sa_entry_same(const struct sa_entry *e, const struct sa_conf_check *k)
{
	if (strcmp(e->name, k->name) != 0 || e->interval_s != k->interval_s || e->argc != k->argc)
		return 0;
	for (int i = 0; i < k->argc; i++)
		if (strcmp(e->argv[i], k->argv[i]) != 0)
			return 0;
	return 1;
}

/* One check's index and its position in the configuration, sortable (qsort). */
struct sa_clash {
	uint32_t index;
	size_t at;
};

/* Order clash records by index, then by position (qsort). */
static int sa_clash_cmp(const void *a, const void *b)
{
	const struct sa_clash *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

int sa_store_index_clash(const struct sa_conf *conf, char *err, size_t errlen)
{
	struct sa_clash *v = calloc(conf->n + 1, sizeof(*v));
	int rc = 0;

	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < conf->n; i++)
		v[i] = (struct sa_clash){sa_index_hash(conf->check[i].name), i};
	qsort(v, conf->n, sizeof(*v), sa_clash_cmp);
	for (size_t i = 1; i < conf->n && rc == 0; i++) {
		const struct sa_conf_check *a = &conf->check[v[i - 1].at],
					   *b = &conf->check[v[i].at];

		if (v[i].index != v[i - 1].index)
			continue;
		snprintf(err, errlen,
			 "line %d: check '%s' has the SNMP index %u of check '%s' (line %d): "
			 "rename one of them",
			 b->line, b->name, v[i].index, a->name, a->line);
		rc = -1;
	}
	free(v);
	return rc;
}

/* Order entries by index (qsort). */
static int sa_entry_cmp(const void *a, const void *b)
{
	const struct sa_entry *x = *(struct sa_entry *const *)a, *y = *(struct sa_entry *const *)b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/* Order entries by name (qsort): new entries get their indexes in name order. */
static int sa_entry_name_cmp(const void *a, const void *b)
{
	const struct sa_entry *x = *(struct sa_entry *const *)a, *y = *(struct sa_entry *const *)b;

	return strcmp(x->name, y->name);
}

/* 1 when index is taken by one of the first n entries of v. */
static int sa_index_taken(struct sa_entry *const *v, size_t n, uint32_t index)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->index == index)
			return 1;
	return 0;
}

/* Give the entries v[kept..n) indexes: kept ones keep theirs, new ones hash and probe. */
static void sa_index_assign(struct sa_entry **v, size_t kept, size_t n)
{
	/* Arrays of pointers: sizeof one pointer is meant (here and below). */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	qsort((void *)(v + kept), n - kept, sizeof(*v), sa_entry_name_cmp);
	for (size_t i = kept; i < n; i++) {
		uint32_t idx = sa_index_hash(v[i]->name);

		while (sa_index_taken(v, i, idx))
			idx = sa_index_probe(idx);
		v[i]->index = idx;
	}
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	qsort((void *)v, n, sizeof(*v), sa_entry_cmp);
}

/* Find and detach the old entry for conf check k when unchanged; NULL otherwise. */
static struct sa_entry *sa_store_take_same(struct sa_entry **old, size_t n,
					   const struct sa_conf_check *k)
{
	for (size_t i = 0; i < n; i++)
		if (old[i] != NULL && sa_entry_same(old[i], k)) {
			struct sa_entry *e = old[i];

			old[i] = NULL;
			return e;
		}
	return NULL;
}

int sa_store_apply(struct sa_store *s, const struct sa_conf *conf, sa_store_drop_cb *drop,
		   void *arg)
{
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	struct sa_entry **v = (struct sa_entry **)calloc(conf->n + 1, sizeof(*v));
	size_t kept = 0, nnew = conf->n;

	if (v == NULL)
		return -1;
	/* Unchanged entries first (keeping their index), then new ones from the end. */
	for (size_t i = 0; i < conf->n; i++) {
		struct sa_entry *e = sa_store_take_same(s->entry, s->n, &conf->check[i]);

		if (e != NULL)
			v[kept++] = e;
		else if ((v[--nnew] = sa_entry_new(&conf->check[i])) == NULL)
			goto fail;
	}
	sa_index_assign(v, kept, conf->n);
	for (size_t i = 0; i < s->n; i++)
		sa_entry_free(s->entry[i], drop, arg);
	free((void *)s->entry);
	s->entry = v;
	s->n = conf->n;
	return 0;
fail:
	/* Put the kept entries back (order is restored by sorting) and free the new ones. */
	for (size_t i = 0, j = 0; i < kept; i++) {
		while (s->entry[j] != NULL)
			j++;
		s->entry[j] = v[i];
	}
	for (size_t i = nnew + 1; i < conf->n; i++)
		sa_entry_free(v[i], NULL, NULL);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	qsort((void *)s->entry, s->n, sizeof(*s->entry), sa_entry_cmp);
	free((void *)v);
	return -1;
}

void sa_store_reset(struct sa_store *s, sa_store_drop_cb *drop, void *arg)
{
	for (size_t i = 0; i < s->n; i++)
		sa_entry_free(s->entry[i], drop, arg);
	free((void *)s->entry);
	s->entry = NULL;
	s->n = 0;
}

/*
 * Format v in the C locale without exponent: up to 6 decimals, trailing
 * zeros cut. "NaN" for values that cannot be shown that way.
 */
static void sa_number(char *dst, size_t len, double v)
{
	int n;

	if (!(v > -1e15 && v < 1e15)) {
		snprintf(dst, len, "NaN");
		return;
	}
	n = snprintf(dst, len, "%.6f", v);
	if (n <= 0 || (size_t)n >= len)
		return;
	while (n > 1 && dst[n - 1] == '0')
		dst[--n] = '\0';
	if (dst[n - 1] == '.')
		dst[--n] = '\0';
	if (strcmp(dst, "-0") == 0)
		snprintf(dst, len, "0");
}

/* value * 1000 rounded and clamped to Integer32. */
static int32_t sa_milli(double v)
{
	double m = v * 1000.0;

	if (!(m == m))
		return 0;
	if (m >= 2147483647.0)
		return INT32_MAX;
	if (m <= -2147483648.0)
		return INT32_MIN;
	return (int32_t)(m < 0 ? m - 0.5 : m + 0.5);
}

/* The slot for key in a sorted table of n items of size sz whose first member is a uint32 index. */
static size_t sa_slot_lower(const void *base, size_t n, size_t sz, uint32_t index)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t at;

		memcpy(&at, (const char *)base + mid * sz, sizeof(at));
		if (at < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The metric row for label (created with a hashed index when new); NULL when the table is full. */
static struct sa_metric *sa_metric_get(struct sa_entry *e, const char *label)
{
	uint32_t idx = sa_index_hash(label);
	size_t at;

	for (size_t i = 0; i < e->nmetric; i++)
		if (strcmp(e->metric[i].label, label) == 0)
			return &e->metric[i];
	if (e->nmetric >= SA_METRICS_MAX)
		return NULL;
	for (;;) {
		at = sa_slot_lower(e->metric, e->nmetric, sizeof(e->metric[0]), idx);
		if (at == e->nmetric || e->metric[at].index != idx)
			break;
		idx = sa_index_probe(idx);
	}
	memmove(&e->metric[at + 1], &e->metric[at], (e->nmetric - at) * sizeof(e->metric[0]));
	memset(&e->metric[at], 0, sizeof(e->metric[at]));
	e->metric[at].index = idx;
	snprintf(e->metric[at].label, sizeof(e->metric[at].label), "%s", label);
	e->nmetric++;
	return &e->metric[at];
}

/* The cause row for name (created with a hashed index when new); NULL when the table is full. */
static struct sa_cause_count *sa_cause_get(struct sa_entry *e, const char *name)
{
	uint32_t idx = sa_index_hash(name);
	size_t at;

	for (size_t i = 0; i < e->ncause; i++)
		if (strcmp(e->cause_count[i].name, name) == 0)
			return &e->cause_count[i];
	if (e->ncause >= SA_CAUSES_MAX)
		return NULL;
	for (;;) {
		at = sa_slot_lower(e->cause_count, e->ncause, sizeof(e->cause_count[0]), idx);
		if (at == e->ncause || e->cause_count[at].index != idx)
			break;
		idx = sa_index_probe(idx);
	}
	memmove(&e->cause_count[at + 1], &e->cause_count[at],
		(e->ncause - at) * sizeof(e->cause_count[0]));
	memset(&e->cause_count[at], 0, sizeof(e->cause_count[at]));
	e->cause_count[at].index = idx;
	snprintf(e->cause_count[at].name, sizeof(e->cause_count[at].name), "%s", name);
	e->ncause++;
	return &e->cause_count[at];
}

/* Copy the perfdata of the whole tree into the metric rows; rows missing from it are hidden. */
static void sa_record_metrics(struct sa_entry *e, const struct out *o)
{
	const struct out_perf *perf[OUT_PERF_MAX];
	int n = out_perf_all(o, perf, OUT_PERF_MAX);

	for (size_t i = 0; i < e->nmetric; i++)
		e->metric[i].present = 0;
	for (int i = 0; i < n; i++) {
		const struct out_perf *p = perf[i];
		struct sa_metric *m = sa_metric_get(e, p->label);

		if (m == NULL)
			continue;
		m->present = 1;
		if (p->unknown) /* never measured (an MX not probed): "U", as in the status line */
			snprintf(m->value, sizeof(m->value), "U");
		else
			sa_number(m->value, sizeof(m->value), p->value);
		snprintf(m->unit, sizeof(m->unit), "%s", p->uom);
		snprintf(m->warn, sizeof(m->warn), "%s", p->warn.set ? p->warn.text : "");
		snprintf(m->crit, sizeof(m->crit), "%s", p->crit.set ? p->crit.text : "");
		m->milli = p->unknown ? 0 : sa_milli(p->value);
	}
}

/* The cause stored in the result, or "" when it names none. */
static const char *sa_out_cause(const struct out *o)
{
	return o->cause != NULL ? o->cause->name : "";
}

/* The status line without perfdata, as the text renderer writes it ("SERVICE STATE - summary"). */
static void sa_record_status(struct sa_entry *e, const struct out *o)
{
	(void)out_text_status(o, e->status, sizeof(e->status));
}

int sa_store_record(struct sa_entry *e, const struct out *o, uint32_t duration_ms, int64_t now)
{
	enum state old = e->state;
	int first = !e->has_result, change;
	struct sa_cause_count *cc;

	e->has_result = 1;
	e->state = o->state;
	e->duration_ms = duration_ms;
	e->last_run = now;
	e->runs++;
	if (o->state != STATE_OK)
		e->failures++;
	change = !first && old != o->state;
	if (change) {
		e->changes++;
		e->prev_state = old;
	}
	if (change || first)
		e->last_change = now;
	snprintf(e->cause, sizeof(e->cause), "%s", sa_out_cause(o)); /* a cause name is ours */
	sa_record_status(e, o);
	sa_record_metrics(e, o);
	if (e->cause[0] != '\0' && (cc = sa_cause_get(e, e->cause)) != NULL) {
		cc->count++;
		cc->last_seen = now;
	}
	return change || (first && o->state != STATE_OK);
}
