/* The summary report's output formats: human (text or Markdown), JSON and CSV. */
#ifndef PIPETRACE_REPORT_FORMAT_H
#define PIPETRACE_REPORT_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/report.h"
#include "analysis/report_table.h"
#include "analysis/summary.h"

#define CELL_SIZE 64
/* How an execution or the run ended: "exit 1", "SIGKILL", "signal 77", "unknown". */
void describe_end(bool has_exit_code, int64_t exit_code, bool has_signal, int64_t signal,
		  char out[CELL_SIZE]);

/* The run's header figures in the report's order ("command", "exit status", ...); a
 * warning, when there is one, comes last with a NULL name. */
typedef void header_field_fn(void *context, const char *name, const char *value, bool code);
void report_header_fields(const struct summary *s, header_field_fn *emit, void *context);

/* The Mermaid gantt chart of the critical path in the Markdown report: the steps marked in
 * listed (the table's), at most GANTT_MAX_BARS of them, names shortened to GANTT_NAME_WIDTH
 * columns, so the block stays under 3 KiB (docs/report.md). */
#define GANTT_MAX_BARS 20
#define GANTT_NAME_WIDTH 40
void report_write_path_gantt(const struct report_page *page, const struct summary *s,
			     const bool *listed);

void report_write_human(const struct report_page *page, const struct summary *s,
			const struct report_options *o);
/* s as a JSON string (null for NULL); invalid UTF-8 bytes become U+FFFD, and '<' is escaped
 * too, so that the JSON can be embedded in an HTML page. */
void json_string(FILE *out, const char *s);
/* One JSON object (for one run) on one line. */
void report_write_json(FILE *out, const struct summary *s, const struct report_options *o);
/* The rows of one grouping table (commands, binaries or normalized commands as o->grouping
 * says), header first when asked. */
void report_write_csv(FILE *out, const struct summary *s, const struct report_options *o,
		      bool header);

#endif
