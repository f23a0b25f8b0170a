#include "cli/options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/proc.h"
#include "probes/probe.h"

enum {
	OPT_RUN_ID = 256, OPT_PROBES, OPT_MAX_ARGS, OPT_INTERVAL, OPT_WAIT_ALL, OPT_USER,
	OPT_FAIL_OPEN, OPT_SYNC
};

static int bad(const char *fmt, const char *value)
{
	fputs("pipetrace run: ", stderr);
	fprintf(stderr, fmt, value);
	fputs("; see 'pipetrace run --help'\n", stderr);
	return -1;
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

/* A DURATION: a number with unit ms, s, m or h (no unit: seconds), 10 ms to 1 hour. */
static int parse_duration(const char *text, uint64_t *out_ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{"ms", 1e6}, {"s", 1e9}, {"", 1e9}, {"m", 60e9}, {"h", 3600e9},
	};
	char *end;
	double value = strtod(text, &end);

	for (size_t i = 0; end != text && i < sizeof(units) / sizeof(units[0]); i++) {
		double ns = value * units[i].ns;

		if (!strcmp(end, units[i].unit) && ns >= 10e6 && ns <= 3600e9) {
			*out_ns = (uint64_t)ns;
			return 0;
		}
	}
	return -1;
}

static int parse_probes(char *list, struct run_options *opt)
{
	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		const struct probe_module *m = probe_find(name);

		if (!m)
			return bad("unknown probe '%s' (see 'pipetrace probes')", name);
		for (size_t i = 0; i < probe_module_count; i++)
			if (probe_modules[i] == m)
				opt->enabled[i] = true;
	}
	return 0;
}

int run_options_parse(int argc, char **argv, struct run_options *opt, const char *usage)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"run-id", required_argument, NULL, OPT_RUN_ID},
		{"probes", required_argument, NULL, OPT_PROBES},
		{"max-args", required_argument, NULL, OPT_MAX_ARGS},
		{"interval", required_argument, NULL, OPT_INTERVAL},
		{"wait-all", no_argument, NULL, OPT_WAIT_ALL},
		{"user", required_argument, NULL, OPT_USER},
		{"fail-open", no_argument, NULL, OPT_FAIL_OPEN},
		{"sync", no_argument, NULL, OPT_SYNC},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;

	*opt = (struct run_options){.max_args = 64 << 10, .interval_ns = 1000000000};
	for (size_t i = 0; i < probe_module_count && i < PROBE_MODULES_MAX; i++)
		opt->enabled[i] = probe_modules[i]->default_on;
	opterr = 0;
	optind = 1;
	/* '+': stop at CMD, whose own options are not ours. */
	while ((c = getopt_long(argc, argv, "+:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': opt->output = optarg; break;
		case 'q': opt->quiet = true; break;
		case OPT_RUN_ID: opt->run_id = optarg; break;
		case OPT_USER: opt->user = optarg; break;
		case OPT_WAIT_ALL: opt->wait_all = true; break;
		case OPT_FAIL_OPEN: opt->fail_open = true; break;
		case OPT_SYNC: opt->sync = true; break;
		case OPT_PROBES:
			if (parse_probes(optarg, opt))
				return -1;
			break;
		case OPT_MAX_ARGS:
			if (parse_size(optarg, &opt->max_args))
				return bad("--max-args takes 4K to 1M bytes, not '%s'", optarg);
			break;
		case OPT_INTERVAL:
			if (parse_duration(optarg, &opt->interval_ns))
				return bad("--interval takes 10ms to 1h (e.g. 250ms, 2s), not '%s'",
					   optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			opt->help = true;
			return -1;
		case ':': return bad("option '%s' needs a value", argv[optind - 1]);
		default: return bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad("no command to trace%s; usage: pipetrace run [OPTIONS] -- CMD [ARG...]", "");
	if (opt->run_id && (!*opt->run_id || strpbrk(opt->run_id, "/\\") ||
			    strlen(opt->run_id) > 80))
		return bad("--run-id '%s' must be 1 to 80 characters without slashes", opt->run_id);
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
