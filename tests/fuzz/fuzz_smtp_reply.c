/*
 * fuzz_smtp_reply.c - libFuzzer target for the reply, enhanced-code and
 * EHLO-capability parsers. The input is split at LF into lines (each in
 * its own exact-size allocation, so over-reads trip ASan) and fed to
 * smtp_reply_line(); a reply restarts after it completes or fails.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless the reply struct is internally consistent. */
static void fuzz_check_reply(const struct smtp_reply *r)
{
	if (r->len >= SMTP_TEXT_MAX || r->text[r->len] != '\0' || r->lines > SMTP_REPLY_LINES ||
	    r->bytes > SMTP_REPLY_MAX)
		abort();
	if (r->lines > 0 && (r->code < 200 || r->code > 599))
		abort();
}

/* Abort unless e is empty or a well-formed RFC 3463 code. */
static void fuzz_check_enh(const struct enh *e, size_t used)
{
	if (used == 0 && (e->cls != 0 || e->subject != 0 || e->detail != 0))
		abort();
	if (used != 0 && ((e->cls != 2 && e->cls != 4 && e->cls != 5) || e->subject < 0 ||
			  e->subject > 999 || e->detail < 0 || e->detail > 999 || used > 9))
		abort();
}

/* Feed one line to the parsers. */
static void fuzz_line(struct smtp_reply *r, struct smtp_caps *caps, const char *line, size_t n)
{
	struct enh e;
	char str[64];
	size_t used;
	int rc;

	used = smtp_enh_parse(line, n, &e);
	fuzz_check_enh(&e, used);
	if (n > 4) {
		used = smtp_enh_parse(line + 4, n - 4, &e);
		fuzz_check_enh(&e, used);
	}
	smtp_caps_line(caps, line, n);
	if (strlen(smtp_caps_str(caps, str, sizeof(str))) >= sizeof(str))
		abort();
	rc = smtp_reply_line(r, line, n);
	fuzz_check_reply(r);
	if (rc != 0)
		smtp_reply_init(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r;
	struct smtp_caps caps = {0, 0, 0};
	size_t start = 0;

	smtp_reply_init(&r);
	for (size_t i = 0; i <= size; i++) {
		char *line;
		size_t n;

		if (i < size && data[i] != '\n')
			continue;
		n = i - start;
		if (n > 0 && data[start + n - 1] == '\r')
			n--;
		line = malloc(n ? n : 1);
		if (line == NULL)
			return 0;
		memcpy(line, data + start, n);
		fuzz_line(&r, &caps, line, n);
		free(line);
		start = i + 1;
	}
	return 0;
}
