/*
 * test_sa_mib.c - MAILPATH-MIB lookups against a fixture store, without
 * snmpd: GET of every kind of object with its type and value, GETNEXT
 * walks over the whole MIB in strict OID order, the edges of the tree,
 * and the store's stable indexes and counters across reloads.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "sa_mib.h"
#include "sa_store.h"
#include "verdict/classify.h"

Suite *sa_mib_suite(void);

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct sa_store store;

/* Parse conf text into the fixture store. */
static void fixture_apply(const char *text)
{
	struct sa_conf c;
	char err[128];

	ck_assert_int_eq(sa_conf_parse(&c, text, strlen(text), err, sizeof(err)), 0);
	ck_assert_int_eq(sa_store_apply(&store, &c, NULL, NULL), 0);
	sa_conf_reset(&c);
}

/* Record a result: state, cause, and perfdata labels with values (NULL-terminated). */
static int fixture_record(struct sa_entry *e, enum state st, const char *cause,
			  const char *const *labels, const double *values, int64_t now)
{
	struct cause c = {.name = cause, .hint = "", .state = st};
	struct out o;
	struct thresholds th;
	int rc;

	memset(&th, 0, sizeof(th));
	ck_assert_int_eq(range_parse("1", &th.warn), 0);
	ck_assert_int_eq(range_parse("2", &th.crit), 0);
	out_init(&o, "check_mail_smtp", "SMTP");
	out_state(&o, st);
	out_summary(&o, "127.0.0.1:25 result|with pipe");
	for (int i = 0; labels != NULL && labels[i] != NULL; i++)
		out_perf(&o, labels[i], values[i], "s", i == 0 ? &th : NULL);
	out_cause(&o, cause != NULL ? &c : NULL, 1);
	rc = sa_store_record(e, &o, 42, now);
	out_reset(&o);
	return rc;
}

static struct sa_entry *by_name(const char *name)
{
	for (size_t i = 0; i < store.n; i++)
		if (strcmp(store.entry[i]->name, name) == 0)
			return store.entry[i];
	ck_abort_msg("no entry %s", name);
	return NULL;
}

static void setup(void)
{
	static const char *const l1[] = {"total", "greeting", "connect", NULL};
	static const double v1[] = {0.25, 0.1, -0.0004};
	static const char *const l2[] = {"total", NULL};
	static const double v2[] = {3};

	memset(&store, 0, sizeof(store));
	store.start_time = 1700000000;
	store.notify_sent = 5000000000ull;
	fixture_apply("check healthy 60 check_mail_smtp -H 127.0.0.1\n"
		      "check busy 30 check_mail_smtp -H 127.0.0.1 -p 2502 -e 'a b'\n"
		      "check neverrun 60 check_mail_smtp -H x\n");
	fixture_record(by_name("healthy"), STATE_OK, "ok", l1, v1, 1700000100);
	fixture_record(by_name("busy"), STATE_CRITICAL, "server-busy", l2, v2, 1700000100);
	fixture_record(by_name("busy"), STATE_CRITICAL, "server-busy", l2, v2, 1700000130);
}

static void teardown(void)
{
	sa_store_reset(&store, NULL, NULL);
}

/* Build root + rel (relative arcs) into name; returns its length. */
static size_t mkoid(uint64_t *name, const uint64_t *rel, size_t n)
{
	memcpy(name, sa_mib_root, sa_mib_root_len * sizeof(*name));
	if (n > 0)
		memcpy(name + sa_mib_root_len, rel, n * sizeof(*name));
	return sa_mib_root_len + n;
}

struct get_case {
	uint64_t rel[8];
	size_t n;
	const char *check; /* check whose index follows rel, or NULL */
	const char *sub;   /* metric label or cause name whose index follows, or NULL */
	int rc;
	enum sa_type type;
	const char *want_s;
	uint64_t want_u;
	int64_t want_i;
};

