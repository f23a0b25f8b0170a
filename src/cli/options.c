/* pipetrace run's options: its table, the parsers of its values, the probes it enables. */
#include "cli/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/proc.h"
#include "cli/cli.h"
#include "probes/probe.h"

/* BYTES with an optional K or M suffix. */
static int parse_size(const struct cli_option *o, const char *text, void *out, char *why,
		      size_t why_size)
{
	char *end;
	unsigned long long value = strtoull(text, &end, 10);

	if (end == text)
		return -1;
	if (*end == 'K' || *end == 'k')
		value <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		value <<= 20, end++;
	if (*end || value < 4096 || value > PT_ARGS_MAX)
		return -1;
	*(uint32_t *)out = (uint32_t)value;
	return 0;
}

/* A DURATION: a number with unit ms, s, m or h (no unit: seconds), 10 ms to 1 hour. */
static int parse_duration(const struct cli_option *o, const char *text, void *out_ns, char *why,
			  size_t why_size)
{
	static const struct { const char *unit; double ns; } units[] = {
		{"ms", 1e6}, {"s", 1e9}, {"", 1e9}, {"m", 60e9}, {"h", 3600e9},
	};
	char *end;
	double value = strtod(text, &end);

	for (size_t i = 0; end != text && i < sizeof(units) / sizeof(units[0]); i++) {
		double ns = value * units[i].ns;

		if (!strcmp(end, units[i].unit) && ns >= 10e6 && ns <= 3600e9) {
			*(uint64_t *)out_ns = (uint64_t)ns;
			return 0;
		}
	}
	return -1;
}

/* Probe names separated by commas, enabled in the bool array at enabled. */
static int parse_probes(const struct cli_option *o, const char *list, void *enabled, char *why,
			size_t why_size)
{
	for (const char *name = list; *name; name += *name == ',') {
		size_t length = strcspn(name, ",");
		char one[32];
		const struct probe_module *m;

		if (!length)
			continue;
		snprintf(one, sizeof(one), "%.*s", (int)length, name);
		m = length < sizeof(one) ? probe_find(one) : NULL;
		if (!m) {
			snprintf(why, why_size, "unknown probe '%.*s' (see 'pipetrace probes')",
				 (int)length, name);
			return -1;
		}
		for (size_t i = 0; i < probe_module_count; i++)
			if (probe_modules[i] == m)
				((bool *)enabled)[i] = true;
		name += length;
	}
	return 0;
}

static int parse_run_id(const struct cli_option *o, const char *id, void *out, char *why,
			size_t why_size)
{
	if (!*id || strpbrk(id, "/\\") || strlen(id) > 80)
		return -1;
	*(const char **)out = id;
	return 0;
}

/* One more --redact pattern (repeatable). */
static int add_pattern(const struct cli_option *o, const char *pattern, void *patterns, char *why,
		       size_t why_size)
{
	struct redact_patterns *p = patterns;

	if (p->count == MAX_REDACT_PATTERNS) {
		snprintf(why, why_size, "at most %d --redact patterns", MAX_REDACT_PATTERNS);
		return -1;
	}
	p->items[p->count++] = pattern;
	return 0;
}

#define OPTION(field) .offset = offsetof(struct run_options, field)

