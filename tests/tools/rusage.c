/* rusage CMD [ARG...]: runs CMD, waits for it, prints the CPU time (user + system, in ns) of
 * every waited-for descendant as getrusage(RUSAGE_CHILDREN) reports it, one number on stdout,
 * and exits with CMD's status (128+N when it died of signal N). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
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
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: rusage CMD [ARG...]\n", stderr);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("rusage: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("rusage: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("rusage: waitpid");
		return 2;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%lld\n", (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ll +
				 (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ll);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
