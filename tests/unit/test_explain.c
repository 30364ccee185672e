/*
 * test_explain.c - mailpath explain's engine (mta_explain) and the reply
 * knowledge base (verdict/kb): one sample reply per knowledge-base row
 * (the row it must match, and no earlier one), one representative text per
 * cause the classifier can reach from a reply, log line or reason (and the
 * list of those it cannot, which together must name every cause), the
 * code meanings, multi-line joining, log lines and hostile input.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "mta/mta_explain.h"
#include "verdict/kb.h"

Suite *explain_suite(void);

/* A sample reply of each row, in the order of the rows. */
static const struct kb_case {
	const char *provider;
	const char *reply;
} kb_cases[] = {
	{"Gmail", "421-4.7.28 [192.0.2.1] Gmail has detected an unusual rate of unsolicited mail "
		  "originating from your IP address."},
	{"Gmail", "421 4.7.0 Our system has detected an unusual rate of unsolicited mail "
		  "originating from your IP address."},
	{"Gmail", "421 4.7.0 TLS required for RCPT domain, closing connection."},
	{"Gmail", "421 4.7.0 IP not in whitelist for RCPT domain, closing connection."},
	{"Gmail", "421 4.4.5 Server busy, try again later."},
	{"Gmail", "421 4.3.0 Temporary System Problem. Try again later"},
	{"Gmail", "450 4.2.1 The user you are trying to contact is receiving mail too quickly."},
	{"Gmail", "450 4.2.1 The user you are trying to contact is receiving mail at a rate that "
		  "prevents additional messages from being delivered."},
	{"Gmail", "550-5.7.26 Unauthenticated email from example.org is not accepted due to "
		  "550-5.7.26 domain's DMARC policy. Please contact the administrator."},
	{"Gmail", "550 5.7.26 This message fails to pass SPF checks for an SPF record with a hard "
		  "fail policy (-all)."},
	{"Gmail", "550-5.7.26 This mail has been blocked because the sender is unauthenticated."},
	{"Gmail", "421-4.7.0 This message does not have authentication information or fails to "
		  "pass authentication checks."},
	{"Microsoft 365 / Outlook.com",
	 "550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this "
	 "list please visit https://sender.office.com/"},
	{"Microsoft 365 / Outlook.com",
	 "550 5.7.708 Access denied, traffic not accepted from this IP."},
	{"Microsoft 365 / Outlook.com",
	 "550 5.7.705 Access denied, tenant has exceeded threshold."},
	{"Microsoft 365 / Outlook.com",
	 "550 5.7.703 Your message can't be delivered because messages to b@example.net are "
	 "blocked by your organization using Tenant Allow Block List."},
	{"Microsoft 365 / Outlook.com",
	 "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your "
	 "Internet service provider since part of their network is on our block list (S3140)."},
	{"Microsoft 365 / Outlook.com",
	 "451 4.7.500 Server busy. Please try again later from [192.0.2.1]."},
	{"Microsoft 365 / Outlook.com",
	 "530 5.7.57 Client was not authenticated to send anonymous mail during MAIL FROM"},
	{"Microsoft 365 / Outlook.com",
	 "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded"},
	{"Yahoo / AOL", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to "
			"unexpected volume or user complaints - 4.16.55.1"},
	{"Yahoo / AOL", "421 4.7.0 [TS02] Messages from 192.0.2.1 temporarily deferred"},
	{"Yahoo / AOL", "421 Message from 192.0.2.1 temporarily deferred - 4.16.50"},
	{"Apple iCloud", "421 4.7.1 Messages to b@icloud.com deferred due to excessive volume. Try "
			 "again later - https://support.apple.com/en-us/HT204137"},
	{"Apple iCloud", "550 5.7.1 [CS01] Message rejected due to local policy."},
	{"Apple iCloud", "550 5.7.1 Your email was rejected due to having a domain present in the "
			 "Spamhaus DBL -- see https://www.spamhaus.org/dbl/"},
	{"Comcast", "554 resimta-ch2-18v.sys.comcast.net resimta-ch2-18v.sys.comcast.net "
		    "192.0.2.1 found on one or more RBLs (BL000001)"},
	{"Comcast", "554 192.0.2.1 found on one or more RBLs (BL000010)"},
	{"Comcast", "554 192.0.2.1 sending patterns characteristic of spam (BL000000)"},
	{"Comcast", "554 192.0.2.1 rejected: dynamic/residential space (ES000010)"},
	{"Comcast", "421 Too many sessions opened"},
	{"Comcast", "421 Reverse DNS failure : Try again later"},
	{"Mimecast", "550 Rejected by header based Anti-Spoofing policy: a@example.org"},
	{"Mimecast", "421 Sender address blocked"},
	{"Mimecast", "421 Unable to process connection at this time"},
	{"Mimecast", "451 Internal resource temporarily unavailable"},
	{"Proofpoint", "554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1"},
	{"Spamhaus (DNSBL)", "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
			     "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1"},
};

