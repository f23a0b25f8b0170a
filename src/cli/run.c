/* pipetrace run: trace CMD and every descendant into a dataset. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/tracing.h"
#include "dataset/dataset.h"
#include "model/model.h"
#include "trace/launch.h"
#include "trace/session.h"
#include "trace/supervise.h"
#include "trace/tracer.h"

static const char run_usage[] =
	"Usage: pipetrace run [OPTIONS] -- CMD [ARG...]\n"
	"Trace CMD and every process it starts (orphans and daemons included) with eBPF, write\n"
	"a Parquet dataset, print a summary to stderr and exit with CMD's status (128+N when it\n"
	"died of signal N). SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to CMD.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR       dataset folder, replacing any tables in it\n"
	"                         (default: pipetrace-RUN_ID)\n"
	"      --run-id ID        the run's id (default: UTC time and a random suffix)\n"
	"      --partition        write the dataset to ROOT/host=HOST/date=YYYY-MM-DD/run=RUN_ID,\n"
	"                         ROOT being -o's folder (default: the current one), for query\n"
	"                         engines reading many runs as one table (docs/fleet.md)\n"
	"      --probes LIST      comma-separated probe modules to add to proc: cpu (on by\n"
	"                         default), files, net (see 'pipetrace probes')\n"
	"      --max-args BYTES   argv bytes kept per exec, 4K to 1M (default 64K; suffix K or M)\n"
	"      --interval DURATION  cpu probe's sampling period, 10ms to 1h (default 1s;\n"
	"                         units ms, s, m, h)\n"
	"      --wait-all         end when every traced process has exited, not just CMD\n"
	"      --user USER        run CMD as USER (default under sudo: the invoking user)\n"
	"      --fail-open        if tracing is impossible here, run CMD untraced anyway\n"
	"  -q, --quiet            no summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: CMD's; 125 when pipetrace itself fails before CMD starts (bad option, no\n"
	"privilege, no BTF, unwritable output), 126 when CMD cannot be executed, 127 when it is\n"
	"not found.\n"
	"\n"
	"Environment: PIPETRACE_CORE_BTF=FILE relocates the probes against FILE's BTF instead of\n"
	"the built-in or the kernel's (see 'pipetrace probes'); PIPETRACE_DEBUG=1 prints libbpf's\n"
	"log when a probe fails to load, PIPETRACE_DEBUG=2 also each program's verifier statistics.\n";

static int fail(const char *fmt, const char *a, const char *b)
{
	fputs("pipetrace: ", stderr);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return EXIT_PIPETRACE_FAILED;
}

/* Everything the traced run needs besides the options. */
struct run_state {
	struct run_options opt;
	struct trace_names names;
	struct launch_user user;
	struct launch_signals cmd_signals; /* pipetrace's caller's, for CMD */
	uint64_t start_realtime_ns;
};

/* Under sudo CMD runs as the invoking user unless --user says otherwise. */
static int resolve_user(struct run_state *s)
{
	const char *name = s->opt.user ? s->opt.user : getenv("SUDO_USER");
	struct passwd *pw;

	if (!name || geteuid() != 0 || (!s->opt.user && !getenv("SUDO_UID")))
		return 0;
	pw = getpwnam(name);
	if (!pw)
		return fail("unknown user '%s'%s; give an existing user to --user", name, "");
	s->user = (struct launch_user){true, pw->pw_uid, pw->pw_gid, pw->pw_name};
	return 0;
}

