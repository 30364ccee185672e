/*
 * spf_cmd.c - `mailpath spf`: evaluate SPF (RFC 7208) like spfquery.
 *
 * The options, the run through dns/spf_run (one loop, one deadline) and
 * the printing of the outcome as "key: value" lines or one JSON object.
 * Untrusted text (from DNS or the command line) is sanitised here, at the
 * output. Exit codes: 0 when a result was reached, whatever it is; 3 on a
 * usage error or when -t ran out before a result.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "checks/commands.h"
#include "dns/spf_run.h"
#include "front/out_render.h"

enum { OPT_IP = 0x100, OPT_SENDER, OPT_HELO, OPT_RESOLVER, OPT_OUTPUT };

static const struct check_opt spf_cmd_opts[] = {
	{"ip", required_argument, OPT_IP, "ADDR",
	 "spf: the SMTP client's IPv4 or IPv6 address (required)"},
	{"sender", required_argument, OPT_SENDER, "ADDR",
	 "spf: the MAIL FROM address (required); \"\" is the null sender, then\n"
	 "postmaster@HELO and the HELO domain are checked"},
	{"helo", required_argument, OPT_HELO, "NAME", "spf: the HELO/EHLO name (required)"},
	{"resolver", required_argument, OPT_RESOLVER, "ADDR[:PORT]",
	 "Ask this DNS server instead of those in /etc/resolv.conf"},
	{"timeout", required_argument, 't', "SECONDS",
	 "Hard limit for the whole evaluation (default 10, at most 86400)"},
	{"output", required_argument, OPT_OUTPUT, "text|json",
	 "Print \"key: value\" lines (default) or one JSON object"},
	{"verbose", no_argument, 'v', NULL,
	 "spf: trace the evaluation (each lookup, record, match): \"trace:\" lines\n"
	 "before the result, or the JSON key \"trace\", an array of them"},
	CHECK_OPT_END,
};

/* -h and -V are accepted after the command too (listed once, by commands.c). */
static const struct check_opt spf_cmd_hidden[] = {
	{"help", no_argument, 'h', NULL, ""},
	{"version", no_argument, 'V', NULL, ""},
	CHECK_OPT_END,
};

/* The options of one run. */
struct spf_cmd_args {
	const char *ip, *sender, *helo, *resolver;
	double timeout_s;
	int json;
	int verbose;
	FILE *out;
	json_object *trace; /* -v with JSON: the lines so far */
};

