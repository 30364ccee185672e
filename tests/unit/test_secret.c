/*
 * test_secret.c - secrets from a file or the environment.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/secret.h"

Suite *secret_suite(void);

/* Write text to a new temporary file; returns its path (static buffer). */
static const char *secret_tmpfile(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/mailpath-secret-XXXXXX");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp failed");
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const struct file_case {
	const char *content, *want;
} file_cases[] = {
	{"labpass", "labpass"},
	{"labpass\n", "labpass"},
	{"labpass\r\nsecond line\n", "labpass"},
	{"with spaces and | bars\n", "with spaces and | bars"},
};

START_TEST(test_secret_file)
{
	const struct file_case *fc = &file_cases[_i];
	const char *path = secret_tmpfile(fc->content);
	char err[128] = "", *got = NULL;
	int rc = secret_load(path, "MAILPATH_TEST_SECRET", &got, err, sizeof(err));

	unlink(path);
	ck_assert_msg(rc == 0, "case %d: got rc %d (%s), want 0", _i, rc, err);
	ck_assert_msg(strcmp(got, fc->want) == 0, "case %d: got '%s', want '%s'", _i, got,
		      fc->want);
	secret_free(got);
}
END_TEST

START_TEST(test_secret_env_and_errors)
{
	char err[128] = "", *got = NULL;

	unsetenv("MAILPATH_TEST_SECRET");
	ck_assert_int_eq(secret_load(NULL, "MAILPATH_TEST_SECRET", &got, err, sizeof(err)), 1);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(secret_load(NULL, NULL, &got, err, sizeof(err)), 1);
	setenv("MAILPATH_TEST_SECRET", "", 1); /* Icinga2 maps an unset macro to "" */
	ck_assert_int_eq(secret_load(NULL, "MAILPATH_TEST_SECRET", &got, err, sizeof(err)), 1);
	ck_assert_ptr_null(got);
	setenv("MAILPATH_TEST_SECRET", "from-env", 1);
	ck_assert_int_eq(secret_load(NULL, "MAILPATH_TEST_SECRET", &got, err, sizeof(err)), 0);
	ck_assert_str_eq(got, "from-env");
	secret_free(got);
	got = NULL;
	/* a file, when given, wins over the environment */
	ck_assert_int_eq(
		secret_load("/nonexistent/pw", "MAILPATH_TEST_SECRET", &got, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/pw") != NULL, "got error '%s'", err);
	ck_assert_ptr_null(got);
	/* an empty file, or an empty first line, holds no password: an error, not "" */
	for (int i = 0; i < 3; i++) {
		const char *path = secret_tmpfile(i == 0 ? "" : i == 1 ? "\n" : "\r\nsecond\n");

		ck_assert_msg(secret_load(path, NULL, &got, err, sizeof(err)) == -1,
			      "case %d: got rc != -1 for an empty first line", i);
		unlink(path);
		ck_assert_msg(strstr(err, "empty") != NULL, "case %d: got error '%s'", i, err);
		ck_assert_ptr_null(got);
	}
	unsetenv("MAILPATH_TEST_SECRET");
	secret_free(NULL);
}
END_TEST

Suite *secret_suite(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("load");

	tcase_add_loop_test(tc, test_secret_file, 0,
			    (int)(sizeof(file_cases) / sizeof(file_cases[0])));
	tcase_add_test(tc, test_secret_env_and_errors);
	suite_add_tcase(s, tc);
	return s;
}
