#include "analysis/report_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "analysis/human_units.h"

#define COLUMN_GAP 2
#define FIELD_NAME_WIDTH 13
#define MIN_COMMAND_WIDTH 10
#define MARKDOWN_TEXT_WIDTH 120
#define MAX_INDENT_LEVELS 12
#define DEFAULT_LINE_WIDTH 100
#define MIN_LINE_WIDTH 60
#define MAX_LINE_WIDTH 10000
/* A shortened command: up to 4 bytes per character shown, "…" and the NUL. */
#define SHORTENED_SIZE(width) (4 * (width) + 8)

static void put_spaces(FILE *out, size_t count)
{
	for (size_t i = 0; i < count; i++)
		fputc(' ', out);
}

static void put_right_aligned(FILE *out, const char *s, int width)
{
	size_t shown = display_width(s, strlen(s));
	if (width > 0 && shown < (size_t)width)
		put_spaces(out, (size_t)width - shown);
	fputs(s, out);
}

/* Writes s as one Markdown code span: a backtick fence longer than any run inside, and "|"
 * escaped so that it cannot end a table cell. */
static void put_markdown_code(FILE *out, const char *s)
{
	size_t longest = 0, run = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	bool pad = s[0] == '`' || (s[0] && s[strlen(s) - 1] == '`');
	for (size_t i = 0; i <= longest; i++)
		fputc('`', out);
	if (pad)
		fputc(' ', out);
	for (const char *p = s; *p; p++) {
		if (*p == '|')
			fputc('\\', out);
		fputc(*p, out);
	}
	if (pad)
		fputc(' ', out);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', out);
}

/* Writes s shortened to width characters (sanitized to one line); as code when asked. */
static void put_shortened(FILE *out, const char *s, size_t width, bool markdown_code)
{
	char *shortened = malloc(SHORTENED_SIZE(width));
	if (!shortened) {
		fputs("…", out);
		return;
	}
	shorten_middle(s, strlen(s), width, shortened, SHORTENED_SIZE(width));
	if (markdown_code)
		put_markdown_code(out, shortened);
	else
		fputs(shortened, out);
	free(shortened);
}

static void put_command(const struct report_page *page, const char *s, size_t width)
{
	put_shortened(page->out, s, width, page->style == STYLE_MARKDOWN);
}

/* Text: the width left on a line after `used` characters. */
static size_t width_after(const struct report_page *page, size_t used)
{
	return page->line_width > used + MIN_COMMAND_WIDTH ? page->line_width - used
							   : MIN_COMMAND_WIDTH;
}

/* Writes prose after `prefix`, wrapped at spaces to fit a text line; continuation lines are
 * indented under the first word. */
static void put_wrapped(const struct report_page *page, const char *prefix, const char *text)
{
	size_t indent = display_width(prefix, strlen(prefix)), column = indent;
	fputs(prefix, page->out);
	for (const char *word = text; *word;) {
		size_t length = strcspn(word, " ");
		size_t width = display_width(word, length);
		if (column > indent && column + 1 + width > page->line_width) {
			fputc('\n', page->out);
			put_spaces(page->out, indent);
			column = indent;
		} else if (column > indent) {
			fputc(' ', page->out);
			column++;
		}
		fwrite(word, 1, length, page->out);
		column += width;
		word += length + strspn(word + length, " ");
	}
	fputc('\n', page->out);
}

size_t page_line_width(FILE *out)
{
	const char *columns = getenv("COLUMNS");
	if (columns && *columns) {
		char *end;
		errno = 0;
		long width = strtol(columns, &end, 10);
		if (*end == '\0' && errno == 0 && width > 0)
			return width < MIN_LINE_WIDTH ? MIN_LINE_WIDTH
			     : width > MAX_LINE_WIDTH ? MAX_LINE_WIDTH : (size_t)width;
	}
	struct winsize size;
	if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
		return size.ws_col < MIN_LINE_WIDTH ? MIN_LINE_WIDTH : size.ws_col;
	return DEFAULT_LINE_WIDTH;
}

void page_heading(const struct report_page *page, const char *title)
{
	bool markdown = page->style == STYLE_MARKDOWN;
	fputs(markdown ? "\n### " : "\n", page->out);
	put_shortened(page->out, title, markdown ? MARKDOWN_TEXT_WIDTH : page->line_width, false);
	fputs(markdown ? "\n\n" : "\n", page->out);
}

void page_field(const struct report_page *page, const char *name, const char *value, bool code)
{
	if (page->style == STYLE_MARKDOWN) {
		fprintf(page->out, "- **%s:** ", name);
		put_shortened(page->out, value, MARKDOWN_TEXT_WIDTH, code);
	} else {
		fprintf(page->out, "  %-*s ", FIELD_NAME_WIDTH, name);
		put_command(page, value, width_after(page, 2 + FIELD_NAME_WIDTH + 1));
	}
	fputc('\n', page->out);
}

void page_warning(const struct report_page *page, const char *message)
{
	if (page->style == STYLE_MARKDOWN)
		fprintf(page->out, "\n> **Warning:** %s\n", message);
	else
		put_wrapped(page, "  warning: ", message);
}

void page_note(const struct report_page *page, const char *message)
{
	if (page->style == STYLE_MARKDOWN)
		fprintf(page->out, "\n%s\n", message);
	else
		put_wrapped(page, "  ", message);
}

/* Width left for the command column on a text line. */
static size_t command_width(const struct table *t)
{
	size_t used = 0;
	for (size_t c = 0; c + 1 < t->column_count; c++)
		used += COLUMN_GAP + (size_t)t->columns[c].width;
	return width_after(t->page, used + COLUMN_GAP);
}

void table_header(const struct table *t)
{
	FILE *out = t->page->out;
	if (t->page->style == STYLE_MARKDOWN) {
		for (size_t c = 0; c < t->column_count; c++)
			fprintf(out, "| %s ", t->columns[c].header);
		fputs("|\n", out);
		for (size_t c = 0; c < t->column_count; c++)
			fputs(c + 1 < t->column_count ? "|--:" : "|:--", out);
		fputs("|\n", out);
		return;
	}
	for (size_t c = 0; c < t->column_count; c++) {
		put_spaces(out, COLUMN_GAP);
		if (c + 1 < t->column_count)
			put_right_aligned(out, t->columns[c].header, t->columns[c].width);
		else
			fputs(t->columns[c].header, out);
	}
	fputc('\n', out);
}

void table_row(const struct table *t, const char *const *cells, size_t depth)
{
	FILE *out = t->page->out;
	size_t last = t->column_count - 1;
	if (t->page->style == STYLE_MARKDOWN) {
		for (size_t c = 0; c < last; c++)
			fprintf(out, "| %s ", cells[c]);
		fputs("| ", out);
		for (size_t level = 0; level < depth && level < MAX_INDENT_LEVELS; level++)
			fputs("&nbsp;&nbsp;", out);
		put_command(t->page, cells[last], MARKDOWN_TEXT_WIDTH);
		fputs(" |\n", out);
		return;
	}
	for (size_t c = 0; c < last; c++) {
		put_spaces(out, COLUMN_GAP);
		put_right_aligned(out, cells[c], t->columns[c].width);
	}
	size_t width = command_width(t);
	size_t indent = 2 * (depth < MAX_INDENT_LEVELS ? depth : MAX_INDENT_LEVELS);
	if (indent > width - MIN_COMMAND_WIDTH)
		indent = width - MIN_COMMAND_WIDTH;
	put_spaces(out, COLUMN_GAP + indent);
	put_command(t->page, cells[last], width - indent);
	fputc('\n', out);
}
