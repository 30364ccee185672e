/*
 * test_mtalog.c - the MTA log model (Postfix and Exim lines into counts
 * per destination and cause, timestamps of every format) and the log
 * follower (resume, rotation by rename, copytruncate, an unfinished last
 * line, cut long lines, state files that are corrupt or for another log).
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "mta/mta_log.h"
#include "mta/mta_logfile.h"
#include "verdict/classify.h"

Suite *mtalog_suite(void);

/* Lines the lab's Postfix 3.7 wrote (maillog_file), one per outcome. */
static const char *const pf_lines[] = {
	"Dec 07 15:45:02 mail postfix/smtp[15195]: 8C3611080C6: to=<user@greeting-421.fault.test>, "
	"relay=127.0.0.1[127.0.0.1]:34502, delay=0.04, delays=0.01/0.03/0/0, dsn=4.4.2, "
	"status=deferred (host 127.0.0.1[127.0.0.1] refused to talk to me: 421 4.4.2 fault.lab.test "
	"Connection dropped)",
	"Dec 07 15:45:02 mail postfix/smtp[15195]: 8E7611080C4: to=<user@rate-limit.fault.test>, "
	"relay=127.0.0.1[127.0.0.1]:34520, delay=0.04, delays=0.01/0.04/0/0, dsn=4.7.0, "
	"status=deferred (host 127.0.0.1[127.0.0.1] said: 421 4.7.0 Too many connections, slow down "
	"(in reply to MAIL FROM command))",
	"Dec 07 15:45:02 mail postfix/smtp[15200]: connect to 127.0.0.1[127.0.0.1]:1: Connection "
	"refused",
	"Dec 07 15:45:02 mail postfix/smtp[15200]: 97DEC1080D1: to=<user@Refused.Fault.Test>, "
	"relay=none, delay=0.01, delays=0.01/0/0/0, dsn=4.4.1, status=deferred (connect to "
	"127.0.0.1[127.0.0.1]:1: Connection refused)",
	"Dec 07 15:45:02 mail postfix/smtp[15200]: SSL_connect error to 127.0.0.1[127.0.0.1]:34516: "
	"lost connection",
	"Dec 07 15:45:02 mail postfix/smtp[15200]: A29841080DE: to=<user@healthy.fault.test>, "
	"relay=127.0.0.1[127.0.0.1]:34501, delay=0.01, delays=0/0/0/0, dsn=2.0.0, status=sent (250 "
	"2.0.0 Ok: queued as FS1)",
	"Dec 07 15:45:02 mail postfix/smtp[15200]: A55141080DE: to=<user@mail-553.fault.test>, "
	"relay=127.0.0.1[127.0.0.1]:34539, delay=0.01, delays=0/0.01/0/0, dsn=5.1.8, status=bounced "
	"(host 127.0.0.1[127.0.0.1] said: 553 5.1.8 <a@lab.test>: Sender address rejected: Domain "
	"not found (in reply to MAIL FROM command))",
	"Dec 07 15:45:05 mail postfix/smtp[15195]: 953861080CB: to=<user@greeting-stall.fault.test>, "
	"relay=127.0.0.1[127.0.0.1]:34504, delay=3, delays=0/0.01/3/0, dsn=4.4.2, status=deferred "
	"(conversation with 127.0.0.1[127.0.0.1] timed out while receiving the initial server "
	"greeting)",
	"Dec 07 15:45:02 mail postfix/smtpd[16104]: connect from localhost[127.0.0.1]",
	"Dec 07 15:45:02 mail postfix/qmgr[15100]: 8C3611080C6: from=<sender@lab.test>, size=300, "
	"nrcpt=1 (queue active)",
};

static enum mta_log_kind feed(struct mta_log *l, const char *line)
{
	return mta_log_line(l, line, strlen(line));
}

