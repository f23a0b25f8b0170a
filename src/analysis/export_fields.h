/* The figures of one execution as every export format shows them (docs/export.md): name,
 * and a number or a string (NULL for null). argv comes apart: it is a list. */
#ifndef PIPETRACE_EXPORT_FIELDS_H
#define PIPETRACE_EXPORT_FIELDS_H

#include "analysis/report_format.h"
#include "analysis/timeline.h"

enum export_field_kind { FIELD_NUMBER, FIELD_TEXT };

struct export_field {
	const char *name;
	enum export_field_kind kind;
	int64_t number;
	const char *text;
};

enum {
	FIELD_EXEC_ID, FIELD_PID, FIELD_PPID, FIELD_FILENAME, FIELD_CWD, FIELD_START_NS,
	FIELD_DURATION_NS, FIELD_CPU_USER_NS, FIELD_CPU_SYS_NS, FIELD_MAX_RSS_KB, FIELD_READ_BYTES,
	FIELD_WRITE_BYTES, FIELD_STATUS, FIELD_END_REASON, FIELD_CRITICAL_PATH,
	EXPORT_FIELD_COUNT
};

/* Field f (one of the enum) of execution i of t; a status points into status_text. start_ns
 * is relative to the run's start. */
struct export_field export_field(const struct timeline *t, size_t i, size_t f,
				 char status_text[CELL_SIZE]);
const char *export_field_name(size_t f);
enum export_field_kind export_field_kind(size_t f);

/* The end of image k of process p as drawn: never before its start, and never after the
 * next image's start, so that the slices of one process track nest (a clock skew between
 * records must not break a viewer's nesting rule). */
int64_t export_image_end(const struct timeline *t, const struct timeline_process *p, size_t k);

/* A slice's name: the command line shortened to NAME_WIDTH columns, one safe line. */
#define EXPORT_NAME_WIDTH 80
#define EXPORT_NAME_SIZE (4 * EXPORT_NAME_WIDTH + 8)
void export_name(const struct execution_record *e, char out[EXPORT_NAME_SIZE]);
/* A process track's name: its first image's name and pid. */
#define EXPORT_TRACK_NAME_SIZE (EXPORT_NAME_SIZE + 32)
void export_track_name(const struct execution_record *head, char out[EXPORT_TRACK_NAME_SIZE]);

#endif
