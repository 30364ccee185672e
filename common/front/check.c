/*
 * check.c - option parsing, the run under one deadline, and printing,
 * shared by every plugin (and by the SNMP subagent through check_parse).
 *
 * The common options are parsed here; every other option is handed to
 * the check's option(). Only check_main prints and picks the exit code.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "front/check.h"
#include "front/out_render.h"

#ifndef MAILPATH_VERSION
#define MAILPATH_VERSION "0.1.0"
#endif

enum { OPT_OUTPUT = 0x1000, OPT_RESOLVER };

/* The options every check takes: help and version first, as monitoring-plugins lists them. */
static const struct check_opt check_common_first[] = {
	{"help", no_argument, 'h', NULL, "Print this help and exit"},
	{"version", no_argument, 'V', NULL, "Print the version and exit"},
	CHECK_OPT_END,
};

static const struct check_opt check_common_opts[] = {
	{"use-ipv4", no_argument, '4', NULL, "Use only IPv4 addresses"},
	{"use-ipv6", no_argument, '6', NULL, "Use only IPv6 addresses"},
	{"resolver", required_argument, OPT_RESOLVER, "ADDR[:PORT]",
	 "Ask this DNS server instead of those in /etc/resolv.conf"},
	{"timeout", required_argument, 't', "SECONDS[:STATE]",
	 "Hard limit for the whole check (default 10, at most 86400); on expiry the state\n"
	 "is STATE: ok, warning, critical (default) or unknown"},
	{"output", required_argument, OPT_OUTPUT, "nagios|json",
	 "Print the Nagios status line with perfdata and long output (default),\n"
	 "or one JSON object (schema contrib/json/mailpath-result-1.schema.json)"},
	{"verbose", no_argument, 'v', NULL,
	 "More detail in the long output (repeatable): -v each phase, -vv the extensions,\n"
	 "-vvv the protocol transcript (secrets masked), -vvvv the SMTP client's state changes"},
	CHECK_OPT_END,
};

/* Print one option row with its other names (rows up to the next explained one). */
static const struct check_opt *check_opt_help(FILE *f, const struct check_opt *o)
{
	const struct check_opt *r = o;
	const char *arg = o->arg, *h, *nl;
	int first = 1;

	fputc(' ', f);
	do {
		/* A short option is shown once, with the first of its long names. */
		int again = r != o && r->val == o->val;

		if (!again && r->val > ' ' && r->val < 0x7f) {
			fprintf(f, "%s-%c", first ? "" : ", ", r->val);
			first = 0;
		}
		if (r->name != NULL) {
			fprintf(f, "%s--%s", first ? "" : ", ", r->name);
			first = 0;
		}
		r++;
	} while (r->val != 0 && r->help == NULL);
	if (arg != NULL)
		fprintf(f, "%s%s", r[-1].name != NULL ? "=" : " ", arg);
	fputc('\n', f);
	for (h = o->help; h != NULL && *h != '\0'; h = *nl ? nl + 1 : nl) {
		nl = strchrnul(h, '\n');
		fprintf(f, "    %.*s\n", (int)(nl - h), h);
	}
	return r;
}

void check_opts_help(FILE *f, const struct check_opt *const *tables)
{
	for (; *tables != NULL; tables++)
		for (const struct check_opt *o = *tables; o->val != 0;)
			o = check_opt_help(f, o);
}

int check_opts_getopt(const struct check_opt *const *tables, char *shortopts, size_t len,
		      struct option **longopts)
{
	size_t n = 0, nlong = 0, k = 0;

