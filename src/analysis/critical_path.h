/* The critical path of a run: the chain of nested executions that determined when it ended.
 *
 * Executions form a tree through parent_exec_id. An exec chain (an execution whose
 * prev_exec_id names another: the same process after exec) is one step: it lasts from the
 * first image's start to the last image's end and its children are those of every image.
 * From the root step (no known parent; of several, the one that ended last), walking back
 * from a step's end: the child that ended last at or before that point is on the path, then
 * the child that ended last at or before that child started, and so on; the time between
 * them is the step's own ("self") time. Each child on the path is expanded the same way.
 * See docs/report.md. Pure: no I/O; O(n log n) time, O(n) memory, no recursion. */
#ifndef PIPETRACE_CRITICAL_PATH_H
#define PIPETRACE_CRITICAL_PATH_H

#include <stddef.h>
#include <stdint.h>

#define EXEC_ID_NONE INT64_MIN /* a null parent_exec_id / prev_exec_id */

struct exec_span {
	int64_t exec_id;
	int64_t parent_exec_id; /* or EXEC_ID_NONE */
	int64_t prev_exec_id;   /* or EXEC_ID_NONE */
	int64_t start_ns;
	int64_t end_ns;
};

/* One step on the path, in time order; a step comes before the steps nested in it. */
struct path_step {
	size_t first; /* index of the step's first image in the input array */
	size_t last;  /* index of its last image (== first unless it exec'd) */
	size_t depth; /* 0 for the root step */
	int64_t start_ns, end_ns;
	int64_t self_ns; /* time of the step not covered by its children on the path */
};

struct critical_path {
	struct path_step *steps;
	size_t count;
};

/* Computes the path of spans[0..count). Duplicate exec_ids after the first, links to unknown
 * ids and link cycles are ignored. Returns 0, or -1 when out of memory. */
int critical_path_compute(const struct exec_span *spans, size_t count, struct critical_path *out);
void critical_path_free(struct critical_path *path);

/* The steps themselves (exec chains) and their tree, for drawing a run: per span, the first
 * image of its step (SIZE_MAX for a duplicate exec_id after the first) and the next image of
 * its chain (SIZE_MAX at the chain's end); per step (indexed by its first image), the first
 * image of its parent step (SIZE_MAX for a root, and for spans that start no step). */
struct exec_steps {
	size_t *step_of;
	size_t *next_image;
	size_t *parent_step;
};

/* Returns 0, or -1 when out of memory. */
int exec_steps_compute(const struct exec_span *spans, size_t count, struct exec_steps *out);
void exec_steps_free(struct exec_steps *steps);

/* to - from, saturated instead of overflowing on nonsense timestamps. */
static inline int64_t elapsed_ns(int64_t from, int64_t to)
{
	int64_t difference;
	if (__builtin_sub_overflow(to, from, &difference))
		return to > from ? INT64_MAX : INT64_MIN;
	return difference;
}

#endif
