/* Records -> executions. The model follows the traced processes through the proc probe's
 * lifecycle records and hands each execution to the sink once it is final, so memory holds
 * only the executions of processes that have not been reaped yet. */
#ifndef PIPETRACE_MODEL_H
#define PIPETRACE_MODEL_H

#include "bpf/proc.h"
#include "model/execution.h"

struct execution_sink {
	/* Called once per finished execution, with its figures (execution_figures); returns -1
	 * to report a write failure. */
	int (*finished)(void *ctx, const struct execution *e, const struct execution_figures *f);
	void *ctx;
};

/* Counters of a process still alive when the run ends ("figures so far"). */
typedef void (*usage_probe_fn)(void *ctx, uint32_t pid, struct pt_proc_usage *usage);

struct model;

struct model *model_new(struct execution_sink sink);
void model_free(struct model *m);

/* The command pipetrace launches, known before its first exec; cwd is escaped (argv.h). */
int model_seed(struct model *m, uint32_t pid, uint64_t ts, const char *cwd);

/* A process that was running before tracing began, as /proc shows it (trace/proc_tree.c). */
struct attached_process {
	uint32_t pid, ppid, uid, gid;
	uint64_t start_ns; /* CLOCK_MONOTONIC, to the clock tick */
	char comm[PT_COMM_LEN];
	const char *filename, *cwd; /* raw bytes, NUL-terminated; NULL when unreadable */
	const char *args;           /* NUL-separated, as /proc/PID/cmdline */
	size_t args_len;
	unsigned redacted_words;    /* words of args whose secrets were redacted */
};
/* Adds p as the current execution of its pid, marked attached, the child of ppid's current
 * execution when there is one; 0, or -1 out of memory. */
int model_attach(struct model *m, const struct attached_process *p);

/* Each returns the exec_id the record belongs to (0 when the process is unknown), or -1 on
 * failure (out of memory, or the sink failed). */
int64_t model_fork(struct model *m, const struct pt_fork_record *r);
/* cwd: the working directory at the exec, escaped, allocated, taken over by the model (freed
 * on failure too); NULL when the kernel could not read it. */
int64_t model_exec(struct model *m, const struct pt_exec_record *r, char *cwd);
int64_t model_exit(struct model *m, const struct pt_exit_record *r);
int64_t model_free_record(struct model *m, const struct pt_free_record *r);

/* A cpu probe record: the process's cumulative CPU and RSS now. Returns the exec_id, or 0
 * when the process is unknown. */
uint64_t model_note_sample(struct model *m, uint32_t pid, uint64_t cpu_ns, uint64_t rss_kb);
/* The execution a traced process is running now, or NULL. */
const struct execution *model_current(struct model *m, uint32_t pid);
/* Calls fn for every execution whose process has not exited; stops at the first non-zero. */
int model_for_each_live(struct model *m, int (*fn)(void *ctx, const struct execution *e),
			void *ctx);

/* Executions whose process exited and whose final accounting (FREE record) is still worth
 * waiting for: exited at or after exited_since_ns (CLOCK_MONOTONIC), or reaped by pipetrace
 * itself. */
size_t model_awaited_final_records(const struct model *m, uint64_t exited_since_ns);
/* pipetrace reaped pid just now (CMD, or an orphan it adopted). */
void model_reaped_by_monitor(struct model *m, uint32_t pid);
/* Executions whose process is still alive. */
size_t model_running(const struct model *m);
/* Executions started so far. */
uint64_t model_executions(const struct model *m);

/* record --rotate hands the model's state on to the next dataset's journal (model/carry.c).
 * Calls fn for every execution held (running, or exited and awaiting its final accounting), in
 * the order model_restore takes them back; stops at the first non-zero. */
int model_for_each_held(struct model *m, int (*fn)(void *ctx, const struct execution *e),
			void *ctx);
/* Adds a copy of an execution held by the model a journal was written from (its strings
 * escaped already); 0, or -1 out of memory. */
int model_restore(struct model *m, const struct execution *held);
/* Exec ids go on from next_exec_id, as they did in the run. */
void model_continue_ids(struct model *m, uint64_t next_exec_id);

/* Ends the run at end_ts: every execution still held is handed to the sink, exited ones with
 * the figures of their exit record, live ones as 'running' with what probe_usage reads. */
int model_finish(struct model *m, uint64_t end_ts, usage_probe_fn probe_usage, void *ctx);

#endif
