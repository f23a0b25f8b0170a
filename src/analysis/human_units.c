#include "analysis/human_units.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parquet/parquet.h"

#define NS_PER_S UINT64_C(1000000000)

void human_duration(int64_t ns, char out[HUMAN_UNIT_SIZE])
{
	static const struct {
		double ns;
		const char *name;
		double next_unit_at; /* where the rounded value would need the next unit */
	} units[] = { { 1e3, "µs", 999.5 }, { 1e6, "ms", 999.5 }, { 1e9, "s", 59.95 } };
	const char *sign = ns < 0 ? "-" : "";
	uint64_t magnitude = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	if (magnitude < 1000) {
		snprintf(out, HUMAN_UNIT_SIZE, "%s%" PRIu64 " ns", sign, magnitude);
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double value = (double)magnitude / units[i].ns;
		if (value < units[i].next_unit_at) {
			int decimals = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
			snprintf(out, HUMAN_UNIT_SIZE, "%s%.*f %s", sign, decimals, value, units[i].name);
			return;
		}
	}
	uint64_t seconds = magnitude / NS_PER_S + (magnitude % NS_PER_S >= NS_PER_S / 2);
	uint64_t minutes = seconds / 60 + (seconds % 60 >= 30);
	uint64_t hours = minutes / 60 + (minutes % 60 >= 30);
	if (seconds < 3600)
		snprintf(out, HUMAN_UNIT_SIZE, "%s%" PRIu64 " m %02" PRIu64 " s", sign, seconds / 60,
			 seconds % 60);
	else if (minutes < 24 * 60)
		snprintf(out, HUMAN_UNIT_SIZE, "%s%" PRIu64 " h %02" PRIu64 " m", sign, minutes / 60,
			 minutes % 60);
	else
		snprintf(out, HUMAN_UNIT_SIZE, "%s%" PRIu64 " d %02" PRIu64 " h", sign, hours / 24,
			 hours % 24);
}

void human_size(uint64_t bytes, char out[HUMAN_UNIT_SIZE])
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	if (bytes < 1024) {
		snprintf(out, HUMAN_UNIT_SIZE, "%" PRIu64 " B", bytes);
		return;
	}
	double value = (double)bytes / 1024;
	size_t unit = 0;
	while (value >= 1023.5 && unit + 1 < sizeof(units) / sizeof(units[0])) {
		value /= 1024;
		unit++;
	}
	snprintf(out, HUMAN_UNIT_SIZE, "%.*f %s", value < 9.95 ? 1 : 0, value, units[unit]);
}

/* One character of a string as shown: its bytes, or a visible escape when it is a control
 * character or not valid UTF-8 ("\n", "\t", "\r", "\x1b", "\u0085" for C1 controls). */
struct shown_char {
	const char *bytes; /* the character itself, unless escape[0] */
	size_t size;   /* bytes shown */
	size_t width;  /* columns */
	size_t length; /* bytes consumed from the input */
	char escape[8];
};

static struct shown_char next_shown_char(const char *s, size_t len)
{
	unsigned char lead = (unsigned char)s[0];
	size_t n = pq_utf8_char_length(s, len);
	struct shown_char c = { s, n, 1, n, "" };
	if (n == 1 && (lead < 0x20 || lead == 0x7F)) {
		const char *named = lead == '\n' ? "\\n" : lead == '\t' ? "\\t" : lead == '\r' ? "\\r" : NULL;
		if (named)
			snprintf(c.escape, sizeof(c.escape), "%s", named);
		else
			snprintf(c.escape, sizeof(c.escape), "\\x%02x", lead);
	} else if (n == 2 && lead == 0xC2 && (unsigned char)s[1] < 0xA0) {
		snprintf(c.escape, sizeof(c.escape), "\\u%04x", (unsigned char)s[1]);
	} else if (n == 0) {
		snprintf(c.escape, sizeof(c.escape), "\\x%02x", lead);
		c.length = 1;
	} else {
		return c;
	}
	c.size = c.width = strlen(c.escape);
	return c;
}

size_t display_width(const char *s, size_t len)
{
	size_t width = 0;
	for (size_t i = 0; i < len;) {
		struct shown_char c = next_shown_char(s + i, len - i);
		width += c.width;
		i += c.length;
	}
	return width;
}

/* Appends the characters of s[*pos..len) that fit in `columns` columns to out, advancing
 * *pos; stops early rather than overflow out (keeping room for the NUL). Returns the columns
 * appended. */
static size_t append_shown(const char *s, size_t len, size_t *pos, size_t columns, char *out,
			   size_t out_size, size_t *used)
{
	size_t appended = 0;
	while (*pos < len) {
		struct shown_char c = next_shown_char(s + *pos, len - *pos);
		if (appended + c.width > columns || *used + c.size >= out_size)
			break;
		memcpy(out + *used, c.escape[0] ? c.escape : c.bytes, c.size);
		*used += c.size;
		appended += c.width;
		*pos += c.length;
	}
	return appended;
}

size_t shorten_middle(const char *s, size_t len, size_t max_width, char *out, size_t out_size)
{
	static const char ellipsis[] = "…";
	size_t width = display_width(s, len), used = 0, pos = 0, shown = 0;
	if (out_size == 0)
		return 0;
	if (width <= max_width) {
		shown = append_shown(s, len, &pos, width, out, out_size, &used);
	} else if (max_width > 0) {
		size_t head = max_width / 2, tail = max_width - 1 - head;
		shown = append_shown(s, len, &pos, head, out, out_size, &used);
		if (used + sizeof(ellipsis) - 1 < out_size) {
			memcpy(out + used, ellipsis, sizeof(ellipsis) - 1);
			used += sizeof(ellipsis) - 1;
			/* Skip to where the last `tail` columns (or fewer) begin. */
			for (size_t rest = width - shown; pos < len && rest > tail;) {
				struct shown_char c = next_shown_char(s + pos, len - pos);
				rest = rest > c.width ? rest - c.width : 0;
				pos += c.length;
			}
			shown += 1 + append_shown(s, len, &pos, tail, out, out_size, &used);
		}
	}
	out[used] = '\0';
	return shown;
}
