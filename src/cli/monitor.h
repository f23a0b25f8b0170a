/* What attach and record share: tracing processes pipetrace did not start, from the moment
 * the probes are attached until the target ends (attach's PID) or a signal comes, into one
 * dataset or (record --rotate) a series of them. */
#ifndef PIPETRACE_MONITOR_H
#define PIPETRACE_MONITOR_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/options.h"
#include "cli/tracing.h"
#include "model/argv.h"
#include "trace/proc_tree.h"
#include "trace/supervise.h"

struct monitor {
	const char *command; /* "attach", "record": names the subcommand in messages */
	struct run_options opt;
	struct trace_names names;
	struct probe_settings settings;
	struct proc_selection selection;
	struct supervise_target target;
	struct argv_list run_command; /* runs.parquet's command, redacted and escaped */
	struct redactor *redactor;    /* NULL: --no-redact */
	/* Optional: once the probes are attached and the running processes adopted. */
	void (*started)(struct monitor *m, long adopted);
	/* Optional: on every turn of the run loop; non-zero ends the run as failed. */
	int (*turn)(struct monitor *m, struct session *s, uint64_t now_ns);
	uint64_t start_realtime_ns; /* of the dataset being written */
	uint64_t start_cpu_ns;      /* pipetrace's CPU when it began */
};

/* Blocks the signals the run loop reads (before any thread starts); fills set with them. */
void monitor_block_signals(sigset_t *set);

/* Once the options are parsed: the redactor and the probes' settings. CLI_GO_ON, or c's
 * usage status after a one-line error (a bad --redact pattern). */
int monitor_prepare(struct monitor *m, const struct cli_command *c);
/* Frees what monitor_prepare and the command set up (the redactor, run_command). */
void monitor_release(struct monitor *m);

/* Runs the monitor. Returns the exit status: 0 when the dataset was written, 1 when tracing
 * or writing failed (said on stderr). */
int monitor_run(struct monitor *m, const sigset_t *signals);

/* The run_info of the dataset being written, up to end_ns (CLOCK_MONOTONIC); its strings
 * point into m and options_json. */
void monitor_run_info(struct monitor *m, struct session *s, uint64_t end_ns,
		      const char **probe_names, char *options_json, size_t json_size,
		      struct run_info *run);

/* The settings a replay of m's journal opens its decoders with. */
struct run_settings monitor_run_settings(const struct monitor *m);

#endif
