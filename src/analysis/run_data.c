#include "analysis/run_data.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataset/journal.h"
#include "dataset/schema.h"

#define NO_FIELD SIZE_MAX

/* A column copied into one field of each row's struct: value, and the bool that says it is
 * not null (NO_FIELD when the field has none; then null rows get if_null). */
struct number_field {
	const struct pq_column_def *column;
	size_t value;
	size_t present;
	int64_t if_null;
};

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
	{ &processes_columns[PROC_CPU_NS], EXEC_FIELD(cpu_ns), NO_FIELD, 0 },
	{ &processes_columns[PROC_MAX_RSS_KB], EXEC_FIELD(max_rss_kb), NO_FIELD, 0 },
	{ &processes_columns[PROC_EXIT_CODE], EXEC_FIELD(exit_code), EXEC_FIELD(has_exit_code), 0 },
	{ &processes_columns[PROC_SIGNAL], EXEC_FIELD(signal), EXEC_FIELD(has_signal), 0 },
};
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* String columns are held until every size is known, then copied into one block. */
enum held_text {
	HELD_RUN_ID, HELD_STATUS, HELD_COMMAND,        /* runs.parquet */
	HELD_EXEC_RUN_ID, HELD_FILENAME, HELD_CMDLINE, /* processes.parquet */
	HELD_COUNT
};

static const struct pq_column_def *const held_columns[HELD_COUNT] = {
	[HELD_RUN_ID] = &runs_columns[RUNS_RUN_ID],
	[HELD_STATUS] = &runs_columns[RUNS_STATUS],
	[HELD_COMMAND] = &runs_columns[RUNS_COMMAND],
	[HELD_EXEC_RUN_ID] = &processes_columns[PROC_RUN_ID],
	[HELD_FILENAME] = &processes_columns[PROC_FILENAME],
	[HELD_CMDLINE] = &processes_columns[PROC_CMDLINE],
};

struct loader {
	char path[PATH_MAX];
	struct pq_reader *reader;
	size_t rows;
	struct pq_column held[HELD_COUNT];
	char *err;
	size_t err_size;
};

static int open_table(struct loader *l, const char *dir, const char *file)
{
	struct stat st;
	if (snprintf(l->path, sizeof(l->path), "%s/%s", dir, file) >= (int)sizeof(l->path)) {
		snprintf(l->err, l->err_size, "%s: path too long", dir);
		return -1;
	}
	if (stat(l->path, &st) != 0) {
		snprintf(l->err, l->err_size, "%s: %s", l->path, strerror(errno));
		return -1;
	}
	char reason[512];
	l->reader = pq_reader_open(l->path, reason, sizeof(reason));
	if (!l->reader) {
		snprintf(l->err, l->err_size, "%s: %s", l->path, reason);
		return -1;
	}
	l->rows = pq_reader_rows(l->reader);
	return 0;
}

static void close_table(struct loader *l)
{
	pq_reader_close(l->reader);
	l->reader = NULL;
}

static int read_column(struct loader *l, const struct pq_column_def *def, struct pq_column *out)
{
	long index = pq_reader_find_column(l->reader, def->name);
	if (index < 0) {
		snprintf(l->err, l->err_size, "%s: no column \"%s\"", l->path, def->name);
		return -1;
	}
	if (pq_reader_column(l->reader, (size_t)index)->type != def->type) {
		snprintf(l->err, l->err_size, "%s: column \"%s\" has an unexpected type", l->path,
			 def->name);
		return -1;
	}
	if (pq_reader_read_column(l->reader, (size_t)index, out) != 0) {
		snprintf(l->err, l->err_size, "%s: %s", l->path, pq_reader_error(l->reader));
		return -1;
	}
	if (out->rows != l->rows) {
		snprintf(l->err, l->err_size, "%s: column \"%s\" has %zu rows, not %zu", l->path,
			 def->name, out->rows, l->rows);
		pq_column_free(out);
		return -1;
	}
	return 0;
}

/* Copies number columns into rows[0..l->rows) of `stride` bytes each. */
static int read_numbers(struct loader *l, const struct number_field *fields, size_t count,
			void *rows, size_t stride)
{
	for (size_t f = 0; f < count; f++) {
		struct pq_column column;
		if (read_column(l, fields[f].column, &column) != 0)
			return -1;
		for (size_t i = 0; i < l->rows; i++) {
			char *row = (char *)rows + i * stride;
			bool present = column.present[i];
			int64_t value = present ? column.ints[i] : fields[f].if_null;
			memcpy(row + fields[f].value, &value, sizeof(value));
			if (fields[f].present != NO_FIELD)
				memcpy(row + fields[f].present, &present, sizeof(present));
		}
		pq_column_free(&column);
	}
	return 0;
}

/* The same for columns a file may not have (their fields get if_null). */
static int read_later_numbers(struct loader *l, const struct number_field *fields, size_t count,
			      void *rows, size_t stride)
{
	for (size_t f = 0; f < count; f++) {
		if (pq_reader_find_column(l->reader, fields[f].column->name) >= 0) {
			if (read_numbers(l, &fields[f], 1, rows, stride) != 0)
				return -1;
			continue;
		}
		for (size_t i = 0; i < l->rows; i++)
			memcpy((char *)rows + i * stride + fields[f].value, &fields[f].if_null,
			       sizeof(fields[f].if_null));
	}
	return 0;
}

