/* The reader's pages: one column read whole, row group by row group, with every length,
 * count and index checked before use. */
#include "parquet/delta.h"
#include "parquet/format.h"
#include "parquet/reader.h"
#include "parquet/rle.h"
#include "parquet/thrift.h"

#include <stdlib.h>

/* Decoding state of one column. */
struct rs {
	struct pq_reader *r;
	const struct pq_column_def *def;
	const struct pq_rcol *info;
	struct pq_column *out;
	size_t rows, rows_cap, items, items_cap, nbytes, bytes_cap;
	uint8_t *chunk, *page; /* raw chunk bytes, decompressed page */
	size_t page_cap;
	uint32_t *reps, *defs, *idx; /* per page scratch */
	size_t scratch_cap;
	uint8_t *deltas; /* a DELTA_BINARY_PACKED page's values, decoded to PLAIN */
	size_t deltas_cap;
	/* Dictionary of the current chunk. */
	bool has_dict;
	size_t dict_n;
	int64_t *dict_ints;
	double *dict_dbls;
	size_t *dict_off; /* byte arrays: entry i is dict_bytes[dict_off[i] .. dict_off[i+1]) */
	uint8_t *dict_bytes;
	bool row_open; /* a list row has started in this chunk */
};

/* A capacity of at least need elements of size elem, within the allocation limit. */
static int grow_cap(struct rs *s, size_t *cap, size_t need, size_t elem)
{
	size_t max = s->r->limit / elem;
	if (need > max)
		return pq_reader_fail(s->r,
				      "column %s: more data than the file size allows (corrupt?)",
				      s->def->name);
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n = n > max / 2 ? max : n * 2;
	*cap = n;
	return 0;
}

static int resize(struct rs *s, void **p, size_t n, size_t elem)
{
	void *q = realloc(*p, n * elem);
	if (!q)
		return pq_reader_fail(s->r, "out of memory");
	*p = q;
	return 0;
}

/* Grows *p (of *cap elements) to hold need elements. */
static int grow(struct rs *s, void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap;
	if (need <= n)
		return 0;
	if (grow_cap(s, &n, need, elem) < 0 || resize(s, p, n, elem) < 0)
		return -1;
	*cap = n;
	return 0;
}

/* Starts a row; every per-row array shares one capacity, bounded for the widest element. */
static int add_row(struct rs *s, bool present)
{
	struct pq_column *o = s->out;
	bool list = s->def->type == PQ_LIST_STRING, bytes = s->info->phys == PQ_PHYS_BYTE_ARRAY;
	if (s->rows + 2 > s->rows_cap) {
		size_t cap = s->rows_cap;
		if (grow_cap(s, &cap, s->rows + 2, 8) < 0 ||
		    resize(s, (void **)&o->present, cap, sizeof *o->present) < 0 ||
		    (s->def->type == PQ_DOUBLE && resize(s, (void **)&o->doubles, cap, 8) < 0) ||
		    (s->def->type != PQ_DOUBLE && !bytes &&
		     resize(s, (void **)&o->ints, cap, 8) < 0) ||
		    (list && resize(s, (void **)&o->list_offsets, cap, sizeof(size_t)) < 0) ||
		    (!list && bytes && resize(s, (void **)&o->offsets, cap, sizeof(size_t)) < 0))
			return -1;
		s->rows_cap = cap;
	}
	o->present[s->rows] = present;
	if (o->ints)
		o->ints[s->rows] = 0;
	if (o->doubles)
		o->doubles[s->rows] = 0;
	if (list)
		o->list_offsets[s->rows] = s->items;
	else if (bytes)
		o->offsets[s->rows] = s->nbytes;
	s->rows++;
	return 0;
}

