/*
 * mailpath - the command-line front end: `mailpath COMMAND [OPTIONS]`.
 *
 * Each command is a row of mailpath_cmds (name, options, run); today only
 * `spf`, which evaluates SPF (RFC 7208) like spfquery through
 * common/dns/spf_run. This file holds the options, the printing and the
 * exit codes: 0 when a result was reached (whatever it is), 3 on bad usage
 * or when -t ran out.
 */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dns/spf_run.h"
#include "front/check.h"
#include "front/out_render.h"

#ifndef MAILPATH_VERSION
#define MAILPATH_VERSION "0.1.0"
#endif

#define MAILPATH_USAGE 3

enum { OPT_IP = 0x100, OPT_SENDER, OPT_HELO, OPT_RESOLVER, OPT_OUTPUT };

static const struct check_opt mailpath_common_opts[] = {
	{"help", no_argument, 'h', NULL, "Print this help and exit"},
	{"version", no_argument, 'V', NULL, "Print the version and exit"},
	CHECK_OPT_END,
};

static const struct check_opt spf_opts[] = {
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
	CHECK_OPT_END,
};

/* The options of `mailpath spf`. */
struct spf_args {
	const char *ip, *sender, *helo, *resolver;
	double timeout_s;
	int json;
};

/* The whole --help: the layout scripts/man.sh turns into the man page. */
static void mailpath_help(FILE *f)
{
	const struct check_opt *const tables[] = {mailpath_common_opts, spf_opts, NULL};

	fprintf(f, "mailpath (mailpath %s)\n\n", MAILPATH_VERSION);
	fprintf(f, "Answers questions about the mail path from the command line. The spf command\n"
		   "evaluates SPF (RFC 7208) for a client address, MAIL FROM and HELO, as a\n"
		   "receiving MTA does, and tells which mechanism decided.\n\n");
	fprintf(f,
		"Usage:\n mailpath spf --ip ADDR --sender ADDR --helo NAME [--resolver ADDR[:PORT]]\n"
		"       [-t SECONDS] [--output json]\n mailpath --help | --version\n\nOptions:\n");
	check_opts_help(f, tables);
	fprintf(f,
		"\nThe result is one of pass, fail, softfail, neutral, none, permerror and temperror\n"
		"(RFC 7208 section 2.6), with the mechanism that matched, the DNS-querying terms\n"
		"and void lookups counted against the limits of section 4.6.4 (10 and 2), and\n"
		"for fail the explanation of the exp= modifier.\n\n"
		"Exit status: 0 when a result was reached, whatever it is; 3 on a usage error\n"
		"or when -t ran out before a result.\n\n"
		"Examples:\n"
		" mailpath spf --ip 192.0.2.10 --sender user@example.org --helo mail.example.org\n"
		"    Is 192.0.2.10 allowed to send mail from example.org?\n"
		" mailpath spf --ip 2001:db8::25 --sender \"\" --helo mail.example.org --output json\n"
		"    The HELO identity (null sender), as one JSON object\n");
}

/* A usage error: one line on stderr, exit 3. */
static int mailpath_usage(const char *cmd, const char *msg)
{
	fprintf(stderr, "mailpath%s%s: %s (see mailpath --help)\n", cmd ? " " : "", cmd ? cmd : "",
		msg);
	return MAILPATH_USAGE;
}

