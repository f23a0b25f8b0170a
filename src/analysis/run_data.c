#include "analysis/run_data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/table_reader.h"
#include "dataset/journal.h"
#include "dataset/schema.h"

#define RUN_FIELD(name) offsetof(struct run_record, name)
#define EXEC_FIELD(name) offsetof(struct execution_record, name)

static const struct number_field run_numbers[] = {
	{ &runs_columns[RUNS_START_TIME], RUN_FIELD(start_ns), NO_FIELD, 0 },
	{ &runs_columns[RUNS_END_TIME], RUN_FIELD(end_ns), NO_FIELD, 0 },
	{ &runs_columns[RUNS_EXIT_CODE], RUN_FIELD(exit_code), RUN_FIELD(has_exit_code), 0 },
	{ &runs_columns[RUNS_SIGNAL], RUN_FIELD(signal), RUN_FIELD(has_signal), 0 },
	{ &runs_columns[RUNS_LOST_EVENTS], RUN_FIELD(lost_events), NO_FIELD, 0 },
};

/* Columns added since the first datasets: a file without one gives its field if_null. */
#define LOST_FIELD(kind)                                                                     \
	{ &runs_columns[RUNS_LOST_FIRST + (kind)], RUN_FIELD(lost[kind]), NO_FIELD, 0 }
static const struct number_field run_later_numbers[] = {
	LOST_FIELD(LOST_RING_FULL), LOST_FIELD(LOST_TRACED_FULL), LOST_FIELD(LOST_STASH_FULL),
	LOST_FIELD(LOST_MALFORMED), LOST_FIELD(LOST_UNKNOWN_TYPE), LOST_FIELD(LOST_READ_ERRORS),
};
#undef LOST_FIELD
_Static_assert(sizeof(run_later_numbers) / sizeof(run_later_numbers[0]) == LOST_KINDS,
	       "one field per kind of loss");

/* runs.redact and what redaction did: redact -1 in a dataset from before it. */
static const struct number_field run_redaction_numbers[] = {
	{ &runs_columns[RUNS_REDACT], RUN_FIELD(redact), NO_FIELD, -1 },
	{ &runs_columns[RUNS_REDACTED_EXECUTIONS], RUN_FIELD(redacted_executions), NO_FIELD, 0 },
	{ &runs_columns[RUNS_REDACTED_WORDS], RUN_FIELD(redacted_words), NO_FIELD, 0 },
};

static const struct number_field execution_numbers[] = {
	{ &processes_columns[PROC_EXEC_ID], EXEC_FIELD(span.exec_id), NO_FIELD, EXEC_ID_NONE },
	{ &processes_columns[PROC_PARENT_EXEC_ID], EXEC_FIELD(span.parent_exec_id), NO_FIELD,
	  EXEC_ID_NONE },
	{ &processes_columns[PROC_PREV_EXEC_ID], EXEC_FIELD(span.prev_exec_id), NO_FIELD,
	  EXEC_ID_NONE },
	{ &processes_columns[PROC_START_TIME], EXEC_FIELD(span.start_ns), NO_FIELD, 0 },
	{ &processes_columns[PROC_END_TIME], EXEC_FIELD(span.end_ns), NO_FIELD, 0 },
	{ &processes_columns[PROC_DURATION_NS], EXEC_FIELD(duration_ns), NO_FIELD, 0 },
	{ &processes_columns[PROC_PID], EXEC_FIELD(pid), NO_FIELD, 0 },
	{ &processes_columns[PROC_PPID], EXEC_FIELD(ppid), NO_FIELD, 0 },
	{ &processes_columns[PROC_CPU_USER_NS], EXEC_FIELD(cpu_user_ns), NO_FIELD, 0 },
	{ &processes_columns[PROC_CPU_SYS_NS], EXEC_FIELD(cpu_sys_ns), NO_FIELD, 0 },
	{ &processes_columns[PROC_CPU_NS], EXEC_FIELD(cpu_ns), NO_FIELD, 0 },
	{ &processes_columns[PROC_MAX_RSS_KB], EXEC_FIELD(max_rss_kb), NO_FIELD, 0 },
	{ &processes_columns[PROC_READ_BYTES], EXEC_FIELD(read_bytes), NO_FIELD, 0 },
	{ &processes_columns[PROC_WRITE_BYTES], EXEC_FIELD(write_bytes), NO_FIELD, 0 },
	{ &processes_columns[PROC_EXIT_CODE], EXEC_FIELD(exit_code), EXEC_FIELD(has_exit_code), 0 },
	{ &processes_columns[PROC_SIGNAL], EXEC_FIELD(signal), EXEC_FIELD(has_signal), 0 },
};
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* String columns are held until every size is known, then copied into one block. */
enum held_text {
	HELD_RUN_ID, HELD_STATUS, HELD_COMMAND, /* runs.parquet */
	HELD_EXEC_RUN_ID, HELD_FILENAME, HELD_CMDLINE, HELD_CWD, HELD_ARGV, HELD_END_REASON,
	HELD_COUNT                              /* processes.parquet from HELD_EXEC_RUN_ID */
};

