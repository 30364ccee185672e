/*
 * check_mail_queue - how big and how old is the MTA's queue, and why is
 * mail deferred? Postfix's queue is read in-process from its showq
 * service (mta_showq) or from saved `postqueue -j` output (--input);
 * counting and classifying live in mta_queue. This file holds the
 * options, the thresholds and the report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "checks/mta_check.h"
#include "checks/checks.h"
#include "mta/mta_queue.h"
#include "mta/mta_showq.h"
#include "verdict/classify.h"

#define QUEUE_DEST_SHOWN 20 /* destinations in long output and JSON */

struct queue_check {
	const char *input;      /* --input FILE or "-" */
	const char *config_dir; /* --postfix-config */
	const char *domain;     /* --domain */
	int discover;
	struct thresholds total, deferred, age;
	struct cause_limits limits;
	char socket[4200];
	struct mta_queue q;
	int q_ready;
	struct mta_showq_read *read;
	int failed, timed_out;
	char err[CHECK_ERR_MAX];
	long long now;
	check_done_cb *done;
	void *done_arg;
	struct ev_timer notify; /* done() from the loop when --input was read in start */
	struct ev_loop *loop;
};

enum {
	OPT_INPUT = 0x3000,
	OPT_MTA,
	OPT_POSTFIX_CONFIG,
	OPT_DEFERRED_W,
	OPT_DEFERRED_C,
	OPT_AGE_W,
	OPT_AGE_C,
	OPT_CAUSE_W,
	OPT_CAUSE_C,
	OPT_DISCOVER,
};

static const struct check_opt queue_opts[] = {
	{"warning", required_argument, 'w', "RANGE",
	 "Messages in all queues giving WARNING (e.g. 100 = more than 100)"},
	{"critical", required_argument, 'c', "RANGE", "Messages in all queues giving CRITICAL"},
	{"deferred-warning", required_argument, OPT_DEFERRED_W, "RANGE",
	 "Deferred messages (with --domain: deferred to that domain) giving WARNING"},
	{"deferred-critical", required_argument, OPT_DEFERRED_C, "RANGE",
	 "Deferred messages (with --domain: deferred to that domain) giving CRITICAL"},
	{"age-warning", required_argument, OPT_AGE_W, "RANGE",
	 "Age in seconds of the oldest message (from its arrival time) giving WARNING"},
	{"age-critical", required_argument, OPT_AGE_C, "RANGE",
	 "Age in seconds of the oldest message (from its arrival time) giving CRITICAL"},
	{"cause-warning", required_argument, OPT_CAUSE_W, "CAUSE=RANGE",
	 "Deferred messages whose delay reason has this cause giving WARNING\n"
	 "(e.g. server-busy=10); up to 8"},
	{"cause-critical", required_argument, OPT_CAUSE_C, "CAUSE=RANGE",
	 "Deferred messages whose delay reason has this cause giving CRITICAL; up to 8"},
	{"domain", required_argument, 'd', "DOMAIN",
	 "Judge one destination domain only (deferred and cause counts)"},
	{"mta", required_argument, OPT_MTA, "postfix",
	 "The MTA whose queue to read (Postfix; Exim is not supported yet)"},
	{"postfix-config", required_argument, OPT_POSTFIX_CONFIG, "DIR",
	 "Postfix configuration directory (default /etc/postfix): its main.cf names\n"
	 "queue_directory, whose public/showq service is read, as postqueue does"},
	{"input", required_argument, OPT_INPUT, "FILE",
	 "Read saved `postqueue -j` output from FILE (- for standard input) instead"},
	{"discover", no_argument, OPT_DISCOVER, NULL,
	 "Print Zabbix low-level discovery JSON ({#DOMAIN}) of the deferred destinations"},
	CHECK_OPT_END,
};

static const char queue_notes[] =
	"RANGE follows the Nagios plugin guidelines: 100 (more than 100), @0:10 (at most 10).\n"
	"Delay reasons are named with the causes of check_mail_smtp (README, Causes).\n";

static const char queue_examples[] =
	" check_mail_queue -w 100 -c 500 --age-warning 3600\n"
	" check_mail_queue -d example.net --deferred-warning 10 --output json\n"
	" check_mail_queue --input saved-postqueue-j.txt\n";

