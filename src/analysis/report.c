#include "analysis/report.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "analysis/report_format.h"

#define DEFAULT_TOP_N 10
#define MAX_TOP_N 1000000
#define DEFAULT_LINE_WIDTH 100
#define MIN_LINE_WIDTH 60
#define MAX_LINE_WIDTH 10000

enum report_format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_JSON, FORMAT_CSV };

static const char usage[] =
	"Usage: pipetrace report [OPTION]... DIR...\n"
	"Print the summary report of datasets recorded by pipetrace (run, attach, record).\n"
	"\n"
	"  -n, --top N          rows per table (default 10; the critical path shows up to 2 x N)\n"
	"      --by KEY         show one grouping table only: 'command' (command lines by wall\n"
	"                       time) or 'binary' (executables by CPU); default: both\n"
	"      --format FORMAT  'text' (default), 'markdown' (for a CI job summary),\n"
	"                       'json' (one object per run, one per line) or\n"
	"                       'csv' (the command table, or the binary table with --by binary)\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"Text fits the terminal: its width is $COLUMNS, else the terminal's, else 100\n"
	"(at least 60).\n"
	"Exit status: 0 success, 1 a dataset could not be read or the report not written,\n"
	"2 usage error. Definitions (utilisation, peak parallelism, critical path): docs/report.md\n";

static size_t line_width(FILE *out)
{
	const char *columns = getenv("COLUMNS");
	if (columns && *columns) {
		char *end;
		errno = 0;
		long width = strtol(columns, &end, 10);
		if (*end == '\0' && errno == 0 && width > 0)
			return width < MIN_LINE_WIDTH ? MIN_LINE_WIDTH
			     : width > MAX_LINE_WIDTH ? MAX_LINE_WIDTH : (size_t)width;
	}
	struct winsize size;
	if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
		return size.ws_col < MIN_LINE_WIDTH ? MIN_LINE_WIDTH : size.ws_col;
	return DEFAULT_LINE_WIDTH;
}

static void write_summary(FILE *out, enum report_format format, const struct summary *s,
			  const struct report_options *o, bool csv_header)
{
	if (format == FORMAT_JSON) {
		report_write_json(out, s, o);
	} else if (format == FORMAT_CSV) {
		report_write_csv(out, s, o, csv_header);
	} else {
		struct report_page page = {
			out, format == FORMAT_MARKDOWN ? STYLE_MARKDOWN : STYLE_TEXT, line_width(out) };
		report_write_human(&page, s, o);
	}
}

/* Loads dir and writes the report of each of its runs (CSV: after the header when
 * csv_header); -1 with the cause in err. */
static int report_dataset(const char *dir, FILE *out, enum report_format format,
			  const struct report_options *options, bool csv_header, char *err,
			  size_t err_size)
{
	struct run_data d;
	if (run_data_load(dir, &d, err, err_size) != 0)
		return -1;
	if (d.orphan_executions > 0)
		fprintf(stderr, "pipetrace: warning: %s/processes.parquet: %zu executions name no run "
				"of runs.parquet; they are left out of the report\n",
			dir, d.orphan_executions);
	struct report_options o = *options;
	o.dataset_dir = dir;
	o.run_count = d.run_count;
	int result = 0;
	for (size_t r = 0; r < d.run_count; r++) {
		struct summary s;
		if (summary_compute(&d.runs[r], &s) != 0) {
			snprintf(err, err_size, "%s: out of memory", dir);
			result = -1;
			break;
		}
		o.run_number = r + 1;
		write_summary(out, format, &s, &o, csv_header && r == 0);
		summary_free(&s);
	}
	run_data_free(&d);
	return result;
}

int report_print_dataset(const char *dir, FILE *out, int top_n, char *err, size_t err_size)
{
	struct report_options o = { .top_n = top_n > 0 ? (size_t)top_n : DEFAULT_TOP_N,
				    .grouping = GROUP_BOTH };
	return report_dataset(dir, out, FORMAT_TEXT, &o, true, err, err_size);
}

static int usage_error(const char *cause, const char *value)
{
	fprintf(stderr, "pipetrace report: %s%s%s; try 'pipetrace report --help'\n", cause,
		value ? " " : "", value ? value : "");
	return 2;
}

/* Index of value in names[0..count) (where NULL entries are no choice), or -1. */
static int choice(const char *value, const char *const *names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (names[i] && strcmp(value, names[i]) == 0)
			return (int)i;
	return -1;
}

#define CHOICE(value, names) choice(value, names, sizeof(names) / sizeof((names)[0]))

int report_command(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const groupings[] = { [GROUP_BY_COMMAND] = "command",
						 [GROUP_BY_BINARY] = "binary" };
	static const char *const formats[] = { [FORMAT_TEXT] = "text",
					       [FORMAT_MARKDOWN] = "markdown",
					       [FORMAT_JSON] = "json", [FORMAT_CSV] = "csv" };
	struct report_options options = { .top_n = DEFAULT_TOP_N, .grouping = GROUP_BOTH };
	enum report_format format = FORMAT_TEXT;
	int option;
	char *end;
	opterr = 0;
	/* 0, not 1: glibc then starts afresh, whatever getopt parsed before. */
	optind = 0;
	while ((option = getopt_long(argc, argv, ":hn:", long_options, NULL)) != -1) {
		switch (option) {
		case 'n': {
			errno = 0;
			long top = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 || top < 1 || top > MAX_TOP_N)
				return usage_error("--top needs a number from 1 to 1000000, not", optarg);
			options.top_n = (size_t)top;
			break;
		}
		case 'b': {
			int grouping = CHOICE(optarg, groupings);
			if (grouping <= 0)
				return usage_error("--by takes 'command' or 'binary', not", optarg);
			options.grouping = (enum report_grouping)grouping;
			break;
		}
		case 'f': {
			int chosen = CHOICE(optarg, formats);
			if (chosen < 0)
				return usage_error("--format takes text, markdown, json or csv, not",
						   optarg);
			format = (enum report_format)chosen;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			return usage_error("a value is missing after", argv[optind - 1]);
		default:
			return usage_error("unknown option", optopt ? (char[]){ '-', (char)optopt, 0 }
							     : argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no dataset folder given (pipetrace report DIR...)", NULL);
	int status = 0;
	bool csv_header = true;
	for (int i = optind; i < argc; i++) {
		char err[1024];
		if (report_dataset(argv[i], stdout, format, &options, csv_header, err,
				   sizeof(err)) == 0) {
			csv_header = false;
			continue;
		}
		fprintf(stderr, "pipetrace report: %s; expected a dataset folder written by "
				"'pipetrace run -o DIR' (runs.parquet, processes.parquet)\n",
			err);
		status = 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pipetrace report: cannot write the report: %s; check the output\n",
			strerror(errno));
		return 1;
	}
	return status;
}