	*longopts = NULL;
	if (len < 2)
		return -1;
	shortopts[n++] = ':';
	shortopts[n] = '\0';
	for (const struct check_opt *const *t = tables; *t != NULL; t++)
		for (const struct check_opt *o = *t; o->val != 0; o++) {
			nlong += o->name != NULL;
			if (o->val <= ' ' || o->val >= 0x7f || strchr(shortopts, o->val) != NULL)
				continue;
			if (n + 3 > len)
				return -1;
			shortopts[n++] = (char)o->val;
			if (o->has_arg == required_argument)
				shortopts[n++] = ':';
			shortopts[n] = '\0';
		}
	if ((*longopts = calloc(nlong + 1, sizeof(**longopts))) == NULL)
		return -1;
	for (const struct check_opt *const *t = tables; *t != NULL; t++)
		for (const struct check_opt *o = *t; o->val != 0; o++)
			if (o->name != NULL)
				(*longopts)[k++] =
					(struct option){o->name, o->has_arg, NULL, o->val};
	return 0;
}

int check_getopt(const struct check *c, char *shortopts, size_t len, struct option **longopts)
{
	const struct check_opt *const tables[] = {check_common_first, c->opts, check_common_opts,
						  NULL};

	return check_opts_getopt(tables, shortopts, len, longopts);
}

void check_help(const struct check *c, FILE *f)
{
	const struct check_opt *const tables[] = {check_common_first, c->opts, check_common_opts,
						  NULL};

	fprintf(f, "%s (mailpath %s)\n\n", c->name, MAILPATH_VERSION);
	if (c->description != NULL)
		fprintf(f, "%s\n", c->description);
	fprintf(f, "Usage:\n %s %s\n\nOptions:\n", c->name, c->synopsis);
	check_opts_help(f, tables);
	if (c->notes != NULL)
		fprintf(f, "\n%s", c->notes);
	if (c->examples != NULL)
		fprintf(f, "\nExamples:\n%s", c->examples);
}

/* Write a formatted message into err. */
static int check_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int check_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Where check_warn goes while argv is parsed; NULL: stderr. */
static check_warn_fn *check_warn_to;
static const void *check_warn_arg;

void check_warn(const char *fmt, ...)
{
	char msg[CHECK_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (check_warn_to != NULL)
		check_warn_to(check_warn_arg, msg);
	else
		fprintf(stderr, "warning: %s\n", msg);
}

/* check_warn during a scheduled run's parse: said once, at validation. */
static void check_warn_drop(const void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Parse -t "SECONDS" or "SECONDS:STATE". */
static int check_parse_timeout(const char *arg, struct check_common *cm, char *err, size_t errlen)
{
	char *end;
	double t;

	errno = 0;
	t = strtod(arg, &end);
	if (errno != 0 || end == arg || !isfinite(t) || t <= 0 || t > 86400 ||
	    (*end != '\0' && *end != ':'))
		return check_err(err, errlen,
				 "invalid timeout '%s': want seconds > 0, at most 86400", arg);
	if (*end == ':') {
		int s = state_parse(end + 1);

		if (s < 0)
			return check_err(err, errlen, "invalid timeout state '%s'", end + 1);
		cm->timeout_state = (enum state)s;
	}
	cm->timeout_s = t;
	return 0;
}

/* 1 when the port of one --resolver server (s, n bytes: ADDR, ADDR:PORT or [ADDR]:PORT) is fine. */
static int check_resolver_port_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n), *p;
	long port = 0;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (close == NULL || close + 1 == s + n)
			return close != NULL; /* "[::1]": no port */
		if (close[1] != ':')
			return 0;
		colon = close + 1;
	} else if (colon == NULL || memchr(colon + 1, ':', (size_t)(s + n - colon - 1)) != NULL) {
		return 1; /* no port, or a bare IPv6 address (c-ares checks the address) */
	}
	if (colon + 1 == s + n)
		return 0;
	for (p = colon + 1; p < s + n; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return 0;
		port = port * 10 + (*p - '0');
	}
	return port >= 1 && port <= 65535;
}

int check_resolver_valid(const char *arg, char *err, size_t errlen)
{
	for (const char *s = arg;; s++) {
		size_t n = strcspn(s, ",");

		if (!check_resolver_port_ok(s, n))
			return check_err(err, errlen,
					 "invalid --resolver '%s': want ADDR[:PORT], PORT 1..65535",
					 arg);
		s += n;
		if (*s == '\0')
			break;
	}
	return 0;
}

