#include "analysis/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A process (the head of an exec chain, or a duplicate exec_id on its own) under its parent,
 * keyed so that siblings are contiguous, by start time. */
struct child_key {
	size_t parent; /* head of the parent process, TIMELINE_NONE for a root */
	int64_t start_ns;
	size_t head;
};

static int compare_child_keys(const void *a, const void *b)
{
	const struct child_key *x = a, *y = b;
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return (x->head > y->head) - (x->head < y->head);
}

/* Working state of the layout; arrays of one element per execution. */
struct layout {
	struct timeline *t;
	struct exec_steps steps;
	struct child_key *keys;
	size_t key_count;
	size_t *children_begin; /* per head: its first child in keys */
	size_t *stack;
	size_t *stack_parent;   /* row of the process that pushed the entry */
	bool *placed;
	size_t images_used;
};

static size_t head_of(const struct layout *l, size_t i)
{
	return l->steps.step_of[i] != TIMELINE_NONE ? l->steps.step_of[i] : i;
}

static void list_children(struct layout *l)
{
	const struct execution_record *e = l->t->run->executions;
	size_t count = l->t->run->execution_count;
	for (size_t i = 0; i < count; i++)
		if (head_of(l, i) == i)
			l->keys[l->key_count++] = (struct child_key){
				l->steps.parent_step[i], e[i].span.start_ns, i };
	qsort(l->keys, l->key_count, sizeof(*l->keys), compare_child_keys);
	for (size_t i = 0; i < count; i++)
		l->children_begin[i] = l->key_count;
	for (size_t k = l->key_count; k-- > 0;)
		if (l->keys[k].parent != TIMELINE_NONE)
			l->children_begin[l->keys[k].parent] = k;
}

/* Gives the process headed by `head` the next row, its images in chain order. */
static size_t place_process(struct layout *l, size_t head, size_t parent)
{
	struct timeline *t = l->t;
	const struct execution_record *e = t->run->executions;
	size_t row = t->process_count++;
	struct timeline_process *p = &t->processes[row];
	*p = (struct timeline_process){
		.parent = parent, .depth = parent == TIMELINE_NONE ? 0 : t->processes[parent].depth + 1,
		.first_image = l->images_used, .subtree_end = row + 1,
		.start_ns = e[head].span.start_ns, .end_ns = e[head].span.end_ns,
	};
	l->placed[head] = true;
	bool chained = l->steps.step_of[head] == head;
	/* Along the chain while its images are this step's; a cycle of prev_exec_id comes back
	 * to the head. */
	for (size_t i = head; i != TIMELINE_NONE;) {
		t->images[l->images_used++] = i;
		t->row_of[i] = row;
		p->image_count++;
		if (e[i].span.end_ns > p->end_ns)
			p->end_ns = e[i].span.end_ns;
		i = chained ? l->steps.next_image[i] : TIMELINE_NONE;
		if (i == head || (i != TIMELINE_NONE && l->steps.step_of[i] != head))
			break;
	}
	return row;
}

/* Depth-first from `root`, children by start time; a process already placed (a cycle of
 * parents) is not placed again. */
static void place_subtree(struct layout *l, size_t root)
{
	size_t depth = 0;
	l->stack[depth] = root;
	l->stack_parent[depth++] = TIMELINE_NONE;
	while (depth > 0) {
		depth--;
		size_t head = l->stack[depth], parent = l->stack_parent[depth];
		if (l->placed[head])
			continue;
		size_t row = place_process(l, head, parent);
		size_t begin = l->children_begin[head], end = begin;
		while (end < l->key_count && l->keys[end].parent == head)
			end++;
		for (size_t k = end; k-- > begin;) {
			l->stack[depth] = l->keys[k].head;
			l->stack_parent[depth++] = row;
		}
	}
}

static void finish_rows(struct timeline *t)
{
	for (size_t r = t->process_count; r-- > 0;) {
		size_t parent = t->processes[r].parent;
		if (parent != TIMELINE_NONE && t->processes[r].subtree_end > t->processes[parent].subtree_end)
			t->processes[parent].subtree_end = t->processes[r].subtree_end;
	}
	for (size_t s = 0; s < t->summary.path.count; s++) {
		const struct path_step *step = &t->summary.path.steps[s];
		const struct timeline_process *p = &t->processes[t->row_of[step->first]];
		for (size_t k = 0; k < p->image_count; k++)
			t->on_path[t->images[p->first_image + k]] = true;
	}
}

