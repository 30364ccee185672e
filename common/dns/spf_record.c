/*
 * spf_record.c - SPF record parser and macro expander (RFC 7208 §4.5,
 * §4.6, §5, §6, §7, §12), sans-I/O.
 *
 * A record is copied once into the spf_record's buf and split into terms
 * in place; the terms point into it. The macro expander writes into a
 * caller's buffer of fixed size and fails rather than truncate (except the
 * label cut of §7.3, which the RFC asks for).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dns/spf_record.h"

static const char *const spf_result_names[] = {
	[SPF_NONE] = "none",           [SPF_NEUTRAL] = "neutral",   [SPF_PASS] = "pass",
	[SPF_FAIL] = "fail",           [SPF_SOFTFAIL] = "softfail", [SPF_TEMPERROR] = "temperror",
	[SPF_PERMERROR] = "permerror",
};

const char *spf_result_name(enum spf_result r)
{
	return (unsigned)r < sizeof(spf_result_names) / sizeof(spf_result_names[0])
		       ? spf_result_names[r]
		       : "?";
}

int spf_record_is_spf(const char *text, size_t len)
{
	return len >= 6 && strncasecmp(text, "v=spf1", 6) == 0 && (len == 6 || text[6] == ' ');
}

/* ---- macros (§7) ---- */

/* Append n bytes to out at *pos; -1 when they do not fit (with the NUL). */
static int spf_put(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
	if (out == NULL) {
		*pos += n;
		return 0;
	}
	if (*pos + n + 1 > outlen)
		return -1;
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

/* %{i} of an IPv6 address: 32 nibbles, dot separated (§7.3). */
static void spf_nibbles(const struct in6_addr *a, char *dst)
{
	static const char hex[] = "0123456789abcdef";
	char *p = dst;

	for (int i = 0; i < 16; i++) {
		*p++ = hex[a->s6_addr[i] >> 4];
		*p++ = '.';
		*p++ = hex[a->s6_addr[i] & 15];
		*p++ = i == 15 ? '\0' : '.';
	}
}

/* The raw value of macro letter c (lower case) into buf; NULL when the letter is unknown. */
static const char *spf_macro_value(int c, const struct spf_macro_env *e, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&e->ip->ss;
	int v6 = e->ip->ss.ss_family == AF_INET6;

	switch (c) {
	case 's': return e->sender;
	case 'l': snprintf(buf, len, "%.*s", (int)e->local_len, e->local); return buf;
	case 'o': return e->sender_domain;
	case 'd': return e->domain;
	case 'h': return e->helo;
	case 'p': return e->validated != NULL ? e->validated : "unknown";
	case 'r': return e->receiver != NULL ? e->receiver : "unknown";
	case 'v': return v6 ? "ip6" : "in-addr";
	case 't': snprintf(buf, len, "%lld", e->now); return buf;
	case 'c': return net_addr_str(e->ip, buf, len);
	case 'i':
		if (!v6)
			return net_addr_str(e->ip, buf, len);
		spf_nibbles(&s6->sin6_addr, buf);
		return buf;
	default: return NULL;
	}
}

/* Split v on the delimiters, reverse if asked, keep the rightmost keep parts, join with '.'. */
static size_t spf_transform(const char *v, const char *delims, int keep, int rev, char *dst,
			    size_t dstlen)
{
	const char *part[256];
	size_t plen[256], n = 0, o = 0;
	const char *p = v;

	for (;;) {
		size_t l = strcspn(p, delims);

		if (n == 256)
			break;
		part[n] = p;
		plen[n++] = l;
		if (p[l] == '\0')
			break;
		p += l + 1;
	}
	if (rev)
		for (size_t i = 0; i < n / 2; i++) {
			const char *t = part[i];
			size_t tl = plen[i];

			part[i] = part[n - 1 - i];
			plen[i] = plen[n - 1 - i];
			part[n - 1 - i] = t;
			plen[n - 1 - i] = tl;
		}
	for (size_t i = keep > 0 && (size_t)keep < n ? n - (size_t)keep : 0; i < n; i++) {
		if (o > 0 && o + 1 < dstlen)
			dst[o++] = '.';
		if (o + plen[i] + 1 > dstlen)
			break;
		memcpy(dst + o, part[i], plen[i]);
		o += plen[i];
	}
	dst[o] = '\0';
	return o;
}

/* Append s, URL-escaped when esc (§7.3: uppercase macros; unreserved kept, RFC 3986). */
static int spf_put_value(char *out, size_t outlen, size_t *pos, const char *s, int esc)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char hex[4];

		if (!esc || isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			if (spf_put(out, outlen, pos, s, 1) != 0)
				return -1;
			continue;
		}
		snprintf(hex, sizeof(hex), "%%%02X", c);
		if (spf_put(out, outlen, pos, hex, 3) != 0)
			return -1;
	}
	return 0;
}

