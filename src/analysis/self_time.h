/* Self time: the part of an execution's wall time during which none of its child executions
 * ran — the time the process itself was working, or waiting on something untraced. A shell
 * that waits for its commands has almost none; the command that got slower has it all, which
 * is why `pipetrace diff` ranks changes by it (docs/report.md). */
#ifndef PIPETRACE_SELF_TIME_H
#define PIPETRACE_SELF_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/run_data.h"

/* Fills self_ns[i] for executions[0..count) of one run: end - start minus the union of its
 * children's [start, end) clipped to its own span (children: parent_exec_id; of duplicate
 * exec_ids the first is the parent). Returns 0, or -1 when out of memory. O(n log n). */
int self_time_compute(const struct execution_record *executions, size_t count, int64_t *self_ns);

#endif
