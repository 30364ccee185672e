/*
 * fuzz_range.c - libFuzzer target: range_parse and range_alert on any input.
 *
 * Checks the parser's promises: no crash, r->set only on success, the text
 * kept verbatim and bounded, finite endpoints with lo <= hi, and alerts
 * consistent with the endpoints (an endpoint itself never alerts outside
 * mode, always alerts with '@').
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless cond holds (kept in release builds, unlike assert). */
static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double probes[] = {0, -1, 1, 1e300, -1e300, 0.5, NAN, INFINITY, -INFINITY};
	char text[128];
	struct range r;
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;

	memcpy(text, data, n);
	text[n] = '\0';
	if (range_parse(text, &r) != 0) {
		fuzz_check(r.set == 0);
		fuzz_check(range_alert(&r, 0) == 0);
		return 0;
	}
	fuzz_check(r.set == 1);
	fuzz_check(strlen(r.text) <= 40 && strcmp(r.text, text) == 0);
	fuzz_check(r.lo_inf || isfinite(r.lo));
	fuzz_check(r.hi_inf || isfinite(r.hi));
	fuzz_check(r.lo_inf || r.hi_inf || r.lo <= r.hi);
	if (!r.lo_inf)
		fuzz_check(range_alert(&r, r.lo) == r.inside);
	if (!r.hi_inf)
		fuzz_check(range_alert(&r, r.hi) == r.inside);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct thresholds t = {.warn = r, .crit = r};
		int a = range_alert(&r, probes[i]);

		fuzz_check(a == 0 || a == 1);
		fuzz_check(thresholds_eval(&t, probes[i]) == (a ? STATE_CRITICAL : STATE_OK));
	}
	return 0;
}
