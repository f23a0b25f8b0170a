/* What the model holds, handed from one dataset to the next (record --rotate): each
 * execution as it is, so that a replay of the next dataset's journal starts from the same
 * model as the run did. */
#include <stdlib.h>
#include <string.h>

#include "model/argv.h"
#include "model/model_private.h"

int model_for_each_held(struct model *m, int (*fn)(void *ctx, const struct execution *e),
			void *ctx)
{
	/* Each chain from its end: added back in that order, a pid held twice (an exited process
	 * and the newer one that reused its pid) keeps its order, newest first. */
	for (size_t i = 0; i < m->processes.bucket_count; i++) {
		size_t length = 0;

		for (const struct execution *e = m->processes.buckets[i]; e; e = e->bucket_next)
			length++;
		while (length--) {
			const struct execution *e = m->processes.buckets[i];
			int rc;

			for (size_t k = 0; k < length; k++)
				e = e->bucket_next;
			if ((rc = fn(ctx, e)))
				return rc;
		}
	}
	return 0;
}

static int copy_string(char **out, const char *s)
{
	*out = s ? strdup(s) : NULL;
	return s && !*out ? -1 : 0;
}

/* The words as they are: already escaped. */
static int copy_words(struct argv_list *out, const struct argv_list *from)
{
	*out = (struct argv_list){.items = calloc(from->count ? from->count : 1, sizeof(char *)),
				  .truncated = from->truncated,
				  .redacted_words = from->redacted_words};
	if (!out->items)
		return -1;
	for (; out->count < from->count; out->count++)
		if (copy_string(&out->items[out->count], from->items[out->count]))
			return -1;
	return 0;
}

int model_restore(struct model *m, const struct execution *held)
{
	struct execution *e = malloc(sizeof(*e));
	const struct image *from = held->image;

	if (!e)
		return -1;
	*e = *held;
	e->bucket_next = NULL;
	e->image = image_new();
	if (!e->image || copy_string(&e->image->filename, from->filename) ||
	    copy_string(&e->image->cwd, from->cwd) ||
	    copy_words(&e->image->argv, &from->argv) || process_add(&m->processes, e)) {
		execution_destroy(e);
		return -1;
	}
	m->awaiting_final += e->exited;
	return 0;
}

void model_continue_ids(struct model *m, uint64_t next_exec_id)
{
	if (next_exec_id > m->next_exec_id)
		m->next_exec_id = next_exec_id;
}
