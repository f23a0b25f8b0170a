#include "parquet/thrift.h"

static void put_varint(struct pq_buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	while (v >= 0x80) {
		tmp[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (uint8_t)v;
	pq_buf_put(b, tmp, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void tc_field(struct tc_writer *w, int16_t id, int type)
{
	int16_t delta = (int16_t)(id - w->last[w->depth]);
	if (delta > 0 && delta <= 15)
		pq_buf_byte(w->out, (uint8_t)(delta << 4 | type));
	else {
		pq_buf_byte(w->out, (uint8_t)type);
		put_varint(w->out, zigzag(id));
	}
	w->last[w->depth] = id;
}

void tc_i32(struct tc_writer *w, int16_t id, int32_t v)
{
	tc_field(w, id, TC_I32);
	put_varint(w->out, zigzag(v));
}

void tc_i64(struct tc_writer *w, int16_t id, int64_t v)
{
	tc_field(w, id, TC_I64);
	put_varint(w->out, zigzag(v));
}

void tc_bool(struct tc_writer *w, int16_t id, bool v)
{
	tc_field(w, id, v ? TC_TRUE : TC_FALSE);
}

void tc_binary(struct tc_writer *w, int16_t id, const void *p, size_t n)
{
	tc_field(w, id, TC_BINARY);
	tc_elem_binary(w, p, n);
}

void tc_string(struct tc_writer *w, int16_t id, const char *s)
{
	tc_binary(w, id, s, strlen(s));
}

void tc_begin(struct tc_writer *w, int16_t id)
{
	if (id)
		tc_field(w, id, TC_STRUCT);
	w->last[++w->depth] = 0;
}

void tc_end(struct tc_writer *w)
{
	pq_buf_byte(w->out, TC_STOP);
	w->depth--;
}

void tc_list(struct tc_writer *w, int16_t id, int elem_type, size_t n)
{
	tc_field(w, id, TC_LIST);
	if (n < 15)
		pq_buf_byte(w->out, (uint8_t)(n << 4 | elem_type));
	else {
		pq_buf_byte(w->out, (uint8_t)(0xF0 | elem_type));
		put_varint(w->out, n);
	}
}

void tc_elem_i32(struct tc_writer *w, int32_t v)
{
	put_varint(w->out, zigzag(v));
}

void tc_elem_binary(struct tc_writer *w, const void *p, size_t n)
{
	put_varint(w->out, n);
	pq_buf_put(w->out, p, n);
}

/* ------------------------------------------------------------------ decoder */

static uint64_t get_varint(struct tc_reader *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64 && r->p < r->end; shift += 7) {
		uint8_t b = *r->p++;
		v |= (uint64_t)(b & 0x7F) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

bool tc_next(struct tc_reader *r, int16_t *last, int16_t *id, int *type)
{
	if (r->bad || r->p >= r->end) {
		r->bad = true;
		return false;
	}
	uint8_t b = *r->p++;
	*type = b & 0x0F;
	if (*type == TC_STOP)
		return false;
	if (b >> 4)
		*id = (int16_t)(*last + (b >> 4));
	else {
		int64_t v = unzigzag(get_varint(r));
		if (v < INT16_MIN || v > INT16_MAX)
			r->bad = true;
		*id = (int16_t)v;
	}
	*last = *id;
	return !r->bad;
}

int64_t tc_read_int(struct tc_reader *r, int type)
{
	if (type == TC_BYTE) {
		if (r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		return (int8_t)*r->p++;
	}
	if (type != TC_I16 && type != TC_I32 && type != TC_I64) {
		r->bad = true;
		return 0;
	}
	return unzigzag(get_varint(r));
}

const uint8_t *tc_read_binary(struct tc_reader *r, int type, size_t *n)
{
	*n = 0;
	if (type != TC_BINARY) {
		r->bad = true;
		return NULL;
	}
	uint64_t len = get_varint(r);
	if (r->bad || len > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += len;
	*n = (size_t)len;
	return p;
}

size_t tc_read_list(struct tc_reader *r, int type, int *elem_type)
{
	*elem_type = TC_STOP;
	if ((type != TC_LIST && type != TC_SET) || r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	uint8_t b = *r->p++;
	uint64_t n = b >> 4;
	if (n == 15)
		n = get_varint(r);
	*elem_type = b & 0x0F;
	/* Every element takes at least one byte (bools included), which bounds the count. */
	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return 0;
	}
	return (size_t)n;
}

bool tc_is_struct(struct tc_reader *r, int type)
{
	if (type != TC_STRUCT)
		r->bad = true;
	return !r->bad;
}

static void skip(struct tc_reader *r, int type, int depth)
{
	if (depth > TC_MAX_DEPTH) {
		r->bad = true;
		return;
	}
	size_t n;
	int elem, key;
	int16_t last = 0, id;
	switch (type) {
	case TC_TRUE:
	case TC_FALSE: return;
	case TC_BYTE:
	case TC_I16:
	case TC_I32:
	case TC_I64: tc_read_int(r, type); return;
	case TC_DOUBLE:
		if (r->end - r->p < 8)
			r->bad = true;
		else
			r->p += 8;
		return;
	case TC_BINARY: tc_read_binary(r, type, &n); return;
	case TC_LIST:
	case TC_SET:
		n = tc_read_list(r, type, &elem);
		for (size_t i = 0; i < n && !r->bad; i++) {
			/* Bools inside collections take one byte each. */
			if (elem == TC_TRUE || elem == TC_FALSE)
				skip(r, TC_BYTE, depth + 1);
			else
				skip(r, elem, depth + 1);
		}
		return;
	case TC_MAP:
		n = (size_t)get_varint(r);
		if (n == 0)
			return;
		if (r->p >= r->end || n > (size_t)(r->end - r->p)) {
			r->bad = true;
			return;
		}
		key = *r->p >> 4;
		elem = *r->p++ & 0x0F;
		for (size_t i = 0; i < n && !r->bad; i++) {
			skip(r, key == TC_TRUE || key == TC_FALSE ? TC_BYTE : key, depth + 1);
			skip(r, elem == TC_TRUE || elem == TC_FALSE ? TC_BYTE : elem, depth + 1);
		}
		return;
	case TC_STRUCT:
		while (tc_next(r, &last, &id, &elem))
			skip(r, elem, depth + 1);
		return;
	default: r->bad = true;
	}
}

void tc_skip(struct tc_reader *r, int type)
{
	skip(r, type, 0);
}
