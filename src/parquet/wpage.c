/* Pages of a column chunk: the writer thread hands each finished page to its column's
 * worker (pq_col_flush_page), which dictionary-encodes, encodes and compresses it
 * (pq_page_encode); at a row group's end the chunk is written out (pq_col_write_chunk). */
#include "parquet/delta.h"
#include "parquet/format.h"
#include "parquet/rle.h"
#include "parquet/thrift.h"
#include "parquet/writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---------------------------------------------------------------- worker side */

static int fail(struct pq_worker *k, const char *msg)
{
	snprintf(k->err, sizeof k->err, "%s", msg);
	return -1;
}

/* Compresses raw and appends PageHeader + body to out. */
static int emit(struct pq_worker *k, struct pq_wcol *c, struct pq_buf *out,
		const struct pq_buf *raw, int type, size_t count, int encoding)
{
	const struct pq_buf *body = raw;
	if (raw->oom)
		return fail(k, "out of memory");
	if (raw->len > INT32_MAX || count > INT32_MAX)
		return fail(k, "page too large");
	if (k->pool->zstd) {
		size_t bound = ZSTD_compressBound(raw->len);
		k->packed.len = 0;
		if (!pq_buf_reserve(&k->packed, bound))
			return fail(k, "out of memory");
		size_t n = ZSTD_compressCCtx(k->zstd, k->packed.p, bound, raw->p, raw->len,
					     k->pool->level);
		if (ZSTD_isError(n))
			return fail(k, ZSTD_getErrorName(n));
		k->packed.len = n;
		body = &k->packed;
	}
	size_t start = out->len;
	struct tc_writer t = {.out = out};
	tc_i32(&t, 1, type);
	tc_i32(&t, 2, (int32_t)raw->len);
	tc_i32(&t, 3, (int32_t)body->len);
	tc_begin(&t, type == PAGE_DICTIONARY ? 7 : 5);
	tc_i32(&t, 1, (int32_t)count);
	tc_i32(&t, 2, encoding);
	if (type == PAGE_DATA) {
		tc_i32(&t, 3, ENC_RLE);
		tc_i32(&t, 4, ENC_RLE);
	}
	tc_end(&t);
	tc_end(&t);
	c->chunk_uncompressed += (int64_t)(out->len - start + raw->len);
	c->encodings |= 1u << encoding;
	pq_buf_put(out, body->p, body->len);
	return out->oom ? fail(k, "out of memory") : 0;
}

/* Levels of a v1 data page: 4-byte length, then the hybrid encoding. */
static void put_levels(struct pq_buf *out, const struct pq_buf *levels, int max)
{
	size_t at = out->len;
	pq_buf_u32(out, 0);
	pq_rle_encode8(out, levels->p, levels->len, pq_bit_width((uint32_t)max));
	if (!out->oom) {
		uint32_t n = (uint32_t)(out->len - at - 4);
		uint8_t le[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16),
				 (uint8_t)(n >> 24)};
		memcpy(out->p + at, le, 4);
	}
}

int pq_page_encode(struct pq_worker *k, struct pq_job *j)
{
	struct pq_wcol *c = j->c;
	if (j->dictionary)
		return c->dict == DICT_ON || c->dict == DICT_FULL
			       ? emit(k, c, &c->dict_page, &c->dict_plain, PAGE_DICTIONARY,
				      c->dict_count, ENC_PLAIN)
			       : 0;
	if (j->defs.oom || j->reps.oom || j->values.oom)
		return fail(k, "out of memory");
	int dict = pq_dict_encode(c, &j->values, &k->idx);
	if (dict < 0)
		return fail(k, "out of memory");
	pq_stats_page(c, &j->values, dict);
	struct pq_buf *b = &k->body;
	b->len = 0;
	if (c->max_rep)
		put_levels(b, &j->reps, c->max_rep);
	if (c->max_def)
		put_levels(b, &j->defs, c->max_def);
	if (c->max_rep || c->max_def)
		c->encodings |= 1u << ENC_RLE;
	int encoding = ENC_PLAIN;
	if (dict) {
		/* Width of the whole dictionary (at least 1, which every reader accepts). */
		int width = pq_bit_width(c->dict_count > 1 ? c->dict_count - 1 : 1);
		pq_buf_byte(b, (uint8_t)width);
		pq_rle_encode(b, (const uint32_t *)k->idx.p, k->idx.len / 4, width);
		encoding = ENC_RLE_DICTIONARY;
	} else if (c->phys == PQ_PHYS_BOOLEAN) {
		pq_pack_bools(b, j->values.p, j->values.len);
	} else if (c->width) {
		/* Integers without a dictionary (mostly distinct: times, ids, counters) as deltas,
		 * a few bytes each rather than 8: zstd then has that much less to go through, and
		 * such numbers were most of its work (docs/benchmarks.md, callgrind of a storm). */
		pq_delta_encode(b, j->values.p, j->values.len / c->width, (int)c->width);
		encoding = ENC_DELTA_BINARY_PACKED;
	} else {
		pq_buf_put(b, j->values.p, j->values.len);
	}
	return emit(k, c, &c->pages, b, PAGE_DATA, j->levels, encoding);
}

