/* The summary report of a recorded dataset (docs/report.md), which `pipetrace run` ends with
 * and `pipetrace report` writes. */
#ifndef PIPETRACE_REPORT_H
#define PIPETRACE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Rows per table unless asked otherwise. */
#define REPORT_DEFAULT_TOP_N 10

enum report_format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_JSON, FORMAT_CSV };

/* Which grouping tables to show: both, or only commands (by wall time), binaries (by CPU) or
 * normalized commands (by wall time). */
enum report_grouping { GROUP_BOTH, GROUP_BY_COMMAND, GROUP_BY_BINARY, GROUP_BY_NORMALIZED };

struct report_options {
	const char *dataset_dir;
	size_t top_n; /* rows per table */
	enum report_grouping grouping;
	size_t run_number, run_count; /* which run of the folder this is: 1 of 1 unless merged */
};

/* Loads dir and writes the report of each of its runs to out (CSV: after the header when
 * csv_header), and as Markdown to step_summary unless it is NULL (options' dataset_dir and
 * run numbers are filled in). Returns 0, or -1 with a one-line cause that names the file in
 * err (no "pipetrace:" prefix, no remedy). */
int report_dataset(const char *dir, FILE *out, enum report_format format,
		   const struct report_options *options, bool csv_header, FILE *step_summary,
		   char *err, size_t err_size);

/* Prints the human summary of the dataset in dir to out, fitted to the terminal width (the
 * COLUMNS variable, else the size of out when it is a terminal, else 100 characters), with
 * top_n rows per table (REPORT_DEFAULT_TOP_N when top_n <= 0); returns as report_dataset does. */
int report_print_dataset(const char *dir, FILE *out, int top_n, char *err, size_t err_size);

/* How report_dataset reads a folder a live run is writing: take writes a dataset of the run
 * so far to a new folder (its path in out), says so on stderr, and returns 0, or -1 with err;
 * remove removes that folder. Set by cli/ (the replay is trace/'s); unset, such a folder is refused. */
struct report_live_snapshot {
	int (*take)(const char *dir, char *out, size_t out_size, char *err, size_t err_size);
	void (*remove)(const char *snapshot);
};
void report_set_live_snapshot(struct report_live_snapshot snapshot);

#endif
