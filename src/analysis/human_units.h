/* Numbers and strings for people: durations ("850 µs", "1.24 s", "3 m 04 s"), sizes
 * ("512 KiB"), and command lines shortened in the middle to fit a column. */
#ifndef PIPETRACE_HUMAN_UNITS_H
#define PIPETRACE_HUMAN_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Large enough for any formatted duration or size. */
#define HUMAN_UNIT_SIZE 32

/* Three significant digits below a minute, then "3 m 04 s", "1 h 02 m", "2 d 03 h". */
void human_duration(int64_t ns, char out[HUMAN_UNIT_SIZE]);
/* Binary units: "512 B", "1.5 KiB", "512 KiB", "1.5 GiB". */
void human_size(uint64_t bytes, char out[HUMAN_UNIT_SIZE]);

/* Number of columns s[0..len) shows as: one per UTF-8 code point, but for the escapes. */
size_t display_width(const char *s, size_t len);

/* Writes s[0..len) to out (out_size bytes, always NUL-terminated) so that it shows as at
 * most max_width columns: when longer, its middle is replaced by "…". Control characters and
 * invalid UTF-8 bytes become visible escapes ("\\n", "\\t", "\\r", "\\x1b", "\\u0085"), so the
 * result is one safe line. Returns the number of columns written. */
size_t shorten_middle(const char *s, size_t len, size_t max_width, char *out, size_t out_size);

#endif
