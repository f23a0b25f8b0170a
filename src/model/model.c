#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include "model/argv.h"
#include "model/model_private.h"

/* The current execution of pid (of the newest process to hold it), or NULL. */
static struct execution *find(struct model *m, uint32_t pid)
{
	return *process_slot(&m->processes, pid);
}

void image_clear(struct image *image)
{
	free(image->filename);
	free(image->cwd);
	argv_free(&image->argv);
	image->filename = image->cwd = NULL;
}

struct image *image_new(void)
{
	struct image *image = calloc(1, sizeof(*image));

	if (image)
		image->refs = 1;
	return image;
}

void image_release(struct image *image)
{
	if (image && --image->refs == 0) {
		image_clear(image);
		free(image);
	}
}

void execution_destroy(struct execution *e)
{
	if (!e)
		return;
	image_release(e->image);
	free(e);
}

/* A new execution of `shared` (one more reference), or of a new, empty image when NULL. */
static struct execution *execution_new(struct model *m, uint32_t pid, uint64_t ts,
				       struct image *shared)
{
	struct execution *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	if (shared)
		shared->refs++;
	e->image = shared ? shared : image_new();
	if (!e->image) {
		free(e);
		return NULL;
	}
	e->exec_id = ++m->next_exec_id;
	e->pid = pid;
	e->start_ns = ts;
	e->end_reason = END_RUNNING;
	return e;
}

/* Hands a final execution to the sink and frees it. */
static int finish_execution(struct model *m, struct execution *e)
{
	struct execution_figures f;
	int rc;

	execution_figures(e, &f);
	rc = m->sink.finished(m->sink.ctx, e, &f);

	execution_destroy(e);
	return rc;
}

struct model *model_new(struct execution_sink sink)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m || process_table_grow(&m->processes)) {
		free(m);
		return NULL;
	}
	m->sink = sink;
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->processes.bucket_count; i++) {
		for (struct execution *e = m->processes.buckets[i], *next; e; e = next) {
			next = e->bucket_next;
			execution_destroy(e);
		}
	}
	process_table_free(&m->processes);
	free(m);
}

int model_seed(struct model *m, uint32_t pid, uint64_t ts, const char *cwd)
{
	struct execution *e = execution_new(m, pid, ts, NULL);

	if (!e || (cwd && !(e->image->cwd = strdup(cwd))) ||
	    process_add(&m->processes, e)) {
		execution_destroy(e);
		return -1;
	}
	return 0;
}

int model_attach(struct model *m, const struct attached_process *p)
{
	struct execution *parent = find(m, p->ppid), *e;
	struct image *image;

	if (find(m, p->pid))
		return 0;
	e = execution_new(m, p->pid, p->start_ns, NULL);
	if (!e)
		return -1;
	image = e->image;
	e->attached = true;
	e->ppid = p->ppid;
	e->ns_pid = p->pid;
	e->uid = p->uid;
	e->gid = p->gid;
	e->parent_exec_id = parent ? parent->exec_id : 0;
	escape_bytes_to(e->comm, p->comm, strnlen(p->comm, PT_COMM_LEN));
	if ((p->filename && !(image->filename = escape_bytes(p->filename, strlen(p->filename)))) ||
	    (p->cwd && !(image->cwd = escape_bytes(p->cwd, strlen(p->cwd)))) ||
	    argv_from_bytes(&image->argv, p->args, p->args_len, false) || process_add(&m->processes, e)) {
		execution_destroy(e);
		return -1;
	}
	image->argv.redacted_words = p->redacted_words;
	return 0;
}

/* A child forked while its pid was being attached from /proc: its fork record knows better. */
static void attached_was_forked(struct execution *e, const struct execution *parent,
				const struct pt_fork_record *r)
{
	e->attached = false;
	e->start_ns = r->hdr.ts;
	e->parent_exec_id = parent ? parent->exec_id : 0;
}

/* A process whose exit record was lost, and whose pid a fork reuses: it ended before that
 * fork, with the CPU of its last sample. */
static int end_unexited(struct model *m, struct execution **slot, uint64_t ts)
{
	struct execution *e = *slot;

	e->end_ns = ts;
	e->end_reason = END_EXIT;
	e->usage.cpu_ns = e->sampled_cpu_ns;
	process_remove(&m->processes, slot);
	return finish_execution(m, e);
}

