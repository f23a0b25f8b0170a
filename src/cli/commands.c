/* The commands pipetrace is built with, and pipetrace's own options (cli/command.h). */
#include "cli/command.h"

#include <stddef.h>

#include "cli/cli.h"

const struct cli_command *const cli_commands[] = {
	&run_cli,   &attach_cli,  &record_cli, &report_cli, &diff_cli,
	&merge_cli, &recover_cli, &export_cli, &probes_cli,
};
const size_t cli_command_count = sizeof(cli_commands) / sizeof(cli_commands[0]);

static const struct cli_option program_table[] = {
	{"version", 'V', NULL, "show the version and exit", NULL,
	 .offset = offsetof(struct program_options, version)},
};

const struct cli_command cli_program = {
	.synopsis = "COMMAND [OPTIONS]",
	.description = "Trace a pipeline's processes with eBPF into a Parquet dataset.\n",
	.epilogue = "Run 'pipetrace COMMAND --help' for a command's options.\n",
	CLI_OPTIONS(program_table),
	.max_operands = -1,
	.options_first = true,
};
