/*
 * tls.c - OpenSSL 3 client sessions on a non-blocking fd.
 *
 * Contract:
 * - OpenSSL is loaded (ossl.h: dlopen, one table of functions) and
 *   initialised in tls_ctx_new() only; a plugin that never uses TLS never
 *   pays for it, not even for binding the libraries' symbols at exec. A
 *   library that cannot be loaded makes tls_ctx_new() fail with a message.
 * - Contexts are made in OpenSSL's default library context, initialised
 *   once with its configuration (openssl.cnf, or the file OPENSSL_CONF
 *   names): system crypto policies, providers such as FIPS and their
 *   defaults apply as to any stock OpenSSL client; we set nothing that
 *   overrides them (no protocol floor or ceiling, no cipher list, no
 *   security level). A configuration OpenSSL refuses fails tls_ctx_new()
 *   with OpenSSL's reason. Old servers (TLS 1.0/1.1, SHA-1 signatures) thus
 *   show as a handshake error where the policy refuses them. The one
 *   exception is tls_ctx_new_legacy(): a context of its own, offering one
 *   old protocol at security level 0 without verification, that only tells
 *   check_mail_tls whether a server still accepts TLS 1.0/1.1; it never
 *   carries a session anything is trusted on, and a protocol the
 *   configuration rules out entirely stays out (it is then "not tested").
 * - tls_ctx_shared() hands out one context per CA file, reference-counted,
 *   for processes that run checks over and over (the subagent): the CA
 *   store is read once, not per run. The list keeps a reference of its own,
 *   so the context lives between runs; tls_ctx_free() drops the caller's,
 *   tls_ctx_shared_release() the list's (at shutdown, or to reread CA files
 *   after a reload). A CA file is known by its path, not its content.
 * - Verification never aborts the handshake (SSL_VERIFY_NONE). OpenSSL still
 *   builds and verifies the chain and keeps the FIRST error it met, which
 *   tls_conn_info() reports as verify_code. Because a chain error can hide
 *   a name error, name_ok is computed on its own from the leaf.
 * - CA certificates: a given ca_file is read whole; otherwise the hashed
 *   directory ($SSL_CERT_DIR, else OpenSSL's default cert dir) is searched
 *   on demand, so start-up does not parse the whole system bundle.
 * - The caller owns the fd: tls_conn_free() never closes it. I/O goes
 *   through a small socket BIO using send(MSG_NOSIGNAL)/recv, so a write to
 *   a closed peer returns an error instead of raising SIGPIPE.
 * - Every call (handshake step, read, write) reads at most TLS_READ_BUDGET
 *   bytes from the socket; past it the BIO answers "retry" as for EAGAIN
 *   (BIO_set_retry_read, the stock non-blocking contract), so the call
 *   returns TLS_IO_WANT_READ and the event loop runs its timers and other
 *   watchers. Without it a peer that streams records OpenSSL skips (empty
 *   HelloRequests before the ServerHello, RFC 5246 section 7.4.1.1) keeps
 *   one SSL_connect() busy as long as bytes arrive, past any deadline.
 * - A peer that went away is TLS_IO_EOF in every phase, including the
 *   handshake, the same on OpenSSL 3.0 and 3.5 (tls_peer_gone): close_notify,
 *   a plain close (3.0: SSL_ERROR_SYSCALL with errno 0; 3.x:
 *   SSL_R_UNEXPECTED_EOF_WHILE_READING), a reset or a write to a closed
 *   socket (ECONNRESET/EPIPE, whether OpenSSL reports it as a system error
 *   or wraps it in a generic record-layer failure as 3.2+ does). Everything
 *   else is TLS_IO_ERROR with the reason of the first queued OpenSSL error
 *   (0 for a system error, whose strerror text is kept instead).
 * RFC 6066 section 3 (SNI: no IP literals), RFC 6125 (name checks).
 */
#include "tls/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tls/ossl.h"
#include "tls/tls_ssl.h"

#define TLS_ERR_TEXT_MAX 256
/* Socket bytes one TLS call may read: four full records (RFC 8446 §5.2). */
#define TLS_READ_BUDGET ((size_t)4 * (16384 + 256 + 5))
#define TLS_HOST_FLAGS X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS

