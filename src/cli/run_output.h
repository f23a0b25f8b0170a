/* pipetrace run: what it knows of the run, and its output folder from the journal's first
 * record to the finished dataset (run_output.c). */
#ifndef PIPETRACE_RUN_OUTPUT_H
#define PIPETRACE_RUN_OUTPUT_H

#include <limits.h>
#include <stdint.h>

#include "cli/options.h"
#include "dataset/dataset.h"
#include "dataset/journal.h"
#include "trace/launch.h"
#include "trace/tracer.h"

/* Everything the traced run needs besides the options. */
struct run_state {
	struct run_options opt;
	char run_id[96], output[PATH_MAX], cwd[PATH_MAX];
	struct launch_user user;
	struct launch_signals cmd_signals; /* pipetrace's caller's, for CMD */
	uint64_t start_realtime_ns;
	int64_t realtime_offset;
};

/* The output folder, its journal (locked: refused when another run writes there) and its
 * tables, in that order: no table of a live run is replaced. NULL with err set. */
struct dataset *run_open_output(const struct run_state *s, struct journal **j, char *err,
				size_t err_size);
/* Tracing could not start: undoes run_open_output, runs.parquet saying so. */
void run_undo_start(const struct run_state *s, struct journal *j, struct dataset *d);
/* The run as runs.parquet states it, what is known before CMD starts (probe_names: room
 * for PROBE_MODULES_MAX; options: the JSON's room). */
void run_describe(const struct run_state *s, const char **probe_names, char *options,
		  size_t options_size, struct run_info *run);
/* The journal's first records: the run's description, then CMD (pid) as the tree's root. */
int run_journal_start(struct run_state *s, struct tracer *t, const struct run_info *run,
		      pid_t pid);
/* Tracing stopped mid-run (why) and CMD ran on: the dataset is rebuilt from the journal, or
 * the journal is left for pipetrace recover; one line on stderr says which. */
void run_salvage(const struct run_state *s, const char *why);
/* The run ended: its last record, then the dataset; the journal goes once the dataset is
 * whole. cmd_status: CMD's wait status, -1 when it was still running. */
int run_finish_dataset(struct run_state *s, struct tracer *t, struct journal *j,
		       struct dataset *d, struct run_info *run, int cmd_status);
/* Gives the dataset's tables to the user CMD ran as. */
void run_give_dataset(const struct run_state *s);

#endif
