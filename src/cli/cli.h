/* Subcommands and the exit codes pipetrace itself uses (docs/cli.md). */
#ifndef PIPETRACE_CLI_H
#define PIPETRACE_CLI_H

/* `run` exits with CMD's status; its own failures before CMD starts use codes that tools
 * wrapping a command conventionally use (env, timeout, chroot). */
enum {
	EXIT_PIPETRACE_FAILED = 125, /* pipetrace could not trace (usage, privilege, BTF, output) */
	EXIT_CANNOT_EXECUTE = 126,   /* CMD found but not executable */
	EXIT_NOT_FOUND = 127,        /* CMD not found */
};
/* The other subcommands: 0 success, 1 failure, 2 usage error. */
enum { EXIT_FAILURE_OTHER = 1, EXIT_USAGE = 2 };

int run_command(int argc, char **argv);
int probes_command(int argc, char **argv);
int merge_command(int argc, char **argv);
int export_command(int argc, char **argv);

#endif
