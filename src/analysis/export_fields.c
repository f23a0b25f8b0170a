#include "analysis/export_fields.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/human_units.h"

static const struct {
	const char *name;
	enum export_field_kind kind;
} field_specs[EXPORT_FIELD_COUNT] = {
	[FIELD_EXEC_ID] = { "exec_id", FIELD_NUMBER },
	[FIELD_PID] = { "pid", FIELD_NUMBER },
	[FIELD_PPID] = { "ppid", FIELD_NUMBER },
	[FIELD_FILENAME] = { "filename", FIELD_TEXT },
	[FIELD_CWD] = { "cwd", FIELD_TEXT },
	[FIELD_START_NS] = { "start_ns", FIELD_NUMBER },
	[FIELD_DURATION_NS] = { "duration_ns", FIELD_NUMBER },
	[FIELD_CPU_USER_NS] = { "cpu_user_ns", FIELD_NUMBER },
	[FIELD_CPU_SYS_NS] = { "cpu_sys_ns", FIELD_NUMBER },
	[FIELD_MAX_RSS_KB] = { "max_rss_kb", FIELD_NUMBER },
	[FIELD_READ_BYTES] = { "read_bytes", FIELD_NUMBER },
	[FIELD_WRITE_BYTES] = { "write_bytes", FIELD_NUMBER },
	[FIELD_STATUS] = { "status", FIELD_TEXT },
	[FIELD_END_REASON] = { "end_reason", FIELD_TEXT },
	[FIELD_CRITICAL_PATH] = { "critical_path", FIELD_NUMBER },
};

static int64_t field_number(const struct timeline *t, size_t i, size_t f)
{
	const struct execution_record *e = &t->run->executions[i];
	switch (f) {
	case FIELD_EXEC_ID: return e->span.exec_id;
	case FIELD_PID: return e->pid;
	case FIELD_PPID: return e->ppid;
	case FIELD_START_NS: return elapsed_ns(t->run->start_ns, e->span.start_ns);
	case FIELD_DURATION_NS: return e->duration_ns;
	case FIELD_CPU_USER_NS: return e->cpu_user_ns;
	case FIELD_CPU_SYS_NS: return e->cpu_sys_ns;
	case FIELD_MAX_RSS_KB: return e->max_rss_kb;
	case FIELD_READ_BYTES: return e->read_bytes;
	case FIELD_WRITE_BYTES: return e->write_bytes;
	default: return t->on_path[i];
	}
}

static const char *field_text(const struct timeline *t, size_t i, size_t f, char status[CELL_SIZE])
{
	const struct execution_record *e = &t->run->executions[i];
	switch (f) {
	case FIELD_FILENAME: return e->filename;
	case FIELD_CWD: return e->cwd;
	case FIELD_END_REASON: return e->end_reason;
	default:
		describe_end(e->has_exit_code, e->exit_code, e->has_signal, e->signal, status);
		return status;
	}
}

const char *export_field_name(size_t f)
{
	return field_specs[f].name;
}

enum export_field_kind export_field_kind(size_t f)
{
	return field_specs[f].kind;
}

struct export_field export_field(const struct timeline *t, size_t i, size_t f,
				 char status_text[CELL_SIZE])
{
	struct export_field field = { field_specs[f].name, field_specs[f].kind, 0, NULL };
	if (field.kind == FIELD_NUMBER)
		field.number = field_number(t, i, f);
	else
		field.text = field_text(t, i, f, status_text);
	return field;
}

int64_t export_image_end(const struct timeline *t, const struct timeline_process *p, size_t k)
{
	const struct execution_record *e = &t->run->executions[t->images[p->first_image + k]];
	int64_t end = e->span.end_ns > e->span.start_ns ? e->span.end_ns : e->span.start_ns;
	if (k + 1 < p->image_count) {
		int64_t next = t->run->executions[t->images[p->first_image + k + 1]].span.start_ns;
		if (end > next)
			end = next > e->span.start_ns ? next : e->span.start_ns;
	}
	return end;
}

void export_name(const struct execution_record *e, char out[EXPORT_NAME_SIZE])
{
	const char *s = e->cmdline ? e->cmdline : e->filename ? e->filename : "(unknown)";
	shorten_middle(s, strlen(s), EXPORT_NAME_WIDTH, out, EXPORT_NAME_SIZE);
}

void export_track_name(const struct execution_record *head, char out[EXPORT_TRACK_NAME_SIZE])
{
	char name[EXPORT_NAME_SIZE];
	export_name(head, name);
	snprintf(out, EXPORT_TRACK_NAME_SIZE, "%s (pid %" PRId64 ")", name, head->pid);
}
