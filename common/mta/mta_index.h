/*
 * mta_index.h - what the MTA readers share: an open-addressing index of
 * destination domains kept in the caller's own array, the domain of a
 * recipient address, and a cause's place in cause_all()'s list.
 *
 * The index holds positions, never the entries: each entry of the array
 * (stride bytes apart) begins with its NUL-terminated domain, so
 * mta_queue's and mta_log's destination records stay their own types.
 * Pure: no I/O.
 */
#ifndef MAILPATH_MTA_INDEX_H
#define MAILPATH_MTA_INDEX_H

#include <stddef.h>
#include "dns/dns_result.h"
#include "verdict/classify.h"

struct mta_index {
	size_t *slot; /* positions into the caller's array; SIZE_MAX: empty */
	size_t nslot; /* a power of two, or 0 before the first entry */
};

void mta_index_free(struct mta_index *x);

/*
 * Make room for one more entry besides the n in base (rebuilding the index
 * from them when it is half full); 0, or -1 when out of memory.
 */
int mta_index_reserve(struct mta_index *x, const void *base, size_t stride, size_t n);

/*
 * The slot of domain among the entries of base: x->slot[result] is its
 * position, or SIZE_MAX with the empty slot where it would go. x must have
 * a slot (mta_index_reserve once, or check nslot).
 */
size_t mta_index_lookup(const struct mta_index *x, const void *base, size_t stride,
			const char *domain);

/* The position of domain in base, or SIZE_MAX. */
size_t mta_index_find(const struct mta_index *x, const void *base, size_t stride,
		      const char *domain);

/*
 * The recipient's domain, lower case, into dom (DNS_NAME_MAX): after the
 * last '@', without a trailing dot. 0, or -1 when there is none, it does
 * not fit or it has blanks or control bytes.
 */
int mta_rcpt_domain(const char *addr, size_t alen, char *dom);

/* The position of c in cause_all()'s list (its length when c is not there). */
size_t mta_cause_index(const struct cause *c);

#endif
