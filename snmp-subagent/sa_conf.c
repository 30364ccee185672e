/*
 * sa_conf.c - strict parser of the subagent configuration (see sa_conf.h).
 *
 * Ownership: a struct sa_conf owns its checks and their argv strings.
 * Every limit is checked and reported with the line number; nothing is
 * guessed. A failed parse leaves the struct empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sa_conf.h"

/* Word splitter states: between words, in a bare word, in '...', in "...". */
enum sa_split_state { SPLIT_GAP, SPLIT_WORD, SPLIT_SQUOTE, SPLIT_DQUOTE };

/*
 * Write a formatted message into err; evaluates to -1. A macro, not a
 * variadic function, so that static analysis sees the -1 (clang's
 * analyzer does not follow calls into variadic functions).
 */
#define SA_CONF_ERR(err, errlen, ...) (snprintf((err), (errlen), __VA_ARGS__), -1)

/* Free n words. */
static void sa_words_free(char **words, int n)
{
	for (int i = 0; i < n; i++)
		free(words[i]);
}

/* Finish the word in cur (len bytes) as words[*n]; 0 or -1. */
static int sa_word_end(char *cur, size_t len, char **words, int *n, int max, char *err,
		       size_t errlen)
{
	if (*n >= max)
		return SA_CONF_ERR(err, errlen, "more than %d words", max);
	if ((words[*n] = strndup(cur, len)) == NULL)
		return SA_CONF_ERR(err, errlen, "out of memory");
	(*n)++;
	return 0;
}

/* One character outside quotes; returns the new state, or -1 when the line ends here. */
static int sa_split_bare(char ch, enum sa_split_state st, int *esc)
{
	if (ch == '\\') {
		*esc = 1;
		return SPLIT_WORD;
	}
	if (ch == '\'')
		return SPLIT_SQUOTE;
	if (ch == '"')
		return SPLIT_DQUOTE;
	if (ch == '#' && st == SPLIT_GAP)
		return -1;
	return SPLIT_WORD;
}

int sa_conf_split(const char *line, size_t len, char **words, int max, char *err, size_t errlen)
{
	char cur[SA_CONF_LINE_MAX];
	size_t cl = 0;
	int n = 0, esc = 0, ns;
	enum sa_split_state st = SPLIT_GAP;

	if (len >= sizeof(cur))
		return SA_CONF_ERR(err, errlen, "line longer than %d bytes", SA_CONF_LINE_MAX - 1);
	for (size_t i = 0; i < len; i++) {
		char ch = line[i];

		if (ch == '\0' || ch == '\n' || ch == '\r' ||
		    (ch != '\t' && (unsigned char)ch < 0x20)) {
			sa_words_free(words, n);
			return SA_CONF_ERR(err, errlen, "control character 0x%02x",
					   (unsigned char)ch);
		}
		if (esc) {
			esc = 0;
			cur[cl++] = ch;
			continue;
		}
		if (st == SPLIT_SQUOTE) {
			if (ch == '\'')
				st = SPLIT_WORD;
			else
				cur[cl++] = ch;
			continue;
		}
		if (st == SPLIT_DQUOTE) {
			if (ch == '"')
				st = SPLIT_WORD;
			else if (ch == '\\' && i + 1 < len &&
				 (line[i + 1] == '"' || line[i + 1] == '\\'))
				esc = 1;
			else
				cur[cl++] = ch;
			continue;
		}
		if (ch == ' ' || ch == '\t') {
			if (st == SPLIT_WORD &&
			    sa_word_end(cur, cl, words, &n, max, err, errlen) != 0) {
				sa_words_free(words, n);
				return -1;
			}
			st = SPLIT_GAP;
			cl = 0;
			continue;
		}
		ns = sa_split_bare(ch, st, &esc);
		if (ns < 0)
			break;
		if (ns == SPLIT_WORD && !esc)
			cur[cl++] = ch;
		st = (enum sa_split_state)ns;
	}
	if (esc || st == SPLIT_SQUOTE || st == SPLIT_DQUOTE) {
		sa_words_free(words, n);
		return SA_CONF_ERR(err, errlen,
				   esc ? "backslash at end of line" : "unterminated quote");
	}
	if (st == SPLIT_WORD && sa_word_end(cur, cl, words, &n, max, err, errlen) != 0) {
		sa_words_free(words, n);
		return -1;
	}
	return n;
}

/* 1 when name is 1..SA_CONF_NAME_MAX of [A-Za-z0-9._-]. */
static int sa_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SA_CONF_NAME_MAX)
		return 0;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
	       n;
}

