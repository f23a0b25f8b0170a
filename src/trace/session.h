/* A tracing session, shared by attach and record: the probes, the execution model, and the
 * dataset that finished executions stream into, journaled as run's is (trace/run_journal.h).
 * record rotates it, closing the dataset and opening the next between two drains of the
 * ring, so that every execution is written once, to the dataset open when it ends. */
#ifndef PIPETRACE_SESSION_H
#define PIPETRACE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset/dataset.h"
#include "dataset/journal.h"
#include "model/model.h"
#include "probes/probe.h"
#include "trace/replay.h"
#include "trace/run_record.h"
#include "trace/tracer.h"

struct session {
	struct dataset *dataset;
	struct journal *journal;   /* the current dataset's, locked while it is written */
	struct model *model;
	struct tracer *tracer;
	bool sync;                 /* each journal frame on disk before the next (--sync) */
	int64_t realtime_offset;   /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t finished_cpu_ns;  /* of every execution written so far (the status line) */
	uint64_t written;          /* executions written to the current dataset */
	uint64_t lost_before[LOST_KINDS]; /* records lost, by cause, before the current dataset */
	uint32_t root_pid;         /* attach: the process whose exit the run reports; 0: none */
	bool root_exited;
	int root_status;           /* its wait(2) status, once root_exited */
};

enum { SESSION_NO_DATASET = -1, SESSION_NO_TRACER = -2 };

/* Opens the journal and the dataset in dir, the model and the probes. Returns 0,
 * SESSION_NO_DATASET (nothing was written) or SESSION_NO_TRACER (the dataset says the run
 * failed), with err set. */
int session_open(struct session *s, const char *dir, const char *run_id, const bool *enabled,
		 struct probe_settings settings, char *err, size_t err_size);

/* The journal's first record, before anything is traced: run's description (run_id,
 * command, cwd, options, probes, start) and the decoders' settings. 0, or -1 (tracer_error). */
int session_begin(struct session *s, const struct run_info *run, const struct run_settings *rs);

/* Gives the run up before it began: the dataset, when open, is finished as 'failed'. */
void session_abandon(struct session *s, const char *run_id);

/* Fills in what the session knows of the run that ends at end_ns (CLOCK_MONOTONIC): its end,
 * processes, lost records, status (incomplete when the caller says so), and attach's root's
 * exit status once it has exited. */
void session_run_info(struct session *s, struct run_info *run, uint64_t end_ns, bool incomplete);

/* Closes the current dataset as closing says, its journal removed, and goes on into a new
 * one in dir (opening: its run record), journaled from the executions the model holds. */
int session_rotate(struct session *s, const struct run_info *closing, const char *dir,
		   const struct run_info *opening, const struct run_settings *rs, char *err,
		   size_t err_size);

/* Ends the run at end_ns: the executions still held are written (running ones with their
 * figures so far), then the dataset is finished as run says, with what session_run_info
 * fills in (incomplete: the run loop ended early), and the journal removed. -1 with err set
 * when it could not be written (the journal is left for pipetrace recover). */
int session_finish(struct session *s, struct run_info *run, uint64_t end_ns, bool incomplete,
		   char *err, size_t err_size);

/* Tracing stopped mid-run: the dataset is rebuilt from the journal (res), or, -1 with err
 * set, the journal is left for pipetrace recover. */
int session_salvage(struct session *s, const char *dir, struct replay_result *res, char *err,
		    size_t err_size);

/* Stops the probes and frees the model (after session_finish, or on a failure to start). */
void session_close(struct session *s);

#endif
