/* The run loop: drain the ring buffer on a timer, reap children (pipetrace is a child
 * subreaper, so orphans of the tree come back to it), pass signals on to CMD, and decide
 * when the run is over. */
#ifndef PIPETRACE_SUPERVISE_H
#define PIPETRACE_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/model.h"
#include "trace/tracer.h"

/* What the run loop reads from its signalfd: SIGCHLD, and the signals pipetrace passes on to
 * CMD (SIGINT, SIGTERM, SIGHUP, SIGQUIT) unless its caller ignores them: an ignored signal
 * stays ignored, for pipetrace and for CMD. */
void supervise_signals(sigset_t *set);

struct supervision {
	int status;      /* CMD's wait(2) status */
	uint64_t end_ns; /* CLOCK_MONOTONIC when the run ended */
	unsigned signals; /* signals received for CMD while it ran */
	int stop_signal;  /* the second of them, which ended the run before CMD (0: none) */
};

/* Called on every turn of the run loop with CLOCK_MONOTONIC now (a status display). */
struct supervise_observer {
	void (*turn)(void *ctx, uint64_t now_ns);
	/* Once the run is over, before waiting for the last records of final accounting. */
	void (*over)(void *ctx);
	void *ctx;
};

/* Runs until CMD (child) has exited, or with wait_all until every traced process has, then
 * waits briefly for the final accounting of what was reaped. A second signal for CMD (the
 * first is passed on) is passed on too and ends the run at once, CMD still running
 * (out->stop_signal). When tracing fails (tracer_error) CMD is still waited for, and -1 is
 * returned once it has exited. */
int supervise(struct tracer *t, struct model *m, pid_t child, int signal_fd, bool wait_all,
	      struct supervise_observer observer, struct supervision *out);

/* Without tracing (--fail-open): passes signals on until child exits; its wait status. */
int supervise_untraced(pid_t child, const sigset_t *signals);

uint64_t monotonic_ns(void);

#endif
