/*
 * mta_log.c - Postfix and Exim log lines into delivery counts.
 *
 * A line is taken apart from its start: the timestamp, (Postfix) the host
 * and the program ("postfix/smtp[123]:"), then the queue id and the first
 * word of the message, so most lines (connects, qmgr, cleanup) are passed
 * over after a few byte comparisons; only a delivery's status line is read
 * further, and only a deferral's reason is parsed and classified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mta/mta_log.h"
#include "mta/mta_reason.h"

/* A bounded view of part of a line. */
struct lspan {
	const char *s;
	size_t n;
};

static struct lspan ls_from(struct lspan v, size_t i)
{
	return i < v.n ? (struct lspan){v.s + i, v.n - i} : (struct lspan){v.s + v.n, 0};
}

static int ls_starts(struct lspan v, const char *lit)
{
	size_t k = strlen(lit);

	return v.n >= k && memcmp(v.s, lit, k) == 0;
}

/* Offset of lit in v, or -1. */
static long ls_find(struct lspan v, const char *lit)
{
	const char *p = memmem(v.s, v.n, lit, strlen(lit));

	return p != NULL ? (long)(p - v.s) : -1;
}

/* Offset of the first c in v, or v.n. */
static size_t ls_chr(struct lspan v, char c)
{
	const char *p = memchr(v.s, c, v.n);

	return p != NULL ? (size_t)(p - v.s) : v.n;
}

static int ls_digit(struct lspan v, size_t i)
{
	return i < v.n && v.s[i] >= '0' && v.s[i] <= '9';
}

/* The n-digit number at offset i of v, or -1. */
static int ls_num(struct lspan v, size_t i, int n)
{
	int x = 0;

	for (int k = 0; k < n; k++) {
		if (!ls_digit(v, i + (size_t)k))
			return -1;
		x = x * 10 + (v.s[i + (size_t)k] - '0');
	}
	return x;
}

/* "HH:MM:SS" at offset i into tm; 0 or -1. */
static int ls_clock(struct lspan v, size_t i, struct tm *tm)
{
	if (i + 8 > v.n || v.s[i + 2] != ':' || v.s[i + 5] != ':')
		return -1;
	tm->tm_hour = ls_num(v, i, 2);
	tm->tm_min = ls_num(v, i + 3, 2);
	tm->tm_sec = ls_num(v, i + 6, 2);
	return tm->tm_hour < 0 || tm->tm_hour > 23 || tm->tm_min < 0 || tm->tm_min > 59 ||
			       tm->tm_sec < 0 || tm->tm_sec > 60
		       ? -1
		       : 0;
}

/* "YYYY-MM-DD" at the start of v into tm; 0 or -1. */
static int ls_date(struct lspan v, struct tm *tm)
{
	if (v.n < 10 || v.s[4] != '-' || v.s[7] != '-')
		return -1;
	tm->tm_year = ls_num(v, 0, 4) - 1900;
	tm->tm_mon = ls_num(v, 5, 2) - 1;
	tm->tm_mday = ls_num(v, 8, 2);
	return tm->tm_year < 70 || tm->tm_mon < 0 || tm->tm_mon > 11 || tm->tm_mday < 1 ||
			       tm->tm_mday > 31
		       ? -1
		       : 0;
}

/* A zone "Z", "+HH:MM" or "+HHMM" at offset i: its offset east in seconds into *off; its length or -1. */
static int ls_zone(struct lspan v, size_t i, long *off)
{
	int h, m, colon;

	if (i < v.n && v.s[i] == 'Z') {
		*off = 0;
		return 1;
	}
	if (i >= v.n || (v.s[i] != '+' && v.s[i] != '-'))
		return -1;
	colon = i + 3 < v.n && v.s[i + 3] == ':';
	h = ls_num(v, i + 1, 2);
	m = ls_num(v, i + 3 + (size_t)colon, 2);
	if (h < 0 || m < 0 || h > 23 || m > 59)
		return -1;
	*off = (h * 3600L + m * 60L) * (v.s[i] == '-' ? -1 : 1);
	return 5 + colon;
}

/* Fractional seconds ".123456" at offset i: their length (0 when none). */
static size_t ls_frac(struct lspan v, size_t i)
{
	size_t k = 0;

	if (i < v.n && v.s[i] == '.')
		for (k = 1; ls_digit(v, i + k); k++)
			;
	return k;
}

