/* The critical path as a Mermaid gantt chart under the Markdown report's table: GitHub draws
 * Mermaid blocks in job summaries. Bars sit at the run's wall-clock times (epoch milliseconds,
 * dateFormat x), so the axis reads right in the reader's time zone. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/human_units.h"
#include "analysis/report_format.h"

/* What Mermaid's task grammar would read as syntax in a task name. */
#define GANTT_UNSAFE ":;#`"
#define NS_PER_MS INT64_C(1000000)

/* A task name: the command shortened to GANTT_NAME_WIDTH columns, without Mermaid syntax. */
static void put_task_name(FILE *out, const char *cmdline)
{
	char shortened[4 * GANTT_NAME_WIDTH + 8];
	shorten_middle(cmdline ? cmdline : "(unknown)", cmdline ? strlen(cmdline) : 9,
		       GANTT_NAME_WIDTH, shortened, sizeof(shortened));
	for (char *p = shortened; *p; p++)
		fputc(strchr(GANTT_UNSAFE, *p) ? ' ' : *p, out);
}

void report_write_path_gantt(const struct report_page *page, const struct summary *s,
			     const bool *listed)
{
	FILE *out = page->out;
	size_t bars = 0;
	fputs("\n```mermaid\ngantt\n  title Critical path\n  dateFormat x\n"
	      "  axisFormat %H:%M:%S\n  section steps\n", out);
	for (size_t i = 0; i < s->path.count && bars < GANTT_MAX_BARS; i++) {
		if (!listed[i])
			continue;
		const struct path_step *step = &s->path.steps[i];
		int64_t start_ms = step->start_ns / NS_PER_MS, end_ms = step->end_ns / NS_PER_MS;
		fputs("  ", out);
		put_task_name(out, s->run->executions[step->last].cmdline);
		/* A bar needs a length to be drawn. */
		fprintf(out, " :crit, step%zu, %" PRId64 ", %" PRId64 "\n", ++bars, start_ms,
			end_ms > start_ms ? end_ms : start_ms + 1);
	}
	fputs("```\n", out);
}
