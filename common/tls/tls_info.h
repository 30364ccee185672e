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

#endif
