/*
 * test_queue.c - the MTA queue model: counts per queue, deferred
 * destinations with their causes, the showq protocol reader (fed whole and
 * byte by byte, malformed streams refused), postqueue -j lines, and the
 * queue_directory of a main.cf.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mta/mta_queue.h"
#include "mta/mta_showq.h"
#include "verdict/classify.h"

Suite *queue_suite(void);

/* Two messages as Postfix 3.7's showq sent them in the lab (a deferred pair, one active). */
static const char showq_stream[] =
	"protocol\0mail_queue_list_protocol\0\0"
	"queue_name\0deferred\0queue_id\0B7F8F1080C1\0time\0001796648678\0size\000256\0"
	"forced_expire\0000\0sender\0a@lab.test\0"
	"recipient\0u1@Grey.Example\0reason\0host mx[192.0.2.1] said: 450 4.2.0 Greylisted "
	"(in reply to RCPT TO command)\0"
	"recipient\0u2@grey.example\0reason\0host mx[192.0.2.1] said: 450 4.2.0 Greylisted "
	"(in reply to RCPT TO command)\0"
	"recipient\0u3@busy.example\0reason\0host mx[192.0.2.2] refused to talk to me: 421 4.4.2 "
	"Connection dropped\0\0"
	"queue_name\0active\0queue_id\0ACE261080C2\0time\0001796648600\0size\0001000\0"
	"sender\0a@lab.test\0recipient\0x@busy.example\0\0"
	"\0";

static void check_stream_counts(const struct mta_queue *q)
{
	const struct mta_dest *grey = mta_queue_dest(q, "grey.example");
	const struct mta_dest *busy = mta_queue_dest(q, "busy.example");

	ck_assert_uint_eq(q->total, 2);
	ck_assert_uint_eq(q->count[MTA_Q_DEFERRED], 1);
	ck_assert_uint_eq(q->count[MTA_Q_ACTIVE], 1);
	ck_assert_uint_eq(q->bytes[MTA_Q_ACTIVE], 1000);
	ck_assert_int_eq(q->oldest[MTA_Q_DEFERRED], 1796648678LL);
	ck_assert_int_eq(q->oldest[MTA_Q_ACTIVE], 1796648600LL);
	ck_assert_ptr_nonnull(grey);
	ck_assert_ptr_nonnull(busy);
	ck_assert_uint_eq(grey->count, 1); /* two recipients, one message */
	ck_assert_str_eq(grey->cause->name, "greylisted");
	ck_assert_int_eq(grey->fail.phase, PHASE_RCPT);
	ck_assert_str_eq(busy->cause->name, "server-busy");
	ck_assert_uint_eq(busy->count, 1); /* the active message's recipient is not deferred */
	ck_assert_uint_eq(q->ndest, 2);
	ck_assert_ptr_nonnull(strstr(busy->reason, "refused to talk to me"));
}

START_TEST(test_showq_whole)
{
	struct mta_queue q;
	struct mta_showq p;

	ck_assert_int_eq(mta_queue_init(&q), 0);
	mta_showq_init(&p);
	ck_assert_int_eq(mta_showq_feed(&p, &q, showq_stream, sizeof(showq_stream) - 1), 1);
	check_stream_counts(&q);
	mta_queue_free(&q);
}
END_TEST

START_TEST(test_showq_bytewise)
{
	struct mta_queue q;
	struct mta_showq p;
	int rc = 0;

	ck_assert_int_eq(mta_queue_init(&q), 0);
	mta_showq_init(&p);
	for (size_t i = 0; i < sizeof(showq_stream) - 1; i++) {
		rc = mta_showq_feed(&p, &q, showq_stream + i, 1);
		if (i + 1 < sizeof(showq_stream) - 1)
			ck_assert_int_eq(rc, 0);
	}
	ck_assert_int_eq(rc, 1);
	check_stream_counts(&q);
	mta_queue_free(&q);
}
END_TEST

/* An empty queue is the protocol record and the end; a cut stream is not ended. */
START_TEST(test_showq_empty_and_cut)
{
	static const char empty[] = "protocol\0mail_queue_list_protocol\0\0\0";
	struct mta_queue q;
	struct mta_showq p;

	ck_assert_int_eq(mta_queue_init(&q), 0);
	mta_showq_init(&p);
	ck_assert_int_eq(mta_showq_feed(&p, &q, empty, sizeof(empty) - 1), 1);
	ck_assert_uint_eq(q.total, 0);
	mta_queue_free(&q);

	ck_assert_int_eq(mta_queue_init(&q), 0);
	mta_showq_init(&p);
	ck_assert_int_eq(mta_showq_feed(&p, &q, showq_stream, 120), 0);
	mta_queue_free(&q);
}
END_TEST

START_TEST(test_showq_malformed)
{
	static const char wrong[] = "protocol\0something_else\0\0\0";
	static const char badnum[] = "protocol\0mail_queue_list_protocol\0\0queue_name\0hold\0"
				     "time\0-5\0\0\0";
	char longname[100];
	struct mta_queue q;
	struct mta_showq p;

	ck_assert_int_eq(mta_queue_init(&q), 0);
	mta_showq_init(&p);
	ck_assert_int_eq(mta_showq_feed(&p, &q, wrong, sizeof(wrong) - 1), -1);
	ck_assert_str_eq(p.err, "not the showq protocol");
	mta_showq_init(&p);
	ck_assert_int_eq(mta_showq_feed(&p, &q, "220 mail ESMTP\r\n", 16), -1);
	mta_showq_init(&p);
	ck_assert_int_eq(mta_showq_feed(&p, &q, badnum, sizeof(badnum) - 1), -1);
	memset(longname, 'a', sizeof(longname));
	mta_showq_init(&p);
	ck_assert_int_eq(mta_showq_feed(&p, &q, longname, sizeof(longname)), -1);
	mta_queue_free(&q);
}
END_TEST

