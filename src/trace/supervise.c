#include "trace/supervise.h"

#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often the ring buffer is drained when the kernel did not force a wake-up (a quarter of
 * the ring waiting). Each wake-up costs more than the records it drains: in a 3000-process
 * storm, pipetrace's CPU (runs.parquet monitor_cpu_ns, median of 15 storms run alternately by
 * builds differing only here) was ~15.0 ms draining every 50 ms, ~13.4 ms every 100 ms and
 * ~12.2-13.0 ms every 200 ms. The status line is redrawn at most every 250 ms anyway. */
#define DRAIN_PERIOD_MS 200
/* Once the run is over, how long to wait for the final accounting of processes already
 * exited. It usually follows the exit by ~0.1 ms (handle_switch in proc.bpf.c), but when that
 * read raced the reap it comes with the reap record, an RCU grace period after the reap (5-30
 * ms here), and the kernel sometimes holds a batch of those back for seconds. So wait only
 * for processes that exited less than STUCK before the end or that pipetrace reaped itself,
 * while their records keep coming, at most STALL without one and LIMIT in all; an execution
 * not waited for keeps the figures of its exit record. */
#define FINAL_ACCOUNTING_STUCK_NS (250 * 1000000ull)
#define FINAL_ACCOUNTING_STALL_NS (60 * 1000000ull)
#define FINAL_ACCOUNTING_LIMIT_NS (500 * 1000000ull)

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void supervise_signals(sigset_t *set)
{
	static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		struct sigaction current;

		if (sigaction(forwarded[i], NULL, &current) == 0 && current.sa_handler != SIG_IGN)
			sigaddset(set, forwarded[i]);
	}
}

/* Reaps every child that has ended (CMD and re-parented orphans alike). */
static void reap(struct tracer *t, pid_t child, bool *child_done, struct supervision *out)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		tracer_reaped(t, (uint32_t)pid, pid == child, status);
		if (pid == child) {
			*child_done = true;
			out->status = status;
			out->end_ns = monotonic_ns();
		}
	}
}

/* Returns true when the user asked to stop waiting: a signal after CMD is gone (with
 * --wait-all), or a second one while CMD runs (out->stop_signal: the run ends now). */
static bool handle_signals(struct tracer *t, int signal_fd, pid_t child, bool *child_done,
			   struct supervision *out)
{
	struct signalfd_siginfo info;
	bool stop = false;

	while (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
		if (info.ssi_signo == SIGCHLD) {
			reap(t, child, child_done, out);
			continue;
		}
		if (*child_done) {
			stop = true;
			continue;
		}
		/* A terminal's ^C reaches the whole foreground group, CMD included: pass on
		 * only what was sent to pipetrace alone. */
		if (info.ssi_code != SI_KERNEL)
			kill(child, (int)info.ssi_signo);
		if (out->signals++) {
			out->stop_signal = (int)info.ssi_signo;
			stop = true;
		}
	}
	return stop;
}

int supervise(struct tracer *t, struct model *m, pid_t child, int signal_fd, bool wait_all,
	      struct supervise_observer observer, struct supervision *out)
{
	struct pollfd fds[2] = {{.fd = signal_fd, .events = POLLIN},
				{.fd = tracer_fd(t), .events = POLLIN}};
	int period_ms = tracer_period_ms(t, DRAIN_PERIOD_MS);
	bool child_done = false, traced = true;
	uint64_t limit, stall = 0, now, exited_since;

	/* Once tracing has failed, only CMD is waited for: --wait-all has nothing to go by. */
	while (!child_done || (traced && wait_all && model_running(m) > 0)) {
		/* An interrupted or failed poll only makes this turn early. */
		poll(fds, traced ? 2 : 1, period_ms);
		/* Taken before the drain: whatever exited before now is drained as exited, so a
		 * periodic sample at now never postdates an execution's end. */
		now = monotonic_ns();
		if (traced && (tracer_drain(t) || tracer_tick(t, now)))
			traced = false;
		observer.turn(observer.ctx, now);
		/* Children are reaped when a SIGCHLD says so (run.c keeps its default action). */
		if (handle_signals(t, signal_fd, child, &child_done, out))
			break;
	}
	if (wait_all || out->stop_signal)
		out->end_ns = monotonic_ns();
	observer.over(observer.ctx);
	if (!traced)
		return -1;
	now = monotonic_ns();
	limit = now + FINAL_ACCOUNTING_LIMIT_NS;
	exited_since = now > FINAL_ACCOUNTING_STUCK_NS ? now - FINAL_ACCOUNTING_STUCK_NS : 0;
	for (size_t waiting = SIZE_MAX, awaited;;) {
		if (tracer_drain(t))
			return -1;
		now = monotonic_ns();
		awaited = model_awaited_final_records(m, exited_since);
		if (awaited < waiting) {
			waiting = awaited;
			stall = now + FINAL_ACCOUNTING_STALL_NS;
		}
		if (waiting == 0 || now >= stall || now >= limit)
			return 0;
		/* The final record of a child of pipetrace wakes it (handle_switch). */
		poll(&fds[1], 1, 2);
		reap(t, child, &child_done, out);
	}
}

int supervise_untraced(pid_t child, const sigset_t *signals)
{
	siginfo_t info;
	int status;

	for (;;) {
		if (waitpid(child, &status, WNOHANG) == child)
			return status;
		if (sigwaitinfo(signals, &info) > 0 && info.si_signo != SIGCHLD &&
		    info.si_code != SI_KERNEL)
			kill(child, info.si_signo);
	}
}
