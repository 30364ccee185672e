/*
 * tls_policy.c - which facts of a TLS endpoint are findings (check_mail_tls).
 *
 * Contract: pure functions over plain data (no OpenSSL, no clock: the
 * caller passes now); the findings are failure records whose cause and
 * state classify.c decides. Details are our words only; a finding about a
 * certificate names it by index, so its (untrusted) subject is printed by
 * the renderers, the one boundary that sanitises it.
 * Policy (README, check_mail_tls):
 * - the protocol negotiated must be at least --min-tls; an old protocol
 *   (TLS 1.0, 1.1) below it that a handshake of its own got accepted is a
 *   finding too (RFC 8996 deprecates both);
 * - RC4 (RFC 7465), 3DES and DES, export, NULL and anonymous suites;
 * - RSA keys under 2048 bits; SHA-1 or MD5 signatures on certificates that
 *   are not self-issued (a root's own signature is not relied upon);
 * - each certificate sent must be issued by the next (RFC 8446 §4.4.2,
 *   RFC 5246 §7.4.2);
 * - -D on the certificate that expires first, leaf or intermediate;
 * - the OCSP staple (RFC 6066 §8, RFC 6960): revoked, unknown, unusable or
 *   past its nextUpdate; missing only with --ocsp require.
 */
#include <stdio.h>
#include <string.h>
#include "tls/tls_policy.h"

/* clang-format off */
static const struct { const char *name; int version; } tls_policy_versions[] = {
	{"SSLv3", 0x0300}, {"TLSv1", 0x0301}, {"TLSv1.1", 0x0302},
	{"TLSv1.2", 0x0303}, {"TLSv1.3", 0x0304},
	{"1.0", 0x0301}, {"1.1", 0x0302}, {"1.2", 0x0303}, {"1.3", 0x0304},
};
/* clang-format on */

int tls_policy_version(const char *name)
{
	for (size_t i = 0;
	     name != NULL && i < sizeof tls_policy_versions / sizeof tls_policy_versions[0]; i++)
		if (strcmp(tls_policy_versions[i].name, name) == 0)
			return tls_policy_versions[i].version;
	return 0;
}

const char *tls_policy_version_name(int version)
{
	for (size_t i = 0; i < sizeof tls_policy_versions / sizeof tls_policy_versions[0]; i++)
		if (tls_policy_versions[i].version == version)
			return tls_policy_versions[i].name;
	return "";
}

int tls_policy_old_version(enum tls_old_proto i)
{
	return i == TLS_OLD_10 ? 0x0301 : 0x0302;
}

const char *tls_policy_old_name(enum tls_old v)
{
	switch (v) {
	case TLS_OLD_ACCEPTED: return "accepted";
	case TLS_OLD_REFUSED: return "refused";
	case TLS_OLD_NOT_TESTED: break;
	}
	return "not-tested";
}

/* 1 when s contains word, a part of a suite name between '-' or '_' (or the ends). */
static int tls_policy_has_part(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(s, word); p != NULL; p = strstr(p + 1, word)) {
		int start = p == s || p[-1] == '-' || p[-1] == '_';
		int end = p[n] == '\0' || p[n] == '-' || p[n] == '_';

		if (start && end)
			return 1;
	}
	return 0;
}

int tls_policy_weak_cipher(const char *c)
{
	static const char *const weak[] = {"RC4",    "DES",  "3DES", "DES-CBC3", "CBC3", "EXP",
					   "EXPORT", "NULL", "anon", "ADH",      "AECDH"};

	if (c == NULL || c[0] == '\0')
		return 0;
	for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++)
		if (tls_policy_has_part(c, weak[i]))
			return 1;
	return 0;
}

int tls_policy_weak_digest(const char *h)
{
	return h != NULL && (strcmp(h, "SHA1") == 0 || strcmp(h, "MD5") == 0 ||
			     strcmp(h, "MD4") == 0 || strcmp(h, "MD2") == 0);
}

int tls_policy_days(time_t t, time_t now)
{
	double secs = difftime(t, now);

	return (int)(secs < 0 ? (secs - 86399) / 86400 : secs / 86400);
}

int tls_policy_chain_break(const struct tls_detail *d)
{
	int n = d->ncerts < TLS_CHAIN_MAX ? d->ncerts : TLS_CHAIN_MAX;

	for (int i = 0; i + 1 < n; i++)
		if (!d->certs[i].issued_by_next)
			return i;
	return -1;
}

