/* daemon PROG [ARG...]: the classic double fork. The child calls setsid and forks again; the
 * grandchild (the daemon) redirects stdio to /dev/null and execs PROG; the child exits at once
 * so the daemon is re-parented; the original process waits for the child, then for the
 * daemon's exec (a close-on-exec pipe reaching EOF), and exits 0. Waiting for the exec keeps a
 * loaded machine from ending the run before the daemon runs PROG. */
#include <fcntl.h>
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
	pid_t child;
	int status, null, execed[2];
	char byte;

	if (argc < 2) {
		fputs("usage: daemon PROG [ARG...]\n", stderr);
		return 2;
	}
	if (pipe2(execed, O_CLOEXEC)) {
		perror("daemon: pipe2");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("daemon: fork");
		return 2;
	}
	if (child == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(execed[0]);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	close(execed[1]);
	waitpid(child, &status, 0);
	/* EOF once the daemon's write end is closed by its exec (or its exit). */
	while (read(execed[0], &byte, 1) > 0)
		;
	return 0;
}
