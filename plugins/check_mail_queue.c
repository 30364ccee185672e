/* check_mail_queue - the plugin binary: the check lives in common/checks/queue_check.c. */
#include "checks/checks.h"

int main(int argc, char **argv)
{
	return check_main(&check_mail_queue, argc, argv);
}