/*
 * Parse one macro-expand "{...}" at in[*i] (just after the '%') and expand
 * it. -1 with err on a syntax error or overflow.
 */
static int spf_macro_one(const char *in, size_t len, size_t *i, const struct spf_macro_env *env,
			 int exp, char *out, size_t outlen, size_t *pos, char *err, size_t errlen)
{
	size_t j = *i + 1; /* past '{' */
	int letter, keep = 0, rev = 0, upper;
	char delims[8] = "", dl = 0, raw[256], val[1024];
	const char *v;

	if (j >= len) {
		snprintf(err, errlen, "unterminated macro");
		return -1;
	}
	letter = tolower((unsigned char)in[j]);
	upper = isupper((unsigned char)in[j]);
	if (strchr("slodiphcrtv", letter) == NULL || letter == '\0') {
		snprintf(err, errlen, "unknown macro letter '%c'", in[j]);
		return -1;
	}
	if (!exp && strchr("crt", letter) != NULL) {
		snprintf(err, errlen, "macro %%{%c} is allowed only in an explanation", in[j]);
		return -1;
	}
	for (j++; j < len && isdigit((unsigned char)in[j]); j++)
		keep = keep > 1000 ? keep : keep * 10 + (in[j] - '0');
	if (j > *i + 2 && keep == 0) {
		snprintf(err, errlen, "macro digit transformer 0");
		return -1;
	}
	if (j < len && (in[j] == 'r' || in[j] == 'R')) {
		rev = 1;
		j++;
	}
	for (; j < len && strchr(".-+,/_=", in[j]) != NULL && in[j] != '\0'; j++)
		if (strchr(delims, in[j]) == NULL && dl < 7)
			delims[(int)dl++] = in[j];
	if (j >= len || in[j] != '}') {
		snprintf(err, errlen, "malformed macro");
		return -1;
	}
	*i = j + 1;
	if (env == NULL)
		return spf_put(out, outlen, pos, "", 0);
	if ((v = spf_macro_value(letter, env, raw, sizeof(raw))) == NULL)
		v = "";
	spf_transform(v, dl ? delims : ".", keep, rev, val, sizeof(val));
	if (spf_put_value(out, outlen, pos, val, upper) != 0) {
		snprintf(err, errlen, "macro expansion too long");
		return -1;
	}
	return 0;
}

/* The scanner behind spf_macro_expand; *last_lit: offset where the final literal run starts. */
static int spf_macro_scan(const char *in, size_t len, const struct spf_macro_env *env, int exp,
			  char *out, size_t outlen, size_t *last_lit, char *err, size_t errlen)
{
	size_t i = 0, pos = 0;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	*last_lit = len; /* len: the text ends in a macro (or is empty) */
	while (i < len) {
		unsigned char c = (unsigned char)in[i];
		const char *lit = NULL;

		if (c != '%') {
			if ((c < 0x21 || c > 0x7e) && !(exp && c == ' ')) {
				snprintf(err, errlen, "invalid character 0x%02x", c);
				return -1;
			}
			if (*last_lit == len || *last_lit == (size_t)-1)
				*last_lit = i;
			if (spf_put(out, outlen, &pos, in + i, 1) != 0)
				goto toolong;
			i++;
			continue;
		}
		if (i + 1 >= len) {
			snprintf(err, errlen, "'%%' at the end");
			return -1;
		}
		switch (in[i + 1]) {
		case '%': lit = "%"; break;
		case '_': lit = " "; break;
		case '-': lit = "%20"; break;
		case '{':
			i++;
			if (spf_macro_one(in, len, &i, env, exp, out, outlen, &pos, err, errlen) !=
			    0)
				return -1;
			*last_lit = len;
			continue;
		default: snprintf(err, errlen, "invalid '%%%c'", in[i + 1]); return -1;
		}
		/* An escape is a literal, but not one of a toplabel (§12: domain-end). */
		*last_lit = (size_t)-1;
		if (spf_put(out, outlen, &pos, lit, strlen(lit)) != 0)
			goto toolong;
		i += 2;
	}
	return (int)pos;
toolong:
	snprintf(err, errlen, "expansion too long");
	return -1;
}

