/* pipetrace run: trace CMD and every descendant into a dataset. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/report.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/run_output.h"
#include "cli/status_line.h"
#include "dataset/dataset.h"
#include "model/argv.h"
#include "model/model.h"
#include "probes/probe.h"
#include "redact/redact.h"
#include "trace/launch.h"
#include "trace/live_usage.h"
#include "trace/supervise.h"
#include "trace/tracer.h"

/* The kernel fills the ring page by page before CMD starts, and pipetrace maps it: ~0.5 ms
 * per 2 MiB (strace -T). 2 MiB lost nothing (runs.parquet lost_events) when tried by hand with
 * three spawners of 30 KB command lines (27 MB/s of records) and two CPU hogs on 2 CPUs; it is
 * raised below for a larger --max-args. */
#define DEFAULT_RING_BYTES (2u << 20)

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

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void make_run_id(struct run_state *s)
{
	time_t now = time(NULL);
	struct tm tm;
	unsigned suffix = (unsigned)(getpid() ^ (unsigned)monotonic_ns()) & 0xffff;

	gmtime_r(&now, &tm);
	strftime(s->run_id, sizeof(s->run_id), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(s->run_id + strlen(s->run_id), sizeof(s->run_id) - strlen(s->run_id), "-%04x",
		 suffix);
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

/* From the effective capabilities, not the uid: root in a container may lack them. */
static bool has_bpf_privilege(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			caps = strtoull(line + 7, NULL, 16);
	fclose(f);
	/* CAP_BPF (39) with CAP_PERFMON (38), or CAP_SYS_ADMIN (21). */
	return (caps >> 39 & 1 && caps >> 38 & 1) || caps >> 21 & 1;
}

/* The status line's view of the run: what finished, plus the live executions' last samples. */
struct run_progress {
	struct status_line line;
	struct model *model;
	const struct tracer_sink *sink;
	uint64_t live_cpu_ns;
	uint64_t monitor_cpu_ns; /* pipetrace's CPU when the run was over (0: not yet) */
};

static int add_live_cpu(void *ctx, const struct execution *e)
{
	struct run_progress *p = ctx;

	if (e->sampled_cpu_ns > e->base.cpu_ns)
		p->live_cpu_ns += e->sampled_cpu_ns - e->base.cpu_ns;
	return 0;
}

static void show_progress(void *ctx, uint64_t now_ns)
{
	struct run_progress *p = ctx;
	uint64_t running = model_running(p->model);

	if (!p->line.enabled)
		return;
	p->live_cpu_ns = 0;
	model_for_each_live(p->model, add_live_cpu, p);
	status_line_update(&p->line, now_ns, running, model_executions(p->model) - running,
			   p->sink->finished_cpu_ns + p->live_cpu_ns);
}

static uint64_t own_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

static int exit_status_of(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* The run is over: pipetrace's CPU during it is taken now, before writing out. */
static void run_over(void *ctx)
{
	struct run_progress *p = ctx;

	p->monitor_cpu_ns = own_cpu_ns();
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
	struct run_progress progress = {.model = s->model, .sink = &s->sink};
	struct supervision sup = {0};
	char err[512];
	int exec_error, rc;

	exec_error = launch_release(&s->child);
	if (exec_error)
		fprintf(stderr, "pipetrace: cannot run '%s': %s\n", s->opt.command[0],
			strerror(exec_error));
	if (tracer_start_late(s->tracer, err, sizeof(err)))
		fprintf(stderr, "pipetrace: %s; the run goes on without it\n", err);
	status_line_init(&progress.line, s->opt.quiet, monotonic_ns());
	rc = supervise(s->tracer, s->model, s->child.pid, s->signal_fd, s->opt.wait_all,
		       (struct supervise_observer){show_progress, run_over, &progress}, &sup);
	status_line_clear(&progress.line);
	if (rc || tracer_finish(s->tracer, sup.end_ns, live_usage, NULL)) {
		snprintf(err, sizeof(err), "%s", tracer_error(s->tracer));
		run_salvage(s, err);
		return exit_status_of(sup.status);
	}
	s->run.end_ns = (uint64_t)((int64_t)sup.end_ns + s->realtime_offset);
	if (!sup.stop_signal) {
		s->run.exit_code = WIFEXITED(sup.status) ? WEXITSTATUS(sup.status) : -1;
		s->run.signal = WIFSIGNALED(sup.status) ? WTERMSIG(sup.status) : -1;
	}
	s->run.processes = model_executions(s->model);
	s->run.monitor_cpu_ns = progress.monitor_cpu_ns ? progress.monitor_cpu_ns : own_cpu_ns();
	s->run.status = sup.stop_signal ? "interrupted"
			: tracer_losses(s->tracer, s->run.lost) ? "lost_events" : "complete";
	if (!run_finish_dataset(s, sup.stop_signal ? -1 : sup.status)) {
		if (s->user.switch_user)
			run_give_dataset(s);
		if (!s->opt.quiet && report_print_dataset(s->output, stderr, 10, err, sizeof(err)))
			fprintf(stderr, "pipetrace: no summary: %s\n", err);
	}
	/* A second signal ended the run, CMD still running: pipetrace ends as the signal says. */
	return sup.stop_signal ? 128 + sup.stop_signal : exit_status_of(sup.status);
}

/* Names the run and its folder (the defaults when not given). */
static void name_run(struct run_state *s)
{
	char cwd[PATH_MAX];

	escape_bytes_to(s->cwd, cwd, getcwd(cwd, sizeof(cwd)) ? strlen(cwd) : 0);
	if (s->opt.run_id)
		snprintf(s->run_id, sizeof(s->run_id), "%s", s->opt.run_id);
	else
		make_run_id(s);
	if (s->opt.output)
		snprintf(s->output, sizeof(s->output), "%s", s->opt.output);
	else
		snprintf(s->output, sizeof(s->output), "pipetrace-%s", s->run_id);
	s->realtime_offset = (int64_t)realtime_ns() - (int64_t)monotonic_ns();
}

/* Why this machine cannot trace, or NULL. */
static const char *cannot_trace(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return "this kernel has no BTF (/sys/kernel/btf/vmlinux); use a kernel built with "
		       "CONFIG_DEBUG_INFO_BTF=y";
	if (!has_bpf_privilege())
		return probe_privilege_needed;
	return NULL;
}

static struct tracer *start_tracer(struct run_state *s, char *err, size_t err_size)
{
	struct probe_settings settings = {
		.max_args = s->opt.max_args,
		.interval_ns = s->opt.interval_ns,
		.ring_bytes = DEFAULT_RING_BYTES,
		.redactor = s->redactor,
		.no_redact = s->opt.no_redact,
	};
	struct tracer *t;

	while (settings.ring_bytes < s->opt.max_args * 16u)
		settings.ring_bytes *= 2;
	t = tracer_open(s->opt.enabled, settings, (struct probe_sink){s->model, s->sink.dataset},
			s->journal, err, err_size);
	if (t && tracer_start(t, err, err_size)) {
		tracer_stop(t);
		return NULL;
	}
	return t;
}

#define DEBUG_REMEDY "; PIPETRACE_DEBUG=1 shows libbpf's and the verifier's log"
#define OUTPUT_REMEDY "; choose a writable folder with -o"

/* The dataset, the model and the probes, CMD held: 0, or -1 with why in f. */
static int set_up_tracing(struct run_state *s, struct run_failure *f)
{
	const char *why = cannot_trace();
	char err[512], kernel_why[256];

	if (why)
		return failed(f, true, "", "%s", why);
	if (run_open_output(s, err, sizeof(err)))
		return failed(f, false, OUTPUT_REMEDY, "%s", err);
	s->model = model_new((struct execution_sink){tracer_sink_finished, &s->sink});
	if (!s->model)
		return failed(f, true, DEBUG_REMEDY, "out of memory");
	s->tracer = s->sink.tracer = start_tracer(s, err, sizeof(err));
	/* What the kernel lacks is looked into only now, so that a run that works spends nothing
	 * on it while CMD is held: one line for it rather than the load's failure. */
	if (!s->tracer && !probe_kernel_supported(kernel_why, sizeof(kernel_why)))
		return failed(f, true, "", "%s", kernel_why);
	if (!s->tracer)
		return failed(f, true, DEBUG_REMEDY, "%s", err);
	return 0;
}

/* Tells the probes and the model about CMD, the last step before it is released; the run
 * starts now, not while the probes load. 0, or -1 with why in f. */
static int seed_tracing(struct run_state *s, struct run_failure *f)
{
	s->signal_fd = signalfd(-1, &s->signals, SFD_NONBLOCK | SFD_CLOEXEC);
	s->start_realtime_ns = (uint64_t)((int64_t)monotonic_ns() + s->realtime_offset);
	if (s->signal_fd < 0 || run_journal_start(s))
		return failed(f, false, "", "cannot trace '%s': %s", s->opt.command[0],
			      tracer_error(s->tracer) ? tracer_error(s->tracer) : strerror(errno));
	return 0;
}

/* CMD, held, is not to be traced: the dataset records the failure, and CMD runs untraced
 * (--fail-open, when tracing is impossible here) or not at all. */
static int give_up(struct run_state *s, const struct run_failure *f)
{
	run_undo_start(s);
	if (f->untraceable && s->opt.fail_open)
		return run_untraced(s, f->cause);
	launch_abort(&s->child);
	return fail("%s%s", f->cause, f->remedy);
}

/* Compiles the --redact patterns before CMD exists: a bad one stops the run before anything
 * started (a usage error). --no-redact: no redactor, after the patterns were checked. */
static int make_redactor(struct run_state *s)
{
	char err[512];

	s->redactor = redactor_new(s->opt.redact.items, s->opt.redact.count, err, sizeof(err));
	if (!s->redactor)
		return cli_usage_error(&run_cli, "%s", err);
	if (s->opt.no_redact) {
		redactor_free(s->redactor);
		s->redactor = NULL;
	}
	return 0;
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
	if (make_redactor(&s))
		return EXIT_PIPETRACE_FAILED;
	if (resolve_user(&s)) {
		redactor_free(s.redactor);
		return EXIT_PIPETRACE_FAILED;
	}
	name_run(&s);
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
	tracer_stop(s.tracer);
	model_free(s.model);
	redactor_free(s.redactor);
	argv_free(&s.command);
	return status;
}
