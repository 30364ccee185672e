/*
 * fuzz_mta_queue.c - libFuzzer target for the queue readers: the input is
 * a showq protocol stream, fed in chunks whose sizes come from its first
 * byte (a split anywhere must give the same counts as the whole), and then
 * each of its lines as a postqueue -j record. The model must stay
 * consistent: counts add up, every destination has a cause.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mta/mta_queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feed data in chunks of step bytes; the feed's last return. */
static int fuzz_feed(struct mta_queue *q, const char *data, size_t size, size_t step)
{
	struct mta_showq p;
	int rc = 0;

	mta_showq_init(&p);
	for (size_t i = 0; i < size && rc == 0; i += step)
		rc = mta_showq_feed(&p, q, data + i, size - i < step ? size - i : step);
	return rc;
}

static void fuzz_consistent(const struct mta_queue *q)
{
	unsigned long sum = q->unknown, pairs = 0, causes = 0;

	for (int i = 0; i < MTA_Q_MAX; i++)
		sum += q->count[i];
	if (sum != q->total || q->ndest > MTA_DEST_MAX)
		abort();
	for (size_t i = 0; i < q->ndest; i++) {
		if (q->dest[i].cause == NULL || q->dest[i].count == 0 ||
		    memchr(q->dest[i].domain, '\0', sizeof(q->dest[i].domain)) == NULL)
			abort();
		pairs += q->dest[i].count;
	}
	for (size_t i = 0; i < q->ncause; i++)
		causes += q->cause_count[i];
	if (causes != pairs)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct mta_queue whole, split;
	int a, b;

	if (copy == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	if (mta_queue_init(&whole) != 0 || mta_queue_init(&split) != 0)
		abort();
	a = fuzz_feed(&whole, copy, size, size ? size : 1);
	b = fuzz_feed(&split, copy, size, size > 0 ? (size_t)data[0] % 7 + 1 : 1);
	if (a != b || whole.total != split.total || whole.ndest != split.ndest)
		abort();
	fuzz_consistent(&whole);
	mta_queue_free(&split);
	for (size_t i = 0; i < size;) {
		const char *nl = memchr(copy + i, '\n', size - i);
		size_t n = nl != NULL ? (size_t)(nl - (copy + i)) : size - i;

		(void)mta_queue_json_line(&whole, copy + i, n);
		i += n + 1;
	}
	fuzz_consistent(&whole);
	mta_queue_free(&whole);
	free(copy);
	return 0;
}