int spf_macro_expand(const char *in, size_t len, const struct spf_macro_env *env, char *out,
		     size_t outlen, char *err, size_t errlen)
{
	size_t last;

	return spf_macro_scan(in, len, env, env != NULL && env->exp, env != NULL ? out : NULL,
			      outlen, &last, err, errlen);
}

int spf_macro_uses_p(const char *in, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++) {
		if (in[i] != '%')
			continue;
		if (in[i + 1] == '{' && (in[i + 2] == 'p' || in[i + 2] == 'P'))
			return 1;
		i++; /* skip the escaped character ("%%{p}" is literal) */
	}
	return 0;
}

int spf_macro_domain(const char *in, size_t len, const struct spf_macro_env *env,
		     char out[SPF_DOMAIN_MAX], char *err, size_t errlen)
{
	char buf[2048];
	const char *p = buf;
	int n = spf_macro_expand(in, len, env, buf, sizeof(buf), err, errlen);
	size_t l;

	if (n < 0)
		return -1;
	l = (size_t)n;
	if (l > 0 && buf[l - 1] == '.')
		l--; /* one trailing dot: out is terminated below */
	/* §7.3: drop labels from the left until at most 253 characters remain. */
	while (l > SPF_DOMAIN_MAX - 1) {
		const char *dot = memchr(p, '.', l);

		if (dot == NULL) {
			snprintf(err, errlen, "expanded domain too long");
			return -1;
		}
		l -= (size_t)(dot + 1 - p);
		p = dot + 1;
	}
	memcpy(out, p, l);
	out[l] = '\0';
	return 0;
}

/* ---- the parser (§4.6, §12) ---- */

/* 1 when s[0..n) is a toplabel: alphanumerics with a letter, or with inner hyphens. */
static int spf_toplabel_ok(const char *s, size_t n)
{
	int alpha = 0, hyphen = 0;

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '-')
			hyphen = 1;
		else if (isalpha(c))
			alpha = 1;
		else if (!isdigit(c))
			return 0;
	}
	return alpha || hyphen;
}

/* Check a domain-spec: a macro-string ending in "." toplabel ["."] or in a macro (§12). */
static int spf_spec_ok(const char *s, size_t n, char *err, size_t errlen)
{
	size_t last, end = n;
	const char *dot;

	if (n == 0) {
		snprintf(err, errlen, "empty domain-spec");
		return -1;
	}
	if (spf_macro_scan(s, n, NULL, 0, NULL, 0, &last, err, errlen) < 0)
		return -1;
	if (last == n)
		return 0; /* ends in a macro-expand */
	if (last != (size_t)-1) {
		if (s[end - 1] == '.')
			end--;
		dot = memrchr(s + last, '.', end - last);
		if (dot != NULL && spf_toplabel_ok(dot + 1, (size_t)(s + end - dot - 1)))
			return 0;
	}
	snprintf(err, errlen, "invalid domain-spec '%.*s'", (int)n, s);
	return -1;
}

/* Parse a CIDR length "/N" text of n digits; -1 unless 0..max without a leading zero. */
static int spf_cidr(const char *s, size_t n, int max)
{
	int v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Length of the trailing digits of s[0..n). */
static size_t spf_tail_digits(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && isdigit((unsigned char)s[n - 1 - k]))
		k++;
	return k;
}

/*
 * Strip a trailing dual-cidr-length ("/24", "//64", "/24//64") from
 * rest[0..*n) into t (§5.3). dual 0: only an ip4- or ip6-cidr (max).
 */