/* Appends one byte-array value (a STRING/BLOB row's value or a list item). */
static int add_bytes(struct rs *s, const uint8_t *p, size_t n)
{
	struct pq_column *o = s->out;
	if (o->list_offsets) {
		if (grow(s, (void **)&o->offsets, &s->items_cap, s->items + 2, sizeof(size_t)) < 0)
			return -1;
		o->offsets[s->items++] = s->nbytes;
	}
	if (grow(s, (void **)&o->bytes, &s->bytes_cap, s->nbytes + n + 1, 1) < 0)
		return -1;
	if (n)
		memcpy(o->bytes + s->nbytes, p, n);
	s->nbytes += n;
	return 0;
}

/* ---------------------------------------------------------------- values */

/* Source of the non-null values of a data page: PLAIN bytes or dictionary indices. */
struct values {
	const uint8_t *p;
	const uint32_t *idx;
	size_t k; /* next value */
};

static int bad_page(struct rs *s, const char *what)
{
	return pq_reader_fail(s->r, "column %s: corrupt page (%s)", s->def->name, what);
}

/* PLAIN fixed-width value k of p (lengths checked by check_plain). */
static void plain_scalar(int phys, const uint8_t *p, size_t k, int64_t *i, double *d)
{
	uint64_t bits;
	switch (phys) {
	case PQ_PHYS_BOOLEAN: *i = p[k / 8] >> (k % 8) & 1; break;
	case PQ_PHYS_INT32: *i = (int32_t)pq_le32(p + 4 * k); break;
	case PQ_PHYS_INT64: *i = (int64_t)pq_le64(p + 8 * k); break;
	default: bits = pq_le64(p + 8 * k); memcpy(d, &bits, 8);
	}
}

/* Stores the next value at row s->rows - 1 (or as the next list item). */
static int take_value(struct rs *s, struct values *v)
{
	struct pq_column *o = s->out;
	size_t row = s->rows - 1, k = v->k++;
	int phys = s->info->phys;
	if (v->idx) {
		uint32_t i = v->idx[k];
		if (phys == PQ_PHYS_BYTE_ARRAY)
			return add_bytes(s, s->dict_bytes + s->dict_off[i],
					 s->dict_off[i + 1] - s->dict_off[i]);
		if (phys == PQ_PHYS_DOUBLE)
			o->doubles[row] = s->dict_dbls[i];
		else
			o->ints[row] = s->dict_ints[i];
		return 0;
	}
	/* PLAIN: lengths were checked by check_plain(). */
	if (phys != PQ_PHYS_BYTE_ARRAY) {
		plain_scalar(phys, v->p, k, o->ints ? &o->ints[row] : NULL,
			     o->doubles ? &o->doubles[row] : NULL);
		return 0;
	}
	size_t n = pq_le32(v->p);
	const uint8_t *p = v->p + 4;
	v->p = p + n;
	return add_bytes(s, p, n);
}

/* Bytes of a PLAIN value of a fixed-width physical type (0: booleans, byte arrays). */
static size_t plain_width(int phys)
{
	return phys == PQ_PHYS_INT32 ? 4 : phys == PQ_PHYS_INT64 || phys == PQ_PHYS_DOUBLE ? 8 : 0;
}

/* Checks that p[0..len) holds n PLAIN values (and valid UTF-8 for strings). */
static int check_plain(struct rs *s, const uint8_t *p, size_t len, size_t n)
{
	int phys = s->info->phys;
	size_t width = plain_width(phys);
	if (phys == PQ_PHYS_BOOLEAN)
		return n > len * 8 ? bad_page(s, "values truncated") : 0;
	if (width)
		return n > len / width ? bad_page(s, "values truncated") : 0;
	const uint8_t *end = p + len;
	for (size_t i = 0; i < n; i++) {
		if (end - p < 4 || pq_le32(p) > (size_t)(end - p) - 4)
			return bad_page(s, "string truncated");
		size_t k = pq_le32(p);
		if (s->def->type != PQ_BLOB && !pq_utf8_valid(p + 4, k))
			return bad_page(s, "invalid UTF-8 in a STRING");
		p += 4 + k;
	}
	return 0;
}

