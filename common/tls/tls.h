/*
 * tls.h - OpenSSL client sessions on a non-blocking fd.
 *
 * OpenSSL is initialised only when the first TLS context is made, with its
 * configuration (openssl.cnf) as any stock client; CA
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
	TLS_IO_OK = 0,     /* done, or n bytes moved */
	TLS_IO_WANT_READ,  /* call again when readable */
	TLS_IO_WANT_WRITE, /* call again when writable */
	TLS_IO_EOF,        /* peer closed */
	TLS_IO_ERROR       /* failed: see tls_conn_error() */
};

/* struct tls_info, the facts about an established session: tls_info.h. */

/*
 * Make a client context in OpenSSL's default library context, openssl.cnf
 * applied; ca_file NULL means the system store. NULL on failure, message in
 * err. The caller holds the one reference.
 */
struct tls_ctx *tls_ctx_new(const char *ca_file, char *err, size_t errlen);
/*
 * The process's shared context for ca_file (NULL: the system store), made on
 * first use and kept by the list, with one more reference for the caller:
 * every run of a long-lived process reuses one SSL_CTX and one CA store.
 * NULL on failure, message in err.
 */
struct tls_ctx *tls_ctx_shared(const char *ca_file, char *err, size_t errlen);
/*
 * Drop the references the shared list holds (shutdown, or a reload that must
 * reread CA files); contexts still held by runs are freed with their last
 * tls_ctx_free(). The next tls_ctx_shared() makes a new context.
 */
void tls_ctx_shared_release(void);
/* Drop one reference (from _new or _shared); the last frees the context. NULL is fine. */
void tls_ctx_free(struct tls_ctx *c);
/* An identity of the SSL_CTX behind c, for comparing contexts (tests); NULL for NULL. */
const void *tls_ctx_id(const struct tls_ctx *c);

/*
 * A context that offers only one old protocol (TLS1_VERSION, TLS1_1_VERSION)
 * at security level 0, without verification: it answers "does the server
 * still accept TLS 1.0?" and is never used for a session we trust. The one
 * place where we override the configured policy, on this context only.
 * NULL with the reason in err when OpenSSL cannot even build such a
 * ClientHello (a build or policy without the protocol): "not tested".
 */
struct tls_ctx *tls_ctx_new_legacy(int version, char *err, size_t errlen);

/* Start a client session on fd; sni and verify_name may be NULL. */
struct tls_conn *tls_conn_new(struct tls_ctx *c, int fd, const char *sni, const char *verify_name);
void tls_conn_free(struct tls_conn *t);
/* Ask for a stapled OCSP response (RFC 6066 §8), before the handshake; 1 on success. */
int tls_conn_want_ocsp(struct tls_conn *t);
/* Fill the further facts (group, every certificate, OCSP staple) after a completed handshake. */
void tls_conn_detail(const struct tls_conn *t, struct tls_detail *d);
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
/*
 * Whether an SSL call's failure means the peer went away (TLS_IO_EOF):
 * ssl_err from SSL_get_error, e the first queued OpenSSL error (0: none),
 * saved_errno the errno right after the call. Pure; exposed for the tests
 * that feed it what OpenSSL 3.0 and 3.5 report for the same event.
 */
int tls_peer_gone(int ssl_err, unsigned long e, int saved_errno);
/* Name of an X509 verify code ("certificate has expired"). */
const char *tls_verify_str(int code);

#endif
