/* pipetrace report DIR...: the summary report of recorded datasets (analysis/report.h). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report.h"
#include "cli/cli.h"
#include "dataset/journal.h"

struct report_settings {
	size_t top_n;
	int grouping; /* enum report_grouping */
	int format;   /* enum report_format */
	bool step_summary;
};

static const char *const groupings[] = {
	[GROUP_BY_COMMAND] = "command", [GROUP_BY_BINARY] = "binary",
	[GROUP_BY_NORMALIZED] = "normalized",
};
static const char *const formats[] = {
	[FORMAT_TEXT] = "text", [FORMAT_MARKDOWN] = "markdown", [FORMAT_JSON] = "json",
	[FORMAT_CSV] = "csv",
};

#define SETTING(field) .offset = offsetof(struct report_settings, field)

static const struct cli_option report_table[] = {
	{"top", 'n', "N", "rows per table (default 10; the critical path shows up to 2 x N)",
	 cli_count, SETTING(top_n), .takes = "a number from 1 to 1000000", .min = 1, .max = 1e6},
	{"by", 0, "KEY", "show one grouping table only: 'command' (command lines by wall\n"
	 "time), 'binary' (executables by CPU) or 'normalized' (command\n"
	 "lines with temporary names, hex ids and numbers masked, by wall\n"
	 "time); default: command and binary", cli_choice, SETTING(grouping),
	 CLI_CHOICES(groupings)},
	{"format", 0, "FORMAT", "'text' (default), 'markdown' (for a CI job summary),\n"
	 "'json' (one object per run, one per line) or\n"
	 "'csv' (the grouping table: commands unless --by says otherwise)", cli_choice,
	 SETTING(format), CLI_CHOICES(formats)},
	{"step-summary", 0, NULL, "also append the Markdown report to the file named by\n"
	 "$GITHUB_STEP_SUMMARY (a GitHub Actions job summary)", NULL, SETTING(step_summary)},
};

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

static int report_command(int argc, char **argv)
{
	struct report_settings s = {.top_n = REPORT_DEFAULT_TOP_N, .grouping = GROUP_BOTH,
				    .format = FORMAT_TEXT};
	struct cli_operands dirs;
	int status = cli_parse(&report_cli, argc, argv, &s, &dirs);

	if (status != CLI_GO_ON)
		return status;
	recover_enable_live_report();
	struct report_options options = {.top_n = s.top_n,
					 .grouping = (enum report_grouping)s.grouping};
	FILE *summary_file = s.step_summary ? open_step_summary() : NULL;
	if (s.step_summary && !summary_file)
		return 1;
	status = report_all(dirs.argv, dirs.count, (enum report_format)s.format, &options,
			    summary_file);
	if (summary_file && fclose(summary_file) != 0) {
		fprintf(stderr, "pipetrace report: cannot write $GITHUB_STEP_SUMMARY: %s; check the "
				"file system\n", strerror(errno));
		status = 1;
	}
	return status;
}

static const char report_description[] =
	"Print the summary report of datasets recorded by pipetrace ({recorders}).\n";

static const char report_epilogue[] =
	"Text fits the terminal: its width is $COLUMNS, else the terminal's, else 100\n"
	"(at least 60). It uses no colour, so NO_COLOR changes nothing.\n"
	"Exit status: 0 success, 1 a dataset could not be read or the report not written,\n"
	"2 usage error. Definitions (utilisation, peak parallelism, critical path,\n"
	"normalized commands, JSON keys): docs/report.md\n";

const struct cli_command report_cli = {
	.name = "report",
	.synopsis = "[OPTIONS] DIR...",
	.summary = "the summary report of recorded datasets",
	.description = report_description,
	.epilogue = report_epilogue,
	CLI_OPTIONS(report_table),
	.min_operands = 1,
	.max_operands = -1,
	.operands_error = "no dataset folder given",
	.main = report_command,
};
