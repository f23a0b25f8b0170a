/* What run, attach and record share in front of a trace session: naming the run and its
 * folder (--partition), whether this machine can trace, the probes' settings, the status line
 * and the summary. */
#ifndef PIPETRACE_TRACING_H
#define PIPETRACE_TRACING_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/options.h"
#include "cli/status_line.h"
#include "model/argv.h"
#include "probes/probe.h"
#include "trace/session.h"

struct redactor;

struct trace_names {
	char run_id[96], output[PATH_MAX];
	char cwd[ESCAPED_SIZE(PATH_MAX)]; /* escaped, as every string of the dataset */
	int64_t realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* The run's id (--run-id, or the UTC time and a random suffix) and folder (-o, default
 * pipetrace-RUN_ID; with --partition under the root -o names, default "."). */
void trace_name_run(const struct run_options *opt, struct trace_names *names);
/* A new default run id (UTC time now and a random suffix). */
void trace_make_run_id(char *out, size_t size);
/* ROOT/host=HOST/date=YYYY-MM-DD/run=RUN_ID, the date UTC now, HOST this machine's name with
 * any character an engine would escape made '_'. */
void trace_partition_dir(const char *root, const char *run_id, char *out, size_t size);

/* Why this machine cannot trace (no BTF, no privilege), or NULL. */
const char *trace_unavailable(void);
/* Compiles the --redact patterns into *out, before anything starts: a bad one is a usage error
 * of c (its status returned after the message). --no-redact: *out NULL, the patterns checked. */
int trace_make_redactor(const struct cli_command *c, const struct run_options *opt,
			struct redactor **out);
/* The probes' settings the options ask for, redacting with r (NULL: --no-redact). */
struct probe_settings trace_probe_settings(const struct run_options *opt, struct redactor *r);
/* runs.command: words redacted by r (NULL: as they are) as an argv is, then escaped. */
int trace_command_words(struct redactor *r, char *const *words, size_t count,
			struct argv_list *out);
/* Opens the session in the run's folder: session_open's result, with err set on failure. */
int trace_open(struct session *s, const struct run_options *opt, const struct trace_names *n,
	       struct probe_settings settings, char *err, size_t err_size);
#define TRACE_DEBUG_REMEDY "; PIPETRACE_DEBUG=1 shows libbpf's and the verifier's log"

/* Prints why trace_open failed (rc, err) and the remedy, after prefix ("pipetrace"). */
void trace_open_failed(const char *prefix, int rc, const char *err);

/* The status line's view of the run: what finished, plus the live executions' last samples;
 * a supervise_observer. */
struct trace_progress {
	struct status_line line;
	struct session *session;
	uint64_t live_cpu_ns;
	uint64_t monitor_cpu_ns; /* pipetrace's CPU when the run was over (0: not yet) */
};
void trace_progress_init(struct trace_progress *p, struct session *s, bool quiet);
int trace_progress_turn(void *ctx, uint64_t now_ns);
void trace_progress_over(void *ctx);

/* pipetrace's own CPU time so far. */
uint64_t trace_own_cpu_ns(void);
/* The options runs.parquet records, as JSON (the --redact patterns left out: one may spell a
 * secret out). */
void trace_describe_options(const struct run_options *opt, const char *user,
			    const struct redactor *r, char *buf, size_t size);
/* Finishes the session's dataset in dir (session_finish; incomplete: the run loop ended
 * early), or, when tracing stopped mid-run, rebuilds it from the journal; -1 when it could not
 * be written or tracing had stopped (said on stderr after prefix, "pipetrace attach"). */
int trace_finish(struct session *s, struct run_info *run, uint64_t end_ns, bool incomplete,
		 const char *prefix, const char *dir);
/* The summary of the dataset in dir on stderr, unless quiet. */
void trace_summary(const char *dir, bool quiet);

#endif
