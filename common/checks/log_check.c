/*
 * check_mail_log - what did the MTA see since the last run? Reads the
 * Postfix or Exim log from where the last run stopped (mta_logfile), a
 * slice per turn of the event loop, and counts deliveries, deferrals by
 * cause and rejections per destination (mta_log). This file holds the
 * options, the thresholds, the sending-rate test and the report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "checks/mta_check.h"
#include "checks/checks.h"
#include "mta/mta_log.h"
#include "mta/mta_logfile.h"
#include "verdict/classify.h"

#define LOG_DEST_SHOWN 20               /* destinations in long output and JSON */
#define LOG_SLICE ((size_t)1024 * 1024) /* bytes read per turn of the loop */
#define LOG_RATE_WARN_PCT 80            /* --rate-limit: WARNING from this share of the limit */

struct log_check {
	const char *logfile;    /* --logfile */
	const char *state_file; /* --state-file */
	const char *domain;     /* --domain */
	int mta;                /* enum mta_log_mta */
	int discover;
	struct thresholds deferred, bounced, rejected;
	struct cause_limits limits;
	double rate_max;  /* --rate-limit N/PERIOD: N, 0 when not given */
	long rate_period; /* PERIOD in seconds */
	struct mta_log log;
	int log_ready;
	struct mta_logscan scan;
	int scan_open;
	struct mta_logpos prev;
	int have_prev;
	char state_note[300]; /* why a state file was not used */
	int failed, timed_out, finished;
	char err[CHECK_ERR_MAX];
	int64_t deadline_us;
	check_done_cb *done;
	void *done_arg;
	struct ev_timer turn;
	struct ev_loop *loop;
};

enum {
	OPT_MTA = 0x3100,
	OPT_STATE,
	OPT_DEFERRED_W,
	OPT_DEFERRED_C,
	OPT_BOUNCED_W,
	OPT_BOUNCED_C,
	OPT_REJECTED_W,
	OPT_REJECTED_C,
	OPT_CAUSE_W,
	OPT_CAUSE_C,
	OPT_RATE,
	OPT_DISCOVER,
};

static const struct check_opt log_opts[] = {
	{"logfile", required_argument, 'L', "FILE",
	 "The MTA's log (default /var/log/mail.log; with --mta exim /var/log/exim4/mainlog)"},
	{"mta", required_argument, OPT_MTA, "auto|postfix|exim",
	 "Which MTA's lines to read (default auto: each line's own format)"},
	{"state-file", required_argument, OPT_STATE, "FILE",
	 "Remember where this run stopped; the next run reads only what is new, across\n"
	 "rotation and truncation (without it the whole log is read every time)"},
	{"deferred-warning", required_argument, OPT_DEFERRED_W, "RANGE",
	 "Deferred delivery attempts (with --domain: to that domain) giving WARNING"},
	{"deferred-critical", required_argument, OPT_DEFERRED_C, "RANGE",
	 "Deferred delivery attempts giving CRITICAL"},
	{"bounced-warning", required_argument, OPT_BOUNCED_W, "RANGE",
	 "Bounced recipients giving WARNING"},
	{"bounced-critical", required_argument, OPT_BOUNCED_C, "RANGE",
	 "Bounced recipients giving CRITICAL"},
	{"rejected-warning", required_argument, OPT_REJECTED_W, "RANGE",
	 "Commands our server rejected (Postfix reject:, Exim rejected) giving WARNING"},
	{"rejected-critical", required_argument, OPT_REJECTED_C, "RANGE",
	 "Commands our server rejected giving CRITICAL"},
	{"cause-warning", required_argument, OPT_CAUSE_W, "CAUSE=RANGE",
	 "Deferrals whose reason has this cause giving WARNING (e.g. rate-limited=0);\n"
	 "up to 8"},
	{"cause-critical", required_argument, OPT_CAUSE_C, "CAUSE=RANGE",
	 "Deferrals whose reason has this cause giving CRITICAL; up to 8"},
	{"domain", required_argument, 'd', "DOMAIN",
	 "Judge one destination domain only (counts, causes and rate)"},
	{"rate-limit", required_argument, OPT_RATE, "N/PERIOD",
	 "A provider's sending limit (e.g. 500/1h; PERIOD in s, m, h or d): WARNING\n"
	 "when a destination's delivered rate reaches 80% of it, CRITICAL above it"},
	{"discover", no_argument, OPT_DISCOVER, NULL,
	 "Print Zabbix low-level discovery JSON ({#DOMAIN}) of the destinations seen\n"
	 "(never writes the state file)"},
	CHECK_OPT_END,
};

