/*
 * b64.h - base64 (RFC 4648 section 4) for SASL exchanges (RFC 4954 section 4).
 *
 * Strict: the standard alphabet, padding required, no whitespace or line
 * breaks. Low module: includes nothing of ours, allocates nothing.
 */
#ifndef MAILPATH_B64_H
#define MAILPATH_B64_H

#include <stddef.h>

/* Characters that encode n bytes, without the terminating NUL. */
#define B64_ENCODED_LEN(n) (((n) + 2) / 3 * 4)

/* Encode n bytes of src into dst (NUL-terminated); 0, or -1 when size is too small. */
int b64_encode(char *dst, size_t size, const void *src, size_t n);
/*
 * Decode n characters of s into dst; 0 with the byte count in *len, or -1
 * when s is not base64 (length not a multiple of 4, a character outside the
 * alphabet, misplaced padding) or dst is too small.
 */
int b64_decode(unsigned char *dst, size_t size, const char *s, size_t n, size_t *len);

#endif