static const struct pq_column_def *const held_columns[HELD_COUNT] = {
	[HELD_RUN_ID] = &runs_columns[RUNS_RUN_ID],
	[HELD_STATUS] = &runs_columns[RUNS_STATUS],
	[HELD_COMMAND] = &runs_columns[RUNS_COMMAND],
	[HELD_EXEC_RUN_ID] = &processes_columns[PROC_RUN_ID],
	[HELD_FILENAME] = &processes_columns[PROC_FILENAME],
	[HELD_CMDLINE] = &processes_columns[PROC_CMDLINE],
	[HELD_CWD] = &processes_columns[PROC_CWD],
	[HELD_ARGV] = &processes_columns[PROC_ARGV],
	[HELD_END_REASON] = &processes_columns[PROC_END_REASON],
};

struct loader {
	struct table_reader table;
	struct pq_column held[HELD_COUNT];
};

/* Copies every item of a held list column into the text block and lists them in items. */
static const char **place_items(const struct pq_column *list, char **cursor)
{
	const char **items = malloc((column_strings(list) + 1) * sizeof(*items));
	for (size_t k = 0; items && k < column_strings(list); k++)
		items[k] = column_copy_string(list, k, cursor);
	return items;
}

static const char *optional_string(const struct pq_column *c, size_t i, char **cursor)
{
	return c->present[i] ? column_copy_string(c, i, cursor) : NULL;
}

/* Copies the held string columns but processes' run_id into d->text and points the records'
 * fields at them. */
static int place_texts(struct loader *l, struct run_data *d, size_t execution_count)
{
	size_t size = 1;
	for (size_t h = 0; h < HELD_COUNT; h++)
		if (h != HELD_EXEC_RUN_ID)
			size += column_bytes(&l->held[h]) + column_strings(&l->held[h]);
	const struct pq_column *command = &l->held[HELD_COMMAND], *argv = &l->held[HELD_ARGV];
	char *cursor = d->text = malloc(size);
	d->command_items = cursor ? place_items(command, &cursor) : NULL;
	d->argv_items = d->command_items ? place_items(argv, &cursor) : NULL;
	if (!d->argv_items)
		return table_fail(&l->table, "out of memory");
	for (size_t r = 0; r < d->run_count; r++) {
		struct run_record *run = &d->runs[r];
		run->command = d->command_items + command->list_offsets[r];
		run->command_count = command->list_offsets[r + 1] - command->list_offsets[r];
		run->run_id = column_copy_string(&l->held[HELD_RUN_ID], r, &cursor);
		run->status = column_copy_string(&l->held[HELD_STATUS], r, &cursor);
	}
	for (size_t i = 0; i < execution_count; i++) {
		struct execution_record *e = &d->executions[i];
		e->filename = optional_string(&l->held[HELD_FILENAME], i, &cursor);
		e->cmdline = optional_string(&l->held[HELD_CMDLINE], i, &cursor);
		e->cwd = optional_string(&l->held[HELD_CWD], i, &cursor);
		e->end_reason = optional_string(&l->held[HELD_END_REASON], i, &cursor);
		e->argv = d->argv_items + argv->list_offsets[i];
		e->argc = argv->list_offsets[i + 1] - argv->list_offsets[i];
	}
	return 0;
}

/* Reads the held columns first..last of the open table. */
static int read_held(struct loader *l, enum held_text first, enum held_text last)
{
	for (enum held_text h = first; h <= last; h++)
		if (table_read_column(&l->table, held_columns[h], &l->held[h]) != 0)
			return -1;
	return 0;
}

static int load_runs(struct loader *l, const char *dir, struct run_data *d)
{
	struct table_reader *t = &l->table;
	if (table_open(t, dir, "runs.parquet", false) != 0)
		return -1;
	int result = -1;
	d->run_count = t->rows;
	d->runs = t->rows ? calloc(t->rows, sizeof(*d->runs)) : NULL;
	if (t->rows == 0)
		table_fail(t, "no run in the file");
	else if (!d->runs)
		table_fail(t, "out of memory");
	else if (table_read_numbers(t, run_numbers, COUNT(run_numbers), d->runs,
				    sizeof(*d->runs)) == 0 &&
		 table_read_optional_numbers(t, run_later_numbers, COUNT(run_later_numbers),
					     d->runs, sizeof(*d->runs)) == 0 &&
		 table_read_optional_numbers(t, run_redaction_numbers,
					     COUNT(run_redaction_numbers), d->runs,
					     sizeof(*d->runs)) == 0 &&
		 read_held(l, HELD_RUN_ID, HELD_COMMAND) == 0)
		result = 0;
	table_close(t);
	return result;
}

