/*
 * test_ossl_lean.c - the lean library context (common/ossl_lean.c) offers
 * and negotiates what a stock OpenSSL client does.
 *
 * The suite fixture (run once) makes the lean context first, so OpenSSL is
 * initialised the way our plugins initialise it, then makes the keys and an
 * in-process PKI: an RSA, an EC P-384 and an Ed25519 CA (in one CA file)
 * issuing leaves of every key type a mail server uses. Each handshake puts
 * a stock server (OpenSSL's default context) on one end of a memory BIO
 * pair and a client on the other, and steps them in turn in one thread. The
 * "stock" client is SSL_CTX_new() in the same process: it shares the
 * trimmed legacy name database, and neither reads openssl.cnf.
 */
#include <check.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/ossl.h"

Suite *ossl_lean_suite(void);

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define DAY (24L * 3600L)
#define STEPS_MAX 64

/* Keys made once per run (at most three RSA keys: key generation is slow). */
enum key_id {
	KEY_CA_RSA,
	KEY_CA_EC,
	KEY_CA_ED,
	KEY_RSA,
	KEY_RSA_PSS,
	KEY_P256,
	KEY_P384,
	KEY_P521,
	KEY_ED25519,
	KEY_ED448,
	KEY_N
};

static const struct key_spec {
	const char *type;
	const char *curve; /* EC only */
	size_t bits;       /* RSA and RSA-PSS only */
} key_specs[KEY_N] = {
    [KEY_CA_RSA] = {"RSA", NULL, 2048},      [KEY_CA_EC] = {"EC", "P-384", 0},
    [KEY_CA_ED] = {"ED25519", NULL, 0},      [KEY_RSA] = {"RSA", NULL, 2048},
    [KEY_RSA_PSS] = {"RSA-PSS", NULL, 2048}, [KEY_P256] = {"EC", "P-256", 0},
    [KEY_P384] = {"EC", "P-384", 0},         [KEY_P521] = {"EC", "P-521", 0},
    [KEY_ED25519] = {"ED25519", NULL, 0},    [KEY_ED448] = {"ED448", NULL, 0},
};

/* Certificates: three self-signed CAs, then leaves each issued by one of them. */
enum cert_id {
	CERT_CA_RSA,
	CERT_CA_EC,
	CERT_CA_ED,
	CERT_RSA,
	CERT_RSA_SHA512,
	CERT_RSA_PSS_SIG,
	CERT_RSA_PSS_KEY,
	CERT_P256,
	CERT_P384,
	CERT_P521,
	CERT_ED25519,
	CERT_ED448,
	CERT_N
};

static const struct cert_spec {
	const char *cn;
	enum key_id key;
	int issuer;     /* enum cert_id, or -1: self-signed CA */
	const char *md; /* the issuer's signature digest; NULL for EdDSA */
	int pss;        /* the issuer signs with RSASSA-PSS */
} cert_specs[CERT_N] = {
    [CERT_CA_RSA] = {"lean RSA CA", KEY_CA_RSA, -1, "SHA256", 0},
    [CERT_CA_EC] = {"lean EC CA", KEY_CA_EC, -1, "SHA384", 0},
    [CERT_CA_ED] = {"lean Ed25519 CA", KEY_CA_ED, -1, NULL, 0},
    [CERT_RSA] = {"rsa.lab.test", KEY_RSA, CERT_CA_RSA, "SHA256", 0},
    [CERT_RSA_SHA512] = {"rsa512.lab.test", KEY_RSA, CERT_CA_RSA, "SHA512", 0},
    [CERT_RSA_PSS_SIG] = {"pss-sig.lab.test", KEY_RSA, CERT_CA_RSA, "SHA256", 1},
    [CERT_RSA_PSS_KEY] = {"pss-key.lab.test", KEY_RSA_PSS, CERT_CA_RSA, "SHA256", 0},
    [CERT_P256] = {"p256.lab.test", KEY_P256, CERT_CA_EC, "SHA256", 0},
    [CERT_P384] = {"p384.lab.test", KEY_P384, CERT_CA_EC, "SHA384", 0},
    [CERT_P521] = {"p521.lab.test", KEY_P521, CERT_CA_EC, "SHA512", 0},
    [CERT_ED25519] = {"ed25519.lab.test", KEY_ED25519, CERT_CA_ED, NULL, 0},
    [CERT_ED448] = {"ed448.lab.test", KEY_ED448, CERT_CA_ED, NULL, 0},
};