/* Append a finding about certificate cert (-1: none); the last slot is never overrun. */
static struct fail *tls_policy_add(struct tls_findings *out, int cert)
{
	struct tls_finding *f;

	if (out->n >= TLS_POLICY_FINDINGS_MAX)
		return NULL;
	f = &out->f[out->n++];
	fail_reset(&f->f);
	f->cert = cert;
	return &f->f;
}

#define TLS_POLICY_ADD(out, cert, err, ...)                                                        \
	do {                                                                                       \
		struct fail *f_ = tls_policy_add((out), (cert));                                   \
		if (f_ != NULL)                                                                    \
			fail_set(f_, FAIL_TLS_POLICY, PHASE_TLS, (err), __VA_ARGS__);              \
	} while (0)

/* The old protocols the server accepted below the minimum: the lowest, or 0. */
static int tls_policy_old_low(const struct tls_policy *p, const struct tls_facts *in)
{
	for (int i = 0; i < TLS_OLD_MAX; i++) {
		int v = tls_policy_old_version((enum tls_old_proto)i);

		if (in->old[i] == TLS_OLD_ACCEPTED && v < p->min_tls)
			return v;
	}
	return 0;
}

/* The protocol: negotiated below the minimum, or old ones still accepted. */
static void tls_policy_protocol(const struct tls_policy *p, const struct tls_facts *in,
				struct tls_findings *out)
{
	int v = tls_policy_version(in->info->protocol);
	const char *min = tls_policy_version_name(p->min_tls);

	if (v != 0 && v < p->min_tls) {
		TLS_POLICY_ADD(out, -1, FAIL_TLSERR_PROTOCOL_OLD,
			       "%s negotiated, below the minimum %s", in->info->protocol, min);
		return;
	}
	for (int i = 0; i < TLS_OLD_MAX; i++) {
		int ov = tls_policy_old_version((enum tls_old_proto)i);

		if (in->old[i] == TLS_OLD_ACCEPTED && ov < p->min_tls)
			TLS_POLICY_ADD(out, -1, FAIL_TLSERR_OLD_ACCEPTED,
				       "%s still accepted (minimum %s)",
				       tls_policy_version_name(ov), min);
	}
}

/* Keys and signatures of every certificate, and the order of the chain. */
static void tls_policy_certs(const struct tls_detail *d, struct tls_findings *out)
{
	int n = d->ncerts < TLS_CHAIN_MAX ? d->ncerts : TLS_CHAIN_MAX;
	int brk = tls_policy_chain_break(d);

	for (int i = 0; i < n; i++) {
		const struct tls_cert *c = &d->certs[i];

		if (strcmp(c->key_type, "RSA") == 0 && c->key_bits > 0 &&
		    c->key_bits < TLS_POLICY_RSA_MIN_BITS)
			TLS_POLICY_ADD(out, i, FAIL_TLSERR_WEAK_KEY,
				       "certificate %d has a %d-bit RSA key (want %d or more)", i,
				       c->key_bits, TLS_POLICY_RSA_MIN_BITS);
		if (!c->self_issued && tls_policy_weak_digest(c->sig_hash))
			TLS_POLICY_ADD(out, i, FAIL_TLSERR_WEAK_SIGNATURE,
				       "certificate %d is signed with %s (%s)", i, c->sig_hash,
				       c->signature);
	}
	if (brk >= 0)
		TLS_POLICY_ADD(out, brk, FAIL_TLSERR_CHAIN_ORDER,
			       "certificate %d is not issued by certificate %d sent after it", brk,
			       brk + 1);
}

/* -D on the certificate that expires first (the leaf when it is first, or when no detail). */
static void tls_policy_expiry(const struct tls_policy *p, const struct tls_facts *in,
			      struct tls_findings *out)
{
	const struct tls_detail *d = in->detail;
	int n = d->ncerts < TLS_CHAIN_MAX ? d->ncerts : TLS_CHAIN_MAX;
	time_t first = in->info->not_after;
	int depth = 0, days, err;
	struct fail *f;

