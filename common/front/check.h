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

/*
 * One option as the parser takes it and --help shows it: the parser's
 * getopt tables and the help are both made from these rows, so an option
 * cannot be accepted without being explained. A table ends with a row whose
 * val is 0.
 */
struct check_opt {
	const char *name; /* long name ("hostname"), or NULL for a short option alone */
	int has_arg;      /* no_argument or required_argument */
	int val;          /* the short option's character, or a code >= 0x100 (long only) */
	const char *arg;  /* the value's name in the help ("HOST"); NULL without a value */
	const char *help; /* explanation (lines split by '\n'); NULL: another name of the row above */
};

/* Kept by hand: clang-format 14 and 19 break this macro differently. */
/* clang-format off */
#define CHECK_OPT_END {NULL, 0, 0, NULL, NULL}
/* clang-format on */

struct check {
	const char *name;             /* "check_mail_smtp" */
	const char *service;          /* "SMTP" */
	const char *description;      /* --help: what the check does, before the usage */
	const char *synopsis;         /* one line of usage after the name */
	const struct check_opt *opts; /* the check's own options (CHECK_OPT_END ends them) */
	const char *notes;            /* --help: thresholds and behaviour, after the options */
	const char *examples;         /* --help: example command lines, last */
	size_t ctx_size;
	/* One option; 0, or -1 with a message in err. */
	int (*option)(void *ctx, int opt, const char *arg, char *err, size_t errlen);
	/* After all options: check consistency and set defaults; 0 or -1 with message. */
	int (*validate)(void *ctx, const struct check_common *cm, char *err, size_t errlen);
	/* Schedule the probes; call done(arg) exactly once when finished. 0 or -1 with message. */
	int (*start)(void *ctx, const struct check_env *env, check_done_cb *done, void *arg,
		     char *err, size_t errlen);
	/*
	 * The keys the report adds to the root's facts, NULL-terminated: a usage
	 * or set-up error carries each of them as null, so that every outcome's
	 * JSON object has the same keys (tests/json-keysets.py checks it).
	 */
	const char *const *json_keys;
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
/*
 * Write the options of the tables (each ending with CHECK_OPT_END; the list
 * of tables ends with NULL) to f as monitoring-plugins lays them out: one
 * line " -x, --long=ARG" per option with its other names, then its
 * explanation indented by four blanks.
 */
void check_opts_help(FILE *f, const struct check_opt *const *tables);
/*
 * The getopt tables of the option tables: shortopts (":" first, so that a
 * missing value is told apart) into a buffer of len bytes and a fresh
 * longopts array (caller frees). 0, or -1 when shortopts does not fit or out
 * of memory.
 */
int check_opts_getopt(const struct check_opt *const *tables, char *shortopts, size_t len,
		      struct option **longopts);
/* The getopt tables check_parse uses for c (common options and c's), as check_opts_getopt. */
int check_getopt(const struct check *c, char *shortopts, size_t len, struct option **longopts);
/* --resolver ADDR[:PORT][,...]: 0 when every port is 1..65535, else -1 with a message in err. */
int check_resolver_valid(const char *arg, char *err, size_t errlen);
/* The whole --help of c (what check_parse prints for -h). */
void check_help(const struct check *c, FILE *f);
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
/*
 * Parse argv without running: 0, or -1 with a message (configuration
 * checks). Warnings about the options (check_warn) go to warn(warn_arg,
 * message); check_run_start, which parses the same argv again, keeps quiet.
 */
typedef void check_warn_fn(const void *arg, const char *msg);
int check_run_validate(const struct check *c, int argc, char *const *argv, check_warn_fn *warn,
		       const void *warn_arg, char *err, size_t errlen);

/*
 * A warning about an option that still works (-P: a password on the command
 * line): the plugin prints "warning: ..." to stderr, check_run_validate hands
 * it to its caller, a scheduled run drops it.
 */
void check_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
