#include "cli/options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/proc.h"
#include "dataset/partition.h"
#include "probes/probe.h"

enum { OPT_WAIT_ALL = TRACE_OPT_END, OPT_USER, OPT_FAIL_OPEN };

int trace_option_error(const char *command, const char *fmt, const char *value)
{
	fprintf(stderr, "pipetrace %s: ", command);
	fprintf(stderr, fmt, value);
	fprintf(stderr, "; see 'pipetrace %s --help'\n", command);
	return -1;
}

static int bad(const char *fmt, const char *value)
{
	return trace_option_error("run", fmt, value);
}

/* BYTES with an optional K or M suffix. */
static int parse_size(const char *text, uint32_t *out)
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
	*out = (uint32_t)value;
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

static int parse_probes(const char *command, char *list, struct run_options *opt)
{
	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		const struct probe_module *m = probe_find(name);

		if (!m)
			return trace_option_error(command, "unknown probe '%s' (see 'pipetrace probes')",
						  name);
		for (size_t i = 0; i < probe_module_count; i++)
			if (probe_modules[i] == m)
				opt->enabled[i] = true;
	}
	return 0;
}

void trace_options_init(struct run_options *opt)
{
	*opt = (struct run_options){.max_args = 64 << 10, .interval_ns = 1000000000};
	for (size_t i = 0; i < probe_module_count && i < MAX_PROBES; i++)
		opt->enabled[i] = probe_modules[i]->default_on;
}

int trace_option(const char *command, int c, char **argv, struct run_options *opt,
		 const char *usage)
{
	switch (c) {
	case 'o': opt->output = optarg; return 0;
	case 'q': opt->quiet = true; return 0;
	case OPT_RUN_ID: opt->run_id = optarg; return 0;
	case OPT_PARTITION: opt->partition = true; return 0;
	case OPT_PROBES: return parse_probes(command, optarg, opt);
	case OPT_MAX_ARGS:
		if (parse_size(optarg, &opt->max_args))
			return trace_option_error(command, "--max-args takes 4K to 1M bytes, not '%s'",
						  optarg);
		return 0;
	case OPT_INTERVAL:
		if (parse_duration(optarg, 10000000, 3600000000000, &opt->interval_ns))
			return trace_option_error(
				command, "--interval takes 10ms to 1h (e.g. 250ms, 2s), not '%s'", optarg);
		return 0;
	case 'h':
		fputs(usage, stdout);
		opt->help = true;
		return -1;
	case ':': return trace_option_error(command, "option '%s' needs a value", argv[optind - 1]);
	case '?': return trace_option_error(command, "unknown option '%s'", argv[optind - 1]);
	}
	return 1;
}

int trace_options_check(const char *command, const struct run_options *opt)
{
	if (opt->run_id && (!*opt->run_id || strpbrk(opt->run_id, "/\\") ||
			    strlen(opt->run_id) > 80))
		return trace_option_error(command, "--run-id '%s' must be 1 to 80 characters without "
					  "slashes", opt->run_id);
	if (opt->run_id && opt->partition && opt->run_id[strspn(opt->run_id, PARTITION_SAFE_CHARS)])
		return trace_option_error(command, "with --partition, --run-id '%s' may hold only "
					  "letters, digits, '.', '_' and '-'", opt->run_id);
	return 0;
}

int run_options_parse(int argc, char **argv, struct run_options *opt, const char *usage)
{
	static const struct option longopts[] = {
		TRACE_LONG_OPTIONS,
		{"wait-all", no_argument, NULL, OPT_WAIT_ALL},
		{"user", required_argument, NULL, OPT_USER},
		{"fail-open", no_argument, NULL, OPT_FAIL_OPEN},
		{0},
	};
	int c, rc;

	trace_options_init(opt);
	opterr = 0;
	optind = 1;
	/* '+': stop at CMD, whose own options are not ours. */
	while ((c = getopt_long(argc, argv, "+" TRACE_SHORT_OPTIONS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_USER: opt->user = optarg; break;
		case OPT_WAIT_ALL: opt->wait_all = true; break;
		case OPT_FAIL_OPEN: opt->fail_open = true; break;
		default:
			if ((rc = trace_option("run", c, argv, opt, usage)))
				return rc < 0 ? -1 : bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad("no command to trace%s; usage: pipetrace run [OPTIONS] -- CMD [ARG...]", "");
	if (trace_options_check("run", opt))
		return -1;
	opt->command = argv + optind;
	opt->command_count = (size_t)(argc - optind);
	return 0;
}

size_t run_options_probe_names(const struct run_options *opt, const char **names, size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < probe_module_count && count < max; i++)
		if (probe_modules[i]->always_on || opt->enabled[i])
			names[count++] = probe_modules[i]->name;
	return count;
}
