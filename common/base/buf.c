/*
 * buf.c - the bounded byte buffer.
 *
 * Storage starts empty and grows by doubling, never past max + 1 bytes:
 * the spare byte keeps data NUL-terminated after len whenever data is
 * allocated, so a held line can be read as a C string (binary data may of
 * course contain NULs of its own). When max is SIZE_MAX there is no spare
 * byte and the terminator is only present while len < size.
 * Every append is all-or-nothing. buf_reset() frees the storage.
 */
#include "base/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_MIN_SIZE 64

/* Start empty with the cap max; allocates nothing. */
void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->size = 0;
	b->max = max;
}

/* Free the storage and empty the buffer; the cap stays. */
void buf_reset(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->size = 0;
}

/* Largest allocation the cap allows: max plus the terminator byte. */
static size_t buf_limit(const struct buf *b)
{
	return b->max < SIZE_MAX ? b->max + 1 : b->max;
}

/* Make room for len + n bytes (+ NUL when allowed); caller checked the cap. 0 or -1. */
static int buf_grow(struct buf *b, size_t n)
{
	size_t limit = buf_limit(b);
	size_t want = b->len + n;
	size_t size;
	unsigned char *p;

	if (want < limit)
		want++;
	if (want <= b->size)
		return 0;
	size = b->size > 0 ? b->size : BUF_MIN_SIZE;
	while (size < want)
		size = size > limit / 2 ? limit : size * 2;
	if (size > limit)
		size = limit;
	p = realloc(b->data, size);
	if (p == NULL)
		return -1;
	b->data = p;
	b->size = size;
	return 0;
}

/* Write the terminator after len when storage allows. */
static void buf_terminate(struct buf *b)
{
	if (b->data != NULL && b->len < b->size)
		b->data[b->len] = '\0';
}

/* Append n bytes from p; all or nothing. */
int buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (n > buf_room(b) || buf_grow(b, n) != 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	buf_terminate(b);
	return 0;
}

/* Append printf output; all or nothing, -1 when it would pass the cap or on error. */
int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	int rc = -1;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0 || (size_t)n > buf_room(b))
		goto out;
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (buf_grow(b, (size_t)n) != 0)
		goto out;
	/* buf_grow left room for vsnprintf's NUL unless max is SIZE_MAX and now full. */
	if (b->len + (size_t)n >= b->size ||
	    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2) != n)
		goto out;
	b->len += (size_t)n;
	rc = 0;
out:
	buf_terminate(b); /* also repairs the NUL after a failed second pass */
	va_end(ap2);
	va_end(ap);
	return rc;
}

/* Drop the first n bytes, keeping the rest (and the storage). */
void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
	}
	buf_terminate(b);
}

/* Length of the first line including its LF; 0 while no LF is held. */
size_t buf_line(const struct buf *b)
{
	const unsigned char *lf;

	if (b->len == 0)
		return 0;
	lf = memchr(b->data, '\n', b->len);
	return lf == NULL ? 0 : (size_t)(lf - b->data) + 1;
}

/* Bytes that may still be appended before the cap. */
size_t buf_room(const struct buf *b)
{
	return b->len < b->max ? b->max - b->len : 0;
}
