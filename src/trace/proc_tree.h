/* Processes running before tracing began (attach's PID and its descendants; those record's
 * filter matches and theirs), found in /proc, made traced in the kernel and added to the
 * model as attached. */
#ifndef PIPETRACE_PROC_TREE_H
#define PIPETRACE_PROC_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "trace/tracer.h"

struct proc_selection {
	uint32_t root;      /* attach: this process (0: none) */
	uint32_t filter;    /* record: PT_FILTER_* (bpf/proc.h) */
	const char *cgroup; /* PT_FILTER_CGROUP: its path below the cgroup2 mount ("/a/b") */
	char *const *comms; /* PT_FILTER_COMM */
	size_t comm_count;
};

/* Adopts every selected process and its descendants (their argv redacted as the tracer's
 * settings say, journaled: tracer_attach_pid); called once the probes are attached, so
 * that whatever forks meanwhile is seen by them. Returns how many were adopted, or -1 (errno
 * ESRCH: the root is not running; else out of memory). */
long proc_tree_adopt(struct tracer *t, struct model *m, const struct proc_selection *sel);

#endif
