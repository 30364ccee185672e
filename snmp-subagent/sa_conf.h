/*
 * sa_conf.h - the subagent's configuration file, parsed strictly.
 *
 * One check per line:  check NAME INTERVAL COMMAND ARGS...
 * NAME is 1-64 of [A-Za-z0-9._-], INTERVAL whole seconds (1-86400),
 * COMMAND a plugin name (check_mail_smtp, or a path ending in one), ARGS
 * the plugin's options exactly as on its command line. Words are split
 * like a POSIX shell without expansions: 'single' and "double" quotes,
 * backslash escapes; '#' at the start of a word begins a comment.
 * Pure text processing (no I/O besides sa_conf_load): fuzzed.
 */
#ifndef MAILPATH_SA_CONF_H
#define MAILPATH_SA_CONF_H

#include <stddef.h>

#define SA_CONF_NAME_MAX 64
#define SA_CONF_LINE_MAX 4096
#define SA_CONF_ARGS_MAX 64
#define SA_CONF_CHECKS_MAX 10000
#define SA_CONF_INTERVAL_MAX 86400
#define SA_CONF_FILE_MAX (16L * 1024 * 1024)

struct sa_conf_check {
	char name[SA_CONF_NAME_MAX + 1];
	unsigned interval_s;
	int argc;    /* argv[0] is the command */
	char **argv; /* owned, NULL-terminated */
	int line;
};

struct sa_conf {
	struct sa_conf_check *check; /* owned */
	size_t n;
};

/* Parse text (len bytes, need not be terminated) into c; 0, or -1 with "line N: why" in err. */
int sa_conf_parse(struct sa_conf *c, const char *text, size_t len, char *err, size_t errlen);
/* Read and parse a file; 0, or -1 with a message in err. */
int sa_conf_load(struct sa_conf *c, const char *path, char *err, size_t errlen);
/* Release what parse stored; c is left empty. */
void sa_conf_reset(struct sa_conf *c);
/* Split one line into words (shell-like); returns the count, or -1 with why in err. */
int sa_conf_split(const char *line, size_t len, char **words, int max, char *err, size_t errlen);
/* The command's plugin name: argv[0] without its directory. */
const char *sa_conf_command(const struct sa_conf_check *k);

#endif
