/* A journal replayed through the same decoders, model and tables as the run that wrote it,
 * without the kernel: pipetrace recover (a run that did not finish) and pipetrace report on
 * a live run (a snapshot). docs/dataset.md "Durability". */
#ifndef PIPETRACE_REPLAY_H
#define PIPETRACE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct replay_result {
	uint64_t executions, torn_bytes;
	uint64_t running; /* executions still running at the journal's end */
	bool ended;      /* the journal holds the run's end: the dataset is the run's own */
	char status[32]; /* runs.parquet status written */
};

/* Writes the dataset of dir's journal to out_dir. With snapshot, dir's run may be live: its
 * journal is read as it is, left in place, and the dataset's status is 'running'; else the
 * journal is locked, and removed once out_dir's dataset is whole. */
int replay_journal(const char *dir, const char *out_dir, bool snapshot,
		   struct replay_result *res, char *err, size_t err_size);

#endif
