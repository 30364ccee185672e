/*
 * ossl_lean.c - the library context our TLS clients run in: OpenSSL's own
 * default provider, seen through a filter that offers what a TLS client uses.
 *
 * Why: OpenSSL 3.0 spends most of a short-lived client's TLS work on tables,
 * not on cryptography (bench/notes.md, callgrind):
 * - the first fetch of a kind of algorithm builds every algorithm of that
 *   kind the providers offer (about 150 ciphers for the one AES-GCM used);
 * - every public-key decode (each certificate) enumerates every decoder;
 * - a context's name map is first filled from the whole legacy name
 *   database, which OPENSSL_init_ssl fills with every cipher and digest.
 * The filter makes the first two tables small; the legacy database gets only
 * the digests that X.509 signatures are looked up by (ASN1_item_verify uses
 * EVP_get_digestbynid).
 *
 * Contract:
 * - ossl_lean_ctx() loads OpenSSL (ossl_load) and initialises it once per
 *   process; later calls return the first result.
 * - The context negotiates what a stock context negotiates: the same cipher
 *   suites, groups and signature algorithms (libssl only offers what it can
 *   fetch, so the lists below are libssl 3.0's, restricted to what the
 *   default provider has). tests/unit/test_ossl_lean.c compares the two and
 *   handshakes both against a stock server with every kind of key.
 * - The implementations are the default provider's, in a second, private
 *   context: their own fetches (a signature's digest, HKDF's HMAC) happen
 *   there. Both contexts use HASH-DRBG (SHA-256, SP 800-90A like the default
 *   CTR-DRBG), because CTR-DRBG's cipher fetch would build every cipher.
 * - OPENSSL_CONF set means "apply my OpenSSL configuration" (providers,
 *   policy): then no filter and no trimming, *ctx is NULL (OpenSSL's default
 *   context) and the file is loaded.
 * - Error texts are not loaded at start-up (a sixth of what is left, 1 M
 *   instructions): ossl_err_strings() loads them before an error is formatted.
 *   Of the libraries, only the provider's own texts (ERR_LIB_PROV) have no
 *   public loader: such an error shows as "reason(N)" with its code.
 * - The legacy name database is process-wide: our processes use OpenSSL
 *   for nothing else.
 * - Never freed: one per process, like OpenSSL's own default context.
 */
#include "tls/ossl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Ciphers libssl 3.0 fetches (ssl_load_ciphers, the stitched CBC+HMAC ones). */
static const char *const lean_ciphers[] = {
	"AES-128-CBC",           "AES-256-CBC",           "AES-128-GCM",
	"AES-256-GCM",           "AES-128-CCM",           "AES-256-CCM",
	"ChaCha20-Poly1305",     "DES-EDE3-CBC",          "CAMELLIA-128-CBC",
	"CAMELLIA-256-CBC",      "ARIA-128-GCM",          "ARIA-256-GCM",
	"AES-128-CBC-HMAC-SHA1", "AES-256-CBC-HMAC-SHA1", "AES-128-CBC-HMAC-SHA256",
	"AES-256-CBC-HMAC-SHA256", NULL};
/* Handshake digests (ssl_load_ciphers) and those of certificate signatures. */
static const char *const lean_digests[] = {
	"MD5",         "SHA1",        "MD5-SHA1",   "SHA2-224", "SHA2-256", "SHA2-384",
	"SHA2-512",    "SHA2-512/224", "SHA2-512/256", "SHA3-224", "SHA3-256", "SHA3-384",
	"SHA3-512",    NULL};
/* Key types: certificates, key shares, MAC keys of TLS 1.2 records. */
static const char *const lean_keys[] = {"RSA",  "RSA-PSS", "EC",   "X25519",   "X448",
                                        "ED25519", "ED448", "DH",  "DHX",      "DSA",
                                        "HMAC", "HKDF",    "TLS1-PRF", NULL};
static const char *const lean_kex[] = {"ECDH", "X25519", "X448", "DH", "HKDF", "TLS1-PRF", NULL};
static const char *const lean_sigs[] = {"RSA", "ECDSA", "ED25519", "ED448", "DSA", "HMAC", NULL};
static const char *const lean_asym[] = {"RSA", NULL};
static const char *const lean_macs[] = {"HMAC", NULL};
static const char *const lean_kdfs[] = {"HKDF", "TLS13-KDF", "TLS1-PRF", NULL};
static const char *const lean_rands[] = {"HASH-DRBG", "SEED-SRC", NULL};

