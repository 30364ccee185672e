/*
 * fuzz_dnsbl.c - libFuzzer target for the blocklist core (common/dns/dnsbl.c).
 *
 * Input: "LIST\nTARGET\n" then an answer: a status byte, an address count
 * byte, that many 4-byte IPv4 answers, and the rest TXT records split at
 * 0xff bytes. The first byte of LIST picks the kind (odd: domain). Checked
 * invariants, else abort(): a query name is NUL-terminated within its buffer;
 * an answer is listed, not listed or failed, never two at once; a listed code
 * is in 127/8 and neither 127.0.0.1 nor 127.255.255.x; a failed answer has no
 * codes; the TXT reason stays within its buffer and is NUL-terminated.
 */
#include <ares.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dnsbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TXT_MAX 16

/* The next line of data (up to '\n') as a NUL-terminated copy, advancing *p. */
static char *fuzz_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl != NULL ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += nl != NULL ? n + 1 : n;
	return s;
}

/* The answer part of the input as a host result (and TXT records, pointing into data). */
static void fuzz_answer(const uint8_t *p, const uint8_t *end, struct dns_host *h,
			struct dns_txt_rr *rr, struct dns_txt *t)
{
	static const int statuses[] = {ARES_SUCCESS, ARES_ENOTFOUND, ARES_ENODATA, ARES_ESERVFAIL,
				       ARES_ETIMEOUT};
	int n;

	memset(h, 0, sizeof(*h));
	memset(t, 0, sizeof(*t));
	t->rr = rr;
	if (end - p < 2)
		return;
	h->status = statuses[p[0] % 5];
	n = p[1] % (DNS_MAX_ADDRS + 1);
	p += 2;
	for (int i = 0; i < n && end - p >= 4; i++, p += 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&h->addr[i].ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, p, 4);
		h->addr[i].len = sizeof(*sin);
		h->n = i + 1;
	}
	while (p < end && t->n < FUZZ_TXT_MAX) {
		const uint8_t *ff = memchr(p, 0xff, (size_t)(end - p));
		size_t k = ff != NULL ? (size_t)(ff - p) : (size_t)(end - p);

		rr[t->n].text = (char *)(uintptr_t)p;
		rr[t->n].len = k;
		t->n++;
		p += ff != NULL ? k + 1 : k;
	}
}

/* Abort unless a is exactly one of listed, not listed, failed, with sane codes. */
static void fuzz_check_answer(const struct dnsbl_answer *a)
{
	if (a->fail.cls != FAIL_NONE && (a->listed || a->ncodes != 0))
		abort();
	if (a->listed != (a->ncodes > 0) || a->ncodes > DNSBL_CODES_MAX)
		abort();
	for (int i = 0; i < a->ncodes; i++) {
		uint32_t v = a->codes[i].addr;

		if ((v >> 24) != 127 || v == 0x7f000001u || (v & 0xffffff00u) == 0x7fffff00u)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *ltext = NULL, *ttext = NULL, err[128], name[DNS_NAME_MAX], reason[64];
	struct dnsbl_list l;
	struct dnsbl_target t;
	struct dns_host h;
	struct dns_txt txt;
	struct dns_txt_rr rr[FUZZ_TXT_MAX];
	struct dnsbl_answer a, b;
	enum dnsbl_kind kind;
	size_t n;

	if (size == 0)
		return 0;
	kind = (data[0] & 1) ? DNSBL_DOMAIN : DNSBL_IP;
	if ((ltext = fuzz_line(&p, end)) == NULL || (ttext = fuzz_line(&p, end)) == NULL)
		goto out;
	if (dnsbl_list_parse(ltext, kind, &l, err, sizeof(err)) != 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		(void)dnsbl_list_parse("bl.test", kind, &l, err, sizeof(err));
	}
	if (strlen(l.zone) > DNSBL_ZONE_MAX || l.table == NULL)
		abort();
	if (dnsbl_target_parse(ttext, kind, &t, err, sizeof(err)) == 0 &&
	    dnsbl_query_name(&t, l.zone, name, sizeof(name)) == 0 && strlen(name) >= sizeof(name))
		abort();
	fuzz_answer(p, end, &h, rr, &txt);
	dnsbl_decode(&l, &h, &a);
	fuzz_check_answer(&a);
	dnsbl_decode(&l, &h, &b);
	if (dnsbl_health_of(&a, &b) == DNSBL_HEALTH_OK && !a.listed)
		abort();
	dnsbl_health_fail(&l, dnsbl_health_of(&a, &b), data[0] & 2 ? AF_INET6 : AF_INET, &b);
	fuzz_check_answer(&b);
	n = dnsbl_reason(&txt, reason, sizeof(reason));
	if (n >= sizeof(reason) || reason[n] != '\0')
		abort();
out:
	free(ltext);
	free(ttext);
	return 0;
}
