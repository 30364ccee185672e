/*
 * dns_wire.c - raw class-IN queries and their answers, over whichever
 * c-ares query API the build finds (see dns_wire.h).
 *
 * c-ares >= 1.28 (ARES_VERSION 0x011c00): ares_query_dnsrec() hands us a
 * parsed ares_dns_record_t; we walk its answer section ourselves, following
 * the CNAME chain from the question name (RFC 1034 §3.6.2, RFC 2181 §10.1.1).
 * Older c-ares: ares_query() hands us the wire message and the
 * ares_parse_*_reply() functions do the same walk. Both fold the rcode and
 * the answer count into the status (ARES_ENOTFOUND, ARES_ENODATA,
 * ARES_ESERVFAIL with ARES_FLAG_NOCHECKRESP), so dns.c cannot tell them apart.
 *
 * Ownership: the caller owns each struct dns_wire_req until its callback
 * ran; answers are borrowed for the duration of the callback only.
 */
#include "dns/dns_wire.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#if ARES_VERSION >= 0x011c00
#define DNS_WIRE_DNSREC 1
#else
#define DNS_WIRE_DNSREC 0
#include <arpa/nameser.h>
#include <netdb.h>
#endif

/* Append one address of family af (4 or 16 bytes at p) to res, if room is left. */
static void dns_wire_add_addr(struct dns_host *res, int af, const void *p)
{
	struct net_addr *a;

	if (res->n >= DNS_MAX_ADDRS)
		return;
	a = &res->addr[res->n++];
	memset(a, 0, sizeof(*a));
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, p, sizeof(sin->sin_addr));
		a->len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, p, sizeof(sin6->sin6_addr));
		a->len = sizeof(*sin6);
	}
}

/* Append one MX record to res (the array grows per record, owned by the resolver); 0, or -1 out of memory. */
static int dns_wire_add_mx(struct dns_mx_set *res, int pref, const char *name)
{
	struct dns_mx_rr *rr = realloc((void *)res->mx, ((size_t)res->n + 1) * sizeof(*rr));

	if (rr == NULL)
		return -1;
	rr[res->n].pref = pref;
	dns_name_copy(rr[res->n].name, name != NULL ? name : "");
	res->mx = rr;
	res->n++;
	return 0;
}

/* Add one PTR name to res unless it is already there. */
static void dns_wire_add_ptr(struct dns_ptr *res, const char *name)
{
	if (name == NULL || res->n == DNS_MAX_PTR)
		return;
	for (int i = 0; i < res->n; i++)
		if (dns_name_eq(res->name[i], name))
			return;
	dns_name_copy(res->name[res->n++], name);
}

