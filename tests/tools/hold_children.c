/* hold_children N: forks N children that are all alive at once (each blocks reading a pipe
 * until every one has been forked), then lets them exit and reaps them. For a traced set too
 * small for the tree. Exits 0, or 1 when a fork fails. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
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
	int gate[2], count = argc > 1 ? atoi(argv[1]) : 0, forked = 0;
	char byte;

	if (count <= 0 || pipe(gate)) {
		fputs("usage: hold_children N\n", stderr);
		return 2;
	}
	for (; forked < count; forked++) {
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (pid == 0) {
			close(gate[1]);
			/* Returns at EOF: when the parent closes its end, after the last fork. */
			_exit(read(gate[0], &byte, 1) < 0);
		}
	}
	close(gate[1]);
	while (wait(NULL) > 0)
		;
	return forked == count ? 0 : 1;
}
