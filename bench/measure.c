/*
 * measure.c - run one command and report its wall time, CPU time and peak RSS.
 *
 *   measure [-q] CMD [ARGS...]
 * Forks, execs CMD (stdout and stderr to /dev/null with -q), waits with
 * wait4() and prints one line to stdout:
 *   wall=SECONDS cpu=SECONDS rss_kb=KB exit=CODE
 * cpu is user + system time of the child (and its waited-for children);
 * rss_kb is the child's peak resident set (ru_maxrss). wall is measured on
 * the monotonic clock from just before fork to just after wait4. exit is
 * the child's exit code, or 128 + signal. measure itself exits 0 unless it
 * could not run CMD (then 127). Used by bench/run.sh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds on the monotonic clock. */
static double measure_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A timeval as seconds. */
static double measure_tv(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* In the child: silence output when quiet, then exec argv; never returns. */
static void measure_exec(char **argv, int quiet)
{
	if (quiet) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
	}
	execvp(argv[0], argv);
	_exit(127);
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int quiet = 0, status, code;
	double t0, t1;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "-q") == 0) {
		quiet = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: measure [-q] CMD [ARGS...]\n");
		return 127;
	}
	t0 = measure_now();
	pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 127;
	}
	if (pid == 0)
		measure_exec(argv + 1, quiet);
	memset(&ru, 0, sizeof(ru));
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("measure: wait4");
		return 127;
	}
	t1 = measure_now();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("wall=%.6f cpu=%.6f rss_kb=%ld exit=%d\n", t1 - t0,
	       measure_tv(ru.ru_utime) + measure_tv(ru.ru_stime), ru.ru_maxrss, code);
	return code == 127 ? 127 : 0;
}
