/*
 * buf.h - a bounded byte buffer: all network input goes through one.
 *
 * The cap is fixed at buf_init(); appending past it fails instead of
 * growing. Storage grows on demand up to the cap. Whenever data is
 * allocated, data[len] is a NUL (one spare byte beyond the cap).
 */
#ifndef MAILPATH_BUF_H
#define MAILPATH_BUF_H

#include <stddef.h>

struct buf {
	unsigned char *data;
	size_t len;  /* bytes held */
	size_t size; /* bytes allocated */
	size_t max;  /* the cap */
};

/* Prepare an empty buffer that will never hold more than max bytes. */
void buf_init(struct buf *b, size_t max);
/* Release storage; the buffer is empty and reusable afterwards. */
void buf_reset(struct buf *b);
/* Append n bytes; returns 0, or -1 (nothing appended) when the cap or memory would be exceeded. */
int buf_append(struct buf *b, const void *p, size_t n);
/* Append a formatted string; -1 on overflow of the cap. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop the first n bytes (n > len drops all). */
void buf_consume(struct buf *b, size_t n);
/* Length of the first line including its LF, or 0 when no LF is held yet. */
size_t buf_line(const struct buf *b);
/* Free space before the cap. */
size_t buf_room(const struct buf *b);

#endif
