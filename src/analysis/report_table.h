/* The building blocks of the human report, drawn either as aligned text for a terminal or as
 * Markdown (a CI job summary): section headings, "name: value" fields, and tables whose last
 * column is a command line, shortened in the middle to fit. */
#ifndef PIPETRACE_REPORT_TABLE_H
#define PIPETRACE_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum report_style { STYLE_TEXT, STYLE_MARKDOWN };

struct report_page {
	FILE *out;
	enum report_style style;
	size_t line_width; /* characters per line (text) */
};

/* Numbers columns are right-aligned in `width` characters; the last column of a table is a
 * command line, left-aligned, taking the rest of the line. */
struct column_spec {
	const char *header;
	int width;
};

struct table {
	const struct report_page *page;
	const struct column_spec *columns;
	size_t column_count;
};

/* Characters per text line on out: $COLUMNS when set, else the terminal's width when out is a
 * terminal, else 100; never less than 60. */
size_t page_line_width(FILE *out);

void page_heading(const struct report_page *page, const char *title);
/* A "name  value" line; code values are shown as code in Markdown. */
void page_field(const struct report_page *page, const char *name, const char *value, bool code);
void page_warning(const struct report_page *page, const char *message);
/* A line of prose, e.g. "… and 3 more". */
void page_note(const struct report_page *page, const char *message);

void table_header(const struct table *t);
/* column_count cells; the last one is indented by `depth` levels. */
void table_row(const struct table *t, const char *const *cells, size_t depth);

#endif
