/* Reads cpu_samples.parquet (the cpu probe's table, docs/dataset.md): each live execution's
 * cumulative CPU time and resident memory, every sampling interval and at its end. The table
 * is optional: a dataset recorded without the cpu probe has none. */
#ifndef PIPETRACE_CPU_SAMPLES_H
#define PIPETRACE_CPU_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu_sample {
	int64_t ts_ns;
	int64_t exec_id;
	int64_t cpu_ns; /* cumulative, since the execution started */
	int64_t rss_kb;
	bool has_rss; /* rss_kb is null until a kernel sample has reported one */
};

struct cpu_samples {
	struct cpu_sample *samples; /* by exec_id, then time */
	size_t count;
};

/* Loads the samples of run run_id (every sample when the folder holds one run: single_run).
 * No table is no samples. On failure returns -1 with a one-line cause in err. */
int cpu_samples_load(const char *dir, const char *run_id, int single_run,
		     struct cpu_samples *out, char *err, size_t err_size);
void cpu_samples_free(struct cpu_samples *s);

#endif
