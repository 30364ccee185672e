/*
 * test_sa_conf.c - the subagent configuration parser: a table of files,
 * accepted with the checks they define or refused with the line and why.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sa_conf.h"

Suite *sa_conf_suite(void);

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct conf_case {
	const char *text;
	int ok;
	size_t nchecks;
	const char *name; /* first check */
	unsigned interval;
	int argc;
	const char *last_arg; /* argv[argc - 1] of the first check */
	const char *err;      /* substring of the error */
};

static const struct conf_case conf_cases[] = {
	{"", 1, 0, NULL, 0, 0, NULL, NULL},
	{"# only a comment\n\n   \n", 1, 0, NULL, 0, 0, NULL, NULL},
	{"check mx 60 check_mail_mx -d example.net -w 2: -c 1:\n", 1, 1, "mx", 60, 7, "1:", NULL},
	{"check a 5 check_mail_smtp -H h\r\ncheck b 10 check_mail_smtp -H i\n", 1, 2, "a", 5, 3,
	 "h", NULL},
	{"\tcheck  spaced\t30   check_mail_smtp  -H  h  # trailing comment\n", 1, 1, "spaced", 30,
	 3, "h", NULL},
	{"check q 60 check_mail_smtp -e 'two words'\n", 1, 1, "q", 60, 3, "two words", NULL},
	{"check q 60 check_mail_smtp -e \"say \\\"hi\\\" \\\\ $x\"\n", 1, 1, "q", 60, 3,
	 "say \"hi\" \\ $x", NULL},
	{"check q 60 check_mail_smtp -e a\\ b\n", 1, 1, "q", 60, 3, "a b", NULL},
	{"check q 60 check_mail_smtp -e ''\n", 1, 1, "q", 60, 3, "", NULL},
	{"check q 60 check_mail_smtp -e a#b\n", 1, 1, "q", 60, 3, "a#b", NULL},
	{"check \"quoted\" 1 /usr/lib/x/check_mail_smtp\n", 1, 1, "quoted", 1, 1,
	 "/usr/lib/x/check_mail_smtp", NULL},
	{"check n 86400 c\n", 1, 1, "n", 86400, 1, "c", NULL},
	{"check a.b_c-D9 1 c", 1, 1, "a.b_c-D9", 1, 1, "c", NULL}, /* no final newline */
	/* refused */
	{"chek a 60 c\n", 0, 0, NULL, 0, 0, NULL, "line 1: unknown directive"},
	{"check a 60\n", 0, 0, NULL, 0, 0, NULL, "want: check NAME"},
	{"\n\ncheck a 0 c\n", 0, 0, NULL, 0, 0, NULL, "line 3: invalid interval"},
	{"check a 86401 c\n", 0, 0, NULL, 0, 0, NULL, "invalid interval"},
	{"check a 6x c\n", 0, 0, NULL, 0, 0, NULL, "invalid interval"},
	{"check a -1 c\n", 0, 0, NULL, 0, 0, NULL, "invalid interval"},
	{"check a/b 60 c\n", 0, 0, NULL, 0, 0, NULL, "invalid check name"},
	{"check '' 60 c\n", 0, 0, NULL, 0, 0, NULL, "invalid check name"},
	{"check a 60 c 'open\n", 0, 0, NULL, 0, 0, NULL, "unterminated quote"},
	{"check a 60 c \"open\n", 0, 0, NULL, 0, 0, NULL, "unterminated quote"},
	{"check a 60 c x\\", 0, 0, NULL, 0, 0, NULL, "backslash at end"},
	{"check a 60 ''\n", 0, 0, NULL, 0, 0, NULL, "empty command"},
	{"check a 60 c\ncheck a 30 c\n", 0, 0, NULL, 0, 0, NULL, "line 2: check 'a' defined twice"},
	{"check a 60 c \001\n", 0, 0, NULL, 0, 0, NULL, "control character 0x01"},
	{"check a 60 c\rx\n", 0, 0, NULL, 0, 0, NULL, "control character 0x0d"},
};

