#include "cli/tracing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "analysis/report.h"
#include "dataset/partition.h"
#include "redact/redact.h"
#include "trace/supervise.h"

/* The kernel fills the ring page by page before CMD starts, and pipetrace maps it: ~0.5 ms
 * per 2 MiB (strace -T). 2 MiB lost nothing (runs.parquet lost_events) when tried by hand with
 * three spawners of 30 KB command lines (27 MB/s of records) and two CPU hogs on 2 CPUs; it is
 * raised below for a larger --max-args. */
#define DEFAULT_RING_BYTES (2u << 20)

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void trace_make_run_id(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	unsigned suffix = (unsigned)(getpid() ^ (unsigned)monotonic_ns()) & 0xffff;

	gmtime_r(&now, &tm);
	strftime(out, size, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(out + strlen(out), size - strlen(out), "-%04x", suffix);
}

void trace_partition_dir(const char *root, const char *run_id, char *out, size_t size)
{
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	partition_dir(root, host, realtime_ns(), run_id, out, size);
}

void trace_name_run(const struct run_options *opt, struct trace_names *n)
{
	char cwd[PATH_MAX];

	escape_bytes_to(n->cwd, cwd, getcwd(cwd, sizeof(cwd)) ? strlen(cwd) : 0);
	if (opt->run_id)
		snprintf(n->run_id, sizeof(n->run_id), "%s", opt->run_id);
	else
		trace_make_run_id(n->run_id, sizeof(n->run_id));
	if (opt->partition)
		trace_partition_dir(opt->output ? opt->output : ".", n->run_id, n->output,
				    sizeof(n->output));
	else if (opt->output)
		snprintf(n->output, sizeof(n->output), "%s", opt->output);
	else
		snprintf(n->output, sizeof(n->output), "pipetrace-%s", n->run_id);
	n->realtime_offset = (int64_t)realtime_ns() - (int64_t)monotonic_ns();
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

const char *trace_unavailable(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return "this kernel has no BTF (/sys/kernel/btf/vmlinux); use a kernel built with "
		       "CONFIG_DEBUG_INFO_BTF=y";
	if (!has_bpf_privilege())
		return probe_privilege_needed;
	return NULL;
}

int trace_make_redactor(const struct cli_command *c, const struct run_options *opt,
			struct redactor **out)
{
	char err[512];

	*out = redactor_new(opt->redact.items, opt->redact.count, err, sizeof(err));
	if (!*out)
		return cli_usage_error(c, "%s", err);
	if (opt->no_redact) {
		redactor_free(*out);
		*out = NULL;
	}
	return 0;
}

struct probe_settings trace_probe_settings(const struct run_options *opt, struct redactor *r)
{
	struct probe_settings settings = {
		.max_args = opt->max_args,
		.interval_ns = opt->interval_ns,
		.ring_bytes = DEFAULT_RING_BYTES,
		.filter_cgroup_fd = -1,
		.redactor = r,
		.no_redact = opt->no_redact,
	};

	while (settings.ring_bytes < opt->max_args * 16u)
		settings.ring_bytes *= 2;
	return settings;
}

int trace_command_words(struct redactor *r, char *const *words, size_t count,
			struct argv_list *out)
{
	size_t changed;
	char **redacted = redact_words(r, words, count, &changed);
	int rc = !redacted || argv_from_words(out, redacted, count) ? -1 : 0;

	free(redacted);
	return rc;
}

int trace_open(struct session *s, const struct run_options *opt, const struct trace_names *n,
	       struct probe_settings settings, char *err, size_t err_size)
{
	s->realtime_offset = n->realtime_offset;
	s->sync = opt->sync;
	return session_open(s, n->output, n->run_id, opt->enabled, settings, err, err_size);
}

void trace_open_failed(const char *prefix, int rc, const char *err)
{
	if (rc == SESSION_NO_DATASET)
		fprintf(stderr, "%s: %s; choose a writable folder with -o\n", prefix, err);
	else
		fprintf(stderr, "%s: %s%s\n", prefix, err, TRACE_DEBUG_REMEDY);
}

static int add_live_cpu(void *ctx, const struct execution *e)
{
	struct trace_progress *p = ctx;

	if (e->sampled_cpu_ns > e->base.cpu_ns)
		p->live_cpu_ns += e->sampled_cpu_ns - e->base.cpu_ns;
	return 0;
}

void trace_progress_init(struct trace_progress *p, struct session *s, bool quiet)
{
	*p = (struct trace_progress){.session = s};
	status_line_init(&p->line, quiet, monotonic_ns());
}

int trace_progress_turn(void *ctx, uint64_t now_ns)
{
	struct trace_progress *p = ctx;
	struct model *m = p->session->model;
	uint64_t running = model_running(m);

	if (!p->line.enabled)
		return 0;
	p->live_cpu_ns = 0;
	model_for_each_live(m, add_live_cpu, p);
	status_line_update(&p->line, now_ns, running, model_executions(m) - running,
			   p->session->finished_cpu_ns + p->live_cpu_ns);
	return 0;
}

uint64_t trace_own_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

/* The run is over: pipetrace's CPU during it is taken now, before writing out. */
void trace_progress_over(void *ctx)
{
	struct trace_progress *p = ctx;

	p->monitor_cpu_ns = trace_own_cpu_ns();
}

void trace_describe_options(const struct run_options *opt, const char *user,
			    const struct redactor *r, char *buf, size_t size)
{
	snprintf(buf, size,
		 "{\"max_args\":%u,\"interval_ns\":%llu,\"wait_all\":%s,\"sync\":%s,"
		 "\"user\":%s%s%s,\"redact\":%s,\"redact_patterns\":%zu}",
		 opt->max_args, (unsigned long long)opt->interval_ns,
		 opt->wait_all ? "true" : "false", opt->sync ? "true" : "false", user ? "\"" : "", user ? user : "null",
		 user ? "\"" : "", r ? "true" : "false", r ? opt->redact.count : 0);
}

int trace_finish(struct session *s, struct run_info *run, uint64_t end_ns, bool incomplete,
		 const char *prefix, const char *dir)
{
	struct replay_result res;
	char err[512], why[512];

	/* Tracing stopped mid-run (a full disk, a writer's error): the journal has the rest. */
	if (tracer_error(s->tracer)) {
		snprintf(why, sizeof(why), "%s", tracer_error(s->tracer));
		if (session_salvage(s, dir, &res, err, sizeof(err)))
			fprintf(stderr, "%s: tracing stopped: %s; what was recorded before is kept: "
				"run 'pipetrace recover %s' once that is fixed\n", prefix, why, dir);
		else
			fprintf(stderr, "%s: tracing stopped: %s; %s holds what was recorded "
				"before (status '%s')\n", prefix, why, dir, res.status);
		return -1;
	}
	if (session_finish(s, run, end_ns, incomplete, err, sizeof(err))) {
		fprintf(stderr, "%s: cannot write the dataset to %s: %s; run 'pipetrace recover %s' "
			"once that is fixed\n", prefix, dir, err, dir);
		return -1;
	}
	return 0;
}

void trace_summary(const char *dir, bool quiet)
{
	char err[512];

	if (!quiet && report_print_dataset(dir, stderr, 10, err, sizeof(err)))
		fprintf(stderr, "pipetrace: no summary: %s\n", err);
}
