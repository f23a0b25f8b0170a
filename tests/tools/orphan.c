/* orphan PROG [ARG...]: forks a child and exits; the child waits (bounded, 30 s) until it has
 * been re-parented away from its original parent, then execs PROG. Prints the child's pid. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

int main(int argc, char **argv)
{
	pid_t parent = getpid(), child;
	struct timespec tick = {0, 1000000};

	if (argc < 2) {
		fputs("usage: orphan PROG [ARG...]\n", stderr);
		return 2;
	}
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("orphan: fork");
		return 2;
	}
	if (child > 0) {
		printf("%d\n", (int)child);
		return 0;
	}
	for (int i = 0; i < 30000 && getppid() == parent; i++)
		nanosleep(&tick, NULL);
	if (getppid() == parent)
		_exit(3);
	execv(argv[1], argv + 1);
	_exit(127);
}
