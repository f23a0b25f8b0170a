/* pipetrace run: trace CMD and every descendant into a dataset. */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
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
#include "model/argv.h"
#include "model/argv.h"
#include "model/model.h"
#include "redact/redact.h"
#include "trace/launch.h"
#include "trace/session.h"
#include "trace/supervise.h"
#include "trace/tracer.h"

/* Prints "pipetrace: MESSAGE" on stderr; returns run's status for its own failures. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("pipetrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_PIPETRACE_FAILED;
}

/* Everything the traced run needs besides the options, undone by run_command's one way out. */
struct run_state {
	struct run_options opt;
	struct trace_names names;
	struct launch_user user;
	struct launch_signals cmd_signals; /* pipetrace's caller's, for CMD */
	struct redactor *redactor;         /* NULL: --no-redact */
	sigset_t signals;                  /* those passed on to CMD */
	struct launch child;               /* CMD, held until the probes are attached */
	struct session session;
	int signal_fd;
	uint64_t start_realtime_ns;
};

/* Why CMD, held, cannot be traced: the cause and its remedy; untraceable when tracing is
 * impossible here, which --fail-open answers by running CMD untraced. */
struct run_failure {
	char cause[512];
	const char *remedy;
	bool untraceable;
};

__attribute__((format(printf, 4, 5))) static int failed(struct run_failure *f, bool untraceable,
							 const char *remedy, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->cause, sizeof(f->cause), fmt, ap);
	va_end(ap);
	f->remedy = remedy;
	f->untraceable = untraceable;
	return -1;
}

/* Under sudo CMD runs as the invoking user unless --user says otherwise. */
static int resolve_user(struct run_state *s)
{
	const char *name = s->opt.user ? s->opt.user : getenv("SUDO_USER");
	struct passwd *pw;

	if (!name || geteuid() != 0 || (!s->opt.user && !getenv("SUDO_UID")))
		return 0;
	pw = getpwnam(name);
	if (!pw)
		return fail("unknown user '%s'; give an existing user to --user", name);
	s->user = (struct launch_user){true, pw->pw_uid, pw->pw_gid, pw->pw_name};
	return 0;
}

