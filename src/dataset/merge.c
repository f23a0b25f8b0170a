#include "dataset/merge.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/journal.h"
#include "dataset/schema.h"
#include "parquet/parquet.h"

/* Formats the reason into err and returns -1. */
__attribute__((format(printf, 3, 4))) static int failure(char *err, size_t err_size,
							const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(err, err_size, fmt, args);
	va_end(args);
	return -1;
}


/* The run_ids a table already has, each with the input that brought it: the same run coming
 * from a second input (a dataset merged twice) is skipped there, so no row is doubled. */
struct run_sources {
	char **ids;
	size_t *inputs;
	size_t count;
};

static void run_sources_clear(struct run_sources *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->ids[i]);
	free(s->ids);
	free(s->inputs);
	*s = (struct run_sources){0};
}

/* False when the run came from another input already; -1 when out of memory. */
static int keep_run(struct run_sources *s, const char *id, size_t len, size_t input)
{
	char **ids;
	size_t *inputs;

	for (size_t i = 0; i < s->count; i++)
		if (strlen(s->ids[i]) == len && !memcmp(s->ids[i], id, len))
			return s->inputs[i] == input;
	ids = realloc(s->ids, (s->count + 1) * sizeof(*ids));
	if (ids)
		s->ids = ids;
	inputs = realloc(s->inputs, (s->count + 1) * sizeof(*inputs));
	if (inputs)
		s->inputs = inputs;
	if (!ids || !inputs || !(s->ids[s->count] = strndup(id, len)))
		return -1;
	s->inputs[s->count++] = input;
	return 1;
}

static int write_list_value(struct pq_writer *w, size_t col, const struct pq_column *c,
			    size_t row)
{
	size_t first = c->list_offsets[row], count = c->list_offsets[row + 1] - first;
	const char *items[count ? count : 1];
	size_t lengths[count ? count : 1];

	for (size_t i = 0; i < count; i++) {
		items[i] = c->bytes + c->offsets[first + i];
		lengths[i] = c->offsets[first + i + 1] - c->offsets[first + i];
	}
	return pq_write_list(w, col, items, lengths, count);
}

static int write_value(struct pq_writer *w, size_t col, const struct pq_column *c, size_t row)
{
	if (!c->present[row])
		return pq_write_null(w, col);
	switch (c->type) {
	case PQ_BOOLEAN: return pq_write_bool(w, col, c->ints[row] != 0);
	case PQ_INT32: return pq_write_int32(w, col, (int32_t)c->ints[row]);
	case PQ_INT64: case PQ_TIMESTAMP_NS: return pq_write_int64(w, col, c->ints[row]);
	case PQ_DOUBLE: return pq_write_double(w, col, c->doubles[row]);
	case PQ_STRING: case PQ_BLOB:
		return pq_write_bytes(w, col, c->bytes + c->offsets[row],
				      c->offsets[row + 1] - c->offsets[row]);
	case PQ_LIST_STRING: return write_list_value(w, col, c, row);
	}
	return -1;
}

static bool same_columns(const struct pq_reader *r, const struct pq_column_def *defs, size_t n)
{
	if (pq_reader_column_count(r) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct pq_column_def *c = pq_reader_column(r, i);

		if (!defs[i].name || strcmp(c->name, defs[i].name) || c->type != defs[i].type)
			return false;
	}
	return true;
}

/* Appends the rows of r to w, but for runs another input brought already. */
static int copy_rows(struct pq_reader *r, struct pq_writer *w, struct run_sources *runs,
		     size_t input, const char *path, char *err, size_t err_size)
{
	size_t n = pq_reader_column_count(r), rows = pq_reader_rows(r);
	struct pq_column *cols = calloc(n ? n : 1, sizeof(*cols));
	long run_col = pq_reader_find_column(r, "run_id");
	int rc = 0, keep;

	if (!cols)
		return failure(err, err_size, "out of memory");
	for (size_t i = 0; i < n && !rc; i++)
		if (pq_reader_read_column(r, i, &cols[i]))
			rc = failure(err, err_size, "%s: %s", path, pq_reader_error(r));
	for (size_t row = 0; row < rows && !rc; row++) {
		if (run_col >= 0 && cols[run_col].present[row]) {
			const struct pq_column *ids = &cols[run_col];

			keep = keep_run(runs, ids->bytes + ids->offsets[row],
					ids->offsets[row + 1] - ids->offsets[row], input);
			if (keep < 0)
				rc = failure(err, err_size, "out of memory");
			if (keep <= 0)
				continue;
		}
		for (size_t i = 0; i < n && !rc; i++)
			rc = write_value(w, i, &cols[i], row);
		if (rc || pq_writer_end_row(w))
			rc = failure(err, err_size, "%s", pq_writer_error(w));
	}
	for (size_t i = 0; i < n; i++)
		pq_column_free(&cols[i]);
	free(cols);
	return rc;
}

