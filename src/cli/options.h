/* Options of `pipetrace run` (run_table in options.c). */
#ifndef PIPETRACE_OPTIONS_H
#define PIPETRACE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"

#define MAX_REDACT_PATTERNS 64

/* The --redact patterns, as given (compiled by redactor_new). */
struct redact_patterns {
	const char *items[MAX_REDACT_PATTERNS];
	size_t count;
};

struct run_options {
	const char *output, *run_id, *user;
	uint32_t max_args;
	uint64_t interval_ns; /* cpu probe's sampling period */
	bool enabled[PROBE_MODULES_MAX]; /* by index in probe_modules */
	bool wait_all, fail_open, quiet;
	bool no_redact;
	bool sync; /* each journal frame on disk before the next */
	struct redact_patterns redact;
	char **command;
	size_t command_count;
};

/* Fills opt from argv (argv[0] is "run"). Returns CLI_GO_ON, or the exit status when run is
 * done: 0 after --help, EXIT_PIPETRACE_FAILED after a one-line usage error. */
int run_options_parse(int argc, char **argv, struct run_options *opt);

/* Names of the probes the run uses, proc first. */
size_t run_options_probe_names(const struct run_options *opt, const char **names, size_t max);

#endif
