/*
 * test_classify.c - the failure policy table: one row per cause at least,
 * and a check that no cause exists without a row here.
 */
#include <ares.h>
#include <check.h>
#include <errno.h>
#include <openssl/sslerr.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <string.h>
#include "verdict/classify.h"

Suite *classify_suite(void);

static const struct classify_case {
	enum fail_class cls;
	enum phase phase;
	int err;
	int code;
	struct enh enh;
	const char *text;
	const char *want;
} cases[] = {
	{FAIL_NONE, PHASE_NONE, 0, 0, {0, 0, 0}, NULL, "ok"},
	{FAIL_NONE, PHASE_QUIT, 0, 221, {0, 0, 0}, NULL, "ok"},
	/* DNS */
	{FAIL_DNS, PHASE_DNS, ARES_ENOTFOUND, 0, {0, 0, 0}, NULL, "dns-nxdomain"},
	{FAIL_DNS, PHASE_DNS, ARES_ENODATA, 0, {0, 0, 0}, NULL, "dns-nxdomain"},
	{FAIL_DNS, PHASE_DNS, ARES_ESERVFAIL, 0, {0, 0, 0}, NULL, "dns-failure"},
	{FAIL_DNS, PHASE_DNS, ARES_EREFUSED, 0, {0, 0, 0}, NULL, "dns-failure"},
	{FAIL_TIMEOUT, PHASE_DNS, 0, 0, {0, 0, 0}, NULL, "dns-timeout"},
	/* blocklists */
	{FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_LISTED, 0, {0, 0, 0}, NULL, "dnsbl-listed"},
	{FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_REFUSED, 0, {0, 0, 0}, NULL, "dnsbl-refused"},
	{FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_REWRITE, 0, {0, 0, 0}, NULL, "dnsbl-bad-answer"},
	{FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_LOOPBACK, 0, {0, 0, 0}, NULL, "dnsbl-bad-answer"},
	{FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_DEAD, 0, {0, 0, 0}, NULL, "dnsbl-dead"},
	{FAIL_DNSBL, PHASE_DNS, FAIL_DNSBLERR_LISTS_ALL, 0, {0, 0, 0}, NULL, "dnsbl-lists-all"},
	/* the mail-exchanger set */
	{FAIL_NULL_MX, PHASE_DNS, 0, 0, {0, 0, 0}, NULL, "null-mx"},
	{FAIL_NULL_MX, PHASE_DNS, FAIL_MXERR_NULL_MIXED, 0, {0, 0, 0}, NULL, "null-mx-mixed"},
	{FAIL_NULL_MX, PHASE_DNS, FAIL_MXERR_NULL_MISSING, 0, {0, 0, 0}, NULL, "null-mx-missing"},
	{FAIL_IMPLICIT_MX, PHASE_DNS, 0, 0, {0, 0, 0}, NULL, "implicit-mx"},
	{FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_CNAME, 0, {0, 0, 0}, NULL, "mx-cname"},
	{FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_LITERAL, 0, {0, 0, 0}, NULL, "mx-ip-literal"},
	{FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_NXDOMAIN, 0, {0, 0, 0}, NULL, "mx-nxdomain"},
	{FAIL_MX_TARGET, PHASE_DNS, FAIL_MXERR_NOADDR, 0, {0, 0, 0}, NULL, "mx-no-address"},
	{FAIL_RDNS, PHASE_DNS, FAIL_MXERR_NO_PTR, 0, {0, 0, 0}, NULL, "ptr-missing"},
	{FAIL_RDNS, PHASE_DNS, FAIL_MXERR_FCRDNS, 0, {0, 0, 0}, NULL, "fcrdns-failed"},
	{FAIL_REQUIRE, PHASE_NONE, FAIL_MXERR_PRIMARY, 0, {0, 0, 0}, NULL, "primary-mx-failed"},
	{FAIL_REQUIRE, PHASE_NONE, FAIL_MXERR_IPV6, 0, {0, 0, 0}, NULL, "ipv6-unreachable"},
	/* TCP */
	{FAIL_CONNECT, PHASE_CONNECT, ECONNREFUSED, 0, {0, 0, 0}, NULL, "connect-refused"},
	{FAIL_CONNECT, PHASE_CONNECT, ETIMEDOUT, 0, {0, 0, 0}, NULL, "connect-timeout"},
	{FAIL_TIMEOUT, PHASE_CONNECT, 0, 0, {0, 0, 0}, NULL, "connect-timeout"},
	{FAIL_CONNECT, PHASE_CONNECT, ENETUNREACH, 0, {0, 0, 0}, NULL, "network-unreachable"},
	{FAIL_CONNECT, PHASE_CONNECT, EHOSTUNREACH, 0, {0, 0, 0}, NULL, "network-unreachable"},
	{FAIL_CONNECT, PHASE_CONNECT, EADDRNOTAVAIL, 0, {0, 0, 0}, NULL, "network-unreachable"},
	{FAIL_CONNECT, PHASE_CONNECT, EMFILE, 0, {0, 0, 0}, NULL, "connect-failed"},
	/* timeouts by phase */
	{FAIL_TIMEOUT, PHASE_GREETING, 0, 0, {0, 0, 0}, NULL, "greeting-timeout"},
	/* -S against a port that waits for a ClientHello; elsewhere the flag means nothing */
	{FAIL_TIMEOUT,
	 PHASE_GREETING,
	 FAIL_TIMEOUT_SILENT_STARTTLS,
	 0,
	 {0, 0, 0},
	 NULL,
	 "implicit-tls-port"},
	{FAIL_TIMEOUT, PHASE_EHLO, FAIL_TIMEOUT_SILENT_STARTTLS, 0, {0, 0, 0}, NULL, "reply-timeout"},
	{FAIL_TIMEOUT, PHASE_TLS, 0, 0, {0, 0, 0}, NULL, "tls-handshake-timeout"},
	{FAIL_TIMEOUT, PHASE_TLS_IMPLICIT, 0, 0, {0, 0, 0}, NULL, "tls-handshake-timeout"},
	{FAIL_TIMEOUT, PHASE_EHLO, 0, 0, {0, 0, 0}, NULL, "reply-timeout"},
	{FAIL_TIMEOUT, PHASE_RCPT, 0, 0, {0, 0, 0}, NULL, "reply-timeout"},
	{FAIL_TIMEOUT, PHASE_STARTTLS, 0, 0, {0, 0, 0}, NULL, "reply-timeout"},
	{FAIL_TIMEOUT, PHASE_QUIT, 0, 0, {0, 0, 0}, NULL, "quit-failed"},
	/* greeting replies */
	{FAIL_REPLY, PHASE_GREETING, 0, 421, {4, 3, 2}, "Service not available", "server-busy"},
	{FAIL_REPLY, PHASE_GREETING, 0, 421, {0, 0, 0}, "mx.example.com closing", "server-busy"},
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 554,
	 {0, 0, 0},
	 "No SMTP service here",
	 "service-unavailable"},
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 554,
	 {5, 7, 1},
	 "Client host rejected",
	 "service-unavailable"},
	{FAIL_REPLY, PHASE_GREETING, 0, 220, {0, 0, 0}, "ok", "unexpected-reply"},
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 421,
	 {4, 7, 0},
	 "[TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or "
	 "user complaints",
	 "rate-limited"},
	/* drops */
	{FAIL_DROPPED, PHASE_GREETING, ECONNRESET, 0, {0, 0, 0}, NULL, "connection-dropped"},
	{FAIL_DROPPED, PHASE_MAIL, 0, 0, {0, 0, 0}, NULL, "connection-dropped"},
	{FAIL_DROPPED, PHASE_STARTTLS, 0, 0, {0, 0, 0}, NULL, "connection-dropped"},
	{FAIL_DROPPED, PHASE_STARTTLS, 0, 220, {0, 0, 0}, NULL, "dropped-after-starttls"},
	{FAIL_DROPPED, PHASE_TLS, ECONNRESET, 0, {0, 0, 0}, NULL, "dropped-after-starttls"},
	{FAIL_DROPPED, PHASE_QUIT, 0, 0, {0, 0, 0}, NULL, "quit-failed"},
	/* TLS */
	{FAIL_TLS, PHASE_TLS, 0, 0, {0, 0, 0}, NULL, "tls-handshake-failed"},
	{FAIL_TLS, PHASE_TLS_IMPLICIT, 0, 0, {0, 0, 0}, NULL, "tls-handshake-failed"},
	/* -s against a plaintext port: the cleartext "220 " is no TLS record */
	{FAIL_TLS,
	 PHASE_TLS_IMPLICIT,
	 SSL_R_WRONG_VERSION_NUMBER,
	 0,
	 {0, 0, 0},
	 NULL,
	 "plaintext-port"},
	{FAIL_TLS, PHASE_TLS, SSL_R_WRONG_VERSION_NUMBER, 0, {0, 0, 0}, NULL, "tls-handshake-failed"},
	/* after the handshake (TLS 1.3 asks for a client certificate there): alert 116 */
	{FAIL_TLS, PHASE_EHLO2, 1116, 0, {0, 0, 0}, NULL, "tls-client-cert-required"},
	{FAIL_TLS, PHASE_GREETING, 1116, 0, {0, 0, 0}, NULL, "tls-client-cert-required"},
	{FAIL_TLS, PHASE_TLS, 1116, 0, {0, 0, 0}, NULL, "tls-client-cert-required"},
	{FAIL_TLS, PHASE_EHLO2, 1040, 0, {0, 0, 0}, NULL, "tls-session-failed"},
	{FAIL_TLS, PHASE_GREETING, 281, 0, {0, 0, 0}, NULL, "tls-session-failed"},
	{FAIL_TLS, PHASE_QUIT, 1116, 0, {0, 0, 0}, NULL, "quit-failed"},
	{FAIL_VERIFY, PHASE_TLS, X509_V_ERR_CERT_HAS_EXPIRED, 0, {0, 0, 0}, NULL, "cert-expired"},
	{FAIL_VERIFY, PHASE_TLS, X509_V_ERR_CERT_NOT_YET_VALID, 0, {0, 0, 0}, NULL, "cert-expired"},
	{FAIL_VERIFY,
	 PHASE_TLS,
	 X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
	 0,
	 {0, 0, 0},
	 NULL,
	 "cert-untrusted"},
	{FAIL_VERIFY,
	 PHASE_TLS,
	 X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
	 0,
	 {0, 0, 0},
	 NULL,
	 "cert-untrusted"},
	{FAIL_VERIFY,
	 PHASE_TLS,
	 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	 0,
	 {0, 0, 0},
	 NULL,
	 "cert-untrusted"},
	{FAIL_VERIFY,
	 PHASE_TLS,
	 X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
	 0,
	 {0, 0, 0},
	 NULL,
	 "cert-untrusted"},
	{FAIL_VERIFY,
	 PHASE_TLS,
	 X509_V_ERR_HOSTNAME_MISMATCH,
	 0,
	 {0, 0, 0},
	 NULL,
	 "cert-name-mismatch"},
	{FAIL_VERIFY,
	 PHASE_TLS_IMPLICIT,
	 X509_V_ERR_IP_ADDRESS_MISMATCH,
	 0,
	 {0, 0, 0},
	 NULL,
	 "cert-name-mismatch"},
	{FAIL_VERIFY, PHASE_TLS, X509_V_ERR_CERT_REVOKED, 0, {0, 0, 0}, NULL, "cert-invalid"},
	{FAIL_VERIFY,
	 PHASE_TLS,
	 X509_V_ERR_CERT_SIGNATURE_FAILURE,
	 0,
	 {0, 0, 0},
	 NULL,
	 "cert-invalid"},
	{FAIL_CERT_DAYS, PHASE_TLS, FAIL_CERT_WARNING, 0, {0, 0, 0}, NULL, "cert-expiring"},
	{FAIL_CERT_DAYS, PHASE_TLS, FAIL_CERT_CRITICAL, 0, {0, 0, 0}, NULL, "cert-expiry-critical"},
	/* STARTTLS */
	{FAIL_MISSING, PHASE_STARTTLS, 0, 0, {0, 0, 0}, NULL, "starttls-not-offered"},
	{FAIL_REPLY,
	 PHASE_STARTTLS,
	 0,
	 454,
	 {4, 7, 0},
	 "TLS not available due to local problem",
	 "starttls-unavailable"},
	{FAIL_REPLY,
	 PHASE_STARTTLS,
	 0,
	 502,
	 {5, 5, 1},
	 "command not implemented",
	 "starttls-unavailable"},
	{FAIL_REPLY, PHASE_STARTTLS, 0, 421, {4, 3, 2}, "shutting down", "server-busy"},
	{FAIL_INJECTION, PHASE_TLS, 0, 0, {0, 0, 0}, NULL, "starttls-injection"},
	{FAIL_PLAINTEXT_AUTH, PHASE_AUTH, 0, 0, {0, 0, 0}, NULL, "plaintext-auth"},
	/* check_mail_tls's findings */
	{FAIL_TLS_POLICY,
	 PHASE_TLS,
	 FAIL_TLSERR_PROTOCOL_OLD,
	 0,
	 {0, 0, 0},
	 NULL,
	 "tls-protocol-too-old"},
	{FAIL_TLS_POLICY,
	 PHASE_TLS,
	 FAIL_TLSERR_OLD_ACCEPTED,
	 0,
	 {0, 0, 0},
	 NULL,
	 "tls-old-protocol-accepted"},
	{FAIL_TLS_POLICY, PHASE_TLS, FAIL_TLSERR_WEAK_CIPHER, 0, {0, 0, 0}, NULL, "tls-weak-cipher"},
	{FAIL_TLS_POLICY, PHASE_TLS, FAIL_TLSERR_WEAK_KEY, 0, {0, 0, 0}, NULL, "tls-weak-key"},
	{FAIL_TLS_POLICY,
	 PHASE_TLS,
	 FAIL_TLSERR_WEAK_SIGNATURE,
	 0,
	 {0, 0, 0},
	 NULL,
	 "cert-weak-signature"},
	{FAIL_TLS_POLICY, PHASE_TLS, FAIL_TLSERR_CHAIN_ORDER, 0, {0, 0, 0}, NULL, "cert-chain-order"},
	{FAIL_TLS_POLICY,
	 PHASE_TLS,
	 FAIL_TLSERR_OCSP_MISSING,
	 0,
	 {0, 0, 0},
	 NULL,
	 "ocsp-staple-missing"},
	{FAIL_TLS_POLICY, PHASE_TLS, FAIL_TLSERR_OCSP_REVOKED, 0, {0, 0, 0}, NULL, "ocsp-revoked"},
	{FAIL_TLS_POLICY, PHASE_TLS, FAIL_TLSERR_OCSP_BAD, 0, {0, 0, 0}, NULL, "ocsp-staple-bad"},
	/* AUTH */
	{FAIL_REPLY,
	 PHASE_AUTH,
	 0,
	 535,
	 {5, 7, 8},
	 "Authentication credentials invalid",
	 "auth-failed"},
	{FAIL_REPLY, PHASE_AUTH, 0, 535, {0, 0, 0}, "authentication failed", "auth-failed"},
	{FAIL_REPLY, PHASE_AUTH, 0, 550, {5, 7, 8}, "bad password", "auth-failed"},
	{FAIL_REPLY,
	 PHASE_AUTH,
	 0,
	 454,
	 {4, 7, 0},
	 "Temporary authentication failure",
	 "auth-temporary"},
	{FAIL_REPLY,
	 PHASE_AUTH,
	 0,
	 432,
	 {4, 7, 12},
	 "A password transition is needed",
	 "auth-temporary"},
	/* any 4yz is transient (RFC 5321 §4.2.1), not a refusal */
	{FAIL_REPLY, PHASE_AUTH, 0, 451, {4, 3, 0}, "Temporary server error", "auth-temporary"},
	{FAIL_REPLY, PHASE_AUTH, 0, 421, {4, 3, 2}, "Service shutting down", "server-busy"},
	{FAIL_MISSING, PHASE_AUTH, 0, 0, {0, 0, 0}, NULL, "auth-not-offered"},
	{FAIL_REPLY, PHASE_AUTH, 0, 534, {5, 7, 9}, "mechanism too weak", "auth-rejected"},
	{FAIL_REPLY, PHASE_AUTH, 0, 538, {5, 7, 11}, "encryption required", "auth-rejected"},
	{FAIL_REPLY,
	 PHASE_AUTH,
	 0,
	 504,
	 {5, 5, 4},
	 "unrecognized authentication type",
	 "auth-rejected"},
	/* rate limits (mailstandards §3) */
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 421,
	 {4, 7, 28},
	 "Gmail has detected an unusual rate of unsolicited mail",
	 "rate-limited"},
	{FAIL_REPLY, PHASE_MAIL, 0, 421, {4, 7, 28}, "", "rate-limited"},
	/* iCloud's documented volume deferral, Comcast's connection limit (verdict/kb.c rows) */
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 421,
	 {4, 7, 1},
	 "Messages to b@icloud.com deferred due to excessive volume. Try again later",
	 "rate-limited"},
	{FAIL_REPLY, PHASE_GREETING, 0, 421, {0, 0, 0}, "Too many sessions opened", "rate-limited"},
	{FAIL_REPLY, PHASE_GREETING, 0, 421, {0, 0, 0}, "Too many errors", "server-busy"},
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 450,
	 {4, 2, 1},
	 "The user you are trying to contact is receiving mail too quickly",
	 "rate-limited"},
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 451,
	 {4, 7, 500},
	 "Server busy. Please try again later from [192.0.2.1]. (S77714)",
	 "rate-limited"},
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 451,
	 {4, 7, 650},
	 "The mail server has been temporarily rate limited",
	 "rate-limited"},
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 421,
	 {4, 7, 26},
	 "This mail has been rate limited because it is unauthenticated",
	 "rate-limited"},
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 421,
	 {4, 7, 0},
	 "Error: too many connections from 192.0.2.1",
	 "rate-limited"},
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 421,
	 {0, 0, 0},
	 "Too many concurrent SMTP connections; please try again later",
	 "rate-limited"},
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 421,
	 {0, 0, 0},
	 "RP-001 (BAY004-MC1F8) Unfortunately",
	 "rate-limited"},
	{FAIL_REPLY,
	 PHASE_GREETING,
	 0,
	 421,
	 {4, 3, 2},
	 "The maximum number of concurrent connections per resource forest has exceeded a limit",
	 "rate-limited"},
	{FAIL_REPLY,
	 PHASE_EHLO,
	 0,
	 421,
	 {4, 7, 0},
	 "Try again later, closing connection",
	 "server-busy"},
	/* greylisting (mailstandards §3.4) */
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 450,
	 {4, 7, 1},
	 "<a@example.com>: Recipient address rejected: Greylisted, see http://postgrey",
	 "greylisted"},
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 451,
	 {4, 7, 1},
	 "Greylisting in action, please come back later",
	 "greylisted"},
	{FAIL_REPLY, PHASE_RCPT, 0, 451, {4, 7, 1}, "Please try again later", "greylisted"},
	{FAIL_REPLY, PHASE_RCPT, 0, 450, {4, 2, 0}, "GREYLIST: come back in 00:05:00", "greylisted"},
	{FAIL_REPLY, PHASE_MAIL, 0, 451, {0, 0, 0}, "graylisted, try later", "greylisted"},
	/* the basic code wins: 550 with a 4.x.x enhanced code is permanent */
	{FAIL_REPLY, PHASE_RCPT, 0, 550, {4, 7, 1}, "Greylisted", "policy-reject"},
	/* policy, recipients, senders, transient */
	{FAIL_REPLY, PHASE_RCPT, 0, 554, {5, 7, 1}, "Relay access denied", "policy-reject"},
	{FAIL_REPLY,
	 PHASE_MAIL,
	 0,
	 530,
	 {5, 7, 0},
	 "Must issue a STARTTLS command first",
	 "policy-reject"},
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 550,
	 {5, 7, 26},
	 "Unauthenticated email is not accepted",
	 "policy-reject"},
	{FAIL_REPLY, PHASE_RCPT, 0, 550, {5, 1, 1}, "User unknown", "recipient-rejected"},
	{FAIL_REPLY, PHASE_RCPT, 0, 552, {5, 2, 2}, "Mailbox full", "recipient-rejected"},
	{FAIL_REPLY, PHASE_RCPT, 0, 550, {0, 0, 0}, "no such user", "recipient-rejected"},
	{FAIL_REPLY,
	 PHASE_MAIL,
	 0,
	 553,
	 {5, 1, 8},
	 "Sender address rejected: Domain not found",
	 "sender-rejected"},
	{FAIL_REPLY, PHASE_MAIL, 0, 451, {4, 3, 0}, "Temporary local problem", "temporary-failure"},
	{FAIL_REPLY, PHASE_RCPT, 0, 452, {4, 5, 3}, "Too many recipients", "temporary-failure"},
	/* "generated" holds "rate": not a rate limit */
	{FAIL_REPLY,
	 PHASE_RCPT,
	 0,
	 451,
	 {4, 7, 1},
	 "Recipient domain generated a temporary error",
	 "temporary-failure"},
	{FAIL_REPLY, PHASE_COMMAND, 0, 450, {4, 3, 0}, "busy", "temporary-failure"},
	{FAIL_REPLY, PHASE_EHLO, 0, 550, {5, 7, 1}, "Helo command rejected", "ehlo-rejected"},
	{FAIL_REPLY, PHASE_EHLO2, 0, 501, {0, 0, 0}, "syntax", "ehlo-rejected"},
	{FAIL_REPLY, PHASE_QUIT, 0, 500, {0, 0, 0}, "what", "quit-failed"},
	{FAIL_REPLY, PHASE_COMMAND, 0, 502, {5, 5, 1}, "not implemented", "unexpected-reply"},
	/* protocol, expectations, internal, missing extensions */
	{FAIL_PROTOCOL, PHASE_GREETING, 0, 0, {0, 0, 0}, "SSH-2.0-OpenSSH_9.2", "protocol-error"},
	{FAIL_PROTOCOL, PHASE_EHLO, 0, 0, {0, 0, 0}, NULL, "protocol-error"},
	{FAIL_EXPECT, PHASE_GREETING, 0, 220, {0, 0, 0}, "mx ESMTP", "expect-mismatch"},
	{FAIL_DNS, PHASE_DNS, ARES_ETIMEOUT, 0, {0, 0, 0}, NULL, "dns-timeout"},
	{FAIL_DNS, PHASE_DNS, ARES_EBADNAME, 0, {0, 0, 0}, NULL, "dns-bad-name"},
	{FAIL_INTERNAL, PHASE_CONNECT, ENOMEM, 0, {0, 0, 0}, NULL, "internal-error"},
	{FAIL_INTERNAL, PHASE_QUIT, 0, 0, {0, 0, 0}, NULL, "internal-error"},
	{FAIL_UNCLASSIFIED, PHASE_NONE, 0, 0, {0, 0, 0}, "queue file write error", "unclassified"},
	/* check_mail_queue: the queue itself could not be read, or not in time */
	{FAIL_QUEUE, PHASE_NONE, 0, 0, {0, 0, 0}, "no showq socket", "queue-unreadable"},
	{FAIL_QUEUE, PHASE_NONE, FAIL_QUEUE_TIMEOUT, 0, {0, 0, 0}, NULL, "queue-timeout"},
	{FAIL_LOG, PHASE_NONE, 0, 0, {0, 0, 0}, "no such file", "log-unreadable"},
	{FAIL_LOG, PHASE_NONE, FAIL_QUEUE_TIMEOUT, 0, {0, 0, 0}, NULL, "log-timeout"},
	{FAIL_MAX, PHASE_NONE, 0, 0, {0, 0, 0}, NULL, "internal-error"},
	{FAIL_REPLY, PHASE_MAX, 0, 250, {0, 0, 0}, NULL, "unexpected-reply"},
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* Build the failure record of one case. */
static void case_fail(const struct classify_case *c, struct fail *f)
{
	memset(f, 0, sizeof(*f));
	f->cls = c->cls;
	f->phase = c->phase;
	f->err = c->err;
	f->code = c->code;
	f->enh = c->enh;
	if (c->text != NULL)
		snprintf(f->text, sizeof(f->text), "%s", c->text);
}