static int merge_table(const char *table, const char *const *inputs, size_t input_count,
		       const char *out_dir, char *err, size_t err_size)
{
	struct run_sources runs = {0};
	struct pq_writer *w = NULL;
	struct pq_column_def *defs = NULL;
	size_t ncols = 0;
	char path[PATH_MAX + 64], out_path[PATH_MAX + 64];
	int rc = 0;

	snprintf(out_path, sizeof(out_path), "%s/%s.parquet", out_dir, table);
	for (size_t i = 0; i < input_count && !rc; i++) {
		struct pq_reader *r;

		snprintf(path, sizeof(path), "%s/%s.parquet", inputs[i], table);
		if (access(path, F_OK))
			continue;
		r = pq_reader_open(path, err, err_size);
		if (!r) {
			rc = -1;
			break;
		}
		/* The first input that has the table gives its columns. */
		if (!w) {
			ncols = pq_reader_column_count(r);
			defs = calloc(ncols ? ncols : 1, sizeof(*defs));
			/* Names are the reader's: keep copies past its close. */
			for (size_t c = 0; defs && c < ncols; c++) {
				defs[c] = *pq_reader_column(r, c);
				defs[c].name = strdup(defs[c].name);
			}
			w = defs ? pq_writer_open(out_path, defs, ncols,
						  &(struct pq_writer_options){0}, err, err_size)
				 : NULL;
			if (w) {
				pq_writer_set_metadata(w, "pipetrace.version", PIPETRACE_VERSION);
				pq_writer_set_metadata(w, "pipetrace.schema_version",
						       PT_SCHEMA_VERSION);
			}
		}
		if (!w)
			rc = -1;
		else if (!same_columns(r, defs, ncols))
			rc = failure(err, err_size, "%s has other columns than the %s table of the "
				     "first input; merge datasets of the same pipetrace version",
				     path, table);
		else
			rc = copy_rows(r, w, &runs, i, path, err, err_size);
		pq_reader_close(r);
	}
	if (w && rc)
		pq_writer_abort(w);
	else if (w)
		rc = pq_writer_close(w, err, err_size);
	else if (!rc && unlink(out_path) && errno != ENOENT)
		rc = failure(err, err_size, "cannot remove the stale %s: %s", out_path,
			     strerror(errno)); /* no input has the table: none is left from before */
	for (size_t c = 0; defs && c < ncols; c++)
		free((char *)defs[c].name);
	free(defs);
	run_sources_clear(&runs);
	return rc;
}

int dataset_merge(const char *const *inputs, size_t input_count, const char *const *tables,
		  size_t table_count, const char *out_dir, char *err, size_t err_size)
{
	struct stat in[input_count], out;
	int rc = 0;

	for (size_t i = 0; i < input_count; i++) {
		if (stat(inputs[i], &in[i]) || !S_ISDIR(in[i].st_mode))
			return failure(err, err_size, "%s is not a dataset folder", inputs[i]);
		if (journal_check(inputs[i], err, err_size))
			return -1;
	}
	if ((mkdir(out_dir, 0755) && errno != EEXIST) || stat(out_dir, &out))
		return failure(err, err_size, "cannot create %s: %s", out_dir, strerror(errno));
	/* Writing over an input would destroy it while it is read. */
	for (size_t i = 0; i < input_count; i++)
		if (in[i].st_dev == out.st_dev && in[i].st_ino == out.st_ino)
			return failure(err, err_size, "the output folder %s is also an input; write "
				       "the merge to a new folder", out_dir);
	for (size_t t = 0; t < table_count && !rc; t++)
		rc = merge_table(tables[t], inputs, input_count, out_dir, err, err_size);
	return rc;
}
