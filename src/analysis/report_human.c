/* The report for people: a terminal (text) or a CI job summary (Markdown). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/human_units.h"
#include "analysis/report_format.h"

/* Critical-path steps shorter than this share of the wall time are not listed. */
#define PATH_MIN_SHARE 0.01

void describe_end(bool has_exit_code, int64_t exit_code, bool has_signal, int64_t signal,
			 char out[CELL_SIZE])
{
	const char *name = has_signal && signal > 0 && signal < 128 ? sigabbrev_np((int)signal)
								 : NULL;
	if (name)
		snprintf(out, CELL_SIZE, "SIG%s", name);
	else if (has_signal)
		snprintf(out, CELL_SIZE, "signal %" PRId64, signal);
	else if (has_exit_code)
		snprintf(out, CELL_SIZE, "exit %" PRId64, exit_code);
	else
		snprintf(out, CELL_SIZE, "unknown");
}

/* A cmdline or filename as shown; the dataset may hold nulls. */
static const char *or_unknown(const char *s)
{
	return s ? s : "(unknown)";
}

static bool shell_safe(const char *s)
{
	return s[0] && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789_@%+=:,./-") == strlen(s);
}

/* The run's command as one shell-quoted line; NULL when out of memory. */
static char *join_command(const struct run_record *run)
{
	size_t size = 1;
	for (size_t i = 0; i < run->command_count; i++)
		size += 4 * strlen(run->command[i]) + 3;
	char *line = malloc(size), *p = line;
	if (!line)
		return NULL;
	for (size_t i = 0; i < run->command_count; i++) {
		const char *arg = run->command[i];
		if (i > 0)
			*p++ = ' ';
		if (shell_safe(arg)) {
			p = stpcpy(p, arg);
			continue;
		}
		*p++ = '\'';
		for (; *arg; arg++)
			p = *arg == '\'' ? stpcpy(p, "'\\''") : (*p = *arg, p + 1);
		*p++ = '\'';
	}
	*p = '\0';
	return line;
}

/* What redaction did to the run's command lines (nothing is said for a dataset from before). */
static void emit_redaction(header_field_fn *emit, void *context, const struct run_record *run)
{
	char value[128];

	if (run->redact < 0)
		return;
	if (!run->redact)
		snprintf(value, sizeof(value), "off (--no-redact): command lines as they ran");
	else if (!run->redacted_words)
		snprintf(value, sizeof(value), "on, no secret found");
	else
		snprintf(value, sizeof(value),
			 "on: %" PRId64 " argument(s) in %" PRId64 " execution(s) had secrets replaced by ***",
			 run->redacted_words, run->redacted_executions);
	emit(context, "redaction", value, false);
}

/* "3 events were lost (2 ring buffer full, 1 malformed); ...": the causes that were counted
 * (none in a dataset from before they were). */
static void emit_lost_warning(header_field_fn *emit, void *context, const struct run_record *run)
{
	static const char *const causes[LOST_KINDS] = {
		[LOST_RING_FULL] = "ring buffer full",     [LOST_TRACED_FULL] = "traced set full",
		[LOST_STASH_FULL] = "syscall stash full",  [LOST_MALFORMED] = "malformed",
		[LOST_UNKNOWN_TYPE] = "of unknown type",   [LOST_READ_ERRORS] = "ring read errors",
	};
	char message[512];
	const char *sep = " (";
	int len = snprintf(message, sizeof(message), "%" PRId64 " events were lost",
			   run->lost_events);

	for (size_t kind = 0; kind < LOST_KINDS; kind++) {
		if (run->lost[kind] == 0)
			continue;
		len += snprintf(message + len, sizeof(message) - (size_t)len, "%s%" PRId64 " %s", sep,
				run->lost[kind], causes[kind]);
		sep = ", ";
	}
	snprintf(message + len, sizeof(message) - (size_t)len, "%s%s",
		 *sep == ',' ? ")" : "", "; the figures below may be incomplete");
	emit(context, NULL, message, false);
}

void report_header_fields(const struct summary *s, header_field_fn *emit, void *context)
{
	const struct run_record *run = s->run;
	char value[256], wall[HUMAN_UNIT_SIZE], cpu[HUMAN_UNIT_SIZE];
	char *command = join_command(run);
	emit(context, "command", command ? command : "…", true);
	free(command);
	describe_end(run->has_exit_code, run->exit_code, run->has_signal, run->signal, value);
	emit(context, "exit status", value, false);
	emit(context, "status", run->status, false);
	human_duration(s->wall_ns, wall);
	emit(context, "wall time", wall, false);
	snprintf(value, sizeof(value), "%zu (%zu failed)", s->run->execution_count,
		 s->failed_count);
	emit(context, "executions", value, false);
	human_duration(s->total_cpu_ns, cpu);
	double cores = summary_utilisation(s);
	snprintf(value, sizeof(value), "%s, average %.2f cores (%.0f %%)", cpu, cores, 100 * cores);
	emit(context, "total CPU", value, false);
	snprintf(value, sizeof(value), "%zu executions at once", s->peak_parallelism);
	emit(context, "peak", value, false);
	snprintf(value, sizeof(value), "%" PRId64, run->lost_events);
	emit(context, "lost events", value, false);
	emit_redaction(emit, context, run);
	if (run->lost_events != 0)
		emit_lost_warning(emit, context, run);
}

