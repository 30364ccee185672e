/*
 * classify.c - the failure policy of the project, as one table.
 *
 * Mechanism code records what happened (struct fail); the rules below are
 * matched in order and the first match names the cause: a stable name, a
 * hint saying what it means and what to check next, a default Nagios state
 * and whether it is a timeout. No other module decides what a reply code
 * or an errno means.
 *
 * Principles (see the mailpath standards reference, §1 to §3 and §7):
 * - decide by the basic reply code first (RFC 5321 §4.2); the enhanced code
 *   (RFC 3463) refines it, and when its class disagrees with the basic code
 *   the basic code wins (a "550 4.7.1" is matched as 5.7.1);
 * - server text is only used to tag well-known deferrals (rate limits,
 *   greylisting), with a case-insensitive ASCII search bounded by the record;
 * - a drop or a timeout is transient and reported apart from a reply.
 * Everything here is static and read-only.
 */
#include <ares.h>
#include <errno.h>
#include <openssl/sslerr.h>
#include <openssl/x509_vfy.h>
#include <string.h>
#include "verdict/classify.h"

/* The causes: identifier, name, default state, timeout flag, hint. */
/* One cause a row, the hints aligned by hand. */
/* clang-format off */
#define CAUSES(X)                                                                                  \
	X(OK, "ok", STATE_OK, 0, "the probe succeeded")                                            \
	X(DNS_NXDOMAIN, "dns-nxdomain", STATE_CRITICAL, 0,                                         \
	  "no such host: the name has no address records; check the host name and its DNS "        \
	  "zone")                                                                                  \
	X(DNS_FAILURE, "dns-failure", STATE_CRITICAL, 0,                                           \
	  "the resolver failed (SERVFAIL or refused); check the resolver and the zone's "          \
	  "name servers")                                                                          \
	X(DNS_BAD_NAME, "dns-bad-name", STATE_CRITICAL, 0,                                         \
	  "the name is not a valid host name (a blank, '=' or a quote in it): the resolver "       \
	  "library will not look it up; fix the record that names it")                            \
	X(DNS_TIMEOUT, "dns-timeout", STATE_CRITICAL, 1,                                           \
	  "no DNS answer in time: the resolver or the zone's name servers do not respond; "        \
	  "check the resolver")                                                                    \
	X(CONNECT_REFUSED, "connect-refused", STATE_CRITICAL, 0,                                   \
	  "connection refused: nothing listens on the port; check that the SMTP service runs "     \
	  "and the port is right")                                                                 \
	X(CONNECT_TIMEOUT, "connect-timeout", STATE_CRITICAL, 1,                                   \
	  "no answer to the TCP connect: filtered by a firewall, port 25 blocked by the "          \
	  "provider, or the host is down")                                                         \
	X(NETWORK_UNREACHABLE, "network-unreachable", STATE_CRITICAL, 0,                           \
	  "no route to the host or network; check routing, the address family (IPv6?) and "        \
	  "local interfaces")                                                                      \
	X(CONNECT_FAILED, "connect-failed", STATE_CRITICAL, 0,                                     \
	  "the TCP connect failed locally (e.g. permission denied by a local firewall or "         \
	  "route); see the detail")                                                                \
	X(GREETING_TIMEOUT, "greeting-timeout", STATE_CRITICAL, 1,                                 \
	  "connected but no 220 greeting in time: server overloaded, tarpitting or a "             \
	  "postscreen-style pregreet delay")                                                       \
	X(IMPLICIT_TLS_PORT, "implicit-tls-port", STATE_CRITICAL, 1,                               \
	  "connected, but not one byte of greeting came (STARTTLS wanted): this port expects "     \
	  "TLS first (implicit TLS, 465): use -s; else the server stalls")                         \
	X(SERVER_BUSY, "server-busy", STATE_CRITICAL, 0,                                           \
	  "421: the server is busy or shutting down and closed the session; check its load "       \
	  "and connection limits")                                                                 \
	X(SERVICE_UNAVAILABLE, "service-unavailable", STATE_CRITICAL, 0,                           \
	  "5xx greeting: no SMTP service here, or this client is rejected (blocklist, "            \
	  "access list)")                                                                          \
	X(CONNECTION_DROPPED, "connection-dropped", STATE_CRITICAL, 0,                             \
	  "the server closed the connection without a reply; check its logs, connection "          \
	  "limits and any middlebox")                                                              \
	X(DROPPED_AFTER_STARTTLS, "dropped-after-starttls", STATE_CRITICAL, 0,                     \
	  "the connection dropped during the TLS handshake after STARTTLS: broken TLS stack "      \
	  "on the server or a middlebox (SMTP inspection)")                                        \
	X(TLS_HANDSHAKE_FAILED, "tls-handshake-failed", STATE_CRITICAL, 0,                         \
	  "the TLS handshake failed: protocol version or cipher mismatch, or bad server "          \
	  "key/certificate setup")                                                                 \
	X(PLAINTEXT_PORT, "plaintext-port", STATE_CRITICAL, 0,                                     \
	  "the server did not answer the TLS ClientHello in TLS (wrong version number), e.g. "     \
	  "with a cleartext 220 greeting: this port speaks plaintext SMTP: use -S")                \
	X(TLS_HANDSHAKE_TIMEOUT, "tls-handshake-timeout", STATE_CRITICAL, 1,                       \
	  "the TLS handshake did not finish in time: overloaded server or a middlebox "            \
	  "holding the handshake")                                                                 \
	X(TLS_CLIENT_CERT_REQUIRED, "tls-client-cert-required", STATE_CRITICAL, 0,                 \
	  "the server requires a TLS client certificate (alert 116, certificate required) and "    \
	  "the probe has none; check the server's client-certificate policy")                      \
	X(TLS_SESSION_FAILED, "tls-session-failed", STATE_CRITICAL, 0,                             \
	  "TLS failed after the handshake: the server sent an alert or a corrupt record; see "     \
	  "OpenSSL's reason in the detail and the server's TLS logs")                              \
	X(CERT_EXPIRED, "cert-expired", STATE_CRITICAL, 0,                                         \
	  "the server certificate has expired or is not yet valid; renew it and check the "        \
	  "clocks")                                                                                \
	X(CERT_UNTRUSTED, "cert-untrusted", STATE_CRITICAL, 0,                                     \
	  "the certificate chain does not lead to a trusted CA: self-signed, or the server "       \
	  "does not send its intermediates")                                                       \
	X(CERT_NAME_MISMATCH, "cert-name-mismatch", STATE_CRITICAL, 0,                             \
	  "the certificate does not name this host; check the name probed and the "                \
	  "certificate's subjectAltName")                                                          \
	X(CERT_INVALID, "cert-invalid", STATE_CRITICAL, 0,                                         \
	  "the certificate failed verification; see the detail for the reason")                    \
	X(CERT_EXPIRY_CRITICAL, "cert-expiry-critical", STATE_CRITICAL, 0,                         \
	  "the certificate expires within the critical limit (-D W,C); renew it now")              \
	X(CERT_EXPIRING, "cert-expiring", STATE_WARNING, 0,                                        \
	  "the certificate expires soon; renew it and check that automatic renewal works")         \
	X(STARTTLS_NOT_OFFERED, "starttls-not-offered", STATE_CRITICAL, 0,                         \
	  "the EHLO reply does not offer STARTTLS; check the server's TLS settings, or a "         \
	  "middlebox stripping it")                                                                \
	X(STARTTLS_UNAVAILABLE, "starttls-unavailable", STATE_CRITICAL, 0,                         \
	  "STARTTLS was refused (e.g. 454): TLS is offered but broken; check the server's "        \
	  "key, certificate files and TLS logs")                                                   \
	X(STARTTLS_INJECTION, "starttls-injection", STATE_CRITICAL, 0,                             \
	  "the server answered plaintext sent after STARTTLS: it is open to command "              \
	  "injection (CVE-2011-0411 family); upgrade it")                                          \
	X(AUTH_FAILED, "auth-failed", STATE_CRITICAL, 0,                                           \
	  "authentication failed (535 5.7.8): wrong user or password, or the account is "          \
	  "locked")                                                                                \
	X(AUTH_TEMPORARY, "auth-temporary", STATE_CRITICAL, 0,                                     \
	  "temporary authentication failure (4xx, e.g. 454/432): the server's auth backend is "    \
	  "down or needs a password change; retry later")                                          \
	X(AUTH_NOT_OFFERED, "auth-not-offered", STATE_CRITICAL, 0,                                 \
	  "the wanted AUTH mechanism is not offered; many servers offer AUTH only after "          \
	  "STARTTLS")                                                                              \
	X(AUTH_REJECTED, "auth-rejected", STATE_CRITICAL, 0,                                       \
	  "AUTH was refused (mechanism too weak, encryption required or unknown); check the "      \
	  "mechanism and TLS")                                                                     \
	X(RATE_LIMITED, "rate-limited", STATE_CRITICAL, 0,                                         \
	  "the receiver throttles this client (rate, volume or reputation); lower the rate "       \
	  "and check the sending IP's reputation")                                                 \
	X(GREYLISTED, "greylisted", STATE_WARNING, 0,                                              \
	  "greylisted: the receiver defers unknown senders once; exempt the probe or retry "       \
	  "after the delay")                                                                       \
	X(POLICY_REJECT, "policy-reject", STATE_CRITICAL, 0,                                       \
	  "rejected by policy (5.7.x): blocklist, relay denied, TLS or authentication "            \
	  "required; read the reply text")                                                         \
	X(RECIPIENT_REJECTED, "recipient-rejected", STATE_CRITICAL, 0,                             \
	  "the recipient was refused (e.g. 5.1.1 user unknown); check the address and the "        \
	  "server's recipient tables")                                                             \
	X(SENDER_REJECTED, "sender-rejected", STATE_CRITICAL, 0,                                   \
	  "the sender address was refused; check the MAIL FROM address and sender policy")         \
	X(TEMPORARY_FAILURE, "temporary-failure", STATE_CRITICAL, 0,                               \
	  "the server deferred the command (4xx); check its logs for the local problem")           \
	X(EHLO_REJECTED, "ehlo-rejected", STATE_CRITICAL, 0,                                       \
	  "EHLO was refused; check the HELO name policy and the server's client "                  \
	  "restrictions")                                                                          \
	X(REPLY_TIMEOUT, "reply-timeout", STATE_CRITICAL, 1,                                       \
	  "the server did not answer a command in time: overload, slow DNS or policy checks "      \
	  "on the server")                                                                         \
	X(PLAINTEXT_AUTH, "plaintext-auth", STATE_WARNING, 0,                                      \
	  "AUTH PLAIN/LOGIN worked, but the password crossed the network unencrypted; use -S "    \
	  "or -s (or --allow-plaintext-auth on a trusted link)")                                   \
	X(TLS_PROTOCOL_TOO_OLD, "tls-protocol-too-old", STATE_CRITICAL, 0,                       \
	  "the server negotiates a protocol below --min-tls (TLS 1.0/1.1 are deprecated, RFC "     \
	  "8996); enable TLS 1.2 and 1.3 on it")                                                   \
	X(TLS_OLD_PROTOCOL_ACCEPTED, "tls-old-protocol-accepted", STATE_WARNING, 0,              \
	  "the server still accepts a protocol below --min-tls when a client offers only that; "   \
	  "disable TLS 1.0/1.1 unless old clients need them")                                      \
	X(TLS_WEAK_CIPHER, "tls-weak-cipher", STATE_CRITICAL, 0,                                 \
	  "the server chose a broken cipher suite (RC4, 3DES/DES, export, NULL or anonymous); "    \
	  "fix its cipher list")                                                                   \
	X(TLS_WEAK_KEY, "tls-weak-key", STATE_WARNING, 0,                                        \
	  "a certificate has an RSA key under 2048 bits; issue a new key and certificate")         \
	X(CERT_WEAK_SIGNATURE, "cert-weak-signature", STATE_WARNING, 0,                          \
	  "a certificate (not a root) is signed with SHA-1 or MD5, which clients refuse; "         \
	  "reissue it with SHA-256")                                                               \
	X(CERT_CHAIN_ORDER, "cert-chain-order", STATE_WARNING, 0,                                \
	  "a certificate the server sends is not issued by the next one: wrong order or a "        \
	  "stray certificate in the chain file (leaf first, then each issuer)")                    \
	X(OCSP_STAPLE_MISSING, "ocsp-staple-missing", STATE_WARNING, 0,                          \
	  "no OCSP response was stapled (--ocsp require); enable stapling on the server")         \
	X(OCSP_REVOKED, "ocsp-revoked", STATE_CRITICAL, 0,                                       \
	  "the stapled OCSP response says the certificate is revoked; replace it now")             \
	X(OCSP_STAPLE_BAD, "ocsp-staple-bad", STATE_WARNING, 0,                                  \
	  "the stapled OCSP response is unusable, says unknown, or is past its nextUpdate; check " \
	  "the server's stapling cache and its OCSP responder")                                    \
	X(QUIT_FAILED, "quit-failed", STATE_WARNING, 0,                                            \
	  "everything worked but QUIT did not get a clean 221")                                    \
	X(PROTOCOL_ERROR, "protocol-error", STATE_CRITICAL, 0,                                     \
	  "garbage, over-long or endless reply: not an SMTP server, or a broken one")              \
	X(UNEXPECTED_REPLY, "unexpected-reply", STATE_WARNING, 0,                                  \
	  "the server answered with an unexpected reply code; read the reply text")                \
	X(EXPECT_MISMATCH, "expect-mismatch", STATE_WARNING, 0,                                    \
	  "the reply did not contain the expected text (-e/-R)")                                   \
	X(NULL_MX, "null-mx", STATE_CRITICAL, 0,                                                   \
	  "the domain publishes a null MX (RFC 7505): it accepts no mail; use --expect-null-mx "   \
	  "if that is intended")                                                                   \
	X(NULL_MX_MIXED, "null-mx-mixed", STATE_CRITICAL, 0,                                       \
	  "a null MX is published together with other MX records (RFC 7505 §3 forbids it); "      \
	  "remove one of them")                                                                    \
	X(NULL_MX_MISSING, "null-mx-missing", STATE_CRITICAL, 0,                                   \
	  "a null MX was expected but the domain has mail exchangers or none at all")              \
	X(IMPLICIT_MX, "implicit-mx", STATE_WARNING, 0,                                            \
	  "the domain has no MX record: senders fall back to its A/AAAA (RFC 5321 §5.1); "        \
	  "publish an MX")                                                                         \
	X(MX_CNAME, "mx-cname", STATE_WARNING, 0,                                                  \
	  "the MX target is a CNAME (RFC 2181 §10.3 forbids it); point the MX at the canonical "  \
	  "name")                                                                                  \
	X(MX_IP_LITERAL, "mx-ip-literal", STATE_CRITICAL, 0,                                       \
	  "the MX target is an IP address, not a host name (RFC 5321 §5.1); senders look it up "  \
	  "as a name")                                                                             \
	X(MX_NXDOMAIN, "mx-nxdomain", STATE_CRITICAL, 0,                                           \
	  "the MX target name does not exist (NXDOMAIN); fix the MX record or add the host")       \
	X(MX_NO_ADDRESS, "mx-no-address", STATE_CRITICAL, 0,                                       \
	  "the MX target has no A or AAAA record; add its address records")                        \
	X(PTR_MISSING, "ptr-missing", STATE_WARNING, 0,                                            \
	  "the MX address has no PTR record; many receivers distrust such hosts")                  \
	X(FCRDNS_FAILED, "fcrdns-failed", STATE_WARNING, 0,                                        \
	  "forward-confirmed reverse DNS failed: no PTR name of the address resolves back to it")  \
	X(PRIMARY_MX_FAILED, "primary-mx-failed", STATE_CRITICAL, 0,                               \
	  "the most preferred MX does not work (--require-primary); mail goes to backups or "      \
	  "waits")                                                                                 \
	X(IPV6_UNREACHABLE, "ipv6-unreachable", STATE_CRITICAL, 0,                                 \
	  "no MX accepts mail over IPv6 (--require-ipv6); check the AAAA records and IPv6 "        \
	  "routing")                                                                               \
	X(UNCLASSIFIED, "unclassified", STATE_WARNING, 0,                                          \
	  "the MTA gave a reason the classifier does not know; read the reason text (and "         \
	  "report it, so that it gets a cause)")                                                   \
	X(QUEUE_UNREADABLE, "queue-unreadable", STATE_UNKNOWN, 0,                                  \
	  "the MTA's queue could not be read: check --postfix-config, that the MTA runs (its "   \
	  "showq service) and the permissions, or the --input file")                               \
	X(QUEUE_TIMEOUT, "queue-timeout", STATE_CRITICAL, 1,                                       \
	  "the MTA did not list its whole queue within -t: the MTA is overloaded or the queue "    \
	  "is huge; raise -t")                                                                     \
	X(LOG_UNREADABLE, "log-unreadable", STATE_UNKNOWN, 0,                                      \
	  "the MTA's log could not be read: check --logfile, that it is a regular file and the "  \
	  "permissions, and the --state-file's directory")                                        \
	X(LOG_TIMEOUT, "log-timeout", STATE_WARNING, 1,                                            \
	  "the log was not read to its end within -t: the next run goes on from where this one "  \
	  "stopped (with --state-file); raise -t")                                                 \
	X(DNSBL_LISTED, "dnsbl-listed", STATE_CRITICAL, 0,                                         \
	  "a blocklist lists the address or domain: mail from it is refused or filtered; read "    \
	  "the list's code and reason, fix the cause and ask for removal")                         \
	X(DNSBL_REFUSED, "dnsbl-refused", STATE_UNKNOWN, 0,                                        \
	  "the list refused to answer (127.255.255.x: public or open resolver, rate limit, no "    \
	  "access key); query it through your own resolver")                                       \
	X(DNSBL_BAD_ANSWER, "dnsbl-bad-answer", STATE_UNKNOWN, 0,                                  \
	  "the list's answer is no listing code (outside 127.0.0.0/8, or 127.0.0.1): the "         \
	  "resolver rewrites NXDOMAIN or the query was refused")                                   \
	X(DNSBL_DEAD, "dnsbl-dead", STATE_UNKNOWN, 0,                                              \
	  "the list does not list its RFC 5782 test point (127.0.0.2 / TEST): dead, renamed or "   \
	  "no blocklist; remove it")                                                               \
	X(DNSBL_LISTS_ALL, "dnsbl-lists-all", STATE_UNKNOWN, 0,                                    \
	  "the list lists its never-listed RFC 5782 test point (127.0.0.1 / INVALID): it lists "   \
	  "everything; remove it")                                                                 \
	X(INTERNAL_ERROR, "internal-error", STATE_UNKNOWN, 0,                                      \
	  "the probe itself failed (out of memory or a bug); see the detail")
