/*
 * test_help.c - --help of check_mail_smtp, check_mail_mx, check_mail_queue,
 * check_mail_dnsbl and mailpath-agentx
 * against their parsers (issue 10): every option the parser accepts, long
 * and short, is in --help, every option --help names is accepted, and every
 * phase --phase-warning takes is listed. The parser is asked as a user
 * would: one option at a time, and "unknown option" means not accepted.
 */
#include <check.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/fail.h"
#include "checks/checks.h"
#include "sa_opts.h"

Suite *help_suite(void);

#define HELP_MAX_OPTS 128

/* The front ends under test. */
static const char *const help_progs[] = {"check_mail_smtp", "check_mail_mx", "check_mail_queue",
					 "check_mail_dnsbl", "mailpath-agentx"};

/* Parse argv with prog's parser; the error message (heap, "" when none) and the return code. */
static char *help_parse(const char *prog, int argc, char **argv, int *rc)
{
	char err[256] = "", *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert(f != NULL);
	if (strcmp(prog, "mailpath-agentx") == 0) {
		struct sa_opts o;

		sa_opts_init(&o);
		*rc = sa_opts_parse(&o, argc, argv, f, err, sizeof(err));
	} else {
		const struct check *c = checks_find(prog);
		struct check_common cm;
		void *ctx = calloc(1, c->ctx_size);

		ck_assert(ctx != NULL);
		*rc = check_parse(c, ctx, &cm, argc, argv, f, err, sizeof(err));
		if (c->cleanup != NULL)
			c->cleanup(ctx);
		free(ctx);
	}
	fclose(f);
	if (*rc == 1)
		return text; /* help or version: what was printed */
	free(text);
	return strdup(err);
}

/* prog's --help text (heap). */
static char *help_text(const char *prog)
{
	char *argv[] = {(char *)prog, (char *)"--help", NULL};
	int rc;
	char *t = help_parse(prog, 2, argv, &rc);

	ck_assert_msg(rc == 1, "%s --help: got rc %d (%s), want 1", prog, rc, t);
	return t;
}

/* 1 when prog's parser knows the option opt (given alone, without a value). */
static int help_accepted(const char *prog, const char *opt)
{
	char *argv[] = {(char *)prog, (char *)opt, NULL};
	int rc;
	char *err = help_parse(prog, 2, argv, &rc);
	int known = rc == 1 || strncmp(err, "unknown option", 14) != 0;

	free(err);
	return known;
}

/*
 * The options --help names: the first words of the lines of the Options
 * section that start with " -" (" -S, --starttls, --require-tls", " -c FILE"),
 * each cut at '=' or a blank. Returns the count; names are heap strings.
 */
static int help_names(const char *help, char **names, int max)
{
	const char *p = strstr(help, "\nOptions:\n");
	int n = 0;

	ck_assert_msg(p != NULL, "no Options: section in\n%s", help);
	for (p += 10; *p != '\0' && *p != '\n'; p = strchr(p, '\n') + 1) {
		const char *eol = strchr(p, '\n'), *q = p + 1;

		ck_assert(eol != NULL);
		if (p[0] != ' ' || p[1] != '-')
			continue; /* an explanation line */
		while (q < eol && *q == '-' && n < max) {
			size_t len = strcspn(q, "=, \n");

			names[n++] = strndup(q, len);
			q += len;
			q += strcspn(q, ",\n");
			if (*q == ',')
				q += 2;
			else
				break;
		}
	}
	return n;
}

/* 1 when help names opt ("-x" or "--long") as an option. */
static int help_lists(char *const *names, int n, const char *opt)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], opt) == 0)
			return 1;
	return 0;
}

/* The parser's own tables for prog. */
static void help_getopt(const char *prog, char *shortopts, size_t len, struct option **longopts)
{
	int rc = strcmp(prog, "mailpath-agentx") == 0
			 ? sa_opts_getopt(shortopts, len, longopts)
			 : check_getopt(checks_find(prog), shortopts, len, longopts);

	ck_assert_msg(rc == 0, "%s: no getopt tables", prog);
}

