/* A standalone Parquet writer and reader (apache/parquet-format, parquet.thrift).
 *
 * Knows nothing of pipetrace. Files are PAR1-framed, Thrift-compact metadata, data pages v1,
 * one ZSTD- or uncompressed chunk per column per row group. Every function that can fail
 * returns -1 (or NULL) and leaves a one-line message in the object's error buffer. */
#ifndef PIPETRACE_PARQUET_H
#define PIPETRACE_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pq_type {
	PQ_BOOLEAN,
	PQ_INT32,
	PQ_INT64,
	PQ_DOUBLE,
	PQ_STRING,       /* BYTE_ARRAY, logical STRING: must be valid UTF-8 */
	PQ_BLOB,         /* BYTE_ARRAY, no logical type: any bytes */
	PQ_TIMESTAMP_NS, /* INT64, logical TIMESTAMP(NANOS, isAdjustedToUTC=true) */
	PQ_LIST_STRING,  /* standard 3-level LIST of required STRING elements */
};

enum pq_codec { PQ_CODEC_ZSTD, PQ_CODEC_UNCOMPRESSED };

struct pq_column_def {
	const char *name;
	enum pq_type type;
	bool optional; /* OPTIONAL (nullable) rather than REQUIRED */
};

/* Page workers: the threads that encode and compress a writer's pages. Writers that are open
 * at the same time can share one set (pq_writer_options.workers) instead of starting their
 * own; a failure in any of their pages then fails each of them. */
struct pq_workers;
struct pq_workers *pq_workers_new(enum pq_codec codec, int zstd_level);
/* Once every writer that used them is closed. */
void pq_workers_destroy(struct pq_workers *workers);

struct pq_writer_options {
	enum pq_codec codec;        /* default (zero) is ZSTD */
	int zstd_level;             /* 0 means the library default (3) */
	struct pq_workers *workers; /* shared, with their codec and level; NULL: the writer's own */
	size_t row_group_bytes;     /* buffered bytes that trigger a row-group flush; 0: 64 MiB */
	const char *created_by;     /* NULL: "pipetrace-parquet" */
};

/* ---------------------------------------------------------------- writer */

struct pq_writer;

/* Creates (truncates) path. The column definitions are copied. err receives the reason on
 * failure. */
struct pq_writer *pq_writer_open(const char *path, const struct pq_column_def *columns,
				 size_t column_count, const struct pq_writer_options *options,
				 char *err, size_t err_size);

/* One value per column per row, in any column order, then pq_writer_end_row(). Writing a
 * column twice in a row, a value of the wrong type, NULL to a REQUIRED column, or a row with
 * a column missing is an error. */
int pq_write_null(struct pq_writer *w, size_t column);
int pq_write_bool(struct pq_writer *w, size_t column, bool value);
int pq_write_int32(struct pq_writer *w, size_t column, int32_t value);
int pq_write_int64(struct pq_writer *w, size_t column, int64_t value); /* INT64, TIMESTAMP_NS */
int pq_write_double(struct pq_writer *w, size_t column, double value);
/* STRING (refused unless valid UTF-8) or BLOB. */
int pq_write_bytes(struct pq_writer *w, size_t column, const void *data, size_t len);
/* LIST_STRING: count items; item i is items[i] of lengths[i] bytes, each valid UTF-8. */
int pq_write_list(struct pq_writer *w, size_t column, const char *const *items,
		  const size_t *lengths, size_t count);
int pq_writer_end_row(struct pq_writer *w);

/* Key-value metadata for the footer; last value for a key wins. */
int pq_writer_set_metadata(struct pq_writer *w, const char *key, const char *value);

/* Flushes, writes the footer and closes the file; frees w (also on failure). Returns 0 on
 * success; on failure the message is copied to err. */
int pq_writer_close(struct pq_writer *w, char *err, size_t err_size);
/* Closes and frees without finishing the file (it is left invalid). */
void pq_writer_abort(struct pq_writer *w);

const char *pq_writer_error(const struct pq_writer *w);
uint64_t pq_writer_rows(const struct pq_writer *w);

/* ---------------------------------------------------------------- reader */

struct pq_reader;

/* One column read whole, across all row groups. Row i is null when present[i] is false. */
struct pq_column {
	enum pq_type type;
	size_t rows;
	bool *present;
	int64_t *ints;   /* BOOLEAN (0/1), INT32, INT64, TIMESTAMP_NS */
	double *doubles; /* DOUBLE */
	/* STRING/BLOB: row i is bytes[offsets[i] .. offsets[i+1]).
	 * LIST_STRING: row i holds items list_offsets[i] .. list_offsets[i+1]; item k is
	 * bytes[offsets[k] .. offsets[k+1]). */
	size_t *offsets;
	size_t *list_offsets;
	char *bytes;
};

/* Opens and validates a file; any corrupt, truncated or foreign file is an error with a
 * one-line message in err, never a crash. */
struct pq_reader *pq_reader_open(const char *path, char *err, size_t err_size);
/* The same for a file already in memory (tests, fuzzing); data must outlive the reader. */
struct pq_reader *pq_reader_open_memory(const void *data, size_t size, char *err, size_t err_size);
void pq_reader_close(struct pq_reader *r);

uint64_t pq_reader_rows(const struct pq_reader *r);
size_t pq_reader_column_count(const struct pq_reader *r);
const struct pq_column_def *pq_reader_column(const struct pq_reader *r, size_t column);
/* Index of the named top-level column, or -1. */
long pq_reader_find_column(const struct pq_reader *r, const char *name);
/* Value of a footer key-value pair, or NULL. */
const char *pq_reader_metadata(const struct pq_reader *r, const char *key);

/* Reads one column whole. out is filled and must be released with pq_column_free. */
int pq_reader_read_column(struct pq_reader *r, size_t column, struct pq_column *out);
void pq_column_free(struct pq_column *c);

const char *pq_reader_error(const struct pq_reader *r);

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool pq_utf8_valid(const void *s, size_t len);
/* Length of the valid UTF-8 character that starts s[0..len) (len > 0), or 0 when the bytes
 * there are not one. */
size_t pq_utf8_char_length(const void *s, size_t len);

#endif
