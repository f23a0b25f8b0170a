#include "analysis/critical_path.h"

#include <stdbool.h>
#include <stdlib.h>

#define NO_INDEX SIZE_MAX

struct id_entry {
	int64_t id;
	size_t index;
};

/* A step that has a parent step, keyed for the walk: children of one parent are contiguous,
 * by end time, and of equal ends the one that started first is picked (sorted last). */
struct child_entry {
	size_t parent;
	size_t step;
	int64_t start_ns, end_ns;
};

/* Working state; every array holds one element per input span. */
struct walk {
	const struct exec_span *spans;
	size_t count;
	struct id_entry *ids;       /* sorted by id, then index */
	size_t *next_image;         /* the span that continues this one after exec */
	bool *continues;            /* the span is the next image of another */
	size_t *step_of;            /* first image of the step a span belongs to */
	size_t *last_image;         /* per step: its last image */
	int64_t *step_end;          /* per step: when its last image ended */
	struct child_entry *children;
	size_t child_count;
	size_t *children_begin;     /* per step: its first entry in children */
	size_t *stack;              /* steps waiting to be expanded */
	size_t *stack_depth;
};

static int compare_ids(const void *a, const void *b)
{
	const struct id_entry *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int compare_children(const void *a, const void *b)
{
	const struct child_entry *x = a, *y = b;
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->end_ns != y->end_ns)
		return x->end_ns < y->end_ns ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns > y->start_ns ? -1 : 1;
	return x->step > y->step ? -1 : x->step < y->step;
}

static int64_t span_end(const struct exec_span *s)
{
	return s->end_ns > s->start_ns ? s->end_ns : s->start_ns;
}

/* Index of the first span with this id, or NO_INDEX. */
static size_t find_span(const struct walk *w, int64_t id)
{
	size_t lo = 0, hi = w->count;
	if (id == EXEC_ID_NONE)
		return NO_INDEX;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->count && w->ids[lo].id == id ? w->ids[lo].index : NO_INDEX;
}

static bool is_duplicate(const struct walk *w, size_t i)
{
	return find_span(w, w->spans[i].exec_id) != i;
}

/* Links each image to the next one of its exec chain and assigns every span to a step. */
static void build_steps(struct walk *w)
{
	for (size_t i = 0; i < w->count; i++) {
		w->next_image[i] = w->step_of[i] = NO_INDEX;
		w->continues[i] = false;
	}
	for (size_t i = 0; i < w->count; i++) {
		size_t prev = find_span(w, w->spans[i].prev_exec_id);
		if (is_duplicate(w, i) || prev == NO_INDEX || prev == i || w->next_image[prev] != NO_INDEX)
			continue;
		w->next_image[prev] = i;
		w->continues[i] = true;
	}
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t first = 0; first < w->count; first++) {
			/* Pass 0 starts chains at their heads; pass 1 breaks cycles anywhere. */
			if (w->step_of[first] != NO_INDEX || is_duplicate(w, first) ||
			    (pass == 0 && w->continues[first]))
				continue;
			w->step_end[first] = span_end(&w->spans[first]);
			for (size_t i = first; i != NO_INDEX && w->step_of[i] == NO_INDEX;
			     i = w->next_image[i]) {
				w->step_of[i] = first;
				w->last_image[first] = i;
				if (span_end(&w->spans[i]) > w->step_end[first])
					w->step_end[first] = span_end(&w->spans[i]);
			}
		}
	}
}

/* The parent step of step `first`, or NO_INDEX for a root. */
static size_t parent_step(const struct walk *w, size_t first)
{
	size_t parent = find_span(w, w->spans[first].parent_exec_id);
	if (parent == NO_INDEX || w->step_of[parent] == first)
		return NO_INDEX;
	return w->step_of[parent];
}

/* Lists every step under its parent and returns the root step, or NO_INDEX. */
static size_t build_children(struct walk *w)
{
	size_t root = NO_INDEX;
	w->child_count = 0;
	for (size_t first = 0; first < w->count; first++) {
		if (w->step_of[first] != first)
			continue;
		size_t parent = parent_step(w, first);
		if (parent != NO_INDEX) {
			w->children[w->child_count++] = (struct child_entry){
				parent, first, w->spans[first].start_ns, w->step_end[first] };
		} else if (root == NO_INDEX || w->step_end[first] > w->step_end[root] ||
			   (w->step_end[first] == w->step_end[root] &&
			    w->spans[first].start_ns < w->spans[root].start_ns)) {
			root = first;
		}
	}
	qsort(w->children, w->child_count, sizeof(*w->children), compare_children);
	for (size_t i = w->count; i-- > 0;)
		w->children_begin[i] = w->child_count;
	for (size_t k = w->child_count; k-- > 0;)
		w->children_begin[w->children[k].parent] = k;
	return root;
}

/* One past the last entry in children[begin..end) that ended at or before t. */
static size_t children_ended_by(const struct walk *w, size_t begin, size_t end, int64_t t)
{
	while (begin < end) {
		size_t mid = begin + (end - begin) / 2;
		if (w->children[mid].end_ns <= t)
			begin = mid + 1;
		else
			end = mid;
	}
	return begin;
}

