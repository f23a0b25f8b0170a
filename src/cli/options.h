/* Options of `pipetrace run` (see run_usage in run.c). */
#ifndef PIPETRACE_OPTIONS_H
#define PIPETRACE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"

struct run_options {
	const char *output, *run_id, *user;
	uint32_t max_args;
	uint64_t interval_ns; /* cpu probe's sampling period */
	bool enabled[PROBE_MODULES_MAX]; /* by index in probe_modules */
	bool wait_all, fail_open, quiet, help;
	bool sync; /* each journal frame on disk before the next */
	char **command;
	size_t command_count;
};

/* Fills opt from argv (argv[0] is "run"). On a bad option prints one line and returns -1;
 * with --help prints usage, sets opt->help and returns -1. */
int run_options_parse(int argc, char **argv, struct run_options *opt, const char *usage);

/* Names of the probes the run uses, proc first. */
size_t run_options_probe_names(const struct run_options *opt, const char **names, size_t max);

#endif