/* clang-format on */

#define CAUSE_ENUM(id, name, state, timeout, hint) CAUSE_##id,
enum cause_id { CAUSES(CAUSE_ENUM) CAUSE_COUNT };

#define CAUSE_ROW(id, name, state, timeout, hint) {name, hint, state, timeout},
static const struct cause classify_causes[CAUSE_COUNT] = {CAUSES(CAUSE_ROW)};

#define CAUSE_PTR(id, name, state, timeout, hint) &classify_causes[CAUSE_##id],
static const struct cause *const classify_list[CAUSE_COUNT] = {CAUSES(CAUSE_PTR)};

#define ANY (-1)
#define PH(p) (1u << (p))
#define ERRS_MAX 10

/*
 * One rule. Unset (zero) fields match anything: phases 0 = any phase,
 * cls ANY, code range 0..0 = any code, enh.cls 0 = any enhanced code,
 * errs empty = any err, words NULL = no text condition. An enhanced
 * pattern matches only a record that has one; its subject and detail
 * use ANY as wildcard and detail is a range.
 */
struct rule {
	unsigned phases;
	int cls;
	int code_lo, code_hi;
	struct {
		int cls, subject, detail_lo, detail_hi;
	} enh;
	int errs[ERRS_MAX]; /* 0-terminated */
	const char *words;  /* '|'-separated, case-insensitive */
	enum cause_id cause;
};

