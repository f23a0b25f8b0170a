/* spawn WORKERS COUNT PROGRAM: the spawn ceiling. WORKERS processes each fork, exec PROGRAM
 * (without arguments) and wait for it, until COUNT processes were spawned in all; prints
 * `SPAWNED SECONDS` (processes, wall time) on stdout. With a static PROGRAM that does nothing
 * (bench/exit0), this is as many processes per second as the machine can create: what is left
 * is the cost of fork, exec, exit and wait, and of whatever traces them. Exits 1 when a spawn
 * or a PROGRAM failed, 2 on bad usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One worker: count spawns in a row; 0, or 1 after a failure. */
static int worker(long count, const char *program)
{
	char *const argv[] = {(char *)program, NULL};

	for (long i = 0; i < count; i++) {
		int status;
		pid_t child = fork();

		if (child < 0)
			return 1;
		if (!child) {
			execv(program, argv);
			_exit(127);
		}
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long workers = argc == 4 ? atol(argv[1]) : 0, count = argc == 4 ? atol(argv[2]) : 0;
	int failed = 0, status;
	double start;

	if (workers < 1 || count < workers) {
		fprintf(stderr, "usage: spawn WORKERS COUNT PROGRAM\n");
		return 2;
	}
	start = now();
	for (long w = 0; w < workers; w++) {
		pid_t child = fork();

		if (child < 0) {
			fprintf(stderr, "spawn: fork: %s\n", strerror(errno));
			return 1;
		}
		if (!child)
			_exit(worker(count / workers + (w < count % workers), argv[3]));
	}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	if (failed) {
		fprintf(stderr, "spawn: a spawn of %s failed\n", argv[3]);
		return 1;
	}
	printf("%ld %.6f\n", count, now() - start);
	return 0;
}
