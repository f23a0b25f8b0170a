/* blocked_open FIFO PATH: a child opens FIFO for reading, which blocks inside openat(2) until
 * a writer comes; once it is in there (its /proc/PID/syscall says so; waited for up to 10 s),
 * the parent opens PATH, then FIFO for writing, which releases the child. With a syscall stash
 * of one entry, exactly those two opens of the parent find it full. Exits 0, 1 on a failure or
 * time-out. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

/* Whether the task /proc/PID/syscall (opened as fd) describes is inside openat(2). Read with
 * pread, so that polling opens nothing: any open meanwhile would find the stash full too. */
static int in_openat(int fd)
{
	char text[256];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n <= 0)
		return 0;
	text[n] = '\0';
	return atol(text) == SYS_openat;
}

int main(int argc, char **argv)
{
	struct timespec tick = {0, 1000000};
	int fd, go[2], status, waited = 0;
	char path[64];
	pid_t child;

	if (argc != 3) {
		fputs("usage: blocked_open FIFO PATH\n", stderr);
		return 2;
	}
	if (pipe(go) || (child = fork()) < 0)
		return 1;
	if (child == 0) {
		/* Opens nothing until the parent has opened what it polls. */
		close(go[1]);
		_exit(read(go[0], path, 1) != 0 || open(argv[1], O_RDONLY) < 0);
	}
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)child);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	close(go[1]);
	while (fd >= 0 && !in_openat(fd) && waited++ < 10000)
		nanosleep(&tick, NULL);
	if (fd < 0 || waited > 10000) {
		fprintf(stderr, "blocked_open: the child never blocked in openat\n");
		kill(child, SIGKILL);
		return 1;
	}
	close(fd);
	fd = open(argv[2], O_RDONLY);
	if (fd >= 0)
		close(fd);
	fd = open(argv[1], O_WRONLY);
	if (fd < 0 || waitpid(child, &status, 0) != child)
		return 1;
	close(fd);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
