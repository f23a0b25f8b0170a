#include "analysis/protobuf.h"

#include <stdlib.h>
#include <string.h>

#define PADDED_LENGTH_BYTES 4 /* a nested message of up to 256 MiB */

static uint8_t *reserve(struct pb_buffer *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (b->size + n > b->capacity) {
		size_t capacity = b->capacity ? b->capacity : 4096;
		while (capacity < b->size + n)
			capacity *= 2;
		uint8_t *data = realloc(b->data, capacity);
		if (!data) {
			b->failed = true;
			return NULL;
		}
		b->data = data;
		b->capacity = capacity;
	}
	uint8_t *at = b->data + b->size;
	b->size += n;
	return at;
}

size_t pb_encode_varint(uint64_t value, uint8_t out[PB_VARINT_MAX])
{
	size_t n = 0;
	do {
		out[n++] = (uint8_t)((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
		value >>= 7;
	} while (value);
	return n;
}

static void put_varint(struct pb_buffer *b, uint64_t value)
{
	uint8_t bytes[PB_VARINT_MAX];
	size_t n = pb_encode_varint(value, bytes);
	uint8_t *at = reserve(b, n);
	if (at)
		memcpy(at, bytes, n);
}

static void put_tag(struct pb_buffer *b, uint32_t field, unsigned wire_type)
{
	put_varint(b, (uint64_t)field << 3 | wire_type);
}

void pb_varint_field(struct pb_buffer *b, uint32_t field, uint64_t value)
{
	put_tag(b, field, PB_WIRE_VARINT);
	put_varint(b, value);
}

void pb_int64_field(struct pb_buffer *b, uint32_t field, int64_t value)
{
	pb_varint_field(b, field, (uint64_t)value); /* int64: two's complement, 10 bytes if < 0 */
}

void pb_double_field(struct pb_buffer *b, uint32_t field, double value)
{
	uint64_t bits;
	memcpy(&bits, &value, sizeof(bits));
	put_tag(b, field, PB_WIRE_FIXED64);
	uint8_t *at = reserve(b, 8);
	for (size_t k = 0; at && k < 8; k++)
		at[k] = (uint8_t)(bits >> (8 * k));
}

void pb_string_field(struct pb_buffer *b, uint32_t field, const char *s)
{
	size_t len = strlen(s);
	put_tag(b, field, PB_WIRE_LENGTH);
	put_varint(b, len);
	uint8_t *at = reserve(b, len);
	if (at)
		memcpy(at, s, len);
}

size_t pb_begin(struct pb_buffer *b, uint32_t field)
{
	put_tag(b, field, PB_WIRE_LENGTH);
	reserve(b, PADDED_LENGTH_BYTES);
	return b->size;
}

void pb_end(struct pb_buffer *b, size_t mark)
{
	if (b->failed)
		return;
	size_t len = b->size - mark;
	if (len >> (7 * PADDED_LENGTH_BYTES)) {
		b->failed = true;
		return;
	}
	uint8_t *at = b->data + mark - PADDED_LENGTH_BYTES;
	for (size_t k = 0; k < PADDED_LENGTH_BYTES; k++)
		at[k] = (uint8_t)((len >> (7 * k)) & 0x7f) | (k + 1 < PADDED_LENGTH_BYTES ? 0x80 : 0);
}

void pb_free(struct pb_buffer *b)
{
	free(b->data);
	*b = (struct pb_buffer){ 0 };
}