/* Append one TXT record (len bytes at p) to res; 0, or -1 out of memory. */
static int dns_wire_add_txt(struct dns_txt *res, const void *p, size_t len)
{
	struct dns_txt_rr *rr = realloc((void *)res->rr, ((size_t)res->n + 1) * sizeof(*rr));
	char *text;

	if (rr == NULL)
		return -1;
	res->rr = rr;
	if ((text = malloc(len + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(text, p, len);
	text[len] = '\0';
	rr[res->n].len = len;
	rr[res->n].text = text;
	res->n++;
	return 0;
}

/* Deliver the outcome of req once. */
static void dns_wire_done(struct dns_wire_req *req, int status, const struct dns_answer *ans)
{
	if (req->called)
		return;
	req->called = 1;
	req->cb(req->arg, status, status == ARES_SUCCESS ? ans : NULL);
}

#if DNS_WIRE_DNSREC
/* ---- c-ares >= 1.28: ares_query_dnsrec() and the record reader ---- */

struct dns_answer {
	const ares_dns_record_t *rec;
};

/* c-ares callback: hand the parsed record on. */
static void dns_wire_on_rec(void *arg, ares_status_t status, size_t timeouts,
			    const ares_dns_record_t *rec)
{
	struct dns_answer ans = {rec};

	(void)timeouts;
	if (status == ARES_SUCCESS && rec == NULL)
		status = ARES_EBADRESP;
	dns_wire_done(arg, (int)status, &ans);
}

/* Send one query through ares_query_dnsrec(). */
void dns_wire_query(ares_channel ch, const char *name, enum dns_wire_type type,
		    struct dns_wire_req *req, dns_wire_cb *cb, void *arg)
{
	ares_status_t rc;

	req->cb = cb;
	req->arg = arg;
	req->called = 0;
	rc = ares_query_dnsrec(ch, name, ARES_CLASS_IN, (ares_dns_rec_type_t)type, dns_wire_on_rec,
			       req, NULL);
	if (rc != ARES_SUCCESS)
		dns_wire_done(req, (int)rc, NULL);
}

/* Answer record i of ans when it is class IN, of type and (owner != NULL) owned by owner. */
static const ares_dns_rr_t *dns_wire_rr(const struct dns_answer *ans, size_t i,
					ares_dns_rec_type_t type, const char *owner)
{
	const ares_dns_rr_t *rr = ares_dns_record_rr_get_const(ans->rec, ARES_SECTION_ANSWER, i);

	if (rr == NULL || ares_dns_rr_get_type(rr) != type ||
	    ares_dns_rr_get_class(rr) != ARES_CLASS_IN)
		return NULL;
	if (owner != NULL &&
	    (ares_dns_rr_get_name(rr) == NULL || !dns_name_eq(ares_dns_rr_get_name(rr), owner)))
		return NULL;
	return rr;
}

/*
 * The name the answer is about: the question name, followed through each
 * CNAME owned by the current name (at most one step per answer record, so a
 * loop ends). *aliased is set when at least one CNAME was followed.
 */
static const char *dns_wire_chain(const struct dns_answer *ans, int *aliased)
{
	const char *cur = NULL;
	size_t n = ares_dns_record_rr_cnt(ans->rec, ARES_SECTION_ANSWER);
	int moved = 1;

	*aliased = 0;
	if (ares_dns_record_query_get(ans->rec, 0, &cur, NULL, NULL) != ARES_SUCCESS || cur == NULL)
		return NULL;
	for (size_t step = 0; step < n && moved; step++) {
		moved = 0;
		for (size_t i = 0; i < n; i++) {
			const ares_dns_rr_t *rr = dns_wire_rr(ans, i, ARES_REC_TYPE_CNAME, cur);
			const char *to = rr ? ares_dns_rr_get_str(rr, ARES_RR_CNAME_CNAME) : NULL;

			if (to != NULL && !dns_name_eq(to, cur)) {
				cur = to;
				*aliased = moved = 1;
				break;
			}
		}
	}
	return cur;
}

/* Append the MX records of the answer. */
int dns_wire_mx(const struct dns_answer *ans, struct dns_mx_set *res)
{
	size_t n = ares_dns_record_rr_cnt(ans->rec, ARES_SECTION_ANSWER);

	for (size_t i = 0; i < n; i++) {
		const ares_dns_rr_t *rr = dns_wire_rr(ans, i, ARES_REC_TYPE_MX, NULL);

		if (rr != NULL &&
		    dns_wire_add_mx(res, ares_dns_rr_get_u16(rr, ARES_RR_MX_PREFERENCE),
				    ares_dns_rr_get_str(rr, ARES_RR_MX_EXCHANGE)) != 0)
			return ARES_ENOMEM;
	}
	return ARES_SUCCESS;
}

/* Append the addresses of family af owned by the end of the CNAME chain. */
int dns_wire_host(const struct dns_answer *ans, int af, struct dns_host *res)
{
	size_t n = ares_dns_record_rr_cnt(ans->rec, ARES_SECTION_ANSWER);
	ares_dns_rec_type_t type = af == AF_INET ? ARES_REC_TYPE_A : ARES_REC_TYPE_AAAA;
	int aliased, before = res->n;
	const char *name = dns_wire_chain(ans, &aliased);

	if (name == NULL)
		return ARES_EBADRESP;
	if (aliased) {
		res->cname = 1;
		dns_name_copy(res->canon, name);
	}
	for (size_t i = 0; i < n; i++) {
		const ares_dns_rr_t *rr = dns_wire_rr(ans, i, type, name);
		const void *p = NULL;

		if (rr != NULL && af == AF_INET)
			p = ares_dns_rr_get_addr(rr, ARES_RR_A_ADDR);
		else if (rr != NULL)
			p = ares_dns_rr_get_addr6(rr, ARES_RR_AAAA_ADDR);
		if (p != NULL)
			dns_wire_add_addr(res, af, p);
	}
	/* As the old parser: no address of this family at the end of the chain is NODATA. */
	return res->n > before ? ARES_SUCCESS : ARES_ENODATA;
}

/* Add the PTR names owned by the end of the CNAME chain. */
int dns_wire_ptr(const struct dns_answer *ans, struct dns_ptr *res)
{
	size_t n = ares_dns_record_rr_cnt(ans->rec, ARES_SECTION_ANSWER);
	int aliased;
	const char *name = dns_wire_chain(ans, &aliased);

	if (name == NULL)
		return ARES_EBADRESP;
	for (size_t i = 0; i < n; i++) {
		const ares_dns_rr_t *rr = dns_wire_rr(ans, i, ARES_REC_TYPE_PTR, name);

		if (rr != NULL)
			dns_wire_add_ptr(res, ares_dns_rr_get_str(rr, ARES_RR_PTR_DNAME));
	}
	return ARES_SUCCESS;
}

/* Append the TXT records owned by the end of the CNAME chain (c-ares joins the strings). */
int dns_wire_txt(const struct dns_answer *ans, struct dns_txt *res)
{
	size_t n = ares_dns_record_rr_cnt(ans->rec, ARES_SECTION_ANSWER);
	int aliased;
	const char *name = dns_wire_chain(ans, &aliased);

	if (name == NULL)
		return ARES_EBADRESP;
	for (size_t i = 0; i < n; i++) {
		const ares_dns_rr_t *rr = dns_wire_rr(ans, i, ARES_REC_TYPE_TXT, name);
		const unsigned char *p;
		size_t len = 0;

		if (rr == NULL)
			continue;
		p = ares_dns_rr_get_bin(rr, ARES_RR_TXT_DATA, &len);
		if (dns_wire_add_txt(res, p != NULL ? p : (const unsigned char *)"", len) != 0)
			return ARES_ENOMEM;
	}
	return ARES_SUCCESS;
}

/* Which API: the record reader. */
const char *dns_wire_api(void)
{
	return "dnsrec";
}

#else
/* ---- c-ares < 1.28: ares_query() and ares_parse_*_reply() ---- */

struct dns_answer {
	const unsigned char *abuf;
	int alen;
};

/* c-ares callback: hand the wire message on. */
static void dns_wire_on_buf(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_answer ans = {abuf, alen};

	(void)timeouts;
	if (status == ARES_SUCCESS && abuf == NULL)
		status = ARES_EBADRESP;
	dns_wire_done(arg, status, &ans);
}

/* Send one query through ares_query() (which reports failures through the callback). */
void dns_wire_query(ares_channel ch, const char *name, enum dns_wire_type type,
		    struct dns_wire_req *req, dns_wire_cb *cb, void *arg)
{
	req->cb = cb;
	req->arg = arg;
	req->called = 0;
	ares_query(ch, name, ns_c_in, (int)type, dns_wire_on_buf, req);
}

/* Append the MX records of the answer. */
int dns_wire_mx(const struct dns_answer *ans, struct dns_mx_set *res)
{
	struct ares_mx_reply *mx = NULL;
	int rc = ares_parse_mx_reply(ans->abuf, ans->alen, &mx);

	for (const struct ares_mx_reply *m = mx; rc == ARES_SUCCESS && m != NULL; m = m->next)
		if (dns_wire_add_mx(res, m->priority, m->host) != 0)
			rc = ARES_ENOMEM;
	ares_free_data(mx);
	return rc;
}

/* Append the addresses of family af (the parser follows the CNAME chain). */
int dns_wire_host(const struct dns_answer *ans, int af, struct dns_host *res)
{
	struct hostent *h = NULL;
	int rc = af == AF_INET ? ares_parse_a_reply(ans->abuf, ans->alen, &h, NULL, NULL)
			       : ares_parse_aaaa_reply(ans->abuf, ans->alen, &h, NULL, NULL);

	if (rc != ARES_SUCCESS)
		return rc;
	/* An alias in the answer means the name was a CNAME (RFC 2181 §10.1.1). */
	if (h->h_aliases != NULL && h->h_aliases[0] != NULL && h->h_name != NULL) {
		res->cname = 1;
		dns_name_copy(res->canon, h->h_name);
	}
	for (int i = 0; h->h_addr_list != NULL && h->h_addr_list[i] != NULL; i++)
		dns_wire_add_addr(res, af, h->h_addr_list[i]);
	ares_free_hostent(h);
	return ARES_SUCCESS;
}

/* Add the PTR names of the answer. */
int dns_wire_ptr(const struct dns_answer *ans, struct dns_ptr *res)
{
	struct hostent *h = NULL;
	unsigned char none[4] = {0}; /* the parser copies an address into the hostent */
	int rc = ares_parse_ptr_reply(ans->abuf, ans->alen, none, sizeof(none), AF_INET, &h);

	if (rc != ARES_SUCCESS)
		return rc;
	dns_wire_add_ptr(res, h->h_name);
	for (int i = 0; h->h_aliases != NULL && h->h_aliases[i] != NULL; i++)
		dns_wire_add_ptr(res, h->h_aliases[i]);
	ares_free_hostent(h);
	return ARES_SUCCESS;
}

/* Append the TXT records of the answer, joining the strings of each (record_start marks a new one). */
int dns_wire_txt(const struct dns_answer *ans, struct dns_txt *res)
{
	struct ares_txt_ext *txt = NULL;
	int rc = ares_parse_txt_reply_ext(ans->abuf, ans->alen, &txt);
	char *join = NULL;
	size_t len = 0;

	for (const struct ares_txt_ext *t = txt; rc == ARES_SUCCESS && t != NULL; t = t->next) {
		char *grown = realloc(join, len + t->length + 1);

		if (grown == NULL) {
			rc = ARES_ENOMEM;
			break;
		}
		join = grown;
		memcpy(join + len, t->txt, t->length);
		len += t->length;
		/* The record ends where the next one starts, or with the answer. */
		if ((t->next == NULL || t->next->record_start) &&
		    dns_wire_add_txt(res, join, len) != 0)
			rc = ARES_ENOMEM;
		if (t->next == NULL || t->next->record_start)
			len = 0;
	}
	free(join);
	ares_free_data(txt);
	return rc;
}

/* Which API: the legacy parsers. */
const char *dns_wire_api(void)
{
	return "legacy";
}
#endif
