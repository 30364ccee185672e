/*
 * fuzz_mta_reason.c - libFuzzer target for the MTA reason parser. The input
 * is one reason in an exact-size allocation (over-reads trip ASan); the
 * record must be consistent and classify to a cause, an unknown reason to
 * "unclassified" only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mta/mta_reason.h"
#include "verdict/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct fail f;
	int known;

	if (copy == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	known = mta_reason_parse(copy, size, &f);
	if (f.text[sizeof(f.text) - 1] != '\0' || f.detail[sizeof(f.detail) - 1] != '\0')
		abort();
	if ((unsigned)f.phase >= PHASE_MAX || f.cls == FAIL_NONE)
		abort();
	if (known != (f.cls != FAIL_UNCLASSIFIED))
		abort();
	if (f.code != 0 && (f.code < 200 || f.code > 599))
		abort();
	if (strcmp(classify(&f)->name, "unclassified") == 0 && known)
		abort();
	free(copy);
	return 0;
}
