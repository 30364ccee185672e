/*
 * secret.c - credentials from a file or the environment.
 *
 * A file holds the secret on its first line (CR/LF stripped; at most
 * SECRET_MAX bytes are read). Buffers that held a secret are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/secret.h"

#define SECRET_MAX 1024

/* The first line of a file, copied to *out. */
static int secret_from_file(const char *file, char **out, char *err, size_t errlen)
{
	char buf[SECRET_MAX + 1];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		snprintf(err, errlen, "cannot read password file %s: %s", file, strerror(errno));
		return -1;
	}
	n = read(fd, buf, SECRET_MAX);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read password file %s: %s", file, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') { /* no password is no AUTH: say so before connecting */
		snprintf(err, errlen, "password file %s: the first line is empty", file);
		return -1;
	}
	*out = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int secret_load(const char *file, const char *env, char **out, char *err, size_t errlen)
{
	const char *value;

	if (file != NULL)
		return secret_from_file(file, out, err, errlen);
	/* empty is unset: a monitoring config that maps an unset macro passes "" */
	if (env == NULL || (value = getenv(env)) == NULL || value[0] == '\0')
		return 1;
	if ((*out = strdup(value)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