START_TEST(test_log_postfix_lines)
{
	struct mta_log l;
	static const enum mta_log_kind kinds[] = {
		MTA_LOG_DEFERRED, MTA_LOG_DEFERRED, MTA_LOG_HOSTERR, MTA_LOG_DEFERRED,
		MTA_LOG_HOSTERR,  MTA_LOG_SENT,     MTA_LOG_BOUNCED, MTA_LOG_DEFERRED,
		MTA_LOG_OTHER,    MTA_LOG_OTHER};
	const struct mta_log_dest *d;

	ck_assert_int_eq(mta_log_init(&l, MTA_LOG_AUTO, 1796650000), 0);
	for (size_t i = 0; i < sizeof(pf_lines) / sizeof(pf_lines[0]); i++)
		ck_assert_int_eq(feed(&l, pf_lines[i]), kinds[i]);
	ck_assert_uint_eq(l.sent, 1);
	ck_assert_uint_eq(l.deferred, 4);
	ck_assert_uint_eq(l.bounced, 1);
	ck_assert_uint_eq(l.hosterr, 2);
	ck_assert_uint_eq(l.deferred_messages, 4);
	d = mta_log_dest(&l, "greeting-421.fault.test");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->cause->name, "server-busy");
	ck_assert_int_eq(d->fail.code, 421);
	ck_assert_str_eq(mta_log_dest(&l, "rate-limit.fault.test")->cause->name, "rate-limited");
	ck_assert_str_eq(mta_log_dest(&l, "greeting-stall.fault.test")->cause->name,
			 "greeting-timeout");
	d = mta_log_dest(&l, "refused.fault.test"); /* lower case */
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->cause->name, "connect-refused");
	ck_assert_str_eq(d->reason, "connect to 127.0.0.1[127.0.0.1]:1: Connection refused");
	ck_assert_uint_eq(mta_log_dest(&l, "healthy.fault.test")->sent, 1);
	ck_assert_ptr_null(mta_log_dest(&l, "healthy.fault.test")->cause);
	ck_assert_uint_eq(mta_log_dest(&l, "mail-553.fault.test")->bounced, 1);
	ck_assert_uint_eq(l.host_cause[mta_cause_index(cause_find("connect-refused"))], 1);
	ck_assert_uint_eq(l.host_cause[mta_cause_index(cause_find("tls-handshake-failed"))], 1);
	ck_assert_uint_eq(l.cause_count[mta_cause_index(cause_find("server-busy"))], 1);
	ck_assert_int_eq(l.last_time - l.first_time, 3);
	mta_log_free(&l);
}
END_TEST

