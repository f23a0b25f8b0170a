#include "cli/status_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "analysis/human_units.h"

#define REDRAW_NS (250 * 1000000ull)

/* The terminal's size, or 0 x 0 when it cannot be told. */
static struct winsize terminal_size(void)
{
	struct winsize size;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size))
		size.ws_row = size.ws_col = 0;
	return size;
}

void status_line_init(struct status_line *line, bool quiet, uint64_t start_ns)
{
	const char *term = getenv("TERM");

	*line = (struct status_line){.enabled = !quiet && isatty(STDERR_FILENO) && term &&
						 *term && strcmp(term, "dumb"),
				     .start_ns = start_ns,
				     .last_draw_ns = start_ns};
}

/* CMD writes to the same terminal whenever it likes, so the line lives on the bottom row,
 * outside a scroll region that holds everything above it (as apt's progress line does): CMD's
 * output scrolls above it and never runs into it. Index down then reverse index up scrolls
 * the screen by a line when the cursor is on the bottom row, and leaves the cursor on its own
 * text and column either way; setting the region homes the cursor, hence the save and restore
 * around it. */
static void reserve_bottom_row(int rows)
{
	fprintf(stderr, "\033D\033M\0337\033[1;%dr\0338", rows - 1);
}

void status_line_update(struct status_line *line, uint64_t now_ns, uint64_t running,
			uint64_t finished, uint64_t cpu_ns)
{
	char elapsed[HUMAN_UNIT_SIZE], text[160];
	uint64_t interval = now_ns - line->last_draw_ns;
	struct winsize size;
	double cpu_percent;
	int len;

	if (!line->enabled || interval < REDRAW_NS)
		return;
	size = terminal_size();
	if (size.ws_row < 2 || size.ws_col < 2)
		return; /* no room for a line of its own */
	if (size.ws_row != line->rows) /* the first draw, or the terminal was resized */
		reserve_bottom_row(size.ws_row);
	line->rows = size.ws_row;
	cpu_percent = cpu_ns > line->last_cpu_ns ? 100.0 * (double)(cpu_ns - line->last_cpu_ns) /
							   (double)interval
						 : 0.0;
	human_duration((int64_t)(now_ns - line->start_ns), elapsed);
	len = snprintf(text, sizeof(text), "pipetrace: %s, %llu running, %llu finished, CPU %.0f %%",
		       elapsed, (unsigned long long)running, (unsigned long long)finished,
		       cpu_percent);
	/* Short of the last column, so that the line never wraps and scrolls the screen. */
	if (len >= size.ws_col)
		len = size.ws_col - 1;
	/* Save the cursor (CMD's place), draw on the bottom row, restore it: one write. */
	fprintf(stderr, "\0337\033[%d;1H\033[2K%.*s\0338", line->rows, len, text);
	fflush(stderr);
	line->last_draw_ns = now_ns;
	line->last_cpu_ns = cpu_ns;
}

void status_line_clear(struct status_line *line)
{
	/* Give the whole screen back to scrolling and erase the line, cursor left where it was. */
	if (line->rows)
		fprintf(stderr, "\0337\033[r\033[%d;1H\033[2K\0338", line->rows);
	fflush(stderr);
	line->rows = 0;
}
