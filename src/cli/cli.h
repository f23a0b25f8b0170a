/* Subcommands and the exit codes pipetrace itself uses (docs/cli.md). */
#ifndef PIPETRACE_CLI_H
#define PIPETRACE_CLI_H

#include <stdbool.h>

#include "cli/command.h"

/* `run` exits with CMD's status; its own failures before CMD starts use codes that tools
 * wrapping a command conventionally use (env, timeout, chroot). */
enum {
	EXIT_PIPETRACE_FAILED = 125, /* pipetrace could not trace (usage, privilege, BTF, output) */
	EXIT_CANNOT_EXECUTE = 126,   /* CMD found but not executable */
	EXIT_NOT_FOUND = 127,        /* CMD not found */
};
/* The other subcommands: 0 success, 1 failure, 2 usage error. */
enum { EXIT_FAILURE_OTHER = 1, EXIT_USAGE = 2 };

/* pipetrace's own options, before the command. */
struct program_options {
	bool version;
};

/* The commands (each file's table and handler; the list is cli_commands in commands.c). */
extern const struct cli_command run_cli, attach_cli, record_cli, report_cli, diff_cli, merge_cli,
	recover_cli, export_cli, probes_cli;

/* run_cli's handler (run.c; its table is in options.c). */
int run_command(int argc, char **argv);

/* Lets report show a live run, from a snapshot of its journal (recover.c). */
void recover_enable_live_report(void);

#endif
