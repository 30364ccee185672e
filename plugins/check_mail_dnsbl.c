/* check_mail_dnsbl - the plugin binary: the check lives in common/checks/dnsbl_check.c. */
#include "checks/checks.h"

int main(int argc, char **argv)
{
	return check_main(&check_mail_dnsbl, argc, argv);
}
