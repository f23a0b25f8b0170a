/* cpu probe, user side: keeps each execution's latest cumulative CPU and RSS from the kernel's
 * records, and writes cpu_samples.parquet: one row per live execution every interval, plus a
 * final row at each execution's end, whose cpu_ns equals its processes.cpu_ns. */
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf/cpu.h"
#include "cpu.skel.h"
#include "dataset/dataset.h"
#include "dataset/schema.h"
#include "model/model.h"
#include "probes/core_btf.h"
#include "probes/probe.h"
#include "probes/shared.h"

struct cpu_state {
	struct cpu_bpf *skel;
	/* The skeleton loads in a thread of its own from start, beside proc's attaching and CMD's
	 * release on the other CPU; start_late waits for it, then attaches the clocks. */
	pthread_t loader;
	bool loading;
	struct probe_settings load_settings; /* the loader's copy (the shared maps' fds) */
	int load_rc;
	char load_err[256];
	struct bpf_link **links;
	int *perf_fds;
	int cpu_count;
	struct pq_writer *table;
	struct dataset *dataset;
	uint64_t interval_ns, next_due_ns, now_ns;
};

static int open_clock(int cpu, uint64_t period_ns)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = period_ns,
	};

	return (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* The skeleton, opened and set up for settings, not loaded yet; NULL with errno set. */
static struct cpu_bpf *cpu_skeleton(const struct probe_settings *settings)
{
	struct cpu_bpf *skel = cpu_bpf__open_opts(probe_open_opts());

	if (!skel)
		return NULL;
	skel->rodata->page_kb = (uint32_t)(sysconf(_SC_PAGESIZE) / 1024);
	skel->rodata->wakeup_bytes = settings->ring_bytes / 4;
	skel->rodata->pidns_inum = settings->pidns_inum;
	return skel;
}

static bool cpu_supported(char *why, size_t why_size)
{
	int fd = open_clock(0, 1000000000);
	struct cpu_bpf *skel;

	if (fd < 0) {
		snprintf(why, why_size, "perf_event_open: %s", strerror(errno));
		return false;
	}
	close(fd);
	skel = cpu_skeleton(&probe_check_settings);
	return probe_loads(skel, skel ? skel->skeleton : NULL, "cpu", why, why_size);
}

/* Waits for the loader started by cpu_start: its result, with s->load_err set on failure. */
static int join_loader(struct cpu_state *s)
{
	if (s->loading) {
		pthread_join(s->loader, NULL);
		s->loading = false;
	}
	return s->load_rc;
}

static void cpu_stop(void *state)
{
	struct cpu_state *s = state;

	join_loader(s);

	/* A link owns its perf event: destroying it closes the fd (closing it again could close
	 * a file opened meanwhile by another thread). */
	for (int i = 0; s->links && s->perf_fds && i < s->cpu_count; i++) {
		if (s->links[i])
			bpf_link__destroy(s->links[i]);
		else if (s->perf_fds[i] >= 0)
			close(s->perf_fds[i]);
	}
	cpu_bpf__destroy(s->skel);
	free(s->links);
	free(s->perf_fds);
	free(s);
}

static int attach_clocks(struct cpu_state *s, char *err, size_t err_size)
{
	int attached = 0;

	for (int cpu = 0; cpu < s->cpu_count; cpu++) {
		s->perf_fds[cpu] = open_clock(cpu, s->interval_ns);
		if (s->perf_fds[cpu] < 0)
			continue; /* an offline CPU runs nothing to sample */
		s->links[cpu] = bpf_program__attach_perf_event(s->skel->progs.sample_cpu,
								s->perf_fds[cpu]);
		if (!s->links[cpu]) {
			snprintf(err, err_size, "cannot attach the cpu probe: %s", strerror(errno));
			return -1;
		}
		attached++;
	}
	if (!attached)
		snprintf(err, err_size, "cannot open a CPU clock event: %s", strerror(errno));
	return attached ? 0 : -1;
}

/* Cheap and before CMD starts: the table, so that every execution gets its final sample. */
static int cpu_open(const struct probe_settings *settings, struct probe_sink *sink,
		    struct pq_writer *table, void **state, char *err, size_t err_size)
{
	struct cpu_state *s = calloc(1, sizeof(*s));

	if (!s)
		return snprintf(err, err_size, "out of memory"), -1;
	*state = s;
	s->cpu_count = libbpf_num_possible_cpus();
	s->interval_ns = settings->interval_ns;
	s->dataset = sink->dataset;
	s->links = calloc((size_t)s->cpu_count, sizeof(*s->links));
	s->perf_fds = malloc((size_t)s->cpu_count * sizeof(*s->perf_fds));
	if (s->perf_fds)
		memset(s->perf_fds, -1, (size_t)s->cpu_count * sizeof(*s->perf_fds));
	s->table = table;
	if (!s->links || !s->perf_fds) {
		snprintf(err, err_size, "out of memory");
		cpu_stop(s);
		*state = NULL;
		return -1;
	}
	return 0;
}

static void *load_skeleton(void *arg)
{
	struct cpu_state *s = arg;

	s->load_rc = probe_load_on_shared_maps(s->skel->skeleton, &s->load_settings, "cpu",
					       s->load_err, sizeof(s->load_err));
	return NULL;
}

/* The BPF side, loaded in the background: proc's start made the shared maps. */
static int cpu_start(void *state, struct probe_settings *settings, char *err, size_t err_size)
{
	struct cpu_state *s = state;

	s->skel = cpu_skeleton(settings);
	if (!s->skel) {
		snprintf(err, err_size, "cannot open the cpu probe: %s", strerror(errno));
		return -1;
	}
	s->load_settings = *settings;
	s->loading = !pthread_create(&s->loader, NULL, load_skeleton, s);
	if (!s->loading)
		load_skeleton(s);
	return 0;
}

/* Once CMD runs: the clocks. Samples only add up what the final sample states exactly, so
 * starting a few milliseconds late loses nothing, and CMD is not held for them, nor for the
 * load's end. */
static int cpu_start_late(void *state, struct probe_settings *settings, char *err,
			  size_t err_size)
{
	struct cpu_state *s = state;

	if (join_loader(s)) {
		snprintf(err, err_size, "%s", s->load_err);
		return -1;
	}
	return attach_clocks(s, err, err_size);
}

static int cpu_decode(void *state, struct probe_sink *sink, const struct pt_record_header *hdr,
		      size_t size)
{
	const struct pt_cpu_record *rec = (const void *)hdr;

	if (size < sizeof(*rec))
		return PROBE_MALFORMED;
	model_note_sample(sink->model, hdr->pid, rec->cpu_ns, rec->rss_kb);
	return 0;
}

/* rss_kb is the resident set at the execution's latest kernel sample, in the final row too
 * (the peak is processes.max_rss_kb); null until a sample has reported it. */
static int write_sample(struct cpu_state *s, uint64_t ts, const struct execution *e,
			uint64_t cpu_ns)
{
	struct pq_writer *w = s->table;
	if (dataset_write_string(w, SAMPLES_RUN_ID, dataset_run_id(s->dataset)) ||
	    pq_write_int64(w, SAMPLES_TS, dataset_utc(s->dataset, ts)) ||
	    pq_write_int64(w, SAMPLES_EXEC_ID, (int64_t)e->exec_id) ||
	    pq_write_int32(w, SAMPLES_PID, (int32_t)e->pid) ||
	    pq_write_int64(w, SAMPLES_CPU_NS, (int64_t)cpu_ns) ||
	    (e->sampled_rss_kb ? pq_write_int64(w, SAMPLES_RSS_KB, (int64_t)e->sampled_rss_kb)
			       : pq_write_null(w, SAMPLES_RSS_KB)) ||
	    pq_writer_end_row(w))
		return -1;
	return 0;
}

static int sample_live(void *state, const struct execution *e)
{
	struct cpu_state *s = state;
	uint64_t cpu = e->sampled_cpu_ns > e->base.cpu_ns ? e->sampled_cpu_ns - e->base.cpu_ns : 0;

	return write_sample(s, s->now_ns, e, cpu);
}

static int cpu_tick(void *state, struct probe_sink *sink, uint64_t now_ns)
{
	struct cpu_state *s = state;

	if (now_ns < s->next_due_ns)
		return 0;
	s->now_ns = now_ns;
	/* A late turn of the loop does not make up the missed samples. */
	s->next_due_ns = s->next_due_ns + s->interval_ns > now_ns ? s->next_due_ns + s->interval_ns
								  : now_ns + s->interval_ns;
	return model_for_each_live(sink->model, sample_live, s);
}

static int cpu_execution_finished(void *state, struct probe_sink *sink, const struct execution *e,
				  const struct execution_figures *f)
{
	return write_sample(state, e->end_ns, e, f->cpu_ns);
}

const struct probe_module cpu_probe = {
	.name = "cpu",
	.description = "cumulative CPU and RSS of every live execution each --interval, and at "
		       "its end (cpu_samples.parquet)",
	.default_on = true,
	.first_type = PT_REC_CPU_SAMPLE,
	.last_type = PT_REC_CPU_SAMPLE,
	.table = {"cpu_samples", cpu_samples_columns, SAMPLES_COLUMNS},
	.supported = cpu_supported,
	.open = cpu_open,
	.start = cpu_start,
	.start_late = cpu_start_late,
	.stop = cpu_stop,
	.decode = cpu_decode,
	.tick = cpu_tick,
	.execution_finished = cpu_execution_finished,
};
