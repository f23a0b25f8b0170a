/* A comparison of two datasets (analysis/diff.h) for people, as text for a terminal or
 * Markdown for a CI job summary, and as one JSON object (raw numbers, nanoseconds). */
#ifndef PIPETRACE_DIFF_FORMAT_H
#define PIPETRACE_DIFF_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/diff.h"

/* The top_n rows of the largest impact, after the totals. */
void diff_write_human(FILE *out, bool markdown, const struct diff_result *d, size_t top_n);
void diff_write_json(FILE *out, const struct diff_result *d, size_t top_n);

#endif