START_TEST(test_log_postfix_variants)
{
	struct mta_log l;

	ck_assert_int_eq(mta_log_init(&l, MTA_LOG_POSTFIX, 1796650000), 0);
	/* RFC 3339 stamp, a syslog_name of its own, a long queue id */
	ck_assert_int_eq(feed(&l, "2026-12-07T15:45:02.123456+01:00 mx1 postfix-out/smtp[99]: "
				  "4ZbF3k0w5Nz8XyQ: to=<a@gmail.com>, orig_to=<b@lab.test>, "
				  "relay=gmail-smtp-in.l.google.com[192.0.2.5]:25, delay=1, "
				  "dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com"
				  "[192.0.2.5] said: 421-4.7.28 Our system has detected an unusual "
				  "rate of unsolicited mail 421 4.7.28 (in reply to end of DATA "
				  "command))"),
			 MTA_LOG_DEFERRED);
	ck_assert_str_eq(mta_log_dest(&l, "gmail.com")->cause->name, "rate-limited");
	ck_assert_int_eq(l.first_time, 1796654702); /* 2026-12-07T14:45:02Z */
	/* the same queue id deferred again: two deferrals, one message */
	ck_assert_int_eq(feed(&l,
			      "Dec  7 15:46:02 mx1 postfix-out/smtp[99]: 4ZbF3k0w5Nz8XyQ: "
			      "to=<a@gmail.com>, relay=none, delay=60, dsn=4.4.1, "
			      "status=deferred (connect to x[192.0.2.5]:25: Connection timed out)"),
			 MTA_LOG_DEFERRED);
	ck_assert_uint_eq(l.deferred, 2);
	ck_assert_uint_eq(l.deferred_messages, 1);
	ck_assert_str_eq(mta_log_dest(&l, "gmail.com")->cause->name, "connect-timeout");
	ck_assert_uint_eq(mta_log_dest(&l, "gmail.com")
				  ->cause_count[mta_cause_index(cause_find("rate-limited"))],
			  1);
	/* expired is a bounce; address verification and unknown statuses count nothing */
	ck_assert_int_eq(feed(&l, "Dec  7 15:46:03 mx1 postfix/qmgr[7]: 1B2C3D4E5F: "
				  "to=<x@old.example>, relay=none, delay=432000, dsn=4.4.1, "
				  "status=expired, returned to sender"),
			 MTA_LOG_BOUNCED);
	ck_assert_int_eq(feed(&l, "Dec  7 15:46:03 mx1 postfix/smtp[7]: 1B2C3D4E5F: "
				  "to=<x@v.example>, relay=none, status=undeliverable (x)"),
			 MTA_LOG_OTHER);
	ck_assert_int_eq(feed(&l,
			      "Dec  7 15:46:04 mx1 postfix/smtpd[8]: NOQUEUE: reject: RCPT from "
			      "unknown[192.0.2.9]: 554 5.7.1 <x@lab.test>: Relay access denied"),
			 MTA_LOG_REJECTED);
	ck_assert_int_eq(feed(&l,
			      "Dec  7 15:46:05 mx1 postfix/smtp[7]: 1B2C3D4E5F: lost "
			      "connection with mx[192.0.2.1] while receiving the initial server "
			      "greeting"),
			 MTA_LOG_HOSTERR);
	/* a reason the classifier does not know keeps its text, unclassified */
	ck_assert_int_eq(
		feed(&l, "Dec  7 15:46:06 mx1 postfix/smtp[7]: 2B2C3D4E5F: to=<y@odd.example>, "
			 "relay=none, dsn=4.3.0, status=deferred (mail transport unavailable)"),
		MTA_LOG_DEFERRED);
	ck_assert_str_eq(mta_log_dest(&l, "odd.example")->cause->name, "unclassified");
	ck_assert_str_eq(mta_log_dest(&l, "odd.example")->reason, "mail transport unavailable");
	/* a TLS stall: the process's host error names the timeout its status does not */
	ck_assert_int_eq(feed(&l, "Dec 07 16:20:39 mail postfix/smtp[8603]: SSL_connect error to "
				  "127.0.0.1[127.0.0.1]:34515: Connection timed out"),
			 MTA_LOG_HOSTERR);
	ck_assert_int_eq(feed(&l,
			      "Dec 07 16:20:39 mail postfix/smtp[8603]: 01F841080B3: "
			      "to=<user@tls-stall.fault.test>, relay=127.0.0.1[127.0.0.1]:34515, "
			      "dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)"),
			 MTA_LOG_DEFERRED);
	ck_assert_str_eq(mta_log_dest(&l, "tls-stall.fault.test")->cause->name,
			 "tls-handshake-timeout");
	/* spent: the next TLS failure of that process is taken as it is written */
	ck_assert_int_eq(feed(&l,
			      "Dec 07 16:20:40 mail postfix/smtp[8603]: 01F841080B4: "
			      "to=<user@tls-drop.fault.test>, relay=127.0.0.1[127.0.0.1]:34516, "
			      "dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)"),
			 MTA_LOG_DEFERRED);
	ck_assert_str_eq(mta_log_dest(&l, "tls-drop.fault.test")->cause->name,
			 "tls-handshake-failed");
	/* --mta postfix: Exim lines are not read; garbage is nothing */
	ck_assert_int_eq(feed(&l, "2026-12-07 15:45:02 1vABCD-000ABC-12 => a@b.example R=r T=t"),
			 MTA_LOG_OTHER);
	ck_assert_int_eq(feed(&l, "Dec  7 15:46:06 mx1 postfix/smtp[7]: to=<"), MTA_LOG_OTHER);
	ck_assert_int_eq(feed(&l, "Dec  7 15:46:06 mx1 postfix/smtp[7]: ABCDEF1234: to=<a@b>, "
				  "status="),
			 MTA_LOG_OTHER);
	ck_assert_int_eq(feed(&l, "Dec 32 15:46:06 mx1 postfix/smtp[7]: x"), MTA_LOG_OTHER);
	ck_assert_int_eq(mta_log_line(&l, NULL, 0), MTA_LOG_OTHER);
	mta_log_free(&l);
}
END_TEST

