/*
 * smtp_re.c - bounds on the -R regular expressions, decided before regcomp.
 *
 * glibc's regcomp copies the tree a quantifier applies to (x+ is x x*,
 * x{m,n} is n copies), then computes, for every node, the nodes it reaches
 * without consuming input. Stacked or nested quantifiers make both
 * explode: "x" and 90 '+' took gigabytes, "x" and nine "+?" three seconds,
 * "(x*)*{1999}" eight (fuzz_check_args found the first two). A scan of
 * the pattern, linear in its length and without compiling or forking,
 * measures three things and smtp_regex_bounded() refuses the pattern when
 * one is over its bound:
 * - the nodes regcomp makes, counted from above (SMTP_RE_NODES_MAX; a
 *   regex without nested loops, e.g. "x{1,2000}", compiles in tens of ms);
 * - the loop nesting depth: "(a+)+" and "x**" are 2, "x+?+?+?" is 6
 *   (SMTP_RE_DEPTH_MAX);
 * - the nested weight: the nodes under every loop that contains a loop,
 *   after copying ("(x*)*" weighs 3, "(x*)*{400}" 1,200), which is what the
 *   closure computation is quadratic in (SMTP_RE_NESTED_MAX).
 * Depth 3 is refused because glibc is exponential in a sequence of such
 * loops ("x*?+" 15 times: 320 ms, 20 times: seconds). On glibc 2.36 the
 * slowest of 20,000 random and targeted patterns inside all three bounds
 * compiled in about 50 ms (x{1,2000}-like node counts; nested weight 256
 * costs about 15 ms); the old CPU limit in a child was 250 ms.
 * Real patterns such as "^250 ([0-9]{1,3}\\.){3}[0-9]{1,3}" have no nested
 * loop (a fixed count is not a loop) and cost microseconds. No child
 * process and no timer: the subagent checks -R on its event loop.
 */
#include <regex.h>
#include <string.h>

#include "smtp/smtp.h"

#define SMTP_RE_LEN_MAX 1024
#define SMTP_RE_NODES_MAX 5000
#define SMTP_RE_DEPTH_MAX 2
#define SMTP_RE_NESTED_MAX 256
#define SMTP_RE_SAT (SMTP_RE_NODES_MAX + 1) /* counts saturate here */

/* What the scan of a (sub)expression found. */
struct smtp_re_scan {
	size_t n;  /* nodes, from above, saturating at SMTP_RE_SAT */
	int depth; /* loops inside loops: 0 none, 1 "x*", 2 "(x*)*"; capped */
	size_t w;  /* nested weight: nodes under loops that hold a loop, saturating */
};

static struct smtp_re_scan smtp_re_branches(const char **p, int groups);

/* a * k + add, saturating at SMTP_RE_SAT. */
static size_t smtp_re_mul(size_t a, size_t k, size_t add)
{
	if (k != 0 && a > SMTP_RE_SAT / k)
		return SMTP_RE_SAT;
	a = a * k + add;
	return a > SMTP_RE_SAT ? SMTP_RE_SAT : a;
}

/* Skip a bracket expression; *p is just past '['. */
static void smtp_re_bracket(const char **p)
{
	const char *q = *p;

	if (*q == '^')
		q++;
	if (*q == ']')
		q++;
	while (*q != '\0' && *q != ']') {
		if (q[0] == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
			char end = q[1];

			q += 2;
			while (*q != '\0' && !(q[0] == end && q[1] == ']'))
				q++;
			if (*q != '\0')
				q++;
		}
		if (*q != '\0')
			q++;
	}
	*p = *q == ']' ? q + 1 : q;
}

/* A decimal number at *p, capped; advances *p past all its digits. */
static size_t smtp_re_number(const char **p)
{
	size_t v = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++)
		if (v <= SMTP_RE_NODES_MAX)
			v = v * 10 + (size_t)(**p - '0');
	return v;
}

/*
 * The copies an interval "{m}", "{m,}" or "{m,n}" at *p makes (0 when *p is
 * not one); *loop is set when some copies are optional.
 */
