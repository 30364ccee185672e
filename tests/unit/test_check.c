/*
 * test_check.c - check_parse (common options and the check's own) and
 * check_finish, with a minimal check definition.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "front/check.h"

Suite *check_suite(void);

struct toy {
	const char *host;
	int flag;
	int validated;
};

static const struct check_opt toy_opts[] = {
	{"hostname", required_argument, 'H', "HOST", "the host"},
	{"flag", no_argument, 'x', NULL, "a flag"},
	CHECK_OPT_END,
};

static int toy_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct toy *t = ctx;

	switch (opt) {
	case 'H': t->host = arg; return 0;
	case 'x': t->flag = 1; return 0;
	}
	snprintf(err, errlen, "unhandled");
	return -1;
}

static int toy_validate(void *ctx, const struct check_common *cm, char *err, size_t errlen)
{
	struct toy *t = ctx;

	(void)cm;
	t->validated = 1;
	if (t->host == NULL) {
		snprintf(err, errlen, "-H is required");
		return -1;
	}
	return 0;
}

static const struct check toy_check = {
	.name = "check_toy",
	.service = "TOY",
	.synopsis = "-H HOST",
	.opts = toy_opts,
	.ctx_size = sizeof(struct toy),
	.option = toy_option,
	.validate = toy_validate,
};

struct parse_case {
	const char *args[8];
	int rc;               /* check_parse's return */
	const char *err_part; /* substring of the error, when rc < 0 */
	double timeout;
	int timeout_state;
	int verbose, json, family;
	const char *resolver;
};

static const struct parse_case parse_cases[] = {
	{{"-H", "h"}, 0, NULL, 10, STATE_CRITICAL, 0, 0, AF_UNSPEC, NULL},
	{{"-H", "h", "-t", "3"}, 0, NULL, 3, STATE_CRITICAL, 0, 0, AF_UNSPEC, NULL},
	{{"-H", "h", "-t", "2.5:warning"}, 0, NULL, 2.5, STATE_WARNING, 0, 0, AF_UNSPEC, NULL},
	{{"-H", "h", "-t", "10:3"}, 0, NULL, 10, STATE_UNKNOWN, 0, 0, AF_UNSPEC, NULL},
	{{"-H", "h", "--timeout=7:ok"}, 0, NULL, 7, STATE_OK, 0, 0, AF_UNSPEC, NULL},
	{{"-H", "h", "-vvv"}, 0, NULL, 10, STATE_CRITICAL, 3, 0, AF_UNSPEC, NULL},
	{{"-H", "h", "-v", "--verbose"}, 0, NULL, 10, STATE_CRITICAL, 2, 0, AF_UNSPEC, NULL},
	{{"-H", "h", "--output", "json"}, 0, NULL, 10, STATE_CRITICAL, 0, 1, AF_UNSPEC, NULL},
	{{"-H", "h", "--output=nagios"}, 0, NULL, 10, STATE_CRITICAL, 0, 0, AF_UNSPEC, NULL},
	{{"-H", "h", "-4"}, 0, NULL, 10, STATE_CRITICAL, 0, 0, AF_INET, NULL},
	{{"-6", "--hostname=h"}, 0, NULL, 10, STATE_CRITICAL, 0, 0, AF_INET6, NULL},
	{{"-H", "h", "--resolver", "127.0.0.1:53"},
	 0,
	 NULL,
	 10,
	 STATE_CRITICAL,
	 0,
	 0,
	 AF_UNSPEC,
	 "127.0.0.1:53"},
	{{"-Hh", "-x"}, 0, NULL, 10, STATE_CRITICAL, 0, 0, AF_UNSPEC, NULL},
	{{"-H"}, -1, "needs a value", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "-t", "0"}, -1, "invalid timeout", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "-t", "abc"}, -1, "invalid timeout", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "-t", "5:maybe"}, -1, "invalid timeout state", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "-t", "5x"}, -1, "invalid timeout", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "-t", "nan"}, -1, "invalid timeout", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "-t", "86401"}, -1, "at most 86400", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "--resolver", "127.0.0.1:70000"}, -1, "PORT 1..65535", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "--resolver", "[::1]:65536"}, -1, "PORT 1..65535", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "--resolver", "127.0.0.1:53,127.0.0.2:4295032832"},
	 -1,
	 "PORT 1..65535",
	 0,
	 0,
	 0,
	 0,
	 0,
	 NULL},
	{{"-H", "h", "--resolver", "127.0.0.1:"}, -1, "PORT 1..65535", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "--resolver", "127.0.0.1:0"}, -1, "PORT 1..65535", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "--resolver", "[::1]:53,::1,127.0.0.1"},
	 0,
	 NULL,
	 10,
	 STATE_CRITICAL,
	 0,
	 0,
	 AF_UNSPEC,
	 "[::1]:53,::1,127.0.0.1"},
	{{"-H", "h", "--output", "xml"}, -1, "invalid --output", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "-q"}, -1, "unknown option -q", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "--bogus"}, -1, "unknown option --bogus", 0, 0, 0, 0, 0, NULL},
	{{"-H", "h", "extra"}, -1, "unexpected argument 'extra'", 0, 0, 0, 0, 0, NULL},
	{{"-x"}, -1, "-H is required", 0, 0, 0, 0, 0, NULL},
	{{"--help"}, 1, NULL, 0, 0, 0, 0, 0, NULL},
	{{"-V"}, 1, NULL, 0, 0, 0, 0, 0, NULL},
};

