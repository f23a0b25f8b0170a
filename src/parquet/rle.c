#include "parquet/rle.h"

int pq_bit_width(uint32_t max)
{
	int w = 0;
	while (max) {
		w++;
		max >>= 1;
	}
	return w;
}

static void put_uvarint(struct pq_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		pq_buf_byte(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	pq_buf_byte(b, (uint8_t)v);
}

/* Packs n values (n a multiple of 8; a short tail is zero-padded by the caller). */
static void pack(struct pq_buf *out, const uint32_t *v, size_t n, int width)
{
	uint8_t *p = pq_buf_reserve(out, n / 8 * (size_t)width);
	if (!p)
		return;
	uint64_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc |= (uint64_t)v[i] << bits;
		bits += width;
		while (bits >= 8) {
			*p++ = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	out->len += n / 8 * (size_t)width;
}

/* Length of the run of equal values starting at i, capped at 8 when only the cap matters. */
#define RUN_LENGTH(v, n, i, cap)                                                                   \
	({                                                                                         \
		size_t r_ = 1;                                                                     \
		while ((i) + r_ < (n) && r_ < (cap) && (v)[(i) + r_] == (v)[i])                    \
			r_++;                                                                      \
		r_;                                                                                \
	})

/* One body for both value widths (uint32 indices, uint8 levels). Runs of 8 or more equal
 * values become RLE runs; everything else goes into bit-packed groups of 8. */
#define RLE_ENCODE_BODY(T)                                                                         \
	size_t i = 0;                                                                              \
	uint32_t group[8];                                                                         \
	while (i < n) {                                                                            \
		size_t run = RUN_LENGTH(v, n, i, SIZE_MAX);                                        \
		if (run >= 8) {                                                                    \
			put_uvarint(out, (uint64_t)run << 1);                                      \
			uint32_t val = v[i];                                                       \
			for (int b = 0; b < width; b += 8)                                         \
				pq_buf_byte(out, (uint8_t)(val >> b));                             \
			i += run;                                                                  \
			continue;                                                                  \
		}                                                                                  \
		size_t start = i;                                                                  \
		do                                                                                 \
			i += 8;                                                                    \
		while (i < n && RUN_LENGTH(v, n, i, 8) < 8);                                       \
		size_t groups = (i - start) / 8;                                                   \
		put_uvarint(out, (uint64_t)groups << 1 | 1);                                       \
		for (size_t g = 0; g < groups; g++) {                                              \
			for (size_t k = 0; k < 8; k++) {                                           \
				size_t at = start + g * 8 + k;                                     \
				group[k] = at < n ? (uint32_t)(T)v[at] : 0;                        \
			}                                                                          \
			pack(out, group, 8, width);                                                \
		}                                                                                  \
		if (i > n)                                                                         \
			i = n;                                                                     \
	}

void pq_rle_encode(struct pq_buf *out, const uint32_t *v, size_t n, int width)
{
	RLE_ENCODE_BODY(uint32_t)
}

void pq_rle_encode8(struct pq_buf *out, const uint8_t *v, size_t n, int width)
{
	RLE_ENCODE_BODY(uint8_t)
}

int pq_rle_decode(const uint8_t *in, size_t len, int width, uint32_t max, uint32_t *out, size_t n)
{
	const uint8_t *p = in, *end = in + len;
	size_t got = 0;
	if (width < 0 || width > 32)
		return -1;
	uint64_t mask = width == 32 ? 0xFFFFFFFFull : (1ull << width) - 1;
	while (got < n) {
		uint64_t h = 0;
		int shift = 0;
		for (;;) {
			if (p >= end || shift > 28)
				return -1;
			uint8_t b = *p++;
			h |= (uint64_t)(b & 0x7F) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		if (h & 1) {
			uint64_t count = (h >> 1) * 8;
			uint64_t bytes = (h >> 1) * (uint64_t)width;
			if (bytes > (uint64_t)(end - p))
				return -1;
			uint64_t acc = 0;
			int bits = 0;
			const uint8_t *q = p;
			for (uint64_t k = 0; k < count && got < n; k++) {
				while (bits < width) {
					acc |= (uint64_t)*q++ << bits;
					bits += 8;
				}
				uint32_t val = (uint32_t)(acc & mask);
				acc >>= width;
				bits -= width;
				if (val > max)
					return -1;
				out[got++] = val;
			}
			p += bytes;
		} else {
			uint64_t count = h >> 1;
			int nbytes = (width + 7) / 8;
			if ((uint64_t)(end - p) < (uint64_t)nbytes)
				return -1;
			uint32_t val = 0;
			for (int b = 0; b < nbytes; b++)
				val |= (uint32_t)p[b] << (8 * b);
			p += nbytes;
			if (val > max)
				return -1;
			if (count > n - got)
				count = n - got;
			for (uint64_t k = 0; k < count; k++)
				out[got++] = val;
		}
	}
	return 0;
}

void pq_pack_bools(struct pq_buf *out, const uint8_t *v, size_t n)
{
	uint8_t *p = pq_buf_reserve(out, (n + 7) / 8);
	if (!p)
		return;
	memset(p, 0, (n + 7) / 8);
	for (size_t i = 0; i < n; i++)
		p[i / 8] |= (uint8_t)(v[i] << (i % 8));
	out->len += (n + 7) / 8;
}
