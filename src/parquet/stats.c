/* Column chunk statistics: min/max in the column's order, null and NaN counts, and the
 * truncation of long byte-array bounds. */
#include "parquet/format.h"
#include "parquet/writer.h"

static void stats_int(struct pq_stats *s, int64_t v)
{
	if (!s->has) {
		s->imin = s->imax = v;
		s->has = true;
	} else if (v < s->imin)
		s->imin = v;
	else if (v > s->imax)
		s->imax = v;
}

static void stats_double(struct pq_stats *s, double v)
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

/* Statistics of one page's PLAIN values (booleans one byte each). Byte arrays that went to
 * the dictionary are counted as new entries arrive instead (dict.c). */
void pq_stats_page(struct pq_wcol *c, const struct pq_buf *values, bool dictionary)
{
	struct pq_stats *s = &c->st;
	const uint8_t *p = values->p, *end = p + values->len;
	switch (c->phys) {
	case PQ_PHYS_BOOLEAN:
		for (; p < end; p++)
			stats_int(s, *p);
		break;
	case PQ_PHYS_INT32:
		for (; p < end; p += 4)
			stats_int(s, (int32_t)pq_le32(p));
		break;
	case PQ_PHYS_INT64:
		for (; p < end; p += 8)
			stats_int(s, (int64_t)pq_le64(p));
		break;
	case PQ_PHYS_DOUBLE:
		for (; p < end; p += 8) {
			uint64_t bits = pq_le64(p);
			double d;
			memcpy(&d, &bits, 8);
			stats_double(s, d);
		}
		break;
	default:
		while (!dictionary && p < end) {
			size_t n = pq_le32(p);
			pq_stats_bytes(s, p + 4, n);
			p += 4 + n;
		}
	}
}

/* Unsigned byte order, then length. */
static int bytes_cmp(const void *a, size_t an, const void *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = n ? memcmp(a, b, n) : 0;
	return c ? c : (an > bn) - (an < bn);
}

void pq_stats_bytes(struct pq_stats *s, const void *p, size_t n)
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
		uint32_t cp = s[k] < 0x80   ? s[k]
			      : s[k] < 0xE0 ? s[k] & 0x1F
			      : s[k] < 0xF0 ? s[k] & 0x0F
					    : s[k] & 0x07;
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

void pq_stats_to_meta(const struct pq_wcol *c, struct pq_chunk_meta *m)
{
	const struct pq_stats *s = &c->st;
	m->nulls = s->nulls;
	m->nans = s->nans;
	m->has_minmax = s->has;
	m->min_exact = m->max_exact = true;
	if (!s->has)
		return;
	switch (c->phys) {
	case PQ_PHYS_BOOLEAN:
		m->min[0] = (uint8_t)s->imin;
		m->max[0] = (uint8_t)s->imax;
		m->min_len = m->max_len = 1;
		break;
	case PQ_PHYS_INT32:
	case PQ_PHYS_INT64:
		m->min_len = m->max_len = c->phys == PQ_PHYS_INT32 ? 4 : 8;
		for (size_t i = 0; i < m->min_len; i++) {
			m->min[i] = (uint8_t)((uint64_t)s->imin >> (8 * i));
			m->max[i] = (uint8_t)((uint64_t)s->imax >> (8 * i));
		}
		break;
	case PQ_PHYS_DOUBLE: {
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