static const struct cli_option run_table[] = {
	{"output", 'o', "DIR", "dataset folder, replacing any tables in it\n"
	 "(default: pipetrace-RUN_ID)", cli_text, OPTION(output)},
	{"run-id", 0, "ID", "the run's id (default: UTC time and a random suffix)", parse_run_id,
	 OPTION(run_id), .takes = "1 to 80 characters without slashes"},
	{"probes", 0, "LIST", "comma-separated probe modules to add to proc: cpu (on by\n"
	 "default), files, net (see 'pipetrace probes')", parse_probes, OPTION(enabled)},
	{"max-args", 0, "BYTES", "argv bytes kept per exec, 4K to 1M (default 64K; suffix K or M)",
	 parse_size, OPTION(max_args), .takes = "4K to 1M bytes"},
	{"interval", 0, "DURATION", "cpu probe's sampling period, 10ms to 1h (default 1s;\n"
	 "units ms, s, m, h)", parse_duration, OPTION(interval_ns),
	 .takes = "10ms to 1h (e.g. 250ms, 2s)"},
	{"wait-all", 0, NULL, "end when every traced process has exited, not just CMD", NULL,
	 OPTION(wait_all)},
	{"user", 0, "USER", "run CMD as USER (default under sudo: the invoking user)", cli_text,
	 OPTION(user)},
	{"fail-open", 0, NULL, "if tracing is impossible here, run CMD untraced anyway", NULL,
	 OPTION(fail_open)},
	{"redact", 0, "REGEX", "also redact what the POSIX extended REGEX matches in any\n"
	 "argument: its first group when it has one, else the match\n"
	 "(repeatable; adds to the built-in rules, docs/redaction.md)", add_pattern,
	 OPTION(redact)},
	{"no-redact", 0, NULL, "keep secrets in command lines (tokens, passwords, keys are\n"
	 "replaced by *** in argv, cmdline and runs.command by default)", NULL,
	 OPTION(no_redact)},
	{"sync", 0, NULL, "put each journal frame on disk (fdatasync) before the next,\n"
	 "so that the run survives a crash of the host too", NULL, OPTION(sync)},
	{"quiet", 'q', NULL, "no summary", NULL, OPTION(quiet)},
};

static const char run_description[] =
	"Trace CMD and every process it starts (orphans and daemons included) with eBPF, write\n"
	"a Parquet dataset, print a summary to stderr and exit with CMD's status (128+N when it\n"
	"died of signal N). SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to CMD; a second\n"
	"one is passed on too and ends the run at once, CMD still running (exit 128+N).\n"
	"What is recorded is journaled in DIR as it happens: if pipetrace is killed,\n"
	"'pipetrace recover DIR' turns it into a dataset.\n";

static const char run_epilogue[] =
	"Exit status: CMD's; 125 when pipetrace itself fails before CMD starts (bad option, no\n"
	"privilege, no BTF, unwritable output), 126 when CMD cannot be executed, 127 when it is\n"
	"not found.\n"
	"\n"
	"Environment: PIPETRACE_CORE_BTF=FILE relocates the probes against FILE's BTF instead of\n"
	"the built-in or the kernel's (see 'pipetrace probes'); PIPETRACE_DEBUG=1 prints libbpf's\n"
	"log when a probe fails to load, PIPETRACE_DEBUG=2 also each program's verifier\n"
	"statistics.\n";

const struct cli_command run_cli = {
	.name = "run",
	.synopsis = "[OPTIONS] -- CMD [ARG...]",
	.summary = "trace CMD and every descendant, write the dataset,\n"
		   "print a summary, exit with CMD's status",
	.description = run_description,
	.epilogue = run_epilogue,
	CLI_OPTIONS(run_table),
	.min_operands = 1,
	.max_operands = -1,
	.operands_error = "no command to trace",
	.options_first = true, /* CMD's own options are not ours */
	.records = true,
	.usage_status = EXIT_PIPETRACE_FAILED,
	.main = run_command,
};

int run_options_parse(int argc, char **argv, struct run_options *opt)
{
	struct cli_operands command;
	int status;

	*opt = (struct run_options){.max_args = 64 << 10, .interval_ns = 1000000000};
	for (size_t i = 0; i < probe_module_count; i++)
		opt->enabled[i] = probe_modules[i]->default_on;
	status = cli_parse(&run_cli, argc, argv, opt, &command);
	if (status == CLI_GO_ON) {
		opt->command = command.argv;
		opt->command_count = (size_t)command.count;
	}
	return status;
}
size_t run_options_probe_names(const struct run_options *opt, const char **names, size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < probe_module_count && count < max; i++)
		if (probe_modules[i]->always_on || opt->enabled[i])
			names[count++] = probe_modules[i]->name;
	return count;
}
