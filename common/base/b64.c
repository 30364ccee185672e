/*
 * b64.c - base64 encode and strict decode (RFC 4648 section 4).
 *
 * Contract: no allocation; output bounded by the caller's size; decoding
 * rejects anything an RFC 4648 encoder does not produce, except non-zero
 * pad bits in the last group (RFC 4648 section 3.5 lets a decoder accept
 * them; EVP_DecodeBlock, used before, did too).
 */
#include "base/b64.h"

#include <string.h>

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encode n bytes of src into dst (NUL-terminated); 0, or -1 when size is too small. */
int b64_encode(char *dst, size_t size, const void *src, size_t n)
{
	const unsigned char *p = src;
	size_t i, o = 0;
	unsigned long v;

	if (size == 0 || n > (size - 1) / 4 * 3) /* room for B64_ENCODED_LEN(n) and NUL */
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		dst[o++] = b64_alphabet[v >> 18 & 63];
		dst[o++] = b64_alphabet[v >> 12 & 63];
		dst[o++] = b64_alphabet[v >> 6 & 63];
		dst[o++] = b64_alphabet[v & 63];
	}
	if (i < n) {
		v = (unsigned long)p[i] << 16 | (i + 1 < n ? (unsigned long)p[i + 1] << 8 : 0);
		dst[o++] = b64_alphabet[v >> 18 & 63];
		dst[o++] = b64_alphabet[v >> 12 & 63];
		if (i + 1 < n)
			dst[o++] = b64_alphabet[v >> 6 & 63];
		else
			dst[o++] = '=';
		dst[o++] = '=';
	}
	dst[o] = '\0';
	return 0;
}

/* The 6-bit value of base64 character c, or -1. */
static int b64_value(char c)
{
	const char *hit;

	if (c == '\0')
		return -1;
	hit = strchr(b64_alphabet, c);
	return hit != NULL ? (int)(hit - b64_alphabet) : -1;
}

/* Decode one group of 4 characters into out; the byte count (1-3) or -1. */
static int b64_group(const char *g, int last, unsigned char out[3])
{
	int pad = (g[3] == '=') + (g[3] == '=' && g[2] == '=');
	unsigned long v = 0;
	int k, d;

	if (pad > 0 && !last)
		return -1;
	for (k = 0; k < 4 - pad; k++) {
		d = b64_value(g[k]);
		if (d < 0)
			return -1;
		v = v << 6 | (unsigned long)d;
	}
	v <<= 6 * pad;
	out[0] = (unsigned char)(v >> 16);
	out[1] = (unsigned char)(v >> 8);
	out[2] = (unsigned char)v;
	return 3 - pad;
}

/* Decode n characters of s into dst; 0 with the byte count in *len, or -1. */
int b64_decode(unsigned char *dst, size_t size, const char *s, size_t n, size_t *len)
{
	unsigned char grp[3];
	size_t i, o = 0;
	int got;

	*len = 0;
	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		got = b64_group(s + i, i + 4 == n, grp);
		if (got < 0 || size - o < (size_t)got)
			return -1;
		memcpy(dst + o, grp, (size_t)got);
		o += (size_t)got;
	}
	*len = o;
	return 0;
}
