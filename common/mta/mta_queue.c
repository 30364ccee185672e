/*
 * mta_queue.c - queue counts, deferred destinations and their causes, and
 * the two Postfix readers (showq protocol, postqueue -j lines).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mta/mta_index.h"
#include "mta/mta_queue.h"
#include "mta/mta_reason.h"
#include "verdict/classify.h"

static const char *const mta_qnames[MTA_Q_MAX] = {
	"maildrop", "incoming", "active", "deferred", "hold", "corrupt",
};

const char *mta_queue_name(enum mta_qname n)
{
	return (unsigned)n < MTA_Q_MAX ? mta_qnames[n] : "?";
}

int mta_queue_name_parse(const char *name, size_t len)
{
	for (int i = 0; i < MTA_Q_MAX; i++)
		if (strlen(mta_qnames[i]) == len && memcmp(mta_qnames[i], name, len) == 0)
			return i;
	return -1;
}

int mta_queue_init(struct mta_queue *q)
{
	const struct cause *const *list;

	memset(q, 0, sizeof(*q));
	q->ncause = cause_all(&list);
	q->cause_count = calloc(q->ncause, sizeof(*q->cause_count));
	q->cur.queue = -1;
	return q->cause_count == NULL ? -1 : 0;
}

void mta_queue_free(struct mta_queue *q)
{
	free(q->dest);
	mta_index_free(&q->idx);
	free(q->cause_count);
	memset(q, 0, sizeof(*q));
}

void mta_queue_begin(struct mta_queue *q)
{
	q->cur.queue = -1;
	q->cur.arrival = 0;
	q->cur.size = 0;
	q->msg_seq++;
}

void mta_queue_end(struct mta_queue *q)
{
	int n = q->cur.queue;

	q->total++;
	if (n < 0 || n >= MTA_Q_MAX) {
		q->unknown++;
		return;
	}
	q->count[n]++;
	if (q->cur.size > 0)
		q->bytes[n] += (unsigned long long)q->cur.size;
	if (q->cur.arrival > 0 && (q->oldest[n] == 0 || q->cur.arrival < q->oldest[n]))
		q->oldest[n] = q->cur.arrival;
}

const struct mta_dest *mta_queue_dest(const struct mta_queue *q, const char *domain)
{
	size_t i = mta_index_find(&q->idx, q->dest, sizeof(*q->dest), domain);

	return i == SIZE_MAX ? NULL : &q->dest[i];
}

/* The entry for domain, made when new; NULL when full or out of memory. */
static struct mta_dest *mta_dest_get(struct mta_queue *q, const char *domain)
{
	size_t i;
	struct mta_dest *d;

	if (mta_index_reserve(&q->idx, q->dest, sizeof(*q->dest), q->ndest) != 0)
		return NULL;
	i = mta_index_lookup(&q->idx, q->dest, sizeof(*q->dest), domain);
	if (q->idx.slot[i] != SIZE_MAX)
		return &q->dest[q->idx.slot[i]];
	if (q->ndest == MTA_DEST_MAX)
		return NULL;
	if (q->ndest == q->dest_cap) {
		size_t cap = q->dest_cap == 0 ? 16 : q->dest_cap * 2;
		struct mta_dest *nd = realloc(q->dest, cap * sizeof(*nd));

		if (nd == NULL)
			return NULL;
		q->dest = nd;
		q->dest_cap = cap;
	}
	d = &q->dest[q->ndest];
	memset(d, 0, sizeof(*d));
	snprintf(d->domain, sizeof(d->domain), "%s", domain);
	q->idx.slot[i] = q->ndest++;
	return d;
}

void mta_queue_rcpt(struct mta_queue *q, const char *addr, size_t alen, const char *reason,
		    size_t rlen)
{
	char dom[DNS_NAME_MAX];
	struct mta_dest *d;
	struct fail f;
	size_t ci;

	if (q->cur.queue != MTA_Q_DEFERRED || reason == NULL || rlen == 0)
		return;
	if (mta_rcpt_domain(addr, alen, dom) != 0)
		snprintf(dom, sizeof(dom), "(none)");
	if ((d = mta_dest_get(q, dom)) == NULL) {
		if (q->ndest < MTA_DEST_MAX)
			q->oom = 1;
		q->dest_dropped++;
		return;
	}
	if (d->seen_msg == q->msg_seq)
		return; /* one count per message and domain */
	d->seen_msg = q->msg_seq;
	d->count++;
	mta_reason_parse(reason, rlen, &f);
	ci = mta_cause_index(classify(&f));
	if (ci < q->ncause)
		q->cause_count[ci]++;
	if (d->cause == NULL || q->cur.arrival >= d->newest) {
		d->newest = q->cur.arrival;
		d->fail = f;
		d->cause = classify(&f);
		snprintf(d->reason, sizeof(d->reason), "%.*s",
			 (int)(rlen < sizeof(d->reason) ? rlen : sizeof(d->reason) - 1), reason);
	}
}

/* A non-negative integer member of obj, or 0. */
static long long mta_json_int(const struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v) > 0 ? json_object_get_int64(v) : 0;
}

