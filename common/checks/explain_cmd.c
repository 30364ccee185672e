/*
 * explain_cmd.c - `mailpath explain`: what a reply, log line or delay
 * reason means.
 *
 * The options, the text (argv words joined by blanks, or one line from
 * stdin for "-"), the run through mta_explain (the one classifier and the
 * knowledge base) and the printing as "key: value" lines or one JSON
 * object. Every untrusted string is sanitised here, at the output, so each
 * field stays one bounded line. Exit codes: 0 when the text was explained
 * (a text nothing knows gets the classifier's "unclassified"); 3 on a
 * usage error.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "checks/commands.h"
#include "front/out_render.h"
#include "mta/mta_explain.h"

enum { OPT_OUTPUT = 0x100 };

#define EXPLAIN_OUT_MAX 1024 /* one printed field at most (the input is cut here) */

/* --output is listed once in the help, by spf's table (the same words). */
static const struct check_opt explain_cmd_opts[] = {
	CHECK_OPT_END,
};

/* What explain parses: -h and -V after the command too, and --output. */
static const struct check_opt explain_cmd_hidden[] = {
	{"help", no_argument, 'h', NULL, ""},
	{"version", no_argument, 'V', NULL, ""},
	{"output", required_argument, OPT_OUTPUT, "text|json", ""},
	CHECK_OPT_END,
};

/* Parse argv (argv[0] is "explain"): 0 with *first the first text word, 1 after --help/--version, -1 with err. */
static int explain_cmd_parse(int argc, char **argv, FILE *out, int *json, int *first, char *err,
			     size_t errlen)
{
	const struct check_opt *const tables[] = {explain_cmd_hidden, NULL};
	char shortopts[64];
	struct option *longopts = NULL;
	int opt, rc = 0;

	/* "+" first: options only before the text, whose words may start with '-' */
	shortopts[0] = '+';
	if (check_opts_getopt(tables, shortopts + 1, sizeof(shortopts) - 1, &longopts) != 0) {
		free(longopts);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	optind = 0;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == 'h' || opt == 'V') {
			opt == 'h' ? checks_cmd_help(out) : checks_cmd_version(out);
			rc = 1;
		} else if (opt == OPT_OUTPUT &&
			   (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0)) {
			*json = strcmp(optarg, "json") == 0;
		} else {
			if (opt == OPT_OUTPUT)
				snprintf(err, errlen, "invalid --output '%.64s': want text or json",
					 optarg);
			else if (opt == ':')
				snprintf(err, errlen, "%.64s needs a value", argv[optind - 1]);
			else
				snprintf(err, errlen, "unknown option %.64s", argv[optind - 1]);
			rc = -1;
		}
	}
	free(longopts);
	if (rc == 0 && optind >= argc) {
		snprintf(err, errlen,
			 "a reply, log line or delay reason is required (or - for stdin)");
		rc = -1;
	}
	*first = optind;
	return rc;
}

/* The text: argv words joined by blanks, or one line of stdin for a lone "-". NULL: out of memory or no line. */
static char *explain_cmd_text(int argc, char **argv, int first, FILE *in, size_t *len)
{
	size_t n = 0, cap = 0;
	char *s = NULL;
	ssize_t got;

	if (first == argc - 1 && strcmp(argv[first], "-") == 0) {
		got = getline(&s, &cap, in);
		if (got <= 0) {
			free(s);
			return NULL;
		}
		*len = (size_t)got;
		return s;
	}
	for (int i = first; i < argc; i++)
		cap += strlen(argv[i]) + 1;
	if ((s = malloc(cap + 1)) == NULL)
		return NULL;
	for (int i = first; i < argc; i++) {
		size_t k = strlen(argv[i]);

		if (i > first)
			s[n++] = ' ';
		memcpy(s + n, argv[i], k);
		n += k;
	}
	s[n] = '\0';
	*len = n;
	return s;
}

