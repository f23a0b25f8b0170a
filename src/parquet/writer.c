/* The writer's API: row assembly, validation, row groups and the file itself. */
#include "parquet/format.h"
#include "parquet/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Values are appended in memory order as PLAIN, which is little-endian. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian hosts only");

int pq_set_error(struct pq_writer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
	/* One line whatever the names in it hold. */
	for (char *c = w->err; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';
	return -1;
}

/* Errors that leave a half-written row or file make the writer unusable. */
static int fail(struct pq_writer *w)
{
	w->failed = true;
	return -1;
}

static void copy_error(char *err, size_t err_size, const char *msg)
{
	if (err && err_size)
		snprintf(err, err_size, "%s", msg);
}

static void writer_free(struct pq_writer *w)
{
	/* Queued pages use the columns: they are finished first. */
	if (w->workers && w->workers != &w->own_workers)
		pq_workers_drain(w->workers, NULL, 0);
	pq_workers_free(&w->own_workers);
	for (size_t i = 0; i < w->ncols; i++)
		pq_col_free(&w->cols[i]);
	free(w->cols);
	for (size_t g = 0; g < w->ngroups; g++)
		free(w->groups[g].chunks);
	free(w->groups);
	for (size_t i = 0; i < w->nkv; i++) {
		free(w->kv[i].key);
		free(w->kv[i].value);
	}
	free(w->kv);
	free(w->created_by);
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

struct pq_writer *pq_writer_open(const char *path, const struct pq_column_def *columns,
				 size_t column_count, const struct pq_writer_options *options,
				 char *err, size_t err_size)
{
	static const struct pq_writer_options defaults = {0};
	const struct pq_writer_options *o = options ? options : &defaults;
	struct pq_writer *w = calloc(1, sizeof *w);
	if (!w) {
		copy_error(err, err_size, "out of memory");
		return NULL;
	}
	w->fd = -1;
	w->codec = o->codec;
	if (o->workers)
		w->codec = o->workers->zstd ? PQ_CODEC_ZSTD : PQ_CODEC_UNCOMPRESSED;
	w->row_group_bytes = o->row_group_bytes ? o->row_group_bytes : 64u << 20;
	w->created_by = strdup(o->created_by ? o->created_by : "pipetrace-parquet");
	w->cols = calloc(column_count ? column_count : 1, sizeof *w->cols);
	w->workers = o->workers ? o->workers : &w->own_workers;
	if (!w->created_by || !w->cols ||
	    (!o->workers && pq_workers_init(&w->own_workers, o->codec == PQ_CODEC_ZSTD,
					    o->zstd_level ? o->zstd_level : 3) < 0)) {
		copy_error(err, err_size, "out of memory");
		writer_free(w);
		return NULL;
	}
	const char *bad = column_count == 0 ? "no columns" : NULL;
	if (w->codec != PQ_CODEC_ZSTD && w->codec != PQ_CODEC_UNCOMPRESSED)
		bad = "unknown codec";
	for (size_t i = 0; i < column_count && !bad; i++) {
		const struct pq_column_def *d = &columns[i];
		if (!d->name || !*d->name || (unsigned)d->type > PQ_LIST_STRING)
			bad = "column without name or with an unknown type";
		for (size_t j = 0; j < i && !bad; j++)
			if (strcmp(d->name, columns[j].name) == 0)
				bad = "duplicate column name";
		if (bad)
			break;
		struct pq_wcol *c = &w->cols[w->ncols++];
		c->def = *d;
		c->def.name = strdup(d->name);
		if (!c->def.name)
			bad = "out of memory";
		c->phys = pq_physical_type(d->type);
		c->width = c->phys == PQ_PHYS_INT32 ? 4 : c->phys == PQ_PHYS_INT64 ? 8 : 0;
		c->max_rep = d->type == PQ_LIST_STRING;
		c->max_def = d->optional + (d->type == PQ_LIST_STRING);
		pq_col_reset_chunk(c);
	}
	if (bad) {
		copy_error(err, err_size, bad);
		writer_free(w);
		return NULL;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		if (err && err_size)
			snprintf(err, err_size, "%s: %s", path, strerror(errno));
		writer_free(w);
		return NULL;
	}
	if (pq_write_all(w, "PAR1", 4) < 0) {
		copy_error(err, err_size, w->err);
		writer_free(w);
		return NULL;
	}
	return w;
}

static const char *const type_names[] = {"BOOLEAN", "INT32", "INT64",        "DOUBLE",
					 "STRING",  "BLOB",  "TIMESTAMP_NS", "LIST_STRING"};

/* The per-value path (target, level, mark, write_fixed) is inlined into each pq_write_*
 * function: its checks fold with the type known there, and a value costs no calls
 * (cachegrind, journal_bench: 7 % fewer instructions per execution replayed). */
#define PER_VALUE static inline __attribute__((always_inline))

/* The column to write a value of one of the given types (-1: any) to, or NULL. */
PER_VALUE struct pq_wcol *target(struct pq_writer *w, size_t column, int type, int alt)
{
	if (w->failed)
		return NULL; /* w->err keeps the cause */
	if (column >= w->ncols) {
		pq_set_error(w, "column %zu out of range (%zu columns)", column, w->ncols);
		return NULL;
	}
	struct pq_wcol *c = &w->cols[column];
	if (type >= 0 && (int)c->def.type != type && (int)c->def.type != alt) {
		pq_set_error(w, "column %s is %s, not %s", c->def.name, type_names[c->def.type],
			     type_names[type]);
		return NULL;
	}
	if (c->row_mark == w->rows + 1) {
		pq_set_error(w, "column %s written twice in row %llu", c->def.name,
			     (unsigned long long)w->rows);
		return NULL;
	}
	return c;
}

/* Records that c got its value for this row; rep and def are its first level. */
PER_VALUE void mark(struct pq_writer *w, struct pq_wcol *c, size_t bytes)
{
	c->row_mark = w->rows + 1;
	w->cols_written++;
	c->page_bytes += bytes;
	w->buffered += bytes;
	if (c->page_bytes >= PQ_PAGE_BYTES && !c->pending) {
		c->pending = true;
		w->npending++;
	}
}

PER_VALUE void level(struct pq_wcol *c, uint8_t rep, uint8_t def)
{
	if (c->max_rep)
		pq_buf_byte(&c->reps, rep);
	if (c->max_def)
		pq_buf_byte(&c->defs, def);
	c->levels++;
}

int pq_write_null(struct pq_writer *w, size_t column)
{
	struct pq_wcol *c = target(w, column, -1, -1);
	if (!c)
		return -1;
	if (!c->def.optional)
		return pq_set_error(w, "column %s is required: null refused", c->def.name);
	level(c, 0, 0);
	c->st.nulls++;
	mark(w, c, 1);
	return 0;
}

/* A fixed-width value of a column of type `type` (or `alt`, -1 for none). */
PER_VALUE int write_fixed(struct pq_writer *w, size_t column, enum pq_type type, int alt,
		       const void *value, size_t size)
{
	struct pq_wcol *c = target(w, column, type, alt);

	if (!c)
		return -1;
	level(c, 0, (uint8_t)c->max_def);
	pq_buf_put(&c->values, value, size);
	mark(w, c, size);
	return 0;
}

int pq_write_bool(struct pq_writer *w, size_t column, bool value)
{
	uint8_t byte = value;

	return write_fixed(w, column, PQ_BOOLEAN, -1, &byte, 1);
}

int pq_write_int32(struct pq_writer *w, size_t column, int32_t value)
{
	return write_fixed(w, column, PQ_INT32, -1, &value, 4);
}

int pq_write_int64(struct pq_writer *w, size_t column, int64_t value)
{
	return write_fixed(w, column, PQ_INT64, PQ_TIMESTAMP_NS, &value, 8);
}

int pq_write_double(struct pq_writer *w, size_t column, double value)
{
	return write_fixed(w, column, PQ_DOUBLE, -1, &value, 8);
}

int pq_write_bytes(struct pq_writer *w, size_t column, const void *data, size_t len)
{
	struct pq_wcol *c = target(w, column, PQ_STRING, PQ_BLOB);
	if (!c)
		return -1;
	if (len > PQ_VALUE_MAX)
		return pq_set_error(w, "column %s: value of %zu bytes too large", c->def.name, len);
	if (c->def.type == PQ_STRING && !pq_utf8_valid(data, len))
		return pq_set_error(w, "column %s: invalid UTF-8 refused", c->def.name);
	level(c, 0, (uint8_t)c->max_def);
	pq_buf_u32(&c->values, (uint32_t)len);
	pq_buf_put(&c->values, data, len);
	mark(w, c, 4 + len);
	return 0;
}

int pq_write_list(struct pq_writer *w, size_t column, const char *const *items,
		  const size_t *lengths, size_t count)
{
	struct pq_wcol *c = target(w, column, PQ_LIST_STRING, -1);
	if (!c)
		return -1;
	size_t bytes = 0;
	for (size_t i = 0; i < count; i++) {
		if (lengths[i] > PQ_VALUE_MAX)
			return pq_set_error(w, "column %s: item of %zu bytes too large",
					    c->def.name, lengths[i]);
		if (!pq_utf8_valid(items[i], lengths[i]))
			return pq_set_error(w, "column %s: item %zu: invalid UTF-8 refused",
					    c->def.name, i);
		bytes += 5 + lengths[i];
	}
	if (count == 0) {
		level(c, 0, (uint8_t)(c->max_def - 1)); /* empty list */
		c->st.nulls++;
		bytes = 1;
	}
	for (size_t i = 0; i < count; i++) {
		level(c, i > 0, (uint8_t)c->max_def);
		pq_buf_u32(&c->values, (uint32_t)lengths[i]);
		pq_buf_put(&c->values, items[i], lengths[i]);
	}
	mark(w, c, bytes);
	return 0;
}

static int flush_row_group(struct pq_writer *w)
{
	if (w->group_rows == 0)
		return 0;
	struct pq_rowgroup_meta *g = realloc(w->groups, (w->ngroups + 1) * sizeof *g);
	if (!g)
		return pq_set_error(w, "out of memory");
	w->groups = g;
	g = &w->groups[w->ngroups];
	g->rows = (int64_t)w->group_rows;
	g->offset = w->offset;
	g->chunks = calloc(w->ncols, sizeof *g->chunks);
	if (!g->chunks)
		return pq_set_error(w, "out of memory");
	w->ngroups++;
	for (size_t i = 0; i < w->ncols; i++)
		pq_col_finish_chunk(w, &w->cols[i]);
	if (pq_workers_drain(w->workers, w->err, sizeof w->err) < 0)
		return -1;
	for (size_t i = 0; i < w->ncols; i++)
		if (pq_col_write_chunk(w, &w->cols[i], &g->chunks[i]) < 0)
			return -1;
	w->group_rows = 0;
	w->buffered = 0;
	return 0;
}

int pq_writer_end_row(struct pq_writer *w)
{
	if (w->failed)
		return -1;
	if (w->cols_written != w->ncols) {
		for (size_t i = 0; i < w->ncols; i++)
			if (w->cols[i].row_mark != w->rows + 1)
				return pq_set_error(w, "row %llu: column %s missing",
						    (unsigned long long)w->rows,
						    w->cols[i].def.name);
	}
	w->rows++;
	w->group_rows++;
	w->cols_written = 0;
	for (size_t i = 0; w->npending && i < w->ncols; i++)
		if (w->cols[i].pending)
			pq_col_flush_page(w, &w->cols[i]);
	if (w->buffered >= w->row_group_bytes && flush_row_group(w) < 0)
		return fail(w);
	return 0;
}

int pq_writer_set_metadata(struct pq_writer *w, const char *key, const char *value)
{
	char *v = strdup(value ? value : "");
	if (!v)
		return pq_set_error(w, "out of memory");
	for (size_t i = 0; i < w->nkv; i++)
		if (strcmp(w->kv[i].key, key) == 0) {
			free(w->kv[i].value);
			w->kv[i].value = v;
			return 0;
		}
	struct pq_kv *kv = realloc(w->kv, (w->nkv + 1) * sizeof *kv);
	char *k = strdup(key);
	if (kv)
		w->kv = kv;
	if (!kv || !k) {
		free(k);
		free(v);
		return pq_set_error(w, "out of memory");
	}
	w->kv[w->nkv++] = (struct pq_kv){k, v};
	return 0;
}

int pq_writer_close(struct pq_writer *w, char *err, size_t err_size)
{
	int rc = -1;
	if (w->failed)
		; /* w->err holds the cause */
	else if (w->cols_written)
		pq_set_error(w, "row %llu left unfinished", (unsigned long long)w->rows);
	else if (flush_row_group(w) == 0 && pq_write_footer(w) == 0) {
		rc = close(w->fd);
		w->fd = -1;
		if (rc < 0)
			pq_set_error(w, "close: %s", strerror(errno));
	}
	if (rc < 0)
		copy_error(err, err_size, w->err);
	writer_free(w);
	return rc;
}

int pq_writer_rotate(struct pq_writer *w, const char *path)
{
	if (w->failed)
		return -1;
	if (w->cols_written)
		return pq_set_error(w, "row %llu left unfinished", (unsigned long long)w->rows);
	if (flush_row_group(w) < 0 || pq_write_footer(w) < 0)
		return fail(w);
	int closed = close(w->fd);
	w->fd = -1;
	if (closed < 0) {
		pq_set_error(w, "close: %s", strerror(errno));
		return fail(w);
	}
	for (size_t g = 0; g < w->ngroups; g++)
		free(w->groups[g].chunks);
	free(w->groups);
	w->groups = NULL;
	w->ngroups = 0;
	w->rows = 0;
	w->offset = 0;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		pq_set_error(w, "%s: %s", path, strerror(errno));
		return fail(w);
	}
	return pq_write_all(w, "PAR1", 4) < 0 ? fail(w) : 0;
}

void pq_writer_abort(struct pq_writer *w)
{
	if (w)
		writer_free(w);
}

const char *pq_writer_error(const struct pq_writer *w)
{
	return w->err;
}

uint64_t pq_writer_rows(const struct pq_writer *w)
{
	return w->rows;
}
