#include "model/process_table.h"

#include <stdlib.h>

static size_t bucket_of(const struct process_table *t, uint32_t pid)
{
	return (pid * 2654435761u) & (t->bucket_count - 1);
}

/* The first slot holding pid from *slot on, or the chain's end. */
static struct execution **skip_to(struct execution **slot, uint32_t pid)
{
	while (*slot && (*slot)->pid != pid)
		slot = &(*slot)->bucket_next;
	return slot;
}

int process_table_grow(struct process_table *t)
{
	size_t old_count = t->bucket_count;
	struct execution **old = t->buckets;

	t->bucket_count = old_count ? old_count * 2 : 1024;
	t->buckets = calloc(t->bucket_count, sizeof(*t->buckets));
	if (!t->buckets) {
		t->buckets = old;
		t->bucket_count = old_count;
		return -1;
	}
	/* Appended, so that the processes holding one pid keep their order, newest first. */
	for (size_t i = 0; i < old_count; i++) {
		for (struct execution *e = old[i], *next, **tail; e; e = next) {
			next = e->bucket_next;
			for (tail = &t->buckets[bucket_of(t, e->pid)]; *tail; tail = &(*tail)->bucket_next)
				;
			e->bucket_next = NULL;
			*tail = e;
		}
	}
	free(old);
	return 0;
}

void process_table_free(struct process_table *t)
{
	free(t->buckets);
	*t = (struct process_table){0};
}

struct execution **process_slot(struct process_table *t, uint32_t pid)
{
	return skip_to(&t->buckets[bucket_of(t, pid)], pid);
}

struct execution **process_oldest_slot(struct process_table *t, uint32_t pid)
{
	struct execution **slot = process_slot(t, pid), **next;

	while (*slot && *(next = skip_to(&(*slot)->bucket_next, pid)))
		slot = next;
	return slot;
}

int process_add(struct process_table *t, struct execution *e)
{
	size_t b;

	if (t->count >= t->bucket_count && process_table_grow(t))
		return -1;
	b = bucket_of(t, e->pid);
	e->bucket_next = t->buckets[b];
	t->buckets[b] = e;
	t->count++;
	return 0;
}

void process_remove(struct process_table *t, struct execution **slot)
{
	*slot = (*slot)->bucket_next;
	t->count--;
}
