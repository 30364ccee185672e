/* check_mail_mx - the plugin binary: the check lives in common/checks/mx_check.c. */
#include "checks/checks.h"

int main(int argc, char **argv)
{
	return check_main(&check_mail_mx, argc, argv);
}