struct tls_ctx {
	SSL_CTX *ssl_ctx;
	BIO_METHOD *bio_meth;
	unsigned refs;        /* references held; freed when the last one goes */
	char *shared_key;     /* CA file ("" for the system store) when shared, else NULL */
	struct tls_ctx *next; /* the list of shared contexts */
};

/* Contexts handed out by tls_ctx_shared(), one per CA file. */
static struct tls_ctx *tls_shared_list;

/* What our socket BIO keeps: the fd and what the current call may still read. */
struct tls_sock {
	int fd;
	size_t budget;
};

struct tls_conn {
	SSL *ssl;
	struct tls_sock sock; /* the BIO's data */
	char *verify_name;    /* copy; NULL when no name check was asked */
	int verify_is_ip;
	int err_reason;
	char err_text[TLS_ERR_TEXT_MAX];
};

/* The socket state kept in one of our BIOs. */
static struct tls_sock *tls_bio_sock(BIO *b)
{
	return OSSL(BIO_get_data)(b);
}

/* The fd kept in one of our BIOs. */
static int tls_bio_fd(BIO *b)
{
	return tls_bio_sock(b)->fd;
}

/* BIO write: send() without SIGPIPE; EAGAIN becomes a retry. */
static int tls_bio_write(BIO *b, const char *p, int len)
{
	ssize_t r;

	/* BIO_clear_retry_flags(b) */
	OSSL(BIO_clear_flags)(b, BIO_FLAGS_RWS | BIO_FLAGS_SHOULD_RETRY);
	r = send(tls_bio_fd(b), p, (size_t)len, MSG_NOSIGNAL);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		OSSL(BIO_set_flags)(b, BIO_FLAGS_WRITE | BIO_FLAGS_SHOULD_RETRY); /* retry_write */
	return (int)r;
}

/* BIO read: recv(); EAGAIN, or the call's budget spent, becomes a retry; 0 is EOF. */
static int tls_bio_read(BIO *b, char *p, int len)
{
	struct tls_sock *s = tls_bio_sock(b);
	ssize_t r;

	/* BIO_clear_retry_flags(b) */
	OSSL(BIO_clear_flags)(b, BIO_FLAGS_RWS | BIO_FLAGS_SHOULD_RETRY);
	if (s->budget == 0) {
		OSSL(BIO_set_flags)(b, BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY); /* retry_read */
		return -1;
	}
	if ((size_t)len > s->budget)
		len = (int)s->budget;
	r = recv(s->fd, p, (size_t)len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		OSSL(BIO_set_flags)(b, BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY); /* retry_read */
	if (r > 0)
		s->budget -= (size_t)r;
	return (int)r;
}

/* BIO puts: a string write. */
static int tls_bio_puts(BIO *b, const char *s)
{
	return tls_bio_write(b, s, (int)strlen(s));
}

/* BIO ctrl: the fd is read back from the BIO's data; flush is a no-op. */
static long tls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)num;
	switch (cmd) {
	case BIO_C_GET_FD:
		if (!OSSL(BIO_get_init)(b))
			return -1;
		if (ptr != NULL)
			*(int *)ptr = tls_bio_fd(b);
		return tls_bio_fd(b);
	case BIO_CTRL_FLUSH: return 1;
	default: return 0;
	}
}

/* Make the BIO method used for every session of a context. */
static BIO_METHOD *tls_bio_method_new(void)
{
	BIO_METHOD *m;
	int idx = OSSL(BIO_get_new_index)();

	if (idx == -1)
		return NULL;
	m = OSSL(BIO_meth_new)(idx | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "mailpath socket");
	if (m == NULL)
		return NULL;
	if (!OSSL(BIO_meth_set_write)(m, tls_bio_write) ||
	    !OSSL(BIO_meth_set_read)(m, tls_bio_read) ||
	    !OSSL(BIO_meth_set_puts)(m, tls_bio_puts) ||
	    !OSSL(BIO_meth_set_ctrl)(m, tls_bio_ctrl)) {
		OSSL(BIO_meth_free)(m);
		return NULL;
	}
	return m;
}