static int exit_status_of(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Lets CMD run untraced (--fail-open) and waits for it. */
static int run_untraced(struct run_state *s, const char *why)
{
	int exec_error;

	fprintf(stderr, "pipetrace: %s; running the command untraced (--fail-open)\n", why);
	exec_error = launch_release(&s->child);
	if (exec_error)
		fprintf(stderr, "pipetrace: cannot run '%s': %s\n", s->opt.command[0],
			strerror(exec_error));
	return exit_status_of(supervise_untraced(s->child.pid, &s->signals));
}

/* From CMD released to a finished dataset. Returns pipetrace's exit status. */
static int trace_run(struct run_state *s)
{
	struct session *session = &s->session;
	struct trace_progress progress;
	struct supervision sup = {0};
	const char *probe_names[PROBE_MODULES_MAX];
	struct argv_list command = {0};
	char err[512], options_json[512];
	int exec_error, rc;

	exec_error = launch_release(&s->child);
	if (exec_error)
		fprintf(stderr, "pipetrace: cannot run '%s': %s\n", s->opt.command[0],
			strerror(exec_error));
	if (tracer_start_late(session->tracer, err, sizeof(err)))
		fprintf(stderr, "pipetrace: %s; the run goes on without it\n", err);
	trace_progress_init(&progress, session, s->opt.quiet);
	rc = supervise(session->tracer, session->model,
		       &(struct supervise_target){s->child.pid, -1, s->opt.wait_all}, s->signal_fd,
		       (struct supervise_observer){trace_progress_turn, trace_progress_over,
						   &progress},
		       &sup);
	status_line_clear(&progress.line);

	trace_describe_options(&s->opt, s->user.switch_user ? s->user.name : NULL, s->redactor,
			       options_json, sizeof(options_json));
	/* runs.command: CMD redacted as its argv is, then escaped. */
	if (trace_command_words(s->redactor, s->opt.command, s->opt.command_count, &command))
		rc = -1;
	struct run_info run = {
		.run_id = s->names.run_id,
		.command = command.items,
		.command_count = command.count,
		.cwd = s->names.cwd,
		.start_ns = s->start_realtime_ns,
		.exit_code = WIFEXITED(sup.status) ? WEXITSTATUS(sup.status) : -1,
		.signal = WIFSIGNALED(sup.status) ? WTERMSIG(sup.status) : -1,
		.probes = probe_names,
		.probe_count = run_options_probe_names(&s->opt, probe_names, PROBE_MODULES_MAX),
		.options = options_json,
		.monitor_cpu_ns = progress.monitor_cpu_ns ? progress.monitor_cpu_ns
							   : trace_own_cpu_ns(),
	};
	trace_finish(session, &run, sup.end_ns, rc != 0, s->names.output);
	argv_free(&command);
	if (s->user.switch_user)
		dataset_give(s->names.output, s->user.uid, s->user.gid);
	trace_summary(s->names.output, s->opt.quiet);
	return exit_status_of(sup.status);
}

#define OUTPUT_REMEDY "; choose a writable folder with -o"

/* The dataset, the model and the probes, CMD held: 0, or -1 with why in f. */
static int set_up_tracing(struct run_state *s, struct run_failure *f)
{
	const char *why = trace_unavailable();
	char err[512];
	int rc;

	if (why)
		return failed(f, true, "", "%s", why);
	if (s->user.switch_user && dataset_make_dir(s->names.output, s->user.uid, s->user.gid))
		return failed(f, false, OUTPUT_REMEDY, "cannot create output folder %s: %s",
			      s->names.output, strerror(errno));
	rc = trace_open(&s->session, &s->opt, &s->names,
			trace_probe_settings(&s->opt, s->redactor), err, sizeof(err));
	if (rc == SESSION_NO_DATASET)
		return failed(f, false, OUTPUT_REMEDY, "%s", err);
	if (rc)
		return failed(f, true, TRACE_DEBUG_REMEDY, "%s", err);
	return 0;
}

/* Tells the probes and the model about CMD, the last step before it is released; the run
 * starts now, not while the probes load. 0, or -1 with why in f. */
static int seed_tracing(struct run_state *s, struct run_failure *f)
{
	uint32_t pid = (uint32_t)s->child.pid;
	int64_t offset = s->names.realtime_offset;

	s->signal_fd = signalfd(-1, &s->signals, SFD_NONBLOCK | SFD_CLOEXEC);
	s->start_realtime_ns = (uint64_t)((int64_t)monotonic_ns() + offset);
	if (s->signal_fd < 0 || tracer_seed(s->session.tracer, pid) ||
	    model_seed(s->session.model, pid, (uint64_t)((int64_t)s->start_realtime_ns - offset),
		       s->names.cwd))
		return failed(f, false, "", "cannot trace '%s': %s", s->opt.command[0],
			      strerror(errno));
	return 0;
}

/* CMD, held, is not to be traced: the dataset records the failure, and CMD runs untraced
 * (--fail-open, when tracing is impossible here) or not at all. */
static int give_up(struct run_state *s, const struct run_failure *f)
{
	session_abandon(&s->session, s->names.run_id);
	if (f->untraceable && s->opt.fail_open)
		return run_untraced(s, f->cause);
	launch_abort(&s->child);
	return fail("%s%s", f->cause, f->remedy);
}

/* Blocked before any thread exists (the Parquet writer starts workers), so that they all leave
 * these signals to the run loop; SIGPIPE too, so that a closed stderr is an error to
 * pipetrace, not its end. SIGCHLD takes its default action: ignored (as a caller may leave
 * it), the kernel would reap CMD before pipetrace could wait for it. CMD gets both back as
 * pipetrace found them. */
static void take_signals(struct run_state *s)
{
	sigset_t blocked;

	supervise_signals(&s->signals);
	blocked = s->signals;
	sigaddset(&blocked, SIGPIPE);
	sigprocmask(SIG_BLOCK, &blocked, &s->cmd_signals.mask);
	sigaction(SIGCHLD, &(struct sigaction){.sa_handler = SIG_DFL}, &s->cmd_signals.sigchld);
}

int run_command(int argc, char **argv)
{
	struct run_state s = {.signal_fd = -1};
	struct run_failure f;
	int status;

	take_signals(&s);
	status = run_options_parse(argc, argv, &s.opt);
	if (status != CLI_GO_ON)
		return status;
	if (trace_make_redactor(&run_cli, &s.opt, &s.redactor))
		return EXIT_PIPETRACE_FAILED;
	if (resolve_user(&s)) {
		redactor_free(s.redactor);
		return EXIT_PIPETRACE_FAILED;
	}
	trace_name_run(&s.opt, &s.names);
	/* Forked now, while pipetrace is small: the peak RSS a process carries into its exec
	 * would otherwise be pipetrace's, with the probes loaded. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (launch_held(s.opt.command, &s.user, &s.cmd_signals, &s.child)) {
		redactor_free(s.redactor);
		return fail("cannot start '%s': %s", s.opt.command[0], strerror(errno));
	}
	if (set_up_tracing(&s, &f) || seed_tracing(&s, &f))
		status = give_up(&s, &f);
	else
		status = trace_run(&s);
	if (s.signal_fd >= 0)
		close(s.signal_fd);
	session_close(&s.session);
	redactor_free(s.redactor);
	return status;
}
