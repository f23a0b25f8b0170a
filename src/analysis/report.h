/* The summary report of a recorded dataset (docs/report.md): the end of `pipetrace run`, and
 * the `pipetrace report` subcommand. */
#ifndef PIPETRACE_REPORT_H
#define PIPETRACE_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* Prints the human summary of the dataset in dir to out, fitted to the terminal width (the
 * COLUMNS variable, else the size of out when it is a terminal, else 100 characters), with
 * top_n rows per table (10 when top_n <= 0). Returns 0, or -1 with a one-line cause that
 * names the file in err (no "pipetrace:" prefix, no remedy). */
int report_print_dataset(const char *dir, FILE *out, int top_n, char *err, size_t err_size);

/* `pipetrace report DIR... [--top N] [--by command|binary|normalized]
 * [--format text|json|csv|markdown] [--step-summary]`; argv[0] is "report". Writes to stdout
 * (and appends Markdown to $GITHUB_STEP_SUMMARY with --step-summary); returns the exit status:
 * 0, 1 when a dataset could not be read or the report not written, 2 on a usage error. */
int report_command(int argc, char **argv);

/* How report reads a folder a live run is writing: take writes a dataset of the run so far
 * to a new folder (its path in out) and returns 0, or -1 with err; remove removes that
 * folder. Set by cli/ (the replay is trace/'s); unset, such a folder is refused. */
struct report_live_snapshot {
	int (*take)(const char *dir, char *out, size_t out_size, char *err, size_t err_size);
	void (*remove)(const char *snapshot);
};
void report_set_live_snapshot(struct report_live_snapshot snapshot);

#endif
