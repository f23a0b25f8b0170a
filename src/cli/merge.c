/* pipetrace merge DIR... -o DIR */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "dataset/merge.h"
#include "probes/probe.h"

static const char merge_usage[] =
	"Usage: pipetrace merge DIR... -o DIR\n"
	"Merge datasets (several runs, several hosts, or probe streams written separately) into\n"
	"one folder: each table holds the rows of every input, each row keeps its run_id;\n"
	"runs.parquet keeps one row per run.\n"
	"\n"
	"  -o, --output DIR   the merged dataset's folder (created; its tables are replaced)\n"
	"  -h, --help         show this help\n";

int merge_command(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *output = NULL, *tables[PROBE_DATASET_TABLES_MAX];
	size_t tables_count;
	char err[512];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
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
	tables_count = probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX);
	if (dataset_merge((const char *const *)argv + optind, (size_t)(argc - optind), tables,
			  tables_count, output, err, sizeof(err))) {
		fprintf(stderr, "pipetrace merge: %s\n", err);
		return EXIT_FAILURE_OTHER;
	}
	return 0;
}
