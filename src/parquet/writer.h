/* Private state of the writer, shared by writer.c (API, rows, row groups), wpage.c (pages),
 * dict.c (dictionaries), stats.c (statistics), workers.c (threads) and footer.c. */
#ifndef PQ_WRITER_H
#define PQ_WRITER_H

#include "parquet/buf.h"
#include "parquet/parquet.h"
#include "parquet/workers.h"

#define PQ_PAGE_BYTES (1u << 20)        /* raw bytes that close a data page */
#define PQ_DICT_MAX_BYTES (1u << 20)    /* PLAIN size that closes a string dictionary */
#define PQ_DICT_MAX_NUMBERS (64u << 10) /* the same for INT32/INT64 */
#define PQ_DICT_PROBE 1024              /* first-page check: over half distinct, no dictionary */
#define PQ_STAT_MAX 64                  /* longer string statistics are truncated */
#define PQ_VALUE_MAX (1u << 30)         /* largest string or list item */

/* Dictionary state of a column chunk (byte arrays, INT32 and INT64). */
enum dict_state {
	DICT_NONE, /* no dictionary: PLAIN pages */
	DICT_TRY,  /* first page, deciding: values go to the dictionary */
	DICT_ON,   /* dictionary pays: RLE_DICTIONARY pages */
	DICT_FULL, /* dictionary at its bound: kept for earlier pages, PLAIN from now on */
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

	/* Current page, filled by the writer thread. */
	struct pq_buf defs, reps;  /* one byte per level */
	struct pq_buf values;      /* PLAIN values (booleans: one byte each) */
	size_t levels, page_bytes; /* level count, raw size */
	int64_t chunk_levels;

	/* Current column chunk, filled by the column's worker (read after a drain). */
	struct pq_buf pages;     /* finished data pages, headers included */
	struct pq_buf dict_page; /* the dictionary page, header included */
	int64_t chunk_uncompressed;
	unsigned encodings;
	struct pq_stats st; /* nulls counted by the writer thread, the rest by the worker */

	/* Dictionary of the current chunk (the worker's). */
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
	struct pq_workers own_workers; /* unused when options.workers are shared */
	struct pq_workers *workers;
	uint64_t rows, group_rows;
	struct pq_rowgroup_meta *groups;
	size_t ngroups;
	struct pq_kv *kv;
	size_t nkv;
	bool failed;
	char err[256];
};

int pq_set_error(struct pq_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* wpage.c */
void pq_col_reset_chunk(struct pq_wcol *c);
void pq_col_free(struct pq_wcol *c);
/* Hands the current page to the column's worker (whose errors surface at the drain). */
void pq_col_flush_page(struct pq_writer *w, struct pq_wcol *c);
/* Queues the last data page and the dictionary page of the chunk. */
void pq_col_finish_chunk(struct pq_writer *w, struct pq_wcol *c);
/* After pq_workers_drain: writes the chunk at w->offset, fills meta, resets c. */
int pq_col_write_chunk(struct pq_writer *w, struct pq_wcol *c, struct pq_chunk_meta *meta);
int pq_write_all(struct pq_writer *w, const void *p, size_t n);

/* dict.c (worker side) */
void pq_dict_reset(struct pq_wcol *c);
/* Dictionary-encodes a page's PLAIN values into idx (uint32 each), adding new entries; may
 * give the dictionary up, or close it when the page would take it past its bound. Returns
 * 1 if the page is dictionary-encoded, 0 if it goes PLAIN, -1 out of memory. */
int pq_dict_encode(struct pq_wcol *c, const struct pq_buf *values, struct pq_buf *idx);

/* stats.c (worker side) */
void pq_stats_bytes(struct pq_stats *s, const void *p, size_t n);
void pq_stats_page(struct pq_wcol *c, const struct pq_buf *values, bool dictionary);
void pq_stats_to_meta(const struct pq_wcol *c, struct pq_chunk_meta *m);

/* footer.c */
int pq_write_footer(struct pq_writer *w);

#endif
