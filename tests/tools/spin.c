/* spin MS [THREADS [PATH]]: burns MS milliseconds of CPU in each of THREADS threads (default 1),
 * as measured by each thread's own CPU clock, then exits 0; with PATH, first creates PATH.spun
 * and waits (bounded, 60 s, without using CPU) until PATH exists. */
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static long long spin_ms;

static long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void *spin(void *arg)
{
	volatile unsigned long sink = 0;

	(void)arg;
	while (thread_cpu_ns() < spin_ms * 1000000ll)
		for (int i = 0; i < 10000; i++)
			sink += (unsigned long)i;
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	pthread_t tids[64];

	if (argc < 2 || threads < 1 || threads > 64) {
		fputs("usage: spin MS [THREADS [PATH]]\n", stderr);
		return 2;
	}
	spin_ms = atoll(argv[1]);
	for (int i = 1; i < threads; i++)
		if (pthread_create(&tids[i], NULL, spin, NULL)) {
			fputs("spin: pthread_create failed\n", stderr);
			return 2;
		}
	spin(NULL);
	for (int i = 1; i < threads; i++)
		pthread_join(tids[i], NULL);
	if (argc > 3) {
		char spun[4096];
		struct timespec tick = {0, 10 * 1000000};
		int fd;

		snprintf(spun, sizeof(spun), "%s.spun", argv[3]);
		fd = open(spun, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0)
			close(fd);
		for (int i = 0; i < 6000 && access(argv[3], F_OK); i++)
			nanosleep(&tick, NULL);
	}
	return 0;
}
