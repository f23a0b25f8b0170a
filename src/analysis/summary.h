/* The figures of the summary report of one run (docs/report.md). */
#ifndef PIPETRACE_SUMMARY_H
#define PIPETRACE_SUMMARY_H

#include "analysis/critical_path.h"
#include "analysis/run_data.h"

/* Executions grouped by command line or by binary. */
struct group_total {
	const char *key; /* cmdline, or filename (NULL: executions with no filename) */
	size_t executions;
	int64_t wall_ns;    /* sum of duration_ns */
	int64_t cpu_ns;     /* sum of cpu_ns */
	int64_t max_rss_kb; /* largest max_rss_kb */
};

struct summary {
	const struct run_record *run;
	int64_t wall_ns;         /* run end - run start */
	int64_t total_cpu_ns;    /* sum of cpu_ns over every execution */
	size_t peak_parallelism; /* most executions running at one instant */
	struct group_total *commands; /* every cmdline, by wall time descending */
	size_t command_count;
	struct group_total *binaries; /* every filename, by CPU descending */
	size_t binary_count;
	const struct execution_record **failed; /* exit_code != 0 or signal, by start time */
	size_t failed_count;
	struct critical_path path; /* indices into run->executions */
};

/* Returns 0, or -1 when out of memory. */
int summary_compute(const struct run_record *run, struct summary *out);
void summary_free(struct summary *s);

/* Total CPU / wall time: how many cores were busy on average (0 when wall is not positive). */
double summary_utilisation(const struct summary *s);

#endif