/* The legacy digests (EVP_get_digestbynid) certificate signatures name. */
#define LEAN_LEGACY_DIGESTS(X)                                                                     \
	X(EVP_md5) X(EVP_sha1) X(EVP_sha224) X(EVP_sha256) X(EVP_sha384) X(EVP_sha512)             \
	X(EVP_sha512_224) X(EVP_sha512_256) X(EVP_sha3_224) X(EVP_sha3_256) X(EVP_sha3_384)       \
	X(EVP_sha3_512)

/* The name list our filter keeps of operation op; NULL: none of it. */
static const char *const *lean_names(int op)
{
	switch (op) {
	case OSSL_OP_CIPHER:
		return lean_ciphers;
	case OSSL_OP_DIGEST:
		return lean_digests;
	case OSSL_OP_KEYMGMT:
	case OSSL_OP_DECODER:
		return lean_keys;
	case OSSL_OP_KEYEXCH:
		return lean_kex;
	case OSSL_OP_SIGNATURE:
		return lean_sigs;
	case OSSL_OP_ASYM_CIPHER:
		return lean_asym;
	case OSSL_OP_MAC:
		return lean_macs;
	case OSSL_OP_KDF:
		return lean_kdfs;
	case OSSL_OP_RAND:
		return lean_rands;
	default:
		return NULL;
	}
}

static OSSL_PROVIDER *lean_default;                    /* the real one, private context */
static OSSL_ALGORITHM *lean_tables[OSSL_OP__HIGHEST + 1]; /* filtered, made on first query */
static OSSL_LIB_CTX *lean_ctx;
static int lean_state;     /* 0 not tried, 1 ready, -1 failed */
static char lean_why[256]; /* the failure of the one attempt */

/* Whether one of the ':'-separated names is in list (case-insensitive). */
static int lean_named(const char *names, const char *const *list)
{
	const char *const *l;
	size_t n;

	while (*names != '\0') {
		n = strcspn(names, ":");
		for (l = list; *l != NULL; l++)
			if (strlen(*l) == n && strncasecmp(names, *l, n) == 0)
				return 1;
		names += n;
		if (*names == ':')
			names++;
	}
	return 0;
}

/* Whether we offer algorithm a of operation op. */
static int lean_keep(int op, const OSSL_ALGORITHM *a)
{
	const char *const *names = lean_names(op);

	if (names == NULL || !lean_named(a->algorithm_names, names))
		return 0;
	/* Certificates carry DER SubjectPublicKeyInfo; nothing else is decoded. */
	if (op == OSSL_OP_DECODER)
		return a->property_definition != NULL &&
		       strstr(a->property_definition, "input=der") != NULL &&
		       strstr(a->property_definition, "structure=SubjectPublicKeyInfo") != NULL;
	return 1;
}

/* OSSL_FUNC_provider_query_operation: the default provider's table, filtered. */
static const OSSL_ALGORITHM *lean_query(void *provctx, int op, int *no_cache)
{
	const OSSL_ALGORITHM *all;
	OSSL_ALGORITHM *t;
	size_t n = 0, k = 0, i;
	int nc = 0;

	(void)provctx;
	*no_cache = 0;
	if (op < 0 || op > OSSL_OP__HIGHEST || lean_names(op) == NULL)
		return NULL;
	if (lean_tables[op] != NULL)
		return lean_tables[op];
	all = OSSL(OSSL_PROVIDER_query_operation)(lean_default, op, &nc);
	if (all == NULL)
		return NULL;
	while (all[n].algorithm_names != NULL)
		n++;
	t = calloc(n + 1, sizeof *t);
	if (t == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (lean_keep(op, &all[i]))
			t[k++] = all[i];
	lean_tables[op] = t;
	return t;
}

/* OSSL_FUNC_provider_get_capabilities: the default provider's (TLS-GROUP). */
static int lean_caps(void *provctx, const char *capability, OSSL_CALLBACK *cb, void *arg)
{
	(void)provctx;
	return OSSL(OSSL_PROVIDER_get_capabilities)(lean_default, capability, cb, arg);
}

static const OSSL_DISPATCH lean_dispatch[] = {
	{OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))lean_query},
	{OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))lean_caps},
	{0, NULL}};