static const char log_notes[] =
	"RANGE follows the Nagios plugin guidelines: 10 (more than 10), @0:10 (at most 10).\n"
	"Counts are delivery attempts as logged: a message deferred three times is three\n"
	"deferrals (deferred_messages counts the distinct queue ids). The rate is the\n"
	"delivered count over the time the lines read span, at least one PERIOD.\n"
	"Deferral reasons are named with the causes of check_mail_smtp (README, Causes).\n";

static const char log_examples[] =
	" check_mail_log --state-file /var/lib/mailpath/log.state --deferred-warning 20\n"
	" check_mail_log --state-file S --cause-critical rate-limited=0 --rate-limit 500/1h\n"
	" check_mail_log -L /var/log/exim4/mainlog --mta exim -d example.net --output json\n";

/* The keys log_report adds to the root's facts (null when the log could not be read). */
static const char *const log_json_keys[] = {"totals",
					    "destinations",
					    "destinations_total",
					    "destinations_dropped",
					    "causes",
					    "host_errors",
					    "lines",
					    "bytes",
					    "window_seconds",
					    "rate_per_period",
					    "start",
					    NULL};

/* "500/1h" into rate_max and rate_period; 0, or -1 with a message. */
static int log_rate(struct log_check *lc, const char *arg, char *err, size_t errlen)
{
	char *end;
	double n;
	long p = 1, unit = 1;

	errno = 0;
	n = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '/' || !(n > 0) || n > 1e9)
		goto bad;
	arg = end + 1;
	if (*arg >= '0' && *arg <= '9') {
		p = strtol(arg, &end, 10);
		if (errno != 0 || p <= 0 || p > 366L * 86400)
			goto bad;
		arg = end;
	}
	switch (*arg) {
	case '\0':
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: goto bad;
	}
	if (*arg != '\0' && arg[1] != '\0')
		goto bad;
	if (p > 366L * 86400 / unit)
		goto bad;
	lc->rate_max = n;
	lc->rate_period = p * unit;
	return 0;
bad:
	snprintf(err, errlen, "invalid --rate-limit: want N/PERIOD, e.g. 500/1h");
	return -1;
}

