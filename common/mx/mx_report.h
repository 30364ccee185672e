/*
 * mx_report.h - an MX set and its verdict as status line, long output,
 * perfdata, JSON and Zabbix low-level discovery.
 */
#ifndef MAILPATH_MX_REPORT_H
#define MAILPATH_MX_REPORT_H

#include "mx/mx.h"
#include "result/out.h"

/* Status line, long output, perfdata and JSON of the set into o (state from v). */
void mx_report(const struct mx_set *s, const struct mx_verdict *v, const struct mx_policy *p,
	       int port, int verbose, struct out *o);
/* Zabbix LLD: {"data":[{"{#MX}":..,"{#MXPRIO}":..,"{#MXADDR}":..}]}, one row per address. */
struct json_object *mx_report_discovery(const struct mx_set *s);

#endif