/* Enhanced-code patterns of the rules below. */
/* clang-format off */
#define ENH(c, s, d) {c, s, d, d}
#define ENH_RANGE(c, s, lo, hi) {c, s, lo, hi}
#define ENH_SUBJ(c, s) {c, s, ANY, ANY}
/* clang-format on */

/* "rate" alone would match "separate", "generated"... */
#define RATE_WORDS                                                                                 \
	"rate limit|rate-limit|ratelimit|rate of|a rate|rate exceed|too many|slow down|"           \
	"throttl|limit|too fast|too quickly|unexpected volume|excessive volume|[ts0|[tss"
#define GREY_WORDS "greylist|grey-list|graylist|gray-list|grey list|gray list"
#define LATER_WORDS "try again later|come back later|come back in|try later|retry later"

/* The table, matched in order: specific rules before general ones. */
static const struct rule classify_rules[] = {
	{.cls = FAIL_NONE, .cause = CAUSE_OK},
	{.cls = FAIL_INTERNAL, .cause = CAUSE_INTERNAL_ERROR},
	{.cls = FAIL_UNCLASSIFIED, .cause = CAUSE_UNCLASSIFIED},
	{.cls = FAIL_QUEUE, .errs = {FAIL_QUEUE_TIMEOUT}, .cause = CAUSE_QUEUE_TIMEOUT},
	{.cls = FAIL_QUEUE, .cause = CAUSE_QUEUE_UNREADABLE},
	{.cls = FAIL_LOG, .errs = {FAIL_QUEUE_TIMEOUT}, .cause = CAUSE_LOG_TIMEOUT},
	{.cls = FAIL_LOG, .cause = CAUSE_LOG_UNREADABLE},
	/* blocklists (RFC 5782): a listing, or an answer that says nothing about the target */
	{.cls = FAIL_DNSBL, .errs = {FAIL_DNSBLERR_LISTED}, .cause = CAUSE_DNSBL_LISTED},
	{.cls = FAIL_DNSBL, .errs = {FAIL_DNSBLERR_REFUSED}, .cause = CAUSE_DNSBL_REFUSED},
	{.cls = FAIL_DNSBL, .errs = {FAIL_DNSBLERR_DEAD}, .cause = CAUSE_DNSBL_DEAD},
	{.cls = FAIL_DNSBL, .errs = {FAIL_DNSBLERR_LISTS_ALL}, .cause = CAUSE_DNSBL_LISTS_ALL},
	{.cls = FAIL_DNSBL, .cause = CAUSE_DNSBL_BAD_ANSWER},
	/* DNS: NXDOMAIN and NODATA both mean "no address for this name" */
	{.cls = FAIL_DNS, .errs = {ARES_ENOTFOUND, ARES_ENODATA}, .cause = CAUSE_DNS_NXDOMAIN},
	{.cls = FAIL_DNS, .errs = {ARES_ETIMEOUT}, .cause = CAUSE_DNS_TIMEOUT},
	/* c-ares 1.34 (Debian 13) refuses such names before sending a query */
	{.cls = FAIL_DNS, .errs = {ARES_EBADNAME}, .cause = CAUSE_DNS_BAD_NAME},
	{.cls = FAIL_DNS, .cause = CAUSE_DNS_FAILURE},
	{.cls = FAIL_TIMEOUT, .phases = PH(PHASE_DNS), .cause = CAUSE_DNS_TIMEOUT},
	/* the mail-exchanger set (check_mail_mx) */
	{.cls = FAIL_NULL_MX, .errs = {FAIL_MXERR_NULL_MIXED}, .cause = CAUSE_NULL_MX_MIXED},
	{.cls = FAIL_NULL_MX, .errs = {FAIL_MXERR_NULL_MISSING}, .cause = CAUSE_NULL_MX_MISSING},
	{.cls = FAIL_NULL_MX, .cause = CAUSE_NULL_MX},
	{.cls = FAIL_IMPLICIT_MX, .cause = CAUSE_IMPLICIT_MX},
	{.cls = FAIL_MX_TARGET, .errs = {FAIL_MXERR_CNAME}, .cause = CAUSE_MX_CNAME},
	{.cls = FAIL_MX_TARGET, .errs = {FAIL_MXERR_LITERAL}, .cause = CAUSE_MX_IP_LITERAL},
	{.cls = FAIL_MX_TARGET, .errs = {FAIL_MXERR_NXDOMAIN}, .cause = CAUSE_MX_NXDOMAIN},
	{.cls = FAIL_MX_TARGET, .cause = CAUSE_MX_NO_ADDRESS},
	{.cls = FAIL_RDNS, .errs = {FAIL_MXERR_FCRDNS}, .cause = CAUSE_FCRDNS_FAILED},
	{.cls = FAIL_RDNS, .cause = CAUSE_PTR_MISSING},
	{.cls = FAIL_REQUIRE, .errs = {FAIL_MXERR_IPV6}, .cause = CAUSE_IPV6_UNREACHABLE},
	{.cls = FAIL_REQUIRE, .cause = CAUSE_PRIMARY_MX_FAILED},
	/* TCP connect */
	{.cls = FAIL_CONNECT, .errs = {ECONNREFUSED}, .cause = CAUSE_CONNECT_REFUSED},
	{.cls = FAIL_CONNECT, .errs = {ETIMEDOUT}, .cause = CAUSE_CONNECT_TIMEOUT},
	{.cls = FAIL_TIMEOUT, .phases = PH(PHASE_CONNECT), .cause = CAUSE_CONNECT_TIMEOUT},
	{.cls = FAIL_CONNECT,
	 .errs = {ENETUNREACH, EHOSTUNREACH, ENETDOWN, EHOSTDOWN, EADDRNOTAVAIL, EAFNOSUPPORT},
	 .cause = CAUSE_NETWORK_UNREACHABLE},
	{.cls = FAIL_CONNECT, .cause = CAUSE_CONNECT_FAILED},
	/* whatever goes wrong at QUIT, the probe itself has succeeded */
	{.cls = ANY, .phases = PH(PHASE_QUIT), .cause = CAUSE_QUIT_FAILED},
	/* timeouts: the phase is the diagnosis (mailstandards §1.4) */
	{.cls = FAIL_TIMEOUT,
	 .phases = PH(PHASE_TLS_IMPLICIT) | PH(PHASE_TLS),
	 .cause = CAUSE_TLS_HANDSHAKE_TIMEOUT},
	/* the -S/-s mix-up: a port that waits for the client's ClientHello stays silent */
	{.cls = FAIL_TIMEOUT,
	 .phases = PH(PHASE_GREETING),
	 .errs = {FAIL_TIMEOUT_SILENT_STARTTLS},
	 .cause = CAUSE_IMPLICIT_TLS_PORT},
	{.cls = FAIL_TIMEOUT, .phases = PH(PHASE_GREETING), .cause = CAUSE_GREETING_TIMEOUT},
	{.cls = FAIL_TIMEOUT, .cause = CAUSE_REPLY_TIMEOUT},
	/* drops: after the STARTTLS 220 it is the TLS layer (mailstandards §1.3) */
	{.cls = FAIL_DROPPED, .phases = PH(PHASE_TLS), .cause = CAUSE_DROPPED_AFTER_STARTTLS},
	{.cls = FAIL_DROPPED,
	 .phases = PH(PHASE_STARTTLS),
	 .code_lo = 220,
	 .code_hi = 220,
	 .cause = CAUSE_DROPPED_AFTER_STARTTLS},
	{.cls = FAIL_DROPPED, .cause = CAUSE_CONNECTION_DROPPED},
	/* TLS and certificates */
	/*
	 * RFC 8446 §4.4.2.4: a TLS 1.3 server missing the client certificate it wants aborts
	 * with certificate_required, which the client reads once its own handshake is done
	 */
	{.cls = FAIL_TLS,
	 .errs = {SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED},
	 .cause = CAUSE_TLS_CLIENT_CERT_REQUIRED},
	/* the -s/-S mix-up: RFC 8314 §3 TLS first, but the server's first bytes are no TLS record */
	{.cls = FAIL_TLS,
	 .phases = PH(PHASE_TLS_IMPLICIT),
	 .errs = {SSL_R_WRONG_VERSION_NUMBER},
	 .cause = CAUSE_PLAINTEXT_PORT},
	{.cls = FAIL_TLS,
	 .phases = PH(PHASE_TLS_IMPLICIT) | PH(PHASE_TLS),
	 .cause = CAUSE_TLS_HANDSHAKE_FAILED},
	{.cls = FAIL_TLS, .cause = CAUSE_TLS_SESSION_FAILED},
	{.cls = FAIL_VERIFY,
	 .errs = {X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID},
	 .cause = CAUSE_CERT_EXPIRED},
	{.cls = FAIL_VERIFY,
	 .errs = {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
		  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
		  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
		  X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED,
		  X509_V_ERR_CERT_REJECTED, X509_V_ERR_INVALID_CA, X509_V_ERR_PATH_LENGTH_EXCEEDED},
	 .cause = CAUSE_CERT_UNTRUSTED},
	{.cls = FAIL_VERIFY,
	 .errs = {X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH},
	 .cause = CAUSE_CERT_NAME_MISMATCH},
	{.cls = FAIL_VERIFY, .cause = CAUSE_CERT_INVALID},
	{.cls = FAIL_CERT_DAYS, .errs = {FAIL_CERT_CRITICAL}, .cause = CAUSE_CERT_EXPIRY_CRITICAL},
	{.cls = FAIL_CERT_DAYS, .cause = CAUSE_CERT_EXPIRING},
	/* RFC 4616 §4, RFC 4954 §4: PLAIN (and LOGIN) need a protected channel */
	{.cls = FAIL_PLAINTEXT_AUTH, .cause = CAUSE_PLAINTEXT_AUTH},
	/* check_mail_tls's findings (common/tls/tls_policy.c) */
	{.cls = FAIL_TLS_POLICY,
	 .errs = {FAIL_TLSERR_PROTOCOL_OLD},
	 .cause = CAUSE_TLS_PROTOCOL_TOO_OLD},
	{.cls = FAIL_TLS_POLICY,
	 .errs = {FAIL_TLSERR_OLD_ACCEPTED},
	 .cause = CAUSE_TLS_OLD_PROTOCOL_ACCEPTED},
	{.cls = FAIL_TLS_POLICY, .errs = {FAIL_TLSERR_WEAK_CIPHER}, .cause = CAUSE_TLS_WEAK_CIPHER},
	{.cls = FAIL_TLS_POLICY, .errs = {FAIL_TLSERR_WEAK_KEY}, .cause = CAUSE_TLS_WEAK_KEY},
	{.cls = FAIL_TLS_POLICY,
	 .errs = {FAIL_TLSERR_WEAK_SIGNATURE},
	 .cause = CAUSE_CERT_WEAK_SIGNATURE},
	{.cls = FAIL_TLS_POLICY, .errs = {FAIL_TLSERR_CHAIN_ORDER}, .cause = CAUSE_CERT_CHAIN_ORDER},
	{.cls = FAIL_TLS_POLICY,
	 .errs = {FAIL_TLSERR_OCSP_MISSING},
	 .cause = CAUSE_OCSP_STAPLE_MISSING},
	{.cls = FAIL_TLS_POLICY, .errs = {FAIL_TLSERR_OCSP_REVOKED}, .cause = CAUSE_OCSP_REVOKED},
	{.cls = FAIL_TLS_POLICY, .cause = CAUSE_OCSP_STAPLE_BAD},
	/* RFC 3207 §5: nothing may be acted on before the TLS handshake */
	{.cls = FAIL_INJECTION, .cause = CAUSE_STARTTLS_INJECTION},
	{.cls = FAIL_MISSING, .phases = PH(PHASE_STARTTLS), .cause = CAUSE_STARTTLS_NOT_OFFERED},
	{.cls = FAIL_MISSING, .phases = PH(PHASE_AUTH), .cause = CAUSE_AUTH_NOT_OFFERED},
	{.cls = FAIL_MISSING, .cause = CAUSE_STARTTLS_NOT_OFFERED},
	{.cls = FAIL_PROTOCOL, .cause = CAUSE_PROTOCOL_ERROR},
	{.cls = FAIL_EXPECT, .cause = CAUSE_EXPECT_MISMATCH},
	/* rate limits and throttling (mailstandards §3.1 to §3.3): transient codes only */
	{.cls = FAIL_REPLY,
	 .code_lo = 400,
	 .code_hi = 499,
	 .enh = ENH(4, 7, 28),
	 .cause = CAUSE_RATE_LIMITED}, /* X.7.28 mail flood detected */
	{.cls = FAIL_REPLY,
	 .code_lo = 421,
	 .code_hi = 452,
	 .enh = ENH_SUBJ(4, 7),
	 .words = RATE_WORDS,
	 .cause = CAUSE_RATE_LIMITED},
	{.cls = FAIL_REPLY,
	 .code_lo = 421,
	 .code_hi = 452,
	 .enh = ENH_RANGE(4, 7, 500, 799),
	 .cause = CAUSE_RATE_LIMITED}, /* Microsoft EOP 4.7.500-4.7.7xx: IP throttling */
	{.cls = FAIL_REPLY,
	 .code_lo = 450,
	 .code_hi = 452,
	 .enh = ENH(4, 2, 1),
	 .words = "too fast|too quickly|a rate|limit",
	 .cause = CAUSE_RATE_LIMITED}, /* Gmail per-recipient rate */
	{.cls = FAIL_REPLY,
	 .code_lo = 421,
	 .code_hi = 452,
	 .enh = ENH_SUBJ(4, 3),
	 .words = "concurrent connections|too many connections|rate limit",
	 .cause = CAUSE_RATE_LIMITED}, /* Exchange 421 4.3.2 connection limits */
	{.cls = FAIL_REPLY,
	 .code_lo = 421,
	 .code_hi = 421,
	 .words = "too many connections|too many concurrent|connection limit|rate limit|rp-00|"
		  "too many sessions",
	 .cause = CAUSE_RATE_LIMITED}, /* no enhanced code: Exim, outlook.com RP-00x, Comcast */
	/* greylisting (mailstandards §3.4) */
	{.cls = FAIL_REPLY,
	 .code_lo = 450,
	 .code_hi = 451,
	 .words = GREY_WORDS,
	 .cause = CAUSE_GREYLISTED},
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_RCPT) | PH(PHASE_MAIL) | PH(PHASE_DATA) | PH(PHASE_COMMAND),
	 .code_lo = 450,
	 .code_hi = 451,
	 .words = LATER_WORDS,
	 .cause = CAUSE_GREYLISTED},
	/* 421: the server closes the session (RFC 5321 §3.8) */
	{.cls = FAIL_REPLY, .code_lo = 421, .code_hi = 421, .cause = CAUSE_SERVER_BUSY},
	/* the phase decides (RFC 5321 §4.3.2) */
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_GREETING),
	 .code_lo = 500,
	 .code_hi = 599,
	 .cause = CAUSE_SERVICE_UNAVAILABLE},
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_EHLO) | PH(PHASE_EHLO2),
	 .cause = CAUSE_EHLO_REJECTED},
	{.cls = FAIL_REPLY, .phases = PH(PHASE_STARTTLS), .cause = CAUSE_STARTTLS_UNAVAILABLE},
	/* AUTH replies (RFC 4954 §6): every 4yz is transient (RFC 5321 §4.2.1) */
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_AUTH),
	 .code_lo = 535,
	 .code_hi = 535,
	 .cause = CAUSE_AUTH_FAILED},
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_AUTH),
	 .code_lo = 500,
	 .code_hi = 599,
	 .enh = ENH(5, 7, 8),
	 .cause = CAUSE_AUTH_FAILED},
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_AUTH),
	 .code_lo = 400,
	 .code_hi = 499,
	 .cause = CAUSE_AUTH_TEMPORARY},
	{.cls = FAIL_REPLY, .phases = PH(PHASE_AUTH), .cause = CAUSE_AUTH_REJECTED},
	/* permanent policy (X.7.x) before the per-command rules */
	{.cls = FAIL_REPLY,
	 .code_lo = 500,
	 .code_hi = 599,
	 .enh = ENH_SUBJ(5, 7),
	 .cause = CAUSE_POLICY_REJECT},
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_RCPT),
	 .code_lo = 500,
	 .code_hi = 599,
	 .cause = CAUSE_RECIPIENT_REJECTED},
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_MAIL),
	 .code_lo = 500,
	 .code_hi = 599,
	 .cause = CAUSE_SENDER_REJECTED},
	{.cls = FAIL_REPLY,
	 .phases = PH(PHASE_MAIL) | PH(PHASE_RCPT) | PH(PHASE_DATA) | PH(PHASE_COMMAND),
	 .code_lo = 400,
	 .code_hi = 499,
	 .cause = CAUSE_TEMPORARY_FAILURE},
	/* check_smtp: a connect that works with a wrong reply is a WARNING */
	{.cls = FAIL_REPLY, .cause = CAUSE_UNEXPECTED_REPLY},
};
/* clang-format on */

