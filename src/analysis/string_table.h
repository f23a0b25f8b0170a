/* Strings numbered in the order first seen, each once: the string table of the HTML export
 * and the interned strings of the Perfetto trace. The table keeps a copy of each. */
#ifndef PIPETRACE_STRING_TABLE_H
#define PIPETRACE_STRING_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#define STRING_TABLE_FULL SIZE_MAX

struct string_table {
	const char **strings; /* count of them, by number */
	size_t count, capacity;
	size_t *slots;        /* open addressing: number + 1, 0 for empty */
	size_t slot_count;    /* a power of two, at least twice count */
};

/* The number of s, added when new (*added then true); STRING_TABLE_FULL when out of memory. */
size_t string_table_intern(struct string_table *t, const char *s, bool *added);
void string_table_free(struct string_table *t);

#endif
