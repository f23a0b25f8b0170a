/* Per command key, what got slower or faster, appeared or vanished between two recorded
 * datasets (docs/report.md, "Comparing two runs"): the analysis behind `pipetrace diff`. */
#ifndef PIPETRACE_DIFF_H
#define PIPETRACE_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/grouping.h"

/* The whole of one dataset: every run of the folder. */
struct diff_totals {
	size_t executions;
	int64_t wall_ns; /* sum over its runs of end_time - start_time */
	int64_t cpu_ns;
};

enum diff_change { CHANGE_SLOWER, CHANGE_FASTER, CHANGE_SAME, CHANGE_NEW, CHANGE_VANISHED };

/* One key; `before`/`after` are all zero where the key is absent. */
struct diff_row {
	const char *key;
	enum diff_change change;
	struct group_total before, after;
};

struct diff_side;

struct diff_result {
	const char *base_dir, *new_dir;
	enum group_key key;
	struct diff_totals base, after;
	struct diff_row *rows; /* by impact: |delta self time|, then |delta wall|, then key */
	size_t row_count;
	size_t changes[CHANGE_VANISHED + 1]; /* rows of each kind */
	struct diff_side *sides; /* the two datasets, which the rows' keys point into */
};

enum { DIFF_UNREADABLE = -1, DIFF_NO_MEMORY = -2 };

/* Loads both datasets and compares them, grouped by key. Returns 0, or DIFF_UNREADABLE with
 * a one-line cause naming the file in err, or DIFF_NO_MEMORY; d is freed by
 * diff_result_free after a 0. */
int diff_datasets(const char *base_dir, const char *new_dir, enum group_key key,
		  struct diff_result *d, char *err, size_t err_size);
void diff_result_free(struct diff_result *d);

/* The change of the total wall time in percent of the base's (0 when the base's is 0). */
double diff_wall_growth_pct(const struct diff_result *d);

#endif
