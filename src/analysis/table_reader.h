/* Reading whole columns of one dataset table into arrays of structs: the shared part of the
 * loaders of src/analysis (run_data.c, cpu_samples.c). Errors are one line naming the file. */
#ifndef PIPETRACE_TABLE_READER_H
#define PIPETRACE_TABLE_READER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parquet/parquet.h"

#define NO_FIELD SIZE_MAX

/* A column copied into one field of each row's struct: value, and the bool that says it is
 * not null (NO_FIELD when the field has none; then null rows get if_null). */
struct number_field {
	const struct pq_column_def *column;
	size_t value;
	size_t present;
	int64_t if_null;
};

struct table_reader {
	char path[PATH_MAX];
	struct pq_reader *reader;
	size_t rows;
	char *err;
	size_t err_size;
};

/* Opens dir/file; -1 with the cause in r->err. A missing file is an error unless optional,
 * when it returns 1 (r->rows 0). */
int table_open(struct table_reader *r, const char *dir, const char *file, bool optional);
void table_close(struct table_reader *r);
/* Reads the column def names, which must have def's type and the table's row count. */
int table_read_column(struct table_reader *r, const struct pq_column_def *def,
		      struct pq_column *out);
/* Copies number columns into rows[0..r->rows) of `stride` bytes each. */
int table_read_numbers(struct table_reader *r, const struct number_field *fields, size_t count,
		       void *rows, size_t stride);
/* The same for columns added to the dataset since its first version: a file without one
 * gives its field if_null in every row. */
int table_read_optional_numbers(struct table_reader *r, const struct number_field *fields,
				size_t count, void *rows, size_t stride);
/* One line into r->err: "PATH: what". */
int table_fail(struct table_reader *r, const char *what);

/* How many strings a held STRING or LIST_STRING column holds, and their bytes. */
size_t column_strings(const struct pq_column *c);
size_t column_bytes(const struct pq_column *c);
/* Copies string k of c to *cursor, NUL-terminated, and advances the cursor past it. */
const char *column_copy_string(const struct pq_column *c, size_t k, char **cursor);

#endif