#define NKB (sizeof(kb_cases) / sizeof(kb_cases[0]))

/* Every row has a sample, and the rows are what the samples name. */
START_TEST(test_kb_rows_have_samples)
{
	const struct kb_entry *rows;

	ck_assert_msg(kb_all(&rows) == NKB, "kb has %zu rows, %zu samples", kb_all(NULL), NKB);
}
END_TEST

/* Sample i, through explain, finds row i with its provider, meaning and reference. */
START_TEST(test_kb_row)
{
	const struct kb_entry *rows;
	struct mta_explain *e = malloc(sizeof(*e));

	kb_all(&rows);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(mta_explain(kb_cases[_i].reply, strlen(kb_cases[_i].reply), 0, e), 0);
	ck_assert_msg(e->kb == &rows[_i], "sample %d (%s): got row %ld, want %d", _i,
		      kb_cases[_i].reply, e->kb != NULL ? (long)(e->kb - rows) : -1L, _i);
	ck_assert_str_eq(e->kb->provider, kb_cases[_i].provider);
	ck_assert_msg(strstr(e->kb->reference, "http") != NULL, "row %d: no URL in reference", _i);
	ck_assert_msg(strlen(e->kb->meaning) > 10 && strlen(e->kb->next) > 5, "row %d: empty", _i);
	ck_assert_str_ne(kb_kind_name(e->kb->kind), "unknown");
	free(e);
}
END_TEST

/* A row does not match a reply without its code, or without its marker. */
START_TEST(test_kb_negative)
{
	static const char tss[] = "[TSS04] temporarily deferred";
	const struct enh e470 = {4, 7, 0}, e471 = {4, 7, 1};

	ck_assert_ptr_nonnull(kb_match(421, &e470, tss, sizeof(tss) - 1));
	ck_assert_ptr_null(kb_match(450, &e470, tss, sizeof(tss) - 1));
	ck_assert_ptr_null(kb_match(421, &e471, tss, sizeof(tss) - 1));
	ck_assert_ptr_null(kb_match(421, &e470, "temporarily deferred", 20));
	ck_assert_ptr_null(kb_match(421, &e470, NULL, 0));
	/* two markers: the Spamhaus row wants both */
	ck_assert_ptr_null(kb_match(554, NULL, "see www.spamhaus.org", 20));
}
END_TEST

