/* Reads back what the report needs from a dataset folder: the run (runs.parquet) and one
 * struct per execution (processes.parquet). */
#ifndef PIPETRACE_RUN_DATA_H
#define PIPETRACE_RUN_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/critical_path.h"

struct run_record {
	const char *run_id;
	const char *const *command; /* command_count items */
	size_t command_count;
	const char *status;
	int64_t start_ns, end_ns;
	bool has_exit_code, has_signal;
	int64_t exit_code, signal;
	int64_t lost_events;
	size_t runs; /* rows of runs.parquet; the record describes the first */
};

struct execution_record {
	struct exec_span span; /* exec_id, parent_exec_id, prev_exec_id, start, end */
	int64_t duration_ns;
	int64_t cpu_ns;
	int64_t max_rss_kb;
	bool has_exit_code, has_signal;
	int64_t exit_code, signal;
	const char *filename; /* NULL when null */
	const char *cmdline;
};

struct run_data {
	struct run_record run;
	struct execution_record *executions;
	size_t execution_count;
	char *text;                 /* owns every string above */
	const char **command_items; /* owns run.command */
};

/* Loads dir. On failure returns -1 with a one-line cause naming the file in err. */
int run_data_load(const char *dir, struct run_data *out, char *err, size_t err_size);
void run_data_free(struct run_data *d);

#endif