static size_t children_end(const struct walk *w, size_t step)
{
	size_t k = w->children_begin[step];
	while (k < w->child_count && w->children[k].parent == step)
		k++;
	return k;
}

/* Finds the children of `step` on the path, pushes them (the earliest last, so it is expanded
 * next) and returns the step's self time. */
static int64_t expand_step(struct walk *w, size_t step, size_t depth, size_t *stack_size)
{
	int64_t window_start = w->spans[step].start_ns, t = w->step_end[step];
	uint64_t covered = 0;
	size_t begin = w->children_begin[step];
	size_t bound = children_end(w, step);
	while (t > window_start) {
		bound = children_ended_by(w, begin, bound, t);
		if (bound == begin || w->children[bound - 1].end_ns <= window_start)
			break;
		const struct child_entry *child = &w->children[--bound];
		int64_t from = child->start_ns > window_start ? child->start_ns : window_start;
		covered += (uint64_t)child->end_ns - (uint64_t)from;
		w->stack[*stack_size] = child->step;
		w->stack_depth[(*stack_size)++] = depth + 1;
		t = child->start_ns;
	}
	uint64_t self = (uint64_t)w->step_end[step] - (uint64_t)window_start - covered;
	return self > INT64_MAX ? INT64_MAX : (int64_t)self;
}

static void walk_path(struct walk *w, size_t root, struct critical_path *out)
{
	size_t stack_size = 0;
	w->stack[stack_size] = root;
	w->stack_depth[stack_size++] = 0;
	while (stack_size > 0) {
		stack_size--;
		size_t step = w->stack[stack_size], depth = w->stack_depth[stack_size];
		struct path_step *entry = &out->steps[out->count++];
		*entry = (struct path_step){
			.first = step, .last = w->last_image[step], .depth = depth,
			.start_ns = w->spans[step].start_ns, .end_ns = w->step_end[step],
		};
		entry->self_ns = expand_step(w, step, depth, &stack_size);
	}
}

/* Allocates the walk's per-span arrays but the children's, and groups the spans into steps;
 * -1 when out of memory (then walk_free frees what was allocated). */
static int walk_steps(struct walk *w, const struct exec_span *spans, size_t count)
{
	size_t n = count ? count : 1;
	*w = (struct walk){
		.spans = spans, .count = count,
		.ids = malloc(n * sizeof(*w->ids)),
		.next_image = malloc(n * sizeof(size_t)),
		.continues = malloc(n * sizeof(bool)),
		.step_of = malloc(n * sizeof(size_t)),
		.last_image = malloc(n * sizeof(size_t)),
		.step_end = malloc(n * sizeof(int64_t)),
	};
	if (!w->ids || !w->next_image || !w->continues || !w->step_of || !w->last_image ||
	    !w->step_end)
		return -1;
	for (size_t i = 0; i < count; i++)
		w->ids[i] = (struct id_entry){ spans[i].exec_id, i };
	qsort(w->ids, count, sizeof(*w->ids), compare_ids);
	build_steps(w);
	return 0;
}

static void walk_free(struct walk *w)
{
	free(w->ids);
	free(w->next_image);
	free(w->continues);
	free(w->step_of);
	free(w->last_image);
	free(w->step_end);
	free(w->children);
	free(w->children_begin);
	free(w->stack);
	free(w->stack_depth);
}

int exec_steps_compute(const struct exec_span *spans, size_t count, struct exec_steps *out)
{
	struct walk w;
	*out = (struct exec_steps){ .parent_step = malloc((count ? count : 1) * sizeof(size_t)) };
	int result = -1;
	if (walk_steps(&w, spans, count) == 0 && out->parent_step) {
		for (size_t i = 0; i < count; i++)
			out->parent_step[i] = w.step_of[i] == i ? parent_step(&w, i) : NO_INDEX;
		out->step_of = w.step_of;
		out->next_image = w.next_image;
		w.step_of = w.next_image = NULL;
		result = 0;
	}
	walk_free(&w);
	if (result != 0)
		exec_steps_free(out);
	return result;
}

void exec_steps_free(struct exec_steps *steps)
{
	free(steps->step_of);
	free(steps->next_image);
	free(steps->parent_step);
	*steps = (struct exec_steps){ 0 };
}

int critical_path_compute(const struct exec_span *spans, size_t count, struct critical_path *out)
{
	size_t n = count ? count : 1;
	struct walk w;
	int result = -1;
	*out = (struct critical_path){ malloc(n * sizeof(*out->steps)), 0 };
	if (walk_steps(&w, spans, count) == 0) {
		w.children = malloc(n * sizeof(*w.children));
		w.children_begin = malloc(n * sizeof(size_t));
		w.stack = malloc(n * sizeof(size_t));
		w.stack_depth = malloc(n * sizeof(size_t));
	}
	if (w.children && w.children_begin && w.stack && w.stack_depth && out->steps) {
		size_t root = build_children(&w);
		if (root != NO_INDEX)
			walk_path(&w, root, out);
		result = 0;
	}
	walk_free(&w);
	if (result != 0)
		critical_path_free(out);
	return result;
}

void critical_path_free(struct critical_path *path)
{
	free(path->steps);
	*path = (struct critical_path){ 0 };
}
