/* The RLE/bit-packed hybrid encoding (levels and dictionary indices), LSB-first bit packing. */
#ifndef PQ_RLE_H
#define PQ_RLE_H

#include "parquet/buf.h"

/* Bits needed for values up to max (0 for 0). */
int pq_bit_width(uint32_t max);
/* Appends n values of width bits (1..32) as one hybrid stream, without a length prefix. */
void pq_rle_encode(struct pq_buf *out, const uint32_t *v, size_t n, int width);
/* Same for byte-sized values (levels). */
void pq_rle_encode8(struct pq_buf *out, const uint8_t *v, size_t n, int width);
/* Decodes exactly n values of width bits (0..32) from in[0..len); each must be <= max.
 * Returns 0, or -1 when the stream is short, malformed or a value exceeds max. */
int pq_rle_decode(const uint8_t *in, size_t len, int width, uint32_t max, uint32_t *out, size_t n);
/* PLAIN booleans: n values, one bit each, LSB first. */
void pq_pack_bools(struct pq_buf *out, const uint8_t *v, size_t n);

#endif
