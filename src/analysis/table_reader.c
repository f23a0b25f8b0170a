#include "analysis/table_reader.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int table_fail(struct table_reader *r, const char *what)
{
	snprintf(r->err, r->err_size, "%s: %s", r->path, what);
	return -1;
}

int table_open(struct table_reader *r, const char *dir, const char *file, bool optional)
{
	struct stat st;
	r->rows = 0;
	if (snprintf(r->path, sizeof(r->path), "%s/%s", dir, file) >= (int)sizeof(r->path)) {
		snprintf(r->err, r->err_size, "%s: path too long", dir);
		return -1;
	}
	if (stat(r->path, &st) != 0)
		return optional && errno == ENOENT ? 1 : table_fail(r, strerror(errno));
	char reason[512];
	r->reader = pq_reader_open(r->path, reason, sizeof(reason));
	if (!r->reader)
		return table_fail(r, reason);
	r->rows = pq_reader_rows(r->reader);
	return 0;
}

void table_close(struct table_reader *r)
{
	pq_reader_close(r->reader);
	r->reader = NULL;
}

int table_read_column(struct table_reader *r, const struct pq_column_def *def,
		      struct pq_column *out)
{
	char what[256];
	long index = pq_reader_find_column(r->reader, def->name);
	if (index < 0) {
		snprintf(what, sizeof(what), "no column \"%s\"", def->name);
		return table_fail(r, what);
	}
	if (pq_reader_column(r->reader, (size_t)index)->type != def->type) {
		snprintf(what, sizeof(what), "column \"%s\" has an unexpected type", def->name);
		return table_fail(r, what);
	}
	if (pq_reader_read_column(r->reader, (size_t)index, out) != 0)
		return table_fail(r, pq_reader_error(r->reader));
	if (out->rows != r->rows) {
		snprintf(what, sizeof(what), "column \"%s\" has %zu rows, not %zu", def->name,
			 out->rows, r->rows);
		pq_column_free(out);
		return table_fail(r, what);
	}
	return 0;
}

int table_read_numbers(struct table_reader *r, const struct number_field *fields, size_t count,
		       void *rows, size_t stride)
{
	for (size_t f = 0; f < count; f++) {
		struct pq_column column;
		if (table_read_column(r, fields[f].column, &column) != 0)
			return -1;
		for (size_t i = 0; i < r->rows; i++) {
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

int table_read_optional_numbers(struct table_reader *r, const struct number_field *fields,
				size_t count, void *rows, size_t stride)
{
	for (size_t f = 0; f < count; f++) {
		if (pq_reader_find_column(r->reader, fields[f].column->name) >= 0) {
			if (table_read_numbers(r, &fields[f], 1, rows, stride) != 0)
				return -1;
			continue;
		}
		for (size_t i = 0; i < r->rows; i++)
			memcpy((char *)rows + i * stride + fields[f].value, &fields[f].if_null,
			       sizeof(fields[f].if_null));
	}
	return 0;
}

size_t column_strings(const struct pq_column *c)
{
	if (c->rows == 0)
		return 0;
	return c->type == PQ_LIST_STRING ? c->list_offsets[c->rows] : c->rows;
}

size_t column_bytes(const struct pq_column *c)
{
	size_t strings = column_strings(c);
	return strings == 0 ? 0 : c->offsets[strings];
}

const char *column_copy_string(const struct pq_column *c, size_t k, char **cursor)
{
	size_t len = c->offsets[k + 1] - c->offsets[k];
	char *s = *cursor;
	memcpy(s, c->bytes + c->offsets[k], len);
	s[len] = '\0';
	*cursor += len + 1;
	return s;
}
