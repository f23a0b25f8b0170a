/* burnwait MS PATH [SECONDS]: burns MS milliseconds of CPU (this process's CPU clock), then
 * waits, using next to no CPU, until PATH exists (polled every 10 ms): exits 0 when it does,
 * 1 after SECONDS (default 30) without it. For an execution still running, and no longer
 * using CPU, when a traced command ends. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long process_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct timespec tick = {0, 10 * 1000000};
	volatile unsigned long sink = 0;
	long long burn_ns;
	long limit_ms;

	if (argc < 3) {
		fputs("usage: burnwait MS PATH [SECONDS]\n", stderr);
		return 2;
	}
	burn_ns = atoll(argv[1]) * 1000000ll;
	limit_ms = (argc > 3 ? atol(argv[3]) : 30) * 1000;
	while (process_cpu_ns() < burn_ns)
		for (int i = 0; i < 10000; i++)
			sink += (unsigned long)i;
	(void)sink;
	for (long waited = 0; waited <= limit_ms; waited += 10) {
		if (access(argv[2], F_OK) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	return 1;
}