/* Every option the parser accepts (its tables, and every short option tried) is in --help. */
START_TEST(test_accepted_in_help)
{
	const char *prog = help_progs[_i];
	char *help = help_text(prog), *names[HELP_MAX_OPTS], shortopts[256], opt[4];
	int n = help_names(help, names, HELP_MAX_OPTS);
	struct option *lo;

	ck_assert_msg(n > 5, "%s: got %d options in --help, want more", prog, n);
	help_getopt(prog, shortopts, sizeof(shortopts), &lo);
	for (struct option *o = lo; o->name != NULL; o++) {
		char want[96];

		snprintf(want, sizeof(want), "--%s", o->name);
		ck_assert_msg(help_lists(names, n, want), "%s: parser takes %s, --help omits it",
			      prog, want);
	}
	free(lo);
	for (int c = '!'; c <= '~'; c++) {
		if (c == '-' || c == ':' || c == '?' || c == ';')
			continue;
		snprintf(opt, sizeof(opt), "-%c", c);
		if (help_accepted(prog, opt))
			ck_assert_msg(help_lists(names, n, opt),
				      "%s: parser takes %s, --help omits it", prog, opt);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(help);
}
END_TEST

/* Every option --help names is accepted by the parser. */
START_TEST(test_help_accepted)
{
	const char *prog = help_progs[_i];
	char *help = help_text(prog), *names[HELP_MAX_OPTS];
	int n = help_names(help, names, HELP_MAX_OPTS);

	for (int i = 0; i < n; i++) {
		ck_assert_msg(help_accepted(prog, names[i]),
			      "%s: --help names %s, parser refuses it", prog, names[i]);
		free(names[i]);
	}
	free(help);
}
END_TEST

/* The layout: description, usage, options with explanations, notes, examples. */
START_TEST(test_help_layout)
{
	const char *prog = help_progs[_i];
	char *help = help_text(prog);
	const char *u = strstr(help, "\nUsage:\n"), *o = strstr(help, "\nOptions:\n");
	const char *e = strstr(help, "\nExamples:\n");

	ck_assert_msg(u != NULL && o != NULL && e != NULL && u < o && o < e,
		      "%s: want Usage:, Options:, Examples: in order, got\n%s", prog, help);
	ck_assert_msg(strchr(help, '\n') < u - 20, "%s: want a description before the usage", prog);
	/* In the options section every line is an option or its indented explanation. */
	for (const char *p = o + 10; *p != '\n'; p = strchr(p, '\n') + 1)
		ck_assert_msg(strncmp(p, " -", 2) == 0 || strncmp(p, "    ", 4) == 0,
			      "%s: stray line among the options: \"%.*s\"", prog,
			      (int)strcspn(p, "\n"), p);
	free(help);
}
END_TEST

/* Every phase --phase-warning accepts is listed in check_mail_smtp --help. */
START_TEST(test_help_phases)
{
	char *help = help_text("check_mail_smtp");

	for (int p = PHASE_DNS; p < PHASE_MAX; p++) {
		char arg[64], *argv[] = {(char *)"check_mail_smtp", (char *)"-H", (char *)"x",
					 (char *)"--phase-warning", arg,          NULL};
		const char *name = phase_name((enum phase)p), *at = help;
		size_t len = strlen(name);
		int rc, listed = 0;
		char *err;

		snprintf(arg, sizeof(arg), "%s=1", name);
		err = help_parse("check_mail_smtp", 5, argv, &rc);
		if (strstr(err, "invalid phase") == NULL) {
			while (!listed && (at = strstr(at, name)) != NULL) {
				listed = (at == help ||
					  !(at[-1] == '_' || (at[-1] >= 'a' && at[-1] <= 'z'))) &&
					 !(at[len] == '_' || (at[len] >= 'a' && at[len] <= 'z'));
				at += len;
			}
			ck_assert_msg(listed, "--phase-warning takes %s, --help does not list it",
				      name);
		}
		free(err);
	}
	free(help);
}
END_TEST

Suite *help_suite(void)
{
	Suite *s = suite_create("help");
	TCase *tc = tcase_create("help");

	tcase_add_loop_test(tc, test_accepted_in_help, 0,
			    (int)(sizeof(help_progs) / sizeof(help_progs[0])));
	tcase_add_loop_test(tc, test_help_accepted, 0,
			    (int)(sizeof(help_progs) / sizeof(help_progs[0])));
	tcase_add_loop_test(tc, test_help_layout, 0,
			    (int)(sizeof(help_progs) / sizeof(help_progs[0])));
	tcase_add_test(tc, test_help_phases);
	suite_add_tcase(s, tc);
	return s;
}
