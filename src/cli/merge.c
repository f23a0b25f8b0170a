/* pipetrace merge DIR... -o DIR */
#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"
#include "dataset/merge.h"
#include "probes/probe.h"

struct merge_options {
	const char *output;
};

static const struct cli_option merge_table[] = {
	{"output", 'o', "DIR", "the merged dataset's folder (created; its tables are replaced)",
	 cli_text, .offset = offsetof(struct merge_options, output)},
};

static int merge_command(int argc, char **argv)
{
	struct merge_options opt = {0};
	struct cli_operands in;
	const char *tables[PROBE_DATASET_TABLES_MAX];
	size_t table_count = probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX);
	char err[512];
	int status = cli_parse(&merge_cli, argc, argv, &opt, &in);

	if (status != CLI_GO_ON)
		return status;
	if (!opt.output)
		return cli_usage_error(&merge_cli, "no output folder (-o DIR)");
	if (dataset_merge((const char *const *)in.argv, (size_t)in.count, tables, table_count,
			  opt.output, err, sizeof(err))) {
		fprintf(stderr, "pipetrace merge: %s\n", err);
		return EXIT_FAILURE_OTHER;
	}
	return 0;
}

static const char merge_description[] =
	"Merge datasets (several runs, several hosts, or probe streams written separately) into\n"
	"one folder: each table holds the rows of every input, each row keeps its run_id;\n"
	"runs.parquet keeps one row per run.\n";

const struct cli_command merge_cli = {
	.name = "merge",
	.synopsis = "DIR... -o DIR",
	.summary = "merge datasets into one",
	.description = merge_description,
	CLI_OPTIONS(merge_table),
	.min_operands = 1,
	.max_operands = -1,
	.operands_error = "no dataset to merge",
	.main = merge_command,
};