/* A representative text per cause reachable from text. */
static const struct cause_case {
	const char *cause;
	const char *text;
	const char *phase; /* NULL: none */
} cause_cases[] = {
	{"dns-nxdomain",
	 "Host or domain name not found. Name service error for name=nx.example "
	 "type=MX: Host not found",
	 "dns"},
	{"dns-failure",
	 "Host or domain name not found. Name service error for name=x.example "
	 "type=MX: Host not found, try again",
	 "dns"},
	{"connect-refused", "connect to mx.example.net[192.0.2.1]:25: Connection refused",
	 "connect"},
	{"connect-timeout", "connect to mx.example.net[192.0.2.1]:25: Connection timed out",
	 "connect"},
	{"network-unreachable", "connect to mx.example.net[192.0.2.1]:25: No route to host",
	 "connect"},
	{"connect-failed", "connect to mx.example.net[192.0.2.1]:25: Permission denied", "connect"},
	{"greeting-timeout",
	 "conversation with mx.example.net[192.0.2.1] timed out while "
	 "receiving the initial server greeting",
	 "greeting"},
	{"server-busy", "421 4.4.2 mx.example.net Connection dropped", NULL},
	{"service-unavailable",
	 "host mx.example.net[192.0.2.1] refused to talk to me: 554 5.7.1 "
	 "no SMTP service here",
	 "greeting"},
	{"connection-dropped",
	 "lost connection with mx.example.net[192.0.2.1] while receiving "
	 "the initial server greeting",
	 "greeting"},
	{"dropped-after-starttls",
	 "lost connection with mx.example.net[192.0.2.1] while "
	 "performing the TLS handshake",
	 "tls"},
	{"tls-handshake-failed", "Cannot start TLS: handshake failure", "tls"},
	{"tls-handshake-timeout",
	 "SSL_connect error to mx.example.net[192.0.2.1]:25: Connection "
	 "timed out",
	 "tls"},
	{"cert-untrusted", "Server certificate not trusted", "tls"},
	{"starttls-not-offered",
	 "TLS is required, but was not offered by host "
	 "mx.example.net[192.0.2.1]",
	 "starttls"},
	{"starttls-unavailable",
	 "host mx.example.net[192.0.2.1] said: 454 4.7.0 TLS not "
	 "available due to local problem (in reply to STARTTLS command)",
	 "starttls"},
	{"auth-failed", "535 5.7.8 Error: authentication failed (in reply to AUTH command)",
	 "auth"},
	{"auth-temporary", "454 4.7.0 Temporary authentication failure (in reply to AUTH command)",
	 "auth"},
	{"auth-rejected", "504 5.5.4 Unrecognized authentication type (in reply to AUTH command)",
	 "auth"},
	{"rate-limited", "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail", NULL},
	{"greylisted",
	 "450 4.7.1 <b@example.net>: Recipient address rejected: Greylisted (in "
	 "reply to RCPT TO command)",
	 "rcpt"},
	{"policy-reject",
	 "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
	 "zen.spamhaus.org (in reply to RCPT TO command)",
	 "rcpt"},
	{"recipient-rejected",
	 "550 5.1.1 <nobody@example.net>: Recipient address rejected: User "
	 "unknown (in reply to RCPT TO command)",
	 "rcpt"},
	{"sender-rejected",
	 "553 5.1.8 <a@nx.example>: Sender address rejected: Domain not found "
	 "(in reply to MAIL FROM command)",
	 "mail"},
	{"temporary-failure",
	 "451 4.3.0 <b@example.net>: Temporary lookup failure (in reply to "
	 "RCPT TO command)",
	 "rcpt"},
	{"ehlo-rejected",
	 "501 5.5.2 <x>: Helo command rejected: Invalid name (in reply to EHLO "
	 "command)",
	 "ehlo"},
	{"reply-timeout",
	 "conversation with mx.example.net[192.0.2.1] timed out while sending "
	 "RCPT TO",
	 "rcpt"},
	{"quit-failed",
	 "host mx.example.net[192.0.2.1] said: 500 5.5.1 oops (in reply to QUIT "
	 "command)",
	 "quit"},
	{"unexpected-reply", "250 2.0.0 Ok", NULL},
	{"unclassified", "the moon is made of cheese", NULL},
};

#define NCAUSE (sizeof(cause_cases) / sizeof(cause_cases[0]))

/* Causes no text can carry: they come from our own probes, the DNS or the MTA's files. */
static const char *const unreachable[] = {
	"ok",
	"dns-bad-name",
	"dns-timeout",
	"implicit-tls-port",
	"plaintext-port",
	"tls-client-cert-required",
	"tls-session-failed",
	"cert-expired",
	"cert-name-mismatch",
	"cert-invalid",
	"cert-expiry-critical",
	"cert-expiring",
	"starttls-injection",
	"auth-not-offered",
	"plaintext-auth",
	"tls-protocol-too-old",
	"tls-old-protocol-accepted",
	"tls-weak-cipher",
	"tls-weak-key",
	"cert-weak-signature",
	"cert-chain-order",
	"ocsp-staple-missing",
	"ocsp-revoked",
	"ocsp-staple-bad",
	"protocol-error",
	"expect-mismatch",
	"null-mx",
	"null-mx-mixed",
	"null-mx-missing",
	"implicit-mx",
	"mx-cname",
	"mx-ip-literal",
	"mx-nxdomain",
	"mx-no-address",
	"ptr-missing",
	"fcrdns-failed",
	"primary-mx-failed",
	"ipv6-unreachable",
	"queue-unreadable",
	"queue-timeout",
	"log-unreadable",
	"log-timeout",
	"internal-error",
	/* check_mail_dnsbl's verdicts on a list's answer, not reply text */
	"dnsbl-listed",
	"dnsbl-refused",
	"dnsbl-bad-answer",
	"dnsbl-dead",
	"dnsbl-lists-all",
};