static int spf_strip_cidr(const char *rest, size_t *n, struct spf_term *t, int dual, int max,
			  char *err, size_t errlen)
{
	size_t k = spf_tail_digits(rest, *n);

	if (dual && k > 0 && *n >= k + 2 && rest[*n - k - 1] == '/' && rest[*n - k - 2] == '/') {
		if ((t->cidr6 = spf_cidr(rest + *n - k, k, 128)) < 0)
			goto bad;
		*n -= k + 2;
		k = spf_tail_digits(rest, *n);
	}
	if (k > 0 && *n >= k + 1 && rest[*n - k - 1] == '/') {
		int v = spf_cidr(rest + *n - k, k, dual ? 32 : max);

		if (v < 0)
			goto bad;
		if (dual || max == 32)
			t->cidr4 = v;
		else
			t->cidr6 = v;
		*n -= k + 1;
	}
	return 0;
bad:
	snprintf(err, errlen, "invalid CIDR length in '%s'", t->text);
	return -1;
}

static const struct {
	const char *name;
	enum spf_mech mech;
} spf_mechs[] = {
	{"all", SPF_MECH_ALL}, {"include", SPF_MECH_INCLUDE}, {"a", SPF_MECH_A},
	{"mx", SPF_MECH_MX},   {"ptr", SPF_MECH_PTR},         {"ip4", SPF_MECH_IP4},
	{"ip6", SPF_MECH_IP6}, {"exists", SPF_MECH_EXISTS},
};

/* The arguments of mechanism t (rest: the text after its name); 0 or -1 with err. */
static int spf_parse_args(struct spf_term *t, const char *rest, char *err, size_t errlen)
{
	size_t n = strlen(rest);
	int family = t->mech == SPF_MECH_IP4 ? AF_INET : AF_INET6;
	char addr[64];

	switch (t->mech) {
	case SPF_MECH_ALL:
		if (n == 0)
			return 0;
		break;
	case SPF_MECH_A:
	case SPF_MECH_MX:
		if (spf_strip_cidr(rest, &n, t, 1, 32, err, errlen) != 0)
			return -1;
		/* fall through */
	case SPF_MECH_PTR:
		if (n == 0)
			return 0;
		/* fall through */
	case SPF_MECH_INCLUDE:
	case SPF_MECH_EXISTS:
		if (n < 1 || rest[0] != ':')
			break;
		t->spec = rest + 1;
		t->spec_len = n - 1;
		return spf_spec_ok(t->spec, t->spec_len, err, errlen);
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		if (spf_strip_cidr(rest, &n, t, 0, family == AF_INET ? 32 : 128, err, errlen) != 0)
			return -1;
		if (n < 2 || rest[0] != ':' || n - 1 >= sizeof(addr))
			break;
		memcpy(addr, rest + 1, n - 1);
		addr[n - 1] = '\0';
		if (strchr(addr, '[') != NULL || net_addr_parse(addr, 0, &t->net) != 0 ||
		    t->net.ss.ss_family != family)
			break;
		return 0;
	}
	snprintf(err, errlen, "invalid mechanism '%s'", t->text);
	return -1;
}

/* A modifier name=value (§6, §12); redirect and exp at most once each. */
static int spf_parse_modifier(struct spf_record *r, const char *term, size_t nlen, char *err,
			      size_t errlen)
{
	const char *v = term + nlen + 1, **spec = NULL;
	size_t *spec_len = NULL, vlen = strlen(v);

	if (!isalpha((unsigned char)term[0])) {
		snprintf(err, errlen, "invalid modifier name in '%s'", term);
		return -1;
	}
	if (nlen == 8 && strncasecmp(term, "redirect", 8) == 0) {
		spec = &r->redirect;
		spec_len = &r->redirect_len;
	} else if (nlen == 3 && strncasecmp(term, "exp", 3) == 0) {
		spec = &r->exp;
		spec_len = &r->exp_len;
	}
	if (spec == NULL) { /* unknown modifiers are ignored, but must parse (§6) */
		return spf_macro_expand(v, vlen, NULL, NULL, 0, err, errlen) < 0 ? -1 : 0;
	}
	if (*spec != NULL) {
		snprintf(err, errlen, "more than one %.*s modifier", (int)nlen, term);
		return -1;
	}
	*spec = v;
	*spec_len = vlen;
	return spf_spec_ok(v, vlen, err, errlen);
}