/* Parse a whole number of seconds 1..SA_CONF_INTERVAL_MAX; 0 or -1. */
static int sa_interval_parse(const char *s, unsigned *out)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 6)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < 1 || v > SA_CONF_INTERVAL_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Turn the words of one "check" line into k (taking the words); 0 or -1. */
static int sa_conf_check_take(struct sa_conf_check *k, char **words, int n, char *err,
			      size_t errlen)
{
	if (n < 4)
		return SA_CONF_ERR(err, errlen, "want: check NAME INTERVAL COMMAND [ARGS...]");
	if (!sa_name_ok(words[1]))
		return SA_CONF_ERR(err, errlen, "invalid check name (1-%d of A-Z a-z 0-9 . _ -)",
				   SA_CONF_NAME_MAX);
	if (sa_interval_parse(words[2], &k->interval_s) != 0)
		return SA_CONF_ERR(err, errlen, "invalid interval '%.16s': want seconds 1-%d",
				   words[2], SA_CONF_INTERVAL_MAX);
	if (words[3][0] == '\0')
		return SA_CONF_ERR(err, errlen, "empty command");
	k->argv = (char **)calloc((size_t)n - 2, sizeof(*k->argv));
	if (k->argv == NULL)
		return SA_CONF_ERR(err, errlen, "out of memory");
	snprintf(k->name, sizeof(k->name), "%s", words[1]);
	k->argc = n - 3;
	for (int i = 3; i < n; i++) {
		k->argv[i - 3] = words[i];
		words[i] = NULL;
	}
	return 0;
}

/* Release one check's argv. */
static void sa_conf_check_reset(struct sa_conf_check *k)
{
	for (int i = 0; k->argv != NULL && i < k->argc; i++)
		free(k->argv[i]);
	free((void *)k->argv);
	k->argv = NULL;
	k->argc = 0;
}

/* Parse one line into c (appending a check when it holds one); 0 or -1. */
static int sa_conf_line(struct sa_conf *c, const char *line, size_t len, char *err, size_t errlen)
{
	char *words[SA_CONF_ARGS_MAX + 4];
	struct sa_conf_check k = {0}, *grown;
	int n = sa_conf_split(line, len, words, SA_CONF_ARGS_MAX + 4, err, errlen), rc = -1;

	if (n <= 0)
		return n;
	if (strcmp(words[0], "check") != 0) {
		(void)SA_CONF_ERR(err, errlen, "unknown directive '%.32s'", words[0]);
		goto out;
	}
	if (c->n >= SA_CONF_CHECKS_MAX) {
		(void)SA_CONF_ERR(err, errlen, "more than %d checks", SA_CONF_CHECKS_MAX);
		goto out;
	}
	if (sa_conf_check_take(&k, words, n, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->check[i].name, k.name) == 0) {
			(void)SA_CONF_ERR(err, errlen,
					  "check '%s' defined twice (first on line %d)", k.name,
					  c->check[i].line);
			goto out;
		}
	grown = realloc(c->check, (c->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		(void)SA_CONF_ERR(err, errlen, "out of memory");
		goto out;
	}
	c->check = grown;
	c->check[c->n++] = k;
	k.argv = NULL;
	rc = 0;
out:
	sa_conf_check_reset(&k);
	sa_words_free(words, n);
	return rc;
}

int sa_conf_parse(struct sa_conf *c, const char *text, size_t len, char *err, size_t errlen)
{
	size_t pos = 0;
	int lineno = 0;
	char why[200];

	c->check = NULL;
	c->n = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, ll = end - pos;

		lineno++;
		if (ll > 0 && text[pos + ll - 1] == '\r')
			ll--;
		if (sa_conf_line(c, text + pos, ll, why, sizeof(why)) != 0) {
			sa_conf_reset(c);
			return SA_CONF_ERR(err, errlen, "line %d: %s", lineno, why);
		}
		if (c->n > 0 && c->check[c->n - 1].line == 0)
			c->check[c->n - 1].line = lineno;
		pos = end + 1;
	}
	return 0;
}

int sa_conf_load(struct sa_conf *c, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	char *text = NULL;
	ssize_t got = 0, n;
	/* O_NONBLOCK: opening a FIFO (or a device) must not block the event loop; it is refused below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), rc = -1;

	c->check = NULL;
	c->n = 0;
	if (fd < 0)
		return SA_CONF_ERR(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > SA_CONF_FILE_MAX) {
		(void)SA_CONF_ERR(err, errlen, "%s: not a regular file of at most %ld bytes", path,
				  SA_CONF_FILE_MAX);
		goto out;
	}
	if ((text = malloc((size_t)sb.st_size + 1)) == NULL) {
		(void)SA_CONF_ERR(err, errlen, "out of memory");
		goto out;
	}
	while (got < sb.st_size && (n = read(fd, text + got, (size_t)(sb.st_size - got))) > 0)
		got += n;
	if (got != sb.st_size) {
		(void)SA_CONF_ERR(err, errlen, "%s: short read", path);
		goto out;
	}
	rc = sa_conf_parse(c, text, (size_t)got, err, errlen);
	if (rc != 0) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		(void)SA_CONF_ERR(err, errlen, "%s: %s", path, tmp);
	}
out:
	free(text);
	close(fd);
	return rc;
}

void sa_conf_reset(struct sa_conf *c)
{
	for (size_t i = 0; i < c->n; i++)
		sa_conf_check_reset(&c->check[i]);
	free(c->check);
	c->check = NULL;
	c->n = 0;
}

const char *sa_conf_command(const struct sa_conf_check *k)
{
	const char *slash = strrchr(k->argv[0], '/');

	return slash ? slash + 1 : k->argv[0];
}
