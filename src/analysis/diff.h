/* `pipetrace diff BASE NEW`: per command key, what got slower or faster, appeared or vanished
 * between two recorded datasets (docs/report.md, "Comparing two runs"). */
#ifndef PIPETRACE_DIFF_H
#define PIPETRACE_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/grouping.h"

/* Exit status when --fail-if-slower's threshold is crossed. */
#define DIFF_EXIT_SLOWER 3

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

struct diff_result {
	const char *base_dir, *new_dir;
	enum group_key key;
	struct diff_totals base, after;
	struct diff_row *rows; /* by impact: |delta self time|, then |delta wall|, then key */
	size_t row_count;
	size_t changes[CHANGE_VANISHED + 1]; /* rows of each kind */
};

/* The change of the total wall time in percent of the base's (0 when the base's is 0). */
double diff_wall_growth_pct(const struct diff_result *d);

void diff_write_human(FILE *out, bool markdown, const struct diff_result *d, size_t top_n);
void diff_write_json(FILE *out, const struct diff_result *d, size_t top_n);

/* argv[0] is "diff". Returns the exit status: 0, 1 a dataset could not be read, 2 usage,
 * DIFF_EXIT_SLOWER when --fail-if-slower's threshold was crossed. */
int diff_command(int argc, char **argv);

#endif