/* A string member of obj, or NULL (*len its length). */
static const char *mta_json_str(const struct json_object *obj, const char *key, size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

int mta_queue_json_line(struct mta_queue *q, const char *line, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj, *rcpts;
	const char *s;
	size_t n;

	if (len > INT32_MAX || (tok = json_tokener_new()) == NULL)
		return -1;
	obj = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    (s = mta_json_str(obj, "queue_name", &n)) == NULL) {
		json_object_put(obj);
		return -1;
	}
	mta_queue_begin(q);
	q->cur.queue = mta_queue_name_parse(s, n);
	q->cur.arrival = mta_json_int(obj, "arrival_time");
	q->cur.size = mta_json_int(obj, "message_size");
	if (json_object_object_get_ex(obj, "recipients", &rcpts) &&
	    json_object_is_type(rcpts, json_type_array)) {
		size_t k = json_object_array_length(rcpts);

		for (size_t i = 0; i < k; i++) {
			const struct json_object *r = json_object_array_get_idx(rcpts, i);
			size_t alen = 0, rlen = 0;
			const char *a = mta_json_str(r, "address", &alen);
			const char *why = mta_json_str(r, "delay_reason", &rlen);

			if (a != NULL)
				mta_queue_rcpt(q, a, alen, why, rlen);
		}
	}
	mta_queue_end(q);
	json_object_put(obj);
	return 0;
}

/* showq reader states. */
enum { SQ_NAME, SQ_VALUE, SQ_DONE };

void mta_showq_init(struct mta_showq *p)
{
	memset(p, 0, sizeof(*p));
}

/* Strict decimal of a NUL-terminated value; -1 when it is none. */
static long long mta_decimal(const char *s)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : v;
}

static void mta_showq_flush_rcpt(struct mta_showq *p, struct mta_queue *q, const char *reason,
				 size_t rlen)
{
	if (p->have_rcpt)
		mta_queue_rcpt(q, p->rcpt, p->rlen, reason, rlen);
	p->have_rcpt = 0;
}

/* One attribute (p->name = p->val) of the current record; 0 or -1. */
static int mta_showq_attr(struct mta_showq *p, struct mta_queue *q)
{
	long long v;

	if (p->records == 0) {
		if (strcmp(p->name, "protocol") != 0 ||
		    strcmp(p->val, "mail_queue_list_protocol") != 0) {
			snprintf(p->err, sizeof(p->err), "not the showq protocol");
			return -1;
		}
		return 0;
	}
	if (!p->in_msg) {
		mta_queue_begin(q);
		p->in_msg = 1;
	}
	if (strcmp(p->name, "queue_name") == 0) {
		q->cur.queue = mta_queue_name_parse(p->val, p->vlen);
	} else if (strcmp(p->name, "time") == 0 || strcmp(p->name, "size") == 0) {
		if ((v = mta_decimal(p->val)) < 0) {
			snprintf(p->err, sizeof(p->err), "bad %s value", p->name);
			return -1;
		}
		if (p->name[0] == 't')
			q->cur.arrival = v;
		else
			q->cur.size = v;
	} else if (strcmp(p->name, "recipient") == 0) {
		mta_showq_flush_rcpt(p, q, NULL, 0);
		p->rlen = p->vlen < sizeof(p->rcpt) ? p->vlen : sizeof(p->rcpt) - 1;
		memcpy(p->rcpt, p->val, p->rlen);
		p->have_rcpt = 1;
	} else if (strcmp(p->name, "reason") == 0) {
		mta_showq_flush_rcpt(p, q, p->val, p->vlen);
	}
	return 0; /* queue_id, sender, forced_expire, and names of later releases */
}

/* The record ended (an empty name): 1 when it was the stream's end. */
static int mta_showq_record_end(struct mta_showq *p, struct mta_queue *q, int empty)
{
	if (p->records > 0 && empty)
		return 1;
	if (p->in_msg) {
		mta_showq_flush_rcpt(p, q, NULL, 0);
		mta_queue_end(q);
		p->in_msg = 0;
	}
	p->records++;
	return 0;
}

int mta_showq_feed(struct mta_showq *p, struct mta_queue *q, const char *buf, size_t len)
{
	for (size_t i = 0; i < len && p->state != SQ_DONE; i++) {
		char ch = buf[i];

		if (p->state == SQ_NAME) {
			if (ch != '\0') {
				/* Names are lower-case words; the first one is "protocol". */
				if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
				      ch == '_') ||
				    (p->records == 0 &&
				     (p->nlen >= 8 || "protocol"[p->nlen] != ch))) {
					snprintf(p->err, sizeof(p->err), "not the showq protocol");
					return -1;
				}
				if (p->nlen + 1 >= sizeof(p->name)) {
					snprintf(p->err, sizeof(p->err), "attribute name too long");
					return -1;
				}
				p->name[p->nlen++] = ch;
				continue;
			}
			p->name[p->nlen] = '\0';
			if (p->nlen == 0) {
				if (mta_showq_record_end(p, q, p->nattr == 0))
					p->state = SQ_DONE;
				p->nattr = 0;
				continue;
			}
			p->state = SQ_VALUE;
			p->vlen = 0;
			continue;
		}
		if (ch != '\0') {
			if (p->vlen + 1 < sizeof(p->val))
				p->val[p->vlen++] = ch;
			continue;
		}
		p->val[p->vlen] = '\0';
		if (mta_showq_attr(p, q) != 0)
			return -1;
		p->nlen = 0;
		p->nattr++;
		p->state = SQ_NAME;
	}
	return p->state == SQ_DONE ? 1 : 0;
}