/* Reads processes.parquet; returns the number of executions, or -1. */
static long load_executions(struct loader *l, const char *dir, struct run_data *d)
{
	struct table_reader *t = &l->table;
	if (table_open(t, dir, "processes.parquet", false) != 0)
		return -1;
	long count = -1;
	d->executions = calloc(t->rows ? t->rows : 1, sizeof(*d->executions));
	if (!d->executions)
		table_fail(t, "out of memory");
	else if (table_read_numbers(t, execution_numbers, COUNT(execution_numbers), d->executions,
				    sizeof(*d->executions)) == 0 &&
		 read_held(l, HELD_EXEC_RUN_ID, HELD_END_REASON) == 0)
		count = (long)t->rows;
	table_close(t);
	return count;
}

struct run_key {
	const char *run_id;
	size_t run;
};

static int compare_run_keys(const void *a, const void *b)
{
	const struct run_key *x = a, *y = b;
	int order = strcmp(x->run_id, y->run_id);
	return order ? order : (x->run > y->run) - (x->run < y->run);
}

/* The first run (keys sorted) whose id is id[0..len), or count when none is. */
static size_t find_run(const struct run_key *keys, size_t count, const char *id, size_t len)
{
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, key_len = strlen(keys[mid].run_id);
		int order = memcmp(keys[mid].run_id, id, key_len < len ? key_len : len);
		if (order < 0 || (order == 0 && key_len < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	bool found = lo < count && strlen(keys[lo].run_id) == len &&
		     memcmp(keys[lo].run_id, id, len) == 0;
	return found ? keys[lo].run : count;
}

/* Orders the executions by run (keeping their order within a run), orphans last, and gives
 * each run its range. */
static int group_by_run(struct loader *l, struct run_data *d, size_t count)
{
	size_t runs = d->run_count;
	if (runs == 1) {
		d->runs[0].executions = d->executions;
		d->runs[0].execution_count = count;
		return 0;
	}
	struct run_key *keys = malloc(runs * sizeof(*keys));
	size_t *run_of = malloc((count ? count : 1) * sizeof(*run_of));
	size_t *begin = calloc(runs + 2, sizeof(*begin)), *filled = calloc(runs + 1, sizeof(*filled));
	struct execution_record *grouped = malloc((count ? count : 1) * sizeof(*grouped));
	int result = -1;
	if (!keys || !run_of || !begin || !filled || !grouped) {
		table_fail(&l->table, "out of memory");
		goto done;
	}
	for (size_t r = 0; r < runs; r++)
		keys[r] = (struct run_key){ d->runs[r].run_id, r };
	qsort(keys, runs, sizeof(*keys), compare_run_keys);
	const struct pq_column *ids = &l->held[HELD_EXEC_RUN_ID];
	for (size_t i = 0; i < count; i++) {
		run_of[i] = ids->present[i] ? find_run(keys, runs, ids->bytes + ids->offsets[i],
						       ids->offsets[i + 1] - ids->offsets[i])
					    : runs;
		begin[run_of[i] + 1]++;
	}
	for (size_t r = 1; r <= runs + 1; r++)
		begin[r] += begin[r - 1];
	for (size_t i = 0; i < count; i++)
		grouped[begin[run_of[i]] + filled[run_of[i]]++] = d->executions[i];
	for (size_t r = 0; r < runs; r++) {
		d->runs[r].executions = grouped + begin[r];
		d->runs[r].execution_count = filled[r];
	}
	d->orphan_executions = filled[runs];
	free(d->executions);
	d->executions = grouped;
	grouped = NULL;
	result = 0;
done:
	free(keys);
	free(run_of);
	free(begin);
	free(filled);
	free(grouped);
	return result;
}

int run_data_load(const char *dir, struct run_data *out, char *err, size_t err_size)
{
	struct loader l = { .table = { .err = err, .err_size = err_size } };
	struct stat st;
	*out = (struct run_data){ 0 };
	if (stat(dir, &st) != 0) {
		snprintf(err, err_size, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, err_size, "%s: not a directory", dir);
		return -1;
	}
	if (journal_check(dir, err, err_size))
		return -1;
	long executions = load_runs(&l, dir, out) == 0 ? load_executions(&l, dir, out) : -1;
	int result = executions >= 0 && place_texts(&l, out, (size_t)executions) == 0 &&
		     group_by_run(&l, out, (size_t)executions) == 0 ? 0 : -1;
	for (size_t h = 0; h < HELD_COUNT; h++)
		pq_column_free(&l.held[h]);
	if (result != 0)
		run_data_free(out);
	return result;
}

struct exec_span *run_record_spans(const struct run_record *run)
{
	struct exec_span *spans = malloc((run->execution_count ? run->execution_count : 1) *
					 sizeof(*spans));
	for (size_t i = 0; spans && i < run->execution_count; i++)
		spans[i] = run->executions[i].span;
	return spans;
}

void run_data_free(struct run_data *d)
{
	free(d->runs);
	free(d->executions);
	free(d->text);
	free(d->command_items);
	free(d->argv_items);
	*d = (struct run_data){ 0 };
}