/* OSSL_provider_init_fn: implementations get the default provider's own context. */
static int lean_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                     const OSSL_DISPATCH **out, void **provctx)
{
	(void)handle;
	(void)in;
	*out = lean_dispatch;
	*provctx = OSSL(OSSL_PROVIDER_get0_provider_ctx)(lean_default);
	return 1;
}

/* A context with HASH-DRBG as its random generator; NULL on failure. */
static OSSL_LIB_CTX *lean_new_ctx(void)
{
	OSSL_LIB_CTX *c = OSSL(OSSL_LIB_CTX_new)();

	if (c != NULL && !OSSL(RAND_set_DRBG_type)(c, "HASH-DRBG", NULL, NULL, "SHA2-256")) {
		OSSL(OSSL_LIB_CTX_free)(c);
		c = NULL;
	}
	return c;
}

/* Put the first OpenSSL error (or what) into lean_why. */
static void lean_fail(const char *what)
{
	unsigned long e = OSSL(ERR_get_error)();
	char buf[200];

	ossl_err_strings();
	if (e != 0) {
		OSSL(ERR_error_string_n)(e, buf, sizeof buf);
		snprintf(lean_why, sizeof lean_why, "OpenSSL initialisation: %s: %s", what, buf);
	} else {
		snprintf(lean_why, sizeof lean_why, "OpenSSL initialisation: %s", what);
	}
	OSSL(ERR_clear_error)();
}

/* The one attempt of ossl_lean_ctx(); 1 or -1. */
static int lean_setup(void)
{
	const char *conf = getenv("OPENSSL_CONF");
	OSSL_LIB_CTX *inner;

	if (conf != NULL && conf[0] != '\0') {
		if (!OSSL(OPENSSL_init_ssl)(0, NULL)) {
			lean_fail("openssl.cnf");
			return -1;
		}
		return 1;
	}
	if (!OSSL(OPENSSL_init_crypto)(OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	                                   OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
	                                   OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS |
	                                   OPENSSL_INIT_NO_LOAD_CONFIG,
	                               NULL)) {
		lean_fail("libcrypto");
		return -1;
	}
#define LEAN_ADD(f) OSSL(EVP_add_digest)(OSSL(f)());
	LEAN_LEGACY_DIGESTS(LEAN_ADD)
#undef LEAN_ADD
	if (!OSSL(OPENSSL_init_ssl)(OPENSSL_INIT_NO_LOAD_SSL_STRINGS | OPENSSL_INIT_NO_LOAD_CONFIG,
	                            NULL)) {
		lean_fail("libssl");
		return -1;
	}
	inner = lean_new_ctx();
	if (inner == NULL || (lean_default = OSSL(OSSL_PROVIDER_load)(inner, "default")) == NULL) {
		lean_fail("default provider");
		return -1;
	}
	lean_ctx = lean_new_ctx();
	if (lean_ctx == NULL || !OSSL(OSSL_PROVIDER_add_builtin)(lean_ctx, "mailpath", lean_init) ||
	    OSSL(OSSL_PROVIDER_load)(lean_ctx, "mailpath") == NULL) {
		lean_fail("provider");
		lean_ctx = NULL;
		return -1;
	}
	return 1;
}

/* Load the error texts of libssl and libcrypto (once); call before formatting an error. */
void ossl_err_strings(void)
{
	static int loaded;

	if (loaded || ossl_load(NULL, 0) != 0)
		return;
	loaded = 1;
#define LEAN_ERR(f) OSSL(f)();
	OSSL_SSL_ERR_LOADERS(LEAN_ERR)
	OSSL_CRYPTO_ERR_LOADERS(LEAN_ERR)
#undef LEAN_ERR
}

/* The context for our TLS clients (NULL: OpenSSL's default); 0, or -1 and the reason in err. */
int ossl_lean_ctx(OSSL_LIB_CTX **ctx, char *err, size_t errlen)
{
	*ctx = NULL;
	if (ossl_load(err, errlen) != 0)
		return -1;
	if (lean_state == 0)
		lean_state = lean_setup();
	if (lean_state < 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", lean_why);
		return -1;
	}
	*ctx = lean_ctx;
	return 0;
}
