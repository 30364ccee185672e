/*
 * md5.h - the MD5 message digest (RFC 1321) and HMAC-MD5 (RFC 2104).
 *
 * For CRAM-MD5 (RFC 2195) only: MD5 is broken for collision resistance,
 * but HMAC-MD5 as a challenge-response keyed hash is what that mechanism
 * specifies. In-tree so that the SMTP core never loads libcrypto.
 * Caller-owned context, no allocation; libc only.
 */
#ifndef MAILPATH_MD5_H
#define MAILPATH_MD5_H

#include <stddef.h>
#include <stdint.h>

#define MD5_DIGEST_LEN 16
#define MD5_BLOCK_LEN 64

struct md5_ctx {
	uint32_t state[4];                  /* A, B, C, D (RFC 1321 §3.3) */
	uint64_t bytes;                     /* message length so far */
	unsigned char block[MD5_BLOCK_LEN]; /* partial block */
};

/* Start a digest. */
void md5_init(struct md5_ctx *m);
/* Add n bytes of message. */
void md5_update(struct md5_ctx *m, const void *data, size_t n);
/* Finish: write the 16-byte digest and wipe the context. */
void md5_final(struct md5_ctx *m, unsigned char out[MD5_DIGEST_LEN]);
/* out = HMAC-MD5(key, msg) (RFC 2104 §2); intermediate secrets are wiped. */
void md5_hmac(const void *key, size_t klen, const void *msg, size_t mlen,
	      unsigned char out[MD5_DIGEST_LEN]);

#endif
