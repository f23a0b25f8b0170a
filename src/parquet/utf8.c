/* UTF-8 validation (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF. */
#include "parquet/parquet.h"

#include <string.h>

size_t pq_utf8_char_length(const void *s, size_t len)
{
	const unsigned char *p = s;
	unsigned c = p[0], lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

bool pq_utf8_valid(const void *s, size_t len)
{
	const unsigned char *p = s, *end = p + len;
	while (p < end) {
		/* ASCII fast path, 8 bytes at a time. */
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (w & 0x8080808080808080ull)
				break;
			p += 8;
		}
		if (p == end)
			break;
		if (*p < 0x80) { /* the tail of a short ASCII value, without a call per byte */
			p++;
			continue;
		}
		size_t n = pq_utf8_char_length(p, (size_t)(end - p));
		if (n == 0)
			return false;
		p += n;
	}
	return true;
}
