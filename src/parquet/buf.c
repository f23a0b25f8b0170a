#include "parquet/buf.h"

#include <stdlib.h>

uint8_t *pq_buf_reserve(struct pq_buf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->cap - b->len >= n)
		return b->p + b->len;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return NULL;
		}
		cap *= 2;
	}
	uint8_t *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return NULL;
	}
	b->p = p;
	b->cap = cap;
	return p + b->len;
}

void pq_buf_free(struct pq_buf *b)
{
	free(b->p);
	*b = (struct pq_buf){0};
}
