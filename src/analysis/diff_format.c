/* `pipetrace diff` for people (text for a terminal, Markdown for a CI job summary) and as one
 * JSON object: raw numbers, nanoseconds. */
#include <inttypes.h>
#include <string.h>

#include "analysis/diff_format.h"
#include "analysis/human_units.h"
#include "analysis/report_format.h"

#define CELL_SIZE 64

static const char *const change_names[] = {
	[CHANGE_SLOWER] = "slower", [CHANGE_FASTER] = "faster", [CHANGE_SAME] = "same",
	[CHANGE_NEW] = "new", [CHANGE_VANISHED] = "vanished",
};

static const char *const key_titles[] = {
	[KEY_CMDLINE] = "command line", [KEY_BINARY] = "binary",
	[KEY_NORMALIZED] = "normalized command",
};

/* A delta with its sign: "+1.20 s", "-300 ms", "0 ns". */
static void signed_duration(int64_t ns, char out[HUMAN_UNIT_SIZE])
{
	char magnitude[HUMAN_UNIT_SIZE];
	human_duration(ns, magnitude);
	snprintf(out, HUMAN_UNIT_SIZE, "%s%.30s", ns > 0 ? "+" : "", magnitude);
}

/* "before -> after, delta (percent)" of a total. */
static void total_change(int64_t before, int64_t after, char *out, size_t size)
{
	char b[HUMAN_UNIT_SIZE], a[HUMAN_UNIT_SIZE], delta[HUMAN_UNIT_SIZE];
	human_duration(before, b);
	human_duration(after, a);
	signed_duration(elapsed_ns(before, after), delta);
	if (before > 0)
		snprintf(out, size, "%s → %s, %s (%+.1f %%)", b, a, delta,
			 100.0 * ((double)after - (double)before) / (double)before);
	else
		snprintf(out, size, "%s → %s, %s", b, a, delta);
}

static void write_header(const struct report_page *page, const struct diff_result *d)
{
	char value[256];
	page_field(page, "base", d->base_dir, true);
	page_field(page, "new", d->new_dir, true);
	total_change(d->base.wall_ns, d->after.wall_ns, value, sizeof(value));
	page_field(page, "wall time", value, false);
	total_change(d->base.cpu_ns, d->after.cpu_ns, value, sizeof(value));
	page_field(page, "total CPU", value, false);
	snprintf(value, sizeof(value), "%zu → %zu", d->base.executions, d->after.executions);
	page_field(page, "executions", value, false);
	snprintf(value, sizeof(value), "%zu slower, %zu faster, %zu new, %zu vanished, %zu same",
		 d->changes[CHANGE_SLOWER], d->changes[CHANGE_FASTER], d->changes[CHANGE_NEW],
		 d->changes[CHANGE_VANISHED], d->changes[CHANGE_SAME]);
	page_field(page, "keys", value, false);
}

/* The cells of one row: change, count, wall before/after/delta, self delta, CPU
 * before/after/delta, key. */
enum { CELL_CHANGE, CELL_COUNT, CELL_WALL_BEFORE, CELL_WALL_AFTER, CELL_WALL_DELTA,
       CELL_SELF_DELTA, CELL_CPU_BEFORE, CELL_CPU_AFTER, CELL_CPU_DELTA, CELL_KEY, CELLS };

static void row_cells(const struct diff_row *row, char cells[CELLS - 1][CELL_SIZE])
{
	const struct group_total *b = &row->before, *a = &row->after;
	snprintf(cells[CELL_CHANGE], CELL_SIZE, "%s", change_names[row->change]);
	snprintf(cells[CELL_COUNT], CELL_SIZE, "%zu → %zu", b->executions, a->executions);
	human_duration(b->wall_ns, cells[CELL_WALL_BEFORE]);
	human_duration(a->wall_ns, cells[CELL_WALL_AFTER]);
	signed_duration(elapsed_ns(b->wall_ns, a->wall_ns), cells[CELL_WALL_DELTA]);
	signed_duration(elapsed_ns(b->self_ns, a->self_ns), cells[CELL_SELF_DELTA]);
	human_duration(b->cpu_ns, cells[CELL_CPU_BEFORE]);
	human_duration(a->cpu_ns, cells[CELL_CPU_AFTER]);
	signed_duration(elapsed_ns(b->cpu_ns, a->cpu_ns), cells[CELL_CPU_DELTA]);
	/* A key absent on one side has no figures there. */
	if (b->executions == 0) {
		strcpy(cells[CELL_WALL_BEFORE], "-");
		strcpy(cells[CELL_CPU_BEFORE], "-");
	}
	if (a->executions == 0) {
		strcpy(cells[CELL_WALL_AFTER], "-");
		strcpy(cells[CELL_CPU_AFTER], "-");
	}
}

