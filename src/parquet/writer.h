/* Private state of the writer, shared by writer.c (API and row groups), wpage.c (pages,
 * dictionary, statistics) and footer.c (FileMetaData). */
#ifndef PQ_WRITER_H
#define PQ_WRITER_H

#include "parquet/buf.h"
#include "parquet/compress.h"
#include "parquet/parquet.h"

#define PQ_PAGE_BYTES (1u << 20)     /* raw bytes that close a data page */
#define PQ_DICT_MAX_BYTES (1u << 20)   /* PLAIN size that closes a string dictionary */
#define PQ_DICT_MAX_NUMBERS (64u << 10) /* the same for INT32/INT64 */
#define PQ_DICT_PROBE 8192              /* first-page check: over half distinct, no dictionary */
#define PQ_STAT_MAX 64               /* longer string statistics are truncated */
#define PQ_VALUE_MAX (1u << 30)      /* largest string or list item */

/* Dictionary state of a column chunk (byte arrays, INT32 and INT64). */
enum dict_state {
	DICT_NONE,  /* no dictionary: PLAIN pages */
	DICT_TRY,   /* first page, deciding: values go to the dictionary */
	DICT_ON,    /* dictionary pays: RLE_DICTIONARY pages */
	DICT_FULL,  /* dictionary stopped growing: kept for earlier pages, PLAIN from now on */
};

struct pq_stats {
	bool has;           /* min/max seen (some non-null, non-NaN value) */
	int64_t imin, imax; /* BOOLEAN, INT32, INT64, TIMESTAMP_NS */
	double dmin, dmax;
	struct pq_buf smin, smax; /* byte arrays, whole values */
	int64_t nulls, nans;
};

/* What the footer needs of one written column chunk. */
struct pq_chunk_meta {
	int64_t dict_offset; /* -1 without dictionary page */
	int64_t data_offset;
	int64_t compressed, uncompressed, num_values;
	int64_t nulls, nans;
	unsigned encodings; /* bit per Encoding value */
	bool has_minmax, min_exact, max_exact;
	uint8_t min[PQ_STAT_MAX + 8], max[PQ_STAT_MAX + 8];
	size_t min_len, max_len;
};

struct pq_wcol {
	struct pq_column_def def;
	int phys, max_def, max_rep;
	size_t width;      /* INT32/INT64 value size (they may take a dictionary); else 0 */
	uint64_t row_mark; /* rows + 1 once written in the current row */
	bool pending;      /* page to flush at the end of the row */

	/* Current page. */
	struct pq_buf defs, reps; /* one byte per level */
	struct pq_buf values;     /* PLAIN values (booleans: one byte each) */
	struct pq_buf idx;        /* uint32 dictionary indices */
	size_t levels, page_bytes, page_plain; /* level count, raw size, PLAIN value size */

	/* Current column chunk. */
	struct pq_buf pages;     /* finished data pages, headers included */
	struct pq_buf dict_page; /* the dictionary page, header included */
	int64_t chunk_levels, chunk_uncompressed;
	unsigned encodings;
	struct pq_stats st;

	/* Dictionary of the current chunk. */
	enum dict_state dict;
	struct pq_buf dict_plain; /* entries, PLAIN-encoded: the dictionary page body */
	struct pq_buf dict_offs;  /* byte arrays: uint32 offset of each entry in dict_plain */
	uint64_t *slots;          /* open addressing, see slot() */
	size_t slot_count;
	uint32_t dict_count, dict_last; /* entries; index of the last value looked up */
};

struct pq_rowgroup_meta {
	int64_t rows, offset;
	struct pq_chunk_meta *chunks;
};

struct pq_kv {
	char *key, *value;
};

struct pq_writer {
	int fd;
	int64_t offset;
	struct pq_wcol *cols;
	size_t ncols, cols_written, npending;
	enum pq_codec codec;
	size_t row_group_bytes, buffered;
	char *created_by;
	struct pq_compressor z;
	uint64_t rows, group_rows;
	struct pq_rowgroup_meta *groups;
	size_t ngroups;
	struct pq_kv *kv;
	size_t nkv;
	bool failed;
	char err[256];
};

int pq_set_error(struct pq_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* wpage.c */
void pq_col_reset_chunk(struct pq_wcol *c);
void pq_col_free(struct pq_wcol *c);
/* Adds a byte-array, INT32 or INT64 value: to the dictionary or to the PLAIN buffer. */
int pq_col_add(struct pq_writer *w, struct pq_wcol *c, const void *p, size_t n);
void pq_stats_int(struct pq_stats *s, int64_t v);
void pq_stats_double(struct pq_stats *s, double v);
int pq_col_flush_page(struct pq_writer *w, struct pq_wcol *c);
/* Queues the last data page and the dictionary page of the chunk. */
int pq_col_finish_chunk(struct pq_writer *w, struct pq_wcol *c);
/* After pq_compressor_drain: writes the chunk at w->offset, fills meta, resets c. */
int pq_col_write_chunk(struct pq_writer *w, struct pq_wcol *c, struct pq_chunk_meta *meta);
int pq_write_all(struct pq_writer *w, const void *p, size_t n);

/* footer.c */
int pq_write_footer(struct pq_writer *w);

#endif
