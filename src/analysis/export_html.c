/* The offline HTML timeline: the page, style and script of src/analysis/timeline/ (embedded at
 * build time) around the run's data as one JSON object: columnar arrays, strings as numbers
 * into one string table, times in microseconds from the run's start (docs/export.md). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/export.h"
#include "analysis/export_fields.h"
#include "analysis/string_table.h"
#include "timeline_assets.h"

#define NO_STRING (-1)

struct html_writer {
	FILE *out;
	const struct timeline *t;
	struct string_table strings;
	size_t items; /* written so far in the current array, for the commas */
	bool failed;  /* out of memory */
};

static int64_t us_since_start(const struct timeline *t, int64_t ns)
{
	return elapsed_ns(t->run->start_ns, ns) / 1000;
}

/* The number of s in the string table, NO_STRING for NULL. */
static long string_number(struct html_writer *w, const char *s)
{
	bool added;
	size_t number = s ? string_table_intern(&w->strings, s, &added) : STRING_TABLE_FULL;
	if (s && number == STRING_TABLE_FULL)
		w->failed = true;
	return number == STRING_TABLE_FULL ? NO_STRING : (long)number;
}

/* Writes the page up to the next @MARKER@ and moves *cursor past it. */
static void put_page_until(FILE *out, const char **cursor, const char *marker)
{
	const char *at = strstr(*cursor, marker);
	fwrite(*cursor, 1, (size_t)(at - *cursor), out);
	*cursor = at + strlen(marker);
}

static void put_html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		const char *entity = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
		if (entity)
			fputs(entity, out);
		else
			fputc(*s, out);
	}
}

static void put_header_field(void *context, const char *name, const char *value, bool code)
{
	struct html_writer *w = context;
	fputs(w->items++ ? ",[" : "[", w->out);
	json_string(w->out, name ? name : "warning");
	fputc(',', w->out);
	json_string(w->out, value);
	fprintf(w->out, ",\"%s\"]", !name ? "warning" : code ? "wide" : "");
}

static void put_number(struct html_writer *w, int64_t value)
{
	fprintf(w->out, w->items++ ? ",%" PRId64 : "%" PRId64, value);
}

/* "key":[ ... ] around the numbers put_number writes between begin and end. */
static void begin_array(struct html_writer *w, const char *key)
{
	fprintf(w->out, "\"%s\":[", key);
	w->items = 0;
}

static void end_array(struct html_writer *w, bool last)
{
	fputs(last ? "]" : "],", w->out);
}

enum exec_column { COLUMN_START, COLUMN_END, COLUMN_ROW, COLUMN_CMDLINE, COLUMN_PATH,
		   COLUMN_FAILED, EXEC_COLUMNS };
static const char *const exec_column_names[EXEC_COLUMNS] = {
	"start", "end", "row", "cmdline", "path", "failed",
};

static int64_t exec_value(struct html_writer *w, enum exec_column column, size_t i,
			  const int64_t *drawn_end)
{
	const struct execution_record *e = &w->t->run->executions[i];
	switch (column) {
	case COLUMN_START: return us_since_start(w->t, e->span.start_ns);
	case COLUMN_END: return us_since_start(w->t, drawn_end[i]);
	case COLUMN_ROW: return (int64_t)w->t->row_of[i];
	case COLUMN_CMDLINE: return string_number(w, e->cmdline);
	case COLUMN_PATH: return w->t->on_path[i];
	default: return execution_failed(e);
	}
}

/* argv, then the figures of export_fields.h but those the page has as exec columns. */
static void put_fields(struct html_writer *w)
{
	char status[CELL_SIZE];
	size_t count = w->t->run->execution_count;
	fputs("\"argv\":[", w->out);
	for (size_t i = 0; i < count; i++) {
		const struct execution_record *e = &w->t->run->executions[i];
		fputs(i ? ",[" : "[", w->out);
		w->items = 0;
		for (size_t k = 0; k < e->argc; k++)
			put_number(w, string_number(w, e->argv[k]));
		fputc(']', w->out);
	}
	fputs("],\"fields\":{", w->out);
	bool first = true;
	for (size_t f = 0; f < EXPORT_FIELD_COUNT; f++) {
		if (f == FIELD_START_NS || f == FIELD_CRITICAL_PATH)
			continue; /* exec.start and exec.path */
		fputs(first ? "" : ",", w->out);
		first = false;
		begin_array(w, export_field_name(f));
		for (size_t i = 0; i < count; i++) {
			struct export_field field = export_field(w->t, i, f, status);
			put_number(w, field.kind == FIELD_NUMBER ? field.number
								 : string_number(w, field.text));
		}
		fputc(']', w->out);
	}
	fputc('}', w->out);
}