static size_t smtp_re_interval(const char **p, int *loop)
{
	const char *q = *p + 1;
	size_t m, n;

	if (*q < '0' || *q > '9')
		return 0;
	m = n = smtp_re_number(&q);
	if (*q == ',') {
		q++;
		n = (*q >= '0' && *q <= '9') ? smtp_re_number(&q) : m + 1;
	}
	if (*q != '}')
		return 0;
	*p = q + 1;
	*loop = n > m;
	n = n > m ? n : m;
	return n > 0 ? n : 1;
}

/*
 * Apply a quantifier making k copies (loop: with a loop) to the scan of its
 * operand: the copies multiply nodes and nested weight, and a loop around
 * a loop adds its copied operand to the weight and one level of depth.
 */
static void smtp_re_quant(struct smtp_re_scan *a, size_t k, int loop)
{
	size_t w = smtp_re_mul(a->w, k, 0);

	if (loop && a->depth > 0)
		w = smtp_re_mul(a->n, k, w);
	a->w = w;
	if (loop && a->depth <= SMTP_RE_DEPTH_MAX)
		a->depth++;
	a->n = smtp_re_mul(a->n, k, k);
}

/* Scan one atom and the quantifiers after it; advances *p. */
static struct smtp_re_scan smtp_re_atom(const char **p, int groups)
{
	struct smtp_re_scan a = {1, 0, 0};
	size_t k;
	int loop;

	if (**p == '(') {
		(*p)++;
		a = smtp_re_branches(p, groups + 1);
		a.n = smtp_re_mul(a.n, 1, 1);
		if (**p == ')')
			(*p)++;
	} else if (**p == '[') {
		(*p)++;
		smtp_re_bracket(p);
	} else if (**p == '\\' && (*p)[1] != '\0') {
		*p += 2;
	} else {
		(*p)++;
	}
	for (;;) {
		if (**p == '*' || **p == '?') {
			smtp_re_quant(&a, 1, 1);
			(*p)++;
		} else if (**p == '+') {
			smtp_re_quant(&a, 2, 1); /* x+ is x x* */
			(*p)++;
		} else if (**p == '{' && (k = smtp_re_interval(p, &loop)) > 0) {
			smtp_re_quant(&a, k, loop);
		} else {
			return a;
		}
	}
}

/* Scan branches separated by '|' up to an unmatched ')' or the end. */
static struct smtp_re_scan smtp_re_branches(const char **p, int groups)
{
	struct smtp_re_scan s = {0, 0, 0}, a;

	while (**p != '\0' && s.n <= SMTP_RE_NODES_MAX) {
		if (**p == ')' && groups > 0)
			break;
		if (**p == '|') {
			(*p)++;
			s.n = smtp_re_mul(s.n, 1, 1);
			continue;
		}
		a = smtp_re_atom(p, groups);
		s.n = smtp_re_mul(s.n, 1, a.n);
		s.w = smtp_re_mul(s.w, 1, a.w);
		s.depth = a.depth > s.depth ? a.depth : s.depth;
	}
	return s;
}

/*
 * 1 when re is short, and regcomp's copies, loop nesting and nested weight
 * stay within their bounds (RE_LEN, NODES, DEPTH, NESTED); 0 otherwise.
 * Group nesting is bounded by the length.
 */
int smtp_regex_bounded(const char *re)
{
	struct smtp_re_scan s;
	const char *p = re;

	if (re == NULL || strlen(re) > SMTP_RE_LEN_MAX)
		return 0;
	s = smtp_re_branches(&p, 0);
	return s.n <= SMTP_RE_NODES_MAX && s.depth <= SMTP_RE_DEPTH_MAX &&
	       s.w <= SMTP_RE_NESTED_MAX;
}

/*
 * 1 when re is a POSIX extended regex within the bounds of
 * smtp_regex_bounded() that regcomp accepts, else 0. No fork, no timer.
 */
int smtp_regex_valid(const char *re)
{
	regex_t r;

	if (!smtp_regex_bounded(re) || regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	regfree(&r);
	return 1;
}
