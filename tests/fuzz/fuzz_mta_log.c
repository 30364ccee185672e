/*
 * fuzz_mta_log.c - libFuzzer target for the MTA log line reader. The input
 * is split at newlines; each line is fed in an exact-size allocation
 * (over-reads trip ASan). The counts must add up: every counted attempt is
 * in a destination or in dest_dropped, and each deferral has one cause.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mta/mta_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feed the n bytes at p as one line. */
static void feed(struct mta_log *l, const uint8_t *p, size_t n)
{
	char *copy = malloc(n ? n : 1);

	if (copy == NULL)
		return;
	if (n > 0)
		memcpy(copy, p, n);
	mta_log_line(l, copy, n);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_log l;
	unsigned long in_dest = 0, by_cause = 0, host = 0;
	size_t start = 0;

	if (mta_log_init(&l, (int)(size % 3), 1796650000) != 0)
		return 0;
	for (size_t i = 0; i <= size; i++)
		if (i == size || data[i] == '\n') {
			feed(&l, data + start, i - start);
			start = i + 1;
		}
	for (size_t i = 0; i < l.ndest; i++) {
		const struct mta_log_dest *d = &l.dest[i];

		in_dest += d->sent + d->deferred + d->bounced;
		if (d->domain[0] == '\0' || (d->deferred > 0) != (d->cause != NULL))
			abort();
		if (d->reason[sizeof(d->reason) - 1] != '\0')
			abort();
	}
	for (size_t i = 0; i < l.ncause; i++) {
		by_cause += l.cause_count[i];
		host += l.host_cause[i];
	}
	if (in_dest + l.dest_dropped != l.sent + l.deferred + l.bounced || by_cause != l.deferred ||
	    host != l.hosterr || l.deferred_messages > l.deferred)
		abort();
	mta_log_free(&l);
	return 0;
}