static void put_executions(struct html_writer *w, const int64_t *drawn_end)
{
	fputs("\"exec\":{", w->out);
	for (size_t c = 0; c < EXEC_COLUMNS; c++) {
		begin_array(w, exec_column_names[c]);
		for (size_t i = 0; i < w->t->run->execution_count; i++)
			put_number(w, exec_value(w, (enum exec_column)c, i, drawn_end));
		end_array(w, false);
	}
	put_fields(w);
	fputs("},\"field_kinds\":{", w->out);
	for (size_t f = 0; f < EXPORT_FIELD_COUNT; f++)
		fprintf(w->out, "%s\"%s\":\"%s\"", f ? "," : "", export_field_name(f),
			export_field_kind(f) == FIELD_NUMBER ? "number" : "text");
	fputs("},", w->out);
}

static void put_rows(struct html_writer *w)
{
	const struct timeline *t = w->t;
	static const char *const names[] = { "parent", "depth", "first", "count", "end" };
	fputs("\"rows\":{", w->out);
	for (size_t c = 0; c < sizeof(names) / sizeof(names[0]); c++) {
		begin_array(w, names[c]);
		for (size_t r = 0; r < t->process_count; r++) {
			const struct timeline_process *p = &t->processes[r];
			size_t values[] = { p->parent, p->depth, p->first_image, p->image_count,
					    p->subtree_end };
			put_number(w, values[c] == TIMELINE_NONE ? -1 : (int64_t)values[c]);
		}
		end_array(w, false);
	}
	begin_array(w, "images");
	for (size_t k = 0; k < t->run->execution_count; k++)
		put_number(w, (int64_t)t->images[k]);
	end_array(w, true);
	fputs("},", w->out);
}

/* Each execution's samples: time and cumulative CPU, in microseconds. */
static void put_samples(struct html_writer *w)
{
	static const char *const names[] = { "exec", "ts", "cpu" };
	fputs("\"samples\":{", w->out);
	for (size_t c = 0; c < 3; c++) {
		begin_array(w, names[c]);
		for (size_t i = 0; i < w->t->run->execution_count; i++) {
			size_t count;
			const struct cpu_sample *s = timeline_samples(w->t, i, &count);
			for (size_t k = 0; k < count; k++) {
				int64_t values[] = { (int64_t)i, us_since_start(w->t, s[k].ts_ns),
						     s[k].cpu_ns / 1000 };
				put_number(w, values[c]);
			}
		}
		end_array(w, c == 2);
	}
	fputs("},", w->out);
}

static void put_strings(struct html_writer *w)
{
	fputs("\"strings\":[", w->out);
	for (size_t k = 0; k < w->strings.count; k++) {
		if (k)
			fputc(',', w->out);
		json_string(w->out, w->strings.strings[k]);
	}
	fputc(']', w->out);
}

static void put_data(struct html_writer *w, const char *title, const int64_t *drawn_end)
{
	fputs("{\"title\":", w->out);
	json_string(w->out, title);
	fprintf(w->out, ",\"wall\":%" PRId64 ",\"header\":[",
		elapsed_ns(w->t->run->start_ns, w->t->run->end_ns) / 1000);
	w->items = 0;
	report_header_fields(&w->t->summary, put_header_field, w);
	fputs("],", w->out);
	put_executions(w, drawn_end);
	put_rows(w);
	put_samples(w);
	put_strings(w);
	fputs("}", w->out);
}

int export_html(FILE *out, const struct timeline *t)
{
	struct html_writer w = { .out = out, .t = t };
	const struct run_record *run = t->run;
	int64_t *drawn_end = malloc((run->execution_count ? run->execution_count : 1) *
				    sizeof(*drawn_end));
	if (!drawn_end)
		return -1;
	for (size_t r = 0; r < t->process_count; r++)
		for (size_t k = 0; k < t->processes[r].image_count; k++)
			drawn_end[t->images[t->processes[r].first_image + k]] =
				export_image_end(t, &t->processes[r], k);
	char title[1024];
	if (t->data.run_count > 1)
		snprintf(title, sizeof(title), "pipetrace: %s, run %s", t->dir, run->run_id);
	else
		snprintf(title, sizeof(title), "pipetrace: %s", t->dir);
	const char *page = timeline_page;
	put_page_until(out, &page, "@TITLE@");
	put_html_text(out, title);
	put_page_until(out, &page, "@STYLE@");
	fputs(timeline_style, out);
	put_page_until(out, &page, "@DATA@");
	put_data(&w, title, drawn_end);
	put_page_until(out, &page, "@SCRIPT@");
	fputs(timeline_script, out);
	fputs(page, out);
	free(drawn_end);
	string_table_free(&w.strings);
	return w.failed ? -1 : 0;
}
