#include "analysis/self_time.h"

#include <stdlib.h>

#include "analysis/grouping.h"

struct id_index {
	int64_t id;
	size_t index;
};

/* A child's span, listed under its parent's index. */
struct child_span {
	size_t parent;
	int64_t start_ns, end_ns;
};

static int compare_ids(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static int compare_children(const void *a, const void *b)
{
	const struct child_span *x = a, *y = b;
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

/* Index of the first execution with this id, or count. */
static size_t find_id(const struct id_index *ids, size_t count, int64_t id)
{
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < count && ids[lo].id == id ? ids[lo].index : count;
}

static int64_t span_length(int64_t start, int64_t end)
{
	return end > start ? elapsed_ns(start, end) : 0;
}

int self_time_compute(const struct execution_record *executions, size_t count, int64_t *self_ns)
{
	struct id_index *ids = malloc((count ? count : 1) * sizeof(*ids));
	struct child_span *children = malloc((count ? count : 1) * sizeof(*children));
	if (!ids || !children) {
		free(ids);
		free(children);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		ids[i] = (struct id_index){ executions[i].span.exec_id, i };
		self_ns[i] = span_length(executions[i].span.start_ns, executions[i].span.end_ns);
	}
	qsort(ids, count, sizeof(*ids), compare_ids);
	size_t child_count = 0;
	for (size_t i = 0; i < count; i++) {
		const struct exec_span *s = &executions[i].span;
		size_t parent = s->parent_exec_id == EXEC_ID_NONE ? count
				: find_id(ids, count, s->parent_exec_id);
		if (parent < count && parent != i)
			children[child_count++] = (struct child_span){ parent, s->start_ns, s->end_ns };
	}
	qsort(children, child_count, sizeof(*children), compare_children);
	/* Sweep each parent's children in start order, adding up the union of their spans. */
	for (size_t k = 0; k < child_count;) {
		const struct exec_span *p = &executions[children[k].parent].span;
		int64_t covered = 0, reached = p->start_ns;
		size_t parent = children[k].parent;
		for (; k < child_count && children[k].parent == parent; k++) {
			int64_t from = children[k].start_ns > reached ? children[k].start_ns : reached;
			int64_t to = children[k].end_ns < p->end_ns ? children[k].end_ns : p->end_ns;
			if (to > from) {
				covered = add_saturated(covered, span_length(from, to));
				reached = to;
			}
		}
		self_ns[parent] = covered < self_ns[parent] ? self_ns[parent] - covered : 0;
	}
	free(ids);
	free(children);
	return 0;
}