void diff_write_human(FILE *out, bool markdown, const struct diff_result *d, size_t top_n)
{
	/* Text leaves out the count and CPU before/after to leave room for the command. */
	static const int text_cells[] = { CELL_CHANGE, CELL_WALL_BEFORE, CELL_WALL_AFTER,
					  CELL_WALL_DELTA, CELL_SELF_DELTA, CELL_CPU_DELTA, CELL_KEY };
	static const struct column_spec all_columns[CELLS] = {
		{ "change", 8 }, { "count", 9 }, { "wall before", 11 }, { "wall after", 10 },
		{ "Δ wall", 9 }, { "Δ self", 9 }, { "CPU before", 10 }, { "CPU after", 9 },
		{ "Δ CPU", 9 }, { "key", 0 } };
	struct column_spec columns[CELLS];
	size_t column_count = markdown ? CELLS : sizeof(text_cells) / sizeof(text_cells[0]);
	for (size_t c = 0; c < column_count; c++)
		columns[c] = all_columns[markdown ? (int)c : text_cells[c]];
	columns[column_count - 1].header = key_titles[d->key];
	struct report_page page = { out, markdown ? STYLE_MARKDOWN : STYLE_TEXT,
				    page_line_width(out) };
	const struct table t = { &page, columns, column_count };
	page_heading(&page, "pipetrace diff");
	write_header(&page, d);
	page_heading(&page, "Changes by impact (self time, then wall time)");
	if (d->row_count == 0) {
		page_note(&page, "none: no executions on either side");
		return;
	}
	table_header(&t);
	size_t rows = d->row_count < top_n ? d->row_count : top_n;
	for (size_t i = 0; i < rows; i++) {
		char cells[CELLS - 1][CELL_SIZE];
		const char *shown[CELLS];
		row_cells(&d->rows[i], cells);
		for (size_t c = 0; c < column_count; c++) {
			int cell = markdown ? (int)c : text_cells[c];
			shown[c] = cell != CELL_KEY ? cells[cell]
				 : d->rows[i].key ? d->rows[i].key : "(unknown)";
		}
		table_row(&t, shown, 0);
	}
	if (rows < d->row_count) {
		char note[128];
		snprintf(note, sizeof(note), "… and %zu more (--top)", d->row_count - rows);
		page_note(&page, note);
	}
}

static void put_side(FILE *out, const char *name, const struct group_total *g)
{
	fprintf(out, ",\"%s\":{\"executions\":%zu,\"wall_ns\":%" PRId64 ",\"self_ns\":%" PRId64
		     ",\"cpu_ns\":%" PRId64 "}",
		name, g->executions, g->wall_ns, g->self_ns, g->cpu_ns);
}

static void put_totals(FILE *out, const char *name, const struct diff_totals *t)
{
	fprintf(out, ",\"%s\":{\"executions\":%zu,\"wall_ns\":%" PRId64 ",\"cpu_ns\":%" PRId64 "}",
		name, t->executions, t->wall_ns, t->cpu_ns);
}

void diff_write_json(FILE *out, const struct diff_result *d, size_t top_n)
{
	static const char *const key_names[] = { [KEY_CMDLINE] = "cmdline",
						  [KEY_BINARY] = "binary",
						  [KEY_NORMALIZED] = "normalized" };
	fputs("{\"base\":", out);
	json_string(out, d->base_dir);
	fputs(",\"new\":", out);
	json_string(out, d->new_dir);
	fprintf(out, ",\"key\":\"%s\"", key_names[d->key]);
	put_totals(out, "base_total", &d->base);
	put_totals(out, "new_total", &d->after);
	fprintf(out, ",\"wall_delta_ns\":%" PRId64 ",\"wall_delta_pct\":%.6f,\"cpu_delta_ns\":%" PRId64,
		elapsed_ns(d->base.wall_ns, d->after.wall_ns), diff_wall_growth_pct(d),
		elapsed_ns(d->base.cpu_ns, d->after.cpu_ns));
	for (int c = CHANGE_SLOWER; c <= CHANGE_VANISHED; c++)
		fprintf(out, ",\"%s_count\":%zu", change_names[c], d->changes[c]);
	fputs(",\"changes\":[", out);
	for (size_t i = 0; i < d->row_count && i < top_n; i++) {
		const struct diff_row *row = &d->rows[i];
		fputs(i ? ",{\"key\":" : "{\"key\":", out);
		json_string(out, row->key);
		fprintf(out, ",\"change\":\"%s\"", change_names[row->change]);
		put_side(out, "before", &row->before);
		put_side(out, "after", &row->after);
		fprintf(out, ",\"wall_delta_ns\":%" PRId64 ",\"self_delta_ns\":%" PRId64
			     ",\"cpu_delta_ns\":%" PRId64 "}",
			elapsed_ns(row->before.wall_ns, row->after.wall_ns),
			elapsed_ns(row->before.self_ns, row->after.self_ns),
			elapsed_ns(row->before.cpu_ns, row->after.cpu_ns));
	}
	fputs("]}\n", out);
}
