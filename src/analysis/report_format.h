/* The summary report's output formats: human (text or Markdown), JSON and CSV. */
#ifndef PIPETRACE_REPORT_FORMAT_H
#define PIPETRACE_REPORT_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/report.h"
#include "analysis/report_table.h"
#include "analysis/summary.h"

void report_write_human(const struct report_page *page, const struct summary *s,
			const struct report_options *o);
/* s as a JSON string (null for NULL); invalid UTF-8 bytes become U+FFFD. */
void json_string(FILE *out, const char *s);
/* One JSON object (for one run) on one line. */
void report_write_json(FILE *out, const struct summary *s, const struct report_options *o);
/* The rows of one grouping table (commands, binaries or normalized commands as o->grouping
 * says), header first when asked. */
void report_write_csv(FILE *out, const struct summary *s, const struct report_options *o,
		      bool header);

#endif
