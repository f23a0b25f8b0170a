/* A dataset's journal from its first record to its removal, the one path run, attach and
 * record share (docs/dataset.md "Durability"): the run's description first, its end last,
 * then the tables finished and the journal removed; or, when tracing stopped mid-run, the
 * dataset rebuilt from the journal. */
#ifndef PIPETRACE_RUN_JOURNAL_H
#define PIPETRACE_RUN_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dataset/dataset.h"
#include "dataset/journal.h"
#include "trace/replay.h"
#include "trace/run_record.h"
#include "trace/tracer.h"

/* Journals the run's description (run_record.h), the first record; 0 or -1. */
int run_journal_begin(struct tracer *t, const struct run_info *run, const struct run_settings *s);

/* Journals the run's end (run->end_ns is UTC, realtime_offset ahead of CLOCK_MONOTONIC;
 * cmd_status: CMD's wait status, -1 for none or still running) and
 * puts it on disk, so that a death while the tables are written loses nothing. */
void run_journal_end(struct tracer *t, struct journal *j, const struct run_info *run,
		     int64_t realtime_offset, int cmd_status);

/* Finishes d as run says, then removes j (the dataset replaces it). -1 with err set when the
 * dataset could not be written: j is left for pipetrace recover. 0 when it was; err then
 * says why j could not be removed, if it could not (else err is ""). Both are closed. */
int run_journal_close(struct dataset *d, struct journal *j, const struct run_info *run,
		      char *err, size_t err_size);

/* Tracing stopped mid-run: d is dropped and dir's dataset rebuilt from j, closed first (res
 * says what it holds). -1 with err set when it could not be: j is left for pipetrace
 * recover. */
int run_journal_salvage(struct dataset *d, struct journal *j, const char *dir,
			struct replay_result *res, char *err, size_t err_size);

#endif
