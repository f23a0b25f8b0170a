/* The report as one JSON object per run: raw numbers (nanoseconds, KiB), no units. */
#include <inttypes.h>
#include <string.h>

#include "analysis/report_format.h"
#include "parquet/parquet.h"

/* A JSON string (null for NULL); invalid UTF-8 bytes become U+FFFD. Runs of characters that
 * need no escape are written at once (the exports write millions of strings). */
void json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (size_t len = strlen(s); len > 0;) {
		size_t plain = 0;
		while (plain < len && (unsigned char)s[plain] >= 0x20 && (unsigned char)s[plain] < 0x80 &&
		       s[plain] != '"' && s[plain] != '\\' && s[plain] != '<')
			plain++;
		fwrite(s, 1, plain, out);
		s += plain;
		len -= plain;
		if (len == 0)
			break;
		size_t n = pq_utf8_char_length(s, len);
		unsigned char c = (unsigned char)s[0];
		if (n == 0)
			fputs("\\ufffd", out);
		else if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == '<') /* '<': the JSON may sit in an HTML script element */
			fprintf(out, "\\u%04x", c);
		else
			fwrite(s, 1, n, out);
		s += n ? n : 1;
		len -= n ? n : 1;
	}
	fputc('"', out);
}

static void put_key(FILE *out, const char *key)
{
	fprintf(out, ",\"%s\":", key);
}

static void put_optional(FILE *out, bool present, int64_t value)
{
	if (present)
		fprintf(out, "%" PRId64, value);
	else
		fputs("null", out);
}

static void put_groups(FILE *out, const char *name, const struct group_total *groups,
		       size_t count, const char *key_name, size_t top_n)
{
	put_key(out, name);
	fputc('[', out);
	for (size_t i = 0; i < count && i < top_n; i++) {
		const struct group_total *g = &groups[i];
		fprintf(out, "%s{\"%s\":", i ? "," : "", key_name);
		json_string(out, g->key);
		fprintf(out, ",\"executions\":%zu,\"wall_ns\":%" PRId64 ",\"cpu_ns\":%" PRId64
			     ",\"max_rss_kb\":%" PRId64 "}",
			g->executions, g->wall_ns, g->cpu_ns, g->max_rss_kb);
	}
	fputc(']', out);
}

static void put_failed(FILE *out, const struct summary *s, size_t top_n)
{
	fprintf(out, ",\"failed_count\":%zu", s->failed_count);
	put_key(out, "failed");
	fputc('[', out);
	for (size_t i = 0; i < s->failed_count && i < top_n; i++) {
		const struct execution_record *e = s->failed[i];
		fprintf(out, "%s{\"exec_id\":%" PRId64 ",\"command\":", i ? "," : "", e->span.exec_id);
		json_string(out, e->cmdline);
		put_key(out, "exit_code");
		put_optional(out, e->has_exit_code, e->exit_code);
		put_key(out, "signal");
		put_optional(out, e->has_signal, e->signal);
		fprintf(out, ",\"start_offset_ns\":%" PRId64 ",\"duration_ns\":%" PRId64 "}",
			elapsed_ns(s->run->start_ns, e->span.start_ns), e->duration_ns);
	}
	fputc(']', out);
}

static void put_slowest(FILE *out, const struct summary *s, size_t top_n)
{
	put_key(out, "slowest");
	fputc('[', out);
	for (size_t i = 0; i < s->run->execution_count && i < top_n; i++) {
		const struct execution_record *e = s->slowest[i];
		fprintf(out, "%s{\"exec_id\":%" PRId64 ",\"command\":", i ? "," : "", e->span.exec_id);
		json_string(out, e->cmdline);
		put_key(out, "binary");
		json_string(out, e->filename);
		fprintf(out, ",\"start_offset_ns\":%" PRId64 ",\"duration_ns\":%" PRId64
			     ",\"cpu_ns\":%" PRId64 ",\"max_rss_kb\":%" PRId64,
			elapsed_ns(s->run->start_ns, e->span.start_ns), e->duration_ns, e->cpu_ns,
			e->max_rss_kb);
		put_key(out, "exit_code");
		put_optional(out, e->has_exit_code, e->exit_code);
		put_key(out, "signal");
		put_optional(out, e->has_signal, e->signal);
		fputc('}', out);
	}
	fputc(']', out);
}

