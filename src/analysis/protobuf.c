#include "analysis/protobuf.h"

#define PADDED_LENGTH_BYTES 4 /* a nested message of up to 256 MiB */

size_t pb_encode_varint(uint64_t value, uint8_t out[PB_VARINT_MAX])
{
	size_t n = 0;
	do {
		out[n++] = (uint8_t)((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
		value >>= 7;
	} while (value);
	return n;
}

static void put_varint(struct pq_buf *b, uint64_t value)
{
	uint8_t bytes[PB_VARINT_MAX];
	pq_buf_put(b, bytes, pb_encode_varint(value, bytes));
}

static void put_tag(struct pq_buf *b, uint32_t field, unsigned wire_type)
{
	put_varint(b, (uint64_t)field << 3 | wire_type);
}

void pb_varint_field(struct pq_buf *b, uint32_t field, uint64_t value)
{
	put_tag(b, field, PB_WIRE_VARINT);
	put_varint(b, value);
}

void pb_int64_field(struct pq_buf *b, uint32_t field, int64_t value)
{
	pb_varint_field(b, field, (uint64_t)value); /* int64: two's complement, 10 bytes if < 0 */
}

void pb_double_field(struct pq_buf *b, uint32_t field, double value)
{
	uint64_t bits;
	uint8_t le[8];
	memcpy(&bits, &value, sizeof(bits));
	for (size_t k = 0; k < 8; k++)
		le[k] = (uint8_t)(bits >> (8 * k));
	put_tag(b, field, PB_WIRE_FIXED64);
	pq_buf_put(b, le, sizeof(le));
}

void pb_string_field(struct pq_buf *b, uint32_t field, const char *s)
{
	size_t len = strlen(s);
	put_tag(b, field, PB_WIRE_LENGTH);
	put_varint(b, len);
	pq_buf_put(b, s, len);
}

size_t pb_begin(struct pq_buf *b, uint32_t field)
{
	static const uint8_t placeholder[PADDED_LENGTH_BYTES] = { 0 };
	put_tag(b, field, PB_WIRE_LENGTH);
	pq_buf_put(b, placeholder, sizeof(placeholder));
	return b->len;
}

void pb_end(struct pq_buf *b, size_t mark)
{
	size_t len = b->len - mark;
	if (b->oom || len >> (7 * PADDED_LENGTH_BYTES)) {
		b->oom = true;
		return;
	}
	uint8_t *at = b->p + mark - PADDED_LENGTH_BYTES;
	for (size_t k = 0; k < PADDED_LENGTH_BYTES; k++)
		at[k] = (uint8_t)((len >> (7 * k)) & 0x7f) | (k + 1 < PADDED_LENGTH_BYTES ? 0x80 : 0);
}
