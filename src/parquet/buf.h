/* Growable byte buffer and little-endian helpers shared by the writer and the reader. */
#ifndef PQ_BUF_H
#define PQ_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pq_buf {
	uint8_t *p;
	size_t len, cap;
	bool oom; /* set once an allocation failed; later appends are dropped */
};

/* Makes room for n more bytes; returns NULL (and sets oom) when memory runs out. */
uint8_t *pq_buf_reserve(struct pq_buf *b, size_t n);
void pq_buf_free(struct pq_buf *b);

static inline void pq_buf_put(struct pq_buf *b, const void *data, size_t n)
{
	if (b->cap - b->len < n && !pq_buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

static inline void pq_buf_byte(struct pq_buf *b, uint8_t v)
{
	pq_buf_put(b, &v, 1);
}

static inline void pq_buf_u32(struct pq_buf *b, uint32_t v)
{
	uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	pq_buf_put(b, le, 4);
}

static inline uint32_t pq_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t pq_le64(const uint8_t *p)
{
	return (uint64_t)pq_le32(p) | (uint64_t)pq_le32(p + 4) << 32;
}

#endif
