/*
 * tls_detail.c - the further facts of an established session that
 * check_mail_tls judges: the key exchange group, every certificate the
 * server sent (names, expiry, signature algorithm, key, order) and the
 * stapled OCSP response.
 *
 * Contract: reads the session only, after a completed handshake; fills a
 * caller-owned struct tls_detail with plain data; allocates nothing that
 * outlives a call. Names are kept raw (sanitised at output). The staple's
 * signature is not verified in this phase: its status and times are
 * reported as the server sent them.
 * RFC 5280 §4.1.1.2 (signatureAlgorithm), RFC 6066 §8 and RFC 6960 §4.2
 * (stapled OCSP responses), RFC 8446 §4.2.7 (groups).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/ocsp.h>
#include "tls/ossl.h"
#include "tls/tls_ssl.h"

/* An ASN1_TIME as time_t; 0 when absent or unreadable. */
static time_t tls_detail_time(const ASN1_GENERALIZEDTIME *t)
{
	struct tm tm;

	if (t == NULL)
		return 0;
	memset(&tm, 0, sizeof tm);
	if (!OSSL(ASN1_TIME_to_tm)(t, &tm))
		return 0;
	return timegm(&tm);
}

/* The short name of nid into out ("" when it has none). */
static void tls_detail_nid(int nid, char *out, size_t len)
{
	const char *sn = nid != NID_undef ? OSSL(OBJ_nid2sn)(nid) : NULL;

	snprintf(out, len, "%s", sn != NULL ? sn : "");
}

/* Describe one certificate; next is the certificate sent after it, or NULL. */
static void tls_detail_cert(X509 *x, X509 *next, struct tls_cert *c)
{
	EVP_PKEY *pk = OSSL(X509_get0_pubkey)(x);
	const char *kt = pk != NULL ? OSSL(EVP_PKEY_get0_type_name)(pk) : NULL;
	int md = NID_undef, pkn = NID_undef, bits = 0;
	uint32_t flags = 0;

	memset(c, 0, sizeof *c);
	tls_name_line(OSSL(X509_get_subject_name)(x), c->subject, sizeof c->subject);
	tls_name_line(OSSL(X509_get_issuer_name)(x), c->issuer, sizeof c->issuer);
	c->not_after = tls_not_after(x);
	tls_detail_nid(OSSL(X509_get_signature_nid)(x), c->signature, sizeof c->signature);
	if (OSSL(X509_get_signature_info)(x, &md, &pkn, &bits, &flags))
		tls_detail_nid(md, c->sig_hash, sizeof c->sig_hash);
	snprintf(c->key_type, sizeof c->key_type, "%s", kt != NULL ? kt : "");
	c->key_bits = pk != NULL ? OSSL(EVP_PKEY_get_bits)(pk) : 0;
	c->self_issued = OSSL(X509_NAME_cmp)(OSSL(X509_get_subject_name)(x),
					     OSSL(X509_get_issuer_name)(x)) == 0;
	c->issued_by_next = next != NULL && OSSL(X509_check_issued)(next, x) == X509_V_OK;
}

/* The single response about leaf (issued by issuer), or the first one when issuer is unknown. */
static OCSP_SINGLERESP *tls_detail_single(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer)
{
	OCSP_CERTID *id;
	int i = -1;

	if (issuer == NULL)
		return OSSL(OCSP_resp_count)(bs) > 0 ? OSSL(OCSP_resp_get0)(bs, 0) : NULL;
	id = OSSL(OCSP_cert_to_id)(NULL, leaf, issuer);
	if (id != NULL)
		i = OSSL(OCSP_resp_find)(bs, id, -1);
	OSSL(OCSP_CERTID_free)(id);
	return i >= 0 ? OSSL(OCSP_resp_get0)(bs, i) : NULL;
}

/* Read the stapled response, if any, into d (RFC 6960 §4.2.1). */
static void tls_detail_ocsp(SSL *ssl, X509 *leaf, X509 *issuer, struct tls_detail *d)
{
	const unsigned char *p = NULL;
	/* SSL_get_tlsext_status_ocsp_resp */
	long len = OSSL(SSL_ctrl)(ssl, SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP, 0, (void *)&p);
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_SINGLERESP *one;
	ASN1_GENERALIZEDTIME *thisupd = NULL, *nextupd = NULL;
	int st, reason = 0;

	d->ocsp = TLS_OCSP_NONE;
	if (p == NULL || len <= 0)
		return;
	d->ocsp = TLS_OCSP_UNUSABLE;
	resp = OSSL(d2i_OCSP_RESPONSE)(NULL, &p, len);
	if (resp == NULL || OSSL(OCSP_response_status)(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
		goto out;
	bs = OSSL(OCSP_response_get1_basic)(resp);
	one = bs != NULL && leaf != NULL ? tls_detail_single(bs, leaf, issuer) : NULL;
	if (one == NULL)
		goto out;
	st = OSSL(OCSP_single_get0_status)(one, &reason, NULL, &thisupd, &nextupd);
	d->ocsp = st == V_OCSP_CERTSTATUS_GOOD      ? TLS_OCSP_GOOD
		  : st == V_OCSP_CERTSTATUS_REVOKED ? TLS_OCSP_REVOKED
		  : st == V_OCSP_CERTSTATUS_UNKNOWN ? TLS_OCSP_UNKNOWN
						    : TLS_OCSP_UNUSABLE;
	d->ocsp_this_update = tls_detail_time(thisupd);
	d->ocsp_next_update = tls_detail_time(nextupd);
	d->ocsp_produced_at = tls_detail_time(OSSL(OCSP_resp_get0_produced_at)(bs));
out:
	OSSL(OCSP_BASICRESP_free)(bs);
	OSSL(OCSP_RESPONSE_free)(resp);
}

/* Fill the further facts (group, every certificate, OCSP staple) after a completed handshake. */
void tls_conn_detail(const struct tls_conn *t, struct tls_detail *d)
{
	SSL *ssl = tls_conn_ssl(t);
	const OPENSSL_STACK *chain = (const OPENSSL_STACK *)OSSL(SSL_get_peer_cert_chain)(ssl);
	int n = chain != NULL ? OSSL(OPENSSL_sk_num)(chain) : 0;
	/* SSL_get_negotiated_group: a NID, or 0 without an (EC)DHE group */
	int group = (int)OSSL(SSL_ctrl)(ssl, SSL_CTRL_GET_NEGOTIATED_GROUP, 0, NULL);
	const char *gname = group > 0 ? OSSL(SSL_group_to_name)(ssl, group) : NULL;
	X509 *leaf = OSSL(SSL_get0_peer_certificate)(ssl);

	memset(d, 0, sizeof *d);
	snprintf(d->group, sizeof d->group, "%s", gname != NULL ? gname : "");
	d->ncerts = n;
	for (int i = 0; i < n && i < TLS_CHAIN_MAX; i++)
		tls_detail_cert(OSSL(OPENSSL_sk_value)(chain, i),
				i + 1 < n ? OSSL(OPENSSL_sk_value)(chain, i + 1) : NULL,
				&d->certs[i]);
	tls_detail_ocsp(ssl, leaf, n > 1 ? OSSL(OPENSSL_sk_value)(chain, 1) : NULL, d);
	OSSL(ERR_clear_error)();
}
