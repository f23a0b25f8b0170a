/* The report as CSV (RFC 4180 quoting, LF line ends): one grouping table, raw numbers, one row per group. */
#include <inttypes.h>

#include "analysis/report_format.h"

/* A quoted field; nothing at all for NULL. */
static void put_field(FILE *out, const char *s)
{
	if (!s)
		return;
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void report_write_csv(FILE *out, const struct summary *s, const struct report_options *o,
		      bool header)
{
	bool binaries = o->grouping == GROUP_BY_BINARY;
	const struct group_total *groups = binaries ? s->binaries : s->commands;
	size_t count = binaries ? s->binary_count : s->command_count;
	if (header)
		fprintf(out, "dataset,run_id,rank,%s,executions,wall_ns,cpu_ns,max_rss_kb\n",
			binaries ? "binary"
			: o->grouping == GROUP_BY_NORMALIZED ? "normalized" : "command");
	for (size_t i = 0; i < count && i < o->top_n; i++) {
		put_field(out, o->dataset_dir);
		fputc(',', out);
		put_field(out, s->run->run_id);
		fprintf(out, ",%zu,", i + 1);
		put_field(out, groups[i].key);
		fprintf(out, ",%zu,%" PRId64 ",%" PRId64 ",%" PRId64 "\n", groups[i].executions,
			groups[i].wall_ns, groups[i].cpu_ns, groups[i].max_rss_kb);
	}
}
