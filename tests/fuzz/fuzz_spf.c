/*
 * fuzz_spf.c - libFuzzer target: the SPF record parser and the macro
 * expander (common/dns/spf_record.c) on any input.
 *
 * Checks their promises: no crash; a parsed record's terms and specs lie
 * inside its own copy, with CIDR lengths in range; checking a macro-string
 * (env NULL) agrees with expanding it; an expansion is NUL-terminated, of
 * the length returned, and a domain expansion at most 253 characters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dns/spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless cond holds (kept in release builds, unlike assert), naming the line. */
#define fuzz_check(cond) fuzz_check_at((cond), __LINE__)
static void fuzz_check_at(int cond, int line)
{
	if (!cond) {
		fprintf(stderr, "fuzz_spf.c:%d: check failed\n", line);
		abort();
	}
}

/* Expand text both ways and compare. */
static void fuzz_macro(const char *text, size_t len, const struct spf_macro_env *env)
{
	char out[4096], dom[SPF_DOMAIN_MAX], err[SPF_ERR_MAX];
	int checked = env->exp ? 0 : spf_macro_expand(text, len, NULL, NULL, 0, err, sizeof(err));
	int n = spf_macro_expand(text, len, env, out, sizeof(out), err, sizeof(err));

	if (n >= 0) {
		fuzz_check((size_t)n < sizeof(out) && strlen(out) == (size_t)n);
		fuzz_check(env->exp || checked >= 0);
	}
	if (!env->exp && checked < 0)
		fuzz_check(n < 0);
	if (spf_macro_domain(text, len, env, dom, err, sizeof(err)) == 0)
		fuzz_check(strlen(dom) <= 253);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record r = {0};
	struct net_addr ip;
	char err[SPF_ERR_MAX];
	const char *text = (const char *)data;
	struct spf_macro_env env = {
		.sender = "strong-bad@email.example.com",
		.local = "strong-bad",
		.local_len = 10,
		.sender_domain = "email.example.com",
		.domain = "email.example.com",
		.ip = &ip,
		.helo = "mx.example.org",
		.now = 1700000000,
	};

	if (net_addr_parse(size % 2 ? "2001:db8::cb01" : "192.0.2.3", 0, &ip) != 0)
		abort();
	fuzz_macro(text, size, &env);
	env.exp = 1;
	fuzz_macro(text, size, &env);
	env.exp = 0;
	if (spf_record_parse(&r, text, size, err, sizeof(err)) == 0) {
		size_t blen = size; /* buf is the record split by NULs */

		fuzz_check(spf_record_is_spf(text, size));
		fuzz_check(r.n >= 0 && r.n <= SPF_MAX_TERMS);
		for (int i = 0; i < r.n; i++) {
			const struct spf_term *t = &r.term[i];

			fuzz_check(t->text >= r.buf && t->text < r.buf + blen);
			fuzz_check(t->cidr4 >= 0 && t->cidr4 <= 32 && t->cidr6 >= 0 &&
				   t->cidr6 <= 128);
			if (t->spec_len > 0) {
				fuzz_check(t->spec > t->text &&
					   t->spec + t->spec_len <= r.buf + blen);
				fuzz_macro(t->spec, t->spec_len, &env);
			}
		}
		if (r.redirect != NULL)
			fuzz_macro(r.redirect, r.redirect_len, &env);
		if (r.exp != NULL)
			fuzz_macro(r.exp, r.exp_len, &env);
	}
	spf_record_reset(&r);
	return 0;
}