static OSSL_LIB_CTX *lean;
static EVP_PKEY *keys[KEY_N];
static X509 *certs[CERT_N];
static char tmpdir[64];
static char ca_path[128];
static int texts_loaded; /* this process called ossl_err_strings() */

/* Make an RSA or RSA-PSS key of bits (EVP_PKEY_Q_keygen of 3.0 knows only "RSA" sizes). */
static EVP_PKEY *key_make_rsa(const char *type, size_t bits)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *p = NULL;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(EVP_PKEY_keygen_init(c), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_keygen_bits(c, (int)bits), 1);
	ck_assert_int_eq(EVP_PKEY_generate(c, &p), 1);
	EVP_PKEY_CTX_free(c);
	return p;
}

/* Make key k of key_specs. */
static EVP_PKEY *key_make(const struct key_spec *k)
{
	EVP_PKEY *p;

	if (k->curve != NULL)
		p = EVP_PKEY_Q_keygen(NULL, NULL, k->type, k->curve);
	else if (k->bits != 0)
		p = key_make_rsa(k->type, k->bits);
	else
		p = EVP_PKEY_Q_keygen(NULL, NULL, k->type);
	ck_assert_msg(p != NULL, "keygen %s %s: got NULL, want a key", k->type,
	              k->curve ? k->curve : "");
	return p;
}

/* Add one X509v3 extension given in openssl.cnf syntax. */
static void ext_add(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, NULL, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	ck_assert_msg(ext != NULL, "extension %d=%s: got NULL", nid, value);
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* Sign x with key as spec c says (digest, PSS padding). */
static void cert_sign(X509 *x, const struct cert_spec *c, EVP_PKEY *key)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	ck_assert_ptr_nonnull(mctx);
	ck_assert_int_eq(EVP_DigestSignInit_ex(mctx, &pctx, c->md, NULL, NULL, key, NULL), 1);
	if (c->pss) {
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
	}
	ck_assert_msg(X509_sign_ctx(x, mctx) > 0, "signing %s: got failure", c->cn);
	EVP_MD_CTX_free(mctx);
}

/* Make certificate i of cert_specs (its issuer is made before it). */
static X509 *cert_make(int i)
{
	const struct cert_spec *c = &cert_specs[i];
	X509 *issuer = c->issuer < 0 ? NULL : certs[c->issuer];
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(name);
	ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), i + 1), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                            (const unsigned char *)c->cn, -1, -1, 0),
	                 1);
	ck_assert_int_eq(X509_set_subject_name(x, name), 1);
	X509_NAME_free(name);
	ck_assert_int_eq(X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), -DAY));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 30 * DAY));
	ck_assert_int_eq(X509_set_pubkey(x, keys[c->key]), 1);
	if (issuer == NULL) {
		ext_add(x, NID_basic_constraints, "critical,CA:TRUE");
		ext_add(x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		ext_add(x, NID_ext_key_usage, "serverAuth");
	}
	cert_sign(x, c, keys[c->issuer < 0 ? c->key : cert_specs[c->issuer].key]);
	return x;
}