/* "421" or NULL; "4.7.28" or NULL. */
static void explain_cmd_codes(const struct mta_explain *e, char *code, size_t clen, char *enh,
			      size_t elen)
{
	code[0] = enh[0] = '\0';
	if (e->fail.code != 0)
		snprintf(code, clen, "%d", e->fail.code);
	if (e->fail.enh.cls != 0)
		snprintf(enh, elen, "%d.%d.%d", e->fail.enh.cls, e->fail.enh.subject,
			 e->fail.enh.detail);
}

/* Untrusted or table text into o[key], sanitised; NULL or "" as null. */
static void explain_cmd_json_str(json_object *o, const char *key, const char *s)
{
	char buf[EXPLAIN_OUT_MAX];

	if (s == NULL || s[0] == '\0') {
		json_object_object_add(o, key, NULL);
		return;
	}
	out_sanitize(buf, sizeof(buf), s, strlen(s));
	json_object_object_add(o, key, json_object_new_string(buf));
}

/* The explanation as one JSON object. */
static void explain_cmd_json(FILE *out, const struct mta_explain *e)
{
	json_object *j = json_object_new_object(), *m = json_object_new_object(), *p = NULL;
	char code[8], enh[40], text[EXPLAIN_OUT_MAX];

	explain_cmd_codes(e, code, sizeof(code), enh, sizeof(enh));
	out_sanitize(text, sizeof(text), e->text + e->reason_off, e->reason_len);
	explain_cmd_json_str(j, "cause", e->cause->name);
	explain_cmd_json_str(j, "phase",
			     e->fail.phase != PHASE_NONE ? phase_name(e->fail.phase) : NULL);
	json_object_object_add(j, "code",
			       e->fail.code != 0 ? json_object_new_int(e->fail.code) : NULL);
	explain_cmd_json_str(j, "enhanced", enh);
	explain_cmd_json_str(m, "code", e->code_meaning);
	explain_cmd_json_str(m, "code_class", e->code_class);
	explain_cmd_json_str(m, "enhanced", e->enh_detail);
	explain_cmd_json_str(m, "enhanced_class", e->enh_class);
	explain_cmd_json_str(m, "enhanced_subject", e->enh_subject);
	json_object_object_add(j, "meaning", m);
	explain_cmd_json_str(j, "hint", e->cause->hint);
	if (e->kb != NULL) {
		p = json_object_new_object();
		explain_cmd_json_str(p, "name", e->kb->provider);
		explain_cmd_json_str(p, "kind", kb_kind_name(e->kb->kind));
		explain_cmd_json_str(p, "meaning", e->kb->meaning);
		explain_cmd_json_str(p, "next", e->kb->next);
		explain_cmd_json_str(p, "reference", e->kb->reference);
	}
	json_object_object_add(j, "provider", p);
	explain_cmd_json_str(j, "source", mta_explain_source_name(e->source));
	explain_cmd_json_str(j, "text", text);
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
}

/* One "key: value" line, the value sanitised; nothing for NULL or "". */
static void explain_cmd_line(FILE *out, const char *key, const char *value)
{
	char buf[EXPLAIN_OUT_MAX];

	if (value == NULL || value[0] == '\0')
		return;
	out_sanitize(buf, sizeof(buf), value, strlen(value));
	fprintf(out, "%s: %s\n", key, buf);
}

/* "a (b; c)" from the present parts, into buf. */
static const char *explain_cmd_join(char *buf, size_t len, const char *a, const char *b,
				    const char *c)
{
	if (a[0] == '\0')
		return NULL;
	snprintf(buf, len, "%s%s%s%s%s%s", a, b || c ? " (" : "", b ? b : "", b && c ? "; " : "",
		 c ? c : "", b || c ? ")" : "");
	return buf;
}