static const struct get_case get_cases[] = {
	{{1, 1, 1, 0}, 4, NULL, NULL, 0, SA_T_STRING, "mailpath-agentx ", 0, 0},
	{{1, 1, 2, 0}, 4, NULL, NULL, 0, SA_T_GAUGE, NULL, 3, 0},
	{{1, 1, 3, 0}, 4, NULL, NULL, 0, SA_T_UNSIGNED, NULL, 1700000000, 0},
	{{1, 1, 4, 0}, 4, NULL, NULL, 0, SA_T_COUNTER64, NULL, 5000000000ull, 0},
	{{1, 1, 1, 1}, 4, NULL, NULL, SA_MIB_NO_INSTANCE, 0, NULL, 0, 0},
	{{1, 1, 1}, 3, NULL, NULL, SA_MIB_NO_INSTANCE, 0, NULL, 0, 0},
	{{1, 1, 9, 0}, 4, NULL, NULL, SA_MIB_NO_OBJECT, 0, NULL, 0, 0},
	{{1, 2, 1, 2}, 4, "healthy", NULL, 0, SA_T_STRING, "healthy", 0, 0},
	{{1, 2, 1, 3},
	 4,
	 "busy",
	 NULL,
	 0,
	 SA_T_STRING,
	 "check_mail_smtp -H 127.0.0.1 -p 2502 -e 'a b'",
	 0,
	 0},
	{{1, 2, 1, 4}, 4, "busy", NULL, 0, SA_T_INTEGER, NULL, 0, 2},
	{{1, 2, 1, 4}, 4, "neverrun", NULL, 0, SA_T_INTEGER, NULL, 0, 3},
	{{1, 2, 1, 5}, 4, "busy", NULL, 0, SA_T_STRING, "server-busy", 0, 0},
	{{1, 2, 1, 6},
	 4,
	 "healthy",
	 NULL,
	 0,
	 SA_T_STRING,
	 "SMTP OK - 127.0.0.1:25 result/with pipe",
	 0,
	 0},
	{{1, 2, 1, 6}, 4, "neverrun", NULL, 0, SA_T_STRING, "not run yet", 0, 0},
	{{1, 2, 1, 7}, 4, "busy", NULL, 0, SA_T_UNSIGNED, NULL, 1700000130, 0},
	{{1, 2, 1, 8}, 4, "busy", NULL, 0, SA_T_UNSIGNED, NULL, 42, 0},
	{{1, 2, 1, 9}, 4, "busy", NULL, 0, SA_T_UNSIGNED, NULL, 1700000100, 0},
	{{1, 2, 1, 10}, 4, "busy", NULL, 0, SA_T_COUNTER64, NULL, 2, 0},
	{{1, 2, 1, 11}, 4, "busy", NULL, 0, SA_T_COUNTER64, NULL, 2, 0},
	{{1, 2, 1, 11}, 4, "healthy", NULL, 0, SA_T_COUNTER64, NULL, 0, 0},
	{{1, 2, 1, 12}, 4, "busy", NULL, 0, SA_T_COUNTER64, NULL, 0, 0},
	{{1, 2, 1, 13}, 4, "busy", NULL, 0, SA_T_UNSIGNED, NULL, 30, 0},
	{{1, 2, 1, 14}, 4, "busy", NULL, 0, SA_T_INTEGER, NULL, 0, 3},
	{{1, 2, 1, 1}, 4, "busy", NULL, SA_MIB_NO_OBJECT, 0, NULL, 0, 0}, /* index: not-accessible */
	{{1, 2, 1, 15}, 4, "busy", NULL, SA_MIB_NO_OBJECT, 0, NULL, 0, 0},
	{{1, 2, 1, 4, 7}, 5, NULL, NULL, SA_MIB_NO_INSTANCE, 0, NULL, 0, 0},
	{{1, 3, 1, 2}, 4, "healthy", "greeting", 0, SA_T_STRING, "greeting", 0, 0},
	{{1, 3, 1, 3}, 4, "healthy", "greeting", 0, SA_T_STRING, "0.1", 0, 0},
	{{1, 3, 1, 7}, 4, "healthy", "greeting", 0, SA_T_INTEGER, NULL, 0, 100},
	{{1, 4, 1, 2}, 4, "busy", "server-busy", 0, SA_T_STRING, "server-busy", 0, 0},
	{{1, 4, 1, 3}, 4, "busy", "server-busy", 0, SA_T_COUNTER64, NULL, 2, 0},
	{{1, 4, 1, 4}, 4, "busy", "server-busy", 0, SA_T_UNSIGNED, NULL, 1700000130, 0},
	{{2, 1}, 2, NULL, NULL, SA_MIB_NO_OBJECT, 0, NULL, 0, 0},
};

