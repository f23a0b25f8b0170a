#include "cli/status_line.h"

#include <stdio.h>
#include <unistd.h>

#include "analysis/human_units.h"

#define REDRAW_NS (250 * 1000000ull)

void status_line_init(struct status_line *line, bool quiet, uint64_t start_ns)
{
	*line = (struct status_line){.enabled = !quiet && isatty(STDERR_FILENO),
				     .start_ns = start_ns,
				     .last_draw_ns = start_ns};
}

void status_line_update(struct status_line *line, uint64_t now_ns, uint64_t running,
			uint64_t finished, uint64_t cpu_ns)
{
	char elapsed[HUMAN_UNIT_SIZE];
	uint64_t interval = now_ns - line->last_draw_ns;
	double cpu_percent;

	if (!line->enabled || interval < REDRAW_NS)
		return;
	cpu_percent = cpu_ns > line->last_cpu_ns ? 100.0 * (double)(cpu_ns - line->last_cpu_ns) /
							   (double)interval
						 : 0.0;
	human_duration((int64_t)(now_ns - line->start_ns), elapsed);
	/* \r and erase-line: the line is redrawn in place; CMD's own output may push it down. */
	fprintf(stderr, "\r\033[Kpipetrace: %s, %llu running, %llu finished, CPU %.0f %%", elapsed,
		(unsigned long long)running, (unsigned long long)finished, cpu_percent);
	fflush(stderr);
	line->drawn = true;
	line->last_draw_ns = now_ns;
	line->last_cpu_ns = cpu_ns;
}

void status_line_clear(struct status_line *line)
{
	if (line->drawn)
		fputs("\r\033[K", stderr);
	line->drawn = false;
}