/* --resolver ADDR[:PORT][,...]: every port 1..65535 (c-ares would cut a bigger one to 16 bits). */
static int check_parse_resolver(const char *arg, struct check_common *cm, char *err, size_t errlen)
{
	if (check_resolver_valid(arg, err, errlen) != 0)
		return -1;
	cm->resolver = arg;
	return 0;
}

/* One common option; 1 if it was not a common one, 2 for help/version, -1 on error. */
static int check_common_option(const struct check *c, struct check_common *cm, int opt,
			       const char *arg, FILE *f, char *err, size_t errlen)
{
	switch (opt) {
	case 'h': check_help(c, f); return 2;
	case 'V': fprintf(f, "%s (mailpath %s)\n", c->name, MAILPATH_VERSION); return 2;
	case 't': return check_parse_timeout(arg, cm, err, errlen);
	case 'v': cm->verbose++; return 0;
	case '4': cm->family = AF_INET; return 0;
	case '6': cm->family = AF_INET6; return 0;
	case OPT_OUTPUT:
		if (strcmp(arg, "json") == 0)
			cm->json = 1;
		else if (strcmp(arg, "nagios") == 0 || strcmp(arg, "text") == 0)
			cm->json = 0;
		else
			return check_err(err, errlen, "invalid --output '%s': want nagios or json",
					 arg);
		return 0;
	case OPT_RESOLVER: return check_parse_resolver(arg, cm, err, errlen);
	default: break;
	}
	return 1;
}

int check_parse(const struct check *c, void *ctx, struct check_common *cm, int argc, char **argv,
		FILE *f, char *err, size_t errlen)
{
	char shortopts[160];
	struct option *longopts;
	int opt, rc = 0;

	memset(cm, 0, sizeof(*cm));
	cm->timeout_s = 10;
	cm->timeout_state = STATE_CRITICAL;
	cm->family = AF_UNSPEC;
	if (check_getopt(c, shortopts, sizeof(shortopts), &longopts) != 0) {
		free(longopts);
		return check_err(err, errlen, "out of memory or too many options");
	}
	optind = 0; /* GNU getopt: full reinitialisation, so the subagent can parse many times */
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const char *bad = argv[optind - 1];

		if (opt == '?') {
			rc = optopt ? check_err(err, errlen, "unknown option -%c", optopt)
				    : check_err(err, errlen, "unknown option %s", bad);
			break;
		}
		if (opt == ':') {
			rc = check_err(err, errlen, "option %s needs a value", bad);
			break;
		}
		rc = check_common_option(c, cm, opt, optarg, f, err, errlen);
		if (rc == 1)
			rc = c->option(ctx, opt, optarg, err, errlen);
	}
	free(longopts);
	if (rc == 2)
		return 1;
	if (rc != 0)
		return -1;
	if (optind < argc)
		return check_err(err, errlen, "unexpected argument '%s'", argv[optind]);
	return c->validate(ctx, cm, err, errlen);
}

void check_finish(const struct check_common *cm, struct out *o)
{
	if (o->timed_out)
		o->state = cm->timeout_state;
}

struct check_wait {
	int done;
	struct ev_loop *loop;
};

static void check_on_done(void *arg)
{
	struct check_wait *w = arg;

	w->done = 1;
	ev_break(w->loop);
}

/* Backstop half a second after the deadline: report whatever is there. */
static void check_on_backstop(struct ev_timer *t, void *arg)
{
	struct check_wait *w = arg;

	(void)t;
	ev_break(w->loop);
}

/* 1 when argv asks for --output json (looked at before parsing, for usage errors). */
static int check_wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--output=json") == 0 ||
		    (strcmp(argv[i], "--output") == 0 && i + 1 < argc &&
		     strcmp(argv[i + 1], "json") == 0))
			return 1;
	}
	return 0;
}