START_TEST(test_conf_table)
{
	const struct conf_case *tc = &conf_cases[_i];
	struct sa_conf c;
	char err[256] = "";
	int rc = sa_conf_parse(&c, tc->text, strlen(tc->text), err, sizeof(err));

	ck_assert_msg((rc == 0) == tc->ok, "case %d: got rc %d (%s), want %s", _i, rc, err,
		      tc->ok ? "ok" : "error");
	if (!tc->ok) {
		ck_assert_msg(strstr(err, tc->err) != NULL, "case %d: got error '%s', want '%s'",
			      _i, err, tc->err);
		ck_assert_msg(c.n == 0 && c.check == NULL, "case %d: got %zu checks after error",
			      _i, c.n);
		return;
	}
	ck_assert_msg(c.n == tc->nchecks, "case %d: got %zu checks, want %zu", _i, c.n,
		      tc->nchecks);
	if (tc->name != NULL) {
		const struct sa_conf_check *k = &c.check[0];

		ck_assert_msg(strcmp(k->name, tc->name) == 0, "case %d: got name %s, want %s", _i,
			      k->name, tc->name);
		ck_assert_msg(k->interval_s == tc->interval, "case %d: got interval %u, want %u",
			      _i, k->interval_s, tc->interval);
		ck_assert_msg(k->argc == tc->argc, "case %d: got argc %d, want %d", _i, k->argc,
			      tc->argc);
		ck_assert_msg(strcmp(k->argv[k->argc - 1], tc->last_arg) == 0,
			      "case %d: got last arg '%s', want '%s'", _i, k->argv[k->argc - 1],
			      tc->last_arg);
		ck_assert_msg(k->argv[k->argc] == NULL, "case %d: argv not NULL-terminated", _i);
	}
	sa_conf_reset(&c);
}
END_TEST

START_TEST(test_conf_command_basename)
{
	struct sa_conf c;
	char err[128];
	const char *text =
		"check a 60 /usr/lib/mailpath/check_mail_smtp -H h\ncheck b 60 check_mail_mx\n";

	ck_assert_int_eq(sa_conf_parse(&c, text, strlen(text), err, sizeof(err)), 0);
	ck_assert_str_eq(sa_conf_command(&c.check[0]), "check_mail_smtp");
	ck_assert_str_eq(sa_conf_command(&c.check[1]), "check_mail_mx");
	ck_assert_int_eq(c.check[1].line, 2);
	sa_conf_reset(&c);
}
END_TEST

START_TEST(test_conf_limits)
{
	static char text[SA_CONF_LINE_MAX + 64];
	struct sa_conf c;
	char err[128] = "";
	size_t n;

	/* a line of SA_CONF_LINE_MAX bytes is refused, one byte shorter is fine */
	n = (size_t)snprintf(text, sizeof(text), "check a 60 c ");
	memset(text + n, 'x', SA_CONF_LINE_MAX - n);
	ck_assert_int_eq(sa_conf_parse(&c, text, SA_CONF_LINE_MAX, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "longer than") != NULL, "got '%s', want a length error", err);
	ck_assert_int_eq(sa_conf_parse(&c, text, SA_CONF_LINE_MAX - 1, err, sizeof(err)), 0);
	sa_conf_reset(&c);
	/* more than SA_CONF_ARGS_MAX arguments */
	n = (size_t)snprintf(text, sizeof(text), "check a 60 c");
	for (int i = 0; i < SA_CONF_ARGS_MAX + 1; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " a");
	ck_assert_int_eq(sa_conf_parse(&c, text, n, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "more than") != NULL, "got '%s', want a words error", err);
	/* a NUL byte inside the text */
	ck_assert_int_eq(sa_conf_parse(&c, "check a 60 c\0x\n", 15, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_conf_load_missing)
{
	struct sa_conf c;
	char err[256] = "";

	ck_assert_int_eq(sa_conf_load(&c, "/nonexistent/agentx.conf", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/agentx.conf") != NULL, "got '%s'", err);
}
END_TEST

/* A FIFO as configuration is refused at once: opening it must not wait for a writer. */
START_TEST(test_conf_load_fifo)
{
	char dir[] = "/tmp/sa_conf_fifoXXXXXX", path[64];
	struct sa_conf c;
	char err[256] = "";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/agentx.conf", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(sa_conf_load(&c, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a regular file") != NULL, "got '%s'", err);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *sa_conf_suite(void)
{
	Suite *s = suite_create("sa_conf");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_conf_table, 0, N(conf_cases));
	tcase_add_test(tc, test_conf_command_basename);
	tcase_add_test(tc, test_conf_limits);
	tcase_add_test(tc, test_conf_load_missing);
	tcase_add_test(tc, test_conf_load_fifo);
	suite_add_tcase(s, tc);
	return s;
}
