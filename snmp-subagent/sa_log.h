/*
 * sa_log.h - the subagent's log: stderr in the foreground, else syslog.
 */
#ifndef MAILPATH_SA_LOG_H
#define MAILPATH_SA_LOG_H

#include <syslog.h>

/* Choose the destination: stderr (foreground != 0) or syslog under ident. */
void sa_log_open(int foreground, const char *ident);
/* Log one line at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG). */
void sa_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Show LOG_DEBUG lines too. */
void sa_log_debug(int on);

#endif
