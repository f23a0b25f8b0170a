/* Options of `pipetrace run` (run_table in options.c). */
#ifndef PIPETRACE_OPTIONS_H
#define PIPETRACE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_PROBES 16

struct run_options {
	const char *output, *run_id, *user;
	uint32_t max_args;
	uint64_t interval_ns; /* cpu probe's sampling period */
	bool enabled[MAX_PROBES]; /* by index in probe_modules */
	bool wait_all, fail_open, quiet;
	char **command;
	size_t command_count;
};

/* Fills opt from argv (argv[0] is "run"). Returns CLI_GO_ON, or the exit status when run is
 * done: 0 after --help, EXIT_PIPETRACE_FAILED after a one-line usage error. */
int run_options_parse(int argc, char **argv, struct run_options *opt);

/* Names of the probes the run uses, proc first. */
size_t run_options_probe_names(const struct run_options *opt, const char **names, size_t max);

#endif