static size_t held_strings(const struct pq_column *c)
{
	if (c->rows == 0)
		return 0;
	return c->type == PQ_LIST_STRING ? c->list_offsets[c->rows] : c->rows;
}

static size_t held_bytes(const struct pq_column *c)
{
	size_t strings = held_strings(c);
	return strings == 0 ? 0 : c->offsets[strings];
}

static const char *copy_string(const struct pq_column *c, size_t k, char **cursor)
{
	size_t len = c->offsets[k + 1] - c->offsets[k];
	char *s = *cursor;
	memcpy(s, c->bytes + c->offsets[k], len);
	s[len] = '\0';
	*cursor += len + 1;
	return s;
}

/* Copies the held string columns but processes' run_id into d->text and points the records'
 * fields at them. */
static int place_texts(struct loader *l, struct run_data *d, size_t execution_count)
{
	size_t size = 1;
	for (size_t h = 0; h < HELD_COUNT; h++)
		if (h != HELD_EXEC_RUN_ID)
			size += held_bytes(&l->held[h]) + held_strings(&l->held[h]);
	const struct pq_column *command = &l->held[HELD_COMMAND];
	d->text = malloc(size);
	d->command_items = malloc((held_strings(command) + 1) * sizeof(*d->command_items));
	if (!d->text || !d->command_items) {
		snprintf(l->err, l->err_size, "%s: out of memory", l->path);
		return -1;
	}
	char *cursor = d->text;
	for (size_t k = 0; k < held_strings(command); k++)
		d->command_items[k] = copy_string(command, k, &cursor);
	for (size_t r = 0; r < d->run_count; r++) {
		struct run_record *run = &d->runs[r];
		run->command = d->command_items + command->list_offsets[r];
		run->command_count = command->list_offsets[r + 1] - command->list_offsets[r];
		run->run_id = copy_string(&l->held[HELD_RUN_ID], r, &cursor);
		run->status = copy_string(&l->held[HELD_STATUS], r, &cursor);
	}
	const struct pq_column *filename = &l->held[HELD_FILENAME], *cmdline = &l->held[HELD_CMDLINE];
	for (size_t i = 0; i < execution_count; i++) {
		struct execution_record *e = &d->executions[i];
		e->filename = filename->present[i] ? copy_string(filename, i, &cursor) : NULL;
		e->cmdline = cmdline->present[i] ? copy_string(cmdline, i, &cursor) : NULL;
	}
	return 0;
}

/* Reads the held columns first..last of the open table. */
static int read_held(struct loader *l, enum held_text first, enum held_text last)
{
	for (enum held_text h = first; h <= last; h++)
		if (read_column(l, held_columns[h], &l->held[h]) != 0)
			return -1;
	return 0;
}

static int load_runs(struct loader *l, const char *dir, struct run_data *d)
{
	if (open_table(l, dir, "runs.parquet") != 0)
		return -1;
	int result = -1;
	d->run_count = l->rows;
	d->runs = l->rows ? calloc(l->rows, sizeof(*d->runs)) : NULL;
	if (l->rows == 0)
		snprintf(l->err, l->err_size, "%s: no run in the file", l->path);
	else if (!d->runs)
		snprintf(l->err, l->err_size, "%s: out of memory", l->path);
	else if (read_numbers(l, run_numbers, COUNT(run_numbers), d->runs, sizeof(*d->runs)) == 0 &&
		 read_later_numbers(l, run_later_numbers, COUNT(run_later_numbers), d->runs,
				    sizeof(*d->runs)) == 0 &&
		 read_later_numbers(l, run_redaction_numbers, COUNT(run_redaction_numbers), d->runs,
				    sizeof(*d->runs)) == 0 &&
		 read_held(l, HELD_RUN_ID, HELD_COMMAND) == 0)
		result = 0;
	close_table(l);
	return result;
}

/* Reads processes.parquet; returns the number of executions, or -1. */
static long load_executions(struct loader *l, const char *dir, struct run_data *d)
{
	if (open_table(l, dir, "processes.parquet") != 0)
		return -1;
	long count = -1;
	d->executions = calloc(l->rows ? l->rows : 1, sizeof(*d->executions));
	if (!d->executions)
		snprintf(l->err, l->err_size, "%s: out of memory", l->path);
	else if (read_numbers(l, execution_numbers, COUNT(execution_numbers), d->executions,
			      sizeof(*d->executions)) == 0 &&
		 read_held(l, HELD_EXEC_RUN_ID, HELD_CMDLINE) == 0)
		count = (long)l->rows;
	close_table(l);
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
		snprintf(l->err, l->err_size, "%s: out of memory", l->path);
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
	struct loader l = { .err = err, .err_size = err_size };
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

void run_data_free(struct run_data *d)
{
	free(d->runs);
	free(d->executions);
	free(d->text);
	free(d->command_items);
	*d = (struct run_data){ 0 };
}