static void put_header_field(void *context, const char *name, const char *value, bool code)
{
	const struct report_page *page = context;
	if (name)
		page_field(page, name, value, code);
	else
		page_warning(page, value);
}

static void note_more(const struct report_page *page, size_t shown, size_t total,
		      const char *what)
{
	char note[128];
	if (total <= shown)
		return;
	snprintf(note, sizeof(note), "… and %zu more %s", total - shown, what);
	page_note(page, note);
}

/* Top commands (or normalized commands) by wall time, or top binaries by CPU. */
static void write_groups(const struct report_page *page, const struct summary *s, size_t top_n,
			 enum report_grouping grouping)
{
	static const struct column_spec command_columns[] = {
		{ "#", 3 }, { "count", 7 }, { "wall", 9 }, { "CPU", 9 }, { "command", 0 } };
	static const struct column_spec normalized_columns[] = {
		{ "#", 3 }, { "count", 7 }, { "wall", 9 }, { "CPU", 9 }, { "normalized command", 0 } };
	static const struct column_spec binary_columns[] = {
		{ "#", 3 }, { "count", 7 }, { "CPU", 9 }, { "max RSS", 9 }, { "binary", 0 } };
	bool binaries = grouping == GROUP_BY_BINARY, normalized = grouping == GROUP_BY_NORMALIZED;
	const struct table t = {
		page, binaries ? binary_columns : normalized ? normalized_columns : command_columns, 5 };
	const struct group_total *groups = binaries ? s->binaries : s->commands;
	size_t count = binaries ? s->binary_count : s->command_count;
	size_t rows = count < top_n ? count : top_n;
	page_heading(page, binaries ? "Top binaries by CPU"
			 : normalized ? "Top normalized commands by wall time"
				      : "Top commands by wall time");
	if (count == 0) {
		page_note(page, "none");
		return;
	}
	table_header(&t);
	for (size_t i = 0; i < rows; i++) {
		const struct group_total *g = &groups[i];
		char rank[CELL_SIZE], executions[CELL_SIZE];
		char first[HUMAN_UNIT_SIZE], second[HUMAN_UNIT_SIZE];
		snprintf(rank, sizeof(rank), "%zu", i + 1);
		snprintf(executions, sizeof(executions), "%zu", g->executions);
		if (binaries) {
			human_duration(g->cpu_ns, first);
			human_size(g->max_rss_kb > 0 ? (uint64_t)g->max_rss_kb * 1024 : 0, second);
		} else {
			human_duration(g->wall_ns, first);
			human_duration(g->cpu_ns, second);
		}
		table_row(&t, (const char *[]){ rank, executions, first, second, or_unknown(g->key) },
			  0);
	}
	note_more(page, rows, count, binaries ? "binaries" : "commands");
}

static void write_failed(const struct report_page *page, const struct summary *s, size_t top_n)
{
	static const struct column_spec columns[] = {
		{ "status", 12 }, { "start", 9 }, { "duration", 9 }, { "command", 0 } };
	const struct table t = { page, columns, 4 };
	size_t rows = s->failed_count < top_n ? s->failed_count : top_n;
	char title[64];
	snprintf(title, sizeof(title), "Failed executions (%zu)", s->failed_count);
	page_heading(page, title);
	if (s->failed_count == 0) {
		page_note(page, "none");
		return;
	}
	table_header(&t);
	for (size_t i = 0; i < rows; i++) {
		const struct execution_record *e = s->failed[i];
		char status[CELL_SIZE], start[HUMAN_UNIT_SIZE], duration[HUMAN_UNIT_SIZE];
		describe_end(e->has_exit_code, e->exit_code, e->has_signal, e->signal, status);
		human_duration(elapsed_ns(s->run->start_ns, e->span.start_ns), start);
		human_duration(e->duration_ns, duration);
		table_row(&t, (const char *[]){ status, start, duration, or_unknown(e->cmdline) }, 0);
	}
	note_more(page, rows, s->failed_count, "failed executions");
}

static void write_slowest(const struct report_page *page, const struct summary *s, size_t top_n)
{
	static const struct column_spec columns[] = {
		{ "start", 9 }, { "duration", 9 }, { "CPU", 9 }, { "command", 0 } };
	const struct table t = { page, columns, 4 };
	size_t count = s->run->execution_count, rows = count < top_n ? count : top_n;
	page_heading(page, "Slowest executions");
	if (count == 0) {
		page_note(page, "none");
		return;
	}
	table_header(&t);
	for (size_t i = 0; i < rows; i++) {
		const struct execution_record *e = s->slowest[i];
		char start[HUMAN_UNIT_SIZE], duration[HUMAN_UNIT_SIZE], cpu[HUMAN_UNIT_SIZE];
		human_duration(elapsed_ns(s->run->start_ns, e->span.start_ns), start);
		human_duration(e->duration_ns, duration);
		human_duration(e->cpu_ns, cpu);
		table_row(&t, (const char *[]){ start, duration, cpu, or_unknown(e->cmdline) }, 0);
	}
	note_more(page, rows, count, "executions");
}

