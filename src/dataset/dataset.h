/* Writing one run's dataset: a folder of Parquet tables (docs/dataset.md). Executions and
 * events stream to their files as they finish; runs.parquet is written last. */
#ifndef PIPETRACE_DATASET_H
#define PIPETRACE_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dataset/schema.h"
#include "model/execution.h"
#include "parquet/parquet.h"

struct dataset;

/* Everything runs.parquet says of the run. command and cwd are escaped (model/argv.h). */
struct run_info {
	const char *run_id;
	char *const *command;
	size_t command_count;
	const char *cwd;
	uint64_t start_ns, end_ns; /* CLOCK_REALTIME */
	int exit_code, signal;     /* -1: none */
	const char *const *probes;
	size_t probe_count;
	const char *options;       /* the run's settings as JSON */
	uint64_t processes, monitor_cpu_ns;
	uint64_t lost[LOST_KINDS]; /* by cause; lost_events is their sum */
	const char *status;
};

/* Creates dir and its missing parents; those it creates are given to uid/gid unless uid is
 * (uid_t)-1. */
int dataset_make_dir(const char *dir, uid_t uid, gid_t gid);

/* Gives the dataset folder's tables (names without ".parquet"), whole or still partial, to
 * uid/gid. */
void dataset_give(const char *dir, const char *const *tables, size_t table_count, uid_t uid,
		  gid_t gid);

/* Removes the named tables (without ".parquet") from dir, whole or partial. */
int dataset_remove_tables(const char *dir, const char *const *tables, size_t table_count,
			  char *err, size_t err_size);

/* Creates dir (and parents), removes the tables a previous run left there (tables: every
 * name a dataset may hold, probe_dataset_tables), and opens processes.parquet and
 * events.parquet. realtime_offset turns the kernel's CLOCK_MONOTONIC timestamps into UTC
 * instants. Each table is written as DIR/.NAME.parquet.partial and gets its name when
 * dataset_finish has closed it whole. */
struct dataset *dataset_create(const char *dir, const char *run_id, int64_t realtime_offset,
			       const char *const *tables, size_t table_count, char *err,
			       size_t err_size);

/* Opens another table (a probe's own) in the folder; the dataset closes it. */
struct pq_writer *dataset_table(struct dataset *d, const char *name,
				const struct pq_column_def *columns, size_t column_count);
int64_t dataset_utc(const struct dataset *d, uint64_t monotonic_ns);
const char *dataset_run_id(const struct dataset *d);

int dataset_write_execution(struct dataset *d, const struct execution *e,
			    const struct execution_figures *f);
/* ppid and exec_id: < 0 for none. */
int dataset_write_event(struct dataset *d, uint64_t ts, const char *type, uint32_t pid,
			uint32_t tid, int64_t ppid, int64_t exec_id);

/* Says whether secrets in command lines are redacted (runs.redact; the proc probe knows). */
void dataset_set_redacted(struct dataset *d, bool redacted);

/* The processes table's cgroup paths (dataset/cgroup_path.h). A live run looks each cgroup
 * up at the exec that enters it, while a process is in it (dataset_note_cgroup), and is told
 * of each found through found(ctx, id, path), to journal it; a replay learns them back
 * (dataset_learn_cgroup), since the cgroup may be gone by then. Without found, paths are
 * looked up when rows are written. */
typedef void (*dataset_cgroup_found)(void *ctx, uint64_t id, const char *path);
void dataset_on_cgroup(struct dataset *d, dataset_cgroup_found found, void *ctx);
void dataset_note_cgroup(struct dataset *d, uint64_t id);
void dataset_learn_cgroup(struct dataset *d, uint64_t id, const char *path);

/* A NUL-terminated string, or null when s is NULL. */
int dataset_write_string(struct pq_writer *w, size_t column, const char *s);

/* The tables of record-per-event probes (files, net) start with these columns. */
#define DATASET_RECORD_COLUMNS                                                               \
	{"run_id", PQ_STRING, false}, {"ts", PQ_TIMESTAMP_NS, false},                        \
		{"exec_id", PQ_INT64, true}, {"pid", PQ_INT32, false}, {"tid", PQ_INT32, false}
enum { RECORD_RUN_ID, RECORD_TS, RECORD_EXEC_ID, RECORD_PID, RECORD_TID, RECORD_COLUMNS };
/* Writes those columns of a row for a record of the traced process (exec_id 0: unknown). */
int dataset_write_record_columns(struct dataset *d, struct pq_writer *w, uint64_t ts,
				 uint32_t pid, uint32_t tid, uint64_t exec_id);

/* record --rotate: writes the current folder's runs.parquet as run says, and goes on with every
 * table in dir (created; tables left there are removed), under run_id. 0, or -1 with err set
 * (the dataset is unusable then). */
int dataset_rotate(struct dataset *d, const struct run_info *run, const char *dir,
		   const char *run_id, char *err, size_t err_size);

/* Closes every table, then writes runs.parquet (its status 'incomplete' when a table could
 * not be finished) and frees d. 0, or -1 with err set. */
int dataset_finish(struct dataset *d, const struct run_info *run, char *err, size_t err_size);
/* Closes nothing: removes the partial tables and frees d (the journal keeps the run). */
void dataset_abandon(struct dataset *d);
/* The first write error, or NULL. */
const char *dataset_error(const struct dataset *d);

#endif