/* Parse the options of `mailpath spf` (argv[0] is "spf"); 0, 1 after --help, or -1 with err. */
static int spf_parse(struct spf_args *a, int argc, char **argv, char *err, size_t errlen)
{
	const struct check_opt *const tables[] = {mailpath_common_opts, spf_opts, NULL};
	char shortopts[64], *end;
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
		switch (opt) {
		case 'h':
			mailpath_help(stdout);
			rc = 1;
			break;
		case 'V':
			printf("mailpath (mailpath %s)\n", MAILPATH_VERSION);
			rc = 1;
			break;
		case OPT_IP: a->ip = optarg; break;
		case OPT_SENDER: a->sender = optarg; break;
		case OPT_HELO: a->helo = optarg; break;
		case OPT_RESOLVER:
			a->resolver = optarg;
			rc = check_resolver_valid(optarg, err, errlen);
			break;
		case OPT_OUTPUT:
			a->json = strcmp(optarg, "json") == 0;
			if (!a->json && strcmp(optarg, "text") != 0) {
				snprintf(err, errlen, "invalid --output '%s': want text or json",
					 optarg);
				rc = -1;
			}
			break;
		case 't':
			errno = 0;
			a->timeout_s = strtod(optarg, &end);
			if (errno || end == optarg || *end != '\0' || !(a->timeout_s > 0) ||
			    a->timeout_s > 86400) {
				snprintf(err, errlen,
					 "invalid -t '%s': want seconds, 0 < t <= 86400", optarg);
				rc = -1;
			}
			break;
		case ':':
			snprintf(err, errlen, "%s needs a value", argv[optind - 1]);
			rc = -1;
			break;
		default:
			snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
			rc = -1;
			break;
		}
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

/* Add untrusted text to a JSON object, sanitised (NULL or "" and !keep_empty: null). */
static void spf_json_str(json_object *o, const char *key, const char *s, int keep_empty)
{
	char buf[SPF_EXP_MAX];

	if (s == NULL || (s[0] == '\0' && !keep_empty)) {
		json_object_object_add(o, key, NULL);
		return;
	}
	out_sanitize(buf, sizeof(buf), s, strlen(s));
	json_object_object_add(o, key, json_object_new_string(buf));
}

/* Print the outcome (timed_out: no result) as JSON or as "key: value" lines. */
static void spf_print(const struct spf_args *a, const struct spf_outcome *o, int timed_out)
{
	const char *result = timed_out ? NULL : spf_result_name(o->result);
	char err[SPF_ERR_MAX + 64] = "", buf[SPF_EXP_MAX];

	if (timed_out)
		snprintf(err, sizeof(err), "timed out after %g s without a result", a->timeout_s);
	else
		snprintf(err, sizeof(err), "%s", o->error);
	if (a->json) {
		json_object *j = json_object_new_object();

		spf_json_str(j, "result", result, 0);
		spf_json_str(j, "mechanism", o->mechanism, 0);
		json_object_object_add(j, "lookups", json_object_new_int(o->lookups));
		json_object_object_add(j, "void_lookups", json_object_new_int(o->void_lookups));
		spf_json_str(j, "explanation", o->has_explanation ? o->explanation : NULL, 1);
		spf_json_str(j, "domain", o->domain, 0);
		spf_json_str(j, "ip", a->ip, 0);
		spf_json_str(j, "sender", o->sender, 0);
		spf_json_str(j, "helo", a->helo, 1);
		spf_json_str(j, "error", err, 0);
		printf("%s\n", json_object_to_json_string_ext(
				       j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
		return;
	}
	printf("result: %s\n", timed_out ? "none (timed out)" : result);
	if (o->mechanism[0] != '\0') {
		out_sanitize(buf, sizeof(buf), o->mechanism, strlen(o->mechanism));
		printf("mechanism: %s\n", buf);
	}
	out_sanitize(buf, sizeof(buf), o->domain, strlen(o->domain));
	printf("domain: %s\nlookups: %d\nvoid_lookups: %d\n", buf, o->lookups, o->void_lookups);
	if (o->has_explanation) {
		out_sanitize(buf, sizeof(buf), o->explanation, strlen(o->explanation));
		printf("explanation: %s\n", buf);
	}
	if (err[0] != '\0') {
		out_sanitize(buf, sizeof(buf), err, strlen(err));
		printf("error: %s\n", buf);
	}
}

/* `mailpath spf`: parse, evaluate on the loop, print. */
static int mailpath_spf(int argc, char **argv)
{
	struct spf_args a = {0};
	struct spf_query q = {0};
	struct spf_outcome o;
	char err[CHECK_ERR_MAX];
	int rc = spf_parse(&a, argc, argv, err, sizeof(err));

	if (rc != 0)
		return rc > 0 ? 0 : mailpath_usage("spf", err);
	if (net_addr_parse(a.ip, 0, &q.ip) != 0)
		return mailpath_usage("spf", "--ip wants an IPv4 or IPv6 address");
	q.sender = a.sender;
	q.helo = a.helo;
	q.now = (long long)time(NULL);
	rc = spf_run(&q, a.resolver, a.timeout_s, &o, err, sizeof(err));
	if (rc < 0)
		return mailpath_usage("spf", err);
	spf_print(&a, &o, rc == 1);
	if (rc == 1)
		fprintf(stderr, "mailpath spf: timed out after %g s\n", a.timeout_s);
	return rc == 1 ? MAILPATH_USAGE : 0;
}

/* The commands; diagnose and explain will join spf here. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} mailpath_cmds[] = {
	{"spf", mailpath_spf},
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return mailpath_usage(NULL, "a command is required: spf");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		mailpath_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("mailpath (mailpath %s)\n", MAILPATH_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(mailpath_cmds) / sizeof(mailpath_cmds[0]); i++)
		if (strcmp(argv[1], mailpath_cmds[i].name) == 0)
			return mailpath_cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mailpath: unknown command '%s' (see mailpath --help)\n", argv[1]);
	return MAILPATH_USAGE;
}
