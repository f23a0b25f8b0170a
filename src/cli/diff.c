/* pipetrace diff BASE_DIR NEW_DIR: what got slower or faster between two datasets
 * (analysis/diff.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "analysis/diff_format.h"
#include "cli/cli.h"
#include "dataset/journal.h"

/* Exit status when --fail-if-slower's threshold is crossed. */
#define EXIT_SLOWER 3

enum diff_format { DIFF_TEXT, DIFF_MARKDOWN, DIFF_JSON };

struct diff_settings {
	int key;    /* enum group_key */
	int format; /* enum diff_format */
	size_t top_n;
	double fail_if_slower_pct; /* negative: no gate */
};

static const char *const keys[] = {
	[KEY_CMDLINE] = "cmdline", [KEY_BINARY] = "binary", [KEY_NORMALIZED] = "normalized",
};
static const char *const formats[] = {
	[DIFF_TEXT] = "text", [DIFF_MARKDOWN] = "markdown", [DIFF_JSON] = "json",
};

#define SETTING(field) .offset = offsetof(struct diff_settings, field)

static const struct cli_option diff_table[] = {
	{"key", 0, "KEY", "group executions by 'cmdline' (default), 'binary' or\n"
	 "'normalized' (command lines with temporary names, hex ids and\n"
	 "numbers masked, so that 'sleep 0.1' and 'sleep 0.5' are one)", cli_choice,
	 SETTING(key), CLI_CHOICES(keys)},
	{"format", 0, "FORMAT", "'text' (default), 'markdown' or 'json' (one object)", cli_choice,
	 SETTING(format), CLI_CHOICES(formats)},
	{"top", 'n', "N", "rows shown (default 10)", cli_count, SETTING(top_n),
	 .takes = "a number from 1 to 1000000", .min = 1, .max = 1e6},
	{"fail-if-slower", 0, "PCT", "exit 3 when NEW's total wall time exceeds BASE's by more\n"
	 "than PCT percent (a CI gate)", cli_number, SETTING(fail_if_slower_pct),
	 .takes = "a percentage (0 or more)", .min = 0, .max = 1e9},
};

/* Writes the comparison; returns the exit status. */
static int write_diff(const struct diff_result *d, const struct diff_settings *s)
{
	if (s->format == DIFF_JSON)
		diff_write_json(stdout, d, s->top_n);
	else
		diff_write_human(stdout, s->format == DIFF_MARKDOWN, d, s->top_n);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pipetrace diff: cannot write the comparison: %s; check the output\n",
			strerror(errno));
		return 1;
	}
	double growth = diff_wall_growth_pct(d);
	if (s->fail_if_slower_pct >= 0 && growth > s->fail_if_slower_pct) {
		fprintf(stderr, "pipetrace diff: the wall time grew by %.1f %%, more than "
				"--fail-if-slower %g allows\n", growth, s->fail_if_slower_pct);
		return EXIT_SLOWER;
	}
	return 0;
}

static int diff_command(int argc, char **argv)
{
	struct diff_settings s = {.key = KEY_CMDLINE, .format = DIFF_TEXT, .top_n = 10,
				  .fail_if_slower_pct = -1};
	struct cli_operands dirs;
	struct diff_result d;
	char err[1024];
	int status = cli_parse(&diff_cli, argc, argv, &s, &dirs);

	if (status != CLI_GO_ON)
		return status;
	/* A folder a run is writing, or left to recover: one line naming what to do. */
	if (journal_check(dirs.argv[0], err, sizeof(err)) ||
	    journal_check(dirs.argv[1], err, sizeof(err))) {
		fprintf(stderr, "pipetrace diff: %s\n", err);
		return 1;
	}
	switch (diff_datasets(dirs.argv[0], dirs.argv[1], (enum group_key)s.key, &d, err,
			      sizeof(err))) {
	case 0:
		break;
	case DIFF_UNREADABLE:
		fprintf(stderr, "pipetrace diff: %s; expected a dataset folder written by "
				"'pipetrace run -o DIR' (runs.parquet, processes.parquet)\n", err);
		return 1;
	default:
		fputs("pipetrace diff: out of memory; compare smaller datasets\n", stderr);
		return 1;
	}
	status = write_diff(&d, &s);
	diff_result_free(&d);
	return status;
}

static const char diff_description[] =
	"Compare two recorded datasets: per command, executions, wall time, self time and CPU\n"
	"before and after, the commands that appeared and those that vanished, the largest\n"
	"changes first (by self time: the time a command ran without a traced child).\n";

static const char diff_epilogue[] =
	"Exit status: 0 success, 1 a dataset could not be read, 2 usage error, 3 slower than\n"
	"--fail-if-slower allows. Definitions: docs/report.md\n";

const struct cli_command diff_cli = {
	.name = "diff",
	.synopsis = "[OPTIONS] BASE_DIR NEW_DIR",
	.summary = "what got slower or faster, appeared or vanished\n"
		   "between two recorded datasets",
	.description = diff_description,
	.epilogue = diff_epilogue,
	CLI_OPTIONS(diff_table),
	.min_operands = 2,
	.max_operands = 2,
	.operands_error = "two dataset folders are needed",
	.main = diff_command,
};
