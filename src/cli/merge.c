/* pipetrace merge DIR... -o DIR */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "dataset/dataset.h"
#include "dataset/merge.h"
#include "dataset/partition.h"
#include "probes/probe.h"

struct merge_options {
	const char *output;
	bool partition;
};

static const struct cli_option merge_table[] = {
	{"output", 'o', "DIR", "the merged dataset's folder (created; its tables are replaced)",
	 cli_text, .offset = offsetof(struct merge_options, output)},
	{"partition", 0, NULL, "DIR is a root instead: each input, a dataset of one run, goes to\n"
	 "DIR/host=HOST/date=YYYY-MM-DD/run=RUN_ID (its run's host, UTC\n"
	 "start date and id; docs/fleet.md), with any other input of that run", NULL,
	 .offset = offsetof(struct merge_options, partition)},
};

/* --partition: each input into its run's partition under root, with the other inputs of the
 * same run. */
static int merge_partitioned(char **inputs, size_t count, const char *const *tables,
			     size_t table_count, const char *root, char *err, size_t err_size)
{
	char (*dirs)[PATH_MAX] = calloc(count, sizeof(*dirs));
	const char **group = calloc(count, sizeof(*group));
	int rc = dirs && group ? 0 : -1;

	if (rc)
		snprintf(err, err_size, "out of memory");
	for (size_t i = 0; i < count && !rc; i++)
		rc = partition_dir_of(inputs[i], root, dirs[i], sizeof(dirs[i]), err, err_size);
	for (size_t i = 0; i < count && !rc; i++) {
		size_t n = 0;
		bool merged = false;

		for (size_t j = 0; j < i; j++)
			merged |= !strcmp(dirs[j], dirs[i]);
		if (merged)
			continue; /* with the first input of its run */
		for (size_t j = i; j < count; j++)
			if (!strcmp(dirs[j], dirs[i]))
				group[n++] = inputs[j];
		if (dataset_make_dir(dirs[i], (uid_t)-1, (gid_t)-1)) {
			snprintf(err, err_size, "cannot create %s: %s", dirs[i], strerror(errno));
			rc = -1;
		} else {
			rc = dataset_merge(group, n, tables, table_count, dirs[i], err, err_size);
		}
	}
	free(dirs);
	free(group);
	return rc;
}

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
	status = opt.partition ? merge_partitioned(in.argv, (size_t)in.count, tables, table_count,
						   opt.output, err, sizeof(err))
			       : dataset_merge((const char *const *)in.argv, (size_t)in.count, tables,
					       table_count, opt.output, err, sizeof(err));
	if (status) {
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
	.synopsis = "DIR... -o DIR [--partition]",
	.summary = "merge datasets into one",
	.description = merge_description,
	CLI_OPTIONS(merge_table),
	.min_operands = 1,
	.max_operands = -1,
	.operands_error = "no dataset to merge",
	.main = merge_command,
};