/* The classic syslog month "Dec" at the start of v: 0..11, or -1. */
static int ls_month(struct lspan v)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (v.n < 4 || v.s[3] != ' ')
		return -1;
	for (int m = 0; m < 12; m++)
		if (memcmp(months + (size_t)m * 3, v.s, 3) == 0)
			return m;
	return -1;
}

/* The year (since 1900) of time now, local. */
static int ls_year(long long now)
{
	time_t t = (time_t)now;
	struct tm n;

	localtime_r(&t, &n);
	return n.tm_year;
}

/*
 * mktime for local stamps, cached per (date, hour): mktime looks at the
 * zone file on every call, and a log has millions of lines per hour.
 */
static long long ls_mktime(const struct tm *tm, struct mta_log_tcache *c)
{
	int key = ((tm->tm_year * 16 + tm->tm_mon) * 32 + tm->tm_mday) * 32 + tm->tm_hour;
	int secs = tm->tm_min * 60 + tm->tm_sec;

	if (c == NULL || c->key != key) {
		struct tm h = *tm;

		h.tm_min = h.tm_sec = 0;
		h.tm_isdst = -1;
		if (c == NULL)
			return (long long)mktime(&h) + secs;
		c->key = key;
		c->base = (long long)mktime(&h);
	}
	return c->base + secs;
}

/*
 * The time of the stamp at the start of line; with convert 0 only whether
 * there is one (1) or not (0), which is cheaper. *skip: its length with the
 * blank after it.
 */
static long long ls_time(const char *line, size_t len, int year, long long now, size_t *skip,
			 struct mta_log_tcache *c, int convert)
{
	struct lspan v = {line, len};
	struct tm tm;
	long off = 0;
	long long when;
	int mon, z;
	size_t i;

	memset(&tm, 0, sizeof(tm));
	*skip = 0;
	if ((mon = ls_month(v)) >= 0) {
		/* "Dec  7 15:30:01 " or "Dec 07 15:30:01 " */
		if (v.n < 16)
			return 0;
		tm.tm_mon = mon;
		tm.tm_mday = v.s[4] == ' ' ? ls_num(v, 5, 1) : ls_num(v, 4, 2);
		if (tm.tm_mday < 1 || ls_clock(v, 7, &tm) != 0 || v.s[15] != ' ')
			return 0;
		*skip = 16;
		if (!convert)
			return 1;
		/* no year: this year's, or last year's when that is more than a day ahead */
		tm.tm_year = year;
		when = ls_mktime(&tm, c);
		if (when > now + 86400) {
			tm.tm_year--;
			when = ls_mktime(&tm, c);
		}
		return when;
	}
	if (ls_date(v, &tm) != 0 || v.n < 19 || (v.s[10] != 'T' && v.s[10] != ' ') ||
	    ls_clock(v, 11, &tm) != 0)
		return 0;
	i = 19 + ls_frac(v, 19);
	if (v.s[10] == 'T') {
		/* RFC 3339: the zone is required */
		if ((z = ls_zone(v, i, &off)) < 0)
			return 0;
		i += (size_t)z;
		if (i < v.n && v.s[i] != ' ')
			return 0;
		*skip = i + 1;
		return convert ? (long long)timegm(&tm) - off : 1;
	}
	/* Exim: "2026-12-07 15:30:01", with log_timezone " +0100" */
	if (i + 1 < v.n && v.s[i] == ' ' && ls_zone(v, i + 1, &off) == 5) {
		*skip = i + 7;
		return convert ? (long long)timegm(&tm) - off : 1;
	}
	*skip = i + 1;
	return convert ? ls_mktime(&tm, c) : 1;
}

long long mta_log_time(const char *line, size_t len, long long now, size_t *skip)
{
	return ls_time(line, len, ls_year(now), now, skip, NULL, 1);
}

int mta_log_init(struct mta_log *l, int mta, long long now)
{
	const struct cause *const *list;

	memset(l, 0, sizeof(*l));
	l->mta = mta;
	l->now = now;
	l->year = ls_year(now);
	l->tcache.key = -1;
	l->ncause = cause_all(&list);
	l->cause_count = calloc(l->ncause, sizeof(*l->cause_count));
	l->host_cause = calloc(l->ncause, sizeof(*l->host_cause));
	return l->cause_count == NULL || l->host_cause == NULL ? -1 : 0;
}

void mta_log_free(struct mta_log *l)
{
	for (size_t i = 0; i < l->ndest; i++)
		free(l->dest[i].cause_count);
	free(l->dest);
	mta_index_free(&l->idx);
	free(l->ids);
	free(l->rcache);
	free(l->cause_count);
	free(l->host_cause);
	memset(l, 0, sizeof(*l));
}

