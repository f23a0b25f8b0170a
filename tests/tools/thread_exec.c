/* thread_exec [--leader-exits] PROG [ARG...]: a thread other than the main one calls
 * execv(PROG, [PROG, ARG...]) while the main thread is blocked in pthread_join, or, with
 * --leader-exits, once the main thread has ended itself with pthread_exit. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "leader_state.h"

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static char **exec_argv;
static int leader_exits;
static pid_t leader;

static void *exec_thread(void *arg)
{
	struct timespec tick = {0, 1000000};

	(void)arg;
	for (int i = 0; leader_exits && i < 30000 && leader_state(leader) != 'Z'; i++)
		nanosleep(&tick, NULL);
	execv(exec_argv[0], exec_argv);
	perror("thread_exec: execv");
	_exit(127);
}

int main(int argc, char **argv)
{
	pthread_t tid;

	leader_exits = argc > 1 && !strcmp(argv[1], "--leader-exits");
	if (argc < 2 + leader_exits) {
		fputs("usage: thread_exec [--leader-exits] PROG [ARG...]\n", stderr);
		return 2;
	}
	exec_argv = argv + 1 + leader_exits;
	leader = getpid();
	if (pthread_create(&tid, NULL, exec_thread, NULL)) {
		fputs("thread_exec: pthread_create failed\n", stderr);
		return 2;
	}
	if (leader_exits)
		pthread_exit(NULL);
	pthread_join(tid, NULL);
	fputs("thread_exec: the exec thread returned\n", stderr);
	return 2;
}
