/* rss_peak MB MS: touches MB MiB of fresh memory, unmaps it, then burns MS milliseconds of CPU
 * (this process's CPU clock) with next to nothing resident: a peak RSS far above the RSS it
 * ends with. Exits 0, 1 when the memory cannot be had. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static long long process_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	size_t bytes = (size_t)(argc > 1 ? atol(argv[1]) : 64) << 20;
	long long until = process_cpu_ns() + (argc > 2 ? atoll(argv[2]) : 300) * 1000000ll;
	volatile unsigned long sink = 0;
	char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (memory == MAP_FAILED)
		return 1;
	memset(memory, 1, bytes);
	munmap(memory, bytes);
	while (process_cpu_ns() < until)
		sink++;
	return 0;
}
