/* DELTA_BINARY_PACKED encoding and decoding (see delta.h). */
#include "parquet/delta.h"

enum { BLOCK = 128, MINIBLOCKS = 4, MINI = BLOCK / MINIBLOCKS };

static void put_uleb(struct pq_buf *out, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;
	do {
		b[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		b[n++] |= v ? 0x80 : 0;
	} while (v);
	pq_buf_put(out, b, n);
}

/* Value i of PLAIN values of `size` bytes, sign-extended. */
static inline int64_t value_at(const uint8_t *values, size_t i, int size)
{
	return size == 4 ? (int64_t)(int32_t)pq_le32(values + i * 4)
			 : (int64_t)pq_le64(values + i * 8);
}

/* The delta from a to b, wrapped in the physical type. */
static inline int64_t delta(int64_t a, int64_t b, int size)
{
	uint64_t d = (uint64_t)b - (uint64_t)a;
	return size == 4 ? (int64_t)(int32_t)(uint32_t)d : (int64_t)d;
}

static int width_of(uint64_t max)
{
	return max ? 64 - __builtin_clzll(max) : 0;
}

/* Appends MINI values of `width` bits, LSB first. */
static void pack(struct pq_buf *out, const uint64_t *v, int width)
{
	uint8_t bytes[MINI * 8];
	size_t n = 0;
	uint64_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < MINI; i++) {
		acc |= v[i] << bits;
		if (bits + width >= 64) {
			memcpy(bytes + n, &acc, 8); /* little-endian, as the module assumes */
			n += 8;
			acc = bits ? v[i] >> (64 - bits) : 0;
			bits = bits + width - 64;
		} else {
			bits += width;
		}
	}
	for (int k = 0; k < bits / 8; k++)
		bytes[n++] = (uint8_t)(acc >> (8 * k));
	pq_buf_put(out, bytes, n);
}

static size_t uleb_size(uint64_t v)
{
	size_t n = 1;
	while (v >>= 7)
		n++;
	return n;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* One block: the deltas of the count (1..BLOCK) values after prev, as their minimum, each
 * above it (zeros past count), and the bit width of each miniblock (0 past the last). */
struct block {
	int64_t min;
	uint64_t rel[BLOCK];
	uint8_t widths[MINIBLOCKS];
	size_t minis;
};

static void analyse(struct block *b, const uint8_t *values, size_t at, size_t count, int size)
{
	int64_t d[BLOCK], prev = value_at(values, at - 1, size);
	b->min = INT64_MAX;
	for (size_t i = 0; i < count; i++) {
		int64_t v = value_at(values, at + i, size);
		d[i] = delta(prev, v, size);
		b->min = d[i] < b->min ? d[i] : b->min;
		prev = v;
	}
	/* d - min is below 2^32 for INT32 (both sign-extended), so no mask is needed. */
	uint64_t max[MINIBLOCKS] = {0};
	for (size_t i = 0; i < count; i++) {
		b->rel[i] = (uint64_t)d[i] - (uint64_t)b->min;
		max[i / MINI] |= b->rel[i];
	}
	if (count < BLOCK)
		memset(b->rel + count, 0, (BLOCK - count) * sizeof b->rel[0]);
	b->minis = (count + MINI - 1) / MINI;
	for (size_t m = 0; m < MINIBLOCKS; m++)
		b->widths[m] = (uint8_t)width_of(max[m]);
}

static size_t header_size(const uint8_t *values, size_t n, int size)
{
	return uleb_size(BLOCK) + uleb_size(MINIBLOCKS) + uleb_size(n) +
	       uleb_size(zigzag(n ? value_at(values, 0, size) : 0));
}

void pq_delta_encode(struct pq_buf *out, const uint8_t *values, size_t n, int size)
{
	put_uleb(out, BLOCK);
	put_uleb(out, MINIBLOCKS);
	put_uleb(out, n);
	put_uleb(out, zigzag(n ? value_at(values, 0, size) : 0));
	struct block b;
	for (size_t at = 1; at < n; at += BLOCK) {
		analyse(&b, values, at, n - at < BLOCK ? n - at : BLOCK, size);
		put_uleb(out, zigzag(b.min));
		pq_buf_put(out, b.widths, MINIBLOCKS);
		for (size_t m = 0; m < b.minis; m++)
			if (b.widths[m])
				pack(out, b.rel + m * MINI, b.widths[m]);
	}
}

size_t pq_delta_size(const uint8_t *values, size_t n, int size)
{
	size_t total = header_size(values, n, size);
	struct block b;
	for (size_t at = 1; at < n; at += BLOCK) {
		analyse(&b, values, at, n - at < BLOCK ? n - at : BLOCK, size);
		total += uleb_size(zigzag(b.min)) + MINIBLOCKS;
		for (size_t m = 0; m < b.minis; m++)
			total += MINI * b.widths[m] / 8;
	}
	return total;
}

/* ---------------------------------------------------------------- decoding */

struct cursor {
	const uint8_t *p, *end;
};

static int get_uleb(struct cursor *c, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && c->p < c->end; shift += 7) {
		uint8_t b = *c->p++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

static int get_zigzag(struct cursor *c, int64_t *v)
{
	uint64_t u;
	if (get_uleb(c, &u) < 0)
		return -1;
	*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

/* Value i of PLAIN output: its low `size` bytes, little-endian as the module assumes. */
static void put_value(uint8_t *out, size_t i, int size, int64_t v)
{
	memcpy(out + i * (size_t)size, &v, (size_t)size);
}

/* Bit `width` (1..64) value i of a packed miniblock at p. */
static uint64_t unpack_at(const uint8_t *p, size_t i, int width)
{
	size_t bit = i * (size_t)width;
	uint64_t v = 0;
	for (int got = 0; got < width;) {
		size_t byte = (bit + (size_t)got) / 8;
		int shift = (int)((bit + (size_t)got) % 8), take = 8 - shift;
		take = take < width - got ? take : width - got;
		v |= (uint64_t)((p[byte] >> shift) & ((1u << take) - 1)) << got;
		got += take;
	}
	return v;
}

int pq_delta_decode(const uint8_t *in, size_t len, size_t n, int size, uint8_t *out)
{
	struct cursor c = {in, in + len};
	uint64_t block, minis, total;
	int64_t value;
	if (get_uleb(&c, &block) < 0 || get_uleb(&c, &minis) < 0 || get_uleb(&c, &total) < 0 ||
	    get_zigzag(&c, &value) < 0 || total != n || !block || block % 128 || !minis ||
	    block % minis || (block / minis) % 32 || minis > block)
		return -1;
	size_t mini = (size_t)(block / minis), done = 0;
	if (n)
		put_value(out, done++, size, value);
	while (done < n) {
		int64_t min;
		if (get_zigzag(&c, &min) < 0 || (size_t)(c.end - c.p) < minis)
			return -1;
		const uint8_t *widths = c.p;
		c.p += minis;
		for (size_t m = 0; m < minis && done < n; m++) {
			int width = widths[m];
			size_t bytes = mini * (size_t)width / 8;
			if (width > size * 8 || (size_t)(c.end - c.p) < bytes)
				return -1;
			for (size_t i = 0; i < mini && done < n; i++) {
				uint64_t rel = width ? unpack_at(c.p, i, width) : 0;
				value = (int64_t)((uint64_t)value + (uint64_t)min + rel);
				if (size == 4)
					value = (int64_t)(int32_t)(uint32_t)value;
				put_value(out, done++, size, value);
			}
			c.p += bytes;
		}
	}
	return 0;
}
