/*
 * test_tls.c - unit tests for common/tls.c.
 *
 * Certificates (EC P-256: a CA, a good leaf for mail.lab.test and
 * 127.0.0.1, an expired leaf, a self-signed leaf, a wrong-name leaf) are
 * made once per run into a temporary directory. Each test puts an
 * in-process OpenSSL server on the other end of a non-blocking socketpair
 * and steps client and server in turn in the same thread.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/tls.h"

#define DAY (24L * 3600L)
#define STEPS_MAX 200

static char tmpdir[64];
static char ca_path[128];
static char ca_dir[128];
static char ca_hash_path[160];
static EVP_PKEY *ca_key, *leaf_key;
static X509 *ca_cert, *good_cert, *expired_cert, *self_cert, *wrong_cert;
static time_t good_not_after;

/* Add one X509v3 extension given in openssl.cnf syntax. */
static void ext_add(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	ck_assert_msg(ext != NULL, "extension %d=%s: got NULL", nid, value);
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* Make a certificate for cn valid from now+from to now+to seconds. */
static X509 *cert_make(const char *cn, const char *san, EVP_PKEY *key, X509 *issuer,
		       EVP_PKEY *issuer_key, long from, long to)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(name);
	ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
						    (const unsigned char *)"mailpath tests", -1, -1,
						    0),
			 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
						    (const unsigned char *)cn, -1, -1, 0),
			 1);
	ck_assert_int_eq(X509_set_subject_name(x, name), 1);
	X509_NAME_free(name);
	ck_assert_int_eq(X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), from));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), to));
	ck_assert_int_eq(X509_set_pubkey(x, key), 1);
	if (san == NULL) {
		ext_add(x, x, NID_basic_constraints, "critical,CA:TRUE");
		ext_add(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		ext_add(x, issuer ? issuer : x, NID_subject_alt_name, san);
		ext_add(x, issuer ? issuer : x, NID_ext_key_usage, "serverAuth");
	}
	ck_assert_int_gt(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()), 0);
	return x;
}

