/*
 * tls.h - OpenSSL client sessions on a non-blocking fd.
 *
 * OpenSSL is initialised only when the first TLS context is made; CA
 * certificates are loaded lazily from the hashed directory unless a CA
 * file is given. Verification does not abort the handshake: the handshake
 * completes and the verification result is reported as a fact, so the
 * classifier can name the exact failure.
 */
#ifndef MAILPATH_TLS_H
#define MAILPATH_TLS_H

#include <stddef.h>
#include <time.h>
#include "tls/tls_info.h"

struct tls_ctx;
struct tls_conn;

enum tls_io {
	TLS_IO_OK = 0,      /* done, or n bytes moved */
	TLS_IO_WANT_READ,   /* call again when readable */
	TLS_IO_WANT_WRITE,  /* call again when writable */
	TLS_IO_EOF,         /* peer closed */
	TLS_IO_ERROR        /* failed: see tls_conn_error() */
};

/* struct tls_info, the facts about an established session: tls_info.h. */

/* Make a client context; ca_file NULL means the system store. NULL on failure, message in err. */
struct tls_ctx *tls_ctx_new(const char *ca_file, char *err, size_t errlen);
void tls_ctx_free(struct tls_ctx *c);

/* Start a client session on fd; sni and verify_name may be NULL. */
struct tls_conn *tls_conn_new(struct tls_ctx *c, int fd, const char *sni, const char *verify_name);
void tls_conn_free(struct tls_conn *t);
/* Advance the handshake. */
enum tls_io tls_handshake(struct tls_conn *t);
/* Read up to len bytes; *n gets the count on TLS_IO_OK. */
enum tls_io tls_read(struct tls_conn *t, void *p, size_t len, size_t *n);
/* Write up to len bytes; *n gets the count on TLS_IO_OK. */
enum tls_io tls_write(struct tls_conn *t, const void *p, size_t len, size_t *n);
/* Decrypted bytes buffered inside the session (poll cannot see them). */
size_t tls_pending(const struct tls_conn *t);
/* After TLS_IO_ERROR: OpenSSL reason code (ERR_GET_REASON) and its text. */
int tls_conn_error(const struct tls_conn *t, char *text, size_t len);
/* Fill facts about the session (after a completed handshake). */
void tls_conn_info(const struct tls_conn *t, struct tls_info *info);
/* Name of an X509 verify code ("certificate has expired"). */
const char *tls_verify_str(int code);

#endif
