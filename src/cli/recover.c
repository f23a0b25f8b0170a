/* pipetrace recover DIR: the dataset of a run that did not finish, from its journal; and the
 * snapshot of a live run that pipetrace report shows (docs/dataset.md "Durability"). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/report.h"
#include "analysis/run_folders.h"
#include "cli/cli.h"
#include "dataset/dataset.h"
#include "dataset/journal.h"
#include "probes/probe.h"
#include "trace/replay.h"

static int recover_dir(const char *dir);

/* dir is neither a dataset nor a run's folder: a root (--partition, record --rotate) whose
 * folders below it a killed run left are recovered, each. */
static int recover_below(const char *dir)
{
	struct run_folders left, datasets;
	char err[1024];
	int status = 0;

	if (run_folders_to_recover(dir, &left, err, sizeof(err))) {
		fprintf(stderr, "pipetrace recover: %s\n", err);
		return EXIT_FAILURE_OTHER;
	}
	for (size_t i = 0; i < left.count; i++)
		status |= recover_dir(left.dirs[i]);
	if (!left.count && !run_folders_find(dir, NULL, &datasets, err, sizeof(err)) &&
	    datasets.count) {
		printf("pipetrace recover: %s holds complete datasets only; nothing to do\n", dir);
		run_folders_free(&datasets);
	} else if (!left.count) {
		fprintf(stderr, "pipetrace recover: %s holds neither a dataset nor the journal of "
			"a run; give the folder 'pipetrace run', 'attach' or 'record' wrote to (-o), "
			"or a root of them\n", dir);
		status = EXIT_FAILURE_OTHER;
	}
	run_folders_free(&left);
	return status ? EXIT_FAILURE_OTHER : 0;
}

static int recover_dir(const char *dir)
{
	struct replay_result res;
	char err[1024], runs[PATH_MAX + 16];

	switch (journal_state(dir)) {
	case JOURNAL_LIVE:
		fprintf(stderr, "pipetrace recover: a pipetrace run is writing %s now; 'pipetrace "
			"report %s' shows it so far\n", dir, dir);
		return EXIT_FAILURE_OTHER;
	case JOURNAL_NONE:
		snprintf(runs, sizeof(runs), "%s/runs.parquet", dir);
		if (access(runs, F_OK) == 0) {
			printf("pipetrace recover: %s is a complete dataset; nothing to do\n", dir);
			return 0;
		}
		return recover_below(dir);
	default:
		break;
	}
	if (replay_journal(dir, dir, false, &res, err, sizeof(err))) {
		fprintf(stderr, "pipetrace recover: %s: %s\n", dir, err);
		return EXIT_FAILURE_OTHER;
	}
	printf("pipetrace recover: %s: %llu executions, status '%s'", dir,
	       (unsigned long long)res.executions, res.status);
	if (res.torn_bytes)
		printf("; ignored a torn last frame of %llu bytes", (unsigned long long)res.torn_bytes);
	printf("\n");
	return 0;
}

static int recover_command(int argc, char **argv)
{
	struct cli_operands in;
	int status = cli_parse(&recover_cli, argc, argv, NULL, &in);

	if (status != CLI_GO_ON)
		return status;
	return recover_dir(in.argv[0]);
}

const struct cli_command recover_cli = {
	.name = "recover",
	.synopsis = "DIR",
	.summary = "turn what a run that did not finish left into a\n"
		   "dataset",
	.description =
		"Turn what a run that did not finish left in DIR (pipetrace killed, the machine down,\n"
		"tracing stopped by a full disk) into a dataset: every execution that had ended, once;\n"
		"those still running as end_reason 'running' with what was known; runs.parquet with\n"
		"status 'recovered' and end_time the time of the last record. A torn last frame of the\n"
		"journal is ignored and counted. On a complete dataset it changes nothing and says so;\n"
		"run again after a failure, it starts over. DIR may be a root (--partition, record\n"
		"--rotate): every folder below it that a killed run left is recovered.\n",
	.epilogue = "Exit status: 0 when DIR holds a dataset, 1 when it could not be recovered,\n"
		    "2 on a usage error.\n",
	.min_operands = 1,
	.max_operands = 1,
	.operands_error = "one dataset folder is needed",
	.main = recover_command,
};

static void remove_snapshot(const char *snapshot)
{
	const char *tables[PROBE_DATASET_TABLES_MAX];
	char err[256];

	dataset_remove_tables(snapshot, tables, probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX),
			      err, sizeof(err));
	rmdir(snapshot);
}

/* A live run's dataset so far, replayed from its journal into a new folder under $TMPDIR. */
static int take_snapshot(const char *dir, char *out, size_t out_size, char *err, size_t err_size)
{
	const char *tmp = getenv("TMPDIR");
	struct replay_result res;

	snprintf(out, out_size, "%s/pipetrace-live-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(out)) {
		snprintf(err, err_size, "cannot create a folder for the snapshot of %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (replay_journal(dir, out, true, &res, err, err_size)) {
		remove_snapshot(out);
		return -1;
	}
	fprintf(stderr, "pipetrace report: %s: a run still in progress, as it was at its last "
		"record (at most 0.2 s ago): %llu executions so far, %llu running now (end_reason "
		"'running')\n", dir, (unsigned long long)res.executions,
		(unsigned long long)res.running);
	return 0;
}

void recover_enable_live_report(void)
{
	report_set_live_snapshot((struct report_live_snapshot){take_snapshot, remove_snapshot});
}
