#include "analysis/report.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/command_args.h"
#include "dataset/journal.h"
#include "analysis/report_format.h"

#define DEFAULT_TOP_N 10
#define MAX_TOP_N 1000000

enum report_format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_JSON, FORMAT_CSV };

static const char usage[] =
	"Usage: pipetrace report [OPTION]... DIR...\n"
	"Print the summary report of datasets recorded by pipetrace (run, attach, record).\n"
	"\n"
	"  -n, --top N          rows per table (default 10; the critical path shows up to 2 x N)\n"
	"      --by KEY         show one grouping table only: 'command' (command lines by wall\n"
	"                       time), 'binary' (executables by CPU) or 'normalized' (command\n"
	"                       lines with temporary names, hex ids and numbers masked, by wall\n"
	"                       time); default: command and binary\n"
	"      --format FORMAT  'text' (default), 'markdown' (for a CI job summary),\n"
	"                       'json' (one object per run, one per line) or\n"
	"                       'csv' (the grouping table: commands unless --by says otherwise)\n"
	"      --step-summary   also append the Markdown report to the file named by\n"
	"                       $GITHUB_STEP_SUMMARY (a GitHub Actions job summary)\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"Text fits the terminal: its width is $COLUMNS, else the terminal's, else 100\n"
	"(at least 60). It uses no colour, so NO_COLOR changes nothing.\n"
	"Exit status: 0 success, 1 a dataset could not be read or the report not written,\n"
	"2 usage error. Definitions (utilisation, peak parallelism, critical path,\n"
	"normalized commands, JSON keys): docs/report.md\n";

static void write_summary(FILE *out, enum report_format format, const struct summary *s,
			  const struct report_options *o, bool csv_header)
{
	if (format == FORMAT_JSON) {
		report_write_json(out, s, o);
	} else if (format == FORMAT_CSV) {
		report_write_csv(out, s, o, csv_header);
	} else {
		struct report_page page = {
			out, format == FORMAT_MARKDOWN ? STYLE_MARKDOWN : STYLE_TEXT,
			page_line_width(out) };
		report_write_human(&page, s, o);
	}
}

static struct report_live_snapshot live_snapshot;

void report_set_live_snapshot(struct report_live_snapshot snapshot)
{
	live_snapshot = snapshot;
}

/* Loads dir, or the snapshot of the live run writing it; -1 with the cause in err. */
static int load_dataset(const char *dir, struct run_data *d, char *err, size_t err_size)
{
	char snapshot[PATH_MAX];
	int rc;

	if (journal_state(dir) != JOURNAL_LIVE || !live_snapshot.take)
		return run_data_load(dir, d, err, err_size);
	if (live_snapshot.take(dir, snapshot, sizeof(snapshot), err, err_size))
		return -1;
	rc = run_data_load(snapshot, d, err, err_size);
	live_snapshot.remove(snapshot);
	if (!rc)
		fprintf(stderr, "pipetrace report: %s: a run still in progress, as it was at its last "
				"record (at most 0.2 s ago); what is running now has end_reason "
				"'running'\n", dir);
	return rc;
}

/* Loads dir and writes the report of each of its runs to out (CSV: after the header when
 * csv_header), and as Markdown to step_summary unless it is NULL; -1 with the cause in err. */
static int report_dataset(const char *dir, FILE *out, enum report_format format,
			  const struct report_options *options, bool csv_header, FILE *step_summary,
			  char *err, size_t err_size)
{
	struct run_data d;
	if (load_dataset(dir, &d, err, err_size) != 0)
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
		enum group_key key = o.grouping == GROUP_BY_NORMALIZED ? KEY_NORMALIZED : KEY_CMDLINE;
		if (summary_compute(&d.runs[r], key, &s) != 0) {
			snprintf(err, err_size, "%s: out of memory", dir);
			result = -1;
			break;
		}
		o.run_number = r + 1;
		write_summary(out, format, &s, &o, csv_header && r == 0);
		if (step_summary)
			write_summary(step_summary, FORMAT_MARKDOWN, &s, &o, false);
		summary_free(&s);
	}
	run_data_free(&d);
	return result;
}

