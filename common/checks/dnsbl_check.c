/*
 * check_mail_dnsbl - is this address or domain on a blocklist? Asks every
 * list at once (common/dns/dnsbl_run), decodes each answer by the list's
 * return codes (common/dns/dnsbl), optionally checks each list's RFC 5782
 * test points, and judges the number of lists that list the target.
 *
 * This file holds the options, the verdict policy and the report. Text
 * from DNS (TXT reasons) and the command line goes into the tree as
 * untrusted pieces or raw fact strings; the renderers make it safe.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include "base/md5.h"
#include "checks/checks.h"
#include "dns/dnsbl_run.h"
#include "verdict/classify.h"

#define DNSBL_LABEL_NAME 42 /* bytes of a label before "_time" (OUT_LABEL_MAX - 1 - 5) */

struct dnsbl_check {
	const char *host, *domain;
	const char *lists[DNSBL_LISTS_MAX];
	int nlists;
	int health;
	int thresholds_given;
	struct thresholds th;
	struct dnsbl_set *set; /* calloc in validate, free in cleanup */
	struct dnsbl_run *run;
	check_done_cb *done;
	void *done_arg;
};

enum { OPT_LIST = 0x2000, OPT_HEALTH };

static const struct check_opt dnsbl_opts[] = {
	{"hostname", required_argument, 'H', "ADDRESS",
	 "IPv4 or IPv6 address to look up in the address lists (DNSBL)"},
	{"domain", required_argument, 'd', "DOMAIN",
	 "Domain to look up in the domain lists (RHSBL) instead of -H"},
	{"list", required_argument, OPT_LIST, "ZONE[=TABLE]",
	 "Ask this list (repeatable, at most 32); replaces the default lists. TABLE names\n"
	 "the return codes to decode its answers by: spamhaus-zen, spamcop, psbl or\n"
	 "generic for address lists; spamhaus-dbl or generic-domain for domain lists\n"
	 "(default: the list's own table when it is a known zone, else generic)"},
	{"health", no_argument, OPT_HEALTH, NULL,
	 "Also check every list's RFC 5782 test points (127.0.0.2 listed, 127.0.0.1 not;\n"
	 "::FFFF:7F00:2 / ::FFFF:7F00:1; TEST / INVALID): a dead list or one that lists\n"
	 "everything is reported (UNKNOWN) instead of trusted"},
	{"warning", required_argument, 'w', "RANGE",
	 "Number of lists listing the target giving WARNING (e.g. 0: any listing)"},
	{"critical", required_argument, 'c', "RANGE",
	 "Number of lists listing the target giving CRITICAL (default 0, any listing,\n"
	 "when neither -w nor -c is given)"},
	CHECK_OPT_END,
};

static const char dnsbl_notes[] =
	"Every list is asked at once; -t bounds the whole check, and a list that does not\n"
	"answer in time is reported (dns-timeout) without holding the others back.\n"
	"\n"
	"Default lists: zen.spamhaus.org, bl.spamcop.net and psbl.surriel.com for -H;\n"
	"dbl.spamhaus.org for --domain. Spamhaus refuses queries from public resolvers\n"
	"(answer 127.255.255.254): use your own resolver (--resolver).\n"
	"\n"
	"An answer is decoded, not counted: 127.255.255.x (refused, public resolver, rate\n"
	"limit) is the list's error (dnsbl-refused), an answer outside 127.0.0.0/8 or\n"
	"127.0.0.1 is a rewritten NXDOMAIN (dnsbl-bad-answer); neither is a listing. A\n"
	"list that fails gives UNKNOWN unless listings give WARNING or CRITICAL.\n"
	"\n"
	"RANGE follows the Nagios plugin guidelines and counts the lists that list the\n"
	"target: 0 (any listing), 1 (more than one), @2: (two or more).\n"
	"\n"
	"Perfdata: listed (with -w/-c), and per list ZONE_time (U when it did not answer).\n";

static const char dnsbl_examples[] =
	" check_mail_dnsbl -H 192.0.2.25\n"
	"    CRITICAL when any default list lists the address\n"
	" check_mail_dnsbl -H 192.0.2.25 --list zen.spamhaus.org --list bl.spamcop.net -w 0 -c 1\n"
	"    WARNING when one list lists it, CRITICAL when both do\n"
	" check_mail_dnsbl -d example.net --health --output json\n";

