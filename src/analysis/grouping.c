#include "analysis/grouping.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/normalize.h"

int execution_keys_make(const struct execution_record *executions, size_t count,
			enum group_key key, struct execution_keys *out)
{
	*out = (struct execution_keys){ malloc((count ? count : 1) * sizeof(*out->keys)), NULL };
	if (!out->keys)
		return -1;
	size_t size = 1;
	for (size_t i = 0; key == KEY_NORMALIZED && i < count; i++)
		size += executions[i].cmdline ? strlen(executions[i].cmdline) + 1 : 0;
	if (key == KEY_NORMALIZED && !(out->text = malloc(size))) {
		execution_keys_free(out);
		return -1;
	}
	char *cursor = out->text;
	for (size_t i = 0; i < count; i++) {
		const struct execution_record *e = &executions[i];
		out->keys[i] = key == KEY_BINARY ? e->filename : e->cmdline;
		if (key == KEY_NORMALIZED && e->cmdline) {
			out->keys[i] = cursor;
			cursor += normalize_command(e->cmdline, cursor) + 1;
		}
	}
	return 0;
}

void execution_keys_free(struct execution_keys *k)
{
	free(k->keys);
	free(k->text);
	*k = (struct execution_keys){ 0 };
}

int group_key_compare(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

struct keyed_execution {
	const char *key;
	size_t index;
};

static int compare_keyed(const void *a, const void *b)
{
	return group_key_compare(((const struct keyed_execution *)a)->key,
				 ((const struct keyed_execution *)b)->key);
}

long group_totals(const struct execution_record *executions, const char *const *keys,
		  const int64_t *self_ns, size_t count, struct group_total **out)
{
	struct keyed_execution *keyed = malloc((count ? count : 1) * sizeof(*keyed));
	*out = malloc((count ? count : 1) * sizeof(**out));
	if (!keyed || !*out) {
		free(keyed);
		free(*out);
		*out = NULL;
		return -1;
	}
	for (size_t i = 0; i < count; i++)
		keyed[i] = (struct keyed_execution){ keys[i], i };
	qsort(keyed, count, sizeof(*keyed), compare_keyed);
	size_t groups = 0;
	for (size_t i = 0; i < count; i++) {
		const struct execution_record *e = &executions[keyed[i].index];
		if (i == 0 || group_key_compare(keyed[i - 1].key, keyed[i].key) != 0)
			(*out)[groups++] = (struct group_total){ .key = keyed[i].key };
		struct group_total *g = &(*out)[groups - 1];
		g->executions++;
		g->wall_ns = add_saturated(g->wall_ns, e->duration_ns);
		g->cpu_ns = add_saturated(g->cpu_ns, e->cpu_ns);
		if (self_ns)
			g->self_ns = add_saturated(g->self_ns, self_ns[keyed[i].index]);
		if (e->max_rss_kb > g->max_rss_kb)
			g->max_rss_kb = e->max_rss_kb;
	}
	free(keyed);
	return (long)groups;
}
