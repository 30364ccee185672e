/*
 * md5.c - MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), written from the RFCs.
 *
 * Contract: caller-owned struct md5_ctx, no allocation, no failure path.
 * The message is processed in 64-byte blocks of sixteen little-endian
 * 32-bit words (RFC 1321 §3.4); padding is one 0x80 byte, zeros, and the
 * length in bits as a little-endian 64-bit number (§3.1, §3.2). Contexts
 * and HMAC pads are wiped with explicit_bzero once used: the key is a
 * password.
 */
#include <string.h>

#include "base/md5.h"

/* T[i] = floor(2^32 * |sin(i + 1)|), RFC 1321 §3.4. */
static const uint32_t md5_t[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
	0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
	0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
	0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
	0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
	0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
	0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
	0xeb86d391,
};

/* Left-rotation amounts per round, four per round (RFC 1321 §3.4). */
static const unsigned char md5_s[4][4] = {
	{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

/* Rotate x left by n bits (0 < n < 32). */
static uint32_t md5_rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

/* Little-endian 32-bit word at p. */
static uint32_t md5_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Process one 64-byte block (RFC 1321 §3.4): four rounds of sixteen steps. */
static void md5_block(uint32_t st[4], const unsigned char *blk)
{
	uint32_t x[16], a = st[0], b = st[1], c = st[2], d = st[3];

	for (size_t i = 0; i < 16; i++)
		x[i] = md5_le32(blk + 4 * i);
	for (unsigned i = 0; i < 64; i++) {
		unsigned round = i / 16, k;
		uint32_t f, tmp;

		switch (round) {
		case 0: /* F(X,Y,Z) = XY v not(X) Z */
			f = (b & c) | (~b & d);
			k = i;
			break;
		case 1: /* G(X,Y,Z) = XZ v Y not(Z) */
			f = (b & d) | (c & ~d);
			k = (5 * i + 1) % 16;
			break;
		case 2: /* H(X,Y,Z) = X xor Y xor Z */
			f = b ^ c ^ d;
			k = (3 * i + 5) % 16;
			break;
		default: /* I(X,Y,Z) = Y xor (X v not(Z)) */
			f = c ^ (b | ~d);
			k = (7 * i) % 16;
			break;
		}
		tmp = d;
		d = c;
		c = b;
		b = b + md5_rol(a + f + x[k] + md5_t[i], md5_s[round][i % 4]);
		a = tmp;
	}
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
	explicit_bzero(x, sizeof(x));
}

/* Start a digest with the initial words of RFC 1321 §3.3. */
void md5_init(struct md5_ctx *m)
{
	m->state[0] = 0x67452301;
	m->state[1] = 0xefcdab89;
	m->state[2] = 0x98badcfe;
	m->state[3] = 0x10325476;
	m->bytes = 0;
	memset(m->block, 0, sizeof(m->block));
}

/* Add n bytes of message, processing each block as it fills. */
void md5_update(struct md5_ctx *m, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t have = (size_t)(m->bytes % MD5_BLOCK_LEN);

	m->bytes += n;
	while (n > 0) {
		size_t take = MD5_BLOCK_LEN - have < n ? MD5_BLOCK_LEN - have : n;

		memcpy(m->block + have, p, take);
		have += take;
		p += take;
		n -= take;
		if (have == MD5_BLOCK_LEN) {
			md5_block(m->state, m->block);
			have = 0;
		}
	}
}

/* Pad (RFC 1321 §3.1, §3.2), write the digest (§3.5) and wipe the context. */
void md5_final(struct md5_ctx *m, unsigned char out[MD5_DIGEST_LEN])
{
	uint64_t bits = m->bytes * 8;
	static const unsigned char pad[MD5_BLOCK_LEN + 8] = {0x80};
	size_t have = (size_t)(m->bytes % MD5_BLOCK_LEN);
	size_t padlen = have < 56 ? 56 - have : 120 - have;
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (8 * i));
	md5_update(m, pad, padlen);
	md5_update(m, len, sizeof(len));
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(m->state[i] >> (8 * j));
	explicit_bzero(m, sizeof(*m));
}

/* out = MD5((K ^ opad) || MD5((K ^ ipad) || msg)), K padded to 64 bytes (RFC 2104 §2). */
void md5_hmac(const void *key, size_t klen, const void *msg, size_t mlen,
	      unsigned char out[MD5_DIGEST_LEN])
{
	unsigned char k[MD5_BLOCK_LEN] = {0}, pad[MD5_BLOCK_LEN], inner[MD5_DIGEST_LEN];
	struct md5_ctx m;

	if (klen > MD5_BLOCK_LEN) { /* a longer key is hashed first */
		md5_init(&m);
		md5_update(&m, key, klen);
		md5_final(&m, k);
	} else if (klen > 0) {
		memcpy(k, key, klen);
	}
	for (int i = 0; i < MD5_BLOCK_LEN; i++)
		pad[i] = k[i] ^ 0x36;
	md5_init(&m);
	md5_update(&m, pad, sizeof(pad));
	md5_update(&m, msg, mlen);
	md5_final(&m, inner);
	for (int i = 0; i < MD5_BLOCK_LEN; i++)
		pad[i] = k[i] ^ 0x5c;
	md5_init(&m);
	md5_update(&m, pad, sizeof(pad));
	md5_update(&m, inner, sizeof(inner));
	md5_final(&m, out);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(inner, sizeof(inner));
}
