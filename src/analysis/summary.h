/* The figures of the summary report of one run (docs/report.md). */
#ifndef PIPETRACE_SUMMARY_H
#define PIPETRACE_SUMMARY_H

#include "analysis/critical_path.h"
#include "analysis/grouping.h"
#include "analysis/run_data.h"

struct summary {
	const struct run_record *run;
	int64_t wall_ns;         /* run end - run start */
	int64_t total_cpu_ns;    /* sum of cpu_ns over every execution */
	size_t peak_parallelism; /* most executions running at one instant */
	struct group_total *commands; /* every command key, by wall time descending */
	size_t command_count;
	struct execution_keys command_keys; /* cmdline or normalized cmdline, per execution */
	struct group_total *binaries; /* every filename, by CPU descending */
	size_t binary_count;
	const struct execution_record **failed; /* exit_code != 0 or signal, by start time */
	size_t failed_count;
	const struct execution_record **slowest; /* every execution, longest first */
	struct critical_path path; /* indices into run->executions */
};

/* Groups the commands table by command_key (KEY_CMDLINE or KEY_NORMALIZED). Returns 0, or -1
 * when out of memory. */
int summary_compute(const struct run_record *run, enum group_key command_key,
		    struct summary *out);
void summary_free(struct summary *s);

/* A non-zero exit code or a signal. */
bool execution_failed(const struct execution_record *e);

/* Total CPU / wall time: how many cores were busy on average (0 when wall is not positive). */
double summary_utilisation(const struct summary *s);

#endif