/* What redaction did; null for a dataset from before it. */
static void put_redaction(FILE *out, const struct run_record *run)
{
	if (run->redact < 0)
		fputs(",\"redaction\":null", out);
	else
		fprintf(out, ",\"redaction\":{\"enabled\":%s,\"executions\":%" PRId64
			     ",\"words\":%" PRId64 "}",
			run->redact ? "true" : "false", run->redacted_executions, run->redacted_words);
}

static void put_critical_path(FILE *out, const struct summary *s)
{
	put_key(out, "critical_path");
	fputc('[', out);
	for (size_t i = 0; i < s->path.count; i++) {
		const struct path_step *step = &s->path.steps[i];
		const struct execution_record *first = &s->run->executions[step->first];
		const struct execution_record *last = &s->run->executions[step->last];
		int64_t duration_ns = elapsed_ns(step->start_ns, step->end_ns);
		fprintf(out, "%s{\"exec_id\":%" PRId64 ",\"last_exec_id\":%" PRId64 ",\"command\":",
			i ? "," : "", first->span.exec_id, last->span.exec_id);
		json_string(out, last->cmdline);
		fprintf(out, ",\"depth\":%zu,\"start_offset_ns\":%" PRId64 ",\"duration_ns\":%" PRId64
			     ",\"self_ns\":%" PRId64 ",\"share\":%.6f}",
			step->depth, elapsed_ns(s->run->start_ns, step->start_ns), duration_ns,
			step->self_ns,
			s->wall_ns > 0 ? (double)duration_ns / (double)s->wall_ns : 0.0);
	}
	fputc(']', out);
}

void report_write_json(FILE *out, const struct summary *s, const struct report_options *o)
{
	const struct run_record *run = s->run;
	fputs("{\"dataset\":", out);
	json_string(out, o->dataset_dir);
	put_key(out, "run_id");
	json_string(out, run->run_id);
	put_key(out, "command");
	fputc('[', out);
	for (size_t i = 0; i < run->command_count; i++) {
		if (i)
			fputc(',', out);
		json_string(out, run->command[i]);
	}
	fputc(']', out);
	put_key(out, "status");
	json_string(out, run->status);
	put_key(out, "exit_code");
	put_optional(out, run->has_exit_code, run->exit_code);
	put_key(out, "signal");
	put_optional(out, run->has_signal, run->signal);
	fprintf(out, ",\"start_time_ns\":%" PRId64 ",\"end_time_ns\":%" PRId64
		     ",\"wall_ns\":%" PRId64 ",\"executions\":%zu,\"total_cpu_ns\":%" PRId64
		     ",\"average_utilisation\":%.6f,\"peak_parallelism\":%zu,\"lost_events\":%" PRId64,
		run->start_ns, run->end_ns, s->wall_ns, s->run->execution_count, s->total_cpu_ns,
		summary_utilisation(s), s->peak_parallelism, run->lost_events);
	/* "lost":{"ring_full":0,...}: the runs.parquet columns lost_*, by cause. */
	put_key(out, "lost");
	for (size_t kind = 0; kind < LOST_KINDS; kind++)
		fprintf(out, "%c\"%s\":%" PRId64, kind ? ',' : '{',
			runs_columns[RUNS_LOST_FIRST + kind].name + strlen("lost_"), run->lost[kind]);
	fputc('}', out);
	if (o->grouping == GROUP_BY_NORMALIZED)
		put_groups(out, "top_normalized", s->commands, s->command_count, "normalized",
			   o->top_n);
	else if (o->grouping != GROUP_BY_BINARY)
		put_groups(out, "top_commands", s->commands, s->command_count, "command", o->top_n);
	if (o->grouping == GROUP_BOTH || o->grouping == GROUP_BY_BINARY)
		put_groups(out, "top_binaries", s->binaries, s->binary_count, "binary", o->top_n);
	put_failed(out, s, o->top_n);
	put_slowest(out, s, o->top_n);
	put_critical_path(out, s);
	put_redaction(out, run);
	fputs("}\n", out);
}