static void free_dict(struct rs *s)
{
	free(s->dict_ints);
	free(s->dict_dbls);
	free(s->dict_off);
	free(s->dict_bytes);
	s->dict_ints = NULL;
	s->dict_dbls = NULL;
	s->dict_off = NULL;
	s->dict_bytes = NULL;
	s->has_dict = false;
	s->dict_n = 0;
}

static int read_dict(struct rs *s, const uint8_t *p, size_t len, int64_t n)
{
	if (s->has_dict)
		return bad_page(s, "second dictionary page");
	if (n < 0 || (uint64_t)n > len || check_plain(s, p, len, (size_t)n) < 0)
		return bad_page(s, "dictionary truncated");
	size_t count = (size_t)n, cap = 0;
	s->has_dict = true;
	s->dict_n = count;
	int phys = s->info->phys;
	if (phys == PQ_PHYS_BYTE_ARRAY) {
		if (grow(s, (void **)&s->dict_off, &cap, count + 1, sizeof(size_t)) < 0)
			return -1;
		cap = 0;
		if (grow(s, (void **)&s->dict_bytes, &cap, len + 1, 1) < 0)
			return -1;
		size_t at = 0;
		for (size_t i = 0; i < count; i++) {
			size_t k = pq_le32(p);
			s->dict_off[i] = at;
			memcpy(s->dict_bytes + at, p + 4, k);
			at += k;
			p += 4 + k;
		}
		s->dict_off[count] = at;
		return 0;
	}
	void **arr = phys == PQ_PHYS_DOUBLE ? (void **)&s->dict_dbls : (void **)&s->dict_ints;
	if (grow(s, arr, &cap, count + 1, 8) < 0)
		return -1;
	for (size_t i = 0; i < count; i++)
		plain_scalar(phys, p, i, s->dict_ints ? &s->dict_ints[i] : NULL,
			     s->dict_dbls ? &s->dict_dbls[i] : NULL);
	return 0;
}

/* ---------------------------------------------------------------- data pages */

static int levels(struct rs *s, const uint8_t **p, const uint8_t *end, int max, uint32_t *out,
		  size_t n)
{
	if (end - *p < 4 || pq_le32(*p) > (size_t)(end - *p) - 4)
		return bad_page(s, "levels truncated");
	size_t len = pq_le32(*p);
	if (pq_rle_decode(*p + 4, len, pq_bit_width((uint32_t)max), (uint32_t)max, out, n) < 0)
		return bad_page(s, "bad levels");
	*p += 4 + len;
	return 0;
}

