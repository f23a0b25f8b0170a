/* waitfile PATH [SECONDS]: exits 0 as soon as PATH exists, 1 if it does not within SECONDS
 * (default 60). A bounded wait for a condition, polled every 10 ms. */
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

int main(int argc, char **argv)
{
	long limit_ms = (argc > 2 ? atol(argv[2]) : 60) * 1000;
	struct timespec tick = {0, 10 * 1000000};

	if (argc < 2) {
		fputs("usage: waitfile PATH [SECONDS]\n", stderr);
		return 2;
	}
	for (long waited = 0; waited <= limit_ms; waited += 10) {
		if (access(argv[1], F_OK) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	return 1;
}
