/* empty_argv null|empty PROG: execve(PROG, NULL, envp) or execve(PROG, {NULL}, envp), through
 * syscall(2) since libc declares argv non-null. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
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
	char *none[] = {NULL};

	if (argc != 3 || (strcmp(argv[1], "null") && strcmp(argv[1], "empty"))) {
		fputs("usage: empty_argv null|empty PROG\n", stderr);
		return 2;
	}
	syscall(SYS_execve, argv[2], strcmp(argv[1], "null") ? none : NULL, environ);
	perror("empty_argv: execve");
	return 127;
}