START_TEST(test_classify_table)
{
	const struct classify_case *c = &cases[_i];
	const struct cause *got;
	struct fail f;

	case_fail(c, &f);
	got = classify(&f);
	ck_assert_msg(got != NULL, "row %d: got NULL, want %s", _i, c->want);
	ck_assert_msg(strcmp(got->name, c->want) == 0, "row %d (code %d \"%s\"): got %s, want %s",
		      _i, c->code, c->text ? c->text : "", got->name, c->want);
}
END_TEST

/* Every cause in cause_all() is produced by at least one row above. */
START_TEST(test_every_cause_tested)
{
	const struct cause *const *list;
	size_t n = cause_all(&list);

	ck_assert_msg(n >= 40, "got %zu causes, want at least 40", n);
	for (size_t i = 0; i < n; i++) {
		int found = 0;

		for (int j = 0; j < NCASES && !found; j++) {
			struct fail f;

			case_fail(&cases[j], &f);
			found = classify(&f) == list[i];
		}
		ck_assert_msg(found, "cause %s: got no test row producing it, want one",
			      list[i]->name);
	}
}
END_TEST

/* Names are unique, lowercase-with-dashes, hints present, states and flags sane. */
START_TEST(test_cause_list)
{
	const struct cause *const *list;
	size_t n = cause_all(&list);

	for (size_t i = 0; i < n; i++) {
		const struct cause *c = list[i];

		ck_assert_msg(c->hint != NULL && strlen(c->hint) > 10 && strlen(c->hint) < 160,
			      "cause %s: got hint length %zu, want 11..159", c->name,
			      c->hint ? strlen(c->hint) : 0);
		ck_assert_msg(strspn(c->name, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
				      strlen(c->name),
			      "cause %s: got bad characters in name", c->name);
		ck_assert_msg(c->state <= STATE_UNKNOWN, "cause %s: got state %d", c->name,
			      c->state);
		ck_assert_msg(cause_find(c->name) == c, "cause_find(%s): got another entry",
			      c->name);
	}
}
END_TEST

static const struct state_case {
	const char *name;
	enum state state;
	int timeout;
} state_cases[] = {
	{"ok", STATE_OK, 0},
	{"greylisted", STATE_WARNING, 0},
	{"cert-expiring", STATE_WARNING, 0},
	{"cert-expiry-critical", STATE_CRITICAL, 0},
	{"quit-failed", STATE_WARNING, 0},
	{"unexpected-reply", STATE_WARNING, 0},
	{"expect-mismatch", STATE_WARNING, 0},
	{"internal-error", STATE_UNKNOWN, 0},
	{"starttls-injection", STATE_CRITICAL, 0},
	{"server-busy", STATE_CRITICAL, 0},
	{"connect-timeout", STATE_CRITICAL, 1},
	{"greeting-timeout", STATE_CRITICAL, 1},
	{"tls-handshake-timeout", STATE_CRITICAL, 1},
	{"reply-timeout", STATE_CRITICAL, 1},
	{"dns-timeout", STATE_CRITICAL, 1},
	{"connection-dropped", STATE_CRITICAL, 0},
};

START_TEST(test_cause_states)
{
	const struct state_case *c = &state_cases[_i];
	const struct cause *got = cause_find(c->name);

	ck_assert_msg(got != NULL, "cause_find(%s): got NULL", c->name);
	ck_assert_msg(got->state == c->state, "%s: got state %d, want %d", c->name, got->state,
		      c->state);
	ck_assert_msg(got->timeout == c->timeout, "%s: got timeout %d, want %d", c->name,
		      got->timeout, c->timeout);
}
END_TEST

START_TEST(test_cause_find_unknown)
{
	ck_assert_msg(cause_find("no-such-cause") == NULL, "got a cause, want NULL");
	ck_assert_msg(cause_find(NULL) == NULL, "NULL name: got a cause, want NULL");
	ck_assert_msg(cause_find("") == NULL, "empty name: got a cause, want NULL");
}
END_TEST

/* The keyword search stays inside the record even without a terminating NUL. */
START_TEST(test_unterminated_text)
{
	struct fail f;
	const struct cause *got;

	memset(&f, 0, sizeof(f));
	f.cls = FAIL_REPLY;
	f.phase = PHASE_RCPT;
	f.code = 450;
	memset(f.text, 'x', sizeof(f.text));
	memcpy(f.text + sizeof(f.text) - 8, "greylist", 8);
	got = classify(&f);
	ck_assert_msg(strcmp(got->name, "greylisted") == 0, "got %s, want greylisted", got->name);
	ck_assert_msg(strcmp(classify(NULL)->name, "internal-error") == 0,
		      "NULL record: want internal-error");
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *classify_suite(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("classify");

	tcase_add_loop_test(tc, test_classify_table, 0, NCASES);
	tcase_add_test(tc, test_every_cause_tested);
	tcase_add_test(tc, test_cause_list);
	tcase_add_loop_test(tc, test_cause_states, 0, N(state_cases));
	tcase_add_test(tc, test_cause_find_unknown);
	tcase_add_test(tc, test_unterminated_text);
	suite_add_tcase(s, tc);
	return s;
}
