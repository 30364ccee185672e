/*
 * test_tlscheck.c - check_mail_tls's sans-I/O policy (common/tls/tls_policy.c):
 * which facts are findings, the chain judgments, and the cause each finding
 * gets from the classifier. Table-driven: each case is a healthy session
 * with one fact changed, and the findings it must (and must only) produce.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "tls/tls_policy.h"
#include "verdict/classify.h"

Suite *tlscheck_suite(void);

#define NOW ((time_t)1800000000)
#define DAY 86400

/* A healthy TLS 1.3 session: EC leaf (1 year) and intermediate (5 years), in order, no staple. */
static void healthy(struct tls_info *ti, struct tls_detail *d)
{
	memset(ti, 0, sizeof *ti);
	memset(d, 0, sizeof *d);
	snprintf(ti->protocol, sizeof ti->protocol, "TLSv1.3");
	snprintf(ti->cipher, sizeof ti->cipher, "TLS_AES_256_GCM_SHA384");
	ti->not_after = NOW + 365 * DAY;
	ti->name_ok = 1;
	d->ncerts = 2;
	for (int i = 0; i < 2; i++) {
		struct tls_cert *c = &d->certs[i];

		snprintf(c->subject, sizeof c->subject, "CN = cert%d", i);
		snprintf(c->issuer, sizeof c->issuer, "CN = cert%d", i + 1);
		snprintf(c->signature, sizeof c->signature, "ecdsa-with-SHA256");
		snprintf(c->sig_hash, sizeof c->sig_hash, "SHA256");
		snprintf(c->key_type, sizeof c->key_type, "EC");
		c->key_bits = 256;
		c->not_after = NOW + (i == 0 ? 365 : 5 * 365) * DAY;
	}
	d->certs[0].issued_by_next = 1;
	d->ocsp = TLS_OCSP_NONE;
}

enum change {
	C_NONE,
	C_TLS11,          /* negotiated TLS 1.1 */
	C_OLD10_ACCEPTED, /* TLS 1.0 accepted by its own handshake */
	C_OLD_BOTH_REFUSED,
	C_RC4,
	C_3DES,
	C_NULL,
	C_ANON,
	C_AES_CBC, /* ECDHE-RSA-AES128-SHA: CBC, but not weak */
	C_RSA1024_LEAF,
	C_RSA2048_LEAF,
	C_SHA1_LEAF,
	C_SHA1_ROOT, /* a self-issued root signed with SHA-1: not a finding */
	C_MD5_INTERMEDIATE,
	C_CHAIN_REVERSED,
	C_INTERMEDIATE_SOON, /* intermediate expires in 3 days, before the leaf */
	C_LEAF_SOON,         /* leaf expires in 20 days */
	C_OCSP_REQUIRED_NONE,
	C_OCSP_REVOKED,
	C_OCSP_UNKNOWN,
	C_OCSP_STALE,
	C_OCSP_GOOD_REQUIRED,
	C_HANDSHAKE_FAILED_OLD10, /* the stock handshake failed, TLS 1.0 alone got through */
	C_HANDSHAKE_FAILED,       /* failed, and no old protocol got through either */
	C_CONNECT_REFUSED,
	C_VERIFY_FAILED,
};

