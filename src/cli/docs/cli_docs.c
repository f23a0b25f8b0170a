/* cli-docs man|bash: pipetrace's man page or bash completion on stdout, from the same tables
 * its parser and --help come from. */
#include <stdio.h>
#include <string.h>

#include "cli/docs/docs.h"

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "man"))
		write_man_page(stdout, PIPETRACE_VERSION);
	else if (argc == 2 && !strcmp(argv[1], "bash"))
		write_bash_completion(stdout);
	else {
		fputs("usage: cli-docs man|bash\n", stderr);
		return 2;
	}
	if (fflush(stdout) || ferror(stdout)) {
		perror("cli-docs: stdout");
		return 1;
	}
	return 0;
}
