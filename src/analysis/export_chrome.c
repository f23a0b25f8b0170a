/* The JSON Trace Event Format (chrome://tracing, speedscope, Perfetto's legacy importer): one
 * track (pid = tid) per process, in the rows' order; an X event per execution, C counters of
 * the process's CPU rate and RSS, an instant event where an execution failed. Times are
 * microseconds from the run's start, to the nanosecond. */
#include <inttypes.h>

#include "analysis/export.h"
#include "analysis/export_fields.h"

/* Starts the next element of traceEvents. */
static void begin_event(FILE *out, size_t *events)
{
	fputs((*events)++ ? ",\n" : "\n", out);
}

static void put_us(FILE *out, int64_t ns)
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t magnitude = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	fprintf(out, "%s%" PRIu64 ".%03" PRIu64, sign, magnitude / 1000, magnitude % 1000);
}

static void put_track_names(FILE *out, const struct timeline *t, size_t row, size_t *events)
{
	const struct timeline_process *p = &t->processes[row];
	const struct execution_record *head = &t->run->executions[t->images[p->first_image]];
	char name[EXPORT_TRACK_NAME_SIZE];
	export_track_name(head, name);
	static const char *const kinds[] = { "process_name", "thread_name" };
	for (size_t k = 0; k < 2; k++) {
		begin_event(out, events);
		fprintf(out, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%zu,\"tid\":%zu,\"args\":{\"name\":",
			kinds[k], row + 1, row + 1);
		json_string(out, name);
		fprintf(out, "}}");
	}
	begin_event(out, events);
	fprintf(out, "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%zu,\"args\":"
		     "{\"sort_index\":%zu}}", row + 1, row);
}

static void put_args(FILE *out, const struct timeline *t, size_t i)
{
	char status[CELL_SIZE];
	const struct execution_record *e = &t->run->executions[i];
	fputs("\"args\":{\"argv\":[", out);
	for (size_t k = 0; k < e->argc; k++) {
		if (k)
			fputc(',', out);
		json_string(out, e->argv[k]);
	}
	fputc(']', out);
	for (size_t f = 0; f < EXPORT_FIELD_COUNT; f++) {
		struct export_field field = export_field(t, i, f, status);
		fprintf(out, ",\"%s\":", field.name);
		if (field.kind == FIELD_NUMBER)
			fprintf(out, "%" PRId64, field.number);
		else
			json_string(out, field.text);
	}
	fputc('}', out);
}

static void put_image(FILE *out, const struct timeline *t, size_t row, size_t k,
		      size_t *events)
{
	const struct timeline_process *p = &t->processes[row];
	size_t i = t->images[p->first_image + k];
	const struct execution_record *e = &t->run->executions[i];
	int64_t start = elapsed_ns(t->run->start_ns, e->span.start_ns);
	int64_t end = elapsed_ns(t->run->start_ns, export_image_end(t, p, k));
	char name[EXPORT_NAME_SIZE];
	export_name(e, name);
	begin_event(out, events);
	fputs("{\"ph\":\"X\",\"name\":", out);
	json_string(out, name);
	fprintf(out, ",\"cat\":\"%s\",\"pid\":%zu,\"tid\":%zu,\"ts\":",
		t->on_path[i] ? "exec,critical_path" : "exec", row + 1, row + 1);
	put_us(out, start);
	fputs(",\"dur\":", out);
	put_us(out, end - start);
	fputc(',', out);
	put_args(out, t, i);
	fputc('}', out);
	if (execution_failed(e)) {
		char status[CELL_SIZE];
		describe_end(e->has_exit_code, e->exit_code, e->has_signal, e->signal, status);
		begin_event(out, events);
		fprintf(out, "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s\",\"cat\":\"failure\","
			     "\"pid\":%zu,\"tid\":%zu,\"ts\":", status, row + 1, row + 1);
		put_us(out, end);
		fputc('}', out);
	}
}

static void put_counters(FILE *out, const struct timeline *t, size_t row, size_t i,
			 size_t *events)
{
	size_t count;
	const struct cpu_sample *s = timeline_samples(t, i, &count);
	for (size_t k = 0; k < count; k++) {
		int64_t ts = elapsed_ns(t->run->start_ns, s[k].ts_ns);
		begin_event(out, events);
		fprintf(out, "{\"ph\":\"C\",\"name\":\"CPU\",\"pid\":%zu,\"ts\":", row + 1);
		put_us(out, ts);
		fprintf(out, ",\"args\":{\"cores\":%.6g}}", sample_cpu_rate(t, i, s, k));
		if (!s[k].has_rss)
			continue;
		begin_event(out, events);
		fprintf(out, "{\"ph\":\"C\",\"name\":\"RSS\",\"pid\":%zu,\"ts\":", row + 1);
		put_us(out, ts);
		fprintf(out, ",\"args\":{\"rss_kb\":%" PRId64 "}}", s[k].rss_kb);
	}
}

int export_chrome(FILE *out, const struct timeline *t)
{
	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"run_id\":", out);
	json_string(out, t->run->run_id);
	fprintf(out, ",\"start_time_ns\":%" PRId64 "},\"traceEvents\":[", t->run->start_ns);
	size_t events = 0;
	for (size_t row = 0; row < t->process_count; row++) {
		const struct timeline_process *p = &t->processes[row];
		put_track_names(out, t, row, &events);
		for (size_t k = 0; k < p->image_count; k++) {
			put_image(out, t, row, k, &events);
			put_counters(out, t, row, t->images[p->first_image + k], &events);
		}
	}
	fputs("\n]}\n", out);
	return 0;
}
