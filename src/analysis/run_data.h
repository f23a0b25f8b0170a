/* Reads back what the report needs from a dataset folder: the runs (runs.parquet: one row per
 * run, several in a merged folder) and one struct per execution (processes.parquet), grouped
 * by run. */
#ifndef PIPETRACE_RUN_DATA_H
#define PIPETRACE_RUN_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/critical_path.h"
#include "dataset/schema.h"

struct execution_record {
	struct exec_span span; /* exec_id, parent_exec_id, prev_exec_id, start, end */
	int64_t duration_ns;
	int64_t pid, ppid;
	int64_t cpu_user_ns, cpu_sys_ns, cpu_ns;
	int64_t max_rss_kb;
	int64_t read_bytes, write_bytes;
	bool has_exit_code, has_signal;
	int64_t exit_code, signal;
	const char *filename; /* NULL when null */
	const char *cmdline;  /* NULL when null */
	const char *cwd;      /* NULL when null */
	const char *end_reason;
	const char *const *argv; /* argc items */
	size_t argc;
};

struct run_record {
	const char *run_id;
	const char *const *command; /* command_count items */
	size_t command_count;
	const char *status;
	int64_t start_ns, end_ns;
	bool has_exit_code, has_signal;
	int64_t exit_code, signal;
	int64_t lost_events;
	int64_t lost[LOST_KINDS]; /* by cause (0 in a dataset from before they were counted) */
	/* runs.redact (-1: a dataset from before redaction), and what it redacted */
	int64_t redact, redacted_executions, redacted_words;
	/* The run's executions: all of processes.parquet when the folder holds one run, else
	 * those whose run_id is this run's. */
	const struct execution_record *executions;
	size_t execution_count;
};

struct run_data {
	struct run_record *runs; /* in the order of runs.parquet */
	size_t run_count;
	size_t orphan_executions; /* executions whose run_id names no run (several runs only) */
	/* Owns every run's executions: run by run, in the order of runs, then the orphans. */
	struct execution_record *executions;
	char *text;                          /* owns every string */
	const char **command_items;          /* owns the runs' commands */
	const char **argv_items;             /* owns the executions' argv */
};

/* Loads dir. On failure returns -1 with a one-line cause naming the file in err. */
int run_data_load(const char *dir, struct run_data *out, char *err, size_t err_size);
void run_data_free(struct run_data *d);
/* The spans of the run's executions, in their order (malloc'd; NULL when out of memory). */
struct exec_span *run_record_spans(const struct run_record *run);

#endif