/* Put "what: first queued OpenSSL error" (or just what) into err. */
static void tls_err_fill(char *err, size_t errlen, const char *what)
{
	unsigned long e = OSSL(ERR_get_error)();
	char buf[TLS_ERR_TEXT_MAX];

	OSSL(ERR_clear_error)();
	if (err == NULL || errlen == 0)
		return;
	if (e == 0) {
		snprintf(err, errlen, "%s", what);
		return;
	}
	OSSL(ERR_error_string_n)(e, buf, sizeof buf);
	snprintf(err, errlen, "%s: %s", what, buf);
}

/* Point the context at its CA certificates: a file, or the hashed dir. */
static int tls_ctx_load_ca(SSL_CTX *ctx, const char *ca_file)
{
	const char *dir;

	if (ca_file != NULL)
		return OSSL(SSL_CTX_load_verify_file)(ctx, ca_file);
	dir = getenv(OSSL(X509_get_default_cert_dir_env)());
	if (dir == NULL || dir[0] == '\0')
		dir = OSSL(X509_get_default_cert_dir)();
	return OSSL(SSL_CTX_load_verify_dir)(ctx, dir);
}

/* Load and initialise OpenSSL once (openssl.cnf applied); 0, or -1 and the reason in err. */
static int tls_lib_init(char *err, size_t errlen)
{
	static int state; /* 0 not tried, 1 ready, -1 failed */
	static char why[TLS_ERR_TEXT_MAX];

	if (ossl_load(err, errlen) != 0)
		return -1;
	if (state == 0) {
		OSSL(ERR_clear_error)();
		/* The defaults plus the configuration file, stated: error texts, openssl.cnf. */
		state = OSSL(OPENSSL_init_ssl)(OPENSSL_INIT_LOAD_SSL_STRINGS |
						       OPENSSL_INIT_LOAD_CRYPTO_STRINGS |
						       OPENSSL_INIT_LOAD_CONFIG,
					       NULL)
				? 1
				: -1;
		if (state < 0)
			tls_err_fill(why, sizeof why, "OpenSSL initialisation (openssl.cnf)");
	}
	if (state > 0)
		return 0;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	return -1;
}

/* Make a client context; ca_file NULL means the system store. NULL on failure, message in err. */
struct tls_ctx *tls_ctx_new(const char *ca_file, char *err, size_t errlen)
{
	struct tls_ctx *c = NULL;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (tls_lib_init(err, errlen) != 0)
		return NULL;
	OSSL(ERR_clear_error)();
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		tls_err_fill(err, errlen, "out of memory");
		return NULL;
	}
	c->refs = 1;
	c->ssl_ctx = OSSL(SSL_CTX_new)(OSSL(TLS_client_method)());
	if (c->ssl_ctx == NULL) {
		tls_err_fill(err, errlen,
			     "SSL_CTX_new (OpenSSL configuration: openssl.cnf or OPENSSL_CONF)");
		goto fail;
	}
	OSSL(SSL_CTX_set_verify)(c->ssl_ctx, SSL_VERIFY_NONE, NULL);
	OSSL(SSL_CTX_set_options)(c->ssl_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* SSL_CTX_set_mode */
	OSSL(SSL_CTX_ctrl)
	(c->ssl_ctx, SSL_CTRL_MODE,
	 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, NULL);
	if (!tls_ctx_load_ca(c->ssl_ctx, ca_file)) {
		tls_err_fill(err, errlen, ca_file != NULL ? ca_file : "CA directory");
		goto fail;
	}
	c->bio_meth = tls_bio_method_new();
	if (c->bio_meth == NULL) {
		tls_err_fill(err, errlen, "BIO method");
		goto fail;
	}
	return c;
fail:
	tls_ctx_free(c);
	return NULL;
}

