/* check_mail_smtp - the plugin binary: the check lives in common/checks/smtp_check.c. */
#include "checks/checks.h"

int main(int argc, char **argv)
{
	return check_main(&check_mail_smtp, argc, argv);
}