/* One option into a; 0, 1 after --help/--version (printed to out), or -1 with err. */
static int spf_cmd_option(struct spf_cmd_args *a, int opt, const char *arg, FILE *out, char *err,
			  size_t errlen)
{
	char *end;

	switch (opt) {
	case 'h': checks_cmd_help(out); return 1;
	case 'V': checks_cmd_version(out); return 1;
	case OPT_IP: a->ip = arg; return 0;
	case OPT_SENDER: a->sender = arg; return 0;
	case OPT_HELO: a->helo = arg; return 0;
	case 'v': a->verbose = 1; return 0;
	case OPT_RESOLVER: a->resolver = arg; return check_resolver_valid(arg, err, errlen);
	case OPT_OUTPUT:
		a->json = strcmp(arg, "json") == 0;
		if (a->json || strcmp(arg, "text") == 0)
			return 0;
		snprintf(err, errlen, "invalid --output '%s': want text or json", arg);
		return -1;
	case 't':
		errno = 0;
		a->timeout_s = strtod(arg, &end);
		if (errno == 0 && end != arg && *end == '\0' && a->timeout_s > 0 &&
		    a->timeout_s <= 86400)
			return 0;
		snprintf(err, errlen, "invalid -t '%s': want seconds, 0 < t <= 86400", arg);
		return -1;
	default: break;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

/* Parse argv (argv[0] is "spf"); 0, 1 after --help/--version, or -1 with a message in err. */
static int spf_cmd_parse(struct spf_cmd_args *a, int argc, char **argv, FILE *out, char *err,
			 size_t errlen)
{
	const struct check_opt *const tables[] = {spf_cmd_hidden, spf_cmd_opts, NULL};
	char shortopts[64];
	struct option *longopts = NULL;
	int opt, rc = 0;

	a->timeout_s = 10;
	if (check_opts_getopt(tables, shortopts, sizeof(shortopts), &longopts) != 0) {
		free(longopts);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	optind = 0;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == ':')
			snprintf(err, errlen, "%s needs a value", argv[optind - 1]);
		else if (opt == '?')
			snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
		rc = opt == ':' || opt == '?' ? -1
					      : spf_cmd_option(a, opt, optarg, out, err, errlen);
	}
	free(longopts);
	if (rc == 0 && optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		rc = -1;
	}
	if (rc == 0 && (a->ip == NULL || a->sender == NULL || a->helo == NULL)) {
		snprintf(err, errlen, "--ip, --sender and --helo are required");
		rc = -1;
	}
	return rc;
}

/* Add untrusted text to a JSON object, sanitised (NULL, or "" unless keep_empty: null). */
static void spf_cmd_json_str(json_object *o, const char *key, const char *s, int keep_empty)
{
	char buf[SPF_EXP_MAX];

	if (s == NULL || (s[0] == '\0' && !keep_empty)) {
		json_object_object_add(o, key, NULL);
		return;
	}
	out_sanitize(buf, sizeof(buf), s, strlen(s));
	json_object_object_add(o, key, json_object_new_string(buf));
}

/* The outcome as one JSON object (result null when timed out). */
static void spf_cmd_json(FILE *out, const struct spf_cmd_args *a, const struct spf_outcome *o,
			 const char *result, const char *err)
{
	json_object *j = json_object_new_object();

	spf_cmd_json_str(j, "result", result, 0);
	spf_cmd_json_str(j, "mechanism", o->mechanism, 0);
	json_object_object_add(j, "lookups", json_object_new_int(o->lookups));
	json_object_object_add(j, "void_lookups", json_object_new_int(o->void_lookups));
	spf_cmd_json_str(j, "explanation", o->has_explanation ? o->explanation : NULL, 1);
	spf_cmd_json_str(j, "domain", o->domain, 0);
	spf_cmd_json_str(j, "ip", a->ip, 0);
	spf_cmd_json_str(j, "sender", o->sender, 0);
	spf_cmd_json_str(j, "helo", a->helo, 1);
	spf_cmd_json_str(j, "error", err, 0);
	if (a->trace != NULL)
		json_object_object_add(j, "trace", json_object_get(a->trace));
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
}

/* One "key: value" line of untrusted text; nothing when value is empty. */
static void spf_cmd_line(FILE *out, const char *key, const char *value)
{
	char buf[SPF_EXP_MAX];

	if (value[0] == '\0')
		return;
	out_sanitize(buf, sizeof(buf), value, strlen(value));
	fprintf(out, "%s: %s\n", key, buf);
}

/* Print the outcome (timed_out: no result) as JSON or as "key: value" lines. */
static void spf_cmd_print(FILE *out, const struct spf_cmd_args *a, const struct spf_outcome *o,
			  int timed_out)
{
	const char *result = timed_out ? NULL : spf_result_name(o->result);
	char err[SPF_ERR_MAX + 64];

	if (timed_out)
		snprintf(err, sizeof(err), "timed out after %g s without a result", a->timeout_s);
	else
		snprintf(err, sizeof(err), "%s", o->error);
	if (a->json) {
		spf_cmd_json(out, a, o, result, err);
		return;
	}
	fprintf(out, "result: %s\n", timed_out ? "none (timed out)" : result);
	spf_cmd_line(out, "mechanism", o->mechanism);
	spf_cmd_line(out, "domain", o->domain);
	fprintf(out, "lookups: %d\nvoid_lookups: %d\n", o->lookups, o->void_lookups);
	if (o->has_explanation)
		spf_cmd_line(out, "explanation", o->explanation);
	spf_cmd_line(out, "error", err);
}

/* One trace line (from DNS: sanitised): printed at once, or kept for the JSON object. */
static void spf_cmd_trace(const char *line, void *arg)
{
	struct spf_cmd_args *a = arg;
	char buf[SPF_EXP_MAX];

	out_sanitize(buf, sizeof(buf), line, strlen(line));
	if (a->trace != NULL)
		json_object_array_add(a->trace, json_object_new_string(buf));
	else if (!a->json)
		fprintf(a->out, "trace: %s\n", buf);
}

/* `mailpath spf`: parse, evaluate on the loop, print. */
static int spf_cmd_run(int argc, char **argv, FILE *out, FILE *errf)
{
	struct spf_cmd_args a = {0};
	struct spf_query q = {0};
	struct spf_outcome o;
	char err[CHECK_ERR_MAX];
	int rc = spf_cmd_parse(&a, argc, argv, out, err, sizeof(err));

	if (rc != 0)
		return rc > 0 ? CHECKS_CMD_OK : checks_cmd_usage(errf, "spf", err);
	if (net_addr_parse(a.ip, 0, &q.ip) != 0)
		return checks_cmd_usage(errf, "spf", "--ip wants an IPv4 or IPv6 address");
	q.sender = a.sender;
	q.helo = a.helo;
	q.now = (long long)time(NULL);
	a.out = out;
	if (a.verbose) {
		q.trace = spf_cmd_trace;
		q.trace_arg = &a;
		if (a.json && (a.trace = json_object_new_array()) == NULL)
			return checks_cmd_usage(errf, "spf", "out of memory");
	}
	rc = spf_run(&q, a.resolver, a.timeout_s, &o, err, sizeof(err));
	if (rc < 0) {
		json_object_put(a.trace);
		return checks_cmd_usage(errf, "spf", err);
	}
	spf_cmd_print(out, &a, &o, rc == 1);
	json_object_put(a.trace);
	if (rc == 0)
		return CHECKS_CMD_OK;
	fprintf(errf, "mailpath spf: timed out after %g s\n", a.timeout_s);
	return CHECKS_CMD_USAGE;
}

const struct checks_cmd checks_cmd_spf = {
	.name = "spf",
	.synopsis = "--ip ADDR --sender ADDR --helo NAME [--resolver ADDR[:PORT]]\n"
		    "       [-t SECONDS] [--output json] [-v]",
	.opts = spf_cmd_opts,
	.notes = "The spf result is one of pass, fail, softfail, neutral, none, permerror and\n"
		 "temperror (RFC 7208 section 2.6), with the mechanism that matched, the\n"
		 "DNS-querying terms and void lookups counted against the limits of section\n"
		 "4.6.4 (10 and 2), and for fail the explanation of the exp= modifier.\n"
		 "\n"
		 "Exit status: 0 when a result was reached, whatever it is; 3 on a usage error\n"
		 "or when -t ran out before a result.\n",
	.examples =
		" mailpath spf --ip 192.0.2.10 --sender user@example.org --helo mail.example.org\n"
		"    Is 192.0.2.10 allowed to send mail from example.org?\n"
		" mailpath spf --ip 2001:db8::25 --sender \"\" --helo mail.example.org --output json\n"
		"    The HELO identity (null sender), as one JSON object\n",
	.run = spf_cmd_run,
};
