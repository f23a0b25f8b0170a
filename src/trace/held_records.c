#include "trace/held_records.h"

#include <stdlib.h>
#include <string.h>

enum carry_flags {
	CARRY_EXITED = 1, CARRY_REAPED_BY_MONITOR = 2, CARRY_ATTACHED = 4, CARRY_TRUNCATED = 8,
	CARRY_FILENAME = 16, CARRY_CWD = 32,
};

static size_t string_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies s with its NUL to *at when there is one; returns where the next goes. */
static char *put_string(char *at, const char *s)
{
	size_t size = string_size(s);

	memcpy(at, s ? s : "", size);
	return at + size;
}

/* The next NUL-terminated string of [*at, end), or NULL. */
static const char *take_string(const char **at, const char *end)
{
	const char *s = *at, *nul = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;

	if (!nul)
		return NULL;
	*at = nul + 1;
	return s;
}

struct pt_jrec_attach *attach_record_encode(const struct attached_process *p, size_t *size)
{
	struct pt_jrec_attach *rec;
	char *at;

	*size = sizeof(*rec) + string_size(p->filename) + string_size(p->cwd) + p->args_len;
	if (!(rec = calloc(1, *size)))
		return NULL;
	*rec = (struct pt_jrec_attach){
		.hdr = {.type = PT_JREC_ATTACH, .size = (uint32_t)*size, .ts = p->start_ns,
			.pid = p->pid, .tid = p->pid},
		.ppid = p->ppid, .uid = p->uid, .gid = p->gid, .redacted_words = p->redacted_words,
		.args_len = (uint32_t)p->args_len, .has_filename = p->filename != NULL,
		.has_cwd = p->cwd != NULL,
	};
	memcpy(rec->comm, p->comm, sizeof(rec->comm));
	at = put_string(put_string(rec->data, p->filename), p->cwd);
	if (p->args_len) /* a process known by its pid alone has no args */
		memcpy(at, p->args, p->args_len);
	return rec;
}

int attach_record_decode(const struct pt_jrec_attach *rec, size_t size, struct attached_process *p)
{
	const char *at = rec->data, *end = (const char *)rec + size;

	if (size < sizeof(*rec))
		return -1;
	*p = (struct attached_process){
		.pid = rec->hdr.pid, .ppid = rec->ppid, .uid = rec->uid, .gid = rec->gid,
		.start_ns = rec->hdr.ts, .redacted_words = rec->redacted_words,
	};
	memcpy(p->comm, rec->comm, sizeof(p->comm));
	p->comm[PT_COMM_LEN - 1] = '\0';
	if ((rec->has_filename && !(p->filename = take_string(&at, end))) ||
	    (rec->has_cwd && !(p->cwd = take_string(&at, end))) ||
	    rec->args_len > (size_t)(end - at))
		return -1;
	p->args = at;
	p->args_len = rec->args_len;
	return 0;
}

struct pt_jrec_carry *carry_record_encode(const struct execution *e, size_t *size)
{
	const struct image *image = e->image;
	struct pt_jrec_carry *rec;
	char *at;

	*size = sizeof(*rec) + string_size(image->filename) + string_size(image->cwd);
	for (size_t i = 0; i < image->argv.count; i++)
		*size += string_size(image->argv.items[i]);
	if (!(rec = calloc(1, *size)))
		return NULL;
	*rec = (struct pt_jrec_carry){
		.hdr = {.type = PT_JREC_CARRY, .size = (uint32_t)*size, .ts = e->start_ns,
			.pid = e->pid, .tid = e->pid},
		.exec_id = e->exec_id, .parent_exec_id = e->parent_exec_id,
		.prev_exec_id = e->prev_exec_id, .cgroup_id = e->cgroup_id,
		.start_ns = e->start_ns, .exec_ns = e->exec_ns, .end_ns = e->end_ns,
		.base = e->base, .usage = e->usage,
		.sampled_cpu_ns = e->sampled_cpu_ns, .sampled_rss_kb = e->sampled_rss_kb,
		.reaped_read_bytes = e->reaped_read_bytes, .reaped_write_bytes = e->reaped_write_bytes,
		.pid = e->pid, .ppid = e->ppid, .ns_pid = e->ns_pid, .uid = e->uid, .gid = e->gid,
		.exit_status = e->exit_status, .end_reason = e->end_reason,
		.flags = (e->exited ? CARRY_EXITED : 0) |
			 (e->reaped_by_monitor ? CARRY_REAPED_BY_MONITOR : 0) |
			 (e->attached ? CARRY_ATTACHED : 0) |
			 (image->argv.truncated ? CARRY_TRUNCATED : 0) |
			 (image->filename ? CARRY_FILENAME : 0) | (image->cwd ? CARRY_CWD : 0),
		.argc = (uint32_t)image->argv.count, .redacted_words = image->argv.redacted_words,
	};
	memcpy(rec->comm, e->comm, sizeof(rec->comm));
	at = put_string(put_string(rec->data, image->filename), image->cwd);
	for (size_t i = 0; i < image->argv.count; i++)
		at = put_string(at, image->argv.items[i]);
	return rec;
}

int carry_record_decode(const struct pt_jrec_carry *rec, size_t size, struct carried_execution *out)
{
	const char *at = rec->data, *end = (const char *)rec + size;
	struct execution *e = &out->execution;
	struct image *image = &out->image;

	memset(out, 0, sizeof(*out));
	if (size < sizeof(*rec) || rec->argc > size || rec->end_reason > END_EXIT)
		return -1;
	*e = (struct execution){
		.exec_id = rec->exec_id, .parent_exec_id = rec->parent_exec_id,
		.prev_exec_id = rec->prev_exec_id, .pid = rec->pid, .ppid = rec->ppid,
		.ns_pid = rec->ns_pid, .uid = rec->uid, .gid = rec->gid, .cgroup_id = rec->cgroup_id,
		.image = image, .start_ns = rec->start_ns, .exec_ns = rec->exec_ns,
		.end_ns = rec->end_ns, .base = rec->base, .usage = rec->usage,
		.sampled_cpu_ns = rec->sampled_cpu_ns, .sampled_rss_kb = rec->sampled_rss_kb,
		.reaped_read_bytes = rec->reaped_read_bytes,
		.reaped_write_bytes = rec->reaped_write_bytes,
		.exited = rec->flags & CARRY_EXITED,
		.reaped_by_monitor = rec->flags & CARRY_REAPED_BY_MONITOR,
		.attached = rec->flags & CARRY_ATTACHED, .exit_status = rec->exit_status,
		.end_reason = (enum end_reason)rec->end_reason,
	};
	memcpy(e->comm, rec->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = '\0';
	image->refs = 1;
	image->argv.truncated = rec->flags & CARRY_TRUNCATED;
	image->argv.redacted_words = rec->redacted_words;
	if ((rec->flags & CARRY_FILENAME && !(image->filename = (char *)take_string(&at, end))) ||
	    (rec->flags & CARRY_CWD && !(image->cwd = (char *)take_string(&at, end))))
		return -1;
	image->argv.items = calloc(rec->argc ? rec->argc : 1, sizeof(char *));
	if (!image->argv.items)
		return -1;
	for (; image->argv.count < rec->argc; image->argv.count++)
		if (!(image->argv.items[image->argv.count] = (char *)take_string(&at, end)))
			return carried_free(out), -1;
	return 0;
}

void carried_free(struct carried_execution *c)
{
	free(c->image.argv.items);
	c->image.argv.items = NULL;
}
