/* daemon PROG [ARG...]: the classic double fork. The child calls setsid and forks again; the
 * grandchild (the daemon) redirects stdio to /dev/null and execs PROG; the child exits at once
 * so the daemon is re-parented; the original process waits for the child, and for the daemon's
 * exec (the close-on-exec end of a pipe closing), and exits 0: when it has exited, the daemon
 * runs PROG, whatever the load. */
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
	int status, null, exec_done[2];
	char byte;

	if (argc < 2) {
		fputs("usage: daemon PROG [ARG...]\n", stderr);
		return 2;
	}
	if (pipe2(exec_done, O_CLOEXEC)) {
		perror("daemon: pipe");
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
		execv(argv[1], argv + 1);
		_exit(127);
	}
	close(exec_done[1]);
	waitpid(child, &status, 0);
	while (read(exec_done[0], &byte, 1) > 0)
		;
	return 0;
}
