/* argv_bytes PROG HEX...: execv(PROG, [PROG, bytes of HEX...]): each HEX argument (even
 * length, possibly empty) gives the exact bytes of one argument of PROG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static int nibble(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc, sizeof(*args));

	if (argc < 2 || !args) {
		fputs("usage: argv_bytes PROG HEX...\n", stderr);
		return 2;
	}
	args[0] = argv[1];
	for (int i = 2; i < argc; i++) {
		size_t len = strlen(argv[i]);
		char *bytes = malloc(len / 2 + 1);

		if (!bytes || len % 2) {
			fprintf(stderr, "argv_bytes: bad hex '%s'\n", argv[i]);
			return 2;
		}
		for (size_t j = 0; j < len / 2; j++) {
			int hi = nibble(argv[i][2 * j]), lo = nibble(argv[i][2 * j + 1]);

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				fprintf(stderr, "argv_bytes: bad hex '%s'\n", argv[i]);
				return 2;
			}
			bytes[j] = (char)(hi << 4 | lo);
		}
		bytes[len / 2] = '\0';
		args[i - 1] = bytes;
	}
	execv(argv[1], args);
	perror("argv_bytes: execv");
	return 127;
}