static int lay_out(struct timeline *t)
{
	size_t count = t->run->execution_count, n = count ? count : 1;
	struct exec_span *spans = run_record_spans(t->run);
	struct layout l = {
		.t = t,
		.keys = malloc(n * sizeof(*l.keys)),
		.children_begin = malloc(n * sizeof(size_t)),
		.stack = malloc(n * sizeof(size_t)),
		.stack_parent = malloc(n * sizeof(size_t)),
		.placed = calloc(n, sizeof(bool)),
	};
	t->processes = malloc(n * sizeof(*t->processes));
	t->images = malloc(n * sizeof(size_t));
	t->row_of = malloc(n * sizeof(size_t));
	t->on_path = calloc(n, sizeof(bool));
	int result = -1;
	if (spans && l.keys && l.children_begin && l.stack && l.stack_parent && l.placed &&
	    t->processes && t->images && t->row_of && t->on_path &&
	    exec_steps_compute(spans, count, &l.steps) == 0) {
		list_children(&l);
		for (size_t k = 0; k < l.key_count; k++)
			if (l.keys[k].parent == TIMELINE_NONE)
				place_subtree(&l, l.keys[k].head);
		for (size_t k = 0; k < l.key_count; k++)
			place_subtree(&l, l.keys[k].head); /* what only cycles of parents reach */
		finish_rows(t);
		result = 0;
	}
	exec_steps_free(&l.steps);
	free(spans);
	free(l.keys);
	free(l.children_begin);
	free(l.stack);
	free(l.stack_parent);
	free(l.placed);
	return result;
}

static const struct run_record *find_run(const struct run_data *d, const char *dir,
					 const char *run_id, char *err, size_t err_size)
{
	if (!run_id && d->run_count == 1)
		return &d->runs[0];
	if (!run_id) {
		snprintf(err, err_size, "%s holds %zu runs; choose one with --run RUN_ID (runs.parquet "
			 "lists them)", dir, d->run_count);
		return NULL;
	}
	for (size_t r = 0; r < d->run_count; r++)
		if (strcmp(d->runs[r].run_id, run_id) == 0)
			return &d->runs[r];
	snprintf(err, err_size, "%s/runs.parquet: no run \"%s\"", dir, run_id);
	return NULL;
}

int timeline_load(const char *dir, const char *run_id, struct timeline *out, char *err,
		  size_t err_size)
{
	*out = (struct timeline){ .dir = dir };
	if (run_data_load(dir, &out->data, err, err_size) != 0)
		return -1;
	out->run = find_run(&out->data, dir, run_id, err, err_size);
	bool loaded = out->run &&
		      cpu_samples_load(dir, out->run->run_id, out->data.run_count == 1,
				       &out->samples, err, err_size) == 0;
	if (loaded && (summary_compute(out->run, KEY_CMDLINE, &out->summary) != 0 ||
		       lay_out(out) != 0)) {
		snprintf(err, err_size, "%s: out of memory", dir);
		loaded = false;
	}
	if (!loaded)
		timeline_free(out);
	return loaded ? 0 : -1;
}

void timeline_free(struct timeline *t)
{
	summary_free(&t->summary);
	cpu_samples_free(&t->samples);
	run_data_free(&t->data);
	free(t->processes);
	free(t->images);
	free(t->row_of);
	free(t->on_path);
	*t = (struct timeline){ 0 };
}

const struct cpu_sample *timeline_samples(const struct timeline *t, size_t i, size_t *count)
{
	int64_t id = t->run->executions[i].span.exec_id;
	size_t lo = 0, hi = t->samples.count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->samples.samples[mid].exec_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < t->samples.count && t->samples.samples[end].exec_id == id)
		end++;
	*count = end - lo;
	return t->samples.samples + lo;
}

double sample_cpu_rate(const struct timeline *t, size_t execution, const struct cpu_sample *s,
		       size_t k)
{
	int64_t from = k ? s[k - 1].ts_ns : t->run->executions[execution].span.start_ns;
	int64_t cpu_from = k ? s[k - 1].cpu_ns : 0;
	int64_t elapsed = elapsed_ns(from, s[k].ts_ns);
	return elapsed > 0 ? (double)(s[k].cpu_ns - cpu_from) / (double)elapsed : 0;
}
