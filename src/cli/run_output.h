/* pipetrace run: what it holds of the run, and its output folder from the journal's first
 * record to the finished dataset (run_output.c; docs/dataset.md "Durability"). */
#ifndef PIPETRACE_RUN_OUTPUT_H
#define PIPETRACE_RUN_OUTPUT_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>

#include "cli/options.h"
#include "dataset/dataset.h"
#include "dataset/journal.h"
#include "model/argv.h"
#include "model/model.h"
#include "trace/launch.h"
#include "trace/tracer.h"

/* Everything the traced run needs besides the options, undone by run_command's one way out. */
struct run_state {
	struct run_options opt;
	char run_id[96], output[PATH_MAX];
	char cwd[ESCAPED_SIZE(PATH_MAX)]; /* escaped, as every string of the dataset */
	struct argv_list command;          /* CMD's words escaped, for runs.parquet */
	struct launch_user user;
	struct launch_signals cmd_signals; /* pipetrace's caller's, for CMD */
	struct redactor *redactor;         /* NULL: --no-redact */
	sigset_t signals;                  /* those passed on to CMD */
	struct launch child;               /* CMD, held until the probes are attached */
	struct journal *journal;           /* DIR's, locked while the run writes DIR */
	struct tracer_sink sink;
	struct model *model;
	struct tracer *tracer;
	int signal_fd;
	uint64_t start_realtime_ns;
	int64_t realtime_offset;
	struct run_info run; /* runs.parquet's row, filled in as the run goes */
	const char *probe_names[PROBE_MODULES_MAX];
	char options_json[512];
};

/* The output folder, its journal (locked: refused when another run writes there) and its
 * tables, in that order, so that no table of a live run is replaced. -1 with err set. */
int run_open_output(struct run_state *s, char *err, size_t err_size);
/* Tracing could not start: what run_open_output made is undone, runs.parquet saying so. */
void run_undo_start(struct run_state *s);
/* The journal's first records, CMD held: the run's description, then CMD as the tree's
 * root; on disk (the page cache) before CMD starts. */
int run_journal_start(struct run_state *s);
/* Tracing stopped mid-run (why) and CMD ran on: the dataset is rebuilt from the journal, or
 * the journal is left for pipetrace recover; one line on stderr says which. */
void run_salvage(struct run_state *s, const char *why);
/* The run ended (s->run filled in): its last record, then the dataset; the journal goes once
 * the dataset is whole. cmd_status: CMD's wait status, -1 when it was still running. */
int run_finish_dataset(struct run_state *s, int cmd_status);
/* Gives the dataset's tables to the user CMD ran as. */
void run_give_dataset(const struct run_state *s);

#endif