static const struct policy_case {
	const char *name;
	enum change change;
	int min_tls;
	const char *want[4]; /* causes in order; NULL ends */
	int want_cert[4];    /* the certificate each finding names (-1 none) */
} cases[] = {
	{"healthy", C_NONE, 0x0303, {NULL}, {0}},
	{"TLS 1.1 negotiated, min 1.2", C_TLS11, 0x0303, {"tls-protocol-too-old"}, {-1}},
	{"TLS 1.1 negotiated, min 1.1", C_TLS11, 0x0302, {NULL}, {0}},
	{"TLS 1.0 accepted, min 1.2", C_OLD10_ACCEPTED, 0x0303, {"tls-old-protocol-accepted"}, {-1}},
	{"TLS 1.0 accepted, min 1.0", C_OLD10_ACCEPTED, 0x0301, {NULL}, {0}},
	{"old protocols refused", C_OLD_BOTH_REFUSED, 0x0303, {NULL}, {0}},
	{"RC4", C_RC4, 0x0303, {"tls-weak-cipher"}, {-1}},
	{"3DES", C_3DES, 0x0303, {"tls-weak-cipher"}, {-1}},
	{"NULL cipher", C_NULL, 0x0303, {"tls-weak-cipher"}, {-1}},
	{"anonymous", C_ANON, 0x0303, {"tls-weak-cipher"}, {-1}},
	{"AES-CBC is not weak", C_AES_CBC, 0x0303, {NULL}, {0}},
	{"RSA 1024 leaf", C_RSA1024_LEAF, 0x0303, {"tls-weak-key"}, {0}},
	{"RSA 2048 leaf", C_RSA2048_LEAF, 0x0303, {NULL}, {0}},
	{"SHA-1 leaf", C_SHA1_LEAF, 0x0303, {"cert-weak-signature"}, {0}},
	{"SHA-1 root", C_SHA1_ROOT, 0x0303, {NULL}, {0}},
	{"MD5 intermediate", C_MD5_INTERMEDIATE, 0x0303, {"cert-weak-signature"}, {1}},
	{"chain reversed", C_CHAIN_REVERSED, 0x0303, {"cert-chain-order"}, {0}},
	{"intermediate expires first", C_INTERMEDIATE_SOON, 0x0303, {"cert-expiry-critical"}, {1}},
	{"leaf within -D W", C_LEAF_SOON, 0x0303, {"cert-expiring"}, {0}},
	{"--ocsp require, none", C_OCSP_REQUIRED_NONE, 0x0303, {"ocsp-staple-missing"}, {0}},
	{"staple revoked", C_OCSP_REVOKED, 0x0303, {"ocsp-revoked"}, {0}},
	{"staple unknown", C_OCSP_UNKNOWN, 0x0303, {"ocsp-staple-bad"}, {0}},
	{"staple past nextUpdate", C_OCSP_STALE, 0x0303, {"ocsp-staple-bad"}, {0}},
	{"staple good, required", C_OCSP_GOOD_REQUIRED, 0x0303, {NULL}, {0}},
	{"TLS 1.0 only",
	 C_HANDSHAKE_FAILED_OLD10,
	 0x0303,
	 {"tls-protocol-too-old", "tls-handshake-failed"},
	 {-1, -1}},
	{"TLS 1.0 only, min 1.0: the failure alone",
	 C_HANDSHAKE_FAILED_OLD10,
	 0x0301,
	 {"tls-handshake-failed"},
	 {-1}},
	{"handshake failed", C_HANDSHAKE_FAILED, 0x0303, {"tls-handshake-failed"}, {-1}},
	{"connect refused: nothing else judged",
	 C_CONNECT_REFUSED,
	 0x0303,
	 {"connect-refused"},
	 {-1}},
	{"verification failed, chain still judged",
	 C_VERIFY_FAILED,
	 0x0303,
	 {"cert-untrusted", "cert-chain-order"},
	 {-1, 0}},
};