int64_t model_fork(struct model *m, const struct pt_fork_record *r)
{
	struct execution **held = process_slot(&m->processes, r->hdr.pid);
	struct execution *parent = find(m, r->parent_pid), *e;

	if (*held && (*held)->attached && !(*held)->exited && (*held)->ppid == r->ppid) {
		attached_was_forked(*held, parent, r);
		return (int64_t)(*held)->exec_id;
	}
	/* The pid is reused before the FREE record of the process that held it, which stays
	 * behind the new one (process_oldest_slot) to get it. */
	if (*held && !(*held)->exited && end_unexited(m, held, r->hdr.ts))
		return -1;
	/* A forked child runs its parent's image until it execs. */
	e = execution_new(m, r->hdr.pid, r->hdr.ts, parent ? parent->image : NULL);
	if (!e)
		return -1;
	e->ppid = r->ppid;
	e->ns_pid = r->ns_pid;
	if (parent) {
		e->parent_exec_id = parent->exec_id;
		memcpy(e->comm, parent->comm, sizeof(e->comm));
		e->uid = parent->uid;
		e->gid = parent->gid;
		e->cgroup_id = parent->cgroup_id;
	}
	if (process_add(&m->processes, e)) {
		execution_destroy(e);
		return -1;
	}
	return (int64_t)e->exec_id;
}

/* Takes cwd over, whatever the outcome. */
static int set_image(struct execution *e, const struct pt_exec_record *r, char *cwd)
{
	const char *data = r->data;
	struct image *image;

	e->ppid = r->ppid;
	e->ns_pid = r->ns_pid;
	e->uid = r->uid;
	e->gid = r->gid;
	e->cgroup_id = r->cgroup_id;
	e->exec_ns = r->hdr.ts;
	escape_bytes_to(e->comm, r->comm, strnlen(r->comm, PT_COMM_LEN));
	/* The image the exec loaded: refilled in place unless the parent still shares it. */
	if (e->image->refs == 1) {
		image_clear(e->image);
	} else {
		if (!(image = image_new())) {
			free(cwd);
			return -1;
		}
		image_release(e->image);
		e->image = image;
	}
	image = e->image;
	image->cwd = cwd;
	image->filename = escape_bytes(data, r->filename_len);
	if (!image->filename)
		return -1;
	if (argv_from_bytes(&image->argv, data + r->filename_len + r->cwd_len, r->args_len,
			    r->args_len < r->args_full_len))
		return -1;
	image->argv.redacted_words = r->redacted_words;
	return 0;
}

/* The exec record came after the exit record (it was read later): the exit ends the image
 * the exec loaded, not the one it replaced. */
static void take_exit(struct execution *next, struct execution *e)
{
	next->exited = true;
	next->exit_status = e->exit_status;
	next->reaped_by_monitor = e->reaped_by_monitor;
	next->end_ns = e->end_ns;
	next->usage = e->usage;
	next->end_reason = END_EXIT;
	e->exited = e->reaped_by_monitor = false;
}

int64_t model_exec(struct model *m, const struct pt_exec_record *r, char *cwd)
{
	/* slot stays valid below: a process added here has not exec'd, and returns first. */
	struct execution **slot = process_slot(&m->processes, r->hdr.pid), *e = *slot, *next;

	if (!e) {
		e = execution_new(m, r->hdr.pid, r->hdr.ts, NULL);
		if (!e || process_add(&m->processes, e)) {
			execution_destroy(e);
			free(cwd);
			return -1;
		}
	}
	if (e->exec_ns == 0 && !e->attached) {
		/* The first exec after fork continues the execution the fork started. */
		return set_image(e, r, cwd) ? -1 : (int64_t)e->exec_id;
	}
	next = execution_new(m, r->hdr.pid, r->hdr.ts, NULL);
	if (!next) {
		free(cwd);
		return -1;
	}
	next->parent_exec_id = e->parent_exec_id;
	next->prev_exec_id = e->exec_id;
	next->base = r->usage;
	if (set_image(next, r, cwd)) {
		execution_destroy(next);
		return -1;
	}
	if (e->exited)
		take_exit(next, e);
	e->end_ns = r->hdr.ts;
	e->usage = r->usage;
	e->end_reason = END_EXEC;
	next->bucket_next = e->bucket_next; /* next takes e's place as the current execution */
	*slot = next;
	return finish_execution(m, e) ? -1 : (int64_t)next->exec_id;
}

