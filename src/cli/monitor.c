#include "cli/monitor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli/cli.h"
#include "redact/redact.h"
#include "trace/session.h"

void monitor_block_signals(sigset_t *set)
{
	sigset_t blocked;

	supervise_signals(set);
	/* SIGINT and SIGTERM end the run even when the caller ignores them, as a shell does for
	 * a job started with '&': with no command of its own to hand them to, pipetrace would
	 * otherwise have no way to be stopped but SIGKILL. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	/* SIGPIPE too: a closed stderr is an error to pipetrace, not its end. */
	blocked = *set;
	sigaddset(&blocked, SIGPIPE);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
}

int monitor_prepare(struct monitor *m, const struct cli_command *c)
{
	if (trace_make_redactor(c, &m->opt, &m->redactor))
		return c->usage_status ? c->usage_status : EXIT_USAGE;
	m->settings = trace_probe_settings(&m->opt, m->redactor);
	return CLI_GO_ON;
}

void monitor_release(struct monitor *m)
{
	redactor_free(m->redactor);
	argv_free(&m->run_command);
	m->redactor = NULL;
}

void monitor_run_info(struct monitor *m, struct session *s, uint64_t end_ns,
		      const char **probe_names, char *options_json, size_t json_size,
		      struct run_info *run)
{
	trace_describe_options(&m->opt, NULL, m->redactor, options_json, json_size);
	*run = (struct run_info){
		.run_id = m->names.run_id,
		.command = m->run_command.items,
		.command_count = m->run_command.count,
		.cwd = m->names.cwd,
		.start_ns = m->start_realtime_ns,
		.exit_code = -1,
		.signal = -1,
		.probes = probe_names,
		.probe_count = run_options_probe_names(&m->opt, probe_names, PROBE_MODULES_MAX),
		.options = options_json,
		.monitor_cpu_ns = trace_own_cpu_ns() - m->start_cpu_ns,
	};
	session_run_info(s, run, end_ns, false);
}

struct run_settings monitor_run_settings(const struct monitor *m)
{
	return (struct run_settings){m->names.realtime_offset, m->opt.interval_ns,
				     m->opt.max_args, m->redactor != NULL};
}

struct monitor_turn {
	struct trace_progress progress;
	struct monitor *monitor;
};

static int turn(void *ctx, uint64_t now_ns)
{
	struct monitor_turn *t = ctx;

	trace_progress_turn(&t->progress, now_ns);
	return t->monitor->turn ? t->monitor->turn(t->monitor, t->progress.session, now_ns) : 0;
}

/* From the probes attached to the end of the run; true when the run loop failed. */
static bool monitor_loop(struct monitor *m, struct session *s, int signal_fd,
			 struct supervision *sup)
{
	struct monitor_turn state = {.monitor = m};
	char err[256];
	long adopted;
	int rc;

	/* In a pid namespace /proc's pids are not the kernel's keys: record starts from what
	 * the filter sees fork or exec (monitor_refusal). */
	adopted = tracer_pid_namespace() ? 0 : proc_tree_adopt(s->tracer, s->model, &m->selection);
	if (adopted < 0) {
		fprintf(stderr, "pipetrace %s: %s\n", m->command,
			errno == ESRCH ? "the process exited before it could be traced"
				       : "out of memory reading /proc");
		return true;
	}
	if (tracer_start_late(s->tracer, err, sizeof(err)))
		fprintf(stderr, "pipetrace %s: %s; the run goes on without it\n", m->command, err);
	if (m->started)
		m->started(m, adopted);
	trace_progress_init(&state.progress, s, m->opt.quiet);
	rc = supervise(s->tracer, s->model, &m->target, signal_fd,
		       (struct supervise_observer){turn, trace_progress_over, &state.progress}, sup);
	status_line_clear(&state.progress.line);
	return rc != 0;
}

/* Whether /proc shows pipetrace's own pid namespace (a container's /proc, not the host's). */
static bool proc_is_own(void)
{
	char self[32];
	ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	return strtol(self, NULL, 10) == getpid();
}

/* Why m cannot run in this pid namespace, or NULL. The processes running when it starts are
 * adopted by the pids /proc shows, the kernel's own only in the root namespace: attach,
 * which needs its PID adopted, runs there alone; record, elsewhere, starts from what its
 * filter sees fork or exec, their figures read from /proc by the pids of its namespace. */
static const char *monitor_refusal(const struct monitor *m)
{
	if (!tracer_pid_namespace())
		return NULL;
	if (m->selection.root)
		return "it traces from the root pid namespace only; run it on the host, not in a "
		       "container";
	if (!proc_is_own())
		return "in a pid namespace it needs that namespace's /proc; mount one (mount -t proc "
		       "proc /proc, or unshare --mount-proc)";
	return NULL;
}

/* The journal's first record: the run as it starts. */
static int monitor_begin(struct monitor *m, struct session *s)
{
	const char *probe_names[PROBE_MODULES_MAX];
	struct run_settings settings = monitor_run_settings(m);
	char options_json[512];
	struct run_info run;

	m->start_cpu_ns = trace_own_cpu_ns();
	m->start_realtime_ns = (uint64_t)((int64_t)monotonic_ns() + m->names.realtime_offset);
	monitor_run_info(m, s, monotonic_ns(), probe_names, options_json, sizeof(options_json),
			 &run);
	if (!session_begin(s, &run, &settings))
		return 0;
	fprintf(stderr, "pipetrace %s: cannot write the journal: %s; choose a writable folder "
		"with -o\n", m->command, tracer_error(s->tracer));
	return -1;
}

int monitor_run(struct monitor *m, const sigset_t *signals)
{
	const char *why = trace_unavailable(), *probe_names[PROBE_MODULES_MAX];
	struct session session = {0};
	struct supervision sup = {0};
	struct run_info run;
	char err[512], options_json[512], prefix[64];
	bool failed;
	int signal_fd, rc;

	snprintf(prefix, sizeof(prefix), "pipetrace %s", m->command);
	if (!why)
		why = monitor_refusal(m);
	if (why) {
		fprintf(stderr, "%s: %s\n", prefix, why);
		return EXIT_FAILURE_OTHER;
	}
	signal_fd = signalfd(-1, signals, SFD_NONBLOCK | SFD_CLOEXEC);
	session.root_pid = m->selection.root;
	rc = signal_fd < 0 ? SESSION_NO_TRACER
			   : trace_open(&session, &m->opt, &m->names, m->settings, err, sizeof(err));
	if (rc) {
		trace_open_failed(prefix, rc, signal_fd < 0 ? strerror(errno) : err);
		return EXIT_FAILURE_OTHER;
	}
	if (monitor_begin(m, &session)) {
		session_abandon(&session, m->names.run_id);
		session_close(&session);
		close(signal_fd);
		return EXIT_FAILURE_OTHER;
	}
	failed = monitor_loop(m, &session, signal_fd, &sup);
	if (!sup.end_ns)
		sup.end_ns = monotonic_ns();
	monitor_run_info(m, &session, sup.end_ns, probe_names, options_json, sizeof(options_json),
			 &run);
	rc = trace_finish(&session, &run, sup.end_ns, failed, prefix, m->names.output);
	trace_summary(m->names.output, m->opt.quiet);
	session_close(&session);
	close(signal_fd);
	return rc || failed ? EXIT_FAILURE_OTHER : 0;
}