/* 1 when the context builds a ClientHello (into a memory BIO, nothing sent), else 0 with why. */
static int tls_ctx_offers(const struct tls_ctx *c, char *err, size_t errlen)
{
	SSL *ssl = OSSL(SSL_new)(c->ssl_ctx);
	BIO *rb = OSSL(BIO_new)(OSSL(BIO_s_mem)());
	BIO *wb = OSSL(BIO_new)(OSSL(BIO_s_mem)());
	int ok = 0, r;

	if (ssl == NULL || rb == NULL || wb == NULL) {
		tls_err_fill(err, errlen, "out of memory");
		goto out;
	}
	OSSL(SSL_set_bio)(ssl, rb, wb); /* the session owns both now */
	rb = wb = NULL;
	OSSL(SSL_set_connect_state)(ssl);
	r = OSSL(SSL_connect)(ssl);
	/* An empty memory BIO reads as "retry": the ClientHello was written. */
	ok = r <= 0 && OSSL(SSL_get_error)(ssl, r) == SSL_ERROR_WANT_READ;
	if (!ok)
		tls_err_fill(err, errlen, "OpenSSL will not offer the protocol");
out:
	OSSL(BIO_free)(rb);
	OSSL(BIO_free)(wb);
	OSSL(SSL_free)(ssl);
	OSSL(ERR_clear_error)();
	return ok;
}

/* A context offering only the old protocol version, at security level 0; NULL with why. */
struct tls_ctx *tls_ctx_new_legacy(int version, char *err, size_t errlen)
{
	struct tls_ctx *c = tls_ctx_new(NULL, err, errlen);

	if (c == NULL)
		return NULL;
	OSSL(SSL_CTX_set_security_level)(c->ssl_ctx, 0);
	/* SSL_CTX_set_min_proto_version, SSL_CTX_set_max_proto_version */
	if (!OSSL(SSL_CTX_ctrl)(c->ssl_ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, version, NULL) ||
	    !OSSL(SSL_CTX_ctrl)(c->ssl_ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, version, NULL)) {
		tls_err_fill(err, errlen, "OpenSSL refuses the protocol range");
		tls_ctx_free(c);
		return NULL;
	}
	if (!tls_ctx_offers(c, err, errlen)) {
		tls_ctx_free(c);
		return NULL;
	}
	return c;
}

/* The shared context for ca_file (NULL: system store), one more reference; NULL on failure. */
struct tls_ctx *tls_ctx_shared(const char *ca_file, char *err, size_t errlen)
{
	const char *key = ca_file != NULL ? ca_file : "";
	struct tls_ctx *c;

	for (c = tls_shared_list; c != NULL; c = c->next)
		if (strcmp(c->shared_key, key) == 0) {
			c->refs++;
			return c;
		}
	c = tls_ctx_new(ca_file, err, errlen);
	if (c == NULL)
		return NULL;
	c->shared_key = strdup(key);
	if (c->shared_key == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		tls_ctx_free(c);
		return NULL;
	}
	c->refs++; /* the list's own: the context outlives the runs between uses */
	c->next = tls_shared_list;
	tls_shared_list = c;
	return c;
}

/* Drop the list's references: contexts still in use go with their last holder. */
void tls_ctx_shared_release(void)
{
	struct tls_ctx *c;

	while ((c = tls_shared_list) != NULL) {
		tls_shared_list = c->next;
		c->next = NULL;
		tls_ctx_free(c);
	}
}

/* Drop a reference to a context, freeing it with the last; NULL is fine. */
void tls_ctx_free(struct tls_ctx *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	OSSL(SSL_CTX_free)(c->ssl_ctx);
	OSSL(BIO_meth_free)(c->bio_meth);
	free(c->shared_key);
	free(c);
}

/* The OpenSSL SSL_CTX behind a context (tests: two shared handles, one SSL_CTX). */
const void *tls_ctx_id(const struct tls_ctx *c)
{
	return c != NULL ? (const void *)c->ssl_ctx : NULL;
}

/* True when s is an IPv4 or IPv6 address literal. */
static int tls_is_ip_literal(const char *s)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

/* Ask OpenSSL to check the name during verification (result in verify_code). */
static int tls_conn_set_name(struct tls_conn *t, const char *verify_name)
{
	t->verify_name = strdup(verify_name);
	if (t->verify_name == NULL)
		return 0;
	t->verify_is_ip = tls_is_ip_literal(verify_name);
	if (t->verify_is_ip)
		return OSSL(X509_VERIFY_PARAM_set1_ip_asc)(OSSL(SSL_get0_param)(t->ssl),
							   verify_name);
	OSSL(SSL_set_hostflags)(t->ssl, TLS_HOST_FLAGS);
	return OSSL(SSL_set1_host)(t->ssl, verify_name);
}