/* Apply one change to the healthy facts and the policy. */
static void apply(enum change ch, struct tls_info *ti, struct tls_detail *d, struct tls_facts *in,
		  struct tls_policy *p, struct fail *f)
{
	switch (ch) {
	case C_NONE: break;
	case C_TLS11: snprintf(ti->protocol, sizeof ti->protocol, "TLSv1.1"); break;
	case C_OLD10_ACCEPTED: in->old[TLS_OLD_10] = TLS_OLD_ACCEPTED; break;
	case C_OLD_BOTH_REFUSED: in->old[TLS_OLD_10] = in->old[TLS_OLD_11] = TLS_OLD_REFUSED; break;
	case C_RC4: snprintf(ti->cipher, sizeof ti->cipher, "RC4-SHA"); break;
	case C_3DES: snprintf(ti->cipher, sizeof ti->cipher, "DES-CBC3-SHA"); break;
	case C_NULL: snprintf(ti->cipher, sizeof ti->cipher, "ECDHE-RSA-NULL-SHA"); break;
	case C_ANON:
		snprintf(ti->cipher, sizeof ti->cipher, "TLS_DH_anon_WITH_AES_128_CBC_SHA");
		break;
	case C_AES_CBC: snprintf(ti->cipher, sizeof ti->cipher, "ECDHE-RSA-AES128-SHA"); break;
	case C_RSA1024_LEAF:
	case C_RSA2048_LEAF:
		snprintf(d->certs[0].key_type, sizeof d->certs[0].key_type, "RSA");
		d->certs[0].key_bits = ch == C_RSA1024_LEAF ? 1024 : 2048;
		break;
	case C_SHA1_LEAF:
		snprintf(d->certs[0].sig_hash, sizeof d->certs[0].sig_hash, "SHA1");
		break;
	case C_SHA1_ROOT:
		d->ncerts = 3;
		d->certs[2] = d->certs[1];
		d->certs[1].issued_by_next = 1;
		d->certs[2].self_issued = 1;
		snprintf(d->certs[2].sig_hash, sizeof d->certs[2].sig_hash, "SHA1");
		break;
	case C_MD5_INTERMEDIATE:
		snprintf(d->certs[1].sig_hash, sizeof d->certs[1].sig_hash, "MD5");
		break;
	case C_CHAIN_REVERSED:
	case C_VERIFY_FAILED: d->certs[0].issued_by_next = 0; break;
	case C_INTERMEDIATE_SOON: d->certs[1].not_after = NOW + 3 * DAY + 100; break;
	case C_LEAF_SOON: ti->not_after = d->certs[0].not_after = NOW + 20 * DAY + 100; break;
	case C_OCSP_REQUIRED_NONE: p->ocsp_require = 1; break;
	case C_OCSP_REVOKED: d->ocsp = TLS_OCSP_REVOKED; break;
	case C_OCSP_UNKNOWN: d->ocsp = TLS_OCSP_UNKNOWN; break;
	case C_OCSP_STALE:
		d->ocsp = TLS_OCSP_GOOD;
		d->ocsp_next_update = NOW - 2 * DAY;
		break;
	case C_OCSP_GOOD_REQUIRED:
		d->ocsp = TLS_OCSP_GOOD;
		d->ocsp_next_update = NOW + 2 * DAY;
		p->ocsp_require = 1;
		break;
	case C_HANDSHAKE_FAILED_OLD10:
	case C_HANDSHAKE_FAILED:
		fail_set(f, FAIL_TLS, PHASE_TLS, 0, "unsupported protocol");
		in->tls_used = 0;
		in->old[TLS_OLD_10] =
			ch == C_HANDSHAKE_FAILED_OLD10 ? TLS_OLD_ACCEPTED : TLS_OLD_REFUSED;
		in->old[TLS_OLD_11] = TLS_OLD_REFUSED;
		break;
	case C_CONNECT_REFUSED:
		fail_set(f, FAIL_CONNECT, PHASE_CONNECT, 111, "Connection refused");
		in->tls_used = 0;
		break;
	}
	if (ch == C_VERIFY_FAILED)
		fail_set(f, FAIL_VERIFY, PHASE_TLS, 20, "unable to get local issuer certificate");
}

START_TEST(test_policy_table)
{
	const struct policy_case *c = &cases[_i];
	struct tls_info ti;
	struct tls_detail d;
	struct fail f;
	struct tls_facts in;
	struct tls_policy p = {
		.min_tls = c->min_tls, .cert_days = 1, .cert_warn = 30, .cert_crit = 7};
	struct tls_findings out;
	int nwant = 0;

	healthy(&ti, &d);
	fail_reset(&f);
	memset(&in, 0, sizeof in);
	in.fail = &f;
	in.tls_used = 1;
	in.info = &ti;
	in.detail = &d;
	in.now = NOW;
	apply(c->change, &ti, &d, &in, &p, &f);
	tls_policy_judge(&p, &in, &out);
	while (nwant < 4 && c->want[nwant] != NULL)
		nwant++;
	ck_assert_msg(out.n == nwant, "%s: got %d findings (first %s), want %d", c->name, out.n,
		      out.n > 0 ? classify(&out.f[0].f)->name : "-", nwant);
	for (int i = 0; i < nwant; i++) {
		const char *got = classify(&out.f[i].f)->name;

		ck_assert_msg(strcmp(got, c->want[i]) == 0, "%s: finding %d: got %s, want %s",
			      c->name, i, got, c->want[i]);
		ck_assert_msg(out.f[i].cert == c->want_cert[i],
			      "%s: finding %d names certificate %d, want %d", c->name, i,
			      out.f[i].cert, c->want_cert[i]);
		ck_assert_msg(out.f[i].f.detail[0] != '\0', "%s: finding %d has no detail", c->name,
			      i);
	}
}
END_TEST