START_TEST(test_log_exim_lines)
{
	struct mta_log l;

	ck_assert_int_eq(mta_log_init(&l, MTA_LOG_AUTO, 1796650000), 0);
	ck_assert_int_eq(feed(&l, "2026-12-07 15:45:02 1vABCD-000ABC-12 <= a@lab.test H=local "
				  "P=local S=300"),
			 MTA_LOG_OTHER);
	ck_assert_int_eq(feed(&l, "2026-12-07 15:45:02 1vABCD-000ABC-12 => user@ok.example "
				  "R=dnslookup T=remote_smtp H=mx.ok.example [192.0.2.1] "
				  "C=\"250 2.0.0 Ok\""),
			 MTA_LOG_SENT);
	/* Exim 4.97+ long message id, log_selector +pid, a deferral with its reason */
	ck_assert_int_eq(feed(&l,
			      "2026-12-07 15:45:03 [1234] 1vABCD-00000ABCDE-ABCD == "
			      "user@grey.example R=dnslookup T=remote_smtp defer (-44) "
			      "H=mx.grey.example [192.0.2.2]: SMTP error from remote mail server "
			      "after RCPT TO:<user@grey.example>: 450 4.2.0 Greylisted, try later"),
			 MTA_LOG_DEFERRED);
	ck_assert_str_eq(mta_log_dest(&l, "grey.example")->cause->name, "greylisted");
	ck_assert_int_eq(mta_log_dest(&l, "grey.example")->fail.phase, PHASE_RCPT);
	ck_assert_int_eq(feed(&l, "2026-12-07 15:45:04 1vABCE-000ABC-12 == user@down.example "
				  "R=dnslookup T=remote_smtp defer (111): Connection refused"),
			 MTA_LOG_DEFERRED);
	ck_assert_str_eq(mta_log_dest(&l, "down.example")->cause->name, "connect-refused");
	ck_assert_int_eq(
		feed(&l, "2026-12-07 15:45:05 +0100 1vABCF-000ABC-12 ** user@no.example "
			 "R=dnslookup T=remote_smtp H=mx [192.0.2.3]: SMTP error from remote "
			 "mail server after RCPT TO:<user@no.example>: 550 5.1.1 no such user"),
		MTA_LOG_BOUNCED);
	ck_assert_int_eq(mta_log_time("2026-12-07 15:45:05 +0100 1v", 28, 0, &(size_t){0}),
			 1796654705); /* log_timezone: 14:45:05Z */
	ck_assert_int_eq(feed(&l, "2026-12-07 15:45:06 H=(helo) [192.0.2.9] F=<a@b> rejected RCPT "
				  "<c@lab.test>: relay not permitted"),
			 MTA_LOG_REJECTED);
	ck_assert_int_eq(feed(&l, "2026-12-07 15:45:07 1vABCG-000ABC-12 TLS error on connection to "
				  "mx.t.example [192.0.2.4] (SSL_connect): timed out"),
			 MTA_LOG_HOSTERR);
	ck_assert_uint_eq(l.host_cause[mta_cause_index(cause_find("tls-handshake-timeout"))], 1);
	ck_assert_uint_eq(l.sent, 1);
	ck_assert_uint_eq(l.deferred, 2);
	ck_assert_uint_eq(l.deferred_messages, 2);
	ck_assert_uint_eq(l.bounced, 1);
	ck_assert_uint_eq(l.rejected, 1);
	/* malformed ids */
	ck_assert_int_eq(feed(&l, "2026-12-07 15:45:07 1vAB-000ABC-12 => a@b R=r"), MTA_LOG_OTHER);
	ck_assert_int_eq(feed(&l, "2026-12-07 15:45:07 1vABCD-000ABC-123456 => a@b R=r"),
			 MTA_LOG_OTHER);
	mta_log_free(&l);
}
END_TEST