const struct mta_log_dest *mta_log_dest(const struct mta_log *l, const char *domain)
{
	size_t i = mta_index_find(&l->idx, l->dest, sizeof(*l->dest), domain);

	return i == SIZE_MAX ? NULL : &l->dest[i];
}

/* The entry of the recipient's domain, made when new; NULL when full or out of memory. */
static struct mta_log_dest *log_dest_get(struct mta_log *l, struct lspan addr)
{
	char dom[DNS_NAME_MAX];
	struct mta_log_dest *d;
	size_t i;

	if (mta_rcpt_domain(addr.s, addr.n, dom) != 0)
		snprintf(dom, sizeof(dom), "(none)");
	if (mta_index_reserve(&l->idx, l->dest, sizeof(*l->dest), l->ndest) != 0)
		goto oom;
	i = mta_index_lookup(&l->idx, l->dest, sizeof(*l->dest), dom);
	if (l->idx.slot[i] != SIZE_MAX)
		return &l->dest[l->idx.slot[i]];
	if (l->ndest == MTA_LOG_DEST_MAX) {
		l->dest_dropped++;
		return NULL;
	}
	if (l->ndest == l->dest_cap) {
		size_t cap = l->dest_cap == 0 ? 16 : l->dest_cap * 2;
		struct mta_log_dest *nd = realloc(l->dest, cap * sizeof(*nd));

		if (nd == NULL)
			goto oom;
		l->dest = nd;
		l->dest_cap = cap;
	}
	d = &l->dest[l->ndest];
	memset(d, 0, sizeof(*d));
	memcpy(d->domain, dom, strlen(dom) + 1);
	l->idx.slot[i] = l->ndest++;
	return d;
oom:
	l->oom = 1;
	l->dest_dropped++;
	return NULL;
}

/* FNV-1a, 64 bits, never 0 (the set's empty slot). */
static uint64_t log_id_hash(struct lspan id)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < id.n; i++)
		h = (h ^ (unsigned char)id.s[i]) * 1099511628211ull;
	return h != 0 ? h : 1;
}

/* Count queue id once in deferred_messages. */
static void log_id_seen(struct mta_log *l, struct lspan id)
{
	uint64_t h = log_id_hash(id);
	size_t i;

	if ((l->deferred_messages + 1) * 2 > l->nids_slot) {
		size_t ns = l->nids_slot == 0 ? 1024 : l->nids_slot * 2;
		uint64_t *ids;

		if (l->deferred_messages >= MTA_LOG_IDS_MAX ||
		    (ids = calloc(ns, sizeof(*ids))) == NULL) {
			l->ids_full = 1;
			if (l->nids_slot == 0 || l->deferred_messages * 4 >= l->nids_slot * 3)
				return; /* no room left to probe in */
		} else {
			for (size_t k = 0; k < l->nids_slot; k++)
				if (l->ids[k] != 0) {
					size_t j = (size_t)l->ids[k] & (ns - 1);

					while (ids[j] != 0)
						j = (j + 1) & (ns - 1);
					ids[j] = l->ids[k];
				}
			free(l->ids);
			l->ids = ids;
			l->nids_slot = ns;
		}
	}
	for (i = (size_t)h & (l->nids_slot - 1); l->ids[i] != 0; i = (i + 1) & (l->nids_slot - 1))
		if (l->ids[i] == h)
			return;
	if (l->ids_full)
		return; /* not seen, but no more ids are taken: a lower bound */
	l->ids[i] = h;
	l->deferred_messages++;
}

