/* Executions grouped by a key — command line, binary, or normalized command line — with
 * their totals: the grouping tables of the report and the rows of `pipetrace diff`. */
#ifndef PIPETRACE_GROUPING_H
#define PIPETRACE_GROUPING_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/run_data.h"

enum group_key { KEY_CMDLINE, KEY_BINARY, KEY_NORMALIZED };

/* The key of each execution (NULL for a null cmdline or filename); owns normalized keys. */
struct execution_keys {
	const char **keys;
	char *text;
};

/* Executions sharing one key. */
struct group_total {
	const char *key;    /* NULL: executions with a null cmdline or filename */
	size_t executions;
	int64_t wall_ns;    /* sum of duration_ns */
	int64_t cpu_ns;     /* sum of cpu_ns */
	int64_t max_rss_kb; /* largest max_rss_kb */
	int64_t self_ns;    /* sum of self times (analysis/self_time.h), when given */
};

/* Returns 0, or -1 when out of memory. */
int execution_keys_make(const struct execution_record *executions, size_t count,
			enum group_key key, struct execution_keys *out);
void execution_keys_free(struct execution_keys *k);

/* Orders keys as the tables do: NULL first, then bytewise. */
int group_key_compare(const char *a, const char *b);

/* Groups executions[i] under keys[i] (with self time self_ns[i] unless self_ns is NULL) into
 * *out (malloc'd), sorted by key. Returns the number of groups, or -1 when out of memory. */
long group_totals(const struct execution_record *executions, const char *const *keys,
		  const int64_t *self_ns, size_t count, struct group_total **out);

/* a + b, saturated instead of overflowing on nonsense figures. */
static inline int64_t add_saturated(int64_t a, int64_t b)
{
	int64_t sum;
	if (__builtin_add_overflow(a, b, &sum))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return sum;
}

#endif