/* The explanation as "key: value" lines. */
static void explain_cmd_text_out(FILE *out, const struct mta_explain *e)
{
	char code[8], enh[40], buf[EXPLAIN_OUT_MAX], subj[256];

	explain_cmd_codes(e, code, sizeof(code), enh, sizeof(enh));
	explain_cmd_line(out, "cause", e->cause->name);
	explain_cmd_line(out, "phase",
			 e->fail.phase != PHASE_NONE ? phase_name(e->fail.phase) : NULL);
	explain_cmd_line(out, "code",
			 explain_cmd_join(buf, sizeof(buf), code, e->code_class, e->code_meaning));
	snprintf(subj, sizeof(subj), "%s%s%s", e->enh_subject ? e->enh_subject : "",
		 e->enh_subject && e->enh_detail ? ": " : "", e->enh_detail ? e->enh_detail : "");
	explain_cmd_line(out, "enhanced",
			 explain_cmd_join(buf, sizeof(buf), enh, e->enh_class,
					  subj[0] != '\0' ? subj : NULL));
	explain_cmd_line(out, "hint", e->cause->hint);
	if (e->kb != NULL) {
		snprintf(buf, sizeof(buf), "%s (%s)", e->kb->provider, kb_kind_name(e->kb->kind));
		explain_cmd_line(out, "provider", buf);
		explain_cmd_line(out, "provider_meaning", e->kb->meaning);
		explain_cmd_line(out, "provider_next", e->kb->next);
		explain_cmd_line(out, "reference", e->kb->reference);
	}
	explain_cmd_line(out, "source", mta_explain_source_name(e->source));
	out_sanitize(buf, sizeof(buf), e->text + e->reason_off, e->reason_len);
	explain_cmd_line(out, "text", buf);
}

/* `mailpath explain`: parse, explain, print. */
static int explain_cmd_run(int argc, char **argv, FILE *out, FILE *errf)
{
	char err[CHECK_ERR_MAX];
	int json = 0, first = 0;
	int rc = explain_cmd_parse(argc, argv, out, &json, &first, err, sizeof(err));
	struct mta_explain *e;
	size_t len = 0;
	char *text;

	if (rc != 0)
		return rc > 0 ? CHECKS_CMD_OK : checks_cmd_usage(errf, "explain", err);
	if ((text = explain_cmd_text(argc, argv, first, stdin, &len)) == NULL)
		return checks_cmd_usage(errf, "explain", "no text (stdin gave no line)");
	if ((e = malloc(sizeof(*e))) == NULL ||
	    mta_explain(text, len, (long long)time(NULL), e) != 0) {
		free(e);
		free(text);
		return checks_cmd_usage(errf, "explain", "out of memory");
	}
	if (json)
		explain_cmd_json(out, e);
	else
		explain_cmd_text_out(out, e);
	free(e);
	free(text);
	return CHECKS_CMD_OK;
}

const struct checks_cmd checks_cmd_explain = {
	.name = "explain",
	.synopsis = "[--output json] TEXT... | -",
	.opts = explain_cmd_opts,
	.notes = "explain reads an SMTP reply (multi-line replies joined), a Postfix or Exim log\n"
		 "line, or a queue delay reason (TEXT: the words joined by blanks; - reads one\n"
		 "line from stdin; the first 4095 bytes count) and prints the cause (the names\n"
		 "check_mail_smtp, check_mail_log and check_mail_queue use), the phase, what the\n"
		 "reply code (RFC 5321 section 4.2) and the enhanced status code (RFC 3463, IANA)\n"
		 "mean, the hint, and a big receiver's documented meaning of that reply with its\n"
		 "reference. A text nothing knows gets the cause \"unclassified\".\n"
		 "\n"
		 "Exit status of explain: 0 when the text was explained (unclassified\n"
		 "included); 3 on a usage error (no text, an unknown option).\n",
	.examples =
		" mailpath explain 421 4.7.28 Gmail has detected an unusual rate of unsolicited mail\n"
		"    The cause, the codes' meanings and Gmail's documented reply\n"
		" tail -n1 /var/log/mail.log | mailpath explain --output json -\n"
		"    The last log line's deferral or bounce, as one JSON object\n",
	.run = explain_cmd_run,
};
