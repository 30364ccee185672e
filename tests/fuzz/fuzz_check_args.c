/*
 * fuzz_check_args.c - libFuzzer target: check_parse with check_mail_smtp's
 * options on an argv built from the input.
 *
 * The input is split at NUL bytes into at most FUZZ_MAX_ARGS arguments
 * after argv[0] = "check_mail_smtp". Checks the parser's promises: a result
 * of -1, 0 or 1; a non-empty, terminated message on -1; on success a host,
 * a port in 1..65535, a timeout in (0, 86400] and no more -R than -C; and
 * that cleanup releases everything (the sanitizers check leaks). Inputs
 * naming device or process files are skipped: --password-file would read
 * them (and /dev/stdin would block).
 */
#include "../../common/checks/smtp_check.c"

#include <stdint.h>

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless cond holds (kept in release builds, unlike assert). */
static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

/* Split text (size bytes, NUL-terminated at size) into argv; returns argc. */
static int fuzz_split(char *text, size_t size, char **argv)
{
	int argc = 0;
	size_t i = 0;

	argv[argc++] = (char *)"check_mail_smtp";
	while (i < size && argc < FUZZ_MAX_ARGS + 1) {
		argv[argc++] = text + i;
		i += strlen(text + i) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

/* Check what a successful parse promises. */
static void fuzz_check_ok(const struct smtp_check *s, const struct check_common *cm)
{
	const struct smtp_run_opts *o = &s->o; /* the options land in the runner's */

	fuzz_check(o->host != NULL && o->host[0] != '\0');
	fuzz_check(o->port >= 1 && o->port <= 65535);
	fuzz_check(cm->timeout_s > 0 && cm->timeout_s <= 86400);
	fuzz_check(s->nresp <= o->smtp.ncmd && o->smtp.ncmd <= MAX_LIST &&
		   o->smtp.nrcpt <= MAX_LIST);
	fuzz_check(o->smtp.ncmd == 0 || o->smtp.cmd == s->cmd);
	fuzz_check(o->smtp.helo != NULL);
	fuzz_check(!(o->smtp.starttls != SMTP_TLS_NONE && o->implicit_tls));
	fuzz_check(o->smtp.auth == SMTP_AUTH_NONE || o->smtp.auth_pass != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	char *argv[FUZZ_MAX_ARGS + 2];
	char err[CHECK_ERR_MAX];
	struct check_common cm;
	struct smtp_check s;
	char *text;
	int argc, rc;

	if (size > 4096)
		return 0;
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (memmem(text, size, "/dev", 4) || memmem(text, size, "/proc", 5) ||
	    memmem(text, size, "/sys", 4)) {
		free(text);
		return 0;
	}
	argc = fuzz_split(text, size, argv);
	memset(&s, 0, sizeof(s));
	err[0] = '\0';
	rc = check_parse(&check_mail_smtp, &s, &cm, argc, argv, devnull, err, sizeof(err));
	fuzz_check(rc == -1 || rc == 0 || rc == 1);
	if (rc == -1)
		fuzz_check(err[0] != '\0' && strnlen(err, sizeof(err)) < sizeof(err));
	if (rc == 0)
		fuzz_check_ok(&s, &cm);
	check_mail_smtp.cleanup(&s);
	free(text);
	return 0;
}
