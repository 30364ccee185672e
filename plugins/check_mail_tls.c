/* check_mail_tls - the plugin binary: the check lives in common/checks/tls_check.c. */
#include "checks/checks.h"

int main(int argc, char **argv)
{
	return check_main(&check_mail_tls, argc, argv);
}