/* One term: a directive or a modifier. */
static int spf_parse_term(struct spf_record *r, char *term, char *err, size_t errlen)
{
	struct spf_term *t = &r->term[r->n];
	const char *name = term;
	size_t nlen;

	nlen = strspn(term, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
	if (term[nlen] == '=')
		return spf_parse_modifier(r, term, nlen, err, errlen);
	if (r->n == SPF_MAX_TERMS) {
		snprintf(err, errlen, "more than %d terms", SPF_MAX_TERMS);
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->text = term;
	t->qual = SPF_PASS;
	t->cidr4 = 32;
	t->cidr6 = 128;
	switch (*name) {
	case '+': name++; break;
	case '-':
		t->qual = SPF_FAIL;
		name++;
		break;
	case '~':
		t->qual = SPF_SOFTFAIL;
		name++;
		break;
	case '?':
		t->qual = SPF_NEUTRAL;
		name++;
		break;
	default: break;
	}
	nlen = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	for (size_t i = 0; i < sizeof(spf_mechs) / sizeof(spf_mechs[0]); i++) {
		if (strlen(spf_mechs[i].name) != nlen ||
		    strncasecmp(name, spf_mechs[i].name, nlen) != 0)
			continue;
		t->mech = spf_mechs[i].mech;
		if (spf_parse_args(t, name + nlen, err, errlen) != 0)
			return -1;
		r->n++;
		return 0;
	}
	snprintf(err, errlen, "unknown mechanism '%s'", term);
	return -1;
}

int spf_record_parse(struct spf_record *r, const char *text, size_t len, char *err, size_t errlen)
{
	char *p;
	const char *end;

	if (!spf_record_is_spf(text, len)) {
		snprintf(err, errlen, "not an SPF record");
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "NUL byte in the record");
		return -1;
	}
	if ((r->buf = malloc(len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(r->buf, text, len);
	r->buf[len] = '\0';
	end = r->buf + len;
	for (p = r->buf + 6; p < end;) {
		char *t;

		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		t = p;
		p += strcspn(p, " ");
		*p++ = '\0';
		if (spf_parse_term(r, t, err, errlen) != 0)
			return -1;
	}
	return 0;
}

void spf_record_reset(struct spf_record *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* ---- addresses and names ---- */

void spf_addr_unmap(const struct net_addr *a, struct net_addr *out)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	*out = *a;
	if (a->ss.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
		struct in6_addr v6 = s6->sin6_addr;

		memset(&out->ss, 0, sizeof(out->ss));
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, &v6.s6_addr[12], 4);
		out->len = sizeof(*s4);
	}
}

/* The address bytes of a (4 or 16) into *p; 0 when a is no address. */
static int spf_addr_bytes(const struct net_addr *a, const unsigned char **p)
{
	if (a->ss.ss_family == AF_INET) {
		*p = (const unsigned char *)&((const struct sockaddr_in *)&a->ss)->sin_addr;
		return 4;
	}
	if (a->ss.ss_family == AF_INET6) {
		*p = ((const struct sockaddr_in6 *)&a->ss)->sin6_addr.s6_addr;
		return 16;
	}
	return 0;
}

int spf_addr_in(const struct net_addr *a, const struct net_addr *net, int prefix)
{
	struct net_addr x, y;
	const unsigned char *p, *q;
	int n, m;

	spf_addr_unmap(a, &x);
	spf_addr_unmap(net, &y);
	n = spf_addr_bytes(&x, &p);
	m = spf_addr_bytes(&y, &q);
	if (n == 0 || n != m || prefix < 0 || prefix > n * 8)
		return 0;
	for (int i = 0; i < prefix / 8; i++)
		if (p[i] != q[i])
			return 0;
	if (prefix % 8) {
		unsigned char mask = (unsigned char)(0xff << (8 - prefix % 8));

		return (p[prefix / 8] & mask) == (q[prefix / 8] & mask);
	}
	return 1;
}

int spf_domain_ok(const char *name)
{
	size_t n = strlen(name), label = 0;
	int labels = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || name[i] == '.') {
			if (label == 0 || label > 63)
				return 0;
			labels++;
			label = 0;
		} else {
			label++;
		}
	}
	return labels >= 2;
}