static int dnsbl_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct dnsbl_check *d = ctx;

	switch (opt) {
	case 'H': d->host = arg; return 0;
	case 'd': d->domain = arg; return 0;
	case OPT_LIST:
		if (d->nlists == DNSBL_LISTS_MAX) {
			snprintf(err, errlen, "at most %d --list", DNSBL_LISTS_MAX);
			return -1;
		}
		d->lists[d->nlists++] = arg;
		return 0;
	case OPT_HEALTH: d->health = 1; return 0;
	case 'w':
	case 'c':
		d->thresholds_given = 1;
		if (range_parse(arg, opt == 'w' ? &d->th.warn : &d->th.crit) == 0)
			return 0;
		snprintf(err, errlen, "invalid -%c range '%s'", opt, arg);
		return -1;
	default: break;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

/* The lists of the run: --list, else the defaults; every query name must fit. */
static int dnsbl_validate_lists(struct dnsbl_check *d, char *err, size_t errlen)
{
	struct dnsbl_set *s = d->set;
	const char *const *def = dnsbl_defaults(s->target.kind);
	char name[DNS_NAME_MAX];
	int n = d->nlists;

	if (n == 0)
		for (; n < DNSBL_LISTS_MAX && def[n] != NULL; n++)
			d->lists[n] = def[n];
	for (int i = 0; i < n; i++) {
		struct dnsbl_list *l = &s->item[i].list;

		if (dnsbl_list_parse(d->lists[i], s->target.kind, l, err, errlen) != 0)
			return -1;
		for (int j = 0; j < i; j++)
			if (strcasecmp(s->item[j].list.zone, l->zone) == 0) {
				snprintf(err, errlen, "--list %s given twice", l->zone);
				return -1;
			}
		if (dnsbl_query_name(&s->target, l->zone, name, sizeof(name)) != 0) {
			snprintf(err, errlen, "the query name in %s is longer than a DNS name",
				 l->zone);
			return -1;
		}
		s->n = i + 1;
	}
	return 0;
}

static int dnsbl_validate(void *ctx, const struct check_common *cm, char *err, size_t errlen)
{
	struct dnsbl_check *d = ctx;
	enum dnsbl_kind kind = d->domain != NULL ? DNSBL_DOMAIN : DNSBL_IP;

	(void)cm;
	if ((d->host == NULL) == (d->domain == NULL)) {
		snprintf(err, errlen, "%s",
			 d->host == NULL ? "-H ADDRESS or -d DOMAIN is required"
					 : "-H and -d exclude each other");
		return -1;
	}
	if ((d->set = calloc(1, sizeof(*d->set))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (dnsbl_target_parse(kind == DNSBL_IP ? d->host : d->domain, kind, &d->set->target, err,
			       errlen) != 0)
		return -1;
	d->set->health = d->health;
	if (!d->thresholds_given)
		(void)range_parse("0", &d->th.crit); /* any listing: CRITICAL */
	return dnsbl_validate_lists(d, err, errlen);
}

static void dnsbl_on_done(void *arg)
{
	struct dnsbl_check *d = arg;

	d->done(d->done_arg);
}

static int dnsbl_start(void *ctx, const struct check_env *env, check_done_cb *done, void *arg,
		       char *err, size_t errlen)
{
	struct dnsbl_check *d = ctx;

	d->done = done;
	d->done_arg = arg;
	d->run = dnsbl_run_start(env->loop, env->dns, d->set, env->deadline_us, dnsbl_on_done, d);
	if (d->run == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * The perfdata label of zone before "_time" into dst (DNSBL_LABEL_NAME + 1
 * bytes): the zone in lower case when it fits, else its first bytes, '~'
 * and 8 hex digits of the MD5 of the whole zone (zones are host names, so
 * no character needs replacing).
 */
static void dnsbl_label(const char *zone, char *dst)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char dig[MD5_DIGEST_LEN];
	char lower[DNSBL_ZONE_MAX + 1];
	struct md5_ctx m;
	size_t n = strnlen(zone, DNSBL_ZONE_MAX), keep = DNSBL_LABEL_NAME - 9;

	for (size_t i = 0; i < n; i++)
		lower[i] = (char)tolower((unsigned char)zone[i]);
	lower[n] = '\0';
	if (n <= DNSBL_LABEL_NAME) {
		memcpy(dst, lower, n + 1);
		return;
	}
	md5_init(&m);
	md5_update(&m, lower, n);
	md5_final(&m, dig);
	memcpy(dst, lower, keep);
	dst[keep] = '~';
	for (size_t i = 0; i < 4; i++) {
		dst[keep + 1 + 2 * i] = hex[dig[i] >> 4];
		dst[keep + 2 + 2 * i] = hex[dig[i] & 15];
	}
	dst[keep + 9] = '\0';
}

/* The codes of a listing, as text at where: "127.0.0.2 SBL (...), 127.0.0.4 XBL (...)". */
static void dnsbl_report_codes(const struct dnsbl_answer *a, struct out *o, enum out_where where)
{
	char s[16];

	for (int k = 0; k < a->ncodes; k++)
		out_add(o, where, "%s%s%s%s", k ? ", " : "",
			dnsbl_code_str(a->codes[k].addr, s, sizeof(s)), a->codes[k].name ? " " : "",
			a->codes[k].name ? a->codes[k].name : "");
}

/* The facts of one list (JSON lists[]). */
static void dnsbl_report_facts(const struct dnsbl_item *it, int health, struct out *ln)
{
	const struct dnsbl_answer *a = &it->ans;
	struct out_fact *f = &ln->facts, *codes, *c;
	char s[16];

	out_fact_str(f, "zone", it->list.zone);
	out_fact_str(f, "table", it->list.table->name);
	if (a->fail.cls != FAIL_NONE)
		out_fact_null(f, "listed");
	else
		out_fact_bool(f, "listed", a->listed);
	codes = out_fact_arr(f, "codes");
	for (int k = 0; k < a->ncodes; k++) {
		c = out_fact_obj(codes, NULL);
		out_fact_str(c, "code", dnsbl_code_str(a->codes[k].addr, s, sizeof(s)));
		out_fact_str(c, "meaning", a->codes[k].name);
	}
	if (it->reason_len > 0)
		out_fact_strn(f, "reason", it->reason, it->reason_len);
	else
		out_fact_null(f, "reason");
	out_fact_str(f, "error", a->fail.cls != FAIL_NONE ? a->fail.detail : NULL);
	out_fact_str(f, "health", health ? dnsbl_health_name(it->health) : NULL);
	if (it->seconds >= 0)
		out_fact_num(f, "seconds", it->seconds, 6);
	else
		out_fact_null(f, "seconds");
}

/* One list as a sub-result: its cause, long-output line, facts and time. */
static void dnsbl_report_item(const struct dnsbl_item *it, int health, struct out *o)
{
	struct out *ln = out_child(o, "lists", 1);
	const struct dnsbl_answer *a = &it->ans;
	struct fail listed;
	char base[DNSBL_LABEL_NAME + 1], label[OUT_LABEL_MAX];

	if (ln == NULL)
		return;
	fail_reset(&listed);
	if (a->listed)
		fail_set(&listed, FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_LISTED, "listed");
	out_cause(ln, classify(a->listed ? &listed : &a->fail), 1);
	out_add(ln, OUT_TO_LONG, "%s: ", it->list.zone);
	if (a->fail.cls != FAIL_NONE) {
		out_add(ln, OUT_TO_LONG, "FAILED %s: ", ln->cause->name);
		out_add_untrusted(ln, OUT_TO_LONG, a->fail.detail, strlen(a->fail.detail),
				  FAIL_DETAIL_MAX - 1);
	} else if (a->listed) {
		out_add(ln, OUT_TO_LONG, "LISTED ");
		dnsbl_report_codes(a, ln, OUT_TO_LONG);
	} else {
		out_add(ln, OUT_TO_LONG, "not listed");
	}
	if (it->seconds >= 0)
		out_add(ln, OUT_TO_LONG, " in %.3fs", it->seconds);
	if (health)
		out_add(ln, OUT_TO_LONG, " (health %s)", dnsbl_health_name(it->health));
	if (it->reason_len > 0) {
		out_add(ln, OUT_TO_LONG, "; reason: ");
		out_add_untrusted(ln, OUT_TO_LONG, it->reason, it->reason_len, 200);
	}
	out_eol(ln);
	dnsbl_report_facts(it, health, ln);
	dnsbl_label(it->list.zone, base);
	(void)snprintf(label, sizeof(label), "%s_time", base);
	if (it->seconds >= 0)
		out_perf(ln, label, it->seconds, "s", NULL);
	else
		out_perf_unknown(ln, label, "s", NULL);
}

/* The status line's subject: the address or domain asked about. */
static void dnsbl_report_target(const struct dnsbl_set *s, struct out *o)
{
	char a[64];

	if (s->target.kind == DNSBL_DOMAIN)
		out_add_untrusted(o, OUT_TO_SUMMARY, s->target.domain, strlen(s->target.domain),
				  DNSBL_ZONE_MAX);
	else
		out_summary(o, "%s", net_addr_str(&s->target.addr, a, sizeof(a)));
}

/* The status line: how many lists list the target, which ones with their codes, failures. */
static void dnsbl_report_summary(const struct dnsbl_set *s, const struct dnsbl_verdict *v,
				 struct out *o)
{
	int shown = 0;

	dnsbl_report_target(s, o);
	if (v->listed == 0 && v->failed == s->n)
		out_summary(o, " not checked: none of %d list%s answered", s->n,
			    s->n > 1 ? "s" : "");
	else if (v->listed == 0)
		out_summary(o, " not listed by %d of %d lists", s->n - v->failed, s->n);
	else
		out_summary(o, " listed by %d of %d lists:", v->listed, s->n);
	for (int i = 0; i < s->n; i++) {
		const struct dnsbl_answer *a = &s->item[i].ans;

		if (a->fail.cls != FAIL_NONE || !a->listed)
			continue;
		out_summary(o, "%s %s (", shown++ ? "," : "", s->item[i].list.zone);
		dnsbl_report_codes(a, o, OUT_TO_SUMMARY);
		out_summary(o, ")");
	}
	if (v->failed > 0) {
		const struct dnsbl_item *it = &s->item[v->first_failed];

		out_summary(o, "; %d list%s failed, %s: ", v->failed, v->failed > 1 ? "s" : "",
			    it->list.zone);
		out_summary_untrusted(o, it->ans.fail.detail, strlen(it->ans.fail.detail),
				      FAIL_DETAIL_MAX - 1);
	}
	out_summary(o, " (cause: %s)", o->cause->name);
}

/*
 * The verdict: -w/-c on the number of listing lists; a failed list makes it
 * at least UNKNOWN; when lists ran out of time and nothing is listed, the
 * -t N:STATE state applies. The cause: dnsbl-listed when any list lists
 * the target, else that of the first list out of time, else of the first
 * failed one, else ok.
 */
static void dnsbl_report_cb(void *ctx, const struct check_common *cm, struct out *o)
{
	struct dnsbl_check *d = ctx;
	const struct dnsbl_set *s = d->set;
	struct dnsbl_verdict v;
	struct fail f;

	(void)cm;
	dnsbl_verdict(s, &v);
	fail_reset(&f);
	out_state(o, thresholds_eval(&d->th, v.listed));
	if (v.failed > 0)
		out_state(o, STATE_UNKNOWN);
	if (v.listed > 0) {
		fail_set(&f, FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_LISTED, "listed");
	} else if (v.timed_out > 0) {
		o->timed_out = 1;
		for (int i = 0; i < s->n && f.cls == FAIL_NONE; i++)
			if (s->item[i].ans.fail.cls == FAIL_TIMEOUT)
				f = s->item[i].ans.fail;
	} else if (v.failed > 0) {
		f = s->item[v.first_failed].ans.fail;
	}
	out_cause(o, classify(&f), 1);
	dnsbl_report_summary(s, &v, o);
	out_perf(o, "listed", v.listed, "", &d->th);
	out_perf_minmax(o, 1, 0, 1, s->n);
	out_fact_str(&o->facts, "kind", s->target.kind == DNSBL_IP ? "ip" : "domain");
	if (s->target.kind == DNSBL_IP) {
		char a[64];

		out_fact_str(&o->facts, "target", net_addr_str(&s->target.addr, a, sizeof(a)));
	} else {
		out_fact_str(&o->facts, "target", s->target.domain);
	}
	out_fact_str(&o->facts, "failed_phase", f.cls != FAIL_NONE ? phase_name(f.phase) : NULL);
	out_fact_int(&o->facts, "lists_total", s->n);
	out_fact_int(&o->facts, "listed", v.listed);
	out_fact_int(&o->facts, "failed", v.failed);
	out_fact_bool(&o->facts, "health", s->health);
	out_fact_arr(&o->facts, "lists"); /* filled by the children */
	for (int i = 0; i < s->n; i++)
		dnsbl_report_item(&s->item[i], s->health, o);
}

static void dnsbl_cleanup(void *ctx)
{
	struct dnsbl_check *d = ctx;

	dnsbl_run_free(d->run);
	free(d->set); /* a detached run never touches it again */
}

static const char *const dnsbl_json_keys[] = {"kind",        "target", "failed_phase",
					      "lists_total", "listed", "failed",
					      "health",      "lists",  NULL};

const struct check check_mail_dnsbl = {
	.name = "check_mail_dnsbl",
	.service = "DNSBL",
	.description =
		"Is this address or domain on a blocklist? Asks every DNS blocklist at once\n"
		"(RFC 5782), decodes each list's return codes and TXT reason, tells a refused\n"
		"query or a rewritten NXDOMAIN from a listing, and with --health checks each\n"
		"list's test points so that a dead list is reported rather than trusted.\n",
	.synopsis = "-H ADDRESS | -d DOMAIN [--list ZONE[=TABLE]]... [--health]\n"
		    "       [-w RANGE] [-c RANGE] [--resolver ADDR[:PORT]] [-t SECS[:STATE]]\n"
		    "       [--output json] [-v]",
	.opts = dnsbl_opts,
	.notes = dnsbl_notes,
	.examples = dnsbl_examples,
	.ctx_size = sizeof(struct dnsbl_check),
	.option = dnsbl_option,
	.validate = dnsbl_validate,
	.start = dnsbl_start,
	.json_keys = dnsbl_json_keys,
	.report = dnsbl_report_cb,
	.cleanup = dnsbl_cleanup,
};
