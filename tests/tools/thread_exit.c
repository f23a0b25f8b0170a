/* thread_exit LEADER_CODE LAST_CODE [SPIN_MS]: the main thread (the group leader) ends with
 * exit(2) (SYS_exit: this thread only) and LEADER_CODE; another thread, once the leader is
 * gone, burns SPIN_MS milliseconds of CPU (default 0, by its own CPU clock), then ends the
 * process with SYS_exit and LAST_CODE. wait(2) reports the leader's code. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
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

static int leader_code, last_code;
static long long spin_ms;
static pid_t leader;

static long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void *last_thread(void *arg)
{
	struct timespec tick = {0, 1000000};

	(void)arg;
	for (int i = 0; i < 30000 && leader_state(leader) != 'Z' && leader_state(leader) != 'X'; i++)
		nanosleep(&tick, NULL);
	for (volatile unsigned long sink = 0; thread_cpu_ns() < spin_ms * 1000000ll;)
		sink++;
	syscall(SYS_exit, last_code);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid;

	if (argc != 3 && argc != 4) {
		fputs("usage: thread_exit LEADER_CODE LAST_CODE [SPIN_MS]\n", stderr);
		return 2;
	}
	leader_code = atoi(argv[1]);
	last_code = atoi(argv[2]);
	spin_ms = argc > 3 ? atoll(argv[3]) : 0;
	leader = getpid();
	if (pthread_create(&tid, NULL, last_thread, NULL)) {
		fputs("thread_exit: pthread_create failed\n", stderr);
		return 2;
	}
	syscall(SYS_exit, leader_code);
	return 2;
}
