/*
 * mta_index.c - the destination index and the helpers the MTA readers share.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mta/mta_index.h"

/* The domain at position i of base. */
static const char *mta_index_name(const void *base, size_t stride, size_t i)
{
	return (const char *)base + i * stride;
}

/* FNV-1a of a lower-case domain. */
static size_t mta_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void mta_index_free(struct mta_index *x)
{
	free(x->slot);
	x->slot = NULL;
	x->nslot = 0;
}

int mta_index_reserve(struct mta_index *x, const void *base, size_t stride, size_t n)
{
	size_t ns, *slot;

	if ((n + 1) * 2 <= x->nslot)
		return 0;
	ns = x->nslot == 0 ? 64 : x->nslot * 2;
	if ((slot = malloc(ns * sizeof(*slot))) == NULL)
		return -1;
	for (size_t i = 0; i < ns; i++)
		slot[i] = SIZE_MAX;
	for (size_t d = 0; d < n; d++) {
		size_t i = mta_hash(mta_index_name(base, stride, d)) & (ns - 1);

		while (slot[i] != SIZE_MAX)
			i = (i + 1) & (ns - 1);
		slot[i] = d;
	}
	free(x->slot);
	x->slot = slot;
	x->nslot = ns;
	return 0;
}

size_t mta_index_lookup(const struct mta_index *x, const void *base, size_t stride,
			const char *domain)
{
	size_t i = mta_hash(domain) & (x->nslot - 1);

	while (x->slot[i] != SIZE_MAX &&
	       strcmp(mta_index_name(base, stride, x->slot[i]), domain) != 0)
		i = (i + 1) & (x->nslot - 1);
	return i;
}

size_t mta_index_find(const struct mta_index *x, const void *base, size_t stride,
		      const char *domain)
{
	if (x->nslot == 0)
		return SIZE_MAX;
	return x->slot[mta_index_lookup(x, base, stride, domain)];
}

int mta_rcpt_domain(const char *addr, size_t alen, char *dom)
{
	const char *at = NULL;
	size_t n;

	for (size_t i = 0; i < alen; i++)
		if (addr[i] == '@')
			at = addr + i;
	if (at == NULL)
		return -1;
	n = alen - (size_t)(at + 1 - addr);
	if (n > 0 && at[n] == '.')
		n--;
	if (n == 0 || n >= DNS_NAME_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)at[1 + i];

		if (ch < 0x21 || ch == 0x7f)
			return -1;
		dom[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	dom[n] = '\0';
	return 0;
}

size_t mta_cause_index(const struct cause *c)
{
	const struct cause *const *list;
	size_t n = cause_all(&list);

	for (size_t i = 0; i < n; i++)
		if (list[i] == c)
			return i;
	return n;
}