START_TEST(test_log_time)
{
	size_t skip;
	struct tm tm = {0};
	long long local;

	/* classic stamps are local time without a year: the year of now, or the one before */
	tm.tm_year = 126;
	tm.tm_mon = 11;
	tm.tm_mday = 7;
	tm.tm_hour = 15;
	tm.tm_min = 45;
	tm.tm_sec = 2;
	tm.tm_isdst = -1;
	local = (long long)mktime(&tm);
	ck_assert_int_eq(mta_log_time("Dec  7 15:45:02 h p: x", 22, local + 10, &skip), local);
	ck_assert_uint_eq(skip, 16);
	ck_assert_int_eq(mta_log_time("Dec 07 15:45:02 h p: x", 22, local + 10, &skip), local);
	/* on 1 January, a stamp of 31 December is last year's */
	tm.tm_year = 125;
	tm.tm_mon = 11;
	tm.tm_mday = 31;
	tm.tm_hour = 23;
	tm.tm_min = 59;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	local = (long long)mktime(&tm);
	ck_assert_int_eq(mta_log_time("Dec 31 23:59:00 h", 17, local + 120, &skip), local);
	ck_assert_int_eq(mta_log_time("2026-12-07T15:45:02Z h", 22, 0, &skip), 1796658302);
	ck_assert_int_eq(mta_log_time("2026-12-07T15:45:02-05:00 h", 27, 0, &skip),
			 1796658302 + 5 * 3600);
	ck_assert_uint_eq(skip, 26);
	/* RFC 3339 without a zone, bad fields, cut stamps */
	ck_assert_int_eq(mta_log_time("2026-12-07T15:45:02 h", 21, 0, &skip), 0);
	ck_assert_int_eq(mta_log_time("2026-13-07 15:45:02 h", 21, 0, &skip), 0);
	ck_assert_int_eq(mta_log_time("Dec  7 25:45:02 h", 17, 0, &skip), 0);
	ck_assert_int_eq(mta_log_time("Dec  7 15:45", 12, 0, &skip), 0);
	ck_assert_int_eq(mta_log_time("Foo  7 15:45:02 h", 17, 0, &skip), 0);
	ck_assert_int_eq(mta_log_time("", 0, 0, &skip), 0);
}
END_TEST

START_TEST(test_log_dest_limit)
{
	struct mta_log l;
	char line[200];

	ck_assert_int_eq(mta_log_init(&l, MTA_LOG_AUTO, 1796650000), 0);
	for (int i = 0; i < MTA_LOG_DEST_MAX + 10; i++) {
		snprintf(line, sizeof(line),
			 "Dec  7 15:45:02 h postfix/smtp[1]: ABCDEF%05d: to=<u@d%d.example>, "
			 "relay=none, status=sent (ok)",
			 i, i);
		ck_assert_int_eq(feed(&l, line), MTA_LOG_SENT);
	}
	ck_assert_uint_eq(l.ndest, MTA_LOG_DEST_MAX);
	ck_assert_uint_eq(l.dest_dropped, 10);
	ck_assert_uint_eq(l.sent, MTA_LOG_DEST_MAX + 10);
	mta_log_free(&l);
}
END_TEST

