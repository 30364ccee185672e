/*
 * fuzz_explain.c - libFuzzer target for the text -> explanation path of
 * mailpath explain (mta_explain: folding, multi-line joining, mta_log's
 * line parser, mta_reason, classify, the knowledge base). The input is one
 * text in an exact-size allocation (over-reads trip ASan); the explanation
 * must be consistent: a terminated text of printable-or-high bytes inside
 * its bound, a reason span inside it, a cause, codes in range, and the
 * meanings present exactly when the codes are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mta/mta_explain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct mta_explain *e = malloc(sizeof(*e));
	size_t n;

	if (copy == NULL || e == NULL) {
		free(copy);
		free(e);
		return 0;
	}
	if (size > 0)
		memcpy(copy, data, size);
	if (mta_explain(copy, size, 1796657401LL, e) != 0)
		goto out;
	n = strnlen(e->text, sizeof(e->text));
	if (n >= sizeof(e->text) || e->reason_off + e->reason_len > n)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)e->text[i] < 0x20 || e->text[i] == 0x7f)
			abort();
	if (e->cause == NULL || e->source < MTA_EXPLAIN_REPLY || e->source > MTA_EXPLAIN_UNKNOWN)
		abort();
	if (e->fail.code != 0 &&
	    (e->fail.code < 200 || e->fail.code > 599 || e->code_class == NULL))
		abort();
	if (e->fail.code == 0 && (e->code_class != NULL || e->code_meaning != NULL))
		abort();
	if ((e->fail.enh.cls == 0) != (e->enh_subject == NULL && e->enh_class == NULL))
		abort();
	if (e->kb != NULL && (e->kb->reference == NULL || e->kb->meaning == NULL))
		abort();
	if (e->source == MTA_EXPLAIN_UNKNOWN && strcmp(e->cause->name, "unclassified") != 0)
		abort();
out:
	free(copy);
	free(e);
	return 0;
}