/* Write a certificate as PEM to path. */
static void cert_write(X509 *x, const char *path)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "open %s failed", path);
	ck_assert_int_eq(PEM_write_X509(f, x), 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Suite set-up: make the keys and certificates and the CA file and dir. */
static void certs_setup(void)
{
	const char *san = "DNS:mail.lab.test,IP:127.0.0.1";
	time_t now = time(NULL);

	snprintf(tmpdir, sizeof tmpdir, "/tmp/mailpath-tls-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ca_key = EVP_EC_gen("P-256");
	leaf_key = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(ca_key);
	ck_assert_ptr_nonnull(leaf_key);
	ca_cert = cert_make("mailpath test CA", NULL, ca_key, NULL, NULL, -DAY, 30 * DAY);
	good_cert = cert_make("mail.lab.test", san, leaf_key, ca_cert, ca_key, -DAY, 30 * DAY);
	good_not_after = now + 30 * DAY;
	expired_cert = cert_make("mail.lab.test", san, leaf_key, ca_cert, ca_key, -30 * DAY, -DAY);
	self_cert = cert_make("mail.lab.test", san, leaf_key, NULL, NULL, -DAY, 30 * DAY);
	wrong_cert = cert_make("other.lab.test", "DNS:other.lab.test", leaf_key, ca_cert, ca_key,
			       -DAY, 30 * DAY);
	snprintf(ca_path, sizeof ca_path, "%s/ca.pem", tmpdir);
	cert_write(ca_cert, ca_path);
	snprintf(ca_dir, sizeof ca_dir, "%s/certs", tmpdir);
	ck_assert_int_eq(mkdir(ca_dir, 0700), 0);
	snprintf(ca_hash_path, sizeof ca_hash_path, "%s/%08lx.0", ca_dir,
		 X509_subject_name_hash(ca_cert));
	cert_write(ca_cert, ca_hash_path);
}

/* Suite tear-down: free everything and remove the temporary files. */
static void certs_teardown(void)
{
	unlink(ca_hash_path);
	rmdir(ca_dir);
	unlink(ca_path);
	rmdir(tmpdir);
	X509_free(ca_cert);
	X509_free(good_cert);
	X509_free(expired_cert);
	X509_free(self_cert);
	X509_free(wrong_cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
}

/* One test's two ends: our client and an OpenSSL server. */
struct pair {
	int cfd, sfd;
	struct tls_ctx *ctx;
	struct tls_conn *conn;
	SSL_CTX *sctx;
	SSL *srv;
	char sni_seen[256];
	int server_state; /* 0 handshaking, 1 done, -1 failed */
};

/* Server callback: remember the SNI name the client sent. */
static int sni_record(SSL *s, int *alert, void *arg)
{
	struct pair *p = arg;
	const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);

	(void)alert;
	snprintf(p->sni_seen, sizeof p->sni_seen, "%s", name ? name : "");
	return SSL_TLSEXT_ERR_OK;
}

/* Set fd non-blocking. */
static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	ck_assert_int_ge(fl, 0);
	ck_assert_int_eq(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

/* Make both ends: server serving leaf (up to max_proto), client trusting ca. */
static void pair_open(struct pair *p, X509 *leaf, int max_proto, const char *ca, const char *sni,
		      const char *verify_name)
{
	int sv[2];
	char err[256];

	memset(p, 0, sizeof *p);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->cfd = sv[0];
	p->sfd = sv[1];
	set_nonblock(p->cfd);
	set_nonblock(p->sfd);
	p->ctx = tls_ctx_new(ca, err, sizeof err);
	ck_assert_msg(p->ctx != NULL, "tls_ctx_new: got NULL (%s), want a context", err);
	p->conn = tls_conn_new(p->ctx, p->cfd, sni, verify_name);
	ck_assert_ptr_nonnull(p->conn);
	p->sctx = SSL_CTX_new(TLS_server_method());
	ck_assert_ptr_nonnull(p->sctx);
	ck_assert_int_eq(SSL_CTX_use_certificate(p->sctx, leaf), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(p->sctx, leaf_key), 1);
	if (max_proto != 0)
		ck_assert_int_eq(SSL_CTX_set_max_proto_version(p->sctx, max_proto), 1);
	SSL_CTX_set_tlsext_servername_callback(p->sctx, sni_record);
	SSL_CTX_set_tlsext_servername_arg(p->sctx, p);
	p->srv = SSL_new(p->sctx);
	ck_assert_ptr_nonnull(p->srv);
	ck_assert_int_eq(SSL_set_fd(p->srv, p->sfd), 1);
	SSL_set_accept_state(p->srv);
}

/* Free both ends; fds the test already closed are -1. */
static void pair_close(struct pair *p)
{
	tls_conn_free(p->conn);
	tls_ctx_free(p->ctx);
	SSL_free(p->srv);
	SSL_CTX_free(p->sctx);
	if (p->cfd >= 0)
		close(p->cfd);
	if (p->sfd >= 0)
		close(p->sfd);
}

/* One server handshake step. */
static void server_step(struct pair *p)
{
	int r;

	if (p->server_state != 0)
		return;
	r = SSL_accept(p->srv);
	if (r == 1) {
		p->server_state = 1;
		return;
	}
	r = SSL_get_error(p->srv, r);
	if (r != SSL_ERROR_WANT_READ && r != SSL_ERROR_WANT_WRITE)
		p->server_state = -1;
	ERR_clear_error();
}

/* Step client and server in turn until the client's handshake is settled. */
static enum tls_io pair_handshake(struct pair *p)
{
	enum tls_io r = TLS_IO_WANT_READ;
	int i;

	for (i = 0; i < STEPS_MAX; i++) {
		if (r == TLS_IO_WANT_READ || r == TLS_IO_WANT_WRITE)
			r = tls_handshake(p->conn);
		server_step(p);
		if (r != TLS_IO_WANT_READ && r != TLS_IO_WANT_WRITE &&
		    (r != TLS_IO_OK || p->server_state != 0))
			return r;
	}
	ck_abort_msg("handshake did not settle in %d steps (client %d, server %d)", STEPS_MAX,
		     (int)r, p->server_state);
	return r;
}

/* Verification cases: which leaf, which trust, which name, what we expect. */
struct verify_case {
	const char *what;
	X509 **leaf;
	int trust; /* 0 system dir, 1 CA file, 2 hashed dir holding the CA */
	const char *verify_name;
	int want_code;
	int want_name_ok;
};

static const struct verify_case verify_cases[] = {
	{"good", &good_cert, 1, "mail.lab.test", X509_V_OK, 1},
	{"good, untrusted", &good_cert, 0, "mail.lab.test",
	 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1},
	{"good, lazy hashed dir", &good_cert, 2, "mail.lab.test", X509_V_OK, 1},
	{"expired", &expired_cert, 1, "mail.lab.test", X509_V_ERR_CERT_HAS_EXPIRED, 1},
	{"self-signed", &self_cert, 1, "mail.lab.test", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 1},
	{"wrong name", &wrong_cert, 1, "mail.lab.test", X509_V_ERR_HOSTNAME_MISMATCH, 0},
	{"IP literal", &good_cert, 1, "127.0.0.1", X509_V_OK, 1},
	{"wrong IP literal", &good_cert, 1, "127.0.0.2", X509_V_ERR_IP_ADDRESS_MISMATCH, 0},
	{"no name asked", &good_cert, 1, NULL, X509_V_OK, 1},
	/* chain error hides the name error in verify_code; name_ok still tells */
	{"self-signed, wrong name", &self_cert, 1, "smtp.lab.test",
	 X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0},
	{"name check ignores case", &good_cert, 1, "MAIL.LAB.TEST", X509_V_OK, 1},
};

/* Handshake completes whatever the chain; verify_code and name_ok are facts. */
START_TEST(test_verify)
{
	const struct verify_case *vc = &verify_cases[_i];
	struct pair p;
	struct tls_info info;

	if (vc->trust == 2)
		ck_assert_int_eq(setenv(X509_get_default_cert_dir_env(), ca_dir, 1), 0);
	pair_open(&p, *vc->leaf, 0, vc->trust == 1 ? ca_path : NULL, "mail.lab.test",
		  vc->verify_name);
	unsetenv(X509_get_default_cert_dir_env());
	ck_assert_msg(pair_handshake(&p) == TLS_IO_OK, "%s: handshake not OK", vc->what);
	tls_conn_info(p.conn, &info);
	ck_assert_msg(info.verify_code == vc->want_code, "%s: verify_code got %d (%s), want %d",
		      vc->what, info.verify_code, info.verify_text, vc->want_code);
	ck_assert_msg(info.name_ok == vc->want_name_ok, "%s: name_ok got %d, want %d", vc->what,
		      info.name_ok, vc->want_name_ok);
	ck_assert_msg(strcmp(info.verify_text, tls_verify_str(vc->want_code)) == 0,
		      "%s: verify_text got '%s', want '%s'", vc->what, info.verify_text,
		      tls_verify_str(vc->want_code));
	pair_close(&p);
}
END_TEST

/* A trusted session reports protocol, cipher, names and expiry. */
START_TEST(test_info_fields)
{
	struct pair p;
	struct tls_info info;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", "mail.lab.test");
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	tls_conn_info(p.conn, &info);
	ck_assert_msg(strcmp(info.protocol, "TLSv1.3") == 0, "protocol got '%s', want TLSv1.3",
		      info.protocol);
	ck_assert_msg(info.cipher[0] != '\0' && strcmp(info.cipher, "(NONE)") != 0,
		      "cipher got '%s', want a name", info.cipher);
	ck_assert_msg(strstr(info.subject, "CN = mail.lab.test") != NULL,
		      "subject got '%s', want CN = mail.lab.test", info.subject);
	ck_assert_msg(strstr(info.issuer, "CN = mailpath test CA") != NULL,
		      "issuer got '%s', want CN = mailpath test CA", info.issuer);
	ck_assert_msg(info.not_after > time(NULL), "not_after got %lld, want the future",
		      (long long)info.not_after);
	ck_assert_msg(llabs((long long)(info.not_after - good_not_after)) <= 5,
		      "not_after got %lld, want %lld", (long long)info.not_after,
		      (long long)good_not_after);
	ck_assert_int_eq(info.verify_code, 0);
	ck_assert_str_eq(info.verify_text, "ok");
	ck_assert_int_eq(info.name_ok, 1);
	ck_assert_str_eq(p.sni_seen, "mail.lab.test");
	pair_close(&p);
}
END_TEST

/* SNI cases: what the client is given and what the server must see. */
static const struct {
	const char *sni;
	const char *want_seen;
} sni_cases[] = {
	{"mail.lab.test", "mail.lab.test"},
	{"127.0.0.1", ""}, /* RFC 6066 section 3: no IP literals */
	{"::1", ""},
	{NULL, ""},
};

/* SNI is sent for names only. */
START_TEST(test_sni)
{
	struct pair p;

	pair_open(&p, good_cert, 0, ca_path, sni_cases[_i].sni, NULL);
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	ck_assert_msg(strcmp(p.sni_seen, sni_cases[_i].want_seen) == 0,
		      "sni %s: server saw '%s', want '%s'", sni_cases[_i].sni, p.sni_seen,
		      sni_cases[_i].want_seen);
	pair_close(&p);
}
END_TEST

/* An older server is observed and its protocol reported. */
START_TEST(test_tls12_reported)
{
	struct pair p;
	struct tls_info info;

	pair_open(&p, good_cert, TLS1_2_VERSION, ca_path, "mail.lab.test", "mail.lab.test");
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	tls_conn_info(p.conn, &info);
	ck_assert_msg(strcmp(info.protocol, "TLSv1.2") == 0, "protocol got '%s', want TLSv1.2",
		      info.protocol);
	ck_assert_int_eq(info.verify_code, 0);
	pair_close(&p);
}
END_TEST

/* A TLS 1.0-only server is refused by OpenSSL's default security level. */
START_TEST(test_tls10_refused)
{
	struct pair p;
	char text[128];
	int reason;

	pair_open(&p, good_cert, TLS1_VERSION, ca_path, "mail.lab.test", NULL);
	SSL_set_security_level(p.srv, 0);
	ck_assert_int_eq(SSL_set_min_proto_version(p.srv, TLS1_VERSION), 1);
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_ERROR);
	reason = tls_conn_error(p.conn, text, sizeof text);
	ck_assert_msg(reason != 0 && text[0] != '\0', "got reason %d '%s', want a reason", reason,
		      text);
	pair_close(&p);
}
END_TEST

/* The further facts (tls_conn_detail): group, the certificate as sent, no staple asked in vain. */
START_TEST(test_detail_fields)
{
	struct pair p;
	struct tls_detail d;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", "mail.lab.test");
	ck_assert_msg(tls_conn_want_ocsp(p.conn) == 1, "tls_conn_want_ocsp: got 0, want 1");
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	tls_conn_detail(p.conn, &d);
	ck_assert_msg(d.group[0] != '\0', "group got '', want a name");
	ck_assert_msg(d.ncerts == 1, "ncerts got %d, want 1", d.ncerts);
	ck_assert_msg(strstr(d.certs[0].subject, "CN = mail.lab.test") != NULL,
		      "subject got '%s', want CN = mail.lab.test", d.certs[0].subject);
	ck_assert_msg(strstr(d.certs[0].issuer, "CN = mailpath test CA") != NULL,
		      "issuer got '%s', want CN = mailpath test CA", d.certs[0].issuer);
	ck_assert_msg(llabs((long long)(d.certs[0].not_after - good_not_after)) <= 5,
		      "not_after got %lld, want %lld", (long long)d.certs[0].not_after,
		      (long long)good_not_after);
	ck_assert_msg(strcmp(d.certs[0].key_type, "EC") == 0 && d.certs[0].key_bits == 256,
		      "key got '%s' %d bits, want EC 256 bits (P-256)", d.certs[0].key_type,
		      d.certs[0].key_bits);
	ck_assert_msg(strcmp(d.certs[0].signature, "ecdsa-with-SHA256") == 0 &&
			      strcmp(d.certs[0].sig_hash, "SHA256") == 0,
		      "signature got '%s' (%s), want ecdsa-with-SHA256 (SHA256)",
		      d.certs[0].signature, d.certs[0].sig_hash);
	ck_assert_msg(!d.certs[0].self_issued && !d.certs[0].issued_by_next,
		      "leaf alone: got self_issued %d issued_by_next %d, want 0 0",
		      d.certs[0].self_issued, d.certs[0].issued_by_next);
	ck_assert_msg(d.ocsp == TLS_OCSP_NONE, "ocsp got %d, want TLS_OCSP_NONE", (int)d.ocsp);
	pair_close(&p);
}
END_TEST

/* Replace the pair's client by one on a legacy context offering only version. */
static void pair_client_legacy(struct pair *p, int version)
{
	char err[256];

	tls_conn_free(p->conn);
	tls_ctx_free(p->ctx);
	p->ctx = tls_ctx_new_legacy(version, err, sizeof err);
	ck_assert_msg(p->ctx != NULL, "tls_ctx_new_legacy: got NULL (%s), want a context", err);
	p->conn = tls_conn_new(p->ctx, p->cfd, "mail.lab.test", NULL);
	ck_assert_ptr_nonnull(p->conn);
}

/* The legacy context gets TLS 1.0 from a server that still speaks it (security level 0). */
START_TEST(test_legacy_tls10_accepted)
{
	struct pair p;
	struct tls_info info;

	pair_open(&p, good_cert, TLS1_VERSION, ca_path, "mail.lab.test", NULL);
	SSL_set_security_level(p.srv, 0);
	ck_assert_int_eq(SSL_set_min_proto_version(p.srv, TLS1_VERSION), 1);
	pair_client_legacy(&p, TLS1_VERSION);
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	tls_conn_info(p.conn, &info);
	ck_assert_msg(strcmp(info.protocol, "TLSv1") == 0, "protocol got '%s', want TLSv1",
		      info.protocol);
	pair_close(&p);
}
END_TEST

/* A modern server refuses the legacy context's TLS 1.0-only ClientHello. */
START_TEST(test_legacy_tls10_refused)
{
	struct pair p;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", NULL);
	pair_client_legacy(&p, TLS1_VERSION);
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_ERROR);
	pair_close(&p);
}
END_TEST

/* A version OpenSSL 3 will not offer gives no context and a reason ("not tested"). */
START_TEST(test_legacy_not_offered)
{
	char err[256] = "";
	struct tls_ctx *c = tls_ctx_new_legacy(SSL2_VERSION, err, sizeof err);

	ck_assert_msg(c == NULL, "SSLv2: got a context, want NULL");
	ck_assert_msg(err[0] != '\0', "SSLv2: got no reason, want one");
}
END_TEST

/* The server reads the ClientHello and closes: handshake EOF. */
START_TEST(test_handshake_eof)
{
	struct pair p;
	char buf[4096];
	enum tls_io r;
	char text[128];

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", "mail.lab.test");
	ck_assert_int_eq(tls_handshake(p.conn), TLS_IO_WANT_READ);
	ck_assert_int_gt(read(p.sfd, buf, sizeof buf), 0);
	close(p.sfd);
	p.sfd = -1;
	r = tls_handshake(p.conn);
	ck_assert_msg(r == TLS_IO_EOF, "got %d, want TLS_IO_EOF (%d)", (int)r, (int)TLS_IO_EOF);
	ck_assert_int_eq(tls_conn_error(p.conn, text, sizeof text), 0);
	pair_close(&p);
}
END_TEST

/* The server closes with the ClientHello unread (a reset): still EOF. */
START_TEST(test_handshake_reset)
{
	struct pair p;
	enum tls_io r;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", NULL);
	ck_assert_int_eq(tls_handshake(p.conn), TLS_IO_WANT_READ);
	close(p.sfd);
	p.sfd = -1;
	r = tls_handshake(p.conn);
	ck_assert_msg(r == TLS_IO_EOF, "got %d, want TLS_IO_EOF (%d)", (int)r, (int)TLS_IO_EOF);
	pair_close(&p);
}
END_TEST

/* A plaintext SMTP greeting instead of a ServerHello is an error with a reason. */
START_TEST(test_handshake_garbage)
{
	static const char junk[] = "220 mail.lab.test ESMTP Postfix\r\n";
	struct pair p;
	char buf[4096], text[128];
	const char *want;
	enum tls_io r;
	int reason;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", NULL);
	ck_assert_int_eq(tls_handshake(p.conn), TLS_IO_WANT_READ);
	ck_assert_int_gt(read(p.sfd, buf, sizeof buf), 0);
	ck_assert_int_eq(write(p.sfd, junk, sizeof junk - 1), (ssize_t)(sizeof junk - 1));
	r = tls_handshake(p.conn);
	ck_assert_msg(r == TLS_IO_ERROR, "got %d, want TLS_IO_ERROR", (int)r);
	reason = tls_conn_error(p.conn, text, sizeof text);
	ck_assert_msg(reason == SSL_R_WRONG_VERSION_NUMBER, "reason got %d (%s), want %d", reason,
		      text, SSL_R_WRONG_VERSION_NUMBER);
	/* The library's own text for the reason (it is worded per release, not by us). */
	want = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_WRONG_VERSION_NUMBER));
	ck_assert_msg(want != NULL && strcmp(text, want) == 0, "text got '%s', want '%s'", text,
		      want ? want : "(no text)");
	pair_close(&p);
}
END_TEST