static int log_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct log_check *lc = ctx;

	switch (opt) {
	case OPT_DEFERRED_W:
		return mta_check_range(&lc->deferred.warn, "--deferred-warning", arg, err, errlen);
	case OPT_DEFERRED_C:
		return mta_check_range(&lc->deferred.crit, "--deferred-critical", arg, err, errlen);
	case OPT_BOUNCED_W:
		return mta_check_range(&lc->bounced.warn, "--bounced-warning", arg, err, errlen);
	case OPT_BOUNCED_C:
		return mta_check_range(&lc->bounced.crit, "--bounced-critical", arg, err, errlen);
	case OPT_REJECTED_W:
		return mta_check_range(&lc->rejected.warn, "--rejected-warning", arg, err, errlen);
	case OPT_REJECTED_C:
		return mta_check_range(&lc->rejected.crit, "--rejected-critical", arg, err, errlen);
	case OPT_CAUSE_W: return cause_limit_parse(&lc->limits, arg, 0, err, errlen);
	case OPT_CAUSE_C: return cause_limit_parse(&lc->limits, arg, 1, err, errlen);
	case OPT_RATE: return log_rate(lc, arg, err, errlen);
	case OPT_DISCOVER: lc->discover = 1; return 0;
	case 'L': lc->logfile = arg; return 0;
	case OPT_STATE: lc->state_file = arg; return 0;
	case 'd': lc->domain = arg; return 0;
	case OPT_MTA:
		if (strcmp(arg, "auto") == 0)
			lc->mta = MTA_LOG_AUTO;
		else if (strcmp(arg, "postfix") == 0)
			lc->mta = MTA_LOG_POSTFIX;
		else if (strcmp(arg, "exim") == 0)
			lc->mta = MTA_LOG_EXIM;
		else {
			snprintf(err, errlen, "invalid --mta '%s': want auto, postfix or exim",
				 arg);
			return -1;
		}
		return 0;
	default: break;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

/* 1 when a file name is usable: not empty, no control bytes (the state file is line-based). */
static int log_name_ok(const char *s)
{
	if (s[0] == '\0' || strlen(s) >= 4000)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int log_validate(void *ctx, const struct check_common *cm, char *err, size_t errlen)
{
	struct log_check *lc = ctx;

	(void)cm;
	if (mta_check_domain(lc->domain, err, errlen) != 0)
		return -1;
	if (lc->logfile == NULL)
		lc->logfile =
			lc->mta == MTA_LOG_EXIM ? "/var/log/exim4/mainlog" : "/var/log/mail.log";
	if (!log_name_ok(lc->logfile)) {
		snprintf(err, errlen, "invalid --logfile: empty, too long or with control bytes");
		return -1;
	}
	if (lc->state_file != NULL && !log_name_ok(lc->state_file)) {
		snprintf(err, errlen,
			 "invalid --state-file: empty, too long or with control bytes");
		return -1;
	}
	if (lc->state_file != NULL && strcmp(lc->state_file, lc->logfile) == 0) {
		snprintf(err, errlen, "--state-file must not be the log itself");
		return -1;
	}
	return 0;
}

static void log_on_line(void *arg, const char *line, size_t len)
{
	struct log_check *lc = arg;

	mta_log_line(&lc->log, line, len);
}

/* The log is read (or failed, or time is up): save the position, report. */
static void log_finish(struct log_check *lc)
{
	char err[CHECK_ERR_MAX];

	lc->finished = 1;
	if (!lc->failed && lc->state_file != NULL && !lc->discover &&
	    mta_logpos_save(lc->state_file, lc->logfile, &lc->scan.pos, err, sizeof(err)) != 0) {
		lc->failed = 1;
		snprintf(lc->err, sizeof(lc->err), "%s", err);
	}
	lc->done(lc->done_arg);
}

/* One slice of the log per turn of the loop, so that other checks and SNMP go on. */
/* Its type is ev_timer_cb: t cannot become const. */
/* cppcheck-suppress constParameterCallback */
static void log_on_turn(struct ev_timer *t, void *arg)
{
	struct log_check *lc = arg;
	int rc;

	(void)t;
	if (lc->failed) {
		log_finish(lc);
		return;
	}
	rc = mta_logscan_step(&lc->scan, LOG_SLICE, log_on_line, lc, lc->err, sizeof(lc->err));
	if (rc < 0)
		lc->failed = 1;
	if (rc == 0 && ev_now_us() >= lc->deadline_us)
		lc->timed_out = 1; /* the position reached is saved: the next run goes on */
	if (rc != 0 || lc->timed_out) {
		log_finish(lc);
		return;
	}
	ev_timer_start(lc->loop, &lc->turn, ev_now_us(), log_on_turn, lc);
}

static int log_start(void *ctx, const struct check_env *env, check_done_cb *done, void *arg,
		     char *err, size_t errlen)
{
	struct log_check *lc = ctx;

	lc->done = done;
	lc->done_arg = arg;
	lc->loop = env->loop;
	lc->deadline_us = env->deadline_us;
	ev_timer_init(&lc->turn);
	if (mta_log_init(&lc->log, lc->mta, (long long)time(NULL)) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lc->log_ready = 1;
	if (lc->state_file != NULL) {
		lc->have_prev = mta_logpos_load(lc->state_file, lc->logfile, &lc->prev,
						lc->state_note, sizeof(lc->state_note)) == 1;
	}
	if (mta_logscan_open(&lc->scan, lc->logfile, lc->have_prev ? &lc->prev : NULL, lc->err,
			     sizeof(lc->err)) != 0)
		lc->failed = 1;
	else
		lc->scan_open = 1;
	ev_timer_start(env->loop, &lc->turn, ev_now_us(), log_on_turn, lc);
	return 0;
}

/* The deferrals with cause c (to --domain only, when given). */
static unsigned long log_cause_count(const struct log_check *lc, const struct cause *c)
{
	size_t ci = mta_cause_index(c);
	const struct mta_log_dest *d;

	if (ci >= lc->log.ncause)
		return 0;
	if (lc->domain == NULL)
		return lc->log.cause_count[ci];
	d = mta_log_dest(&lc->log, lc->domain);
	return d != NULL && d->cause_count != NULL ? d->cause_count[ci] : 0;
}

/* The seconds the lines read span, at least one rate period. */
static double log_window(const struct log_check *lc)
{
	double span = (double)(lc->log.last_time - lc->log.first_time);

	return span > (double)lc->rate_period ? span : (double)lc->rate_period;
}

/* A destination's delivered count per rate period. */
static double log_rate_of(const struct log_check *lc, const struct mta_log_dest *d)
{
	return (double)d->sent * (double)lc->rate_period / log_window(lc);
}

/* The state of a rate against --rate-limit. */
static enum state log_rate_state(const struct log_check *lc, double rate)
{
	if (lc->rate_max <= 0)
		return STATE_OK;
	if (rate > lc->rate_max)
		return STATE_CRITICAL;
	return rate >= lc->rate_max * LOG_RATE_WARN_PCT / 100.0 ? STATE_WARNING : STATE_OK;
}

/* Destinations: most deferrals first, then most sent, then by name. */
static int log_dest_cmp(const void *a, const void *b)
{
	const struct mta_log_dest *x = *(const struct mta_log_dest *const *)a;
	const struct mta_log_dest *y = *(const struct mta_log_dest *const *)b;

	if (x->deferred != y->deferred)
		return x->deferred > y->deferred ? -1 : 1;
	if (x->sent != y->sent)
		return x->sent > y->sent ? -1 : 1;
	return strcmp(x->domain, y->domain);
}

/* How the scan started, for people and JSON. */
static const char *log_start_name(const struct log_check *lc)
{
	static const char *const names[] = {"whole", "resumed", "rotated", "rotated-lost",
					    "truncated"};

	if (lc->state_file == NULL)
		return "whole";
	if (!lc->have_prev)
		return lc->state_note[0] != '\0' ? "state-reset" : "first-run";
	return names[lc->scan.how];
}

/* The causes object of counts (ncause of them, zero counts left out). */
static void log_fact_causes(struct out_fact *obj, const char *key, const unsigned long *count,
			    size_t ncause)
{
	struct out_fact *c = out_fact_obj(obj, key);
	const struct cause *const *list;
	size_t n = cause_all(&list);

	for (size_t i = 0; count != NULL && i < n && i < ncause; i++)
		if (count[i] > 0)
			out_fact_int(c, list[i]->name, (long long)count[i]);
}

static void log_report_facts(const struct log_check *lc, const struct mta_log_dest *const *sorted,
			     size_t nsorted, struct out *o)
{
	struct out_fact *totals = out_fact_obj(&o->facts, "totals");
	struct out_fact *dests = out_fact_arr(&o->facts, "destinations");

	out_fact_int(totals, "sent", (long long)lc->log.sent);
	out_fact_int(totals, "deferred", (long long)lc->log.deferred);
	out_fact_int(totals, "bounced", (long long)lc->log.bounced);
	out_fact_int(totals, "rejected", (long long)lc->log.rejected);
	out_fact_int(totals, "deferred_messages", (long long)lc->log.deferred_messages);
	for (size_t i = 0; i < nsorted && i < LOG_DEST_SHOWN; i++) {
		const struct mta_log_dest *d = sorted[i];
		struct out_fact *f = out_fact_obj(dests, NULL);

		out_fact_str(f, "domain", d->domain);
		out_fact_int(f, "sent", (long long)d->sent);
		out_fact_int(f, "deferred", (long long)d->deferred);
		out_fact_int(f, "bounced", (long long)d->bounced);
		log_fact_causes(f, "causes", d->cause_count, lc->log.ncause);
		out_fact_str(f, "cause", d->cause != NULL ? d->cause->name : NULL);
		out_fact_str(f, "reason", d->cause != NULL ? d->reason : NULL);
		out_fact_str(f, "phase",
			     d->cause != NULL && d->fail.phase != PHASE_NONE
				     ? phase_name(d->fail.phase)
				     : NULL);
		if (lc->rate_max > 0)
			out_fact_num(f, "rate", log_rate_of(lc, d), 1);
		else
			out_fact_null(f, "rate");
	}
	out_fact_int(&o->facts, "destinations_total", (long long)lc->log.ndest);
	out_fact_int(&o->facts, "destinations_dropped", (long long)lc->log.dest_dropped);
	log_fact_causes(&o->facts, "causes", lc->log.cause_count, lc->log.ncause);
	log_fact_causes(&o->facts, "host_errors", lc->log.host_cause, lc->log.ncause);
	out_fact_int(&o->facts, "lines", (long long)lc->scan.lines);
	out_fact_int(&o->facts, "bytes", (long long)lc->scan.bytes);
	if (lc->log.first_time != 0)
		out_fact_int(&o->facts, "window_seconds", lc->log.last_time - lc->log.first_time);
	else
		out_fact_null(&o->facts, "window_seconds");
	if (lc->rate_max > 0)
		out_fact_int(&o->facts, "rate_per_period", lc->rate_period);
	else
		out_fact_null(&o->facts, "rate_per_period");
	out_fact_str(&o->facts, "start", log_start_name(lc));
}

/*
 * The destination the status line names: with --domain that one; else the
 * one in the worst state by its cause's threshold or its rate, else the
 * one with the most deferrals (sorted[0]).
 */
static const struct mta_log_dest *log_worst(const struct log_check *lc,
					    const struct mta_log_dest *const *sorted, size_t n)
{
	const struct mta_log_dest *best = n > 0 ? sorted[0] : NULL;
	enum state best_s = STATE_OK;

	if (lc->domain != NULL)
		return mta_log_dest(&lc->log, lc->domain);
	for (size_t i = 0; i < n; i++) {
		enum state s = log_rate_state(lc, log_rate_of(lc, sorted[i]));

		for (int k = 0; k < lc->limits.n; k++)
			if (sorted[i]->cause == lc->limits.limit[k].cause)
				s = state_worst(s, thresholds_eval(&lc->limits.limit[k].t,
								   (double)log_cause_count(
									   lc, sorted[i]->cause)));
		if (s != STATE_OK && s != best_s && state_worst(s, best_s) == s) {
			best = sorted[i];
			best_s = s;
		}
	}
	return best;
}

/* The highest delivered rate: of --domain's destination, else over all. */
static double log_rate_max(const struct log_check *lc, const struct mta_log_dest *worst)
{
	double max = 0;

	if (lc->domain != NULL)
		return worst != NULL ? log_rate_of(lc, worst) : 0;
	for (size_t i = 0; i < lc->log.ndest; i++)
		if (log_rate_of(lc, &lc->log.dest[i]) > max)
			max = log_rate_of(lc, &lc->log.dest[i]);
	return max;
}

static void log_report_perf(const struct log_check *lc, const struct mta_log_dest *worst,
			    struct out *o)
{
	const struct mta_log_dest *d = lc->domain != NULL ? worst : NULL;
	unsigned long sent = d != NULL ? d->sent : lc->log.sent;
	unsigned long deferred = d != NULL ? d->deferred : lc->log.deferred;
	unsigned long bounced = d != NULL ? d->bounced : lc->log.bounced;

	if (lc->domain != NULL && d == NULL)
		sent = deferred = bounced = 0;
	out_perf(o, "sent", (double)sent, "", NULL);
	out_perf_minmax(o, 1, 0, 0, 0);
	out_perf(o, "deferred", (double)deferred, "", &lc->deferred);
	out_perf_minmax(o, 1, 0, 0, 0);
	out_perf(o, "bounced", (double)bounced, "", &lc->bounced);
	out_perf_minmax(o, 1, 0, 0, 0);
	out_perf(o, "rejected", (double)lc->log.rejected, "", &lc->rejected);
	out_perf_minmax(o, 1, 0, 0, 0);
	out_perf(o, "deferred_messages", (double)lc->log.deferred_messages, "", NULL);
	out_perf(o, "host_errors", (double)lc->log.hosterr, "", NULL);
	for (int i = 0; i < lc->limits.n; i++) {
		char label[OUT_LABEL_MAX];

		snprintf(label, sizeof(label), "cause_%s", lc->limits.limit[i].cause->name);
		out_perf(o, label, (double)log_cause_count(lc, lc->limits.limit[i].cause), "",
			 &lc->limits.limit[i].t);
	}
	if (lc->rate_max > 0) {
		struct thresholds t;
		char w[32], c[32];

		memset(&t, 0, sizeof(t));
		snprintf(w, sizeof(w), "%g", lc->rate_max * LOG_RATE_WARN_PCT / 100.0);
		snprintf(c, sizeof(c), "%g", lc->rate_max);
		if (range_parse(w, &t.warn) != 0 || range_parse(c, &t.crit) != 0)
			memset(&t, 0, sizeof(t));
		out_perf(o, "rate", log_rate_max(lc, worst), "", &t);
	}
}

static void log_report_long(const struct log_check *lc, const struct mta_log_dest *const *sorted,
			    size_t n, struct out *o)
{
	const struct cause *const *list;
	size_t nc = cause_all(&list);

	out_long(o, "read %llu lines (%llu bytes) of %s, %s%s%s", lc->scan.lines, lc->scan.bytes,
		 lc->logfile, log_start_name(lc), lc->scan.old_name[0] != '\0' ? " after " : "",
		 lc->scan.old_name);
	if (lc->state_note[0] != '\0')
		out_long(o, "%s: read the whole log", lc->state_note);
	if (lc->scan.long_lines > 0)
		out_long(o, "%llu lines longer than %d bytes were cut", lc->scan.long_lines,
			 MTA_LOGLINE_MAX);
	for (size_t i = 0; i < n && i < LOG_DEST_SHOWN; i++) {
		out_add(o, OUT_TO_LONG, "%s: %lu sent, %lu deferred, %lu bounced",
			sorted[i]->domain, sorted[i]->sent, sorted[i]->deferred,
			sorted[i]->bounced);
		if (sorted[i]->cause != NULL) {
			out_add(o, OUT_TO_LONG, "; last deferral %s: ", sorted[i]->cause->name);
			out_add_untrusted(o, OUT_TO_LONG, sorted[i]->reason,
					  strlen(sorted[i]->reason), 300);
		}
		out_eol(o);
	}
	if (n > LOG_DEST_SHOWN)
		out_long(o, "... and %zu more destinations", n - LOG_DEST_SHOWN);
	if (lc->log.dest_dropped > 0)
		out_long(o, "%lu attempts to further domains not itemised (over %d domains)",
			 lc->log.dest_dropped, MTA_LOG_DEST_MAX);
	for (size_t i = 0; i < nc && i < lc->log.ncause; i++)
		if (lc->log.host_cause[i] > 0)
			out_long(o, "connection errors logged besides the delivery status: %lu %s",
				 lc->log.host_cause[i], list[i]->name);
}

static void log_report(void *ctx, const struct check_common *cm, struct out *o)
{
	struct log_check *lc = ctx;
	const struct mta_log_dest **sorted = NULL;
	const struct mta_log_dest *worst;
	size_t n = lc->log.ndest;
	char where[64];

	(void)cm;
	if (lc->failed || !lc->log_ready) {
		mta_check_unreadable(o, FAIL_LOG, 0, lc->err, log_json_keys);
		return;
	}
	if (lc->discover) {
		struct out_fact *data = out_fact_arr(&o->facts, "data");

		o->raw = 1;
		for (size_t i = 0; i < n; i++)
			out_fact_str(out_fact_obj(data, NULL), "{#DOMAIN}", lc->log.dest[i].domain);
		return;
	}
	if (n > 0 && (sorted = (const struct mta_log_dest **)calloc(
			      n, sizeof(const struct mta_log_dest *))) != NULL) {
		for (size_t i = 0; i < n; i++)
			sorted[i] = &lc->log.dest[i];
		qsort((void *)sorted, n, sizeof(const struct mta_log_dest *), log_dest_cmp);
	}
	if (sorted == NULL)
		n = 0;
	worst = log_worst(lc, sorted, n);
	if (lc->domain != NULL) {
		out_state(o, thresholds_eval(&lc->deferred,
					     worst != NULL ? (double)worst->deferred : 0));
		out_state(o, thresholds_eval(&lc->bounced,
					     worst != NULL ? (double)worst->bounced : 0));
	} else {
		out_state(o, thresholds_eval(&lc->deferred, (double)lc->log.deferred));
		out_state(o, thresholds_eval(&lc->bounced, (double)lc->log.bounced));
	}
	out_state(o, thresholds_eval(&lc->rejected, (double)lc->log.rejected));
	for (int i = 0; i < lc->limits.n; i++)
		out_state(o,
			  thresholds_eval(&lc->limits.limit[i].t,
					  (double)log_cause_count(lc, lc->limits.limit[i].cause)));
	if (worst != NULL)
		out_state(o, log_rate_state(lc, log_rate_of(lc, worst)));

	out_summary(o, "%lu sent, %lu deferred, %lu bounced, %lu rejected", lc->log.sent,
		    lc->log.deferred, lc->log.bounced, lc->log.rejected);
	if (worst != NULL && worst->cause != NULL) {
		out_summary(o, "; %s %lu deferred %s", worst->domain, worst->deferred,
			    worst->cause->name);
		mta_check_where(&worst->fail, where, sizeof(where));
		if (where[0] != '\0')
			out_summary(o, " (%s)", where);
		if (o->state != STATE_OK)
			out_cause(o, worst->cause, 1);
	} else if (worst != NULL && lc->domain != NULL) {
		out_summary(o, "; %s %lu sent, nothing deferred", worst->domain, worst->sent);
	} else if (lc->domain != NULL) {
		out_summary(o, "; nothing logged for %s", lc->domain);
	}
	if (worst != NULL && lc->rate_max > 0 &&
	    log_rate_state(lc, log_rate_of(lc, worst)) != STATE_OK) {
		out_summary(o, "; %s %.0f sent per %lds, limit %.0f", worst->domain,
			    log_rate_of(lc, worst), lc->rate_period, lc->rate_max);
		if (o->cause == NULL)
			out_cause(o, cause_find("rate-limited"), 1);
	}
	if (lc->timed_out) {
		struct fail f;

		fail_reset(&f);
		fail_set(&f, FAIL_LOG, PHASE_NONE, FAIL_QUEUE_TIMEOUT, "not read to the end");
		o->timed_out = 1;
		out_cause(o, classify(&f), 1);
		out_summary(o, "; log not read to its end within -t");
	}
	if (o->cause == NULL) {
		struct fail none;

		fail_reset(&none);
		out_cause(o, classify(&none), 1);
	}
	log_report_perf(lc, worst, o);
	log_report_long(lc, sorted, n, o);
	log_report_facts(lc, sorted, n, o);
	free((void *)sorted);
}

static void log_cleanup(void *ctx)
{
	struct log_check *lc = ctx;

	if (lc->loop != NULL)
		ev_timer_stop(lc->loop, &lc->turn);
	if (lc->scan_open)
		mta_logscan_close(&lc->scan);
	if (lc->log_ready)
		mta_log_free(&lc->log);
}

const struct check check_mail_log = {
	.name = "check_mail_log",
	.service = "MAILLOG",
	.synopsis = "[-L FILE] [--mta auto|postfix|exim] [--state-file FILE]\n"
		    "       [--deferred-warning RANGE] [--deferred-critical RANGE]\n"
		    "       [--bounced-warning RANGE] [--bounced-critical RANGE]\n"
		    "       [--rejected-warning RANGE] [--rejected-critical RANGE]\n"
		    "       [--cause-warning CAUSE=RANGE] [--cause-critical CAUSE=RANGE]\n"
		    "       [-d DOMAIN] [--rate-limit N/PERIOD] [--discover] [-t SECS[:STATE]]\n"
		    "       [--output json] [-v]",
	.description = "What did the MTA see since the last run? Counts, per destination domain,\n"
		       "the deliveries, deferrals (by the cause of their reason) and bounces the\n"
		       "Postfix or Exim log shows, and compares the sending rate with a limit.\n",
	.opts = log_opts,
	.notes = log_notes,
	.examples = log_examples,
	.json_keys = log_json_keys,
	.ctx_size = sizeof(struct log_check),
	.option = log_option,
	.validate = log_validate,
	.start = log_start,
	.report = log_report,
	.cleanup = log_cleanup,
};
