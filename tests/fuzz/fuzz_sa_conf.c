/*
 * fuzz_sa_conf.c - libFuzzer target: the subagent configuration parser.
 *
 * Checks its promises on any input: no crash, an empty result on error
 * with a message naming the line, and on success checks with valid
 * names, intervals in range, a command and a NULL-terminated argv.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sa_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless cond holds (kept in release builds, unlike assert). */
static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa_conf c;
	char err[256] = "";

	if (sa_conf_parse(&c, (const char *)data, size, err, sizeof(err)) != 0) {
		fuzz_check(c.n == 0 && c.check == NULL);
		fuzz_check(strncmp(err, "line ", 5) == 0);
		return 0;
	}
	for (size_t i = 0; i < c.n; i++) {
		const struct sa_conf_check *k = &c.check[i];

		fuzz_check(k->name[0] != '\0' && strlen(k->name) <= SA_CONF_NAME_MAX);
		fuzz_check(k->interval_s >= 1 && k->interval_s <= SA_CONF_INTERVAL_MAX);
		fuzz_check(k->argc >= 1 && k->argv[0][0] != '\0' && k->argv[k->argc] == NULL);
		fuzz_check(sa_conf_command(k) != NULL);
		for (size_t j = 0; j < i; j++)
			fuzz_check(strcmp(c.check[j].name, k->name) != 0);
	}
	sa_conf_reset(&c);
	return 0;
}
