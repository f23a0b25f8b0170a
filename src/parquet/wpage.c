/* Column chunks of the writer: dictionary, statistics, data and dictionary pages. */
#include "parquet/format.h"
#include "parquet/rle.h"
#include "parquet/thrift.h"
#include "parquet/writer.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* ---------------------------------------------------------------- statistics */

void pq_stats_int(struct pq_stats *s, int64_t v)
{
	if (!s->has) {
		s->imin = s->imax = v;
		s->has = true;
	} else if (v < s->imin)
		s->imin = v;
	else if (v > s->imax)
		s->imax = v;
}

void pq_stats_double(struct pq_stats *s, double v)
{
	if (v != v) {
		s->nans++; /* NaN stays out of min/max, as TYPE_ORDER requires */
		return;
	}
	if (!s->has) {
		s->dmin = s->dmax = v;
		s->has = true;
	} else if (v < s->dmin)
		s->dmin = v;
	else if (v > s->dmax)
		s->dmax = v;
}

/* Unsigned byte order, then length. */
static int bytes_cmp(const void *a, size_t an, const void *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = n ? memcmp(a, b, n) : 0;
	return c ? c : (an > bn) - (an < bn);
}

static void stats_bytes(struct pq_stats *s, const void *p, size_t n)
{
	if (!s->has || bytes_cmp(p, n, s->smin.p, s->smin.len) < 0) {
		s->smin.len = 0;
		pq_buf_put(&s->smin, p, n);
	}
	if (!s->has || bytes_cmp(p, n, s->smax.p, s->smax.len) > 0) {
		s->smax.len = 0;
		pq_buf_put(&s->smax, p, n);
	}
	s->has = true;
}

/* Length of the longest prefix of s[0..n) of at most PQ_STAT_MAX bytes that does not split
 * a UTF-8 sequence (any cut is fine for BLOB). */