/* The keys queue_report adds to the root's facts (null when the queue could not be read). */
static const char *const queue_json_keys[] = {
	"queues", "total", "destinations", "destinations_total", "destinations_dropped",
	"causes", NULL};

static int queue_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct queue_check *qc = ctx;

	switch (opt) {
	case 'w': return mta_check_range(&qc->total.warn, "-w", arg, err, errlen);
	case 'c': return mta_check_range(&qc->total.crit, "-c", arg, err, errlen);
	case OPT_DEFERRED_W:
		return mta_check_range(&qc->deferred.warn, "--deferred-warning", arg, err, errlen);
	case OPT_DEFERRED_C:
		return mta_check_range(&qc->deferred.crit, "--deferred-critical", arg, err, errlen);
	case OPT_AGE_W: return mta_check_range(&qc->age.warn, "--age-warning", arg, err, errlen);
	case OPT_AGE_C: return mta_check_range(&qc->age.crit, "--age-critical", arg, err, errlen);
	case OPT_CAUSE_W: return cause_limit_parse(&qc->limits, arg, 0, err, errlen);
	case OPT_CAUSE_C: return cause_limit_parse(&qc->limits, arg, 1, err, errlen);
	case OPT_INPUT: qc->input = arg; return 0;
	case OPT_POSTFIX_CONFIG: qc->config_dir = arg; return 0;
	case OPT_DISCOVER: qc->discover = 1; return 0;
	case 'd': qc->domain = arg; return 0;
	case OPT_MTA:
		if (strcmp(arg, "postfix") == 0)
			return 0;
		snprintf(err, errlen, "invalid --mta '%s': only postfix is supported", arg);
		return -1;
	default: break;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

static int queue_validate(void *ctx, const struct check_common *cm, char *err, size_t errlen)
{
	struct queue_check *qc = ctx;

	(void)cm;
	if (mta_check_domain(qc->domain, err, errlen) != 0)
		return -1;
	if (qc->input != NULL && qc->input[0] == '\0') {
		snprintf(err, errlen, "--input needs a file name or -");
		return -1;
	}
	if (qc->input != NULL && qc->config_dir != NULL) {
		snprintf(err, errlen, "--input and --postfix-config exclude each other");
		return -1;
	}
	if (qc->config_dir == NULL)
		qc->config_dir = "/etc/postfix";
	return 0;
}

/* Its type is ev_timer_cb: t cannot become const. */
/* cppcheck-suppress constParameterCallback */
static void queue_on_notify(struct ev_timer *t, void *arg)
{
	struct queue_check *qc = arg;

	(void)t;
	qc->done(qc->done_arg);
}

static void queue_on_read(void *arg)
{
	struct queue_check *qc = arg;

	if (mta_showq_read_status(qc->read, &qc->timed_out, qc->err, sizeof(qc->err)) != 0)
		qc->failed = 1;
	qc->done(qc->done_arg);
}

/* Read `postqueue -j` lines from qc->input; 0, or -1 with a message. */
static int queue_read_input(struct queue_check *qc, char *err, size_t errlen)
{
	FILE *opened = strcmp(qc->input, "-") == 0 ? NULL : fopen(qc->input, "re");
	FILE *f = opened != NULL ? opened : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int rc = 0;

	if (opened == NULL && strcmp(qc->input, "-") != 0) {
		snprintf(err, errlen, "cannot read %s: %s", qc->input, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		if (mta_queue_json_line(&qc->q, line, (size_t)n) != 0) {
			snprintf(err, errlen, "%s line %lu: not a postqueue -j record", qc->input,
				 lineno);
			rc = -1;
			break;
		}
	}
	free(line);
	if (opened != NULL)
		fclose(opened);
	return rc;
}

static int queue_start(void *ctx, const struct check_env *env, check_done_cb *done, void *arg,
		       char *err, size_t errlen)
{
	struct queue_check *qc = ctx;
	char dir[4096];

	qc->done = done;
	qc->done_arg = arg;
	qc->loop = env->loop;
	qc->now = (long long)time(NULL);
	ev_timer_init(&qc->notify);
	if (mta_queue_init(&qc->q) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	qc->q_ready = 1;
	if (qc->input != NULL) {
		qc->failed = queue_read_input(qc, qc->err, sizeof(qc->err)) != 0;
	} else if (mta_postfix_queue_dir(qc->config_dir, dir, sizeof(dir), qc->err,
					 sizeof(qc->err)) != 0) {
		qc->failed = 1;
	} else {
		snprintf(qc->socket, sizeof(qc->socket), "%s/public/showq", dir);
		qc->read = mta_showq_read_start(env->loop, qc->socket, &qc->q, env->deadline_us,
						queue_on_read, qc, qc->err, sizeof(qc->err));
		if (qc->read != NULL)
			return 0;
		qc->failed = 1;
	}
	/* Read (or failed to) already: the result is reported, done() comes from the loop. */
	ev_timer_start(env->loop, &qc->notify, ev_now_us(), queue_on_notify, qc);
	return 0;
}

/* "3h12m", "45s", "2d4h": an age for people. */
static void queue_age(long long s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%lldh", s / 86400, s % 86400 / 3600);
}

/* The oldest arrival over all queues; 0 when empty. */
static long long queue_oldest(const struct mta_queue *q)
{
	long long o = 0;

	for (int i = 0; i < MTA_Q_MAX; i++)
		if (q->oldest[i] != 0 && (o == 0 || q->oldest[i] < o))
			o = q->oldest[i];
	return o;
}

/* The order of destinations: most messages first, then by name. */
static int queue_dest_cmp(const void *a, const void *b)
{
	const struct mta_dest *x = *(const struct mta_dest *const *)a;
	const struct mta_dest *y = *(const struct mta_dest *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->domain, y->domain);
}

/* The count of cause c in the deferred mail (of --domain only, when given). */
static unsigned long queue_cause_count(const struct queue_check *qc, const struct cause *c)
{
	const struct cause *const *list;
	size_t n = cause_all(&list);

	if (qc->domain != NULL) {
		const struct mta_dest *d = mta_queue_dest(&qc->q, qc->domain);

		return d != NULL && d->cause == c ? d->count : 0;
	}
	for (size_t i = 0; i < n && i < qc->q.ncause; i++)
		if (list[i] == c)
			return qc->q.cause_count[i];
	return 0;
}

/*
 * The destination the status line names: the one with the most messages
 * whose cause breached its --cause threshold (the worst state first), else
 * the one with the most messages.
 */
static const struct mta_dest *queue_worst(const struct queue_check *qc,
					  const struct mta_dest *const *sorted)
{
	const struct mta_dest *best = sorted[0];
	enum state best_s = STATE_OK;

	for (size_t i = 0; i < qc->q.ndest; i++)
		for (int k = 0; k < qc->limits.n; k++) {
			enum state s;

			if (sorted[i]->cause != qc->limits.limit[k].cause)
				continue;
			s = thresholds_eval(
				&qc->limits.limit[k].t,
				(double)queue_cause_count(qc, qc->limits.limit[k].cause));
			if (s != STATE_OK && state_worst(s, best_s) == s && s != best_s) {
				best = sorted[i];
				best_s = s;
			}
		}
	return best;
}

static void queue_report_discovery(const struct queue_check *qc, struct out *o)
{
	struct out_fact *data = out_fact_arr(&o->facts, "data");

	o->raw = 1;
	for (size_t i = 0; i < qc->q.ndest; i++)
		out_fact_str(out_fact_obj(data, NULL), "{#DOMAIN}", qc->q.dest[i].domain);
}

/* The facts for JSON: queues, destinations, causes. */
static void queue_report_facts(const struct queue_check *qc, const struct mta_dest *const *sorted,
			       size_t nsorted, struct out *o)
{
	struct out_fact *queues = out_fact_obj(&o->facts, "queues");
	struct out_fact *dests, *causes;
	const struct cause *const *list;
	size_t nc = cause_all(&list);

	out_fact_int(&o->facts, "total", (long long)qc->q.total);
	for (int i = 0; i < MTA_Q_MAX; i++) {
		struct out_fact *qn = out_fact_obj(queues, mta_queue_name((enum mta_qname)i));

		out_fact_int(qn, "count", (long long)qc->q.count[i]);
		out_fact_int(qn, "bytes", (long long)qc->q.bytes[i]);
		if (qc->q.oldest[i] != 0)
			out_fact_int(qn, "oldest_seconds", qc->now - qc->q.oldest[i]);
		else
			out_fact_null(qn, "oldest_seconds");
	}
	dests = out_fact_arr(&o->facts, "destinations");
	for (size_t i = 0; i < nsorted && i < QUEUE_DEST_SHOWN; i++) {
		struct out_fact *d = out_fact_obj(dests, NULL);

		out_fact_str(d, "domain", sorted[i]->domain);
		out_fact_int(d, "count", (long long)sorted[i]->count);
		out_fact_str(d, "cause", sorted[i]->cause->name);
		out_fact_str(d, "reason", sorted[i]->reason);
		out_fact_str(d, "phase",
			     sorted[i]->fail.phase != PHASE_NONE ? phase_name(sorted[i]->fail.phase)
								 : NULL);
	}
	out_fact_int(&o->facts, "destinations_total", (long long)qc->q.ndest);
	out_fact_int(&o->facts, "destinations_dropped", (long long)qc->q.dest_dropped);
	causes = out_fact_obj(&o->facts, "causes");
	for (size_t i = 0; i < nc && i < qc->q.ncause; i++)
		if (qc->q.cause_count[i] > 0)
			out_fact_int(causes, list[i]->name, (long long)qc->q.cause_count[i]);
}

static void queue_report(void *ctx, const struct check_common *cm, struct out *o)
{
	struct queue_check *qc = ctx;
	const struct mta_dest **sorted = NULL;
	const struct mta_dest *worst = NULL;
	long long oldest, age = 0;
	unsigned long deferred;
	unsigned long long bytes = 0;
	char agebuf[32], where[64];
	enum state s;

	(void)cm;
	if (qc->failed || !qc->q_ready) {
		mta_check_unreadable(o, FAIL_QUEUE, qc->timed_out, qc->err, queue_json_keys);
		return;
	}
	if (qc->discover) {
		queue_report_discovery(qc, o);
		return;
	}
	if (qc->q.ndest > 0 && (sorted = (const struct mta_dest **)calloc(
					qc->q.ndest, sizeof(const struct mta_dest *))) != NULL) {
		for (size_t i = 0; i < qc->q.ndest; i++)
			sorted[i] = &qc->q.dest[i];
		qsort((void *)sorted, qc->q.ndest, sizeof(const struct mta_dest *), queue_dest_cmp);
		worst = sorted[0];
	}
	if (qc->domain != NULL)
		worst = mta_queue_dest(&qc->q, qc->domain);
	else if (sorted != NULL)
		worst = queue_worst(qc, sorted);
	deferred = qc->domain != NULL ? (worst != NULL ? worst->count : 0)
				      : qc->q.count[MTA_Q_DEFERRED];
	oldest = queue_oldest(&qc->q);
	if (oldest != 0)
		age = qc->now > oldest ? qc->now - oldest : 0;

	out_state(o, thresholds_eval(&qc->total, (double)qc->q.total));
	out_state(o, thresholds_eval(&qc->deferred, (double)deferred));
	if (oldest != 0)
		out_state(o, thresholds_eval(&qc->age, (double)age));
	for (int i = 0; i < qc->limits.n; i++) {
		s = thresholds_eval(&qc->limits.limit[i].t,
				    (double)queue_cause_count(qc, qc->limits.limit[i].cause));
		out_state(o, s);
	}

	out_summary(o, "%lu message%s, %lu deferred", qc->q.total, qc->q.total == 1 ? "" : "s",
		    qc->q.count[MTA_Q_DEFERRED]);
	if (oldest != 0) {
		queue_age(age, agebuf, sizeof(agebuf));
		out_summary(o, " (oldest %s)", agebuf);
	}
	if (worst != NULL) {
		out_summary(o, "; %s %lu %s", worst->domain, worst->count, worst->cause->name);
		mta_check_where(&worst->fail, where, sizeof(where));
		if (where[0] != '\0')
			out_summary(o, " (%s)", where);
		if (o->state != STATE_OK)
			out_cause(o, worst->cause, 1);
	}
	if (o->cause == NULL) {
		struct fail none;

		fail_reset(&none);
		out_cause(o, classify(&none), 1);
	}
	if (worst == NULL && qc->domain != NULL)
		out_summary(o, "; nothing deferred to %s", qc->domain);

	out_perf(o, "total", (double)qc->q.total, "", &qc->total);
	out_perf_minmax(o, 1, 0, 0, 0);
	for (int i = 0; i < MTA_Q_MAX; i++) {
		out_perf(o, mta_queue_name((enum mta_qname)i), (double)qc->q.count[i], "",
			 i == MTA_Q_DEFERRED && qc->domain == NULL ? &qc->deferred : NULL);
		out_perf_minmax(o, 1, 0, 0, 0);
	}
	if (qc->domain != NULL) {
		out_perf(o, "deferred_domain", (double)deferred, "", &qc->deferred);
		out_perf_minmax(o, 1, 0, 0, 0);
	}
	out_perf(o, "oldest", (double)age, "s", &qc->age);
	out_perf_minmax(o, 1, 0, 0, 0);
	for (int i = 0; i < MTA_Q_MAX; i++)
		bytes += qc->q.bytes[i];
	out_perf(o, "size", (double)bytes, "B", NULL);
	for (int i = 0; i < qc->limits.n; i++) {
		char label[OUT_LABEL_MAX];

		snprintf(label, sizeof(label), "cause_%s", qc->limits.limit[i].cause->name);
		out_perf(o, label, (double)queue_cause_count(qc, qc->limits.limit[i].cause), "",
			 &qc->limits.limit[i].t);
	}

	for (size_t i = 0; sorted != NULL && i < qc->q.ndest && i < QUEUE_DEST_SHOWN; i++) {
		out_add(o, OUT_TO_LONG, "%s: %lu deferred, %s: ", sorted[i]->domain,
			sorted[i]->count, sorted[i]->cause->name);
		out_add_untrusted(o, OUT_TO_LONG, sorted[i]->reason, strlen(sorted[i]->reason),
				  300);
		out_eol(o);
	}
	if (qc->q.ndest > QUEUE_DEST_SHOWN)
		out_long(o, "... and %zu more destinations", qc->q.ndest - QUEUE_DEST_SHOWN);
	if (qc->q.dest_dropped > 0)
		out_long(o, "%lu deferrals to further domains not itemised (over %d domains)",
			 qc->q.dest_dropped, MTA_DEST_MAX);
	queue_report_facts(qc, sorted, sorted != NULL ? qc->q.ndest : 0, o);
	free((void *)sorted);
}

static void queue_cleanup(void *ctx)
{
	struct queue_check *qc = ctx;

	if (qc->loop != NULL)
		ev_timer_stop(qc->loop, &qc->notify);
	mta_showq_read_free(qc->read);
	if (qc->q_ready)
		mta_queue_free(&qc->q);
}

const struct check check_mail_queue = {
	.name = "check_mail_queue",
	.service = "QUEUE",
	.synopsis =
		"[-w RANGE] [-c RANGE] [--deferred-warning RANGE] [--deferred-critical RANGE]\n"
		"       [--age-warning SECS] [--age-critical SECS] [--cause-warning CAUSE=RANGE]\n"
		"       [--cause-critical CAUSE=RANGE] [-d DOMAIN] [--mta postfix]\n"
		"       [--postfix-config DIR | --input FILE] [--discover] [-t SECS[:STATE]]\n"
		"       [--output json] [-v]",
	.description = "How big and how old is the MTA queue, and why are messages deferred, per\n"
		       "destination? Reads Postfix's queue in-process from showq (or saved\n"
		       "postqueue -j output) and names each delay reason's cause.\n",
	.opts = queue_opts,
	.notes = queue_notes,
	.examples = queue_examples,
	.json_keys = queue_json_keys,
	.ctx_size = sizeof(struct queue_check),
	.option = queue_option,
	.validate = queue_validate,
	.start = queue_start,
	.report = queue_report,
	.cleanup = queue_cleanup,
};
