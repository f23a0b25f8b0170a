#include "analysis/cpu_samples.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/table_reader.h"
#include "dataset/schema.h"

#define SAMPLE_FIELD(name) offsetof(struct cpu_sample, name)

static const struct number_field sample_numbers[] = {
	{ &cpu_samples_columns[SAMPLES_TS], SAMPLE_FIELD(ts_ns), NO_FIELD, 0 },
	{ &cpu_samples_columns[SAMPLES_EXEC_ID], SAMPLE_FIELD(exec_id), NO_FIELD, 0 },
	{ &cpu_samples_columns[SAMPLES_CPU_NS], SAMPLE_FIELD(cpu_ns), NO_FIELD, 0 },
	{ &cpu_samples_columns[SAMPLES_RSS_KB], SAMPLE_FIELD(rss_kb), SAMPLE_FIELD(has_rss), 0 },
};

static int compare_samples(const void *a, const void *b)
{
	const struct cpu_sample *x = a, *y = b;
	if (x->exec_id != y->exec_id)
		return x->exec_id < y->exec_id ? -1 : 1;
	return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
}

/* Keeps the samples whose run_id is run_id; -1 on a read error. */
static int keep_run(struct table_reader *t, const char *run_id, struct cpu_samples *s)
{
	struct pq_column ids;
	if (table_read_column(t, &cpu_samples_columns[SAMPLES_RUN_ID], &ids) != 0)
		return -1;
	size_t kept = 0, len = strlen(run_id);
	for (size_t i = 0; i < s->count; i++) {
		size_t from = ids.offsets[i], size = ids.offsets[i + 1] - from;
		if (size == len && memcmp(ids.bytes + from, run_id, len) == 0)
			s->samples[kept++] = s->samples[i];
	}
	s->count = kept;
	pq_column_free(&ids);
	return 0;
}

int cpu_samples_load(const char *dir, const char *run_id, int single_run,
		     struct cpu_samples *out, char *err, size_t err_size)
{
	struct table_reader t = { .err = err, .err_size = err_size };
	*out = (struct cpu_samples){ 0 };
	int opened = table_open(&t, dir, "cpu_samples.parquet", true);
	if (opened != 0)
		return opened > 0 ? 0 : -1;
	int result = -1;
	out->samples = malloc((t.rows ? t.rows : 1) * sizeof(*out->samples));
	out->count = t.rows;
	if (!out->samples)
		table_fail(&t, "out of memory");
	else if (table_read_numbers(&t, sample_numbers, sizeof(sample_numbers) /
				    sizeof(sample_numbers[0]), out->samples, sizeof(*out->samples)) == 0 &&
		 (single_run || keep_run(&t, run_id, out) == 0))
		result = 0;
	table_close(&t);
	if (result != 0)
		cpu_samples_free(out);
	else
		qsort(out->samples, out->count, sizeof(*out->samples), compare_samples);
	return result;
}

void cpu_samples_free(struct cpu_samples *s)
{
	free(s->samples);
	*s = (struct cpu_samples){ 0 };
}