/* Attach fd to the session through our socket BIO (which never closes it). */
static int tls_conn_set_fd(struct tls_conn *t, const struct tls_ctx *c, int fd)
{
	BIO *bio = OSSL(BIO_new)(c->bio_meth);

	if (bio == NULL)
		return 0;
	t->sock.fd = fd;
	t->sock.budget = TLS_READ_BUDGET;
	OSSL(BIO_set_data)(bio, &t->sock);
	OSSL(BIO_set_init)(bio, 1);
	OSSL(SSL_set_bio)(t->ssl, bio, bio);
	return 1;
}

/* Ask for server name sni (SSL_set_tlsext_host_name); 1 on success. */
static int tls_set_sni(SSL *ssl, const char *sni)
{
	return (int)OSSL(SSL_ctrl)(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
				   (void *)(uintptr_t)sni);
}

/* Start a client session on fd; sni and verify_name may be NULL. */
struct tls_conn *tls_conn_new(struct tls_ctx *c, int fd, const char *sni, const char *verify_name)
{
	struct tls_conn *t;

	if (c == NULL || fd < 0)
		return NULL;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	OSSL(ERR_clear_error)();
	t->ssl = OSSL(SSL_new)(c->ssl_ctx);
	if (t->ssl == NULL || !tls_conn_set_fd(t, c, fd))
		goto fail;
	/* RFC 6066 section 3: literal IPv4 and IPv6 addresses are not permitted. */
	if (sni != NULL && sni[0] != '\0' && !tls_is_ip_literal(sni) && !tls_set_sni(t->ssl, sni))
		goto fail;
	if (verify_name != NULL && !tls_conn_set_name(t, verify_name))
		goto fail;
	OSSL(SSL_set_connect_state)(t->ssl);
	return t;
fail:
	OSSL(ERR_clear_error)();
	tls_conn_free(t);
	return NULL;
}

/* Ask for a stapled OCSP response (SSL_set_tlsext_status_type); 1 on success. */
int tls_conn_want_ocsp(struct tls_conn *t)
{
	return OSSL(SSL_ctrl)(t->ssl, SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, TLSEXT_STATUSTYPE_ocsp,
			      NULL) == 1;
}

/* The session behind t (tls_ssl.h: for tls_detail.c only). */
SSL *tls_conn_ssl(const struct tls_conn *t)
{
	return t->ssl;
}

/* Free a session (in any state) without touching the fd; NULL is fine. */
void tls_conn_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	OSSL(SSL_free)(t->ssl);
	free(t->verify_name);
	free(t);
}

/* Record a failure: the first queued OpenSSL error, else errno, else ssl_err. */
static void tls_conn_set_error(struct tls_conn *t, int ssl_err, int saved_errno)
{
	unsigned long e = OSSL(ERR_get_error)();
	const char *reason;

	reason = e != 0 ? OSSL(ERR_reason_error_string)(e) : NULL;
	t->err_reason = e != 0 ? ERR_GET_REASON(e) : 0;
	if (reason != NULL)
		snprintf(t->err_text, sizeof t->err_text, "%s", reason);
	else if (e != 0)
		OSSL(ERR_error_string_n)(e, t->err_text, sizeof t->err_text);
	else if (saved_errno != 0)
		snprintf(t->err_text, sizeof t->err_text, "%s", strerror(saved_errno));
	else
		snprintf(t->err_text, sizeof t->err_text, "TLS failure (SSL_get_error %d)",
			 ssl_err);
	OSSL(ERR_clear_error)();
}

/* True when errno-style code e means the peer closed or reset the connection. */
static int tls_errno_gone(int e)
{
	return e == EPIPE || e == ECONNRESET;
}

/*
 * True when an SSL reason is not the peer's own alert (reasons from
 * SSL_AD_REASON_OFFSET on are alerts received, which keep their reason).
 */
static int tls_ssl_generic(int reason)
{
	return reason < SSL_AD_REASON_OFFSET;
}

/*
 * True when the failure is the peer going away (close, reset, EOF), whichever
 * way the OpenSSL release reports it: 3.0 returns SSL_ERROR_SYSCALL with an
 * empty queue (errno 0 for EOF, EPIPE/ECONNRESET for a write or a reset);
 * 3.x may queue SSL_R_UNEXPECTED_EOF_WHILE_READING, a system error
 * (ERR_LIB_SYS, the errno as reason), or, since the 3.2 record layer, a
 * generic SSL error on top of a failed send/recv that left errno set.
 */
