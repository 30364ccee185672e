/*
 * spf_record.h - the sans-I/O half of SPF (RFC 7208): the record parser
 * (§4.5, §4.6, §12) and the macro expander (§7). No DNS, no loop: the
 * evaluator (dns/spf.h) feeds them text and reads plain data back.
 */
#ifndef MAILPATH_SPF_RECORD_H
#define MAILPATH_SPF_RECORD_H

#include <stddef.h>
#include "base/net_addr.h"

/* The results of check_host() (RFC 7208 §2.6); qualifiers map onto the first four. */
enum spf_result {
	SPF_NONE,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
};

/* The mechanisms of §5. */
enum spf_mech {
	SPF_MECH_ALL,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
};

#define SPF_MAX_TERMS 128
#define SPF_ERR_MAX 160
/* A domain name after macro expansion (§7.3: at most 253 characters). */
#define SPF_DOMAIN_MAX 254
/* An expanded explanation string. */
#define SPF_EXP_MAX 1024

/*
 * One directive. text is the whole term as written ("-ip4:192.0.2.0/24");
 * spec/spec_len the domain-spec inside it (spec_len 0: none given). cidr4
 * and cidr6 are the prefix lengths (32 and 128 when none is given); net is
 * the network of ip4/ip6.
 */
struct spf_term {
	enum spf_mech mech;
	enum spf_result qual;
	const char *text;
	const char *spec;
	size_t spec_len;
	int cidr4, cidr6;
	struct net_addr net;
};

/*
 * A parsed record: terms point into buf, which the record owns
 * (spf_record_reset frees it). redirect/exp are the domain-specs of those
 * modifiers, or NULL.
 */
struct spf_record {
	char *buf;
	int n;
	struct spf_term term[SPF_MAX_TERMS];
	const char *redirect, *exp;
	size_t redirect_len, exp_len;
};

/* Name of a result ("pass", "permerror", ...). */
const char *spf_result_name(enum spf_result r);
/* 1 when the TXT text is an SPF record: "v=spf1" then a space or its end (§4.5). */
int spf_record_is_spf(const char *text, size_t len);
/*
 * Parse an SPF record (§4.6, §12). 0, or -1 with a message in err (a
 * syntax error anywhere is a permerror, §4.6). r must be zeroed or reset
 * before; it holds memory afterwards either way (spf_record_reset).
 */
int spf_record_parse(struct spf_record *r, const char *text, size_t len, char *err, size_t errlen);
/* Free what a parse allocated and zero r. */
void spf_record_reset(struct spf_record *r);

/*
 * What the macros of §7.2 expand to. local/local_len and the domains are
 * borrowed; validated is %{p} (NULL: "unknown"), receiver %{r} (NULL:
 * "unknown"), now %{t}. exp: the text is an explanation (§7.2: c, r and t
 * are allowed only there, and so are spaces, §6.2).
 */
struct spf_macro_env {
	const char *sender;
	const char *local;
	size_t local_len;
	const char *sender_domain;
	const char *domain;
	const struct net_addr *ip;
	const char *helo;
	const char *validated;
	const char *receiver;
	long long now;
	int exp;
};

/*
 * Check or expand a macro-string (§7.1). With env NULL the text is only
 * checked. Returns the length written to out (NUL-terminated), or -1 with a
 * message in err on a syntax error or when out is too small.
 */
int spf_macro_expand(const char *in, size_t len, const struct spf_macro_env *env, char *out,
		     size_t outlen, char *err, size_t errlen);
/* 1 when the macro-string uses %{p} (the evaluator then resolves it first). */
int spf_macro_uses_p(const char *in, size_t len);
/*
 * Expand a domain-spec into a name (at most 253 characters: labels are
 * dropped from the left, §7.3; one trailing dot removed). 0, or -1 with err.
 */
int spf_macro_domain(const char *in, size_t len, const struct spf_macro_env *env,
		     char out[SPF_DOMAIN_MAX], char *err, size_t errlen);

/* 1 when a is inside net/prefix (same family; IPv4-mapped IPv6 compared as IPv4). */
int spf_addr_in(const struct net_addr *a, const struct net_addr *net, int prefix);
/* a as IPv4 when it is an IPv4-mapped IPv6 address (§5: treated as IPv4), else a copy. */
void spf_addr_unmap(const struct net_addr *a, struct net_addr *out);
/* 1 when name is a usable domain for check_host (§4.3): multi-label, labels 1..63. */
int spf_domain_ok(const char *name);

#endif
