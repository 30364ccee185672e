/*
 * fuzz_sanitize.c - libFuzzer target: out_sanitize on any bytes.
 *
 * The first input byte picks the destination size (1..256, or the input's
 * length + 1 when it is 0), the rest is the untrusted text. The output must
 * be terminated, within bounds, printable ASCII only, free of '|', without
 * leading, trailing or doubled blanks, and no longer than the input.
 * The same text then fills every text field of a small result tree: the
 * Nagios rendering must be one status line (no '|' before " | ", only
 * printable ASCII) plus one line per long-output line, and the JSON
 * rendering must parse and be valid UTF-8.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "front/out_render.h"
#include "result/out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless cond holds (kept in release builds, unlike assert). */
static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

/* 1 when s (n bytes) is valid UTF-8: lead bytes, continuation bytes, no overlong/surrogates. */
static int fuzz_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t len = s[i] < 0x80   ? 1
			     : s[i] < 0xc2 ? 0
			     : s[i] < 0xe0 ? 2
			     : s[i] < 0xf0 ? 3
			     : s[i] < 0xf5 ? 4
					   : 0;

		if (len == 0 || i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		if ((s[i] == 0xe0 && s[i + 1] < 0xa0) || (s[i] == 0xed && s[i + 1] >= 0xa0) ||
		    (s[i] == 0xf0 && s[i + 1] < 0x90) || (s[i] == 0xf4 && s[i + 1] >= 0x90))
			return 0;
		i += len;
	}
	return 1;
}

/* The text as every field of a tree; both renderings keep their promises. */
static void fuzz_tree(const char *src, size_t size)
{
	struct out o, *k;
	char *text = NULL, *json;
	size_t len = 0, lines = 0;
	FILE *f;

	out_init(&o, "check_fuzz", "FUZZ");
	out_summary_untrusted(&o, src, size, 200);
	out_summary(&o, "%.*s", (int)size, src);
	out_long_untrusted(&o, "p: ", src, size);
	out_perf(&o, "t", 1, "s", NULL);
	k = out_child(&o, "kids", 1);
	out_add_untrusted(k, OUT_TO_LONG, src, size, 100);
	out_eol(k);
	out_fact_strn(&k->facts, "text", src, size);
	out_fact_strn(&o.facts, "text", src, size);
	f = open_memstream(&text, &len);
	fuzz_check(f != NULL);
	(void)out_print(&o, f, 0);
	fclose(f);
	fuzz_check(strstr(text, " | t=1s\n") != NULL);
	fuzz_check(memchr(text, '|', (size_t)(strstr(text, " | t=1s\n") - text)) == NULL);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		fuzz_check(c == '\n' || (c >= 0x20 && c < 0x7f));
		lines += c == '\n';
	}
	fuzz_check(lines == 3);
	free(text);
	json = out_json_text(&o);
	fuzz_check(json != NULL && fuzz_utf8((const unsigned char *)json, strlen(json)));
	{
		struct json_object *j = json_tokener_parse(json);

		fuzz_check(j != NULL);
		json_object_put(j);
	}
	free(json);
	out_reset(&o);
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
	fuzz_tree(src, size);
	return 0;
}
