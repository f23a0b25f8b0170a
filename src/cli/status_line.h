/* The live status line `run` keeps on stderr while it traces, when stderr is a terminal:
 * elapsed time, executions running and finished, CPU in use, on the terminal's bottom row. */
#ifndef PIPETRACE_STATUS_LINE_H
#define PIPETRACE_STATUS_LINE_H

#include <stdbool.h>
#include <stdint.h>

struct status_line {
	bool enabled;
	int rows; /* the terminal's height when the bottom row was last set aside; 0: not yet */
	uint64_t start_ns, last_draw_ns;
	uint64_t last_cpu_ns; /* CPU total at the last draw, for the CPU % since then */
};

/* Enabled only when stderr is a terminal (and TERM is not dumb) and not quiet. */
void status_line_init(struct status_line *line, bool quiet, uint64_t start_ns);
/* Redraws at most a few times a second. cpu_ns: all CPU the traced tree used so far. */
void status_line_update(struct status_line *line, uint64_t now_ns, uint64_t running,
			uint64_t finished, uint64_t cpu_ns);
/* Erases the line and gives the bottom row back, so the summary starts on a clean screen. */
void status_line_clear(struct status_line *line);

#endif
