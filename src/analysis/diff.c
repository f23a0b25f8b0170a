/* What got slower or faster, appeared or vanished between two datasets (analysis/diff.h). */
#include "analysis/diff.h"

#include <stdlib.h>

#include "analysis/self_time.h"

/* One dataset, grouped. */
struct diff_side {
	struct run_data data;
	struct execution_keys keys;
	int64_t *self_ns;
	struct group_total *groups; /* sorted by key */
	size_t group_count;
	struct diff_totals totals;
};

static void side_free(struct diff_side *s)
{
	execution_keys_free(&s->keys);
	free(s->self_ns);
	free(s->groups);
	run_data_free(&s->data);
	*s = (struct diff_side){ 0 };
}

/* Loads dir and groups the executions of its runs; -1 with the cause in err. */
static int side_load(const char *dir, enum group_key key, struct diff_side *s, char *err,
		     size_t err_size)
{
	*s = (struct diff_side){ 0 };
	if (run_data_load(dir, &s->data, err, err_size) != 0)
		return -1;
	if (s->data.orphan_executions > 0)
		fprintf(stderr, "pipetrace: warning: %s/processes.parquet: %zu executions name no run "
				"of runs.parquet; they are left out of the comparison\n",
			dir, s->data.orphan_executions);
	size_t count = 0;
	for (size_t r = 0; r < s->data.run_count; r++) {
		const struct run_record *run = &s->data.runs[r];
		count += run->execution_count;
		s->totals.wall_ns = add_saturated(s->totals.wall_ns,
						  elapsed_ns(run->start_ns, run->end_ns));
	}
	s->totals.executions = count;
	s->self_ns = malloc((count ? count : 1) * sizeof(*s->self_ns));
	bool ok = s->self_ns != NULL;
	/* The runs' executions come first in data.executions, run by run (run_data.h). */
	for (size_t r = 0, at = 0; ok && r < s->data.run_count; r++) {
		const struct run_record *run = &s->data.runs[r];
		ok = self_time_compute(run->executions, run->execution_count, s->self_ns + at) == 0;
		at += run->execution_count;
	}
	for (size_t i = 0; i < count; i++)
		s->totals.cpu_ns = add_saturated(s->totals.cpu_ns, s->data.executions[i].cpu_ns);
	long groups = ok && execution_keys_make(s->data.executions, count, key, &s->keys) == 0
		? group_totals(s->data.executions, s->keys.keys, s->self_ns, count, &s->groups)
		: -1;
	if (groups < 0) {
		snprintf(err, err_size, "%s: out of memory", dir);
		side_free(s);
		return -1;
	}
	s->group_count = (size_t)groups;
	return 0;
}

static int64_t magnitude(int64_t v)
{
	return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

static int compare_impact(const void *a, const void *b)
{
	const struct diff_row *x = a, *y = b;
	int64_t xs = magnitude(elapsed_ns(x->before.self_ns, x->after.self_ns));
	int64_t ys = magnitude(elapsed_ns(y->before.self_ns, y->after.self_ns));
	int64_t xw = magnitude(elapsed_ns(x->before.wall_ns, x->after.wall_ns));
	int64_t yw = magnitude(elapsed_ns(y->before.wall_ns, y->after.wall_ns));
	if (xs != ys)
		return xs > ys ? -1 : 1;
	if (xw != yw)
		return xw > yw ? -1 : 1;
	return group_key_compare(x->key, y->key);
}

static enum diff_change classify(const struct diff_row *row)
{
	if (row->before.executions == 0)
		return CHANGE_NEW;
	if (row->after.executions == 0)
		return CHANGE_VANISHED;
	if (row->after.wall_ns != row->before.wall_ns)
		return row->after.wall_ns > row->before.wall_ns ? CHANGE_SLOWER : CHANGE_FASTER;
	return CHANGE_SAME;
}

/* Merges the two key-sorted group lists into d->rows, sorted by impact. */
static int compare_sides(const struct diff_side *base, const struct diff_side *after,
			 struct diff_result *d)
{
	size_t most = base->group_count + after->group_count;
	d->rows = malloc((most ? most : 1) * sizeof(*d->rows));
	if (!d->rows)
		return -1;
	size_t i = 0, j = 0;
	while (i < base->group_count || j < after->group_count) {
		int order = i == base->group_count ? 1
			  : j == after->group_count ? -1
			  : group_key_compare(base->groups[i].key, after->groups[j].key);
		struct diff_row *row = &d->rows[d->row_count++];
		*row = (struct diff_row){ .key = order <= 0 ? base->groups[i].key : after->groups[j].key };
		if (order <= 0)
			row->before = base->groups[i++];
		if (order >= 0)
			row->after = after->groups[j++];
		row->change = classify(row);
		d->changes[row->change]++;
	}
	qsort(d->rows, d->row_count, sizeof(*d->rows), compare_impact);
	return 0;
}

double diff_wall_growth_pct(const struct diff_result *d)
{
	if (d->base.wall_ns <= 0)
		return 0;
	return 100.0 * ((double)d->after.wall_ns - (double)d->base.wall_ns) / (double)d->base.wall_ns;
}

int diff_datasets(const char *base_dir, const char *new_dir, enum group_key key,
		  struct diff_result *d, char *err, size_t err_size)
{
	*d = (struct diff_result){.base_dir = base_dir, .new_dir = new_dir, .key = key};
	d->sides = calloc(2, sizeof(*d->sides));
	if (!d->sides) {
		snprintf(err, err_size, "out of memory");
		return DIFF_NO_MEMORY;
	}
	if (side_load(base_dir, key, &d->sides[0], err, err_size) != 0 ||
	    side_load(new_dir, key, &d->sides[1], err, err_size) != 0) {
		diff_result_free(d);
		return DIFF_UNREADABLE;
	}
	d->base = d->sides[0].totals;
	d->after = d->sides[1].totals;
	if (compare_sides(&d->sides[0], &d->sides[1], d) != 0) {
		snprintf(err, err_size, "out of memory");
		diff_result_free(d);
		return DIFF_NO_MEMORY;
	}
	return 0;
}

void diff_result_free(struct diff_result *d)
{
	free(d->rows);
	if (d->sides) {
		side_free(&d->sides[0]);
		side_free(&d->sides[1]);
	}
	free(d->sides);
	d->rows = NULL;
	d->sides = NULL;
}
