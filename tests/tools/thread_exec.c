/* thread_exec PROG [ARG...]: a thread other than the main one calls execv(PROG, [PROG, ARG...])
 * while the main thread is blocked in pthread_join. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static char **exec_argv;

static void *exec_thread(void *arg)
{
	(void)arg;
	execv(exec_argv[0], exec_argv);
	perror("thread_exec: execv");
	_exit(127);
}

int main(int argc, char **argv)
{
	pthread_t tid;

	if (argc < 2) {
		fputs("usage: thread_exec PROG [ARG...]\n", stderr);
		return 2;
	}
	exec_argv = argv + 1;
	if (pthread_create(&tid, NULL, exec_thread, NULL)) {
		fputs("thread_exec: pthread_create failed\n", stderr);
		return 2;
	}
	pthread_join(tid, NULL);
	fputs("thread_exec: the exec thread returned\n", stderr);
	return 2;
}