/* The days of the certificate that expires first are in the detail, with its depth. */
START_TEST(test_policy_intermediate_detail)
{
	struct tls_info ti;
	struct tls_detail d;
	struct fail f;
	struct tls_facts in = {.fail = &f, .tls_used = 1, .info = &ti, .detail = &d, .now = NOW};
	struct tls_policy p = {.min_tls = 0x0303, .cert_days = 1, .cert_warn = 30, .cert_crit = 1};
	struct tls_findings out;

	healthy(&ti, &d);
	fail_reset(&f);
	d.certs[1].not_after = NOW + 3 * DAY + 100;
	tls_policy_judge(&p, &in, &out);
	ck_assert_msg(out.n == 1 && out.f[0].f.err == FAIL_CERT_WARNING,
		      "got %d findings, want one WARNING", out.n);
	ck_assert_msg(strcmp(out.f[0].f.detail,
			     "chain certificate 1 expires in 3 days, before the leaf") == 0,
		      "got detail \"%s\"", out.f[0].f.detail);
}
END_TEST

static const struct version_case {
	const char *name;
	int version;
} versions[] = {
	{"TLSv1", 0x0301},   {"TLSv1.1", 0x0302},
	{"TLSv1.2", 0x0303}, {"TLSv1.3", 0x0304},
	{"1.0", 0x0301},     {"1.2", 0x0303},
	{"1.3", 0x0304},     {"2", 0},
	{"TLSv1.4", 0},      {"", 0},
};

START_TEST(test_policy_versions)
{
	const struct version_case *c = &versions[_i];
	int got = tls_policy_version(c->name);

	ck_assert_msg(got == c->version, "\"%s\": got 0x%04x, want 0x%04x", c->name, got,
		      c->version);
}
END_TEST

/* Chain order: the first certificate not issued by the next; a lone leaf is in order. */
START_TEST(test_policy_chain_break)
{
	struct tls_info ti;
	struct tls_detail d;

	healthy(&ti, &d);
	ck_assert_msg(tls_policy_chain_break(&d) == -1, "healthy chain: got break at %d, want -1",
		      tls_policy_chain_break(&d));
	d.ncerts = 3;
	d.certs[2] = d.certs[1];
	ck_assert_msg(tls_policy_chain_break(&d) == 1,
		      "third not issuing the second: got %d, want 1", tls_policy_chain_break(&d));
	d.ncerts = 1;
	d.certs[0].issued_by_next = 0;
	ck_assert_msg(tls_policy_chain_break(&d) == -1, "lone leaf: got %d, want -1",
		      tls_policy_chain_break(&d));
}
END_TEST

static const struct days_case {
	time_t t;
	int days;
} days_cases[] = {
	{NOW + 3 * DAY + 100, 3}, {NOW + DAY - 1, 0}, {NOW, 0}, {NOW - 1, -1}, {NOW - DAY - 1, -2},
};

START_TEST(test_policy_days)
{
	int got = tls_policy_days(days_cases[_i].t, NOW);

	ck_assert_msg(got == days_cases[_i].days, "row %d: got %d days, want %d", _i, got,
		      days_cases[_i].days);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *tlscheck_suite(void)
{
	Suite *s = suite_create("tlscheck");
	TCase *tc = tcase_create("tlscheck");

	tcase_add_loop_test(tc, test_policy_table, 0, N(cases));
	tcase_add_test(tc, test_policy_intermediate_detail);
	tcase_add_loop_test(tc, test_policy_versions, 0, N(versions));
	tcase_add_test(tc, test_policy_chain_break);
	tcase_add_loop_test(tc, test_policy_days, 0, N(days_cases));
	suite_add_tcase(s, tc);
	return s;
}
