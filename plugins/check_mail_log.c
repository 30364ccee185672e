/* check_mail_log - the plugin binary: the check lives in common/checks/log_check.c. */
#include "checks/checks.h"

int main(int argc, char **argv)
{
	return check_main(&check_mail_log, argc, argv);
}
