/*
 * checks.h - the check definitions every front end links: the plugins
 * (one main() each), the SNMP subagent and, later, mailpath diagnose.
 * Each is a struct check (front/check.h): options, validation, probes and
 * verdict; the front end only runs and prints it.
 */
#ifndef MAILPATH_CHECKS_H
#define MAILPATH_CHECKS_H

#include "front/check.h"

extern const struct check check_mail_smtp;
extern const struct check check_mail_mx;
extern const struct check check_mail_queue;
extern const struct check check_mail_log;
extern const struct check check_mail_tls;
extern const struct check check_mail_dnsbl;

/* The check named NAME ("check_mail_smtp"), or NULL. */
const struct check *checks_find(const char *name);

#endif