/* ASCII lower case of c. */
static int classify_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* 1 when word (wlen bytes) occurs in text (tlen bytes), ignoring ASCII case. */
static int classify_has_word(const char *text, size_t tlen, const char *word, size_t wlen)
{
	if (wlen == 0 || wlen > tlen)
		return 0;
	for (size_t i = 0; i + wlen <= tlen; i++) {
		size_t j = 0;

		while (j < wlen && classify_lower((unsigned char)text[i + j]) ==
					   classify_lower((unsigned char)word[j]))
			j++;
		if (j == wlen)
			return 1;
	}
	return 0;
}

/* 1 when one of the '|'-separated words occurs in the record's text. */
static int classify_words(const struct fail *f, const char *words)
{
	size_t tlen = strnlen(f->text, sizeof(f->text));
	const char *w = words;

	while (*w != '\0') {
		size_t n = strcspn(w, "|");

		if (classify_has_word(f->text, tlen, w, n))
			return 1;
		w += n;
		if (*w == '|')
			w++;
	}
	return 0;
}

/* 1 when err is in the 0-terminated list (an empty list matches all). */
static int classify_err(const int *errs, int err)
{
	if (errs[0] == 0)
		return 1;
	for (size_t i = 0; i < ERRS_MAX && errs[i] != 0; i++)
		if (errs[i] == err)
			return 1;
	return 0;
}

