/* pipetrace run: trace CMD and every descendant into a dataset. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
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
#include "model/model.h"
#include "trace/launch.h"
#include "trace/live_usage.h"
#include "trace/replay.h"
#include "trace/run_record.h"
#include "trace/supervise.h"
#include "trace/tracer.h"

static const char run_usage[] =
	"Usage: pipetrace run [OPTIONS] -- CMD [ARG...]\n"
	"Trace CMD and every process it starts (orphans and daemons included) with eBPF, write\n"
	"a Parquet dataset, print a summary to stderr and exit with CMD's status (128+N when it\n"
	"died of signal N). SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to CMD; a second\n"
	"one is passed on too and ends the run at once, CMD still running (exit 128+N).\n"
	"What is recorded is journaled in DIR as it happens: if pipetrace is killed,\n"
	"'pipetrace recover DIR' turns it into a dataset.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR       dataset folder, replacing any tables in it\n"
	"                         (default: pipetrace-RUN_ID)\n"
	"      --run-id ID        the run's id (default: UTC time and a random suffix)\n"
	"      --probes LIST      comma-separated probe modules to add to proc: cpu (on by\n"
	"                         default), files, net (see 'pipetrace probes')\n"
	"      --max-args BYTES   argv bytes kept per exec, 4K to 1M (default 64K; suffix K or M)\n"
	"      --interval DURATION  cpu probe's sampling period, 10ms to 1h (default 1s;\n"
	"                         units ms, s, m, h)\n"
	"      --wait-all         end when every traced process has exited, not just CMD\n"
	"      --user USER        run CMD as USER (default under sudo: the invoking user)\n"
	"      --fail-open        if tracing is impossible here, run CMD untraced anyway\n"
	"      --sync             put each journal frame on disk (fdatasync) before the next,\n"
	"                         so that the run survives a crash of the host too\n"
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

/* The kernel fills the ring page by page before CMD starts, and pipetrace maps it: ~0.5 ms
 * per 2 MiB (strace -T). 2 MiB lost nothing (runs.parquet lost_events) when tried by hand with
 * three spawners of 30 KB command lines (27 MB/s of records) and two CPU hogs on 2 CPUs; it is
 * raised below for a larger --max-args. */
#define DEFAULT_RING_BYTES (2u << 20)

static int fail(const char *fmt, const char *a, const char *b)
{
	fputs("pipetrace: ", stderr);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return EXIT_PIPETRACE_FAILED;
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
		return fail("unknown user '%s'%s; give an existing user to --user", name, "");
	s->user = (struct launch_user){true, pw->pw_uid, pw->pw_gid, pw->pw_name};
	return 0;
}

static bool has_bpf_privilege(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			caps = strtoull(line + 7, NULL, 16);
	if (f)
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
		     struct journal *j, struct dataset *d, struct model *m, struct tracer *t,
		     const struct tracer_sink *sink)
{
	struct run_progress progress = {.model = m, .sink = sink};
	struct supervision sup = {0};
	const char *probe_names[PROBE_MODULES_MAX];
	char err[512], options_json[512];
	struct run_info run;
	int signal_fd, exec_error, rc;

	signal_fd = signalfd(-1, signals, SFD_NONBLOCK | SFD_CLOEXEC);
	/* The run starts when CMD is released, not while the probes load. */
	s->start_realtime_ns = (uint64_t)((int64_t)monotonic_ns() + s->realtime_offset);
	run_describe(s, probe_names, options_json, sizeof(options_json), &run);
	if (signal_fd < 0 || run_journal_start(s, t, &run, child->pid) || journal_flush(j)) {
		launch_abort(child);
		dataset_abandon(d);
		journal_close(j);
		return fail("cannot trace '%s': %s", s->opt.command[0],
			    tracer_error(t) ? tracer_error(t) : strerror(errno));
	}
	exec_error = launch_release(child);
	if (exec_error)
		fprintf(stderr, "pipetrace: cannot run '%s': %s\n", s->opt.command[0],
			strerror(exec_error));
	if (tracer_start_late(t, err, sizeof(err)))
		fprintf(stderr, "pipetrace: %s; the run goes on without it\n", err);
	status_line_init(&progress.line, s->opt.quiet, monotonic_ns());
	rc = supervise(t, m, child->pid, signal_fd, s->opt.wait_all,
		       (struct supervise_observer){show_progress, run_over, &progress}, &sup);
	status_line_clear(&progress.line);
	close(signal_fd);
	if (rc || tracer_finish(t, sup.end_ns, live_usage, NULL)) {
		snprintf(err, sizeof(err), "%s", tracer_error(t));
		dataset_abandon(d);
		journal_close(j);
		run_salvage(s, err);
		return exit_status_of(sup.status);
	}
	run.end_ns = (uint64_t)((int64_t)sup.end_ns + s->realtime_offset);
	if (!sup.stop_signal) {
		run.exit_code = WIFEXITED(sup.status) ? WEXITSTATUS(sup.status) : -1;
		run.signal = WIFSIGNALED(sup.status) ? WTERMSIG(sup.status) : -1;
	}
	run.processes = model_executions(m);
	run.lost_events = tracer_lost(t);
	run.monitor_cpu_ns = progress.monitor_cpu_ns ? progress.monitor_cpu_ns : own_cpu_ns();
	run.status = sup.stop_signal ? "interrupted" : run.lost_events ? "lost_events" : "complete";
	if (run_finish_dataset(s, t, j, d, &run, sup.stop_signal ? -1 : sup.status))
		return sup.stop_signal ? 128 + sup.stop_signal : exit_status_of(sup.status);
	if (s->user.switch_user)
		run_give_dataset(s);
	if (!s->opt.quiet && report_print_dataset(s->output, stderr, 10, err, sizeof(err)))
		fprintf(stderr, "pipetrace: no summary: %s\n", err);
	return sup.stop_signal ? 128 + sup.stop_signal : exit_status_of(sup.status);
}

