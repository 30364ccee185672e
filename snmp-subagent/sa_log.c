/*
 * sa_log.c - one line per event to stderr or syslog (see sa_log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include "sa_log.h"

static int sa_log_stderr = 1;
static int sa_log_verbose;

void sa_log_open(int foreground, const char *ident)
{
	sa_log_stderr = foreground;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void sa_log_debug(int on)
{
	sa_log_verbose = on;
}

void sa_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !sa_log_verbose)
		return;
	va_start(ap, fmt);
	if (sa_log_stderr) {
		fputs("mailpath-agentx: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}
