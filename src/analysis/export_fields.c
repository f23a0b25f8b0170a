#include "analysis/export_fields.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/human_units.h"

static struct export_field number(const char *name, int64_t value)
{
	return (struct export_field){ name, FIELD_NUMBER, value, NULL };
}

static struct export_field text(const char *name, const char *value)
{
	return (struct export_field){ name, FIELD_TEXT, 0, value };
}

void export_fields(const struct timeline *t, size_t i, struct export_field fields[EXPORT_FIELD_COUNT],
		   char status_text[CELL_SIZE])
{
	const struct execution_record *e = &t->run->executions[i];
	describe_end(e->has_exit_code, e->exit_code, e->has_signal, e->signal, status_text);
	fields[FIELD_EXEC_ID] = number("exec_id", e->span.exec_id);
	fields[FIELD_PID] = number("pid", e->pid);
	fields[FIELD_PPID] = number("ppid", e->ppid);
	fields[FIELD_FILENAME] = text("filename", e->filename);
	fields[FIELD_CWD] = text("cwd", e->cwd);
	fields[FIELD_START_NS] = number("start_ns", elapsed_ns(t->run->start_ns, e->span.start_ns));
	fields[FIELD_DURATION_NS] = number("duration_ns", e->duration_ns);
	fields[FIELD_CPU_USER_NS] = number("cpu_user_ns", e->cpu_user_ns);
	fields[FIELD_CPU_SYS_NS] = number("cpu_sys_ns", e->cpu_sys_ns);
	fields[FIELD_MAX_RSS_KB] = number("max_rss_kb", e->max_rss_kb);
	fields[FIELD_READ_BYTES] = number("read_bytes", e->read_bytes);
	fields[FIELD_WRITE_BYTES] = number("write_bytes", e->write_bytes);
	fields[FIELD_STATUS] = text("status", status_text);
	fields[FIELD_END_REASON] = text("end_reason", e->end_reason);
	fields[FIELD_CRITICAL_PATH] = number("critical_path", t->on_path[i]);
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
