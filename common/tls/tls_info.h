/*
 * tls_info.h - the facts about an established TLS session, as plain data.
 *
 * Filled by tls_conn_info() (tls.c); read by results and reports, which
 * include this header only and so never see the session API or OpenSSL.
 */
#ifndef MAILPATH_TLS_INFO_H
#define MAILPATH_TLS_INFO_H

#include <time.h>

/* Facts about an established session. */
struct tls_info {
	char protocol[16]; /* "TLSv1.3" */
	char cipher[64];
	char subject[256]; /* leaf certificate subject, one line */
	char issuer[256];
	time_t not_after; /* 0 when no certificate */
	/*
	 * The chain as the server sent it (leaf first): how many certificates,
	 * and the one that expires first, by its depth (0 = the leaf), notAfter
	 * and subject. An intermediate that expires before the leaf breaks the
	 * chain first, so expiry thresholds judge chain_not_after.
	 */
	int chain_len;
	int chain_depth;
	time_t chain_not_after;
	char chain_subject[256];
	int verify_code; /* X509_V_OK (0) or X509_V_ERR_* for the chain */
	int name_ok;     /* 1 when the leaf matches the expected name (or none was given) */
	char verify_text[128];
};

/* At most this many certificates of a sent chain are described (the rest counted). */
#define TLS_CHAIN_MAX 8

/* One certificate as the server sent it (names raw: sanitised only at output). */
struct tls_cert {
	char subject[256];
	char issuer[256];
	time_t not_after;   /* 0 when unreadable */
	char signature[48]; /* signature algorithm, "ecdsa-with-SHA256" */
	char sig_hash[16];  /* its digest, "SHA256", "SHA1", "MD5"; "" when none (Ed25519) */
	char key_type[16];  /* "RSA", "EC", "ED25519", ... */
	int key_bits;       /* 0 when unknown */
	int self_issued;    /* issuer and subject are the same name (a root as sent) */
	int issued_by_next; /* the next certificate sent is this one's issuer (names, key ids) */
};

/* What an OCSP staple said (RFC 6960 §4.2; RFC 6066 §8 status_request). */
enum tls_ocsp {
	TLS_OCSP_NOT_ASKED = 0,
	TLS_OCSP_NONE, /* asked for, none stapled */
	TLS_OCSP_GOOD,
	TLS_OCSP_REVOKED,
	TLS_OCSP_UNKNOWN, /* the responder does not know the certificate */
	TLS_OCSP_UNUSABLE /* stapled, but unparsable, unsuccessful or not about the leaf */
};

/*
 * More facts of a session, for check_mail_tls: the key exchange group, every
 * certificate sent and the OCSP staple. Filled by tls_conn_detail().
 */
struct tls_detail {
	char group[32]; /* "X25519", "secp256r1"; "" without an (EC)DHE group */
	int ncerts;     /* certificates sent (may exceed TLS_CHAIN_MAX) */
	struct tls_cert certs[TLS_CHAIN_MAX];
	enum tls_ocsp ocsp;
	time_t ocsp_this_update, ocsp_next_update; /* 0 when absent */
	time_t ocsp_produced_at;
};

#endif
