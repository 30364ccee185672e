/*
 * tls_policy.h - what check_mail_tls finds wrong with a TLS endpoint, as
 * data: sans-I/O, from the facts of the probes (struct tls_info,
 * struct tls_detail, the old-protocol handshakes) to a list of failure
 * records. classify.c names each record's cause and state; this module
 * only decides which facts are findings. Unit-tested in test_tlscheck.c.
 */
#ifndef MAILPATH_TLS_POLICY_H
#define MAILPATH_TLS_POLICY_H

#include <time.h>
#include "base/fail.h"
#include "tls/tls_info.h"

#define TLS_POLICY_FINDINGS_MAX 24
#define TLS_POLICY_RSA_MIN_BITS 2048

/* The old protocols probed by a handshake of their own. */
enum tls_old_proto { TLS_OLD_10, TLS_OLD_11, TLS_OLD_MAX };

/* What one old-protocol handshake showed. */
enum tls_old { TLS_OLD_NOT_TESTED = 0, TLS_OLD_ACCEPTED, TLS_OLD_REFUSED };

/* The policy, from the options. */
struct tls_policy {
	int min_tls;   /* lowest acceptable protocol, as TLS1_2_VERSION (0x0303) */
	int cert_days; /* -D given: judge the earliest expiry of the chain */
	double cert_warn, cert_crit;
	int ocsp_require; /* --ocsp require: a missing staple is a finding */
};

/* What the probes learned; every pointer borrowed. */
struct tls_facts {
	const struct fail *fail; /* the main probe's failure record (FAIL_NONE: worked) */
	int tls_used;            /* the main handshake completed: info and detail are filled */
	const struct tls_info *info;
	const struct tls_detail *detail;
	enum tls_old old[TLS_OLD_MAX];
	time_t now;
};

/*
 * One finding: the record classify() names, and the certificate it is about
 * (its index in tls_detail.certs, -1 for none), whose subject the report
 * prints as untrusted text: details hold our words only.
 */
struct tls_finding {
	struct fail f;
	int cert;
};

/* The findings in the order judged: the main probe's failure first. */
struct tls_findings {
	int n;
	struct tls_finding f[TLS_POLICY_FINDINGS_MAX];
};

/* Judge the facts under the policy into out (cleared first). */
void tls_policy_judge(const struct tls_policy *p, const struct tls_facts *in,
		      struct tls_findings *out);
/* The protocol version of an OpenSSL name ("TLSv1.2") or an option value ("1.2"); 0 if unknown. */
int tls_policy_version(const char *name);
/* The OpenSSL name of a version ("TLSv1.2"), "" if unknown. */
const char *tls_policy_version_name(int version);
/* The version of old protocol i (TLS1_VERSION for TLS_OLD_10). */
int tls_policy_old_version(enum tls_old_proto i);
/* "accepted", "refused" or "not-tested". */
const char *tls_policy_old_name(enum tls_old v);
/* 1 when an OpenSSL cipher suite name is weak (RC4, 3DES, DES, export, NULL, anonymous). */
int tls_policy_weak_cipher(const char *cipher);
/* 1 when a certificate's signature digest is weak (SHA-1, MD5, MD4, MD2). */
int tls_policy_weak_digest(const char *hash);
/* Whole days from now until t (negative once past, rounded towards the past). */
int tls_policy_days(time_t t, time_t now);
/* The index of the first certificate not issued by the next one sent, or -1 when in order. */
int tls_policy_chain_break(const struct tls_detail *d);

#endif