static int exit_status_of(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Lets CMD run untraced (--fail-open) and waits for it. */
static int run_untraced(const struct run_state *s, struct launch *child, const sigset_t *signals,
			const char *why)
{
	int exec_error;

	fprintf(stderr, "pipetrace: %s; running the command untraced (--fail-open)\n", why);
	exec_error = launch_release(child);
	if (exec_error)
		fprintf(stderr, "pipetrace: cannot run '%s': %s\n", s->opt.command[0],
			strerror(exec_error));
	return exit_status_of(supervise_untraced(child->pid, signals));
}

/* From CMD held to a finished dataset. Returns pipetrace's exit status. */
static int trace_run(struct run_state *s, struct launch *child, const sigset_t *signals,
		     struct session *session)
{
	struct trace_progress progress;
	struct supervision sup = {0};
	const char *probe_names[MAX_PROBES];
	char err[512], options_json[512];
	int64_t offset = s->names.realtime_offset;
	int signal_fd, exec_error, rc;

	signal_fd = signalfd(-1, signals, SFD_NONBLOCK | SFD_CLOEXEC);
	/* The run starts when CMD is released, not while the probes load. */
	s->start_realtime_ns = (uint64_t)((int64_t)monotonic_ns() + offset);
	if (signal_fd < 0 || tracer_seed(session->tracer, (uint32_t)child->pid) ||
	    model_seed(session->model, (uint32_t)child->pid,
		       (uint64_t)((int64_t)s->start_realtime_ns - offset), s->names.cwd)) {
		launch_abort(child);
		return fail("cannot trace '%s': %s", s->opt.command[0], strerror(errno));
	}
	exec_error = launch_release(child);
	if (exec_error)
		fprintf(stderr, "pipetrace: cannot run '%s': %s\n", s->opt.command[0],
			strerror(exec_error));
	if (tracer_start_late(session->tracer, err, sizeof(err)))
		fprintf(stderr, "pipetrace: %s; the run goes on without it\n", err);
	trace_progress_init(&progress, session, s->opt.quiet);
	rc = supervise(session->tracer, session->model,
		       &(struct supervise_target){child->pid, -1, s->opt.wait_all}, signal_fd,
		       (struct supervise_observer){trace_progress_turn, trace_progress_over,
						   &progress},
		       &sup);
	status_line_clear(&progress.line);

	trace_describe_options(&s->opt, s->user.switch_user ? s->user.name : NULL, options_json,
			       sizeof(options_json));
	struct run_info run = {
		.run_id = s->names.run_id,
		.command = s->opt.command,
		.command_count = s->opt.command_count,
		.cwd = s->names.cwd,
		.start_ns = s->start_realtime_ns,
		.exit_code = WIFEXITED(sup.status) ? WEXITSTATUS(sup.status) : -1,
		.signal = WIFSIGNALED(sup.status) ? WTERMSIG(sup.status) : -1,
		.probes = probe_names,
		.probe_count = run_options_probe_names(&s->opt, probe_names, MAX_PROBES),
		.options = options_json,
		.monitor_cpu_ns = progress.monitor_cpu_ns ? progress.monitor_cpu_ns
							   : trace_own_cpu_ns(),
	};
	trace_finish(session, &run, sup.end_ns, rc != 0, s->names.output);
	if (s->user.switch_user)
		dataset_give(s->names.output, s->user.uid, s->user.gid);
	trace_summary(s->names.output, s->opt.quiet);
	close(signal_fd);
	return exit_status_of(sup.status);
}

int run_command(int argc, char **argv)
{
	struct run_state s = {0};
	struct session session = {0};
	struct launch child;
	sigset_t signals, blocked;
	const char *why;
	char err[512];
	int status;

	/* Blocked before any thread exists (the Parquet writer starts workers), so that they all
	 * leave these signals to the run loop; SIGPIPE too, so that a closed stderr is an error
	 * to pipetrace, not its end. SIGCHLD takes its default action: ignored (as a caller may
	 * leave it), the kernel would reap CMD before pipetrace could wait for it. CMD gets both
	 * back as pipetrace found them. */
	supervise_signals(&signals);
	blocked = signals;
	sigaddset(&blocked, SIGPIPE);
	sigprocmask(SIG_BLOCK, &blocked, &s.cmd_signals.mask);
	sigaction(SIGCHLD, &(struct sigaction){.sa_handler = SIG_DFL}, &s.cmd_signals.sigchld);
	if (run_options_parse(argc, argv, &s.opt, run_usage))
		return s.opt.help ? 0 : EXIT_PIPETRACE_FAILED;
	if (resolve_user(&s))
		return EXIT_PIPETRACE_FAILED;
	trace_name_run(&s.opt, &s.names);
	/* Forked now, while pipetrace is small: the peak RSS a process carries into its exec
	 * would otherwise be pipetrace's, with the probes loaded. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (launch_held(s.opt.command, &s.user, &s.cmd_signals, &child))
		return fail("cannot start '%s': %s", s.opt.command[0], strerror(errno));

	why = trace_unavailable();
	if (why && s.opt.fail_open)
		return run_untraced(&s, &child, &signals, why);
	if (why) {
		launch_abort(&child);
		return fail("%s%s", why, "");
	}
	if (s.user.switch_user && dataset_make_dir(s.names.output, s.user.uid, s.user.gid)) {
		launch_abort(&child);
		return fail("cannot create output folder %s: %s; choose a writable folder with -o",
			    s.names.output, strerror(errno));
	}
	status = trace_open(&session, &s.opt, &s.names, trace_probe_settings(&s.opt), err,
			    sizeof(err));
	if (status == SESSION_NO_TRACER && s.opt.fail_open)
		return run_untraced(&s, &child, &signals, err);
	if (status) {
		launch_abort(&child);
		trace_open_failed("pipetrace", status, err);
		return EXIT_PIPETRACE_FAILED;
	}
	status = trace_run(&s, &child, &signals, &session);
	session_close(&session);
	return status;
}
