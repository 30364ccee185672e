/*
 * main.c - runs every unit suite (one per common/ module) in one binary.
 *
 * The suite list is generated from the file names tests/unit/test_X.c,
 * each of which defines Suite *X_suite(void).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITE(name) Suite *name##_suite(void);
#include "unit_suites.h"
#undef SUITE

int main(int argc, char **argv)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define SUITE(name)                                                                                \
	if (argc < 2 || strcmp(argv[1], #name) == 0)                                               \
		srunner_add_suite(sr, name##_suite());
#include "unit_suites.h"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	printf("unit: %d passed, %d failed\n", srunner_ntests_run(sr) - failed, failed);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
