/*
 * sa_checks.c - the checks the subagent can run in-process: the same
 * struct check definitions as the plugins, linked without their main().
 */
#include <string.h>
#include "sa_daemon.h"

extern const struct check check_mail_smtp;
extern const struct check check_mail_mx;

static const struct check *const sa_checks[] = {
	&check_mail_smtp,
	&check_mail_mx,
};

const struct check *sa_check_find(const char *name)
{
	for (size_t i = 0; i < sizeof(sa_checks) / sizeof(sa_checks[0]); i++)
		if (strcmp(sa_checks[i]->name, name) == 0)
			return sa_checks[i];
	return NULL;
}
