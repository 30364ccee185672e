/*
 * sa_opts.h - mailpath-agentx's command line: one option table, from which
 * both the parser and --help are made (front/check.h's struct check_opt).
 * No printing except the help and version asked for, no exit: main.c does.
 */
#ifndef MAILPATH_SA_OPTS_H
#define MAILPATH_SA_OPTS_H

#include <stddef.h>
#include <stdio.h>
#include "sa_daemon.h"

/* What the command line says beyond the daemon's options. */
struct sa_opts {
	struct sa_daemon_opts daemon;
	int foreground; /* -f */
	int debug;      /* -d */
};

struct option;
/* The getopt tables sa_opts_parse uses (front/check.h's check_opts_getopt). */
int sa_opts_getopt(char *shortopts, size_t len, struct option **longopts);
/* The defaults (no option given). */
void sa_opts_init(struct sa_opts *o);
/*
 * Parse argv into o. 0: run; 1: --help or --version was printed to out;
 * -1: a usage error, with a one-line message in err.
 */
int sa_opts_parse(struct sa_opts *o, int argc, char **argv, FILE *out, char *err, size_t errlen);

#endif