static int64_t step_duration(const struct path_step *step)
{
	return elapsed_ns(step->start_ns, step->end_ns);
}

/* Longest first; of equal ones the shallower, then the earlier, so that a step comes before
 * the steps nested in it. */
static int compare_longest_steps(const void *a, const void *b)
{
	const struct path_step *x = *(const struct path_step *const *)a;
	const struct path_step *y = *(const struct path_step *const *)b;
	if (step_duration(x) != step_duration(y))
		return step_duration(x) > step_duration(y) ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Marks in listed[] the steps to list: the longest (a step lasts as long as the steps nested
 * in it, so their parents are listed too), at most max_rows, none under PATH_MIN_SHARE of
 * the wall time but the root. Returns how many, or -1 when out of memory. */
static long select_path_steps(const struct summary *s, size_t max_rows, bool *listed)
{
	const struct path_step **longest = malloc(s->path.count * sizeof(*longest));
	if (!longest)
		return -1;
	for (size_t i = 0; i < s->path.count; i++) {
		longest[i] = &s->path.steps[i];
		listed[i] = false;
	}
	qsort(longest, s->path.count, sizeof(*longest), compare_longest_steps);
	size_t count = 0;
	for (; count < s->path.count && count < max_rows; count++) {
		double share = s->wall_ns > 0 ? (double)step_duration(longest[count]) / (double)s->wall_ns
					      : 0;
		if (longest[count]->depth > 0 && share < PATH_MIN_SHARE)
			break;
		listed[longest[count] - s->path.steps] = true;
	}
	free(longest);
	return (long)count;
}

static void write_path_step(const struct table *t, const struct summary *s,
			    const struct path_step *step)
{
	const struct execution_record *e = &s->run->executions[step->last];
	char start[HUMAN_UNIT_SIZE], duration[HUMAN_UNIT_SIZE], self[HUMAN_UNIT_SIZE];
	char share[CELL_SIZE] = "-";
	human_duration(elapsed_ns(s->run->start_ns, step->start_ns), start);
	human_duration(step_duration(step), duration);
	human_duration(step->self_ns, self);
	if (s->wall_ns > 0)
		snprintf(share, sizeof(share), "%.0f %%",
			 100 * (double)step_duration(step) / (double)s->wall_ns);
	table_row(t, (const char *[]){ start, duration, share, self, or_unknown(e->cmdline) },
		  step->depth);
}

static void write_critical_path(const struct report_page *page, const struct summary *s,
				size_t top_n)
{
	static const struct column_spec columns[] = {
		{ "start", 9 }, { "duration", 9 }, { "share", 5 }, { "self", 9 }, { "command", 0 } };
	const struct table t = { page, columns, 5 };
	char title[64];
	snprintf(title, sizeof(title), "Critical path (%zu steps)", s->path.count);
	page_heading(page, title);
	if (s->path.count == 0) {
		page_note(page, "none: no execution without a parent");
		return;
	}
	bool *listed = malloc(s->path.count * sizeof(*listed));
	long shown = listed ? select_path_steps(s, 2 * top_n, listed) : -1;
	if (shown < 0) {
		page_note(page, "not shown: out of memory");
		free(listed);
		return;
	}
	table_header(&t);
	for (size_t i = 0; i < s->path.count; i++)
		if (listed[i])
			write_path_step(&t, s, &s->path.steps[i]);
	note_more(page, (size_t)shown, s->path.count,
		  "shorter steps (at most 2 × --top are listed, none under 1 % of the wall time)");
	if (page->style == STYLE_MARKDOWN)
		report_write_path_gantt(page, s, listed);
	free(listed);
}

void report_write_human(const struct report_page *page, const struct summary *s,
			const struct report_options *o)
{
	char title[1024];
	if (o->run_count > 1)
		snprintf(title, sizeof(title), "pipetrace summary: %s, run %s (%zu of %zu)",
			 o->dataset_dir, s->run->run_id, o->run_number, o->run_count);
	else
		snprintf(title, sizeof(title), "pipetrace summary: %s", o->dataset_dir);
	page_heading(page, title);
	report_header_fields(s, put_header_field, (void *)page);
	if (o->grouping == GROUP_BOTH)
		write_groups(page, s, o->top_n, GROUP_BY_COMMAND);
	if (o->grouping == GROUP_BOTH)
		write_groups(page, s, o->top_n, GROUP_BY_BINARY);
	else
		write_groups(page, s, o->top_n, o->grouping);
	write_failed(page, s, o->top_n);
	write_slowest(page, s, o->top_n);
	write_critical_path(page, s, o->top_n);
}
