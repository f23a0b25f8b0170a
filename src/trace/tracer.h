/* The probes at work: opened on the dataset, started on shared maps, fed with the traced
 * tree's root, and drained from one ring buffer into the probes' decoders. Every record
 * decoded, and every other fact the dataset depends on, is journaled first (when a journal
 * is given), so that trace/replay.c can replay a run through the same calls without the
 * kernel. */
#ifndef PIPETRACE_TRACER_H
#define PIPETRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset/journal.h"
#include "dataset/schema.h"
#include "model/model.h"
#include "probes/probe.h"

struct tracer;

/* Opens proc and every module named in `enabled` (by index in probe_modules): their state
 * and tables, no BPF. journal: where records go before they are decoded (NULL: nowhere, a
 * replay). */
struct tracer *tracer_open(const bool *enabled, struct probe_settings settings,
			   struct probe_sink sink, struct journal *journal, char *err,
			   size_t err_size);
/* Loads and attaches the opened modules' BPF programs and opens the ring buffer. */
int tracer_start(struct tracer *t, char *err, size_t err_size);
/* Finishes starting the probes that need not hold CMD (once CMD runs). */
int tracer_start_late(struct tracer *t, char *err, size_t err_size);
void tracer_stop(struct tracer *t);

/* Makes pipetrace's child pid (as pipetrace sees it) and everything it will fork traced: the
 * command launched at ts from cwd. -1 with errno set on failure. */
int tracer_seed(struct tracer *t, uint32_t pid, uint64_t ts, const char *cwd);
/* pipetrace's pid namespace (its inode), 0 for the root one. */
uint32_t tracer_pid_namespace(void);
/* Makes pid, a process running before tracing began, traced as one that has exec'd. -1 with
 * errno EEXIST when the kernel traces it already (it forked from a traced process). */
int tracer_adopt(struct tracer *t, uint32_t pid);
/* Adds p, a process running before it was traced, to the model as attached (unless it
 * knows the pid), journaled first. 0, or -1 (out of memory, tracing stopped). */
int tracer_attach(struct tracer *t, const struct attached_process *p);
/* The same for pid as /proc shows it now (gone from /proc: by its pid alone, from seen_ns),
 * its argv redacted as the settings say. */
int tracer_attach_pid(struct tracer *t, uint32_t pid, uint64_t seen_ns);
/* Where records are journaled from now on (record --rotate: the next dataset's journal). */
void tracer_set_journal(struct tracer *t, struct journal *journal);
/* The ring buffer's epoll fd, readable when the kernel forced a wake-up. */
int tracer_fd(const struct tracer *t);
/* Decodes everything waiting, then journals it (one frame). -1 once tracing has failed. */
int tracer_drain(struct tracer *t);
/* Decodes one record (a replayed one: not prepared again). */
int tracer_decode(struct tracer *t, const struct pt_record_header *hdr, size_t size);
/* Gives every probe with a periodic task its turn (journaled with what was lost so far). */
int tracer_tick(struct tracer *t, uint64_t now_ns);
/* pipetrace reaped pid (is_cmd: CMD, with its wait status). */
void tracer_reaped(struct tracer *t, uint32_t pid, bool is_cmd, int status);
/* Tells the probes an execution is final (before it is freed). */
int tracer_execution_finished(struct tracer *t, const struct execution *e,
			      const struct execution_figures *f);
/* Ends the model at end_ns: what probe_usage reads of each live process is journaled. */
int tracer_finish(struct tracer *t, uint64_t end_ns, usage_probe_fn probe_usage, void *ctx);
/* Where the model's finished executions go: their row, then the probes that follow them
 * (tracer is set once opened; nothing finishes before). An execution_sink's ctx. */
struct tracer_sink {
	struct dataset *dataset;
	struct tracer *tracer;
	uint64_t finished_cpu_ns; /* for the status line */
	uint64_t written;         /* executions written */
};
int tracer_sink_finished(void *ctx, const struct execution *e, const struct execution_figures *f);

/* Journals a record of pipetrace's own (trace/journal_records.h). */
int tracer_journal(struct tracer *t, const void *record, size_t size);
/* How long the run loop may sleep: longest_ms, or less when a probe ticks more often. */
int tracer_period_ms(const struct tracer *t, int longest_ms);
/* Why tracing stopped (a decoder, a table or the journal failed), or NULL. */
const char *tracer_error(const struct tracer *t);
/* Fills lost[LOST_KINDS] with what was lost so far, by cause: the kernel's counters over all
 * CPUs, then the records user space could not decode. Returns their sum. */
uint64_t tracer_losses(const struct tracer *t, uint64_t *lost);

#endif
