/* execveat fd PATH [ARG...]: open(PATH) and execveat(fd, "", argv, envp, AT_EMPTY_PATH).
 * execveat dirfd DIR NAME [ARG...]: open(DIR) and execveat(dirfd, NAME, argv, envp, 0).
 * argv is [PATH or NAME, ARG...]. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

extern char **environ;

int main(int argc, char **argv)
{
	int fd;

	if (argc >= 3 && !strcmp(argv[1], "fd")) {
		fd = open(argv[2], O_RDONLY);
		if (fd < 0) {
			perror("execveat: open");
			return 2;
		}
		execveat(fd, "", argv + 2, environ, AT_EMPTY_PATH);
	} else if (argc >= 4 && !strcmp(argv[1], "dirfd")) {
		fd = open(argv[2], O_RDONLY | O_DIRECTORY);
		if (fd < 0) {
			perror("execveat: open");
			return 2;
		}
		execveat(fd, argv[3], argv + 3, environ, 0);
	} else {
		fputs("usage: execveat fd PATH [ARG...] | execveat dirfd DIR NAME [ARG...]\n", stderr);
		return 2;
	}
	perror("execveat: execveat");
	return 127;
}
