/*
 * sa_mib.c - MAILPATH-MIB's layout and order over a struct sa_store.
 *
 * Objects are listed in OID order; each has a kind (scalar, check row,
 * metric row, cause row) that says how its instances are enumerated. A
 * GETNEXT walks the list: the first object whose prefix is after the
 * request yields its first instance, an object containing the request
 * yields its first instance after the request's suffix (RFC 3416 4.2.2).
 */
#include <string.h>
#include "sa_mib.h"

#ifndef MAILPATH_VERSION
#define MAILPATH_VERSION "0.1.0"
#endif

/* The root's arcs, comma separated (-DSA_MIB_ROOT=1,3,6,...: see the Makefile). */
#ifndef SA_MIB_ROOT
#error "SA_MIB_ROOT is not set: the Makefile reads it from MAILPATH-MIB.txt"
#endif
const uint64_t sa_mib_root[] = {SA_MIB_ROOT};
const size_t sa_mib_root_len = sizeof(sa_mib_root) / sizeof(sa_mib_root[0]);

enum sa_kind { SA_K_SCALAR, SA_K_CHECK, SA_K_METRIC, SA_K_CAUSE };

struct sa_obj {
	uint64_t prefix[4];
	size_t plen;
	enum sa_kind kind;
	int col; /* column, or scalar number */
};

/* clang-format off */
#define SA_SCALAR(n) {{SA_MIB_AGENT, n}, 3, SA_K_SCALAR, n}
#define SA_CHECK(c) {{SA_MIB_CHECK, c}, 4, SA_K_CHECK, c}
#define SA_METRIC(c) {{SA_MIB_METRIC, c}, 4, SA_K_METRIC, c}
#define SA_CAUSE(c) {{SA_MIB_CAUSE, c}, 4, SA_K_CAUSE, c}
/* clang-format on */

/* Every accessible object, in OID order. */
static const struct sa_obj sa_objs[] = {
	SA_SCALAR(1), SA_SCALAR(2), SA_SCALAR(3), SA_SCALAR(4), SA_SCALAR(5), SA_CHECK(2),
	SA_CHECK(3),  SA_CHECK(4),  SA_CHECK(5),  SA_CHECK(6),  SA_CHECK(7),  SA_CHECK(8),
	SA_CHECK(9),  SA_CHECK(10), SA_CHECK(11), SA_CHECK(12), SA_CHECK(13), SA_CHECK(14),
	SA_METRIC(2), SA_METRIC(3), SA_METRIC(4), SA_METRIC(5), SA_METRIC(6), SA_METRIC(7),
	SA_CAUSE(2),  SA_CAUSE(3),  SA_CAUSE(4),
};
#define SA_NOBJS (sizeof(sa_objs) / sizeof(sa_objs[0]))

static const char sa_version[] = "mailpath-agentx " MAILPATH_VERSION;

/* An instance found: the entry and, for two-level tables, the row within it. */
struct sa_inst {
	const struct sa_entry *e;
	size_t sub;
};

