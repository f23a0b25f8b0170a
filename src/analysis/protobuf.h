/* A small protobuf encoder (wire format: varints, fixed64 doubles, length-delimited fields)
 * into a growable buffer, enough for the Perfetto trace. A nested message's length is written
 * as a 4-byte varint padded with continuation bits, as Perfetto's own protozero writer does,
 * so that a message is written in one pass. Out of memory sets the buffer's oom. */
#ifndef PIPETRACE_PROTOBUF_H
#define PIPETRACE_PROTOBUF_H

#include "parquet/buf.h"

enum { PB_WIRE_VARINT = 0, PB_WIRE_FIXED64 = 1, PB_WIRE_LENGTH = 2 };
#define PB_VARINT_MAX 10

/* Writes value as a varint into out; returns its length. */
size_t pb_encode_varint(uint64_t value, uint8_t out[PB_VARINT_MAX]);
void pb_varint_field(struct pq_buf *b, uint32_t field, uint64_t value);
void pb_int64_field(struct pq_buf *b, uint32_t field, int64_t value);
void pb_double_field(struct pq_buf *b, uint32_t field, double value);
void pb_string_field(struct pq_buf *b, uint32_t field, const char *s);
/* Starts a nested message; returns where its length goes, for pb_end. */
size_t pb_begin(struct pq_buf *b, uint32_t field);
void pb_end(struct pq_buf *b, size_t mark);

#endif
