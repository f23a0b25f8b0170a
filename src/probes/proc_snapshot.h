/* A process that was running before tracing began, read from /proc: how attach and record
 * know what the kernel's records never said (its start, image, command line, cwd). */
#ifndef PIPETRACE_PROC_SNAPSHOT_H
#define PIPETRACE_PROC_SNAPSHOT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct proc_snapshot {
	struct attached_process process; /* its strings point into the fields below */
	char filename[PATH_MAX], cwd[PATH_MAX];
	char *args; /* allocated */
};

/* What /proc/PID/stat says of a process's place: enough to choose which to attach. */
struct proc_stat {
	uint32_t ppid;
	uint64_t start_ns; /* CLOCK_MONOTONIC, to the clock tick */
	/* The kernel's own start (clock ticks since boot): start_ns is derived from it with the
	 * clocks read anew each time, so two processes of one tick may differ by a few ns. */
	uint64_t start_ticks;
	bool kernel_thread;
};
int proc_stat_read(uint32_t pid, struct proc_stat *out);
/* /proc/PID/NAME's first max - 1 bytes, NUL-terminated; their count, or -1. */
long read_proc_file(uint32_t pid, const char *name, char *buf, size_t max);

/* Reads /proc/PID; -1 when the process is gone (or is no process /proc can show). */
int proc_snapshot_read(uint32_t pid, struct proc_snapshot *s);
void proc_snapshot_free(struct proc_snapshot *s);

struct redactor;

/* pid as an attached process would be added to the model (model_attach), its argv redacted
 * by r (NULL: --no-redact) as an exec record's is; when it has gone from /proc, by its pid
 * alone, started at seen_ns. 0, or -1 out of memory (s freed with proc_snapshot_free). */
int proc_snapshot_take(uint32_t pid, uint64_t seen_ns, struct redactor *r, struct proc_snapshot *s);

#endif