/* Print the UNKNOWN result for a usage or set-up error, as text or as one JSON object. */
static int check_unknown(const struct check *c, const char *msg, int json)
{
	struct out o;

	out_init(&o, c->name, c->service);
	out_state(&o, STATE_UNKNOWN);
	out_summary_untrusted(&o, msg, strlen(msg), CHECK_ERR_MAX - 1);
	for (const char *const *k = c->json_keys; k != NULL && *k != NULL; k++)
		out_fact_null(&o.facts, *k); /* the keys of every other outcome, null */
	(void)out_print(&o, stdout, json);
	out_reset(&o);
	return STATE_UNKNOWN;
}

int check_main(const struct check *c, int argc, char **argv)
{
	struct check_common cm;
	struct check_env env = {0};
	struct check_wait w = {0};
	struct ev_timer backstop;
	struct out o;
	char err[CHECK_ERR_MAX] = "";
	void *ctx = calloc(1, c->ctx_size);
	int rc;

	if (ctx == NULL)
		return check_unknown(c, "out of memory", check_wants_json(argc, argv));
	rc = check_parse(c, ctx, &cm, argc, argv, stdout, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0)
			check_unknown(c, err, cm.json || check_wants_json(argc, argv));
		rc = STATE_UNKNOWN; /* usage error, or --help / --version printed */
		goto out;
	}
	env.common = &cm;
	env.loop = w.loop = ev_loop_new();
	if (env.loop == NULL) {
		rc = check_unknown(c, "out of memory", cm.json);
		goto out;
	}
	env.dns = dns_new(env.loop, cm.resolver, err, sizeof(err));
	if (env.dns == NULL) {
		rc = check_unknown(c, err, cm.json);
		goto out;
	}
	env.deadline_us = ev_now_us() + (int64_t)(cm.timeout_s * 1e6);
	if (c->start(ctx, &env, check_on_done, &w, err, sizeof(err)) != 0) {
		rc = check_unknown(c, err, cm.json);
		goto out;
	}
	ev_timer_init(&backstop);
	ev_timer_start(env.loop, &backstop, env.deadline_us + 500000, check_on_backstop, &w);
	ev_run(env.loop);
	ev_timer_stop(env.loop, &backstop);
	out_init(&o, c->name, c->service);
	c->report(ctx, &cm, &o);
	check_finish(&cm, &o);
	fflush(stdout);
	rc = out_print(&o, stdout, cm.json);
	out_reset(&o);
out:
	if (c->cleanup)
		c->cleanup(ctx);
	dns_free(env.dns);
	ev_loop_free(env.loop);
	free(ctx);
	return rc;
}

/* One run of a check on a caller's loop (see check_run_start in check.h). */
struct check_run {
	const struct check *c;
	struct check_common cm;
	struct check_env env;
	struct dns *own_dns; /* when the check names its own --resolver */
	void *ctx;
	int argc;
	char **argv; /* owned copy: the check's options point into it */
	int started, finished, notified;
	struct ev_timer notify;   /* defers done() out of the check's callbacks */
	struct ev_timer backstop; /* deadline + 0.5 s */
	check_done_cb *done;
	void *arg;
};

/* Copy argv (argc entries plus a terminating NULL); NULL when out of memory. */
static char **check_argv_dup(int argc, char *const *argv)
{
	char **v = (char **)calloc((size_t)argc + 1, sizeof(*v));

	for (int i = 0; v != NULL && i < argc; i++)
		if ((v[i] = strdup(argv[i])) == NULL) {
			while (i-- > 0)
				free(v[i]);
			free((void *)v);
			return NULL;
		}
	return v;
}

/*
 * Parse argv into a fresh ctx of r, warnings to warn(arg, msg); 0 or -1 with
 * a message ("--help" is an error).
 */
static int check_run_parse(struct check_run *r, check_warn_fn *warn, const void *arg, char *err,
			   size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return check_err(err, errlen, "out of memory");
	check_warn_to = warn;
	check_warn_arg = arg;
	rc = check_parse(r->c, r->ctx, &r->cm, r->argc, r->argv, f, err, errlen);
	check_warn_to = NULL;
	check_warn_arg = NULL;
	fclose(f);
	free(text);
	if (rc == 1)
		return check_err(err, errlen, "--help and --version have no place here");
	return rc;
}

