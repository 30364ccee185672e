/*
 * ossl.h - OpenSSL loaded on first use: one table of the functions we call.
 *
 * The plugins do not link libssl/libcrypto: binding their symbols at exec
 * costs a plain probe more than the whole probe (bench/notes.md: 4.1 M
 * instead of 0.57 M instructions). The first caller of ossl_load()
 * dlopen()s libcrypto and libssl (RTLD_NOW|RTLD_LOCAL, no other flags) and
 * resolves every function below into ossl_fn; later calls return the first
 * result. The binaries say so to packagers in a .note.dlopen ELF note
 * (ossl.c, systemd's dlopen-metadata format). Callers write OSSL(SSL_new)(ctx). The member types come from
 * the real OpenSSL headers (__typeof__), so every call is type-checked.
 * OpenSSL macros that expand to function calls (SSL_set_tlsext_host_name,
 * BIO_set_retry_read, ...) must be written as the table call they expand
 * to: `nm -u` on an object that includes this header must list no OpenSSL
 * symbol. Not thread-safe: load from one thread (the plugins and the
 * subagent are single-threaded). Low module: includes nothing of ours.
 */
#ifndef MAILPATH_OSSL_H
#define MAILPATH_OSSL_H

#include <stddef.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#if defined(OPENSSL_VERSION_MAJOR) && OPENSSL_VERSION_MAJOR != 3
#error "ossl: built for the OpenSSL 3 ABI (libssl.so.3)"
#endif

/* Library names passed to dlopen (build-time overridable). */
#ifndef OSSL_SSL_NAME
#define OSSL_SSL_NAME "libssl.so.3"
#endif
#ifndef OSSL_CRYPTO_NAME
#define OSSL_CRYPTO_NAME "libcrypto.so.3"
#endif

/* Functions resolved from libssl. */
#define OSSL_SSL_FUNCS(X)                                                                          \
	X(OPENSSL_init_ssl)                                                                        \
	X(TLS_client_method)                                                                       \
	X(SSL_CTX_new)                                                                             \
	X(SSL_CTX_free)                                                                            \
	X(SSL_CTX_ctrl)                                                                            \
	X(SSL_CTX_set_options)                                                                     \
	X(SSL_CTX_set_verify)                                                                      \
	X(SSL_CTX_load_verify_file)                                                                \
	X(SSL_CTX_load_verify_dir)                                                                 \
	X(SSL_new)                                                                                 \
	X(SSL_free)                                                                                \
	X(SSL_ctrl)                                                                                \
	X(SSL_set_bio)                                                                             \
	X(SSL_set_connect_state)                                                                   \
	X(SSL_set_hostflags)                                                                       \
	X(SSL_set1_host)                                                                           \
	X(SSL_get0_param)                                                                          \
	X(SSL_connect)                                                                             \
	X(SSL_read_ex)                                                                             \
	X(SSL_write_ex)                                                                            \
	X(SSL_pending)                                                                             \
	X(SSL_get_error)                                                                           \
	X(SSL_get_version)                                                                         \
	X(SSL_get_current_cipher)                                                                  \
	X(SSL_CIPHER_get_name)                                                                     \
	X(SSL_get_verify_result)                                                                   \
	X(SSL_get0_peer_certificate)                                                               \
	X(SSL_get_peer_cert_chain)                                                                 \
	X(SSL_CTX_set_security_level)                                                              \
	X(SSL_group_to_name)