/* Compare OIDs lexicographically (a prefix sorts first): <0, 0 or >0. */
static int sa_oid_cmp(const uint64_t *a, size_t alen, const uint64_t *b, size_t blen)
{
	for (size_t i = 0; i < alen && i < blen; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

/* Number of sub-rows of e for a two-level kind. */
static size_t sa_nsub(const struct sa_entry *e, enum sa_kind k)
{
	return k == SA_K_METRIC ? e->nmetric : e->ncause;
}

/* Index of sub-row i of e, or 0 when the row is hidden (metrics not in the latest result). */
static uint32_t sa_sub_index(const struct sa_entry *e, enum sa_kind k, size_t i)
{
	if (k == SA_K_METRIC)
		return e->metric[i].present ? e->metric[i].index : 0;
	return e->cause_count[i].index;
}

/* First visible sub-row of e with index > after (after < 0: any); 1 and *sub, or 0. */
static int sa_sub_after(const struct sa_entry *e, enum sa_kind k, int64_t after, size_t *sub)
{
	for (size_t i = 0; i < sa_nsub(e, k); i++) {
		uint32_t idx = sa_sub_index(e, k, i);

		if (idx != 0 && (int64_t)idx > after) {
			*sub = i;
			return 1;
		}
	}
	return 0;
}

/* The first instance of object o whose index tuple is after suf (slen 0: the first of all). */
static int sa_inst_after(const struct sa_store *s, const struct sa_obj *o, const uint64_t *suf,
			 size_t slen, struct sa_inst *in)
{
	size_t i;

	if (o->kind == SA_K_SCALAR)
		return slen == 0;
	if (slen > 0 && suf[0] > SA_INDEX_MAX)
		return 0;
	i = slen == 0 ? 0 : sa_store_lower(s, (uint32_t)suf[0]);
	for (; i < s->n; i++) {
		const struct sa_entry *e = s->entry[i];
		int same = slen > 0 && e->index == suf[0];
		int64_t after = -1;

		in->e = e;
		if (o->kind == SA_K_CHECK) {
			if (!same)
				return 1;
			continue;
		}
		if (same && slen > 1)
			after = suf[1] > SA_INDEX_MAX ? (int64_t)SA_INDEX_MAX : (int64_t)suf[1];
		if (sa_sub_after(e, o->kind, after, &in->sub))
			return 1;
	}
	return 0;
}

/* The instance of object o named exactly by suf; 1 when it exists. */
static int sa_inst_exact(const struct sa_store *s, const struct sa_obj *o, const uint64_t *suf,
			 size_t slen, struct sa_inst *in)
{
	size_t want = o->kind == SA_K_SCALAR ? 1 : o->kind == SA_K_CHECK ? 1 : 2;

	if (slen != want)
		return 0;
	if (o->kind == SA_K_SCALAR)
		return suf[0] == 0;
	if (suf[0] > SA_INDEX_MAX || (in->e = sa_store_find(s, (uint32_t)suf[0])) == NULL)
		return 0;
	if (o->kind == SA_K_CHECK)
		return 1;
	for (size_t i = 0; i < sa_nsub(in->e, o->kind); i++)
		if (sa_sub_index(in->e, o->kind, i) == suf[1] && suf[1] != 0) {
			in->sub = i;
			return 1;
		}
	return 0;
}

/* Set v to a string. */
static void sa_str(struct sa_var *v, const char *s)
{
	v->type = SA_T_STRING;
	v->s = s;
	v->slen = strlen(s);
}

/* Set v to an unsigned value of type t. */
static void sa_uns(struct sa_var *v, enum sa_type t, uint64_t u)
{
	v->type = t;
	v->u = u;
}

/* Set v to an Integer32 / enumeration. */
static void sa_int(struct sa_var *v, int64_t i)
{
	v->type = SA_T_INTEGER;
	v->i = i;
}

/* Clamp Unix seconds into Unsigned32. */
static uint64_t sa_time32(int64_t t)
{
	if (t < 0)
		return 0;
	return t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint64_t)t;
}

/* Value of an agent scalar. */
static void sa_value_scalar(const struct sa_store *s, int n, struct sa_var *v)
{
	switch (n) {
	case 1: sa_str(v, sa_version); break;
	case 2: sa_uns(v, SA_T_GAUGE, s->n); break;
	case 3: sa_uns(v, SA_T_UNSIGNED, sa_time32(s->start_time)); break;
	case 4: sa_uns(v, SA_T_COUNTER64, s->notify_sent); break;
	default: sa_uns(v, SA_T_COUNTER64, s->notify_suppressed); break;
	}
}

/* Value of a check column. */
static void sa_value_check(const struct sa_entry *e, int col, struct sa_var *v)
{
	switch (col) {
	case SA_COL_CHECK_NAME: sa_str(v, e->name); break;
	case SA_COL_CHECK_COMMAND: sa_str(v, e->command); break;
	case SA_COL_CHECK_STATE: sa_int(v, e->state); break;
	case SA_COL_CHECK_CAUSE: sa_str(v, e->cause); break;
	case SA_COL_CHECK_STATUS: sa_str(v, e->status); break;
	case SA_COL_CHECK_LAST_RUN: sa_uns(v, SA_T_UNSIGNED, sa_time32(e->last_run)); break;
	case SA_COL_CHECK_DURATION: sa_uns(v, SA_T_UNSIGNED, e->duration_ms); break;
	case SA_COL_CHECK_LAST_CHANGE: sa_uns(v, SA_T_UNSIGNED, sa_time32(e->last_change)); break;
	case SA_COL_CHECK_RUNS: sa_uns(v, SA_T_COUNTER64, e->runs); break;
	case SA_COL_CHECK_FAILURES: sa_uns(v, SA_T_COUNTER64, e->failures); break;
	case SA_COL_CHECK_CHANGES: sa_uns(v, SA_T_COUNTER64, e->changes); break;
	case SA_COL_CHECK_INTERVAL: sa_uns(v, SA_T_UNSIGNED, e->interval_s); break;
	default: sa_int(v, e->prev_state); break;
	}
}

/* Value of a metric column. */
static void sa_value_metric(const struct sa_metric *m, int col, struct sa_var *v)
{
	switch (col) {
	case 2: sa_str(v, m->label); break;
	case 3: sa_str(v, m->value); break;
	case 4: sa_str(v, m->unit); break;
	case 5: sa_str(v, m->warn); break;
	case 6: sa_str(v, m->crit); break;
	default: sa_int(v, m->milli); break;
	}
}

/* Value of a cause column. */
static void sa_value_cause(const struct sa_cause_count *c, int col, struct sa_var *v)
{
	switch (col) {
	case 2: sa_str(v, c->name); break;
	case 3: sa_uns(v, SA_T_COUNTER64, c->count); break;
	default: sa_uns(v, SA_T_UNSIGNED, sa_time32(c->last_seen)); break;
	}
}

/* Fill v with the full OID and value of instance in of object o. */
static void sa_fill(const struct sa_store *s, const struct sa_obj *o, const struct sa_inst *in,
		    struct sa_var *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->oid, sa_mib_root, sa_mib_root_len * sizeof(v->oid[0]));
	v->len = sa_mib_root_len;
	memcpy(v->oid + v->len, o->prefix, o->plen * sizeof(v->oid[0]));
	v->len += o->plen;
	if (o->kind == SA_K_SCALAR) {
		v->oid[v->len++] = 0;
		sa_value_scalar(s, o->col, v);
		return;
	}
	v->oid[v->len++] = in->e->index;
	if (o->kind == SA_K_CHECK) {
		sa_value_check(in->e, o->col, v);
		return;
	}
	v->oid[v->len++] = sa_sub_index(in->e, o->kind, in->sub);
	if (o->kind == SA_K_METRIC)
		sa_value_metric(&in->e->metric[in->sub], o->col, v);
	else
		sa_value_cause(&in->e->cause_count[in->sub], o->col, v);
}