/* Suite set-up: the lean context first (OpenSSL initialised as ours do), then keys and PKI. */
static void lean_setup(void)
{
	char err[256] = "";
	FILE *f;
	int i;

	unsetenv("OPENSSL_CONF");
	ck_assert_msg(ossl_lean_ctx(&lean, err, sizeof err) == 0, "ossl_lean_ctx: got \"%s\"", err);
	ck_assert_msg(lean != NULL, "lean context: got NULL, want a context");
	for (i = 0; i < KEY_N; i++)
		keys[i] = key_make(&key_specs[i]);
	for (i = 0; i < CERT_N; i++)
		certs[i] = cert_make(i);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mailpath-lean-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(ca_path, sizeof ca_path, "%s/ca.pem", tmpdir);
	f = fopen(ca_path, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < CERT_N; i++)
		if (cert_specs[i].issuer < 0)
			ck_assert_int_eq(PEM_write_X509(f, certs[i]), 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Suite tear-down: free the keys and certificates, remove the CA file. */
static void lean_teardown(void)
{
	int i;

	unlink(ca_path);
	rmdir(tmpdir);
	for (i = 0; i < CERT_N; i++)
		X509_free(certs[i]);
	for (i = 0; i < KEY_N; i++)
		EVP_PKEY_free(keys[i]);
}

/* A client context as common/tls.c makes one: lean (libctx) or stock (NULL), trusting the CAs. */
static SSL_CTX *client_ctx(OSSL_LIB_CTX *libctx)
{
	SSL_CTX *c = libctx != NULL ? SSL_CTX_new_ex(libctx, NULL, TLS_client_method())
	                            : SSL_CTX_new(TLS_client_method());

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(SSL_CTX_set_min_proto_version(c, TLS1_VERSION), 1);
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
	ck_assert_msg(SSL_CTX_load_verify_file(c, ca_path) == 1, "load %s: got failure", ca_path);
	return c;
}

/* A stock server context serving certificate cert. */
static SSL_CTX *server_ctx(int cert)
{
	SSL_CTX *s = SSL_CTX_new(TLS_server_method());

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(SSL_CTX_use_certificate(s, certs[cert]), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(s, keys[cert_specs[cert].key]), 1);
	return s;
}

/* Put the first queued OpenSSL error (or what) into why, then clear the queue. */
static void why_fill(char *why, size_t n, const char *what)
{
	unsigned long e = ERR_peek_error();
	char text[200] = "no OpenSSL error";

	if (e != 0) {
		ossl_err_strings();
		texts_loaded = 1;
		ERR_error_string_n(e, text, sizeof text);
	}
	snprintf(why, n, "%s: %s", what, text);
	ERR_clear_error();
}

/* ---------------------------------------------------------------------------------------- */
/* 1. Same offer: the client's lists and ClientHello, lean against stock.                  */

/* What a client offers, each as text. */
struct offer {
	char ciphers[4096];     /* SSL_get1_supported_ciphers names */
	char hello_len[16];     /* bytes of the ClientHello record */
	char groups[512];       /* SSL_get1_groups as the server read them */
	char wire_ciphers[512]; /* the cipher suite list on the wire, hex */
	char extensions[256];   /* extension types, in order */
	char sigalgs[256];      /* signature_algorithms extension, hex */
	char wire_groups[128];  /* supported_groups extension, hex */
};

/* Append printf-formatted text to the string in buf (size n); fails on truncation. */
__attribute__((format(printf, 3, 4))) static void cat(char *buf, size_t n, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
	ck_assert_msg(r >= 0 && (size_t)r < n - len, "offer text truncated at %zu bytes", n);
}

/* Hex of n bytes p appended to buf. */
static void cat_hex(char *buf, size_t size, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cat(buf, size, "%02x", p[i]);
}

/* Server callback: record the raw ClientHello lists into the struct offer in arg. */
static int hello_record(SSL *s, int *al, void *arg)
{
	struct offer *o = arg;
	const unsigned char *p;
	int *ext = NULL;
	size_t n, i;

	(void)al;
	n = SSL_client_hello_get0_ciphers(s, &p);
	cat_hex(o->wire_ciphers, sizeof o->wire_ciphers, p, n);
	if (SSL_client_hello_get1_extensions_present(s, &ext, &n) == 1) {
		for (i = 0; i < n; i++)
			cat(o->extensions, sizeof o->extensions, ",%d", ext[i]);
		cat(o->extensions, sizeof o->extensions, ",");
		OPENSSL_free(ext);
	}
	if (SSL_client_hello_get0_ext(s, TLSEXT_TYPE_signature_algorithms, &p, &n) == 1)
		cat_hex(o->sigalgs, sizeof o->sigalgs, p, n);
	if (SSL_client_hello_get0_ext(s, TLSEXT_TYPE_supported_groups, &p, &n) == 1)
		cat_hex(o->wire_groups, sizeof o->wire_groups, p, n);
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* The client's own cipher list, as names joined by ':'. */
static void offer_ciphers(SSL *c, struct offer *o)
{
	STACK_OF(SSL_CIPHER) *sk = SSL_get1_supported_ciphers(c);
	int i;

	ck_assert_ptr_nonnull(sk);
	for (i = 0; i < sk_SSL_CIPHER_num(sk); i++)
		cat(o->ciphers, sizeof o->ciphers,
		    "%s:", SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i)));
	sk_SSL_CIPHER_free(sk);
}

/* Feed the ClientHello in bio hello to a stock server; record what it read into o. */
static void offer_server_reads(BIO *hello, struct offer *o)
{
	SSL_CTX *sctx = server_ctx(CERT_RSA);
	SSL *s;
	int *groups, n, i;

	SSL_CTX_set_client_hello_cb(sctx, hello_record, o);
	s = SSL_new(sctx);
	ck_assert_ptr_nonnull(s);
	SSL_set_bio(s, hello, BIO_new(BIO_s_mem()));
	ck_assert_int_eq(SSL_accept(s), -1); /* its flight written, waits for the client */
	ck_assert_int_eq(SSL_get_error(s, -1), SSL_ERROR_WANT_READ);
	n = (int)SSL_get1_groups(s, NULL);
	groups = calloc((size_t)n + 1, sizeof *groups);
	ck_assert_ptr_nonnull(groups);
	ck_assert_int_eq(SSL_get1_groups(s, groups), n);
	for (i = 0; i < n; i++)
		cat(o->groups, sizeof o->groups, "%s:", OBJ_nid2sn(groups[i]));
	free(groups);
	SSL_free(s);
	SSL_CTX_free(sctx);
}

/* Everything the client of libctx (NULL: stock) offers. */
static void offer_get(OSSL_LIB_CTX *libctx, struct offer *o)
{
	SSL_CTX *cctx = client_ctx(libctx);
	SSL *c = SSL_new(cctx);
	BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());

	memset(o, 0, sizeof *o);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	offer_ciphers(c, o);
	BIO_up_ref(out);
	SSL_set_bio(c, in, out);
	ck_assert_int_eq(SSL_connect(c), -1);
	ck_assert_int_eq(SSL_get_error(c, -1), SSL_ERROR_WANT_READ);
	cat(o->hello_len, sizeof o->hello_len, "%zu", (size_t)BIO_ctrl_pending(out));
	SSL_free(c);
	SSL_CTX_free(cctx);
	offer_server_reads(out, o);
}

