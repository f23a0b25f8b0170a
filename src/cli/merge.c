/* pipetrace merge DIR... -o DIR */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "dataset/dataset.h"
#include "dataset/merge.h"
#include "dataset/partition.h"

static const char merge_usage[] =
	"Usage: pipetrace merge DIR... -o DIR [--partition]\n"
	"Merge datasets (several runs, several hosts, or probe streams written separately) into\n"
	"one folder: each table holds the rows of every input, each row keeps its run_id;\n"
	"runs.parquet keeps one row per run.\n"
	"\n"
	"  -o, --output DIR   the merged dataset's folder (created; its tables are replaced)\n"
	"      --partition    DIR is a root instead: each input, a dataset of one run, goes to\n"
	"                     DIR/host=HOST/date=YYYY-MM-DD/run=RUN_ID (its run's host, UTC start\n"
	"                     date and id; docs/fleet.md), merged with any other input of that\n"
	"                     run\n"
	"  -h, --help         show this help\n";

/* --partition: each input into its run's partition under root, with the other inputs of the
 * same run. */
static int merge_partitioned(char **inputs, size_t count, const char *root, char *err,
			     size_t err_size)
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
			rc = dataset_merge(group, n, dirs[i], err, err_size);
		}
	}
	free(dirs);
	free(group);
	return rc;
}

int merge_command(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"partition", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *output = NULL;
	bool partition = false;
	char err[512];
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'p': partition = true; break;
		case 'h': fputs(merge_usage, stdout); return 0;
		default:
			fprintf(stderr, "pipetrace merge: %s option '%s'; see 'pipetrace merge --help'\n",
				c == ':' ? "missing value for" : "unknown", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (!output || optind >= argc) {
		fprintf(stderr, "pipetrace merge: %s; usage: pipetrace merge DIR... -o DIR\n",
			output ? "no dataset to merge" : "no output folder (-o DIR)");
		return EXIT_USAGE;
	}
	rc = partition ? merge_partitioned(argv + optind, (size_t)(argc - optind), output, err,
					   sizeof(err))
		       : dataset_merge((const char *const *)argv + optind, (size_t)(argc - optind),
				       output, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pipetrace merge: %s\n", err);
		return EXIT_FAILURE_OTHER;
	}
	return 0;
}