/* Functions resolved from libcrypto. */
#define OSSL_CRYPTO_FUNCS(X)                                                                       \
	X(OpenSSL_version_num)                                                                     \
	X(OPENSSL_init_crypto)                                                                     \
	X(ERR_get_error)                                                                           \
	X(ERR_peek_error)                                                                          \
	X(ERR_clear_error)                                                                         \
	X(ERR_error_string_n)                                                                      \
	X(ERR_reason_error_string)                                                                 \
	X(BIO_new)                                                                                 \
	X(BIO_free)                                                                                \
	X(BIO_read)                                                                                \
	X(BIO_s_mem)                                                                               \
	X(BIO_get_data)                                                                            \
	X(BIO_set_data)                                                                            \
	X(BIO_get_init)                                                                            \
	X(BIO_set_init)                                                                            \
	X(BIO_set_flags)                                                                           \
	X(BIO_clear_flags)                                                                         \
	X(BIO_get_new_index)                                                                       \
	X(BIO_meth_new)                                                                            \
	X(BIO_meth_free)                                                                           \
	X(BIO_meth_set_write)                                                                      \
	X(BIO_meth_set_read)                                                                       \
	X(BIO_meth_set_puts)                                                                       \
	X(BIO_meth_set_ctrl)                                                                       \
	X(X509_get_default_cert_dir)                                                               \
	X(X509_get_default_cert_dir_env)                                                           \
	X(X509_VERIFY_PARAM_set1_ip_asc)                                                           \
	X(X509_NAME_print_ex)                                                                      \
	X(X509_get_subject_name)                                                                   \
	X(X509_get_issuer_name)                                                                    \
	X(X509_get0_notAfter)                                                                      \
	X(OPENSSL_sk_num)                                                                          \
	X(OPENSSL_sk_value)                                                                        \
	X(X509_check_host)                                                                         \
	X(X509_check_ip_asc)                                                                       \
	X(X509_verify_cert_error_string)                                                           \
	X(ASN1_TIME_to_tm)                                                                         \
	X(OBJ_nid2sn)                                                                              \
	X(X509_get0_pubkey)                                                                        \
	X(EVP_PKEY_get0_type_name)                                                                 \
	X(EVP_PKEY_get_bits)                                                                       \
	X(X509_get_signature_nid)                                                                  \
	X(X509_get_signature_info)                                                                 \
	X(X509_NAME_cmp)                                                                           \
	X(X509_check_issued)                                                                       \
	X(d2i_OCSP_RESPONSE)                                                                       \
	X(OCSP_RESPONSE_free)                                                                      \
	X(OCSP_response_status)                                                                    \
	X(OCSP_response_get1_basic)                                                                \
	X(OCSP_BASICRESP_free)                                                                     \
	X(OCSP_resp_get0_produced_at)                                                              \
	X(OCSP_resp_count)                                                                         \
	X(OCSP_resp_get0)                                                                          \
	X(OCSP_resp_find)                                                                          \
	X(OCSP_cert_to_id)                                                                         \
	X(OCSP_CERTID_free)                                                                        \
	X(OCSP_single_get0_status)                                                                 \
	X(EVP_md5)                                                                                 \
	X(HMAC)

/* f names a function and a member: it cannot be parenthesised. */
#define OSSL_FIELD(f) __typeof__(&f) f; /* NOLINT(bugprone-macro-parentheses) */
/* Pointers to the OpenSSL functions we call; valid after ossl_load() returned 0. */
struct ossl_fns {
	OSSL_SSL_FUNCS(OSSL_FIELD)
	OSSL_CRYPTO_FUNCS(OSSL_FIELD)
};
#undef OSSL_FIELD

/* The table every caller uses (filled by ossl_load()). */
extern struct ossl_fns ossl_fn;

/* Call OpenSSL function f through the table: OSSL(SSL_new)(ctx). */
#define OSSL(f) (ossl_fn.f)

/* Load OpenSSL once; 0 when the table is usable, else -1 and the reason in err. */
int ossl_load(char *err, size_t errlen);
/*
 * Open the libraries named ssl_name and crypto_name and fill t; 0 or -1 with
 * the reason in err (nothing stays open then). The engine of ossl_load().
 */
int ossl_open(struct ossl_fns *t, const char *ssl_name, const char *crypto_name, char *err,
	      size_t errlen);

#endif
