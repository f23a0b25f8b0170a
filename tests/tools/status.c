/* status CMD [ARG...]: runs CMD, waits, prints "exit N" or "signal N core C" (C is 0 or 1,
 * WCOREDUMP) on stdout and exits 0: the parent's own view of how CMD ended. */
#include <stdio.h>
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
	int status;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: status CMD [ARG...]\n", stderr);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("status: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("status: waitpid");
		return 2;
	}
	if (WIFSIGNALED(status))
		printf("signal %d core %d\n", WTERMSIG(status), WCOREDUMP(status) ? 1 : 0);
	else
		printf("exit %d\n", WEXITSTATUS(status));
	return 0;
}
