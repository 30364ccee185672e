/*
 * check.h - a check is options plus a verdict; check_main() does the rest.
 *
 * A plugin binary is:
 *     int main(int argc, char **argv) { return check_main(&check_mail_smtp, argc, argv); }
 * check_main parses the common options (-t, -v, -h, -V, --output,
 * --resolver, -4/-6) and hands the others to the check, runs the event
 * loop under one deadline, asks the check for its report and prints it.
 * The SNMP subagent uses check_parse/check_run_start the same way, with
 * many checks on one loop.
 */
#ifndef MAILPATH_CHECK_H
#define MAILPATH_CHECK_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dns/dns.h"
#include "base/ev.h"
#include "result/out.h"
#include "base/state.h"

#define CHECK_ERR_MAX 256

/* Options every check takes. */
struct check_common {
	double timeout_s;         /* -t, default 10 */
	enum state timeout_state; /* -t N:STATE, default CRITICAL */
	int verbose;              /* -v count */
	int json;                 /* --output json */
	int family;               /* AF_UNSPEC, AF_INET (-4), AF_INET6 (-6) */
	const char *resolver;     /* --resolver ADDR[:PORT] */
};

/* What a running check may use: the loop, the shared resolver, its deadline. */
struct check_env {
	struct ev_loop *loop;
	struct dns *dns;
	int64_t deadline_us;
	const struct check_common *common;
};

typedef void check_done_cb(void *arg);

struct check {
	const char *name;              /* "check_mail_smtp" */
	const char *service;           /* "SMTP" */
	const char *synopsis;          /* one line of usage after the name */
	const char *help;              /* option descriptions for --help */
	const char *shortopts;         /* getopt string of the check's own options */
	const struct option *longopts; /* terminated by a zero entry */
	size_t ctx_size;
	/* One option; 0, or -1 with a message in err. */
	int (*option)(void *ctx, int opt, const char *arg, char *err, size_t errlen);
	/* After all options: check consistency and set defaults; 0 or -1 with message. */
	int (*validate)(void *ctx, const struct check_common *cm, char *err, size_t errlen);
	/* Schedule the probes; call done(arg) exactly once when finished. 0 or -1 with message. */
	int (*start)(void *ctx, const struct check_env *env, check_done_cb *done, void *arg,
		     char *err, size_t errlen);
	/* Turn the finished result into output. */
	void (*report)(void *ctx, const struct check_common *cm, struct out *o);
	/* Release what start and option allocated (not ctx itself). */
	void (*cleanup)(void *ctx);
};

/*
 * Parse argv (argv[0] is the check name) into ctx (ctx_size bytes, zeroed
 * by the caller) and cm. Returns 0, 1 when --help/--version was printed to
 * f, or -1 with a one-line message in err.
 */
int check_parse(const struct check *c, void *ctx, struct check_common *cm, int argc, char **argv,
		FILE *f, char *err, size_t errlen);
/* Apply -t N:STATE and finish o after c->report. */
void check_finish(const struct check_common *cm, struct out *o);
/* The whole plugin: parse, run, report, print; returns the exit code. */
int check_main(const struct check *c, int argc, char **argv);

/*
 * One run of a check on a shared loop (the SNMP subagent): argv is copied,
 * parsed with check_parse (--help/--version count as errors) and the check
 * started under its own -t deadline. done(arg) is called exactly once, from
 * a timer callback (never from inside check_run_start), when the check has
 * finished or half a second after its deadline; the caller may then call
 * check_run_report and check_run_free from done. dns is the shared
 * resolver, used unless the check names its own --resolver. Returns NULL
 * with a one-line message in err.
 */
struct check_run;
struct check_run *check_run_start(const struct check *c, struct ev_loop *loop, struct dns *dns,
				  int argc, char *const *argv, check_done_cb *done, void *arg,
				  char *err, size_t errlen);
/* After done: initialise o and fill it with the check's finished report. */
void check_run_report(struct check_run *r, struct out *o);
/* Stop and release a run, finished or not. Accepts NULL. */
void check_run_free(struct check_run *r);
/* Parse argv without running: 0, or -1 with a message (configuration checks). */
int check_run_validate(const struct check *c, int argc, char *const *argv, char *err,
		       size_t errlen);

#endif