START_TEST(test_get_table)
{
	const struct get_case *tc = &get_cases[_i];
	uint64_t name[SA_OID_MAX];
	size_t n = mkoid(name, tc->rel, tc->n);
	struct sa_var v;
	int rc;

	if (tc->check != NULL)
		name[n++] = by_name(tc->check)->index;
	if (tc->sub != NULL)
		name[n++] = sa_index_hash(tc->sub);
	rc = sa_mib_lookup(&store, name, n, 0, &v);
	ck_assert_msg(rc == tc->rc, "case %d: got rc %d, want %d", _i, rc, tc->rc);
	if (rc != 0)
		return;
	ck_assert_msg(v.len == n && memcmp(v.oid, name, n * sizeof(*name)) == 0,
		      "case %d: GET answered another OID", _i);
	ck_assert_msg(v.type == tc->type, "case %d: got type %d, want %d", _i, v.type, tc->type);
	if (tc->type == SA_T_STRING)
		ck_assert_msg(v.slen >= strlen(tc->want_s) &&
				      strncmp(v.s, tc->want_s, strlen(tc->want_s)) == 0,
			      "case %d: got '%.*s', want '%s'", _i, (int)v.slen, v.s, tc->want_s);
	else if (tc->type == SA_T_INTEGER)
		ck_assert_msg(v.i == tc->want_i, "case %d: got %lld, want %lld", _i, (long long)v.i,
			      (long long)tc->want_i);
	else
		ck_assert_msg(v.u == tc->want_u, "case %d: got %llu, want %llu", _i,
			      (unsigned long long)v.u, (unsigned long long)tc->want_u);
}
END_TEST