/* Names the run and its folder (the defaults when not given). */
static void name_run(struct run_state *s)
{
	if (!getcwd(s->cwd, sizeof(s->cwd)))
		s->cwd[0] = '\0';
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
		return "loading BPF probes needs root or CAP_BPF and CAP_PERFMON; run it with sudo";
	return NULL;
}

static struct tracer *start_tracer(const struct run_state *s, struct model *m,
				   struct dataset *d, struct journal *j, char *err,
				   size_t err_size)
{
	struct probe_settings settings = {
		.max_args = s->opt.max_args,
		.interval_ns = s->opt.interval_ns,
		.ring_bytes = DEFAULT_RING_BYTES,
	};
	struct tracer *t;

	while (settings.ring_bytes < s->opt.max_args * 16u)
		settings.ring_bytes *= 2;
	t = tracer_open(s->opt.enabled, settings, (struct probe_sink){m, d}, j, err, err_size);
	if (t && tracer_start(t, err, err_size)) {
		tracer_stop(t);
		return NULL;
	}
	return t;
}

int run_command(int argc, char **argv)
{
	struct run_state s = {0};
	struct tracer_sink sink = {0};
	struct launch child;
	sigset_t signals, blocked;
	struct journal *journal;
	struct model *m = NULL;
	struct tracer *t = NULL;
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
	name_run(&s);
	/* Forked now, while pipetrace is small: the peak RSS a process carries into its exec
	 * would otherwise be pipetrace's, with the probes loaded. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (launch_held(s.opt.command, &s.user, &s.cmd_signals, &child))
		return fail("cannot start '%s': %s", s.opt.command[0], strerror(errno));

	why = cannot_trace();
	if (why && s.opt.fail_open)
		return run_untraced(&s, &child, &signals, why);
	if (why) {
		launch_abort(&child);
		return fail("%s%s", why, "");
	}
	sink.dataset = run_open_output(&s, &journal, err, sizeof(err));
	if (!sink.dataset) {
		launch_abort(&child);
		return fail("%s%s; choose a writable folder with -o", err, "");
	}
	m = model_new((struct execution_sink){tracer_sink_finished, &sink});
	t = m ? start_tracer(&s, m, sink.dataset, journal, err, sizeof(err)) : NULL;
	if (!t) {
		model_free(m);
		run_undo_start(&s, journal, sink.dataset);
		if (s.opt.fail_open)
			return run_untraced(&s, &child, &signals, m ? err : "out of memory");
		launch_abort(&child);
		return fail("%s%s; PIPETRACE_DEBUG=1 shows libbpf's and the verifier's log",
			    m ? err : "out of memory", "");
	}
	sink.tracer = t;
	status = trace_run(&s, &child, &signals, journal, sink.dataset, m, t, &sink);
	tracer_stop(t);
	model_free(m);
	return status;
}
