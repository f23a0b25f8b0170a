/* Counters of a process that is still running when the run ends, read from /proc: its
 * figures so far (CPU to the clock tick; the kernel's exact figures come only at reap). */
#ifndef PIPETRACE_LIVE_USAGE_H
#define PIPETRACE_LIVE_USAGE_H

#include <stdint.h>

#include "bpf/proc.h"

/* A usage_probe_fn (model.h); ctx unused. */
void live_usage(void *ctx, uint32_t pid, struct pt_proc_usage *usage);

#endif