int tls_peer_gone(int ssl_err, unsigned long e, int saved_errno)
{
	if (ssl_err == SSL_ERROR_ZERO_RETURN)
		return 1;
	if (ssl_err != SSL_ERROR_SYSCALL && ssl_err != SSL_ERROR_SSL)
		return 0;
	if (e == 0)
		return ssl_err == SSL_ERROR_SYSCALL &&
		       (saved_errno == 0 || tls_errno_gone(saved_errno));
	if (ERR_GET_LIB(e) == ERR_LIB_SYS)
		return tls_errno_gone(ERR_GET_REASON(e));
	if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return 1;
	/* Our BIO's send/recv failed with the peer gone; OpenSSL only wrapped it. */
	return tls_errno_gone(saved_errno) && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	       tls_ssl_generic(ERR_GET_REASON(e));
}

/* Map the result of an SSL call (ret <= 0) to enum tls_io. */
static enum tls_io tls_conn_result(struct tls_conn *t, int ret, int saved_errno)
{
	int ssl_err = OSSL(SSL_get_error)(t->ssl, ret);

	if (ssl_err == SSL_ERROR_WANT_READ)
		return TLS_IO_WANT_READ;
	if (ssl_err == SSL_ERROR_WANT_WRITE)
		return TLS_IO_WANT_WRITE;
	if (!tls_peer_gone(ssl_err, OSSL(ERR_peek_error)(), saved_errno)) {
		tls_conn_set_error(t, ssl_err, saved_errno);
		return TLS_IO_ERROR;
	}
	/* EOF: no reason code; a reset keeps its errno text. */
	t->err_reason = 0;
	t->err_text[0] = '\0';
	if (ssl_err == SSL_ERROR_SYSCALL && saved_errno != 0)
		snprintf(t->err_text, sizeof t->err_text, "%s", strerror(saved_errno));
	OSSL(ERR_clear_error)();
	return TLS_IO_EOF;
}

/* Advance the handshake. */
enum tls_io tls_handshake(struct tls_conn *t)
{
	int r;

	OSSL(ERR_clear_error)();
	t->sock.budget = TLS_READ_BUDGET;
	errno = 0;
	r = OSSL(SSL_connect)(t->ssl);
	if (r == 1)
		return TLS_IO_OK;
	return tls_conn_result(t, r, errno);
}

/* Read up to len bytes; *n gets the count on TLS_IO_OK. */
size_t tls_pending(const struct tls_conn *t)
{
	int n = OSSL(SSL_pending)(t->ssl);

	return n > 0 ? (size_t)n : 0;
}

enum tls_io tls_read(struct tls_conn *t, void *p, size_t len, size_t *n)
{
	size_t got = 0;

	*n = 0;
	OSSL(ERR_clear_error)();
	t->sock.budget = TLS_READ_BUDGET;
	errno = 0;
	if (OSSL(SSL_read_ex)(t->ssl, p, len, &got) == 1) {
		*n = got;
		return TLS_IO_OK;
	}
	return tls_conn_result(t, 0, errno);
}

/* Write up to len bytes; *n gets the count on TLS_IO_OK. */
enum tls_io tls_write(struct tls_conn *t, const void *p, size_t len, size_t *n)
{
	size_t put = 0;

	*n = 0;
	OSSL(ERR_clear_error)();
	t->sock.budget = TLS_READ_BUDGET;
	errno = 0;
	if (OSSL(SSL_write_ex)(t->ssl, p, len, &put) == 1) {
		*n = put;
		return TLS_IO_OK;
	}
	return tls_conn_result(t, 0, errno);
}

/* After TLS_IO_ERROR: OpenSSL reason code (ERR_GET_REASON) and its text. */
int tls_conn_error(const struct tls_conn *t, char *text, size_t len)
{
	if (text != NULL && len > 0)
		snprintf(text, len, "%s", t->err_text);
	return t->err_reason;
}

