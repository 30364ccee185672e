/*
 * tls_startup.c - start-up cost of the CA store: lazy hashed dir vs bundle.
 *
 * Measures, in one process, OpenSSL initialisation + a client context with
 * its CA store + one chain verification (a system root, looked up in the
 * store by subject), which is what a plugin pays on every run.
 *   cc -O2 -D_GNU_SOURCE -iquote common bench/tls_startup.c common/tls/tls.c common/tls/ossl.c \
 *      -lssl -lcrypto -ldl -o tls_startup
 *   ./tls_startup MODE [CERT]   MODE: dir | bundle | none
 * dir: SSL_CTX_load_verify_dir(default dir), what tls_ctx_new(NULL) does;
 * bundle: SSL_CTX_set_default_verify_paths (whole cert.pem + dir); none: no CA.
 * Prints microseconds and the verification result; run it under
 * valgrind --tool=callgrind for instruction counts.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls/tls.h"

#define DEFAULT_CERT "/etc/ssl/certs/ISRG_Root_X1.pem"

/* Microseconds on the monotonic clock. */
static double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Make a client context with the CA store chosen by mode; NULL on failure. */
static SSL_CTX *bench_ctx(const char *mode)
{
	SSL_CTX *ctx;

	if (!OPENSSL_init_ssl(0, NULL))
		return NULL;
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		return NULL;
	if (strcmp(mode, "dir") == 0 && !SSL_CTX_load_verify_dir(ctx, X509_get_default_cert_dir()))
		goto fail;
	if (strcmp(mode, "bundle") == 0 && !SSL_CTX_set_default_verify_paths(ctx))
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Verify cert against the context's store; X509 verify code or -1. */
static int bench_verify(SSL_CTX *ctx, X509 *cert)
{
	X509_STORE_CTX *sc = X509_STORE_CTX_new();
	int code = -1;

	if (sc == NULL)
		return -1;
	if (X509_STORE_CTX_init(sc, SSL_CTX_get_cert_store(ctx), cert, NULL) == 1) {
		X509_verify_cert(sc);
		code = X509_STORE_CTX_get_error(sc);
	}
	X509_STORE_CTX_free(sc);
	return code;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "dir";
	const char *path = argc > 2 ? argv[2] : DEFAULT_CERT;
	SSL_CTX *ctx;
	X509 *cert;
	FILE *f;
	double t0, t1, t2;
	int code;

	f = fopen(path, "r");
	if (f == NULL)
		return 2;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (cert == NULL)
		return 2;
	t0 = bench_now_us();
	ctx = bench_ctx(mode);
	if (ctx == NULL)
		return 3;
	t1 = bench_now_us();
	code = bench_verify(ctx, cert);
	t2 = bench_now_us();
	printf("%s: ctx %.0f us, verify %.0f us, total %.0f us, verify=%d (%s)\n", mode, t1 - t0,
	       t2 - t1, t2 - t0, code, tls_verify_str(code));
	SSL_CTX_free(ctx);
	X509_free(cert);
	return code == 0 ? 0 : 1;
}