#define NUNREACH (sizeof(unreachable) / sizeof(unreachable[0]))

/* Text i explains to its cause and phase. */
START_TEST(test_cause_text)
{
	const struct cause_case *c = &cause_cases[_i];
	struct mta_explain *e = malloc(sizeof(*e));

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(mta_explain(c->text, strlen(c->text), 0, e), 0);
	ck_assert_msg(strcmp(e->cause->name, c->cause) == 0, "%s: got %s, want %s", c->text,
		      e->cause->name, c->cause);
	if (c->phase != NULL)
		ck_assert_msg(strcmp(phase_name(e->fail.phase), c->phase) == 0,
			      "%s: got phase %s, want %s", c->text, phase_name(e->fail.phase),
			      c->phase);
	else
		ck_assert_int_eq(e->fail.phase, PHASE_NONE);
	free(e);
}
END_TEST

/* Every cause of the classifier is in one of the two lists, and in one only. */
START_TEST(test_cause_coverage)
{
	const struct cause *const *list;
	size_t n = cause_all(&list);

	for (size_t i = 0; i < n; i++) {
		int seen = 0;

		for (size_t j = 0; j < NCAUSE; j++)
			seen += strcmp(cause_cases[j].cause, list[i]->name) == 0;
		for (size_t j = 0; j < NUNREACH; j++)
			seen += strcmp(unreachable[j], list[i]->name) == 0;
		ck_assert_msg(seen == 1, "cause %s: in %d lists, want 1", list[i]->name, seen);
	}
	ck_assert_uint_eq(NCAUSE + NUNREACH, n);
}
END_TEST

/* The meanings of the codes, and none for codes the tables do not have. */
START_TEST(test_meanings)
{
	static const char t1[] =
		"452 4.2.2 The email account that you tried to reach is over quota";
	static const char t2[] = "599 9.9.9 odd";
	struct mta_explain *e = malloc(sizeof(*e));

	ck_assert_ptr_nonnull(e);
	mta_explain(t1, sizeof(t1) - 1, 0, e);
	ck_assert_int_eq(e->fail.code, 452);
	ck_assert_ptr_nonnull(strstr(e->code_class, "transient"));
	ck_assert_ptr_nonnull(strstr(e->code_meaning, "storage"));
	ck_assert_ptr_nonnull(strstr(e->enh_class, "transient"));
	ck_assert_str_eq(e->enh_subject, "mailbox status");
	ck_assert_str_eq(e->enh_detail, "mailbox full");
	ck_assert_ptr_null(e->kb);
	mta_explain(t2, sizeof(t2) - 1, 0, e);
	ck_assert_int_eq(e->fail.code, 599);
	ck_assert_ptr_nonnull(strstr(e->code_class, "permanent"));
	ck_assert_ptr_null(e->code_meaning);
	free(e);
}
END_TEST

/* A multi-line reply, joined by blanks or newlines, is one reply without its prefixes. */
START_TEST(test_multiline)
{
	static const char t[] = "421-4.7.0 [TSS04] Messages from 192.0.2.1\r\n421-4.7.0 "
				"temporarily deferred\n421 4.7.0 due to user complaints";
	struct mta_explain *e = malloc(sizeof(*e));

	ck_assert_ptr_nonnull(e);
	mta_explain(t, sizeof(t) - 1, 0, e);
	ck_assert_int_eq(e->source, MTA_EXPLAIN_REPLY);
	ck_assert_int_eq(e->fail.code, 421);
	ck_assert_int_eq(e->fail.enh.detail, 0);
	ck_assert_msg(strstr(e->text, "421-") == NULL && strstr(e->text, "complaints") != NULL,
		      "joined: %s", e->text);
	ck_assert_msg(strstr(e->text, "192.0.2.1 temporarily") != NULL ||
			      strstr(e->text, "192.0.2.1  temporarily") != NULL,
		      "joined: %s", e->text);
	ck_assert_str_eq(e->kb->provider, "Yahoo / AOL");
	ck_assert_str_eq(e->cause->name, "rate-limited");
	free(e);
}
END_TEST