/* Compare two variables' OIDs: <0, 0, >0. */
static int oid_cmp(const struct sa_var *a, const struct sa_var *b)
{
	for (size_t i = 0; i < a->len && i < b->len; i++)
		if (a->oid[i] != b->oid[i])
			return a->oid[i] < b->oid[i] ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Walk the whole MIB from name; returns the count, checking strict order and GET agreement. */
static int walk_from(const uint64_t *start, size_t n)
{
	struct sa_var prev, v, g;
	int count = 0;

	memcpy(prev.oid, start, n * sizeof(*start));
	prev.len = n;
	while (sa_mib_lookup(&store, prev.oid, prev.len, 1, &v) == 0) {
		ck_assert_msg(oid_cmp(&v, &prev) > 0, "GETNEXT went backwards after %d", count);
		ck_assert_int_eq(sa_mib_lookup(&store, v.oid, v.len, 0, &g), 0);
		ck_assert_msg(g.type == v.type, "GET and GETNEXT disagree on the type at %d",
			      count);
		prev = v;
		ck_assert_msg(++count < 10000, "walk does not end");
	}
	return count;
}

START_TEST(test_walk_whole_mib)
{
	uint64_t name[SA_OID_MAX];
	/* 5 scalars, 13 check columns x 3 checks, 6 metric columns x (3 + 1), 3 cause columns x (1 + 1) */
	int want = 5 + 13 * 3 + 6 * 4 + 3 * 2;

	ck_assert_int_eq(walk_from(name, mkoid(name, NULL, 0)), want);
	/* from before the root and from 1.3 */
	name[0] = 1;
	name[1] = 3;
	ck_assert_int_eq(walk_from(name, 2), want);
	ck_assert_int_eq(walk_from(name, 0), want);
}
END_TEST

struct next_case {
	uint64_t rel[8];
	size_t n;
	uint64_t want[4]; /* relative, before the indexes */
	size_t wn;
	const char *check; /* index expected after want, or NULL */
};

static const struct next_case next_cases[] = {
	{{0}, 1, {1, 1, 1, 0}, 4, NULL},
	{{1, 1, 5, 0}, 4, {1, 2, 1, 2}, 4, "<first>"},
	{{1, 1, 5, 0, 9}, 5, {1, 2, 1, 2}, 4, "<first>"},
	{{1, 2, 1, 14, 0xffffffffffull}, 5, {1, 3, 1, 2}, 4, "<first-metric>"},
	{{1, 2}, 2, {1, 2, 1, 2}, 4, "<first>"},
	{{1, 2, 1, 1}, 4, {1, 2, 1, 2}, 4, "<first>"},
	{{1, 4, 1, 4, 0xffffffff}, 5, {0}, 0, NULL},
	{{1, 5}, 2, {0}, 0, NULL},
	{{2}, 1, {0}, 0, NULL},
};

START_TEST(test_next_table)
{
	const struct next_case *tc = &next_cases[_i];
	uint64_t name[SA_OID_MAX], want[SA_OID_MAX];
	size_t n = mkoid(name, tc->rel, tc->n), wn;
	struct sa_var v;
	int rc = sa_mib_lookup(&store, name, n, 1, &v);

	if (tc->wn == 0) {
		ck_assert_msg(rc == SA_MIB_NO_OBJECT, "case %d: got rc %d, want end of MIB", _i,
			      rc);
		return;
	}
	ck_assert_msg(rc == 0, "case %d: got rc %d, want a variable", _i, rc);
	wn = mkoid(want, tc->want, tc->wn);
	ck_assert_msg(v.len >= wn && memcmp(v.oid, want, wn * sizeof(*want)) == 0,
		      "case %d: GETNEXT landed elsewhere", _i);
	if (tc->check != NULL && strcmp(tc->check, "<first>") == 0)
		ck_assert_msg(v.oid[wn] == store.entry[0]->index,
			      "case %d: got index %llu, want %u", _i, (unsigned long long)v.oid[wn],
			      store.entry[0]->index);
}
END_TEST

/* GETNEXT of a name longer than any instance inside a table lands on the successor, inside the MIB. */
START_TEST(test_next_long_name)
{
	uint64_t name[128];
	const uint64_t rel[] = {1, 2, 1, 2};
	size_t n = mkoid(name, rel, 4);
	struct sa_var v, first;

	name[n++] = store.entry[0]->index; /* mailpathCheckName.<first check> */
	ck_assert_int_eq(sa_mib_lookup(&store, name, n, 0, &first), 0);
	ck_assert_int_eq(sa_mib_lookup(&store, name, n, 1, &first), 0);
	while (n < 128)
		name[n++] = 7;
	ck_assert_int_eq(sa_mib_lookup(&store, name, n, 0, &v), SA_MIB_NO_INSTANCE);
	ck_assert_int_eq(sa_mib_lookup(&store, name, n, 1, &v), 0);
	ck_assert_msg(v.len == first.len && memcmp(v.oid, first.oid, v.len * sizeof(v.oid[0])) == 0,
		      "GETNEXT of a 128-arc name: got another successor than of its first arcs");
	ck_assert_msg(memcmp(v.oid, sa_mib_root, sa_mib_root_len * sizeof(v.oid[0])) == 0,
		      "GETNEXT of a 128-arc name left the MIB");
}
END_TEST

START_TEST(test_next_skips_checks_without_rows)
{
	/* From the last metric of the first check with metrics, the next is the other check's. */
	uint64_t name[SA_OID_MAX];
	const uint64_t rel[] = {1, 3, 1, 2};
	size_t n = mkoid(name, rel, N(rel));
	struct sa_var v;
	int seen = 0;

	while (sa_mib_lookup(&store, name, n, 1, &v) == 0 && v.oid[sa_mib_root_len + 3] == 2) {
		ck_assert_msg(v.oid[n] != by_name("neverrun")->index,
			      "a check without metrics has rows");
		memcpy(name, v.oid, v.len * sizeof(*name));
		n = v.len;
		seen++;
	}
	ck_assert_int_eq(seen, 4);
}
END_TEST

START_TEST(test_hidden_metric)
{
	/* a label missing from the latest result disappears from the table */
	static const char *const l[] = {"total", NULL};
	static const double val[] = {0.5};
	struct sa_entry *e = by_name("healthy");
	uint64_t name[SA_OID_MAX];
	const uint64_t rel[] = {1, 3, 1, 2};
	size_t n = mkoid(name, rel, N(rel));
	struct sa_var v;

	fixture_record(e, STATE_OK, "ok", l, val, 1700000200);
	name[n++] = e->index;
	name[n++] = sa_index_hash("greeting");
	ck_assert_int_eq(sa_mib_lookup(&store, name, n, 0, &v), SA_MIB_NO_INSTANCE);
	name[n - 1] = sa_index_hash("total");
	ck_assert_int_eq(sa_mib_lookup(&store, name, n, 0, &v), 0);
}
END_TEST

START_TEST(test_unknown_metric)
{
	/* a value that was never measured (an MX not probed) is "U", its milli value 0 */
	struct sa_entry *e = by_name("healthy");
	const struct sa_metric *m = NULL;
	struct out o;

	out_init(&o, "check_mail_mx", "MX");
	ck_assert_int_eq(out_perf_unknown(&o, "gone.example_time", "s", NULL), 0);
	sa_store_record(e, &o, 42, 1700000250);
	out_reset(&o);
	for (size_t i = 0; i < e->nmetric; i++)
		if (strcmp(e->metric[i].label, "gone.example_time") == 0)
			m = &e->metric[i];
	ck_assert_msg(m != NULL && m->present, "no metric gone.example_time");
	ck_assert_msg(strcmp(m->value, "U") == 0 && m->milli == 0,
		      "got value \"%s\" milli %d, want U, 0", m->value, (int)m->milli);
}
END_TEST

START_TEST(test_record_changes)
{
	static const char *const l[] = {NULL};
	struct sa_entry *e = by_name("healthy");

	ck_assert_int_eq(fixture_record(e, STATE_OK, "ok", l, NULL, 1700000300), 0);
	ck_assert_int_eq(fixture_record(e, STATE_WARNING, "slow", l, NULL, 1700000400), 1);
	ck_assert_int_eq(e->prev_state, STATE_OK);
	ck_assert_int_eq(e->changes, 1);
	ck_assert_int_eq(e->last_change, 1700000400);
	ck_assert_int_eq(e->failures, 1);
	/* a first result that is not OK is worth a notification, a first OK is not */
	ck_assert_int_eq(fixture_record(by_name("neverrun"), STATE_OK, NULL, l, NULL, 1), 0);
	ck_assert_str_eq(by_name("neverrun")->cause, "");
}
END_TEST

START_TEST(test_reload_keeps_indexes_and_counters)
{
	uint32_t healthy = by_name("healthy")->index, busy = by_name("busy")->index;

	ck_assert_uint_eq(healthy, sa_index_hash("healthy"));
	/* busy changes its interval: same index (from the name), counters reset */
	fixture_apply("check zzz 60 check_mail_smtp -H z\n"
		      "check healthy 60 check_mail_smtp -H 127.0.0.1\n"
		      "check busy 31 check_mail_smtp -H 127.0.0.1 -p 2502 -e 'a b'\n");
	ck_assert_uint_eq(store.n, 3);
	ck_assert_uint_eq(by_name("healthy")->index, healthy);
	ck_assert_uint_eq(by_name("healthy")->runs, 1);
	ck_assert_uint_eq(by_name("busy")->index, busy);
	ck_assert_uint_eq(by_name("busy")->runs, 0);
	for (size_t i = 1; i < store.n; i++)
		ck_assert_msg(store.entry[i - 1]->index < store.entry[i]->index,
			      "entries not sorted");
}
END_TEST

/* Two names of one FNV-1a index: the configuration is refused, naming both (else a restart would swap them). */
START_TEST(test_index_clash_refused)
{
	struct sa_conf c;
	char err[256] = "";
	static const char text[] = "check chk800079 60 x\ncheck other 60 x\ncheck chk536348 60 x\n";

	ck_assert_uint_eq(sa_index_hash("chk800079"), sa_index_hash("chk536348"));
	ck_assert_int_eq(sa_conf_parse(&c, text, sizeof(text) - 1, err, sizeof(err)), 0);
	ck_assert_int_eq(sa_store_index_clash(&c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "line 3") && strstr(err, "chk536348") && strstr(err, "chk800079"),
		      "got '%s'", err);
	sa_conf_reset(&c);
	ck_assert_int_eq(sa_conf_parse(&c, text, (size_t)(strstr(text, "check chk536") - text), err,
				       sizeof(err)),
			 0); /* the first two lines */
	ck_assert_int_eq(sa_store_index_clash(&c, err, sizeof(err)), 0);
	sa_conf_reset(&c);
}
END_TEST

START_TEST(test_index_unique)
{
	/* many names: all indexes distinct and in range (probing on collisions) */
	static char text[200000];
	size_t n = 0;

	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "check c%d 60 x\n", i);
	fixture_apply(text);
	ck_assert_uint_eq(store.n, 3000);
	for (size_t i = 0; i < store.n; i++) {
		ck_assert_msg(store.entry[i]->index >= 1 && store.entry[i]->index <= SA_INDEX_MAX,
			      "index out of range");
		if (i > 0)
			ck_assert_msg(store.entry[i - 1]->index < store.entry[i]->index,
				      "duplicate or unsorted index");
	}
}
END_TEST

Suite *sa_mib_suite(void)
{
	Suite *s = suite_create("sa_mib");
	TCase *tc = tcase_create("lookup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_get_table, 0, N(get_cases));
	tcase_add_test(tc, test_walk_whole_mib);
	tcase_add_loop_test(tc, test_next_table, 0, N(next_cases));
	tcase_add_test(tc, test_next_skips_checks_without_rows);
	tcase_add_test(tc, test_next_long_name);
	tcase_add_test(tc, test_index_clash_refused);
	tcase_add_test(tc, test_hidden_metric);
	tcase_add_test(tc, test_unknown_metric);
	tcase_add_test(tc, test_record_changes);
	tcase_add_test(tc, test_reload_keeps_indexes_and_counters);
	tcase_add_test(tc, test_index_unique);
	suite_add_tcase(s, tc);
	return s;
}
