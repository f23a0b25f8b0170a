/* pipetrace run's options: its table, the parsers of its values (shared with attach and
 * record), the probes it enables. */
#include "cli/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/proc.h"
#include "dataset/partition.h"
#include "cli/cli.h"
#include "probes/probe.h"

/* BYTES with an optional K or M suffix. */
int trace_parse_size(const struct cli_option *o, const char *text, void *out, char *why,
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

int parse_duration(const char *text, uint64_t min_ns, uint64_t max_ns, uint64_t *out_ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{"ms", 1e6}, {"s", 1e9}, {"", 1e9}, {"m", 60e9}, {"h", 3600e9},
	};
	char *end;
	double value = strtod(text, &end);

	for (size_t i = 0; end != text && i < sizeof(units) / sizeof(units[0]); i++) {
		double ns = value * units[i].ns;

		if (!strcmp(end, units[i].unit) && ns >= (double)min_ns && ns <= (double)max_ns) {
			*out_ns = (uint64_t)ns;
			return 0;
		}
	}
	return -1;
}

/* The cpu probe's sampling period: 10 ms to 1 hour. */
int trace_parse_interval(const struct cli_option *o, const char *text, void *out_ns, char *why,
			 size_t why_size)
{
	return parse_duration(text, 10000000, 3600000000000, out_ns);
}

/* Probe names separated by commas, enabled in the bool array at enabled. */
int trace_parse_probes(const struct cli_option *o, const char *list, void *enabled, char *why,
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

int trace_parse_run_id(const struct cli_option *o, const char *id, void *out, char *why,
		       size_t why_size)
{
	if (!*id || strpbrk(id, "/\\") || strlen(id) > 80)
		return -1;
	*(const char **)out = id;
	return 0;
}

/* One more --redact pattern (repeatable). */
int trace_parse_redact(const struct cli_option *o, const char *pattern, void *patterns, char *why,
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
	TRACE_OPTION_ROWS("dataset folder, replacing any tables in it\n"
			  "(default: pipetrace-RUN_ID)"),
	{"wait-all", 0, NULL, "end when every traced process has exited, not just CMD", NULL,
	 OPTION(wait_all)},
	{"user", 0, "USER", "run CMD as USER (default under sudo: the invoking user)", cli_text,
	 OPTION(user)},
	{"fail-open", 0, NULL, "if tracing is impossible here, run CMD untraced anyway", NULL,
	 OPTION(fail_open)},
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
	"statistics and how long each probe took to start.\n";

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

void trace_options_init(struct run_options *opt)
{
	*opt = (struct run_options){.max_args = 64 << 10, .interval_ns = 1000000000};
	for (size_t i = 0; i < probe_module_count; i++)
		opt->enabled[i] = probe_modules[i]->default_on;
}

int trace_options_check(const struct cli_command *c, const struct run_options *opt)
{
	if (opt->run_id && opt->partition && opt->run_id[strspn(opt->run_id, PARTITION_SAFE_CHARS)])
		return cli_usage_error(c, "with --partition, --run-id '%s' may hold only letters, "
				       "digits, '.', '_' and '-'", opt->run_id);
	return CLI_GO_ON;
}

int run_options_parse(int argc, char **argv, struct run_options *opt)
{
	struct cli_operands command;
	int status;

	trace_options_init(opt);
	status = cli_parse(&run_cli, argc, argv, opt, &command);
	if (status == CLI_GO_ON)
		status = trace_options_check(&run_cli, opt);
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