/* A value longer than the buffer is cut, not an error; unknown queues are counted apart. */
START_TEST(test_showq_long_value)
{
	struct mta_queue q;
	struct mta_showq p;
	static const char head[] = "protocol\0mail_queue_list_protocol\0\0queue_name\0deferred\0"
				   "recipient\0a@b.example\0reason\0";
	static const char tail[] = "\0\0queue_name\0future\0\0\0";
	char *buf = malloc(sizeof(head) + 10000 + sizeof(tail));
	size_t n = 0;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, head, sizeof(head) - 1);
	n += sizeof(head) - 1;
	memset(buf + n, 'x', 10000);
	n += 10000;
	memcpy(buf + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	ck_assert_int_eq(mta_queue_init(&q), 0);
	mta_showq_init(&p);
	ck_assert_int_eq(mta_showq_feed(&p, &q, buf, n), 1);
	ck_assert_uint_eq(q.total, 2);
	ck_assert_uint_eq(q.unknown, 1);
	ck_assert_str_eq(mta_queue_dest(&q, "b.example")->cause->name, "unclassified");
	mta_queue_free(&q);
	free(buf);
}
END_TEST

START_TEST(test_queue_json_lines)
{
	static const char line[] =
		"{\"queue_name\": \"deferred\", \"queue_id\": \"CF1BB108014\", \"arrival_time\": "
		"1796648678, \"message_size\": 367, \"forced_expire\": false, \"sender\": "
		"\"a@lab.test\", \"recipients\": [{\"address\": \"u1@refused.example\", "
		"\"delay_reason\": \"connect to 127.0.0.1[127.0.0.1]:1: Connection refused\"}]}";
	static const char hold[] = "{\"queue_name\": \"hold\", \"arrival_time\": 5, "
				   "\"message_size\": 10, \"recipients\": []}";
	struct mta_queue q;

	ck_assert_int_eq(mta_queue_init(&q), 0);
	ck_assert_int_eq(mta_queue_json_line(&q, line, sizeof(line) - 1), 0);
	ck_assert_int_eq(mta_queue_json_line(&q, hold, sizeof(hold) - 1), 0);
	ck_assert_int_eq(mta_queue_json_line(&q, "[1,2]", 5), -1);
	ck_assert_int_eq(mta_queue_json_line(&q, "not json", 8), -1);
	ck_assert_int_eq(mta_queue_json_line(&q, line, 40), -1); /* cut */
	ck_assert_uint_eq(q.total, 2);
	ck_assert_uint_eq(q.count[MTA_Q_HOLD], 1);
	ck_assert_str_eq(mta_queue_dest(&q, "refused.example")->cause->name, "connect-refused");
	mta_queue_free(&q);
}
END_TEST

/* Past MTA_DEST_MAX domains the rest are counted, not kept; the causes still add up. */
START_TEST(test_queue_dest_limit)
{
	struct mta_queue q;
	char addr[64];
	static const char why[] = "connect to x[192.0.2.1]:25: Connection timed out";
	const struct cause *const *list;
	size_t n = cause_all(&list);
	unsigned long sum = 0;

	ck_assert_int_eq(mta_queue_init(&q), 0);
	for (int i = 0; i < MTA_DEST_MAX + 10; i++) {
		mta_queue_begin(&q);
		q.cur.queue = MTA_Q_DEFERRED;
		snprintf(addr, sizeof(addr), "u@d%d.example", i);
		mta_queue_rcpt(&q, addr, strlen(addr), why, sizeof(why) - 1);
		mta_queue_end(&q);
	}
	ck_assert_uint_eq(q.ndest, MTA_DEST_MAX);
	ck_assert_uint_eq(q.dest_dropped, 10);
	ck_assert_ptr_nonnull(mta_queue_dest(&q, "d4095.example"));
	ck_assert_ptr_null(mta_queue_dest(&q, "d4096.example"));
	for (size_t i = 0; i < n; i++)
		sum += q.cause_count[i];
	ck_assert_uint_eq(sum, MTA_DEST_MAX);
	mta_queue_free(&q);
}
END_TEST

START_TEST(test_queue_dir)
{
	char dir[] = "/tmp/mailpath-queue-XXXXXX", path[128], out[256], err[256];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	ck_assert_int_eq(mta_postfix_queue_dir(dir, out, sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "main.cf"));
	f = fopen(path, "w");
	fputs("# queue_directory = /nope\nmyhostname = x\n", f);
	fclose(f);
	ck_assert_int_eq(mta_postfix_queue_dir(dir, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "/var/spool/postfix");
	f = fopen(path, "w");
	fputs("queue_directory = /a\nqueue_directory=  /var/spool/postfix-out  \n", f);
	fclose(f);
	ck_assert_int_eq(mta_postfix_queue_dir(dir, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "/var/spool/postfix-out");
	f = fopen(path, "w");
	fputs("queue_directory = $data_directory/q\n", f);
	fclose(f);
	ck_assert_int_eq(mta_postfix_queue_dir(dir, out, sizeof(out), err, sizeof(err)), -1);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");

	tcase_add_test(tc, test_showq_whole);
	tcase_add_test(tc, test_showq_bytewise);
	tcase_add_test(tc, test_showq_empty_and_cut);
	tcase_add_test(tc, test_showq_malformed);
	tcase_add_test(tc, test_showq_long_value);
	tcase_add_test(tc, test_queue_json_lines);
	tcase_add_test(tc, test_queue_dest_limit);
	tcase_add_test(tc, test_queue_dir);
	suite_add_tcase(s, tc);
	return s;
}
