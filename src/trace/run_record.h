/* The journal's first record (PT_JREC_RUN): what runs.parquet says of the run before it
 * starts, and the settings the decoders were opened with. */
#ifndef PIPETRACE_RUN_RECORD_H
#define PIPETRACE_RUN_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset/dataset.h"
#include "trace/journal_records.h"

/* The settings a replay needs to open the same decoders. */
struct run_settings {
	int64_t realtime_offset;
	uint64_t interval_ns;
	uint32_t max_args;
	bool redact; /* the proc probe redacted command lines (runs.redact) */
};

/* Encodes run (run_id, command, cwd, options, probes, start_ns) and s; NULL when out of
 * memory. The record is allocated; *size is its size. */
struct pt_jrec_run *run_record_encode(const struct run_info *run, const struct run_settings *s,
				      size_t *size);

/* A decoded run record: run's strings and arrays point into rec, or into owned arrays
 * freed by run_record_free. */
struct run_record_decoded {
	struct run_info run;
	struct run_settings settings;
	char **command;
	const char **probes;
};
/* -1 when the record is malformed. */
int run_record_decode(const struct pt_jrec_run *rec, size_t size, struct run_record_decoded *out);
void run_record_free(struct run_record_decoded *d);

#endif
