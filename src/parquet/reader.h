/* Private state of the reader, shared by reader.c (footer, schema) and rcolumn.c (pages). */
#ifndef PQ_READER_H
#define PQ_READER_H

#include "parquet/parquet.h"

#include <zstd.h>

struct pq_rchunk {
	int phys, codec;
	int64_t start, size; /* first page (dictionary or data) and byte length */
	int64_t num_values;
};

struct pq_rgroup {
	int64_t rows;
	struct pq_rchunk *chunks; /* one per column */
};

/* How a top-level column maps to its leaf. */
struct pq_rcol {
	int phys;
	int max_def, max_rep;
	int list_def;          /* LIST: definition level of an empty list */
	bool element_optional; /* LIST: element may be null (not representable: refused) */
};

struct pq_reader {
	int fd; /* -1 for a file in memory */
	const uint8_t *mem;
	uint64_t size;
	uint64_t limit; /* largest allocation allowed, derived from the file size */
	struct pq_column_def *cols;
	struct pq_rcol *info;
	size_t ncols;
	int64_t num_rows;
	struct pq_rgroup *groups;
	size_t ngroups;
	char **kv; /* key, value, key, value... */
	size_t nkv;
	ZSTD_DCtx *zstd;
	char err[256];
};

int pq_reader_fail(struct pq_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads n bytes at off (already bounds-checked against the file size). */
int pq_reader_pread(struct pq_reader *r, void *dst, size_t n, uint64_t off);

#endif
