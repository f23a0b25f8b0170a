/* pipetrace: where a pipeline's time, CPU and memory go, process by process. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/command.h"

int main(int argc, char **argv)
{
	struct program_options opt = {0};
	struct cli_operands rest;
	const struct cli_command *c;
	int status;

	if (argc < 2) {
		cli_print_help(&cli_program, stderr);
		return EXIT_USAGE;
	}
	status = cli_parse(&cli_program, argc, argv, &opt, &rest);
	if (status != CLI_GO_ON)
		return status;
	if (opt.version) {
		printf("pipetrace %s\n", PIPETRACE_VERSION);
		return 0;
	}
	if (!rest.count)
		return cli_usage_error(&cli_program, "no command given");
	c = cli_find(rest.argv[0]);
	if (!c)
		return cli_usage_error(&cli_program, "unknown command '%s'", rest.argv[0]);
	return c->main(rest.count, rest.argv);
}