/* Timer: tell the owner, once. */
static void check_run_on_notify(struct ev_timer *t, void *arg)
{
	struct check_run *r = arg;

	(void)t;
	if (r->notified)
		return;
	r->notified = 1;
	ev_timer_stop(r->env.loop, &r->backstop);
	r->done(r->arg);
}

/* The check called done: notify from a fresh timer callback. */
static void check_run_on_done(void *arg)
{
	struct check_run *r = arg;

	r->finished = 1;
	if (!r->notified)
		ev_timer_start(r->env.loop, &r->notify, 0, check_run_on_notify, r);
}

/* The deadline passed half a second ago: report whatever is there. */
static void check_run_on_backstop(struct ev_timer *t, void *arg)
{
	check_run_on_notify(t, arg);
}

/* Allocate a run with a parsed ctx; NULL with a message. */
static struct check_run *check_run_new(const struct check *c, int argc, char *const *argv,
				       check_warn_fn *warn, const void *warn_arg, char *err,
				       size_t errlen)
{
	struct check_run *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		check_err(err, errlen, "out of memory");
		return NULL;
	}
	r->c = c;
	r->argc = argc;
	if ((r->ctx = calloc(1, c->ctx_size)) == NULL ||
	    (r->argv = check_argv_dup(argc, argv)) == NULL) {
		check_err(err, errlen, "out of memory");
		check_run_free(r);
		return NULL;
	}
	ev_timer_init(&r->notify);
	ev_timer_init(&r->backstop);
	if (check_run_parse(r, warn, warn_arg, err, errlen) != 0) {
		check_run_free(r);
		return NULL;
	}
	return r;
}

struct check_run *check_run_start(const struct check *c, struct ev_loop *loop, struct dns *dns,
				  int argc, char *const *argv, check_done_cb *done, void *arg,
				  char *err, size_t errlen)
{
	struct check_run *r = check_run_new(c, argc, argv, check_warn_drop, NULL, err, errlen);

	if (r == NULL)
		return NULL;
	r->done = done;
	r->arg = arg;
	r->env.loop = loop;
	r->env.common = &r->cm;
	r->env.dns = dns;
	if (r->cm.resolver != NULL || dns == NULL) {
		r->own_dns = dns_new(loop, r->cm.resolver, err, errlen);
		if (r->own_dns == NULL)
			goto fail;
		r->env.dns = r->own_dns;
	}
	r->env.deadline_us = ev_now_us() + (int64_t)(r->cm.timeout_s * 1e6);
	r->started = 1;
	if (c->start(r->ctx, &r->env, check_run_on_done, r, err, errlen) != 0)
		goto fail;
	ev_timer_start(loop, &r->backstop, r->env.deadline_us + 500000, check_run_on_backstop, r);
	return r;
fail:
	check_run_free(r);
	return NULL;
}

void check_run_report(struct check_run *r, struct out *o)
{
	out_init(o, r->c->name, r->c->service);
	r->c->report(r->ctx, &r->cm, o);
	check_finish(&r->cm, o);
}

void check_run_free(struct check_run *r)
{
	if (r == NULL)
		return;
	if (r->env.loop != NULL) {
		ev_timer_stop(r->env.loop, &r->notify);
		ev_timer_stop(r->env.loop, &r->backstop);
	}
	if (r->ctx != NULL && r->c->cleanup != NULL)
		r->c->cleanup(r->ctx);
	dns_free(r->own_dns);
	free(r->ctx);
	for (int i = 0; r->argv != NULL && i < r->argc; i++)
		free(r->argv[i]);
	free((void *)r->argv);
	free(r);
}

int check_run_validate(const struct check *c, int argc, char *const *argv, check_warn_fn *warn,
		       const void *warn_arg, char *err, size_t errlen)
{
	struct check_run *r = check_run_new(c, argc, argv, warn, warn_arg, err, errlen);

	if (r == NULL)
		return -1;
	check_run_free(r);
	return 0;
}
