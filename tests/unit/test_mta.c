/*
 * test_mta.c - MTA delay reasons (Postfix, Exim) into the causes a probe
 * would name: each row a reason as the MTA writes it, the cause the one
 * classifier gives, the phase and the reply code kept.
 */
#include <check.h>
#include <string.h>
#include "mta/mta_reason.h"
#include "verdict/classify.h"

Suite *mta_suite(void);

static const struct mta_case {
	const char *reason;
	int known; /* mta_reason_parse's return */
	const char *cause;
	const char *phase;
	int code;
} cases[] = {
	/* Postfix smtp(8) */
	{"host mx.example.net[192.0.2.1] refused to talk to me: 421 4.4.2 mx.example.net "
	 "Connection dropped",
	 1, "server-busy", "greeting", 421},
	{"host mx.example.net[192.0.2.1] said: 421 4.7.0 Try again later, closing connection. "
	 "(in reply to EHLO command)",
	 1, "server-busy", "ehlo", 421},
	{"host gmail-smtp-in.l.google.com[192.0.2.2] said: 421-4.7.28 Our system has detected an "
	 "unusual rate of unsolicited mail (in reply to end of DATA command)",
	 1, "rate-limited", "data", 421},
	{"host mx.example.net[192.0.2.1] said: 450 4.7.1 <b@example.net>: Recipient address "
	 "rejected: Greylisted, see http://postgrey.schweikert.ch/ (in reply to RCPT TO command)",
	 1, "greylisted", "rcpt", 450},
	{"host mx.example.net[192.0.2.1] said: 451 4.7.1 Please try again later (in reply to "
	 "RCPT TO command)",
	 1, "greylisted", "rcpt", 451},
	{"host mx.example.net[192.0.2.1] said: 550 5.1.1 <nobody@example.net>: Recipient address "
	 "rejected: User unknown (in reply to RCPT TO command)",
	 1, "recipient-rejected", "rcpt", 550},
	{"host mx.example.net[192.0.2.1] said: 452 4.3.1 Insufficient system storage (in reply "
	 "to MAIL FROM command)",
	 1, "temporary-failure", "mail", 452},
	{"conversation with mx.example.net[192.0.2.1] timed out while receiving the initial "
	 "server greeting",
	 1, "greeting-timeout", "greeting", 0},
	{"conversation with mx.example.net[192.0.2.1] timed out while sending RCPT TO", 1,
	 "reply-timeout", "rcpt", 0},
	{"lost connection with mx.example.net[192.0.2.1] while receiving the initial server "
	 "greeting",
	 1, "connection-dropped", "greeting", 0},
	{"lost connection with mx.example.net[192.0.2.1] while performing the EHLO handshake", 1,
	 "connection-dropped", "ehlo", 0},
	{"connect to mx.example.net[192.0.2.1]:25: Connection refused", 1, "connect-refused",
	 "connect", 0},
	{"connect to mx.example.net[192.0.2.1]:25: Connection timed out", 1, "connect-timeout",
	 "connect", 0},
	{"connect to mx.example.net[2001:db8::1]:25: Network is unreachable", 1,
	 "network-unreachable", "connect", 0},
	{"connect to mx.example.net[192.0.2.1]:25: No route to host", 1, "network-unreachable",
	 "connect", 0},
	{"delivery temporarily suspended: connect to mx.example.net[192.0.2.1]:25: Connection "
	 "refused",
	 1, "connect-refused", "connect", 0},
	{"Cannot start TLS: handshake failure", 1, "tls-handshake-failed", "tls", 0},
	{"delivery temporarily suspended: Cannot start TLS: handshake failure", 1,
	 "tls-handshake-failed", "tls", 0},
	{"TLS is required, but was not offered by host mx.example.net[192.0.2.1]", 1,
	 "starttls-not-offered", "starttls", 0},
	{"Server certificate not trusted", 1, "cert-untrusted", "tls", 0},
	{"Host or domain name not found. Name service error for name=example.invalid type=MX: "
	 "Host not found",
	 1, "dns-nxdomain", "dns", 0},
	{"Host or domain name not found. Name service error for name=example.net type=MX: Host "
	 "not found, try again",
	 1, "dns-failure", "dns", 0},
	/* Exim */
	{"SMTP error from remote mail server after RCPT TO:<b@example.net>: 450 4.7.1 "
	 "Greylisted, please try again later",
	 1, "greylisted", "rcpt", 450},
	{"defer (-44): SMTP error from remote mail server after pipelined MAIL FROM:<a@example.org> "
	 "SIZE=1234: 421 4.7.0 Too many messages, slow down",
	 1, "rate-limited", "mail", 421},
	{"SMTP error from remote mail server after initial connection: 421 4.4.2 Connection "
	 "dropped",
	 1, "server-busy", "greeting", 421},
	{"SMTP error from remote mail server after end of data: 550 5.7.1 Message rejected as "
	 "spam",
	 1, "policy-reject", "data", 550},
	{"defer (111): Connection refused", 1, "connect-refused", "connect", 0},
	{"defer (110): Connection timed out", 1, "connect-timeout", "connect", 0},
	{"defer (-18): Remote host closed connection in response to initial connection", 1,
	 "connection-dropped", "greeting", 0},
	{"SMTP timeout after initial connection: Connection timed out", 1, "greeting-timeout",
	 "greeting", 0},
	{"TLS error on connection to mx.example.net [192.0.2.1] (SSL_connect): error:0A000410:SSL "
	 "routines::sslv3 alert handshake failure",
	 1, "tls-handshake-failed", "tls", 0},
	{"TLS session: (SSL_connect): timed out", 1, "tls-handshake-timeout", "tls", 0},
	/* a bare reply or system message */
	{"421 4.7.0 Temporary System Problem", 1, "server-busy", "none", 421},
	/* a bare reply with Postfix's tail: the phase it names */
	{"550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown (in reply to "
	 "RCPT TO command)",
	 1, "recipient-rejected", "rcpt", 550},
	{"553 5.1.8 Sender address rejected (in reply to MAIL FROM command)", 1, "sender-rejected",
	 "mail", 553},
	{"(in reply to RCPT TO command)", 0, "unclassified", "none", 0},
	/* never guessed */
	{"defer (-53): retry time not reached for any host", 0, "unclassified", "none", 0},
	{"mail for example.net loops back to myself", 0, "unclassified", "none", 0},
	{"", 0, "unclassified", "none", 0},
	{"host x said: ", 0, "unclassified", "none", 0},
	{"SMTP error from remote mail server after RCPT TO:<a@b>: no code here", 0, "unclassified",
	 "none", 0},
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

START_TEST(test_mta_reason_table)
{
	const struct mta_case *c = &cases[_i];
	struct fail f;
	int known = mta_reason_parse(c->reason, strlen(c->reason), &f);
	const char *cause = classify(&f)->name;

	ck_assert_msg(known == c->known, "'%s': got known %d, want %d", c->reason, known, c->known);
	ck_assert_msg(strcmp(cause, c->cause) == 0, "'%s': got cause %s, want %s", c->reason, cause,
		      c->cause);
	ck_assert_msg(strcmp(phase_name(f.phase), c->phase) == 0, "'%s': got phase %s, want %s",
		      c->reason, phase_name(f.phase), c->phase);
	ck_assert_msg(f.code == c->code, "'%s': got code %d, want %d", c->reason, f.code, c->code);
}
END_TEST

/* The reply text is kept without Postfix's "(in reply to ...)"; an unknown reason whole. */
START_TEST(test_mta_reason_text)
{
	static const char said[] = "host mx[192.0.2.1] said: 450 4.2.0 Mailbox busy (in reply to "
				   "RCPT TO command)";
	static const char odd[] = "something new";
	struct fail f;

	mta_reason_parse(said, sizeof(said) - 1, &f);
	ck_assert_str_eq(f.text, "450 4.2.0 Mailbox busy");
	ck_assert_int_eq(f.enh.cls, 4);
	ck_assert_int_eq(f.enh.detail, 0);
	mta_reason_parse(odd, sizeof(odd) - 1, &f);
	ck_assert_str_eq(f.text, odd);
	ck_assert_int_eq(f.cls, FAIL_UNCLASSIFIED);
}
END_TEST

/* Bounded by len: bytes past it are never read, NUL bytes inside are data. */
START_TEST(test_mta_reason_bounds)
{
	static const char cut[] = "connect to mx[192.0.2.1]:25: Connection refused";
	char big[4096];
	struct fail f;

	ck_assert_int_eq(mta_reason_parse(cut, 29, &f), 0);
	memset(big, 'x', sizeof(big));
	memcpy(big, "421 ", 4);
	ck_assert_int_eq(mta_reason_parse(big, sizeof(big), &f), 1);
	ck_assert_uint_eq(strlen(f.text), sizeof(f.text) - 1);
	ck_assert_int_eq(mta_reason_parse(NULL, 10, &f), 0);
}
END_TEST

Suite *mta_suite(void)
{
	Suite *s = suite_create("mta");
	TCase *tc = tcase_create("reason");

	tcase_add_loop_test(tc, test_mta_reason_table, 0, NCASES);
	tcase_add_test(tc, test_mta_reason_text);
	tcase_add_test(tc, test_mta_reason_bounds);
	suite_add_tcase(s, tc);
	return s;
}