	for (int i = 1; i < n; i++)
		if (d->certs[i].not_after != 0 && (first == 0 || d->certs[i].not_after < first)) {
			first = d->certs[i].not_after;
			depth = i;
		}
	if (!p->cert_days || first == 0)
		return;
	days = tls_policy_days(first, in->now);
	if (days >= p->cert_warn && days >= p->cert_crit)
		return;
	err = days < p->cert_crit ? FAIL_CERT_CRITICAL : FAIL_CERT_WARNING;
	if ((f = tls_policy_add(out, depth)) == NULL)
		return;
	if (depth == 0 && days < 0)
		fail_set(f, FAIL_CERT_DAYS, PHASE_TLS, err, "certificate expired %d days ago",
			 -days);
	else if (depth == 0)
		fail_set(f, FAIL_CERT_DAYS, PHASE_TLS, err, "certificate expires in %d days", days);
	else if (days < 0)
		fail_set(f, FAIL_CERT_DAYS, PHASE_TLS, err,
			 "chain certificate %d expired %d days ago", depth, -days);
	else
		fail_set(f, FAIL_CERT_DAYS, PHASE_TLS, err,
			 "chain certificate %d expires in %d days, before the leaf", depth, days);
}

/* The stapled OCSP response. */
static void tls_policy_ocsp(const struct tls_policy *p, const struct tls_facts *in,
			    struct tls_findings *out)
{
	const struct tls_detail *d = in->detail;

	switch (d->ocsp) {
	case TLS_OCSP_NOT_ASKED: return;
	case TLS_OCSP_NONE:
		if (p->ocsp_require)
			TLS_POLICY_ADD(out, 0, FAIL_TLSERR_OCSP_MISSING,
				       "no OCSP response stapled (--ocsp require)");
		return;
	case TLS_OCSP_REVOKED:
		TLS_POLICY_ADD(out, 0, FAIL_TLSERR_OCSP_REVOKED,
			       "the stapled OCSP response says revoked");
		return;
	case TLS_OCSP_UNKNOWN:
		TLS_POLICY_ADD(out, 0, FAIL_TLSERR_OCSP_BAD,
			       "the stapled OCSP response says unknown");
		return;
	case TLS_OCSP_UNUSABLE:
		TLS_POLICY_ADD(out, 0, FAIL_TLSERR_OCSP_BAD,
			       "the stapled OCSP response is unusable (not successful, or not "
			       "about this certificate)");
		return;
	case TLS_OCSP_GOOD: break;
	}
	if (d->ocsp_next_update != 0 && d->ocsp_next_update < in->now)
		TLS_POLICY_ADD(out, 0, FAIL_TLSERR_OCSP_BAD,
			       "the stapled OCSP response is past its nextUpdate (%d days ago)",
			       -tls_policy_days(d->ocsp_next_update, in->now));
}

/* 1 when f is the handshake itself failing (not what came before or after it). */
static int tls_policy_handshake_failed(const struct fail *f)
{
	return (f->cls == FAIL_TLS || f->cls == FAIL_DROPPED) &&
	       (f->phase == PHASE_TLS || f->phase == PHASE_TLS_IMPLICIT);
}

void tls_policy_judge(const struct tls_policy *p, const struct tls_facts *in,
		      struct tls_findings *out)
{
	struct fail *f;
	int low;

	memset(out, 0, sizeof *out);
	if (in->fail->cls != FAIL_NONE) {
		/* An old protocol got through where the stock handshake did not: that is why. */
		low = tls_policy_handshake_failed(in->fail) ? tls_policy_old_low(p, in) : 0;
		if (low != 0)
			TLS_POLICY_ADD(
				out, -1, FAIL_TLSERR_PROTOCOL_OLD,
				"the stock handshake failed, %s is accepted: below the minimum %s",
				tls_policy_version_name(low), tls_policy_version_name(p->min_tls));
		if ((f = tls_policy_add(out, -1)) != NULL)
			*f = *in->fail;
	}
	if (!in->tls_used || in->info == NULL || in->detail == NULL)
		return;
	tls_policy_protocol(p, in, out);
	if (tls_policy_weak_cipher(in->info->cipher))
		TLS_POLICY_ADD(out, -1, FAIL_TLSERR_WEAK_CIPHER, "weak cipher %s negotiated",
			       in->info->cipher);
	tls_policy_certs(in->detail, out);
	tls_policy_expiry(p, in, out);
	tls_policy_ocsp(p, in, out);
}