/* The lines a scan handed on, joined by '|'. */
struct seen {
	char text[4096];
	size_t n;
	int lines;
	char last[64]; /* the last line, cut */
};

static void on_line(void *arg, const char *line, size_t len)
{
	struct seen *s = arg;

	s->lines++;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)(len < 63 ? len : 63), line);
	if (s->n + len + 1 < sizeof(s->text)) {
		memcpy(s->text + s->n, line, len);
		s->n += len;
		s->text[s->n++] = '|';
		s->text[s->n] = '\0';
	}
}

static char dir[64];

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text, const char *mode)
{
	char p[128];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, mode);
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Scan the log "maillog" from the state file "state" (if there), save it; the lines seen. */
static enum mta_logscan_how scan(struct seen *s)
{
	char log[128], st[128], err[256], why[300];
	struct mta_logscan sc;
	struct mta_logpos prev;
	int have, rc;
	enum mta_logscan_how how;

	path_of(log, sizeof(log), "maillog");
	path_of(st, sizeof(st), "state");
	memset(s, 0, sizeof(*s));
	have = mta_logpos_load(st, log, &prev, why, sizeof(why)) == 1;
	ck_assert_int_eq(mta_logscan_open(&sc, log, have ? &prev : NULL, err, sizeof(err)), 0);
	while ((rc = mta_logscan_step(&sc, 7, on_line, s, err, sizeof(err))) == 0)
		;
	ck_assert_int_eq(rc, 1);
	ck_assert_int_eq(mta_logpos_save(st, log, &sc.pos, err, sizeof(err)), 0);
	how = sc.how;
	mta_logscan_close(&sc);
	return how;
}

static void setup_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mailpath-logtest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_scan_resume_and_partial)
{
	struct seen s;

	write_file("maillog", "one\ntwo\nthr", "w");
	ck_assert_int_eq(scan(&s), MTA_SCAN_WHOLE);
	ck_assert_str_eq(s.text, "one|two|"); /* "thr" is not finished yet */
	write_file("maillog", "ee\nfour\n", "a");
	ck_assert_int_eq(scan(&s), MTA_SCAN_RESUMED);
	ck_assert_str_eq(s.text, "three|four|");
	ck_assert_int_eq(scan(&s), MTA_SCAN_RESUMED);
	ck_assert_int_eq(s.lines, 0);
}
END_TEST

START_TEST(test_scan_rotation)
{
	struct seen s;
	char a[128], b[128];

	write_file("maillog", "one\n", "w");
	scan(&s);
	write_file("maillog", "two\nlast-no-newline", "a");
	/* logrotate: rename, a new file at the path */
	path_of(a, sizeof(a), "maillog");
	path_of(b, sizeof(b), "maillog.20261207-154500");
	ck_assert_int_eq(rename(a, b), 0);
	write_file("maillog", "new1\n", "w");
	ck_assert_int_eq(scan(&s), MTA_SCAN_ROTATED);
	ck_assert_str_eq(s.text, "two|last-no-newline|new1|");
	ck_assert_int_eq(scan(&s), MTA_SCAN_RESUMED);
	ck_assert_int_eq(s.lines, 0);
	/* rotated and the old file gone: the new one from its start */
	write_file("maillog", "new2\n", "a");
	ck_assert_int_eq(rename(a, b), 0);
	ck_assert_int_eq(unlink(b), 0);
	write_file("maillog", "fresh\n", "w");
	ck_assert_int_eq(scan(&s), MTA_SCAN_LOST);
	ck_assert_str_eq(s.text, "fresh|");
}
END_TEST

