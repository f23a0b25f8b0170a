/* Options of `pipetrace run` (see run_usage in run.c), and those attach and record share
 * with it. */
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
	bool wait_all, fail_open, quiet, help;
	bool partition; /* -o is a root of host=/date=/run= folders (docs/fleet.md) */
	char **command;
	size_t command_count;
};

/* The options run, attach and record share, for their getopt_long tables; command's own
 * options take values from TRACE_OPT_END on. */
enum {
	OPT_RUN_ID = 256, OPT_PROBES, OPT_MAX_ARGS, OPT_INTERVAL, OPT_PARTITION, TRACE_OPT_END
};
#define TRACE_LONG_OPTIONS                                                                   \
	{"output", required_argument, NULL, 'o'}, {"run-id", required_argument, NULL, OPT_RUN_ID}, \
		{"probes", required_argument, NULL, OPT_PROBES},                              \
		{"max-args", required_argument, NULL, OPT_MAX_ARGS},                          \
		{"interval", required_argument, NULL, OPT_INTERVAL},                          \
		{"partition", no_argument, NULL, OPT_PARTITION},                              \
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}
#define TRACE_SHORT_OPTIONS ":o:qh"

/* The defaults of those options. */
void trace_options_init(struct run_options *opt);
/* Takes option c (from getopt_long) when it is one of those: 0 taken, 1 not one of them, -1
 * after printing the error (or, for --help, usage with opt->help set). command names the
 * subcommand in errors. */
int trace_option(const char *command, int c, char **argv, struct run_options *opt,
		 const char *usage);
/* Checks what the options say together once all are parsed; -1 after printing the error. */
int trace_options_check(const char *command, const struct run_options *opt);
/* Prints "pipetrace COMMAND: " fmt (value), and where to see the options; returns -1. */
int trace_option_error(const char *command, const char *fmt, const char *value);
/* A DURATION: a number with unit ms, s, m or h (no unit: seconds), from min_ns to max_ns. */
int parse_duration(const char *text, uint64_t min_ns, uint64_t max_ns, uint64_t *out_ns);

/* Fills opt from argv (argv[0] is "run"). On a bad option prints one line and returns -1;
 * with --help prints usage, sets opt->help and returns -1. */
int run_options_parse(int argc, char **argv, struct run_options *opt, const char *usage);

/* Names of the probes the run uses, proc first. */
size_t run_options_probe_names(const struct run_options *opt, const char **names, size_t max);

#endif