/* GETNEXT over the objects from the request r (relative to the root, rlen arcs). */
static int sa_mib_next(const struct sa_store *s, const uint64_t *r, size_t rlen, struct sa_var *v)
{
	struct sa_inst in = {0};

	for (size_t i = 0; i < SA_NOBJS; i++) {
		const struct sa_obj *o = &sa_objs[i];
		int inside = rlen >= o->plen && sa_oid_cmp(r, o->plen, o->prefix, o->plen) == 0;

		if (inside) {
			if (sa_inst_after(s, o, r + o->plen, rlen - o->plen, &in)) {
				sa_fill(s, o, &in, v);
				return 0;
			}
		} else if (sa_oid_cmp(r, rlen, o->prefix, o->plen) < 0 &&
			   sa_inst_after(s, o, NULL, 0, &in)) {
			sa_fill(s, o, &in, v);
			return 0;
		}
	}
	return SA_MIB_NO_OBJECT;
}

int sa_mib_lookup(const struct sa_store *s, const uint64_t *name, size_t len, int next,
		  struct sa_var *v)
{
	size_t rl = sa_mib_root_len;
	struct sa_inst in = {0};

	if (len > SA_OID_MAX) {
		if (!next)
			return SA_MIB_NO_INSTANCE;
		/* Every instance is at most SA_OID_MAX arcs: none lies between the cut name and name. */
		len = SA_OID_MAX;
	}
	if (len < rl || sa_oid_cmp(name, rl, sa_mib_root, rl) != 0) {
		if (next && sa_oid_cmp(name, len, sa_mib_root, rl) < 0)
			return sa_mib_next(s, sa_mib_root, 0, v); /* empty: before everything */
		return SA_MIB_NO_OBJECT;
	}
	if (next)
		return sa_mib_next(s, name + rl, len - rl, v);
	for (size_t i = 0; i < SA_NOBJS; i++) {
		const struct sa_obj *o = &sa_objs[i];

		if (len - rl < o->plen || sa_oid_cmp(name + rl, o->plen, o->prefix, o->plen) != 0)
			continue;
		if (!sa_inst_exact(s, o, name + rl + o->plen, len - rl - o->plen, &in))
			return SA_MIB_NO_INSTANCE;
		sa_fill(s, o, &in, v);
		return 0;
	}
	return SA_MIB_NO_OBJECT;
}

int sa_mib_check_var(const struct sa_store *s, const struct sa_entry *e, int col, struct sa_var *v)
{
	uint64_t name[SA_OID_MAX];
	size_t n = sa_mib_root_len;
	const uint64_t rel[] = {SA_MIB_CHECK};

	memcpy(name, sa_mib_root, n * sizeof(name[0]));
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
		name[n++] = rel[i];
	name[n++] = (uint64_t)col;
	name[n++] = e->index;
	return sa_mib_lookup(s, name, n, 0, v);
}
