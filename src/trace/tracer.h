/* The probes at work: started on shared maps, fed with the traced tree's root, and drained
 * from one ring buffer into the probes' decoders. */
#ifndef PIPETRACE_TRACER_H
#define PIPETRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset/schema.h"
#include "probes/probe.h"

struct tracer;

/* Starts proc and every module named in `enabled` (by index in probe_modules). */
struct tracer *tracer_start(const bool *enabled, struct probe_settings settings,
			    struct probe_sink sink, char *err, size_t err_size);
/* Finishes starting the probes that need not hold CMD (once CMD runs). */
int tracer_start_late(struct tracer *t, char *err, size_t err_size);
void tracer_stop(struct tracer *t);

/* Makes pid (and everything it will fork) traced. */
int tracer_seed(struct tracer *t, uint32_t pid);
/* The ring buffer's epoll fd, readable when the kernel forced a wake-up. */
int tracer_fd(const struct tracer *t);
/* Decodes everything waiting. Returns -1 when a decoder failed (tracer_error says why). */
int tracer_drain(struct tracer *t);
/* Gives every probe with a periodic task its turn. */
int tracer_tick(struct tracer *t, uint64_t now_ns);
/* Tells the probes an execution is final (before it is freed). */
int tracer_execution_finished(struct tracer *t, const struct execution *e,
			      const struct execution_figures *f);
/* How long the run loop may sleep: longest_ms, or less when a probe ticks more often. */
int tracer_period_ms(const struct tracer *t, int longest_ms);
const char *tracer_error(const struct tracer *t);
/* Fills lost[LOST_KINDS] with what was lost so far, by cause: the kernel's counters over all
 * CPUs, then the records user space could not decode. Returns their sum. */
uint64_t tracer_losses(const struct tracer *t, uint64_t *lost);

#endif