int report_print_dataset(const char *dir, FILE *out, int top_n, char *err, size_t err_size)
{
	struct report_options o = { .top_n = top_n > 0 ? (size_t)top_n : DEFAULT_TOP_N,
				    .grouping = GROUP_BOTH };
	return report_dataset(dir, out, FORMAT_TEXT, &o, true, NULL, err, err_size);
}

static int usage_error(const char *cause, const char *value)
{
	return args_usage_error("report", cause, value);
}

/* Opens $GITHUB_STEP_SUMMARY to append to; NULL after a one-line error. */
static FILE *open_step_summary(void)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	if (!path || !*path) {
		fputs("pipetrace report: --step-summary needs $GITHUB_STEP_SUMMARY, the file a GitHub "
		      "Actions step appends its summary to; it is not set\n", stderr);
		return NULL;
	}
	FILE *file = fopen(path, "a");
	if (!file)
		fprintf(stderr, "pipetrace report: %s ($GITHUB_STEP_SUMMARY): %s; check the "
				"variable\n", path, strerror(errno));
	return file;
}

/* Writes each dataset's report; returns the exit status. */
static int report_all(char **dirs, int count, enum report_format format,
		      const struct report_options *options, FILE *step_summary)
{
	int status = 0;
	bool csv_header = true;
	for (int i = 0; i < count; i++) {
		char err[1024];
		if (report_dataset(dirs[i], stdout, format, options, csv_header, step_summary, err,
				   sizeof(err)) == 0) {
			csv_header = false;
			continue;
		}
		if (journal_state(dirs[i]) == JOURNAL_NONE)
			fprintf(stderr, "pipetrace report: %s; expected a dataset folder written by "
					"'pipetrace run -o DIR' (runs.parquet, processes.parquet)\n",
				err);
		else
			fprintf(stderr, "pipetrace report: %s\n", err);
		status = 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pipetrace report: cannot write the report: %s; check the output\n",
			strerror(errno));
		return 1;
	}
	return status;
}

int report_command(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "step-summary", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const groupings[] = { [GROUP_BY_COMMAND] = "command",
						 [GROUP_BY_BINARY] = "binary",
						 [GROUP_BY_NORMALIZED] = "normalized" };
	static const char *const formats[] = { [FORMAT_TEXT] = "text",
					       [FORMAT_MARKDOWN] = "markdown",
					       [FORMAT_JSON] = "json", [FORMAT_CSV] = "csv" };
	struct report_options options = { .top_n = DEFAULT_TOP_N, .grouping = GROUP_BOTH };
	enum report_format format = FORMAT_TEXT;
	bool step_summary = false;
	int option;
	char bad[3];
	opterr = 0;
	/* 0, not 1: glibc then starts afresh, whatever getopt parsed before. */
	optind = 0;
	while ((option = getopt_long(argc, argv, ":hn:", long_options, NULL)) != -1) {
		switch (option) {
		case 'n': {
			double top;
			if (!args_number(optarg, true, 1, MAX_TOP_N, &top))
				return usage_error("--top needs a number from 1 to 1000000, not", optarg);
			options.top_n = (size_t)top;
			break;
		}
		case 'b': {
			int grouping = ARGS_CHOICE(optarg, groupings);
			if (grouping <= 0)
				return usage_error("--by takes 'command', 'binary' or 'normalized', not",
						   optarg);
			options.grouping = (enum report_grouping)grouping;
			break;
		}
		case 'f': {
			int chosen = ARGS_CHOICE(optarg, formats);
			if (chosen < 0)
				return usage_error("--format takes text, markdown, json or csv, not",
						   optarg);
			format = (enum report_format)chosen;
			break;
		}
		case 's':
			step_summary = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			return usage_error("a value is missing after", argv[optind - 1]);
		default:
			return usage_error("unknown option", args_bad_option(argv, bad));
		}
	}
	if (optind >= argc)
		return usage_error("no dataset folder given (pipetrace report DIR...)", NULL);
	FILE *summary_file = step_summary ? open_step_summary() : NULL;
	if (step_summary && !summary_file)
		return 1;
	int status = report_all(argv + optind, argc - optind, format, &options, summary_file);
	if (summary_file && fclose(summary_file) != 0) {
		fprintf(stderr, "pipetrace report: cannot write $GITHUB_STEP_SUMMARY: %s; check the "
				"file system\n", strerror(errno));
		status = 1;
	}
	return status;
}
