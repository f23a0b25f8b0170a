/* Options of `pipetrace run` (run_table in options.c), and the rows attach and record share
 * with it. */
#ifndef PIPETRACE_OPTIONS_H
#define PIPETRACE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/command.h"
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
	bool partition; /* -o is a root of host=/date=/run= folders (docs/fleet.md) */
	bool no_redact;
	bool sync; /* each journal frame on disk before the next */
	struct redact_patterns redact;
	char **command;
	size_t command_count;
};

/* The rows of the options run, attach and record share, for a settings struct that starts
 * with a struct run_options: -o, --run-id, --partition, --probes, --max-args, --interval,
 * --redact, --no-redact, --sync. */
#define TRACE_OPTION_ROWS(output_help)                                                       \
	{"output", 'o', "DIR", output_help, cli_text,                                        \
	 .offset = offsetof(struct run_options, output)},                                    \
	{"run-id", 0, "ID", "the run's id (default: UTC time and a random suffix)",          \
	 trace_parse_run_id, .offset = offsetof(struct run_options, run_id),                 \
	 .takes = "1 to 80 characters without slashes"},                                    \
	{"partition", 0, NULL, "write the dataset to ROOT/host=HOST/date=YYYY-MM-DD/\n"      \
	 "run=RUN_ID, ROOT being -o's folder (default: the current\n"                        \
	 "one), for engines reading many runs as one table (docs/fleet.md)", NULL,           \
	 .offset = offsetof(struct run_options, partition)},                                 \
	{"probes", 0, "LIST", "comma-separated probe modules to add to proc: cpu (on by\n"   \
	 "default), files, net (see 'pipetrace probes')", trace_parse_probes,               \
	 .offset = offsetof(struct run_options, enabled)},                                   \
	{"max-args", 0, "BYTES", "argv bytes kept per exec, 4K to 1M (default 64K; suffix K or M)", \
	 trace_parse_size, .offset = offsetof(struct run_options, max_args),                 \
	 .takes = "4K to 1M bytes"},                                                        \
	{"interval", 0, "DURATION", "cpu probe's sampling period, 10ms to 1h (default 1s;\n" \
	 "units ms, s, m, h)", trace_parse_interval,                                         \
	 .offset = offsetof(struct run_options, interval_ns),                                \
	 .takes = "10ms to 1h (e.g. 250ms, 2s)"},                                           \
	{"redact", 0, "REGEX", "also redact what the POSIX extended REGEX matches in any\n"   \
	 "argument: its first group when it has one, else the match\n"                      \
	 "(repeatable; adds to the built-in rules, docs/redaction.md)", trace_parse_redact,  \
	 .offset = offsetof(struct run_options, redact)},                                    \
	{"no-redact", 0, NULL, "keep secrets in command lines (tokens, passwords, keys are\n" \
	 "replaced by *** in argv, cmdline and runs.command by default)", NULL,             \
	 .offset = offsetof(struct run_options, no_redact)},                                 \
	{"sync", 0, NULL, "put each journal frame on disk (fdatasync) before the next,\n"   \
	 "so that the run survives a crash of the host too", NULL,                          \
	 .offset = offsetof(struct run_options, sync)}

cli_parse_fn trace_parse_run_id, trace_parse_probes, trace_parse_size, trace_parse_interval,
	trace_parse_redact;

/* The defaults of those options. */
void trace_options_init(struct run_options *opt);
/* Checks what the options say together once parsed (--run-id with --partition); returns
 * CLI_GO_ON, or c's usage status after a one-line error. */
int trace_options_check(const struct cli_command *c, const struct run_options *opt);
/* A DURATION: a number with unit ms, s, m or h (no unit: seconds), from min_ns to max_ns. */
int parse_duration(const char *text, uint64_t min_ns, uint64_t max_ns, uint64_t *out_ns);

/* Fills opt from argv (argv[0] is "run"). Returns CLI_GO_ON, or the exit status when run is
 * done: 0 after --help, EXIT_PIPETRACE_FAILED after a one-line usage error. */
int run_options_parse(int argc, char **argv, struct run_options *opt);

/* Names of the probes the run uses, proc first. */
size_t run_options_probe_names(const struct run_options *opt, const char **names, size_t max);

#endif