/* A 64-bit hash of a reason, 8 bytes a step (reasons are long; queue ids use log_id_hash). */
static uint64_t log_text_hash(struct lspan t)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)t.n;
	size_t i = 0;

	for (; i + 8 <= t.n; i += 8) {
		uint64_t w;

		memcpy(&w, t.s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < t.n; i++)
		h = (h ^ (unsigned char)t.s[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	return h * 0xc4ceb9fe1a85ec53ull;
}

/*
 * A deferral's reason as a failure record and its cause, from a small
 * cache by the reason's hash: a busy log repeats the same reasons, and
 * parsing and classifying each one again is most of the work.
 */
static const struct mta_log_reason *log_reason(struct mta_log *l, struct lspan reason)
{
	uint64_t h = log_text_hash(reason);
	struct mta_log_reason *e, *miss = &l->rmiss;

	if (l->rcache == NULL)
		l->rcache = calloc(MTA_LOG_RCACHE, sizeof(*l->rcache));
	e = l->rcache != NULL ? &l->rcache[h % MTA_LOG_RCACHE] : miss;
	if (e->cause != NULL && e->hash == h)
		return e;
	mta_reason_parse(reason.s, reason.n, &e->fail);
	e->cause = classify(&e->fail);
	e->hash = h;
	return e;
}

/* Count one attempt of kind to addr; reason for a deferral. */
static enum mta_log_kind log_attempt(struct mta_log *l, enum mta_log_kind kind, struct lspan id,
				     struct lspan addr, struct lspan reason, struct lspan stamp,
				     long pid)
{
	struct mta_log_tlserr *te = &l->tlserr[(unsigned long)pid % MTA_LOG_TLSERR_SLOTS];
	size_t skip;
	long long when = ls_time(stamp.s, stamp.n, l->year, l->now, &skip, &l->tcache, 1);
	struct mta_log_dest *d = when != 0 ? log_dest_get(l, addr) : NULL;
	const struct cause *cause;
	const struct mta_log_reason *r;
	struct fail tls;
	size_t ci;

	if (when == 0)
		return MTA_LOG_OTHER; /* not a timestamp after all */
	if (kind != MTA_LOG_SENT) {
		l->last_reason = reason.s;
		l->last_reason_len = reason.n;
	}
	if (pid != 0 && te->pid == pid && kind != MTA_LOG_DEFERRED)
		te->pid = 0; /* what the process said before this status is spent */
	if (l->first_time == 0 || when < l->first_time)
		l->first_time = when;
	if (when > l->last_time)
		l->last_time = when;
	if (kind == MTA_LOG_SENT) {
		l->sent++;
		if (d != NULL)
			d->sent++;
		return kind;
	}
	if (kind == MTA_LOG_BOUNCED) {
		l->bounced++;
		if (d != NULL)
			d->bounced++;
		return kind;
	}
	l->deferred++;
	log_id_seen(l, id);
	r = log_reason(l, reason);
	if (pid != 0 && te->pid == pid && r->fail.cls == FAIL_TLS) {
		/* "Cannot start TLS" after "SSL_connect error to X: timed out" */
		tls = te->fail;
		r = NULL;
	}
	cause = r != NULL ? r->cause : classify(&tls);
	if (te->pid == pid)
		te->pid = 0;
	ci = mta_cause_index(cause);
	if (ci < l->ncause)
		l->cause_count[ci]++;
	if (d == NULL)
		return kind;
	d->deferred++;
	if (d->cause_count == NULL &&
	    (d->cause_count = calloc(l->ncause, sizeof(unsigned long))) == NULL)
		l->oom = 1;
	if (d->cause_count != NULL && ci < l->ncause)
		d->cause_count[ci]++;
	/* the last reason: copied only when it is another one than the last */
	if (r == NULL || d->cause == NULL || d->reason_hash != r->hash) {
		size_t n = reason.n < sizeof(d->reason) ? reason.n : sizeof(d->reason) - 1;

		d->fail = r != NULL ? r->fail : tls;
		memcpy(d->reason, reason.s, n);
		d->reason[n] = '\0';
		d->reason_hash = r != NULL ? r->hash : 0;
	}
	d->cause = cause;
	return kind;
}

/*
 * A host error: its reason's cause counted apart from the deliveries; a TLS
 * one is kept for the status line of the same process (pid, 0: none).
 */
static enum mta_log_kind log_hosterr(struct mta_log *l, struct lspan msg, long pid)
{
	struct fail f;
	size_t ci;

	mta_reason_parse(msg.s, msg.n, &f);
	l->last_reason = msg.s;
	l->last_reason_len = msg.n;
	if (pid != 0 && f.phase == PHASE_TLS) {
		l->tlserr[(unsigned long)pid % MTA_LOG_TLSERR_SLOTS].pid = pid;
		l->tlserr[(unsigned long)pid % MTA_LOG_TLSERR_SLOTS].fail = f;
	}
	ci = mta_cause_index(classify(&f));
	if (ci < l->ncause)
		l->host_cause[ci]++;
	l->hosterr++;
	return MTA_LOG_HOSTERR;
}

/* 1 for the bytes of queue ids and message ids: ASCII letters and digits. */
static int ls_alnum(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26 || (unsigned char)(c - '0') < 10;
}

/*
 * A Postfix queue id ("8C3611080C6", long "4ZbF3k0w5Nz8X") ending at ": "
 * at the start of m: its length, or 0. The colon is found first, so the
 * common lines without a queue id cost one memchr.
 */
static size_t pf_queue_id(struct lspan m)
{
	const char *colon = memchr(m.s, ':', m.n < 33 ? m.n : 33);
	size_t k = colon != NULL ? (size_t)(colon - m.s) : 0;

	if (k < 6 || k + 1 >= m.n || m.s[k + 1] != ' ')
		return 0;
	for (size_t i = 0; i < k; i++)
		if (!ls_alnum((unsigned char)m.s[i]))
			return 0;
	return k;
}

/* "to=<a@d>, ..., status=deferred (reason)" after the queue id. */
static enum mta_log_kind pf_status(struct mta_log *l, struct lspan id, struct lspan m,
				   struct lspan stamp, long pid)
{
	struct lspan addr, st, reason = {"", 0};
	long at;
	size_t k;
	enum mta_log_kind kind;

	m = ls_from(m, 4); /* "to=<" */
	if ((at = ls_find(m, ">, ")) < 0)
		return MTA_LOG_OTHER;
	addr = (struct lspan){m.s, (size_t)at};
	m = ls_from(m, addr.n);
	if ((at = ls_find(m, ", status=")) < 0)
		return MTA_LOG_OTHER;
	st = ls_from(m, (size_t)at + 9);
	k = ls_chr(st, ' ');
	if (k > 0 && st.s[k - 1] == ',')
		k--;
	if (k == 4 && memcmp(st.s, "sent", 4) == 0)
		kind = MTA_LOG_SENT;
	else if ((k == 8 && memcmp(st.s, "deferred", 8) == 0) ||
		 (k == 10 && memcmp(st.s, "SOFTBOUNCE", 10) == 0))
		kind = MTA_LOG_DEFERRED;
	else if ((k == 7 && memcmp(st.s, "bounced", 7) == 0) ||
		 (k == 7 && memcmp(st.s, "expired", 7) == 0))
		kind = MTA_LOG_BOUNCED;
	else
		return MTA_LOG_OTHER; /* deliverable/undeliverable: address verification */
	st = ls_from(st, k);
	if (st.n >= 3 && st.s[0] == ' ' && st.s[1] == '(' && st.s[st.n - 1] == ')')
		reason = (struct lspan){st.s + 2, st.n - 3};
	return log_attempt(l, kind, id, addr, reason, stamp, pid);
}

/* The pid in "name/service[pid]:", or 0. */
static long pf_pid(struct lspan prog)
{
	long pid = 0;

	for (size_t b = ls_chr(prog, '[') + 1; b < prog.n && ls_digit(prog, b) && pid < 100000000;
	     b++)
		pid = pid * 10 + (prog.s[b] - '0');
	return pid;
}

/* 1 when the line's stamp is one (the classic one was only measured so far). */
static int log_stamp_ok(struct mta_log *l, struct lspan stamp)
{
	size_t skip;

	return ls_time(stamp.s, stamp.n, l->year, l->now, &skip, &l->tcache, 0) != 0;
}

/* The message m of a Postfix line from program prog ("postfix/smtp[123]:"). */
static enum mta_log_kind pf_message(struct mta_log *l, struct lspan m, struct lspan stamp,
				    struct lspan prog)
{
	size_t k = pf_queue_id(m);
	struct lspan id = {m.s, k}, rest = k > 0 ? ls_from(m, k + 2) : m;

	if (ls_starts(rest, "to=<"))
		return pf_status(l, id, rest, stamp, pf_pid(prog));
	if (ls_starts(rest, "reject: ") || ls_starts(rest, "milter-reject: ") ||
	    (ls_starts(m, "NOQUEUE: ") && ls_starts(ls_from(m, 9), "reject: "))) {
		if (!log_stamp_ok(l, stamp))
			return MTA_LOG_OTHER;
		l->rejected++;
		return MTA_LOG_REJECTED;
	}
	if ((ls_starts(rest, "connect to ") || ls_starts(rest, "lost connection with ") ||
	     ls_starts(rest, "SSL_connect error to ") || ls_starts(rest, "conversation with ")) &&
	    log_stamp_ok(l, stamp))
		return log_hosterr(l, rest, pf_pid(prog));
	return MTA_LOG_OTHER;
}

/* A Postfix line after its timestamp: "host prog/name[pid]: message". */
static enum mta_log_kind pf_line(struct mta_log *l, struct lspan v, struct lspan stamp)
{
	size_t h = ls_chr(v, ' '), p, slash;
	struct lspan prog;

	v = ls_from(v, h + 1);
	p = ls_chr(v, ' ');
	prog = (struct lspan){v.s, p};
	if (p < 2 || p == v.n || prog.s[p - 1] != ':')
		return MTA_LOG_OTHER;
	slash = ls_chr(prog, '/');
	if (slash == 0 || slash >= p)
		return MTA_LOG_OTHER; /* not "syslog_name/service" */
	return pf_message(l, ls_from(v, p + 1), stamp, prog);
}

/* An Exim message id: "1vABCD-000ABC-12" or 4.97+ "1vABCD-00000ABCDE-ABCD"; its length, or 0. */
static size_t ex_msgid(struct lspan v)
{
	size_t i = 0, part = 0, len = 0;
	static const size_t lo[3] = {6, 6, 2}, hi[3] = {6, 11, 4};

	for (;;) {
		if (i < v.n && ls_alnum((unsigned char)v.s[i])) {
			i++;
			len++;
			continue;
		}
		if (len < lo[part] || len > hi[part])
			return 0;
		if (part == 2)
			return i < v.n && v.s[i] == ' ' ? i : 0;
		if (i >= v.n || v.s[i] != '-')
			return 0;
		part++;
		len = 0;
		i++;
	}
}

/* An Exim line after its timestamp: "[pid] ID FLAG address ... reason". */
static enum mta_log_kind ex_line(struct mta_log *l, struct lspan v, struct lspan stamp)
{
	size_t k, a;
	struct lspan id, rest, addr, reason;
	long at;

	if (v.n > 0 && v.s[0] == '[')
		v = ls_from(v, ls_chr(v, ' ') + 1); /* log_selector +pid */
	if ((k = ex_msgid(v)) == 0) {
		if (ls_find(v, " rejected ") >= 0 || ls_starts(v, "rejected ")) {
			l->rejected++;
			return MTA_LOG_REJECTED;
		}
		return MTA_LOG_OTHER;
	}
	id = (struct lspan){v.s, k};
	rest = ls_from(v, k + 1);
	if (rest.n < 4 || rest.s[2] != ' ') {
		if (ls_find(rest, "TLS error on connection") >= 0)
			return log_hosterr(l, rest, 0);
		return MTA_LOG_OTHER;
	}
	addr = ls_from(rest, 3);
	a = ls_chr(addr, ' ');
	reason = ls_from(addr, a + 1);
	addr.n = a;
	if (ls_starts(rest, "=> ") || ls_starts(rest, "-> "))
		return log_attempt(l, MTA_LOG_SENT, id, addr, reason, stamp, 0);
	if (ls_starts(rest, "** "))
		return log_attempt(l, MTA_LOG_BOUNCED, id, addr, reason, stamp, 0);
	if (ls_starts(rest, "== ")) {
		if ((at = ls_find(reason, "defer (")) >= 0)
			reason = ls_from(reason, (size_t)at);
		return log_attempt(l, MTA_LOG_DEFERRED, id, addr, reason, stamp, 0);
	}
	return MTA_LOG_OTHER;
}

enum mta_log_kind mta_log_line(struct mta_log *l, const char *line, size_t len)
{
	struct lspan v = {line != NULL ? line : "", line != NULL ? len : 0};
	size_t skip;
	struct lspan stamp = v;
	int exim;

	l->lines++;
	l->last_reason = NULL;
	l->last_reason_len = 0;
	/*
	 * The classic stamp has a fixed shape: only its length is needed here;
	 * it is read (and a line with a bad one passed over) when the line
	 * counts. Other stamps are read now.
	 */
	if (v.n > 16 && v.s[3] == ' ' && v.s[6] == ' ' && v.s[9] == ':' && v.s[15] == ' ')
		skip = 16;
	else if (ls_time(v.s, v.n, l->year, l->now, &skip, &l->tcache, 0) == 0)
		return MTA_LOG_OTHER;
	/* Exim's stamp is "YYYY-MM-DD HH:MM:SS"; Postfix's classic or RFC 3339 */
	exim = v.n > 10 && v.s[10] == ' ' && v.s[4] == '-';
	if ((exim && l->mta == MTA_LOG_POSTFIX) || (!exim && l->mta == MTA_LOG_EXIM))
		return MTA_LOG_OTHER;
	v = ls_from(v, skip);
	return exim ? ex_line(l, v, stamp) : pf_line(l, v, stamp);
}
