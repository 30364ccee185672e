/*
 * secret.h - credentials from a file or the environment, never from argv
 * when it can be helped, and wiped when done.
 */
#ifndef MAILPATH_SECRET_H
#define MAILPATH_SECRET_H

#include <stddef.h>

/*
 * Load a secret into *out (malloc'd; release with secret_free): the first
 * line of file when file is not NULL, else the value of the environment
 * variable env (an empty value counts as unset). Returns 0, 1 when neither gave one (*out untouched), or -1
 * with a one-line message in err (also for a file whose first line is empty).
 */
int secret_load(const char *file, const char *env, char **out, char *err, size_t errlen);
/* Wipe and free a secret. Accepts NULL. */
void secret_free(char *s);

#endif
