/* The dataset's tables: column names and types are the contract with users (docs/dataset.md).
 * The enums index the column arrays; keep both in the same order. */
#ifndef PIPETRACE_SCHEMA_H
#define PIPETRACE_SCHEMA_H

#include "parquet/parquet.h"

#define PT_SCHEMA_VERSION "2"

/* What was lost on the way, by cause: runs.parquet has a column for each, RUNS_LOST_FIRST +
 * kind, and lost_events, their sum. The kernel counts the first three (enum pt_lost_kind in
 * bpf/record.h, in the same order); user space the others. */
enum lost_kind {
	LOST_RING_FULL,    /* records the ring buffer had no room for */
	LOST_TRACED_FULL,  /* forked processes that did not fit the traced set (untraced) */
	LOST_STASH_FULL,   /* syscalls whose entry arguments did not fit their probe's stash */
	LOST_MALFORMED,    /* records shorter than their header, type or declared lengths */
	LOST_UNKNOWN_TYPE, /* records of a type no started probe decodes */
	LOST_READ_ERRORS,  /* failed reads of the ring buffer, each losing one record */
	LOST_KINDS
};

enum runs_column {
	RUNS_RUN_ID, RUNS_HOST, RUNS_KERNEL, RUNS_PIPETRACE_VERSION, RUNS_COMMAND, RUNS_CWD,
	RUNS_START_TIME, RUNS_END_TIME, RUNS_EXIT_CODE, RUNS_SIGNAL, RUNS_PROBES, RUNS_OPTIONS,
	RUNS_PROCESSES, RUNS_LOST_EVENTS, RUNS_STATUS, RUNS_MONITOR_CPU_NS,
	RUNS_LOST_FIRST, RUNS_LOST_LAST = RUNS_LOST_FIRST + LOST_KINDS - 1,
	RUNS_REDACT, RUNS_REDACTED_EXECUTIONS, RUNS_REDACTED_WORDS,
	RUNS_COLUMNS
};

enum processes_column {
	PROC_RUN_ID, PROC_EXEC_ID, PROC_PARENT_EXEC_ID, PROC_PREV_EXEC_ID, PROC_PID, PROC_PPID,
	PROC_NS_PID, PROC_CGROUP_ID, PROC_CGROUP, PROC_UID, PROC_GID, PROC_COMM, PROC_FILENAME,
	PROC_ARGV, PROC_CMDLINE, PROC_ARGV_TRUNCATED, PROC_ARGV_REDACTED, PROC_CWD, PROC_START_TIME,
	PROC_EXEC_TIME,
	PROC_END_TIME, PROC_DURATION_NS, PROC_CPU_USER_NS, PROC_CPU_SYS_NS, PROC_CPU_NS,
	PROC_MAX_RSS_KB, PROC_READ_BYTES, PROC_WRITE_BYTES, PROC_MINOR_FAULTS, PROC_MAJOR_FAULTS,
	PROC_VOL_CTX_SWITCHES, PROC_INVOL_CTX_SWITCHES, PROC_EXIT_CODE, PROC_SIGNAL,
	PROC_CORE_DUMPED, PROC_END_REASON, PROC_ATTACHED,
	PROC_COLUMNS
};

enum events_column {
	EVENTS_RUN_ID, EVENTS_TS, EVENTS_TYPE, EVENTS_PID, EVENTS_TID, EVENTS_PPID, EVENTS_EXEC_ID,
	EVENTS_COLUMNS
};

/* cpu_samples.parquet, the cpu probe's table: written by src/probes/cpu.c, read by
 * src/analysis/cpu_samples.c. */
enum cpu_samples_column {
	SAMPLES_RUN_ID, SAMPLES_TS, SAMPLES_EXEC_ID, SAMPLES_PID, SAMPLES_CPU_NS, SAMPLES_RSS_KB,
	SAMPLES_COLUMNS
};

/* The tables of every dataset, by file name without ".parquet"; each probe module declares
 * its own (probe_dataset_tables in probes/registry.c lists them all). */
extern const char *const dataset_own_tables[];
extern const size_t dataset_own_table_count;

extern const struct pq_column_def runs_columns[RUNS_COLUMNS];
extern const struct pq_column_def processes_columns[PROC_COLUMNS];
extern const struct pq_column_def events_columns[EVENTS_COLUMNS];
extern const struct pq_column_def cpu_samples_columns[SAMPLES_COLUMNS];

#endif