START_TEST(test_scan_truncation)
{
	struct seen s;
	char p[128];

	write_file("maillog", "one\ntwo\n", "w");
	scan(&s);
	/* copytruncate: the same inode, emptied, written again */
	path_of(p, sizeof(p), "maillog");
	ck_assert_int_eq(truncate(p, 0), 0);
	write_file("maillog", "x\n", "a");
	ck_assert_int_eq(scan(&s), MTA_SCAN_TRUNCATED);
	ck_assert_str_eq(s.text, "x|");
	/* rewritten in place to the same length or more, another first line */
	write_file("maillog", "other first line\n", "r+");
	ck_assert_int_eq(scan(&s), MTA_SCAN_TRUNCATED);
	ck_assert_str_eq(s.text, "other first line|");
}
END_TEST

START_TEST(test_scan_long_line)
{
	struct seen s;
	char *big = malloc(100000);
	char log[128], err[256];
	struct mta_logscan sc;
	int rc;

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 99998);
	big[99998] = '\n';
	big[99999] = '\0';
	write_file("maillog", big, "w");
	write_file("maillog", "after\n", "a");
	free(big);
	path_of(log, sizeof(log), "maillog");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(mta_logscan_open(&sc, log, NULL, err, sizeof(err)), 0);
	while ((rc = mta_logscan_step(&sc, 1 << 20, on_line, &s, err, sizeof(err))) == 0)
		;
	ck_assert_int_eq(rc, 1);
	ck_assert_int_eq(s.lines, 2);
	ck_assert_uint_eq(sc.long_lines, 1);
	ck_assert_uint_eq(sc.pos.offset, 100005);
	ck_assert_str_eq(s.last, "after");
	mta_logscan_close(&sc);
}
END_TEST

START_TEST(test_state_files)
{
	char st[128], log[128], why[300], err[256];
	struct mta_logpos p, q = {1, 2, 3, 0xabcdef};
	struct seen s;

	path_of(st, sizeof(st), "state");
	path_of(log, sizeof(log), "maillog");
	ck_assert_int_eq(mta_logpos_load(st, log, &p, why, sizeof(why)), 0); /* none yet */
	ck_assert_int_eq(mta_logpos_save(st, log, &q, err, sizeof(err)), 0);
	ck_assert_int_eq(mta_logpos_load(st, log, &p, why, sizeof(why)), 1);
	ck_assert(p.dev == 1 && p.ino == 2 && p.offset == 3 && p.head == 0xabcdef);
	ck_assert_int_eq(mta_logpos_load(st, "/var/log/other", &p, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "another log"));
	write_file("state", "mailpath-log-state 1\npath x\ndev 1\ninode -2\n", "w");
	ck_assert_int_eq(mta_logpos_load(st, "x", &p, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "corrupt"));
	write_file("state", "\x01\x02garbage", "w");
	ck_assert_int_eq(mta_logpos_load(st, "x", &p, why, sizeof(why)), -1);
	/* a log that is a directory or a FIFO is refused without blocking */
	ck_assert_int_eq(mta_logscan_open(&(struct mta_logscan){0}, dir, NULL, err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	ck_assert_int_eq(mkfifo(log, 0600), 0);
	ck_assert_int_eq(mta_logscan_open(&(struct mta_logscan){0}, log, NULL, err, sizeof(err)),
			 -1);
	(void)s;
}
END_TEST

Suite *mtalog_suite(void)
{
	Suite *s = suite_create("mtalog");
	TCase *tc = tcase_create("log");
	TCase *tf = tcase_create("logfile");

	tcase_add_test(tc, test_log_postfix_lines);
	tcase_add_test(tc, test_log_postfix_variants);
	tcase_add_test(tc, test_log_exim_lines);
	tcase_add_test(tc, test_log_time);
	tcase_add_test(tc, test_log_dest_limit);
	tcase_add_checked_fixture(tf, setup_dir, teardown_dir);
	tcase_add_test(tf, test_scan_resume_and_partial);
	tcase_add_test(tf, test_scan_rotation);
	tcase_add_test(tf, test_scan_truncation);
	tcase_add_test(tf, test_scan_long_line);
	tcase_add_test(tf, test_state_files);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tf);
	return s;
}