/* ---------------------------------------------------------------- writer side */

static void swap(struct pq_buf *a, struct pq_buf *b)
{
	struct pq_buf t = *a;
	*a = *b;
	*b = t;
}

void pq_col_flush_page(struct pq_writer *w, struct pq_wcol *c)
{
	if (c->pending) {
		c->pending = false;
		w->npending--;
	}
	if (!c->levels)
		return;
	size_t col = (size_t)(c - w->cols);
	struct pq_job *j = pq_job_slot(w->workers, col);
	/* The page's buffers go to the job; the job's old ones (already encoded) come back. */
	swap(&j->defs, &c->defs);
	swap(&j->reps, &c->reps);
	swap(&j->values, &c->values);
	j->c = c;
	j->dictionary = false;
	j->levels = c->levels;
	pq_job_submit(w->workers, col);
	c->chunk_levels += (int64_t)c->levels;
	c->levels = c->page_bytes = 0;
	c->defs.len = c->reps.len = c->values.len = 0;
}

void pq_col_finish_chunk(struct pq_writer *w, struct pq_wcol *c)
{
	pq_col_flush_page(w, c);
	size_t col = (size_t)(c - w->cols);
	struct pq_job *j = pq_job_slot(w->workers, col);
	j->c = c;
	j->dictionary = true;
	j->levels = 0;
	pq_job_submit(w->workers, col);
}

int pq_write_all(struct pq_writer *w, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t k = write(w->fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return pq_set_error(w, "write: %s",
					    k < 0 ? strerror(errno) : "short write");
		b += k;
		n -= (size_t)k;
		w->offset += k;
	}
	return 0;
}

int pq_col_write_chunk(struct pq_writer *w, struct pq_wcol *c, struct pq_chunk_meta *m)
{
	*m = (struct pq_chunk_meta){.dict_offset = -1, .data_offset = w->offset};
	if (c->dict_page.len) {
		m->dict_offset = w->offset;
		m->data_offset = w->offset + (int64_t)c->dict_page.len;
	}
	if (pq_write_all(w, c->dict_page.p, c->dict_page.len) < 0 ||
	    pq_write_all(w, c->pages.p, c->pages.len) < 0)
		return -1;
	m->compressed = w->offset - (m->dict_offset >= 0 ? m->dict_offset : m->data_offset);
	m->uncompressed = c->chunk_uncompressed;
	m->num_values = c->chunk_levels;
	m->encodings = c->encodings;
	pq_stats_to_meta(c, m);
	pq_col_reset_chunk(c);
	return 0;
}

void pq_col_reset_chunk(struct pq_wcol *c)
{
	c->pages.len = c->dict_page.len = 0;
	c->chunk_levels = c->chunk_uncompressed = 0;
	c->encodings = 0;
	c->st.has = false;
	c->st.nulls = c->st.nans = 0;
	pq_dict_reset(c);
}

void pq_col_free(struct pq_wcol *c)
{
	free((char *)c->def.name);
	pq_buf_free(&c->defs);
	pq_buf_free(&c->reps);
	pq_buf_free(&c->values);
	pq_buf_free(&c->pages);
	pq_buf_free(&c->dict_page);
	pq_buf_free(&c->st.smin);
	pq_buf_free(&c->st.smax);
	pq_buf_free(&c->dict_plain);
	pq_buf_free(&c->dict_offs);
	free(c->slots);
}