/* 1 when the record's enhanced code matches the rule's pattern; the basic code sets the class. */
static int classify_enh(const struct rule *r, const struct fail *f)
{
	int cls = f->enh.cls;

	if (r->enh.cls == 0)
		return 1;
	if (f->enh.cls == 0)
		return 0;
	if (f->code >= 200 && f->code <= 599)
		cls = f->code / 100; /* mailstandards §2: the basic code wins */
	if (cls != r->enh.cls)
		return 0;
	if (r->enh.subject != ANY && r->enh.subject != f->enh.subject)
		return 0;
	if (r->enh.detail_lo != ANY &&
	    (f->enh.detail < r->enh.detail_lo || f->enh.detail > r->enh.detail_hi))
		return 0;
	return 1;
}

/* 1 when rule r matches record f. */
static int classify_match(const struct rule *r, const struct fail *f)
{
	if (r->cls != ANY && r->cls != (int)f->cls)
		return 0;
	if (r->phases != 0 && ((unsigned)f->phase >= PHASE_MAX || (r->phases & PH(f->phase)) == 0))
		return 0;
	if (r->code_lo != 0 && (f->code < r->code_lo || f->code > r->code_hi))
		return 0;
	if (!classify_err(r->errs, f->err) || !classify_enh(r, f))
		return 0;
	return r->words == NULL || classify_words(f, r->words);
}

/* The cause of a failure record; the "ok" cause when f->cls == FAIL_NONE. Never NULL. */
const struct cause *classify(const struct fail *f)
{
	if (f == NULL)
		return &classify_causes[CAUSE_INTERNAL_ERROR];
	for (size_t i = 0; i < sizeof(classify_rules) / sizeof(classify_rules[0]); i++)
		if (classify_match(&classify_rules[i], f))
			return &classify_causes[classify_rules[i].cause];
	return &classify_causes[CAUSE_INTERNAL_ERROR];
}

/* Look a cause up by name; NULL if unknown. */
const struct cause *cause_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < CAUSE_COUNT; i++)
		if (strcmp(classify_causes[i].name, name) == 0)
			return &classify_causes[i];
	return NULL;
}

/* Every cause, for documentation and tests: returns the count, *list the array. */
size_t cause_all(const struct cause *const **list)
{
	if (list != NULL)
		*list = classify_list;
	return CAUSE_COUNT;
}