/* Cut a trailing incomplete UTF-8 sequence left by truncation. */
static void tls_utf8_trim(char *s, size_t used)
{
	size_t i = used, need;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && used - i < 3)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	if (c < 0xC0)
		return;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (used - (i - 1) < need)
		s[i - 1] = '\0';
}

/* Print an X509 name on one line into out (bounded, UTF-8 kept). */
void tls_name_line(const X509_NAME *name, char *out, size_t len)
{
	BIO *bio = OSSL(BIO_new)(OSSL(BIO_s_mem)());
	int got;

	out[0] = '\0';
	if (bio == NULL)
		return;
	if (OSSL(X509_NAME_print_ex)(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		got = OSSL(BIO_read)(bio, out, (int)len - 1);
		if (got > 0) {
			out[got] = '\0';
			if ((size_t)got == len - 1)
				tls_utf8_trim(out, (size_t)got);
		}
	}
	OSSL(BIO_free)(bio);
}

/* The certificate's notAfter as time_t; 0 when unreadable. */
time_t tls_not_after(const X509 *cert)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (!OSSL(ASN1_TIME_to_tm)(OSSL(X509_get0_notAfter)(cert), &tm))
		return 0;
	return timegm(&tm);
}

/* 1 when the leaf matches the expected name (or none was asked), else 0. */
static int tls_name_ok(const struct tls_conn *t, X509 *cert)
{
	if (t->verify_name == NULL)
		return 1;
	if (t->verify_is_ip)
		return OSSL(X509_check_ip_asc)(cert, t->verify_name, 0) == 1;
	return OSSL(X509_check_host)(cert, t->verify_name, 0, TLS_HOST_FLAGS, NULL) == 1;
}

/* The certificate of the sent chain that expires first (leaf when no chain is readable). */
static void tls_chain_info(const struct tls_conn *t, X509 *leaf, struct tls_info *info)
{
	const OPENSSL_STACK *chain = (const OPENSSL_STACK *)OSSL(SSL_get_peer_cert_chain)(t->ssl);
	int n = chain != NULL ? OSSL(OPENSSL_sk_num)(chain) : 0;
	X509 *first = leaf;

	info->chain_len = n > 0 ? n : 1;
	info->chain_depth = 0;
	info->chain_not_after = info->not_after;
	for (int i = 1; i < n; i++) {
		X509 *c = OSSL(OPENSSL_sk_value)(chain, i);
		time_t na = c != NULL ? tls_not_after(c) : 0;

		if (na != 0 && (info->chain_not_after == 0 || na < info->chain_not_after)) {
			info->chain_not_after = na;
			info->chain_depth = i;
			first = c;
		}
	}
	tls_name_line(OSSL(X509_get_subject_name)(first), info->chain_subject,
		      sizeof info->chain_subject);
}

/* Fill facts about the session (after a completed handshake). */
void tls_conn_info(const struct tls_conn *t, struct tls_info *info)
{
	const SSL_CIPHER *cipher;
	X509 *cert;

	memset(info, 0, sizeof *info);
	snprintf(info->protocol, sizeof info->protocol, "%s", OSSL(SSL_get_version)(t->ssl));
	cipher = OSSL(SSL_get_current_cipher)(t->ssl);
	if (cipher != NULL)
		snprintf(info->cipher, sizeof info->cipher, "%s",
			 OSSL(SSL_CIPHER_get_name)(cipher));
	info->verify_code = (int)OSSL(SSL_get_verify_result)(t->ssl);
	snprintf(info->verify_text, sizeof info->verify_text, "%s",
		 tls_verify_str(info->verify_code));
	cert = OSSL(SSL_get0_peer_certificate)(t->ssl);
	if (cert == NULL)
		return;
	tls_name_line(OSSL(X509_get_subject_name)(cert), info->subject, sizeof info->subject);
	tls_name_line(OSSL(X509_get_issuer_name)(cert), info->issuer, sizeof info->issuer);
	info->not_after = tls_not_after(cert);
	tls_chain_info(t, cert, info);
	info->name_ok = tls_name_ok(t, cert);
	OSSL(ERR_clear_error)();
}

/* Name of an X509 verify code ("certificate has expired"). */
const char *tls_verify_str(int code)
{
	if (ossl_load(NULL, 0) != 0)
		return "certificate verification error";
	return OSSL(X509_verify_cert_error_string)(code);
}
