/*
 * fuzz_sanitize.c - libFuzzer target: out_sanitize on any bytes.
 *
 * The first input byte picks the destination size (1..256, or the input's
 * length + 1 when it is 0), the rest is the untrusted text. The output must
 * be terminated, within bounds, printable ASCII only, free of '|', without
 * leading, trailing or doubled blanks, and no longer than the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "result/out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless cond holds (kept in release builds, unlike assert). */
static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src;
	size_t dstlen, n;
	char *dst;

	if (size == 0)
		return 0;
	src = (const char *)data + 1;
	size--;
	dstlen = data[0] != 0 ? data[0] : size + 1;
	dst = malloc(dstlen); /* exact size: ASan sees any write past it */
	if (dst == NULL)
		return 0;
	n = out_sanitize(dst, dstlen, src, size);
	fuzz_check(n < dstlen && n <= size);
	fuzz_check(dst[n] == '\0' && strlen(dst) == n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)dst[i];

		fuzz_check(c >= 0x20 && c < 0x7f && c != '|');
		if (c == ' ')
			fuzz_check(i > 0 && i + 1 < n && dst[i + 1] != ' ');
	}
	free(dst);
	return 0;
}
