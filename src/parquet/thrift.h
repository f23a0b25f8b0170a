/* Thrift compact protocol: the encoder used for page headers and the footer, and a bounded
 * pull decoder that never reads past its end and limits nesting. */
#ifndef PQ_THRIFT_H
#define PQ_THRIFT_H

#include "parquet/buf.h"

enum {
	TC_STOP = 0,
	TC_TRUE = 1,
	TC_FALSE = 2,
	TC_BYTE = 3,
	TC_I16 = 4,
	TC_I32 = 5,
	TC_I64 = 6,
	TC_DOUBLE = 7,
	TC_BINARY = 8,
	TC_LIST = 9,
	TC_SET = 10,
	TC_MAP = 11,
	TC_STRUCT = 12,
};

#define TC_MAX_DEPTH 32

/* ------------------------------------------------------------------ encoder */

struct tc_writer {
	struct pq_buf *out;
	int depth;
	int16_t last[TC_MAX_DEPTH]; /* last field id written at each struct level */
};

void tc_field(struct tc_writer *w, int16_t id, int type);
void tc_i32(struct tc_writer *w, int16_t id, int32_t v);
void tc_i64(struct tc_writer *w, int16_t id, int64_t v);
void tc_bool(struct tc_writer *w, int16_t id, bool v);
void tc_binary(struct tc_writer *w, int16_t id, const void *p, size_t n);
void tc_string(struct tc_writer *w, int16_t id, const char *s);
/* A struct field (id > 0) or a struct list element (id 0); close it with tc_end. */
void tc_begin(struct tc_writer *w, int16_t id);
void tc_end(struct tc_writer *w);
/* A list field header; its elements follow (tc_elem_* or tc_begin(w, 0)). */
void tc_list(struct tc_writer *w, int16_t id, int elem_type, size_t n);
void tc_elem_i32(struct tc_writer *w, int32_t v);
void tc_elem_binary(struct tc_writer *w, const void *p, size_t n);

/* ------------------------------------------------------------------ decoder */

struct tc_reader {
	const uint8_t *p, *end;
	bool bad; /* malformed or truncated input; every later read returns zero */
};

/* Next field of the current struct: false at its end (or on error). *last carries the
 * previous field id of the struct being read. */
bool tc_next(struct tc_reader *r, int16_t *last, int16_t *id, int *type);
int64_t tc_read_int(struct tc_reader *r, int type);
/* Binary of type; *n bytes at the returned pointer, inside the input. */
const uint8_t *tc_read_binary(struct tc_reader *r, int type, size_t *n);
/* A list header of type: element type and count (count <= remaining bytes). */
size_t tc_read_list(struct tc_reader *r, int type, int *elem_type);
/* Checks that type is a struct, so the caller can read its fields. */
bool tc_is_struct(struct tc_reader *r, int type);
void tc_skip(struct tc_reader *r, int type);

#endif
