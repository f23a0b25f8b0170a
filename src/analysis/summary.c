#include "analysis/summary.h"

#include <stdlib.h>
#include <string.h>

static int compare_by_wall(const void *a, const void *b)
{
	const struct group_total *x = a, *y = b;
	if (x->wall_ns != y->wall_ns)
		return x->wall_ns > y->wall_ns ? -1 : 1;
	return group_key_compare(x->key, y->key);
}

static int compare_by_cpu(const void *a, const void *b)
{
	const struct group_total *x = a, *y = b;
	if (x->cpu_ns != y->cpu_ns)
		return x->cpu_ns > y->cpu_ns ? -1 : 1;
	return group_key_compare(x->key, y->key);
}

/* Groups the executions by keys into *out, sorted with `order`. Returns the number of groups,
 * or -1 when out of memory. */
static long group_executions(const struct run_record *run, const char *const *keys,
			     int (*order)(const void *, const void *), struct group_total **out)
{
	long groups = group_totals(run->executions, keys, NULL, run->execution_count, out);
	if (groups > 0)
		qsort(*out, (size_t)groups, sizeof(**out), order);
	return groups;
}

/* A start (+1) or an end (-1) of an execution; at one instant, ends come first. */
struct edge {
	int64_t time;
	int delta;
};

static int compare_edges(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->delta - y->delta;
}

/* An execution runs over [start, end); one that ended as it started counts for 1 ns. */
static int peak_parallelism(const struct run_record *run, size_t *peak)
{
	size_t n = run->execution_count;
	struct edge *edges = malloc((n ? 2 * n : 1) * sizeof(*edges));
	if (!edges)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct exec_span *s = &run->executions[i].span;
		int64_t end = s->end_ns > s->start_ns ? s->end_ns
			    : s->start_ns < INT64_MAX ? s->start_ns + 1 : s->start_ns;
		edges[2 * i] = (struct edge){ s->start_ns, +1 };
		edges[2 * i + 1] = (struct edge){ end, -1 };
	}
	qsort(edges, 2 * n, sizeof(*edges), compare_edges);
	long running = 0, most = 0;
	for (size_t k = 0; k < 2 * n; k++) {
		running += edges[k].delta;
		if (running > most)
			most = running;
	}
	free(edges);
	*peak = (size_t)most;
	return 0;
}

bool execution_failed(const struct execution_record *e)
{
	return (e->has_exit_code && e->exit_code != 0) || e->has_signal;
}

static int compare_by_start(const void *a, const void *b)
{
	const struct execution_record *x = *(const struct execution_record *const *)a;
	const struct execution_record *y = *(const struct execution_record *const *)b;
	if (x->span.start_ns != y->span.start_ns)
		return x->span.start_ns < y->span.start_ns ? -1 : 1;
	return (x->span.exec_id > y->span.exec_id) - (x->span.exec_id < y->span.exec_id);
}

static int list_failed(const struct run_record *run, struct summary *s)
{
	s->failed = malloc((run->execution_count ? run->execution_count : 1) * sizeof(*s->failed));
	if (!s->failed)
		return -1;
	for (size_t i = 0; i < run->execution_count; i++)
		if (execution_failed(&run->executions[i]))
			s->failed[s->failed_count++] = &run->executions[i];
	qsort(s->failed, s->failed_count, sizeof(*s->failed), compare_by_start);
	return 0;
}

/* Longest first; of equal ones the earlier, then the lower exec_id. */
static int compare_by_duration(const void *a, const void *b)
{
	const struct execution_record *x = *(const struct execution_record *const *)a;
	const struct execution_record *y = *(const struct execution_record *const *)b;
	if (x->duration_ns != y->duration_ns)
		return x->duration_ns > y->duration_ns ? -1 : 1;
	return compare_by_start(a, b);
}

static int list_slowest(const struct run_record *run, struct summary *s)
{
	s->slowest = malloc((run->execution_count ? run->execution_count : 1) * sizeof(*s->slowest));
	if (!s->slowest)
		return -1;
	for (size_t i = 0; i < run->execution_count; i++)
		s->slowest[i] = &run->executions[i];
	qsort(s->slowest, run->execution_count, sizeof(*s->slowest), compare_by_duration);
	return 0;
}

static int find_critical_path(const struct run_record *run, struct critical_path *path)
{
	struct exec_span *spans = run_record_spans(run);
	if (!spans)
		return -1;
	int result = critical_path_compute(spans, run->execution_count, path);
	free(spans);
	return result;
}

static long group_binaries(const struct run_record *run, struct group_total **out)
{
	struct execution_keys binaries;
	if (execution_keys_make(run->executions, run->execution_count, KEY_BINARY, &binaries) != 0)
		return -1;
	long groups = group_executions(run, binaries.keys, compare_by_cpu, out);
	execution_keys_free(&binaries);
	return groups;
}

int summary_compute(const struct run_record *run, enum group_key command_key,
		    struct summary *out)
{
	*out = (struct summary){ .run = run };
	out->wall_ns = elapsed_ns(run->start_ns, run->end_ns);
	for (size_t i = 0; i < run->execution_count; i++)
		out->total_cpu_ns = add_saturated(out->total_cpu_ns, run->executions[i].cpu_ns);
	long commands = execution_keys_make(run->executions, run->execution_count, command_key,
					    &out->command_keys) == 0
		? group_executions(run, out->command_keys.keys, compare_by_wall, &out->commands)
		: -1;
	long binaries = group_binaries(run, &out->binaries);
	out->command_count = commands > 0 ? (size_t)commands : 0;
	out->binary_count = binaries > 0 ? (size_t)binaries : 0;
	if (commands < 0 || binaries < 0 || peak_parallelism(run, &out->peak_parallelism) != 0 ||
	    list_failed(run, out) != 0 || list_slowest(run, out) != 0 ||
	    find_critical_path(run, &out->path) != 0) {
		summary_free(out);
		return -1;
	}
	return 0;
}

void summary_free(struct summary *s)
{
	free(s->commands);
	free(s->binaries);
	free(s->failed);
	free(s->slowest);
	execution_keys_free(&s->command_keys);
	critical_path_free(&s->path);
	*s = (struct summary){ 0 };
}

double summary_utilisation(const struct summary *s)
{
	return s->wall_ns > 0 ? (double)s->total_cpu_ns / (double)s->wall_ns : 0;
}