static size_t stat_cut(const uint8_t *s, size_t n, bool utf8)
{
	if (n <= PQ_STAT_MAX)
		return n;
	size_t k = PQ_STAT_MAX;
	while (utf8 && k > 0 && (s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

/* Smallest value greater than every string that starts with s[0..*n), in place; false when
 * there is none. For UTF-8 the last code point is incremented so the result stays valid. */
static bool increment(uint8_t *s, size_t *n, bool utf8)
{
	while (*n > 0) {
		if (!utf8) {
			if (s[*n - 1] != 0xFF) {
				s[*n - 1]++;
				return true;
			}
			--*n;
			continue;
		}
		size_t k = *n - 1;
		while (k > 0 && (s[k] & 0xC0) == 0x80)
			k--;
		uint32_t cp = s[k] < 0x80 ? s[k] : s[k] < 0xE0 ? s[k] & 0x1F : s[k] < 0xF0 ? s[k] & 0x0F : s[k] & 0x07;
		for (size_t i = k + 1; i < *n; i++)
			cp = cp << 6 | (s[i] & 0x3F);
		*n = k;
		if (cp >= 0x10FFFF)
			continue;
		cp = cp + 1 == 0xD800 ? 0xE000 : cp + 1;
		if (cp < 0x80)
			s[(*n)++] = (uint8_t)cp;
		else if (cp < 0x800) {
			s[(*n)++] = (uint8_t)(0xC0 | cp >> 6);
			s[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			s[(*n)++] = (uint8_t)(0xE0 | cp >> 12);
			s[(*n)++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
			s[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
		} else {
			s[(*n)++] = (uint8_t)(0xF0 | cp >> 18);
			s[(*n)++] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
			s[(*n)++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
			s[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
		}
		return true;
	}
	return false;
}

static void stats_to_meta(const struct pq_wcol *c, struct pq_chunk_meta *m)
{
	const struct pq_stats *s = &c->st;
	m->nulls = s->nulls;
	m->nans = s->nans;
	m->has_minmax = s->has;
	m->min_exact = m->max_exact = true;
	if (!s->has)
		return;
	switch (c->phys) {
	case PT_BOOLEAN:
		m->min[0] = (uint8_t)s->imin;
		m->max[0] = (uint8_t)s->imax;
		m->min_len = m->max_len = 1;
		break;
	case PT_INT32:
	case PT_INT64:
		m->min_len = m->max_len = c->phys == PT_INT32 ? 4 : 8;
		for (size_t i = 0; i < m->min_len; i++) {
			m->min[i] = (uint8_t)((uint64_t)s->imin >> (8 * i));
			m->max[i] = (uint8_t)((uint64_t)s->imax >> (8 * i));
		}
		break;
	case PT_DOUBLE: {
		/* Zero bounds are written as -0.0 (min) and +0.0 (max), as the format asks. */
		double lo = s->dmin == 0 ? -0.0 : s->dmin, hi = s->dmax == 0 ? 0.0 : s->dmax;
		memcpy(m->min, &lo, 8);
		memcpy(m->max, &hi, 8);
		m->min_len = m->max_len = 8;
		break;
	}
	default: {
		bool utf8 = c->def.type != PQ_BLOB;
		m->min_len = stat_cut(s->smin.p, s->smin.len, utf8);
		if (m->min_len)
			memcpy(m->min, s->smin.p, m->min_len);
		m->min_exact = m->min_len == s->smin.len;
		m->max_len = stat_cut(s->smax.p, s->smax.len, utf8);
		if (m->max_len)
			memcpy(m->max, s->smax.p, m->max_len);
		m->max_exact = m->max_len == s->smax.len;
		/* A truncated max must be raised past every value it stands for; a max that
		 * cannot be raised (all 0xFF / U+10FFFF) leaves the chunk without bounds. */
		if (!m->max_exact && !increment(m->max, &m->max_len, utf8))
			m->has_minmax = false;
	}
	}
}

/* ---------------------------------------------------------------- dictionary */

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
	while (n >= 8) {
		uint64_t k;
		memcpy(&k, p, 8);
		h = (h ^ k) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	uint64_t k = 0;
	if (n)
		memcpy(&k, p, n);
	h = (h ^ k) * 0xC4CEB9FE1A85EC53ull;
	return h ^ h >> 29;
}

/* Value of dictionary entry i (without the length prefix of byte arrays). */
static inline const uint8_t *dict_entry(const struct pq_wcol *c, uint32_t i, size_t *n)
{
	if (c->width) { /* fixed-width entries need no offsets */
		*n = c->width;
		return c->dict_plain.p + (size_t)i * c->width;
	}
	const uint8_t *e = c->dict_plain.p + ((const uint32_t *)c->dict_offs.p)[i];
	*n = pq_le32(e);
	return e + 4;
}

/* A slot holds the high half of the entry's hash (compared first; the low half picks the
 * slot) and its index + 1 (0: empty). */
static inline uint64_t slot(uint64_t hash, uint32_t index)
{
	return (hash & ~0xFFFFFFFFull) | (index + 1);
}

static int dict_grow(struct pq_wcol *c)
{
	size_t count = c->slot_count ? c->slot_count * 2 : 1024;
	uint64_t *slots = calloc(count, sizeof *slots);
	if (!slots)
		return -1;
	for (uint32_t i = 0; i < c->dict_count; i++) {
		size_t n;
		const uint8_t *p = dict_entry(c, i, &n);
		uint64_t h = hash_bytes(p, n);
		size_t s = h & (count - 1);
		while (slots[s])
			s = (s + 1) & (count - 1);
		slots[s] = slot(h, i);
	}
	free(c->slots);
	c->slots = slots;
	c->slot_count = count;
	return 0;
}

/* Index of p[0..n) in the dictionary, added if new (byte-array statistics see new entries
 * only; numbers have theirs updated by the caller). */
static int dict_index(struct pq_wcol *c, const void *p, size_t n, uint32_t *index)
{
	size_t en;
	const uint8_t *e;
	/* Repeats of the previous value are common (ids, flags): skip the hash table. */
	if (c->dict_count > c->dict_last) {
		e = dict_entry(c, c->dict_last, &en);
		if (en == n && memcmp(e, p, n) == 0) {
			*index = c->dict_last;
			return 0;
		}
	}
	if (c->dict_count * 2 >= c->slot_count && dict_grow(c) < 0)
		return -1;
	uint64_t h = hash_bytes(p, n);
	size_t mask = c->slot_count - 1, s = h & mask;
	for (; c->slots[s]; s = (s + 1) & mask) {
		if ((c->slots[s] ^ h) >> 32)
			continue;
		uint32_t i = (uint32_t)c->slots[s] - 1;
		e = dict_entry(c, i, &en);
		if (en == n && memcmp(e, p, n) == 0) {
			*index = c->dict_last = i;
			return 0;
		}
	}
	if (!c->width) {
		uint32_t off = (uint32_t)c->dict_plain.len;
		pq_buf_put(&c->dict_offs, &off, 4);
		pq_buf_u32(&c->dict_plain, (uint32_t)n);
		stats_bytes(&c->st, p, n);
	}
	pq_buf_put(&c->dict_plain, p, n);
	if (c->dict_plain.oom || c->dict_offs.oom)
		return -1;
	c->slots[s] = slot(h, c->dict_count);
	*index = c->dict_last = c->dict_count++;
	return 0;
}

/* Gives up the dictionary of the chunk: the page's values become PLAIN. */
static void dict_abandon(struct pq_wcol *c)
{
	const uint32_t *idx = (const uint32_t *)c->idx.p;
	size_t prefix = c->width ? 0 : 4;
	for (size_t i = 0; i < c->idx.len / 4; i++) {
		size_t en;
		const uint8_t *e = dict_entry(c, idx[i], &en);
		pq_buf_put(&c->values, e - prefix, en + prefix);
	}
	c->idx.len = 0;
	c->dict = DICT_NONE;
}

/* Decides, at the end of the first page, whether the dictionary pays: dictionary plus
 * indices must be smaller than the PLAIN values. */
static void dict_decide(struct pq_wcol *c)
{
	size_t idx_bytes = c->idx.len / 4 * (size_t)pq_bit_width(c->dict_count) / 8;
	if (c->dict_plain.len + idx_bytes < c->page_plain)
		c->dict = DICT_ON;
	else
		dict_abandon(c);
}

static bool dict_full(const struct pq_wcol *c)
{
	return c->dict_plain.len > (c->width ? PQ_DICT_MAX_NUMBERS : PQ_DICT_MAX_BYTES);
}

int pq_col_add(struct pq_writer *w, struct pq_wcol *c, const void *p, size_t n)
{
	c->page_plain += n + (c->width ? 0 : 4);
	if (c->dict == DICT_TRY || c->dict == DICT_ON) {
		uint32_t index;
		if (dict_index(c, p, n, &index) < 0)
			return pq_set_error(w, "out of memory");
		pq_buf_put(&c->idx, &index, 4);
		size_t values = c->idx.len / 4;
		/* Mostly distinct values: no use hashing the rest of the page (nor thrashing the
		 * cache with a large table). */
		if (c->dict == DICT_TRY && values % PQ_DICT_PROBE == 0 && c->dict_count > values / 2) {
			dict_abandon(c);
			return 0;
		}
		if (dict_full(c) && !c->pending) {
			c->pending = true; /* the page ends with this row; no more entries after */
			w->npending++;
		}
		return 0;
	}
	if (!c->width) {
		stats_bytes(&c->st, p, n);
		pq_buf_u32(&c->values, (uint32_t)n);
	}
	pq_buf_put(&c->values, p, n);
	return 0;
}

/* ---------------------------------------------------------------- pages */

int pq_write_all(struct pq_writer *w, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t k = write(w->fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return pq_set_error(w, "write: %s", k < 0 ? strerror(errno) : "short write");
		b += k;
		n -= (size_t)k;
		w->offset += k;
	}
	return 0;
}

static void put_levels(struct pq_buf *out, const struct pq_buf *levels, int max)
{
	size_t at = out->len;
	pq_buf_u32(out, 0);
	pq_rle_encode8(out, levels->p, levels->len, pq_bit_width((uint32_t)max));
	if (!out->oom) {
		uint32_t n = (uint32_t)(out->len - at - 4);
		uint8_t le[4] = { (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24) };
		memcpy(out->p + at, le, 4);
	}
}

int pq_col_flush_page(struct pq_writer *w, struct pq_wcol *c)
{
	if (c->pending) {
		c->pending = false;
		w->npending--;
	}
	if (!c->levels)
		return 0;
	if (c->defs.oom || c->reps.oom || c->values.oom || c->idx.oom)
		return pq_set_error(w, "out of memory");
	if (c->dict == DICT_TRY)
		dict_decide(c);
	struct pq_buf *b = pq_job_body(&w->z);
	if (c->max_rep)
		put_levels(b, &c->reps, c->max_rep);
	if (c->max_def)
		put_levels(b, &c->defs, c->max_def);
	int encoding = ENC_PLAIN;
	if (c->dict == DICT_ON) {
		/* Width of the whole dictionary (at least 1, which every reader accepts). */
		int width = pq_bit_width(c->dict_count > 1 ? c->dict_count - 1 : 1);
		pq_buf_byte(b, (uint8_t)width);
		pq_rle_encode(b, (const uint32_t *)c->idx.p, c->idx.len / 4, width);
		encoding = ENC_RLE_DICTIONARY;
	} else if (c->phys == PT_BOOLEAN)
		pq_pack_bools(b, c->values.p, c->values.len);
	else
		pq_buf_put(b, c->values.p, c->values.len);
	if (c->levels > INT32_MAX || b->len > INT32_MAX)
		return pq_set_error(w, "column %s: page too large", c->def.name);
	pq_job_submit(&w->z, &c->pages, &c->chunk_uncompressed, PAGE_DATA, c->levels, encoding);
	c->encodings |= 1u << encoding;
	if (c->max_rep || c->max_def)
		c->encodings |= 1u << ENC_RLE;
	if (c->dict == DICT_ON && dict_full(c))
		c->dict = DICT_FULL;
	c->chunk_levels += (int64_t)c->levels;
	c->levels = c->page_bytes = c->page_plain = 0;
	c->defs.len = c->reps.len = c->values.len = c->idx.len = 0;
	return 0;
}

int pq_col_finish_chunk(struct pq_writer *w, struct pq_wcol *c)
{
	if (pq_col_flush_page(w, c) < 0)
		return -1;
	c->dict_page.len = 0;
	if (c->dict == DICT_ON || c->dict == DICT_FULL) {
		struct pq_buf *b = pq_job_body(&w->z);
		pq_buf_put(b, c->dict_plain.p, c->dict_plain.len);
		pq_job_submit(&w->z, &c->dict_page, &c->chunk_uncompressed, PAGE_DICTIONARY,
			      c->dict_count, ENC_PLAIN);
		c->encodings |= 1u << ENC_PLAIN;
	}
	return 0;
}

int pq_col_write_chunk(struct pq_writer *w, struct pq_wcol *c, struct pq_chunk_meta *m)
{
	*m = (struct pq_chunk_meta){ .dict_offset = -1, .data_offset = w->offset };
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
	stats_to_meta(c, m);
	pq_col_reset_chunk(c);
	return 0;
}

void pq_col_reset_chunk(struct pq_wcol *c)
{
	c->pages.len = 0;
	c->chunk_levels = c->chunk_uncompressed = 0;
	c->encodings = 0;
	c->st.has = false;
	c->st.nulls = c->st.nans = 0;
	c->dict = c->phys == PT_BYTE_ARRAY || c->width ? DICT_TRY : DICT_NONE;
	c->dict_plain.len = c->dict_offs.len = 0;
	c->dict_count = c->dict_last = 0;
	if (c->slots)
		memset(c->slots, 0, c->slot_count * sizeof *c->slots);
}

void pq_col_free(struct pq_wcol *c)
{
	free((char *)c->def.name);
	pq_buf_free(&c->defs);
	pq_buf_free(&c->reps);
	pq_buf_free(&c->values);
	pq_buf_free(&c->idx);
	pq_buf_free(&c->pages);
	pq_buf_free(&c->dict_page);
	pq_buf_free(&c->st.smin);
	pq_buf_free(&c->st.smax);
	pq_buf_free(&c->dict_plain);
	pq_buf_free(&c->dict_offs);
	free(c->slots);
}