/* The fields compared, and a part the stock value must contain (the test cannot pass empty). */
static const struct offer_field {
	const char *name;
	size_t off;
	const char *stock_has;
} offer_fields[] = {
    {"SSL_get1_supported_ciphers", offsetof(struct offer, ciphers), "ECDHE-RSA-AES128-GCM-SHA256:"},
    {"ClientHello length", offsetof(struct offer, hello_len), ""},
    {"SSL_get1_groups", offsetof(struct offer, groups), "X25519:"},
    {"cipher suites on the wire", offsetof(struct offer, wire_ciphers), "1301"},
    {"extension types", offsetof(struct offer, extensions), ",51,"},
    {"signature_algorithms", offsetof(struct offer, sigalgs), "0807"},
    {"supported_groups", offsetof(struct offer, wire_groups), "001d"},
};

/* The lean client offers exactly what the stock client offers. */
START_TEST(test_same_offer)
{
	const struct offer_field *f = &offer_fields[_i];
	struct offer want, got;
	const char *w, *g;

	offer_get(NULL, &want);
	offer_get(lean, &got);
	w = (const char *)&want + f->off;
	g = (const char *)&got + f->off;
	ck_assert_msg(w[0] != '\0' && strstr(w, f->stock_has) != NULL,
	              "%s of the stock client: got \"%s\", want it to contain \"%s\"", f->name, w,
	              f->stock_has);
	ck_assert_msg(strcmp(g, w) == 0, "%s: got \"%s\", want \"%s\"", f->name, g, w);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* 2. Handshakes: lean and stock clients against the same stock servers.                   */

/* A server configuration and what a stock client negotiates with it. */
static const struct hs_case {
	const char *what;
	int cert;
	int max_proto;       /* server maximum, 0 for none */
	const char *suites;  /* server TLS 1.3 cipher suites, NULL for the default */
	const char *ciphers; /* server TLS 1.2 cipher list, NULL for the default */
	const char *groups;  /* server groups, NULL for the default */
	int want_version;
	const char *want_cipher;
	int want_group;            /* NID, or NID_undef: none (DHE, RSA key exchange) */
	const char *client_list;   /* both clients' TLS 1.2 cipher list, NULL for the default */
	const char *client_suites; /* both clients' TLS 1.3 suites, NULL for the default */
} hs_cases[] = {
    /* TLS 1.3 cipher suites */
    {"1.3 AES-128-GCM", CERT_RSA, 0, "TLS_AES_128_GCM_SHA256", NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_128_GCM_SHA256", NID_X25519, NULL, NULL},
    {"1.3 AES-256-GCM", CERT_P256, 0, "TLS_AES_256_GCM_SHA384", NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_256_GCM_SHA384", NID_X25519, NULL, NULL},
    {"1.3 ChaCha20", CERT_ED25519, 0, "TLS_CHACHA20_POLY1305_SHA256", NULL, NULL, TLS1_3_VERSION,
     "TLS_CHACHA20_POLY1305_SHA256", NID_X25519, NULL, NULL},
    /* TLS 1.3, every kind of certificate */
    {"1.3 RSA leaf, SHA-512 signature", CERT_RSA_SHA512, 0, NULL, NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_256_GCM_SHA384", NID_X25519, NULL, NULL},
    {"1.3 RSA leaf, RSASSA-PSS signature", CERT_RSA_PSS_SIG, 0, NULL, NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_256_GCM_SHA384", NID_X25519, NULL, NULL},
    {"1.3 RSA-PSS key", CERT_RSA_PSS_KEY, 0, NULL, NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_256_GCM_SHA384", NID_X25519, NULL, NULL},
    {"1.3 P-384 leaf, SHA-384 signature", CERT_P384, 0, NULL, NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_256_GCM_SHA384", NID_X25519, NULL, NULL},
    {"1.3 P-521 leaf, SHA-512 signature", CERT_P521, 0, NULL, NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_256_GCM_SHA384", NID_X25519, NULL, NULL},
    {"1.3 Ed448 leaf", CERT_ED448, 0, NULL, NULL, NULL, TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384",
     NID_X25519, NULL, NULL},
    /* TLS 1.3 key exchange groups (all but X25519 after a HelloRetryRequest) */
    {"1.3 group X25519", CERT_RSA, 0, NULL, NULL, "X25519", TLS1_3_VERSION,
     "TLS_AES_256_GCM_SHA384", NID_X25519, NULL, NULL},
    {"1.3 group P-256", CERT_P256, 0, NULL, NULL, "P-256", TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384",
     NID_X9_62_prime256v1, NULL, NULL},
    {"1.3 group P-384", CERT_P384, 0, NULL, NULL, "P-384", TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384",
     NID_secp384r1, NULL, NULL},
    {"1.3 group P-521", CERT_RSA, 0, NULL, NULL, "P-521", TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384",
     NID_secp521r1, NULL, NULL},
    {"1.3 group X448", CERT_ED448, 0, NULL, NULL, "X448", TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384",
     NID_X448, NULL, NULL},
    {"1.3 group ffdhe2048", CERT_RSA, 0, NULL, NULL, "ffdhe2048", TLS1_3_VERSION,
     "TLS_AES_256_GCM_SHA384", NID_ffdhe2048, NULL, NULL},
    /* TLS 1.2 cipher suites */
    {"1.2 ECDHE-ECDSA-AES128-GCM-SHA256", CERT_P256, TLS1_2_VERSION, NULL,
     "ECDHE-ECDSA-AES128-GCM-SHA256", NULL, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256",
     NID_X25519, NULL, NULL},
    {"1.2 ECDHE-ECDSA-AES256-GCM-SHA384 P-384", CERT_P384, TLS1_2_VERSION, NULL,
     "ECDHE-ECDSA-AES256-GCM-SHA384", "P-384", TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384",
     NID_secp384r1, NULL, NULL},
    {"1.2 ECDHE-ECDSA-CHACHA20-POLY1305 Ed25519", CERT_ED25519, TLS1_2_VERSION, NULL,
     "ECDHE-ECDSA-CHACHA20-POLY1305", NULL, TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305",
     NID_X25519, NULL, NULL},
    {"1.2 ECDHE-ECDSA-AES128-SHA256", CERT_P256, TLS1_2_VERSION, NULL, "ECDHE-ECDSA-AES128-SHA256",
     NULL, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA256", NID_X25519, NULL, NULL},
    {"1.2 ECDHE-RSA-AES256-GCM-SHA384", CERT_RSA, TLS1_2_VERSION, NULL,
     "ECDHE-RSA-AES256-GCM-SHA384", NULL, TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384", NID_X25519,
     NULL, NULL},
    {"1.2 ECDHE-RSA-AES256-GCM-SHA384 RSA-PSS key", CERT_RSA_PSS_KEY, TLS1_2_VERSION, NULL,
     "ECDHE-RSA-AES256-GCM-SHA384", NULL, TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384", NID_X25519,
     NULL, NULL},
    {"1.2 ECDHE-RSA-CHACHA20-POLY1305", CERT_RSA, TLS1_2_VERSION, NULL,
     "ECDHE-RSA-CHACHA20-POLY1305", NULL, TLS1_2_VERSION, "ECDHE-RSA-CHACHA20-POLY1305", NID_X25519,
     NULL, NULL},
    {"1.2 ECDHE-RSA-AES128-SHA P-256", CERT_RSA, TLS1_2_VERSION, NULL, "ECDHE-RSA-AES128-SHA",
     "P-256", TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA", NID_X9_62_prime256v1, NULL, NULL},
    {"1.2 DHE-RSA-AES128-GCM-SHA256", CERT_RSA, TLS1_2_VERSION, NULL, "DHE-RSA-AES128-GCM-SHA256",
     NULL, TLS1_2_VERSION, "DHE-RSA-AES128-GCM-SHA256", NID_undef, NULL, NULL},
    {"1.2 DHE-RSA-AES256-SHA256", CERT_RSA, TLS1_2_VERSION, NULL, "DHE-RSA-AES256-SHA256", NULL,
     TLS1_2_VERSION, "DHE-RSA-AES256-SHA256", NID_undef, NULL, NULL},
    {"1.2 AES128-SHA (RSA key exchange)", CERT_RSA, TLS1_2_VERSION, NULL, "AES128-SHA", NULL,
     TLS1_2_VERSION, "AES128-SHA", NID_undef, NULL, NULL},
    {"1.2 AES256-SHA256", CERT_RSA, TLS1_2_VERSION, NULL, "AES256-SHA256", NULL, TLS1_2_VERSION,
     "AES256-SHA256", NID_undef, NULL, NULL},
    {"1.2 AES256-GCM-SHA384", CERT_RSA_SHA512, TLS1_2_VERSION, NULL, "AES256-GCM-SHA384", NULL,
     TLS1_2_VERSION, "AES256-GCM-SHA384", NID_undef, NULL, NULL},
    /*
     * Not in the default offer: both clients ask for ALL (the filter must still
     * have them). No ARIA-GCM: OpenSSL 3.0's ARIA-GCM record decryption reads an
     * uninitialised stack value under valgrind, with either client. Not here
     * either: TLS 1.0/1.1 and 3DES, which the default security level refuses.
     */
    {"1.2 ECDHE-ECDSA-AES128-CCM", CERT_P256, TLS1_2_VERSION, NULL, "ECDHE-ECDSA-AES128-CCM", NULL,
     TLS1_2_VERSION, "ECDHE-ECDSA-AES128-CCM", NID_X25519, "ALL", NULL},
    {"1.2 CAMELLIA128-SHA", CERT_RSA, TLS1_2_VERSION, NULL, "CAMELLIA128-SHA", NULL, TLS1_2_VERSION,
     "CAMELLIA128-SHA", NID_undef, "ALL", NULL},
    {"1.2 ECDHE-RSA-CAMELLIA256-SHA384", CERT_RSA, TLS1_2_VERSION, NULL,
     "ECDHE-RSA-CAMELLIA256-SHA384", NULL, TLS1_2_VERSION, "ECDHE-RSA-CAMELLIA256-SHA384",
     NID_X25519, "ALL", NULL},
    {"1.3 AES-128-CCM", CERT_P256, 0, "TLS_AES_128_CCM_SHA256", NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_128_CCM_SHA256", NID_X25519, NULL, "TLS_AES_128_CCM_SHA256"},
    {"1.3 AES-128-CCM-8", CERT_P256, 0, "TLS_AES_128_CCM_8_SHA256", NULL, NULL, TLS1_3_VERSION,
     "TLS_AES_128_CCM_8_SHA256", NID_X25519, NULL, "TLS_AES_128_CCM_8_SHA256"},
};

/* What one client's handshake and exchange came to. */
struct hs_result {
	int ok; /* handshake and exchange both ways done */
	char why[256];
	int version;
	char cipher[64];
	int group;
	long verify;
};

/* One handshake step of s: 1 done, 0 wants I/O, -1 failed. */
static int hs_step(SSL *s)
{
	int r = SSL_do_handshake(s);

	if (r == 1)
		return 1;
	r = SSL_get_error(s, r);
	return r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/* Write msg on from and read it back on to; 1 or 0 with the reason in why. */
static int hs_send(SSL *from, SSL *to, const char *msg, char *why, size_t n)
{
	char buf[64];
	size_t len = strlen(msg), done = 0, got;

	if (SSL_write_ex(from, msg, len, &done) != 1 || done != len) {
		why_fill(why, n, "SSL_write_ex");
		return 0;
	}
	done = 0;
	while (done < len && SSL_read_ex(to, buf + done, sizeof buf - done, &got) == 1)
		done += got;
	if (done != len || memcmp(buf, msg, len) != 0) {
		why_fill(why, n, "SSL_read_ex");
		return 0;
	}
	return 1;
}

/* Step client c and server s until both settle; 1 when both finished. */
static int hs_drive(SSL *c, SSL *s, char *why, size_t n)
{
	int cs = 0, ss = 0, i;

	for (i = 0; i < STEPS_MAX && (cs == 0 || ss == 0); i++) {
		if (cs == 0)
			cs = hs_step(c);
		if (cs < 0) {
			why_fill(why, n, "client handshake");
			return 0;
		}
		if (ss == 0)
			ss = hs_step(s);
		if (ss < 0) {
			why_fill(why, n, "server handshake");
			return 0;
		}
	}
	if (cs != 1 || ss != 1) {
		snprintf(why, n, "handshake did not settle in %d steps", STEPS_MAX);
		return 0;
	}
	return 1;
}

/* Handshake a client of cctx with a server of sctx over a BIO pair, then talk both ways. */
static void hs_run(SSL_CTX *cctx, SSL_CTX *sctx, struct hs_result *r)
{
	SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
	BIO *cb = NULL, *sb = NULL;

	memset(r, 0, sizeof *r);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	if (hs_drive(c, s, r->why, sizeof r->why) &&
	    hs_send(c, s, "EHLO lean.lab.test\r\n", r->why, sizeof r->why) &&
	    hs_send(s, c, "250 mail.lab.test\r\n", r->why, sizeof r->why)) {
		r->ok = 1;
		r->version = SSL_version(c);
		snprintf(r->cipher, sizeof r->cipher, "%s", SSL_get_cipher_name(c));
		r->group = SSL_get_negotiated_group(c);
		r->verify = SSL_get_verify_result(c);
	}
	ERR_clear_error();
	SSL_free(c);
	SSL_free(s);
}

/* A stock server configured as case h says. */
static SSL_CTX *hs_server(const struct hs_case *h)
{
	SSL_CTX *s = server_ctx(h->cert);

	if (h->max_proto != 0)
		ck_assert_int_eq(SSL_CTX_set_max_proto_version(s, h->max_proto), 1);
	if (h->suites != NULL)
		ck_assert_int_eq(SSL_CTX_set_ciphersuites(s, h->suites), 1);
	if (h->ciphers != NULL)
		ck_assert_msg(SSL_CTX_set_cipher_list(s, h->ciphers) == 1,
		              "%s: server cipher list %s: got failure", h->what, h->ciphers);
	if (h->groups != NULL)
		ck_assert_int_eq(SSL_CTX_set1_groups_list(s, h->groups), 1);
	ck_assert_int_eq(SSL_CTX_set_dh_auto(s, 1), 1);
	return s;
}

/* Give client c the cipher configuration of case h, if it has one. */
static void hs_client_set(SSL_CTX *c, const struct hs_case *h)
{
	if (h->client_list != NULL)
		ck_assert_int_eq(SSL_CTX_set_cipher_list(c, h->client_list), 1);
	if (h->client_suites != NULL)
		ck_assert_int_eq(SSL_CTX_set_ciphersuites(c, h->client_suites), 1);
}

/* The lean client negotiates with each server exactly what the stock client does. */
START_TEST(test_handshake)
{
	const struct hs_case *h = &hs_cases[_i];
	SSL_CTX *sctx = hs_server(h);
	SSL_CTX *stock = client_ctx(NULL), *lc = client_ctx(lean);
	struct hs_result want, got;

	hs_client_set(stock, h);
	hs_client_set(lc, h);

	hs_run(stock, sctx, &want);
	hs_run(lc, sctx, &got);
	SSL_CTX_free(stock);
	SSL_CTX_free(lc);
	SSL_CTX_free(sctx);
	/* the stock client does each case: the comparison cannot pass with both failing */
	ck_assert_msg(want.ok, "%s: stock client got \"%s\", want success", h->what, want.why);
	ck_assert_msg(want.version == h->want_version && strcmp(want.cipher, h->want_cipher) == 0 &&
	                  want.group == h->want_group,
	              "%s: stock client got %x %s group %d, want %x %s group %d", h->what,
	              (unsigned)want.version, want.cipher, want.group, (unsigned)h->want_version,
	              h->want_cipher, h->want_group);
	ck_assert_msg(want.verify == X509_V_OK, "%s: stock verify got %ld (%s), want 0", h->what,
	              want.verify, X509_verify_cert_error_string(want.verify));
	ck_assert_msg(got.ok, "%s: lean client got \"%s\", want success", h->what, got.why);
	ck_assert_msg(got.version == want.version, "%s: lean version got %x, want %x", h->what,
	              (unsigned)got.version, (unsigned)want.version);
	ck_assert_msg(strcmp(got.cipher, want.cipher) == 0, "%s: lean cipher got %s, want %s",
	              h->what, got.cipher, want.cipher);
	ck_assert_msg(got.group == want.group, "%s: lean group got %d, want %d", h->what, got.group,
	              want.group);
	ck_assert_msg(got.verify == X509_V_OK, "%s: lean verify got %ld (%s), want 0", h->what,
	              got.verify, X509_verify_cert_error_string(got.verify));
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* 3. Error texts on demand.                                                                */

/* Bytes a server sends instead of a ServerHello, and a part of the error text wanted. */
static const struct garbage_case {
	const char *what;
	const char *bytes;
	size_t len;
	const char *want_text;
} garbage_cases[] = {
    {"HTTP reply", "HTTP/1.0 200 OK\r\n\r\n", 19, "wrong version number"},
    {"SMTP reply", "220 mail.lab.test ESMTP\r\n", 25, "wrong version number"},
    {"handshake_failure alert", "\x15\x03\x03\x00\x02\x02\x28", 7, "alert handshake failure"},
};

/* The first error a client of cctx queues reading bytes after its ClientHello; 0 if it did not
 * fail. */
static unsigned long garbage_error(SSL_CTX *cctx, const struct garbage_case *g)
{
	SSL *c = SSL_new(cctx);
	BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
	unsigned long e = 0;
	int r;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	SSL_set_bio(c, in, out);
	ERR_clear_error();
	ck_assert_int_eq(SSL_connect(c), -1);
	ck_assert_int_eq(BIO_write(in, g->bytes, (int)g->len), (int)g->len);
	r = SSL_connect(c);
	if (r != 1 && SSL_get_error(c, r) == SSL_ERROR_SSL)
		e = ERR_peek_error();
	ERR_clear_error();
	SSL_free(c);
	return e;
}

/* A lean handshake against garbage fails; after ossl_err_strings() its error has the stock text. */
START_TEST(test_error_texts)
{
	const struct garbage_case *g = &garbage_cases[_i];
	SSL_CTX *lc = client_ctx(lean), *stock;
	unsigned long got, want;
	const char *got_text, *want_text;

	got = garbage_error(lc, g);
	ck_assert_msg(got != 0, "%s: lean client got no error, want a failed handshake", g->what);
	/* Not loaded by ossl_lean_ctx, nor by SSL_CTX_new after it: only on demand. */
	if (!texts_loaded)
		ck_assert_msg(ERR_reason_error_string(got) == NULL,
		              "%s: text before ossl_err_strings got \"%s\", want NULL", g->what,
		              ERR_reason_error_string(got));
	ossl_err_strings();
	texts_loaded = 1;
	stock = client_ctx(NULL);
	want = garbage_error(stock, g);
	SSL_CTX_free(stock);
	SSL_CTX_free(lc);
	got_text = ERR_reason_error_string(got);
	want_text = ERR_reason_error_string(want);
	ck_assert_msg(want != 0 && want_text != NULL && strstr(want_text, g->want_text) != NULL,
	              "%s: stock error got %lx \"%s\", want \"%s\"", g->what, want,
	              want_text ? want_text : "(null)", g->want_text);
	ck_assert_msg(got == want, "%s: lean error got %lx, want %lx", g->what, got, want);
	ck_assert_msg(got_text != NULL && strcmp(got_text, want_text) == 0,
	              "%s: lean text got \"%s\", want \"%s\"", g->what,
	              got_text ? got_text : "(null)", want_text);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* 4. One context per process.                                                              */

/* A second call returns the first context; the table is the linked libssl (one instance). */
START_TEST(test_ctx_twice)
{
	OSSL_LIB_CTX *a = NULL, *b = NULL;
	char err[256] = "";

	ck_assert_msg(ossl_lean_ctx(&a, err, sizeof err) == 0, "first call: got -1 (%s), want 0",
	              err);
	ck_assert_msg(ossl_lean_ctx(&b, err, sizeof err) == 0, "second call: got -1 (%s), want 0",
	              err);
	ck_assert_msg(a != NULL && a == lean && b == a, "contexts got %p and %p, want %p twice",
	              (void *)a, (void *)b, (void *)lean);
	ck_assert_msg(ossl_fn.SSL_CTX_new_ex == &SSL_CTX_new_ex,
	              "SSL_CTX_new_ex through the table is another libssl instance");
}
END_TEST

Suite *ossl_lean_suite(void)
{
	Suite *s = suite_create("ossl_lean");
	TCase *tc = tcase_create("ossl_lean");

	tcase_add_unchecked_fixture(tc, lean_setup, lean_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_error_texts, 0, NELEM(garbage_cases));
	tcase_add_loop_test(tc, test_same_offer, 0, NELEM(offer_fields));
	tcase_add_loop_test(tc, test_handshake, 0, NELEM(hs_cases));
	tcase_add_test(tc, test_ctx_twice);
	suite_add_tcase(s, tc);
	return s;
}