/* The parent that waits for an exited process gets its I/O counters added to its own
 * (wait_task_zombie): note them against the parent's current execution, which subtracts them
 * from its own figures. A shell waits before it runs its next command, so that is the
 * execution that did the waiting. */
static void charge_parent(struct model *m, const struct pt_exit_record *r)
{
	struct execution *parent = r->autoreap ? NULL : find(m, r->parent);

	if (!parent)
		return;
	parent->reaped_read_bytes += r->usage.read_bytes;
	parent->reaped_write_bytes += r->usage.write_bytes;
}

int64_t model_exit(struct model *m, const struct pt_exit_record *r)
{
	struct execution *e = find(m, r->hdr.pid);

	if (!e || e->exited)
		return 0;
	e->exited = true;
	e->exit_status = r->exit_status;
	e->end_ns = r->hdr.ts;
	e->usage = r->usage;
	e->end_reason = END_EXIT;
	m->awaiting_final++;
	charge_parent(m, r);
	return (int64_t)e->exec_id;
}

int64_t model_free_record(struct model *m, const struct pt_free_record *r)
{
	struct execution **slot = process_oldest_slot(&m->processes, r->hdr.pid), *e = *slot;
	int64_t id;

	if (!e)
		return 0;
	id = (int64_t)e->exec_id;
	if (e->exited) {
		m->awaiting_final--;
	} else {
		/* The exit record was lost: the free record still ends the process. */
		e->end_ns = r->hdr.ts;
		e->end_reason = END_EXIT;
	}
	e->usage = r->usage;
	process_remove(&m->processes, slot);
	return finish_execution(m, e) ? -1 : id;
}

uint64_t model_note_sample(struct model *m, uint32_t pid, uint64_t cpu_ns, uint64_t rss_kb)
{
	struct execution *e = find(m, pid);

	if (!e || e->exited)
		return 0;
	/* CPU only grows; a read racing a thread's exit can come out a little low. */
	if (cpu_ns > e->sampled_cpu_ns)
		e->sampled_cpu_ns = cpu_ns;
	e->sampled_rss_kb = rss_kb;
	return e->exec_id;
}

const struct execution *model_current(struct model *m, uint32_t pid)
{
	return find(m, pid);
}

int model_for_each_live(struct model *m, int (*fn)(void *ctx, const struct execution *e),
			void *ctx)
{
	for (size_t i = 0; i < m->processes.bucket_count; i++) {
		for (struct execution *e = m->processes.buckets[i]; e; e = e->bucket_next) {
			int rc = e->exited ? 0 : fn(ctx, e);

			if (rc)
				return rc;
		}
	}
	return 0;
}

size_t model_running(const struct model *m)
{
	return m->processes.count - m->awaiting_final;
}

size_t model_awaited_final_records(const struct model *m, uint64_t exited_since_ns)
{
	size_t count = 0;

	if (!m->awaiting_final)
		return 0;
	for (size_t i = 0; i < m->processes.bucket_count; i++)
		for (const struct execution *e = m->processes.buckets[i]; e; e = e->bucket_next)
			count += e->exited && (e->end_ns >= exited_since_ns || e->reaped_by_monitor);
	return count;
}

void model_reaped_by_monitor(struct model *m, uint32_t pid)
{
	struct execution *e = find(m, pid);

	if (e)
		e->reaped_by_monitor = true;
}

uint64_t model_executions(const struct model *m)
{
	return m->next_exec_id;
}

int model_finish(struct model *m, uint64_t end_ts, usage_probe_fn probe_usage, void *ctx)
{
	int rc = 0;

	for (size_t i = 0; i < m->processes.bucket_count; i++) {
		for (struct execution *e = m->processes.buckets[i], *next; e; e = next) {
			next = e->bucket_next;
			if (!e->exited) {
				e->end_ns = end_ts;
				probe_usage(ctx, e->pid, &e->usage);
				/* /proc counts whole clock ticks; a kernel sample may know more. */
				if (e->sampled_cpu_ns > e->usage.cpu_ns)
					e->usage.cpu_ns = e->sampled_cpu_ns;
			}
			if (finish_execution(m, e))
				rc = -1;
		}
		m->processes.buckets[i] = NULL;
	}
	m->processes.count = m->awaiting_final = 0;
	return rc;
}
