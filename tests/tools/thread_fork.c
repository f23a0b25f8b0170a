/* thread_fork PROG [ARG...]: a thread other than the main one forks; the child execs PROG
 * with [PROG, ARG...]; the thread waits for it and the process exits with its status. */
#include <pthread.h>
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

static char **exec_argv;
static int status = 2 << 8;

static void *fork_thread(void *arg)
{
	pid_t pid;

	(void)arg;
	pid = fork();
	if (pid == 0) {
		execv(exec_argv[0], exec_argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid;

	if (argc < 2) {
		fputs("usage: thread_fork PROG [ARG...]\n", stderr);
		return 2;
	}
	exec_argv = argv + 1;
	if (pthread_create(&tid, NULL, fork_thread, NULL)) {
		fputs("thread_fork: pthread_create failed\n", stderr);
		return 2;
	}
	pthread_join(tid, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
