/*
 * checks.c - the table of check definitions, looked up by name (the
 * subagent's configuration names a check by its plugin's name).
 */
#include <string.h>
#include "checks/checks.h"

/* One check per line, kept by hand: clang-format 14 and 19 align lists differently. */
/* clang-format off */
static const struct check *const checks_all[] = {
	&check_mail_smtp,
	&check_mail_mx,
	&check_mail_tls,
	&check_mail_dnsbl,
	&check_mail_queue,
	&check_mail_log,
};
/* clang-format on */

const struct check *checks_find(const char *name)
{
	for (size_t i = 0; i < sizeof(checks_all) / sizeof(checks_all[0]); i++)
		if (strcmp(checks_all[i]->name, name) == 0)
			return checks_all[i];
	return NULL;
}
