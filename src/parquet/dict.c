/* Column chunk dictionaries (run by the page workers): an open-addressing hash table over
 * the PLAIN-encoded entries, and the rule that keeps or abandons the dictionary. */
#include "parquet/delta.h"
#include "parquet/format.h"
#include "parquet/rle.h"
#include "parquet/writer.h"

#include <stdlib.h>

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
	if (n == 4) { /* INT32 values: a load, not a call for a copy of variable length */
		uint32_t v;
		memcpy(&v, p, 4);
		k = v;
	} else if (n) {
		memcpy(&k, p, n);
	}
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

/* Whether two entries of n bytes are equal; numbers with one compare rather than a call. */
static inline bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (n == 8) {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	if (n == 4) {
		uint32_t x, y;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		return x == y;
	}
	return memcmp(a, b, n) == 0;
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
	/* Zeroed by writing, not by calloc: fresh memory read before it is written maps the
	 * shared zero page, and each first write then costs a copy-on-write fault and a TLB
	 * shootdown on every CPU running the writer's threads. (explicit_bzero, because the
	 * compiler turns malloc + memset back into calloc.) */
	uint64_t *slots = malloc(count * sizeof *slots);
	if (!slots)
		return -1;
	explicit_bzero(slots, count * sizeof *slots);
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
 * only; numbers are scanned by pq_stats_page). */
static int dict_index(struct pq_wcol *c, const void *p, size_t n, uint32_t *index)
{
	size_t en;
	const uint8_t *e;
	/* Repeats of the previous value are common (ids, flags): skip the hash table. */
	if (c->dict_count > c->dict_last) {
		e = dict_entry(c, c->dict_last, &en);
		if (en == n && same_bytes(e, p, n)) {
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
		if (en == n && same_bytes(e, p, n)) {
			*index = c->dict_last = i;
			return 0;
		}
	}
	if (!c->width) {
		uint32_t off = (uint32_t)c->dict_plain.len;
		pq_buf_put(&c->dict_offs, &off, 4);
		pq_buf_u32(&c->dict_plain, (uint32_t)n);
		pq_stats_bytes(&c->st, p, n);
	}
	pq_buf_put(&c->dict_plain, p, n);
	if (c->dict_plain.oom || c->dict_offs.oom)
		return -1;
	c->slots[s] = slot(h, c->dict_count);
	*index = c->dict_last = c->dict_count++;
	return 0;
}

static void dict_clear(struct pq_wcol *c)
{
	if (c->slots)
		memset(c->slots, 0, c->slot_count * sizeof *c->slots);
	c->dict_plain.len = c->dict_offs.len = 0;
	c->dict_count = c->dict_last = 0;
}

void pq_dict_reset(struct pq_wcol *c)
{
	dict_clear(c);
	c->dict = c->phys == PQ_PHYS_BYTE_ARRAY || c->width ? DICT_TRY : DICT_NONE;
}

/* Gives the dictionary of the chunk up: PLAIN pages from now on. */
static int abandon(struct pq_wcol *c)
{
	dict_clear(c);
	c->dict = DICT_NONE;
	return 0;
}

/* Whether the dictionary so far and n indices into it take fewer bytes than the n values
 * at p without it: PLAIN for byte arrays, DELTA_BINARY_PACKED for integers (wpage.c). */
static bool dict_pays(const struct pq_wcol *c, const uint8_t *p, size_t plain, size_t n)
{
	size_t idx_bytes = n * (size_t)pq_bit_width(c->dict_count) / 8;
	size_t without = c->width ? pq_delta_size(p, n, (int)c->width) : plain;
	return c->dict_plain.len + idx_bytes < without;
}

/* At a probe (every PQ_DICT_PROBE values of the first page, n so far): whether the
 * dictionary is not worth the rest. Mostly distinct values: no use hashing the rest (nor
 * thrashing the cache with a large table). Integers are judged once more, at the first
 * probe, against their deltas: ids and times that repeat a few times each are smaller so. */
static bool probe_abandons(const struct pq_wcol *c, const uint8_t *p, size_t n)
{
	if (c->dict_count > n / 2)
		return true;
	return c->width && n == PQ_DICT_PROBE && !dict_pays(c, p, n * c->width, n);
}

static bool dict_full(const struct pq_wcol *c)
{
	return c->dict_plain.len > (c->width ? PQ_DICT_MAX_NUMBERS : PQ_DICT_MAX_BYTES);
}

int pq_dict_encode(struct pq_wcol *c, const struct pq_buf *values, struct pq_buf *idx)
{
	if (c->dict != DICT_TRY && c->dict != DICT_ON)
		return 0;
	/* The dictionary as it was before this page, in case the page goes PLAIN. */
	uint32_t count0 = c->dict_count;
	size_t plain0 = c->dict_plain.len, offs0 = c->dict_offs.len;
	idx->len = 0;
	size_t count = 0;
	for (const uint8_t *p = values->p, *end = p + values->len; p < end; count++) {
		size_t n = c->width;
		if (!n) {
			n = pq_le32(p);
			p += 4;
		}
		uint32_t index;
		if (dict_index(c, p, n, &index) < 0)
			return -1;
		pq_buf_put(idx, &index, 4);
		p += n;
		if (c->dict == DICT_TRY && (count + 1) % PQ_DICT_PROBE == 0 &&
		    probe_abandons(c, values->p, count + 1))
			return abandon(c);
		if (c->dict == DICT_TRY && dict_full(c))
			return abandon(c);
		if (dict_full(c)) {
			/* The bound is reached: the dictionary keeps what earlier pages use (the
			 * table's newer slots are never probed again) and this page goes PLAIN. */
			c->dict_count = c->dict_last = count0;
			c->dict_plain.len = plain0;
			c->dict_offs.len = offs0;
			c->dict = DICT_FULL;
			return 0;
		}
	}
	if (idx->oom)
		return -1;
	if (c->dict == DICT_TRY) {
		/* The end of the first page decides. */
		if (!dict_pays(c, values->p, values->len, count))
			return abandon(c);
		c->dict = DICT_ON;
	}
	return 1;
}
