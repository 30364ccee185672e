/*
 * mailpath - the command-line front end: `mailpath COMMAND [OPTIONS]`.
 *
 * The commands live in common/checks/ (commands.h: spf and explain;
 * diagnose joins the table there); this file only picks one by argv[1].
 * Exit codes: those of the command; 3 for a missing or unknown command.
 */
#include <stdio.h>
#include <string.h>
#include "checks/commands.h"

int main(int argc, char **argv)
{
	const struct checks_cmd *cmd;

	if (argc < 2)
		return checks_cmd_usage(stderr, NULL, "a command is required: spf or explain");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		checks_cmd_help(stdout);
		return CHECKS_CMD_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		checks_cmd_version(stdout);
		return CHECKS_CMD_OK;
	}
	if ((cmd = checks_cmd_find(argv[1])) == NULL) {
		fprintf(stderr, "mailpath: unknown command '%s' (see mailpath --help)\n", argv[1]);
		return CHECKS_CMD_USAGE;
	}
	return cmd->run(argc - 1, argv + 1, stdout, stderr);
}
