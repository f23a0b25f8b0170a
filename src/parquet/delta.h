/* DELTA_BINARY_PACKED (parquet-format's Encodings.md): INT32 and INT64 values as the first
 * value and, per block of 128, the smallest delta and four miniblocks of 32 deltas above it,
 * each bit-packed (LSB first) at the width of its largest. Arithmetic wraps in the physical
 * type, as the format asks. */
#ifndef PQ_DELTA_H
#define PQ_DELTA_H

#include "parquet/buf.h"

/* Appends the encoding of n PLAIN values of `size` bytes (4 or 8) at values. */
void pq_delta_encode(struct pq_buf *out, const uint8_t *values, size_t n, int size);
/* The size pq_delta_encode would append, without encoding. */
size_t pq_delta_size(const uint8_t *values, size_t n, int size);
/* Decodes exactly n values of `size` bytes from in[0..len) into out as PLAIN (n * size
 * bytes). Returns 0, or -1 when the stream is short, malformed, or holds another count. */
int pq_delta_decode(const uint8_t *in, size_t len, size_t n, int size, uint8_t *out);

#endif
