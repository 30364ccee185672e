/*
 * commands.c - the table of mailpath commands and the help made from it
 * (the layout scripts/man.sh reads: title, description, Usage:, Options:,
 * notes, Examples:).
 */
#include <string.h>
#include "checks/commands.h"

#ifndef MAILPATH_VERSION
#define MAILPATH_VERSION "0.1.0"
#endif

/* diagnose will join them here. */
static const struct checks_cmd *const checks_cmds[] = {
	&checks_cmd_spf,
	&checks_cmd_explain,
};

#define CHECKS_NCMDS (sizeof(checks_cmds) / sizeof(checks_cmds[0]))

static const struct check_opt checks_cmd_common[] = {
	{"help", no_argument, 'h', NULL, "Print this help and exit"},
	{"version", no_argument, 'V', NULL, "Print the version and exit"},
	CHECK_OPT_END,
};

const struct checks_cmd *checks_cmd_find(const char *name)
{
	for (size_t i = 0; i < CHECKS_NCMDS; i++)
		if (strcmp(checks_cmds[i]->name, name) == 0)
			return checks_cmds[i];
	return NULL;
}

void checks_cmd_version(FILE *f)
{
	fprintf(f, "mailpath (mailpath %s)\n", MAILPATH_VERSION);
}

void checks_cmd_help(FILE *f)
{
	const struct check_opt *tables[CHECKS_NCMDS + 2];

	checks_cmd_version(f);
	fprintf(f,
		"\nAnswers questions about the mail path from the command line. The spf command\n"
		"evaluates SPF (RFC 7208) for a client address, MAIL FROM and HELO, as a\n"
		"receiving MTA does, and tells which mechanism decided. The explain command\n"
		"tells what an SMTP reply, an MTA log line or a queue delay reason means.\n\nUsage:\n");
	tables[0] = checks_cmd_common;
	for (size_t i = 0; i < CHECKS_NCMDS; i++) {
		fprintf(f, " mailpath %s %s\n", checks_cmds[i]->name, checks_cmds[i]->synopsis);
		tables[i + 1] = checks_cmds[i]->opts;
	}
	tables[CHECKS_NCMDS + 1] = NULL;
	fprintf(f, " mailpath --help | --version\n\nOptions:\n");
	check_opts_help(f, tables);
	for (size_t i = 0; i < CHECKS_NCMDS; i++)
		if (checks_cmds[i]->notes != NULL)
			fprintf(f, "\n%s", checks_cmds[i]->notes);
	fprintf(f, "\nExamples:\n");
	for (size_t i = 0; i < CHECKS_NCMDS; i++)
		if (checks_cmds[i]->examples != NULL)
			fprintf(f, "%s", checks_cmds[i]->examples);
}

int checks_cmd_usage(FILE *err, const char *cmd, const char *msg)
{
	fprintf(err, "mailpath%s%s: %s (see mailpath --help)\n", cmd ? " " : "", cmd ? cmd : "",
		msg);
	return CHECKS_CMD_USAGE;
}