START_TEST(test_check_parse)
{
	const struct parse_case *pc = &parse_cases[_i];
	char *argv[10] = {"check_toy"};
	int argc = 1;
	struct toy t = {0};
	struct check_common cm;
	char err[CHECK_ERR_MAX] = "";
	char *printed = NULL;
	size_t printed_len = 0;
	FILE *f = open_memstream(&printed, &printed_len);
	int rc;

	for (int i = 0; pc->args[i] != NULL; i++)
		argv[argc++] = (char *)pc->args[i];
	rc = check_parse(&toy_check, &t, &cm, argc, argv, f, err, sizeof(err));
	fclose(f);
	ck_assert_msg(rc == pc->rc, "case %d: got rc %d (%s), want %d", _i, rc, err, pc->rc);
	if (rc < 0)
		ck_assert_msg(strstr(err, pc->err_part) != NULL,
			      "case %d: got error '%s', want '%s'", _i, err, pc->err_part);
	if (rc == 1)
		ck_assert_msg(strstr(printed, "check_toy") != NULL, "case %d: got '%s'", _i,
			      printed);
	if (rc == 0) {
		ck_assert_msg(cm.timeout_s == pc->timeout, "case %d: got timeout %g, want %g", _i,
			      cm.timeout_s, pc->timeout);
		ck_assert_msg((int)cm.timeout_state == pc->timeout_state,
			      "case %d: got timeout state %d, want %d", _i, cm.timeout_state,
			      pc->timeout_state);
		ck_assert_msg(cm.verbose == pc->verbose, "case %d: got verbose %d, want %d", _i,
			      cm.verbose, pc->verbose);
		ck_assert_msg(cm.json == pc->json, "case %d: got json %d, want %d", _i, cm.json,
			      pc->json);
		ck_assert_msg(cm.family == pc->family, "case %d: got family %d, want %d", _i,
			      cm.family, pc->family);
		ck_assert_msg(
			(cm.resolver == NULL) == (pc->resolver == NULL) &&
				(cm.resolver == NULL || strcmp(cm.resolver, pc->resolver) == 0),
			"case %d: got resolver %s", _i, cm.resolver ? cm.resolver : "(null)");
		ck_assert_msg(t.validated, "case %d: validate was not called", _i);
	}
	free(printed);
}
END_TEST

/* Parsing twice in one process (as the subagent does) starts afresh. */
START_TEST(test_check_parse_twice)
{
	char *a1[] = {"check_toy", "-H", "one", "-x", NULL};
	char *a2[] = {"check_toy", "-H", "two", NULL};
	struct toy t1 = {0}, t2 = {0};
	struct check_common cm;
	char err[CHECK_ERR_MAX];

	ck_assert_int_eq(check_parse(&toy_check, &t1, &cm, 4, a1, stdout, err, sizeof(err)), 0);
	ck_assert_int_eq(check_parse(&toy_check, &t2, &cm, 3, a2, stdout, err, sizeof(err)), 0);
	ck_assert_str_eq(t2.host, "two");
	ck_assert_int_eq(t2.flag, 0);
}
END_TEST

/* -t N:STATE replaces the state of a timed-out result only. */
START_TEST(test_check_finish)
{
	struct check_common cm = {.timeout_state = STATE_WARNING};
	struct out o;

	out_init(&o, "check_toy", "TOY");
	out_state(&o, STATE_CRITICAL);
	check_finish(&cm, &o);
	ck_assert_msg(o.state == STATE_CRITICAL, "got %d, want CRITICAL (no timeout)", o.state);
	o.timed_out = 1;
	check_finish(&cm, &o);
	ck_assert_msg(o.state == STATE_WARNING, "got %d, want WARNING (timeout)", o.state);
	out_reset(&o);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_check_parse, 0,
			    (int)(sizeof(parse_cases) / sizeof(parse_cases[0])));
	tcase_add_test(tc, test_check_parse_twice);
	tcase_add_test(tc, test_check_finish);
	suite_add_tcase(s, tc);
	return s;
}