/* Bytes waiting unread on fd (MSG_PEEK; 0 when none). */
static size_t unread_bytes(int fd)
{
	static char peek[1 << 20];
	ssize_t n = recv(fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);

	return n > 0 ? (size_t)n : 0;
}

/*
 * A peer that answers the ClientHello with 16 KB handshake records of empty
 * HelloRequests (which a negotiating client skips) as fast as it can: each
 * handshake step reads a bounded amount and returns WANT_READ, bytes left in
 * the socket, so the event loop gets control back (issue 10).
 */
START_TEST(test_handshake_flood)
{
	static char rec[5 + 16384] = {22, 3, 3, 0x40, 0x00};
	struct pair p;
	char buf[4096];
	size_t queued = 0, left, prev;
	int sndbuf = 1 << 20, i;
	enum tls_io r;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", NULL);
	(void)setsockopt(p.sfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	ck_assert_int_eq(tls_handshake(p.conn), TLS_IO_WANT_READ);
	ck_assert_int_gt(read(p.sfd, buf, sizeof buf), 0);
	for (i = 0; i < 32 && write(p.sfd, rec, sizeof rec) == (ssize_t)sizeof rec; i++)
		queued += sizeof rec;
	ck_assert_msg(queued >= 8 * sizeof rec, "queued %zu bytes, want at least 8 records",
		      queued);
	prev = unread_bytes(p.cfd);
	for (i = 0; i < 4; i++) {
		r = tls_handshake(p.conn);
		ck_assert_msg(r == TLS_IO_WANT_READ, "step %d got %d, want TLS_IO_WANT_READ", i,
			      (int)r);
		left = unread_bytes(p.cfd);
		ck_assert_msg(left < prev, "step %d read nothing (%zu bytes left)", i, left);
		ck_assert_msg(prev - left <= 5 * sizeof rec,
			      "step %d read %zu bytes in one call, want at most 5 records", i,
			      prev - left);
		if (left == 0)
			break;
		prev = left;
	}
	pair_close(&p);
}
END_TEST

/* A TLS 1.3 server that wants a client certificate: alert 116 after the handshake. */
START_TEST(test_alert_after_handshake)
{
	struct pair p;
	char buf[64], text[128];
	size_t n;
	enum tls_io r = TLS_IO_WANT_READ;
	int reason, i;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", NULL);
	SSL_set_verify(p.srv, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	ck_assert_int_eq(p.server_state, -1);
	for (i = 0; i < STEPS_MAX && r == TLS_IO_WANT_READ; i++)
		r = tls_read(p.conn, buf, sizeof buf, &n);
	ck_assert_msg(r == TLS_IO_ERROR, "got %d, want TLS_IO_ERROR", (int)r);
	reason = tls_conn_error(p.conn, text, sizeof text);
	ck_assert_msg(reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED,
		      "reason got %d (%s), want %d", reason, text,
		      SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED);
	ck_assert_msg(strstr(text, "certificate required") != NULL,
		      "text got '%s', want OpenSSL's 'certificate required'", text);
	pair_close(&p);
}
END_TEST

/* Read from the server end until want bytes arrived. */
static void server_read_all(struct pair *p, char *buf, size_t want)
{
	size_t got = 0, n;
	int i;

	for (i = 0; i < STEPS_MAX && got < want; i++) {
		if (SSL_read_ex(p->srv, buf + got, want - got, &n) == 1)
			got += n;
		else
			ERR_clear_error();
	}
	ck_assert_msg(got == want, "server read got %zu bytes, want %zu", got, want);
}

/* Application data goes both ways; a close_notify then reads as EOF. */
START_TEST(test_round_trip)
{
	static const char req[] = "EHLO client.lab.test\r\n", rep[] = "250 mail.lab.test\r\n";
	struct pair p;
	char buf[64];
	size_t n = 99;
	enum tls_io r;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", "mail.lab.test");
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	r = tls_read(p.conn, buf, sizeof buf, &n);
	ck_assert_msg(r == TLS_IO_WANT_READ && n == 0, "idle read got %d/%zu, want WANT_READ/0",
		      (int)r, n);
	ck_assert_int_eq(tls_write(p.conn, req, sizeof req - 1, &n), TLS_IO_OK);
	ck_assert_uint_eq(n, sizeof req - 1);
	server_read_all(&p, buf, sizeof req - 1);
	ck_assert_int_eq(memcmp(buf, req, sizeof req - 1), 0);
	ck_assert_int_eq(SSL_write_ex(p.srv, rep, sizeof rep - 1, &n), 1);
	ck_assert_int_eq(tls_read(p.conn, buf, sizeof buf, &n), TLS_IO_OK);
	ck_assert_msg(n == sizeof rep - 1 && memcmp(buf, rep, n) == 0, "read got %zu '%.*s'", n,
		      (int)n, buf);
	ck_assert_int_ge(SSL_shutdown(p.srv), 0);
	r = tls_read(p.conn, buf, sizeof buf, &n);
	ck_assert_msg(r == TLS_IO_EOF, "after close_notify got %d, want TLS_IO_EOF", (int)r);
	pair_close(&p);
}
END_TEST

/* A plain close after the handshake (no close_notify) reads as EOF. */
START_TEST(test_unexpected_eof)
{
	struct pair p;
	char buf[64];
	size_t n;
	enum tls_io r;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", NULL);
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	close(p.sfd);
	p.sfd = -1;
	r = tls_read(p.conn, buf, sizeof buf, &n);
	ck_assert_msg(r == TLS_IO_EOF, "got %d, want TLS_IO_EOF", (int)r);
	pair_close(&p);
}
END_TEST

/* Writing to a closed peer is EOF, not SIGPIPE. */
START_TEST(test_write_closed_peer)
{
	struct pair p;
	size_t n;
	enum tls_io r;

	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", NULL);
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	close(p.sfd);
	p.sfd = -1;
	r = tls_write(p.conn, "QUIT\r\n", 6, &n);
	ck_assert_msg(r == TLS_IO_EOF, "got %d, want TLS_IO_EOF", (int)r);
	pair_close(&p);
}
END_TEST

/* Writes to a peer that does not read go partial, then WANT_WRITE. */
START_TEST(test_partial_write)
{
	enum { BIG = 1 << 20 };
	struct pair p;
	char *big = calloc(1, BIG);
	size_t n = 0, total = 0;
	enum tls_io r = TLS_IO_OK;
	int i, partial = 0;

	ck_assert_ptr_nonnull(big);
	pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", NULL);
	ck_assert_int_eq(pair_handshake(&p), TLS_IO_OK);
	for (i = 0; i < 1000 && r == TLS_IO_OK && total < BIG; i++) {
		r = tls_write(p.conn, big + total, BIG - total, &n);
		if (r == TLS_IO_OK && n < BIG - total)
			partial = 1;
		total += n;
	}
	ck_assert_msg(r == TLS_IO_WANT_WRITE && n == 0, "last write got %d/%zu, want WANT_WRITE/0",
		      (int)r, n);
	ck_assert_msg(partial && total > 0 && total < BIG,
		      "got partial %d total %zu, want a partial write and 0<total<%d", partial,
		      total, BIG);
	free(big);
	pair_close(&p);
}
END_TEST

/* Freeing a session in the middle of its handshake frees everything. */
START_TEST(test_free_half_done)
{
	struct pair p;

	/* TLS 1.2 takes two round trips: stop after the client's Finished. */
	pair_open(&p, good_cert, TLS1_2_VERSION, ca_path, "mail.lab.test", "mail.lab.test");
	ck_assert_int_eq(tls_handshake(p.conn), TLS_IO_WANT_READ);
	server_step(&p);
	ck_assert_int_eq(p.server_state, 0);
	ck_assert_int_eq(tls_handshake(p.conn), TLS_IO_WANT_READ);
	pair_close(&p);
}
END_TEST

/* Info before any handshake: no certificate, no expiry, no name match. */
START_TEST(test_info_no_session)
{
	struct pair p;
	struct tls_info info;

	pair_open(&p, good_cert, 0, ca_path, NULL, "mail.lab.test");
	tls_conn_info(p.conn, &info);
	ck_assert_msg(info.not_after == 0 && info.subject[0] == '\0' && info.name_ok == 0,
		      "got not_after %lld subject '%s' name_ok %d, want 0 '' 0",
		      (long long)info.not_after, info.subject, info.name_ok);
	pair_close(&p);
}
END_TEST

/* A missing CA file fails tls_ctx_new with a message naming it. */
START_TEST(test_ctx_bad_ca_file)
{
	char err[256] = "x";
	struct tls_ctx *c = tls_ctx_new("/nonexistent/mailpath-ca.pem", err, sizeof err);

	ck_assert_msg(c == NULL, "got a context, want NULL");
	ck_assert_msg(strstr(err, "/nonexistent/mailpath-ca.pem") != NULL,
		      "err got '%s', want the file name", err);
	tls_ctx_free(NULL);
	tls_conn_free(NULL);
}
END_TEST

/* Verify codes have their OpenSSL names. */
START_TEST(test_verify_str)
{
	static const struct {
		int code;
		const char *want;
	} cases[] = {
		{X509_V_OK, "ok"},
		{X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired"},
		{X509_V_ERR_HOSTNAME_MISMATCH, "hostname mismatch"},
		{X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate"},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(strcmp(tls_verify_str(cases[i].code), cases[i].want) == 0,
			      "code %d: got '%s', want '%s'", cases[i].code,
			      tls_verify_str(cases[i].code), cases[i].want);
}
END_TEST

/* Two runs with the same CA file share one SSL_CTX; another file gets its own; the list keeps it. */
START_TEST(test_ctx_shared)
{
	char err[256] = "";
	struct tls_ctx *a, *b, *sys, *again;
	const void *id;

	a = tls_ctx_shared(ca_path, err, sizeof err);
	ck_assert_msg(a != NULL, "first shared: got NULL (%s)", err);
	id = tls_ctx_id(a);
	tls_ctx_free(a); /* the first run ends: the context stays */
	b = tls_ctx_shared(ca_path, err, sizeof err);
	ck_assert_msg(b != NULL, "second shared: got NULL (%s)", err);
	ck_assert_msg(tls_ctx_id(b) == id, "second run got SSL_CTX %p, want the first run's %p",
		      tls_ctx_id(b), id);
	sys = tls_ctx_shared(NULL, err, sizeof err);
	ck_assert_msg(sys != NULL && tls_ctx_id(sys) != id,
		      "system store got %p, want a context of its own (not %p)", tls_ctx_id(sys),
		      id);
	tls_ctx_shared_release(); /* b and sys are still held: they stay usable */
	again = tls_ctx_shared(ca_path, err, sizeof err);
	ck_assert_msg(again != NULL && again != b, "after release got %p, want a new context",
		      (void *)again);
	ck_assert_msg(tls_conn_new(b, -1, NULL, NULL) == NULL, "fd -1: got a session, want NULL");
	tls_ctx_free(b);
	tls_ctx_free(sys);
	tls_ctx_free(again);
	tls_ctx_shared_release();
	ck_assert_msg(tls_ctx_shared("/nonexistent/mailpath-ca.pem", err, sizeof err) == NULL &&
			      strstr(err, "/nonexistent/mailpath-ca.pem") != NULL,
		      "missing CA file: got '%s', want NULL and the file named", err);
}
END_TEST

/* A shared context serves a handshake, and still does after the run before it freed its reference. */
START_TEST(test_ctx_shared_handshake)
{
	char err[256] = "";
	struct tls_ctx *hold = tls_ctx_shared(ca_path, err, sizeof err);
	struct pair p;
	int round;

	ck_assert_msg(hold != NULL, "shared: got NULL (%s)", err);
	for (round = 0; round < 2; round++) {
		pair_open(&p, good_cert, 0, ca_path, "mail.lab.test", "mail.lab.test");
		tls_conn_free(p.conn);
		tls_ctx_free(p.ctx);
		p.ctx = tls_ctx_shared(ca_path, err, sizeof err);
		ck_assert_msg(tls_ctx_id(p.ctx) == tls_ctx_id(hold),
			      "round %d: got another SSL_CTX", round);
		p.conn = tls_conn_new(p.ctx, p.cfd, "mail.lab.test", "mail.lab.test");
		ck_assert_ptr_nonnull(p.conn);
		ck_assert_msg(pair_handshake(&p) == TLS_IO_OK, "round %d: handshake not OK", round);
		pair_close(&p);
	}
	tls_ctx_free(hold);
	tls_ctx_shared_release();
}
END_TEST

/* What OpenSSL 3.0 and 3.5 report when the peer went away, and what is not that. */
static const struct {
	const char *what;
	int ssl_err;
	unsigned long e;
	int saved_errno;
	int want;
} gone_cases[] = {
	{"close_notify", SSL_ERROR_ZERO_RETURN, 0, 0, 1},
	{"3.0: EOF in the handshake (SYSCALL, errno 0)", SSL_ERROR_SYSCALL, 0, 0, 1},
	{"3.0: write to a closed peer (SYSCALL, EPIPE)", SSL_ERROR_SYSCALL, 0, EPIPE, 1},
	{"reset (SYSCALL, ECONNRESET)", SSL_ERROR_SYSCALL, 0, ECONNRESET, 1},
	{"3.x: unexpected EOF queued", SSL_ERROR_SSL,
	 ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNEXPECTED_EOF_WHILE_READING), 0, 1},
	{"3.x: EPIPE queued as a system error", SSL_ERROR_SYSCALL, ERR_SYSTEM_FLAG | EPIPE, EPIPE,
	 1},
	{"3.x: ECONNRESET queued as a system error", SSL_ERROR_SYSCALL,
	 ERR_SYSTEM_FLAG | ECONNRESET, ECONNRESET, 1},
	/* 3.2+ record layer: a generic SSL reason (record layer failure, 313) over EPIPE */
	{"3.5: write to a closed peer (SSL error over EPIPE)", SSL_ERROR_SSL,
	 ERR_PACK(ERR_LIB_SSL, 0, 313), EPIPE, 1},
	{"3.5: reset while reading (SSL error over ECONNRESET)", SSL_ERROR_SSL,
	 ERR_PACK(ERR_LIB_SSL, 0, 313), ECONNRESET, 1},
	{"wrong version number", SSL_ERROR_SSL,
	 ERR_PACK(ERR_LIB_SSL, 0, SSL_R_WRONG_VERSION_NUMBER), 0, 0},
	{"peer's alert, then a reset", SSL_ERROR_SSL,
	 ERR_PACK(ERR_LIB_SSL, 0, SSL_AD_REASON_OFFSET + SSL_AD_HANDSHAKE_FAILURE), ECONNRESET, 0},
	{"other system error", SSL_ERROR_SYSCALL, ERR_SYSTEM_FLAG | EACCES, EACCES, 0},
	{"SYSCALL with another errno", SSL_ERROR_SYSCALL, 0, ENOMEM, 0},
	{"want read", SSL_ERROR_WANT_READ, 0, EAGAIN, 0},
};

START_TEST(test_peer_gone)
{
	int got =
		tls_peer_gone(gone_cases[_i].ssl_err, gone_cases[_i].e, gone_cases[_i].saved_errno);

	ck_assert_msg(got == gone_cases[_i].want, "%s: got %d, want %d", gone_cases[_i].what, got,
		      gone_cases[_i].want);
}
END_TEST

Suite *tls_suite(void);

/* The tls suite: one test case sharing the certificates made at its start. */
Suite *tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");

	tcase_add_unchecked_fixture(tc, certs_setup, certs_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_verify, 0,
			    (int)(sizeof verify_cases / sizeof verify_cases[0]));
	tcase_add_test(tc, test_info_fields);
	tcase_add_loop_test(tc, test_sni, 0, (int)(sizeof sni_cases / sizeof sni_cases[0]));
	tcase_add_test(tc, test_tls12_reported);
	tcase_add_test(tc, test_tls10_refused);
	tcase_add_test(tc, test_detail_fields);
	tcase_add_test(tc, test_legacy_tls10_accepted);
	tcase_add_test(tc, test_legacy_tls10_refused);
	tcase_add_test(tc, test_legacy_not_offered);
	tcase_add_test(tc, test_handshake_eof);
	tcase_add_test(tc, test_handshake_reset);
	tcase_add_test(tc, test_handshake_garbage);
	tcase_add_test(tc, test_handshake_flood);
	tcase_add_test(tc, test_alert_after_handshake);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_unexpected_eof);
	tcase_add_test(tc, test_write_closed_peer);
	tcase_add_test(tc, test_partial_write);
	tcase_add_test(tc, test_free_half_done);
	tcase_add_test(tc, test_info_no_session);
	tcase_add_test(tc, test_ctx_bad_ca_file);
	tcase_add_test(tc, test_verify_str);
	tcase_add_test(tc, test_ctx_shared);
	tcase_add_test(tc, test_ctx_shared_handshake);
	tcase_add_loop_test(tc, test_peer_gone, 0, (int)(sizeof gone_cases / sizeof gone_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}