/* Postfix and Exim log lines: the reason of the deferral or bounce is explained. */
START_TEST(test_log_lines)
{
	static const char pf[] =
		"Dec  7 15:30:01 mx postfix/smtp[123]: 8C3611080C6: to=<a@example.com>, "
		"relay=mx.example.com[192.0.2.1]:25, delay=1, dsn=4.7.0, status=deferred (host "
		"mx.example.com[192.0.2.1] said: 421 4.7.0 [TSS04] Messages from 192.0.2.9 "
		"temporarily deferred (in reply to MAIL FROM command))";
	static const char ex[] =
		"2026-12-07 15:30:01 1vABCD-000ABC-12 ** b@example.net R=dnslookup T=remote_smtp "
		"H=mx.example.net [192.0.2.1]: SMTP error from remote mail server after RCPT "
		"TO:<b@example.net>: 550 5.1.1 User unknown";
	static const char sent[] =
		"Dec  7 15:30:01 mx postfix/smtp[123]: 8C3611080C6: to=<a@example.com>, "
		"relay=mx.example.com[192.0.2.1]:25, status=sent (250 2.0.0 Ok)";
	struct mta_explain *e = malloc(sizeof(*e));

	ck_assert_ptr_nonnull(e);
	mta_explain(pf, sizeof(pf) - 1, 1796657401LL, e);
	ck_assert_int_eq(e->source, MTA_EXPLAIN_LOG);
	ck_assert_str_eq(e->cause->name, "rate-limited");
	ck_assert_str_eq(phase_name(e->fail.phase), "mail");
	ck_assert_str_eq(e->kb->provider, "Yahoo / AOL");
	ck_assert_msg(strncmp(e->text + e->reason_off, "host mx.example.com", 19) == 0, "reason");
	mta_explain(ex, sizeof(ex) - 1, 1796657401LL, e);
	ck_assert_int_eq(e->source, MTA_EXPLAIN_LOG);
	ck_assert_str_eq(e->cause->name, "recipient-rejected");
	ck_assert_str_eq(phase_name(e->fail.phase), "rcpt");
	/* a delivery is no failure to explain: its text stays unclassified */
	mta_explain(sent, sizeof(sent) - 1, 1796657401LL, e);
	ck_assert_int_eq(e->source, MTA_EXPLAIN_UNKNOWN);
	ck_assert_str_eq(e->cause->name, "unclassified");
	free(e);
}
END_TEST

/* Hostile input: long, binary, NUL bytes, empty: bounded, terminated, no control bytes kept. */
START_TEST(test_hostile)
{
	size_t big = 100 * 1024;
	char *s = malloc(big);
	struct mta_explain *e = malloc(sizeof(*e));

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(e);
	for (size_t i = 0; i < big; i++)
		s[i] = (char)(i * 131 + 7);
	memcpy(s, "550 5.7.1 ", 10);
	ck_assert_int_eq(mta_explain(s, big, 0, e), 0);
	ck_assert_uint_le(strlen(e->text), sizeof(e->text) - 1);
	ck_assert_uint_gt(strlen(e->text),
			  sizeof(e->text) - 100); /* only trailing blanks dropped */
	ck_assert_uint_gt(e->ignored, big - sizeof(e->text));
	for (size_t i = 0; e->text[i] != '\0'; i++)
		ck_assert_msg((unsigned char)e->text[i] >= 0x20 && e->text[i] != 0x7f, "byte %zu",
			      i);
	ck_assert_int_eq(e->fail.code, 550);
	ck_assert_int_eq(mta_explain("", 0, 0, e), 0);
	ck_assert_str_eq(e->cause->name, "unclassified");
	ck_assert_int_eq(mta_explain(NULL, 5, 0, e), 0);
	ck_assert_str_eq(e->cause->name, "unclassified");
	ck_assert_int_eq(mta_explain("421", 3, 0, e), 0);
	ck_assert_int_eq(e->fail.code, 421);
	ck_assert_int_eq(e->source, MTA_EXPLAIN_REPLY);
	free(s);
	free(e);
}
END_TEST

Suite *explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_kb_rows_have_samples);
	tcase_add_loop_test(tc, test_kb_row, 0, (int)NKB);
	tcase_add_test(tc, test_kb_negative);
	tcase_add_loop_test(tc, test_cause_text, 0, (int)NCAUSE);
	tcase_add_test(tc, test_cause_coverage);
	tcase_add_test(tc, test_meanings);
	tcase_add_test(tc, test_multiline);
	tcase_add_test(tc, test_log_lines);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}
