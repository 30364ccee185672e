/*
 * commands.h - the commands of the mailpath binary (`mailpath spf ...`).
 * Each is a row of options, help text and a run function; the binary
 * (plugins/mailpath.c) hands argv[1..] to one of them, and its --help (the
 * source of its man page, scripts/man.sh) is made from all of them.
 */
#ifndef MAILPATH_COMMANDS_H
#define MAILPATH_COMMANDS_H

#include <stdio.h>
#include "front/check.h"

/* Exit codes of the commands: a result was reached / usage error or no result in time. */
#define CHECKS_CMD_OK 0
#define CHECKS_CMD_USAGE 3

struct checks_cmd {
	const char *name;             /* "spf" */
	const char *synopsis;         /* the usage after "mailpath NAME " */
	const struct check_opt *opts; /* its options (CHECK_OPT_END ends them) */
	const char *notes;            /* --help: after the options */
	const char *examples;         /* --help: example command lines */
	/* Run with argv[0] the command's name; prints to out and err; returns the exit code. */
	int (*run)(int argc, char **argv, FILE *out, FILE *err);
};

extern const struct checks_cmd checks_cmd_spf;
extern const struct checks_cmd checks_cmd_explain;

/* The command named name, or NULL. */
const struct checks_cmd *checks_cmd_find(const char *name);
/* The whole help of the mailpath binary (every command) to f. */
void checks_cmd_help(FILE *f);
/* The version line ("mailpath (mailpath 0.1.0)") to f. */
void checks_cmd_version(FILE *f);
/* A usage error: "mailpath[ CMD]: MSG (see mailpath --help)" to err; returns CHECKS_CMD_USAGE. */
int checks_cmd_usage(FILE *err, const char *cmd, const char *msg);

#endif