static int read_data(struct rs *s, const uint8_t *p, size_t len, size_t n, int encoding)
{
	const struct pq_rcol *info = s->info;
	const uint8_t *end = p + len;
	size_t cap = s->scratch_cap;
	if (grow(s, (void **)&s->reps, &cap, n + 1, 4) < 0)
		return -1;
	cap = s->scratch_cap;
	if (grow(s, (void **)&s->defs, &cap, n + 1, 4) < 0)
		return -1;
	cap = s->scratch_cap;
	if (grow(s, (void **)&s->idx, &cap, n + 1, 4) < 0)
		return -1;
	s->scratch_cap = cap;
	if (info->max_rep && levels(s, &p, end, info->max_rep, s->reps, n) < 0)
		return -1;
	if (info->max_def && levels(s, &p, end, info->max_def, s->defs, n) < 0)
		return -1;
	size_t nn = 0;
	for (size_t i = 0; i < n; i++)
		nn += !info->max_def || s->defs[i] == (uint32_t)info->max_def;
	struct values v = {.p = p};
	if (encoding == ENC_RLE_DICTIONARY || encoding == ENC_PLAIN_DICTIONARY) {
		if (!s->has_dict)
			return bad_page(s, "dictionary page missing");
		if (nn && (p >= end || *p > 32 ||
			   pq_rle_decode(p + 1, (size_t)(end - p - 1), *p,
					 (uint32_t)(s->dict_n - 1), s->idx, nn) < 0 ||
			   s->dict_n == 0))
			return bad_page(s, "bad dictionary indices");
		v.idx = s->idx;
	} else if (encoding == ENC_DELTA_BINARY_PACKED &&
		   (info->phys == PQ_PHYS_INT32 || info->phys == PQ_PHYS_INT64)) {
		size_t size = plain_width(info->phys);
		if (grow(s, (void **)&s->deltas, &s->deltas_cap, nn + 1, size) < 0)
			return -1;
		if (pq_delta_decode(p, (size_t)(end - p), nn, (int)size, s->deltas) < 0)
			return bad_page(s, "bad DELTA_BINARY_PACKED values");
		v.p = s->deltas;
	} else if (encoding != ENC_PLAIN)
		return pq_reader_fail(s->r, "column %s: unsupported encoding %d", s->def->name,
				      encoding);
	else if (check_plain(s, p, (size_t)(end - p), nn) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint32_t d = info->max_def ? s->defs[i] : 0;
		bool value = d == (uint32_t)info->max_def;
		if (s->def->type != PQ_LIST_STRING) {
			if (add_row(s, value) < 0 || (value && take_value(s, &v) < 0))
				return -1;
			continue;
		}
		if (s->reps[i] == 0) {
			if (add_row(s, d >= (uint32_t)info->list_def) < 0)
				return -1;
			s->row_open = true;
		} else if (!s->row_open || d <= (uint32_t)info->list_def)
			return bad_page(s, "list continuation without an item");
		if (info->element_optional && d == (uint32_t)info->max_def - 1)
			return pq_reader_fail(s->r, "column %s: null list element not supported",
					      s->def->name);
		if (value && take_value(s, &v) < 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- chunks */

struct page_header {
	int type;
	int64_t raw, packed, count;
	int encoding;
};

static int parse_page_header(struct tc_reader *t, struct page_header *h)
{
	int16_t last = 0, id, l2, id2;
	int type, t2;
	*h = (struct page_header){.type = -1, .raw = -1, .packed = -1, .count = -1, .encoding = -1};
	while (tc_next(t, &last, &id, &type)) {
		if (id == 1)
			h->type = (int)tc_read_int(t, type);
		else if (id == 2)
			h->raw = tc_read_int(t, type);
		else if (id == 3)
			h->packed = tc_read_int(t, type);
		else if ((id == 5 || id == 7) && tc_is_struct(t, type))
			for (l2 = 0; tc_next(t, &l2, &id2, &t2);) {
				if (id2 == 1)
					h->count = tc_read_int(t, t2);
				else if (id2 == 2)
					h->encoding = (int)tc_read_int(t, t2);
				else if (id == 5 && (id2 == 3 || id2 == 4)) {
					if (tc_read_int(t, t2) != ENC_RLE)
						h->encoding = -2; /* levels other than RLE */
				} else
					tc_skip(t, t2);
			}
		else
			tc_skip(t, type);
	}
	return t->bad ? -1 : 0;
}

static int read_chunk(struct rs *s, const struct pq_rchunk *c, int64_t rows)
{
	size_t size = (size_t)c->size, pos = 0, rows0 = s->rows;
	int64_t values = 0;
	size_t cap = 0;
	/* c->size <= file size (checked at open). */
	free(s->chunk);
	s->chunk = NULL;
	if (grow(s, (void **)&s->chunk, &cap, size, 1) < 0 ||
	    pq_reader_pread(s->r, s->chunk, size, (uint64_t)c->start) < 0)
		return -1;
	free_dict(s);
	s->row_open = false;
	while (values < c->num_values) {
		struct page_header h;
		struct tc_reader t = {.p = s->chunk + pos, .end = s->chunk + size};
		if (pos >= size || parse_page_header(&t, &h) < 0)
			return bad_page(s, "bad or truncated page header");
		pos = (size_t)(t.p - s->chunk);
		if (h.packed < 0 || (uint64_t)h.packed > size - pos || h.raw < 0 ||
		    (uint64_t)h.raw > s->r->limit)
			return bad_page(s, "page size out of bounds");
		const uint8_t *body = s->chunk + pos;
		pos += (size_t)h.packed;
		if (h.type != PAGE_DATA && h.type != PAGE_DICTIONARY) {
			if (h.type == PAGE_DATA_V2)
				return pq_reader_fail(s->r, "column %s: DATA_PAGE_V2 not supported",
						      s->def->name);
			continue; /* index pages and others carry no values */
		}
		if (c->codec == CODEC_ZSTD) {
			if (grow(s, (void **)&s->page, &s->page_cap, (size_t)h.raw + 1, 1) < 0)
				return -1;
			size_t k = ZSTD_decompressDCtx(s->r->zstd, s->page, (size_t)h.raw, body,
						       (size_t)h.packed);
			if (ZSTD_isError(k) || k != (size_t)h.raw)
				return bad_page(s,
						"zstd data does not decompress to the page size");
			body = s->page;
		} else if (h.raw != h.packed)
			return bad_page(s, "uncompressed page with two sizes");
		if (h.count < 0 || h.count > c->num_values - values)
			return bad_page(s, "value count out of bounds");
		if (h.encoding == -2)
			return pq_reader_fail(s->r, "column %s: levels not RLE-encoded",
					      s->def->name);
		if (h.type == PAGE_DICTIONARY) {
			if (values > 0 ||
			    (h.encoding != ENC_PLAIN && h.encoding != ENC_PLAIN_DICTIONARY))
				return bad_page(s, "misplaced or non-PLAIN dictionary page");
			if (read_dict(s, body, (size_t)h.raw, h.count) < 0)
				return -1;
			continue;
		}
		if (read_data(s, body, (size_t)h.raw, (size_t)h.count, h.encoding) < 0)
			return -1;
		values += h.count;
	}
	if ((int64_t)(s->rows - rows0) != rows)
		return pq_reader_fail(s->r, "column %s: %zu rows in a row group of %lld",
				      s->def->name, s->rows - rows0, (long long)rows);
	return 0;
}

int pq_reader_read_column(struct pq_reader *r, size_t column, struct pq_column *out)
{
	memset(out, 0, sizeof *out);
	if (column >= r->ncols)
		return pq_reader_fail(r, "column %zu out of range (%zu columns)", column, r->ncols);
	struct rs s = {.r = r, .def = &r->cols[column], .info = &r->info[column], .out = out};
	out->type = s.def->type;
	int rc = 0;
	/* Allocate the first slots even for an empty column, so offsets[0] exists. */
	if (add_row(&s, false) < 0)
		rc = -1;
	s.rows = 0;
	s.items = 0;
	for (size_t g = 0; rc == 0 && g < r->ngroups; g++)
		rc = read_chunk(&s, &r->groups[g].chunks[column], r->groups[g].rows);
	/* Close the offsets; byte arrays always get a (possibly empty) bytes buffer. */
	if (rc == 0 && s.info->phys == PQ_PHYS_BYTE_ARRAY)
		rc = grow(&s, (void **)&out->bytes, &s.bytes_cap, s.nbytes + 1, 1);
	if (rc == 0 && out->list_offsets) {
		rc = grow(&s, (void **)&out->offsets, &s.items_cap, s.items + 1, sizeof(size_t));
		if (rc == 0) {
			out->list_offsets[s.rows] = s.items;
			out->offsets[s.items] = s.nbytes;
		}
	} else if (rc == 0 && out->offsets)
		out->offsets[s.rows] = s.nbytes;
	out->rows = s.rows;
	free_dict(&s);
	free(s.chunk);
	free(s.page);
	free(s.reps);
	free(s.defs);
	free(s.idx);
	free(s.deltas);
	if (rc < 0)
		pq_column_free(out);
	return rc;
}

void pq_column_free(struct pq_column *c)
{
	free(c->present);
	free(c->ints);
	free(c->doubles);
	free(c->offsets);
	free(c->list_offsets);
	free(c->bytes);
	memset(c, 0, sizeof *c);
}
