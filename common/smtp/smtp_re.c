/*
 * smtp_re.c - checks of the -R regular expressions before regcomp sees them.
 *
 * glibc's regcomp copies the tree a quantifier applies to (x+
 * is x x*, x{m,n} is n copies), then computes, for every node, the nodes
 * it reaches without consuming input. Stacked or nested quantifiers make
 * both explode: "x" and 90 '+' took gigabytes, "x" and nine "+?" three
 * seconds, "(x*)*{1999}" eight (fuzz_check_args found the first two). No
 * simple size formula bounds the time, so smtp_regex_valid() bounds the
 * two separately:
 * - the copies, by counting the nodes from above (smtp_regex_small: at
 *   most SMTP_RE_NODES_MAX, tens of milliseconds and a few MB at most for
 *   a regex without nested loops, e.g. "x{1,2500}");
 * - the time of a regex with a loop inside a loop ("(a+)+", "x**"), by
 *   compiling it once in a child process limited to SMTP_RE_CPU_MS of CPU.
 * Real patterns such as "^250 ([0-9]{1,3}\\.){3}[0-9]{1,3}" have no nested
 * loop (a fixed count is not a loop) and cost microseconds, without a fork.
 */
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smtp/smtp.h"

#define SMTP_RE_LEN_MAX 1024
#define SMTP_RE_NODES_MAX 5000
#define SMTP_RE_CPU_MS 250

/* What the scan of a (sub)expression found. */
struct smtp_re_scan {
	size_t n;   /* nodes, from above, saturating past SMTP_RE_NODES_MAX */
	int loop;   /* contains *, +, ? or an interval with optional copies */
	int nested; /* a loop was applied to something containing a loop */
};

static struct smtp_re_scan smtp_re_branches(const char **p, int depth);

/* a * k + add, saturating just above SMTP_RE_NODES_MAX. */
static size_t smtp_re_mul(size_t a, size_t k, size_t add)
{
	if (k != 0 && a > (SMTP_RE_NODES_MAX + 1) / k)
		return SMTP_RE_NODES_MAX + 1;
	a = a * k + add;
	return a > SMTP_RE_NODES_MAX ? SMTP_RE_NODES_MAX + 1 : a;
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

/* Apply a quantifier making k copies (loop: with a loop) to the scan of its operand. */
static void smtp_re_quant(struct smtp_re_scan *a, size_t k, int loop)
{
	if (loop && a->loop)
		a->nested = 1;
	a->loop |= loop;
	a->n = smtp_re_mul(a->n, k, k);
}

/* Scan one atom and the quantifiers after it; advances *p. */
static struct smtp_re_scan smtp_re_atom(const char **p, int depth)
{
	struct smtp_re_scan a = {1, 0, 0};
	size_t k;
	int loop;

	if (**p == '(') {
		(*p)++;
		a = smtp_re_branches(p, depth + 1);
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
static struct smtp_re_scan smtp_re_branches(const char **p, int depth)
{
	struct smtp_re_scan s = {0, 0, 0}, a;

	while (**p != '\0' && s.n <= SMTP_RE_NODES_MAX) {
		if (**p == ')' && depth > 0)
			break;
		if (**p == '|') {
			(*p)++;
			s.n = smtp_re_mul(s.n, 1, 1);
			continue;
		}
		a = smtp_re_atom(p, depth);
		s.n = smtp_re_mul(s.n, 1, a.n);
		s.loop |= a.loop;
		s.nested |= a.nested;
	}
	return s;
}

/* Scan re (at most SMTP_RE_LEN_MAX bytes, else n is over the cap). */
static struct smtp_re_scan smtp_re_scan(const char *re)
{
	struct smtp_re_scan s = {SMTP_RE_NODES_MAX + 1, 0, 0};
	const char *p = re;

	if (strlen(re) <= SMTP_RE_LEN_MAX)
		s = smtp_re_branches(&p, 0);
	return s;
}

/* Whether regcomp's copies of re stay small: short, and at most SMTP_RE_NODES_MAX nodes. */
int smtp_regex_small(const char *re)
{
	return smtp_re_scan(re).n <= SMTP_RE_NODES_MAX;
}

/* Child of smtp_regex_valid(): compile re under a CPU-time limit; never returns. */
static void smtp_re_child(const char *re)
{
	struct itimerval it = {{0, 0}, {0, (long)SMTP_RE_CPU_MS * 1000L}};
	regex_t r;

	signal(SIGVTALRM, SIG_DFL);
	if (setitimer(ITIMER_VIRTUAL, &it, NULL) != 0)
		_exit(2);
	_exit(regcomp(&r, re, REG_EXTENDED | REG_NOSUB) == 0 ? 0 : 1);
}

/*
 * 1 when re is a POSIX extended regex that compiles in bounded memory and
 * time (-R option checks; forks once when re has a nested loop), else 0.
 */
int smtp_regex_valid(const char *re)
{
	struct smtp_re_scan sc;
	regex_t r;
	pid_t pid;
	int st;

	if (re == NULL)
		return 0;
	sc = smtp_re_scan(re);
	if (sc.n > SMTP_RE_NODES_MAX)
		return 0;
	if (!sc.nested) {
		if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
			return 0;
		regfree(&r);
		return 1;
	}
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	return 0; /* libFuzzer: a fork per input would slow it 100-fold; unit-tested instead */
#endif
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0)
		smtp_re_child(re);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
