#include "trace/tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/dataset.h"
#include "probes/core_btf.h"
#include "probes/proc_snapshot.h"
#include "trace/held_records.h"
#include "trace/journal_records.h"
#include "trace/supervise.h"

/* The root pid namespace's inode (include/linux/proc_ns.h). */
#define PROC_PID_INIT_INO 0xEFFFFFFCu

struct tracer {
	struct probe_sink sink;
	struct probe_settings settings;
	void *states[PROBE_MODULES_MAX];
	const struct probe_module *opened[PROBE_MODULES_MAX];
	size_t opened_count;
	struct ring_buffer *ring;
	struct journal *journal; /* NULL: replaying */
	bool failed;             /* tracing stopped: nothing more is journaled or decoded */
	uint64_t lost[LOST_KINDS]; /* the kinds user space counts (the kernel's stay 0 here) */
	char error[512];
};

_Static_assert((int)LOST_RING_FULL == PT_LOST_RING_FULL &&
		       (int)LOST_TRACED_FULL == PT_LOST_TRACED_FULL &&
		       (int)LOST_STASH_FULL == PT_LOST_STASH_FULL &&
		       (int)LOST_MALFORMED == PT_LOST_KINDS,
	       "the kernel's loss counters come first, in the same order");

/* The first failure stops tracing; its cause is kept for the one line pipetrace prints. */
static int stop_tracing(struct tracer *t, const char *why)
{
	if (!t->failed)
		snprintf(t->error, sizeof(t->error), "%s", why ? why : "out of memory");
	t->failed = true;
	return -1;
}

static int decode_failed(struct tracer *t)
{
	return stop_tracing(t, dataset_error(t->sink.dataset));
}

int tracer_journal(struct tracer *t, const void *record, size_t size)
{
	if (t->failed)
		return -1;
	if (t->journal && journal_append(t->journal, record, size))
		return stop_tracing(t, journal_error(t->journal));
	return 0;
}

static const struct probe_module *module_of(struct tracer *t, uint16_t type, void **state)
{
	for (size_t i = 0; i < t->opened_count; i++) {
		if (type >= t->opened[i]->first_type && type <= t->opened[i]->last_type) {
			*state = t->states[i];
			return t->opened[i];
		}
	}
	return NULL;
}

int tracer_decode(struct tracer *t, const struct pt_record_header *hdr, size_t size)
{
	void *state;
	const struct probe_module *m = size >= sizeof(*hdr) ? module_of(t, hdr->type, &state) : NULL;
	int rc;

	if (t->failed)
		return -1;
	if (!m) {
		t->lost[LOST_UNKNOWN_TYPE]++;
		return 0;
	}
	rc = m->decode(state, &t->sink, hdr, size < hdr->size ? size : hdr->size);
	if (rc < 0)
		return decode_failed(t);
	if (rc > 0)
		t->lost[rc == PROBE_UNKNOWN_TYPE ? LOST_UNKNOWN_TYPE : LOST_MALFORMED]++;
	return 0;
}

/* A record from the ring: prepared, journaled, then decoded. */
static int handle_record(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	const struct pt_record_header *hdr = data;
	const struct probe_module *m;
	void *state;

	if (t->failed)
		return 0;
	/* A record whose own size is shorter than a header, or longer than what the ring
	 * delivered, cannot be trusted. */
	if (size < sizeof(*hdr) || hdr->size < sizeof(*hdr) || hdr->size > size) {
		t->lost[LOST_MALFORMED]++;
		return 0;
	}
	size = hdr->size;
	m = module_of(t, hdr->type, &state);
	if (m && m->prepare && !(hdr = m->prepare(state, hdr, &size)))
		return stop_tracing(t, "out of memory"), 0;
	if (!tracer_journal(t, hdr, size))
		tracer_decode(t, hdr, size);
	return 0;
}

/* The inode of pipetrace's pid namespace, 0 for the root one (or when /proc cannot say: the
 * seed then fails unless pipetrace is in the root namespace). */
uint32_t tracer_pid_namespace(void)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) || st.st_ino == PROC_PID_INIT_INO)
		return 0;
	return (uint32_t)st.st_ino;
}

static int attach_process(void *ctx, uint32_t pid, uint64_t seen_ns);

/* A cgroup found while a process was in it, journaled: a replay may run after it is gone. */
static void journal_cgroup(void *ctx, uint64_t id, const char *path)
{
	struct {
		struct pt_jrec_cgroup rec;
		char path[PATH_MAX];
	} cgroup;
	size_t len = strnlen(path, sizeof(cgroup.path) - 1);

	cgroup.rec = (struct pt_jrec_cgroup){
		.hdr = {.type = PT_JREC_CGROUP, .size = (uint32_t)(sizeof(cgroup.rec) + len + 1)},
		.id = id};
	memcpy(cgroup.path, path, len);
	cgroup.path[len] = '\0';
	tracer_journal(ctx, &cgroup, cgroup.rec.hdr.size);
}

struct tracer *tracer_open(const bool *enabled, struct probe_settings settings,
			   struct probe_sink sink, struct journal *journal, char *err,
			   size_t err_size)
{
	struct tracer *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	t->sink = sink;
	t->settings = settings;
	t->settings.events_fd = t->settings.traced_fd = t->settings.lost_fd = -1;
	t->settings.seed_fd = -1;
	t->settings.pidns_inum = tracer_pid_namespace();
	t->journal = journal;
	/* A replay finds the processes attached mid-run in the journal, not in /proc. */
	t->settings.attach_process = journal ? attach_process : NULL;
	t->settings.attach_ctx = t;
	/* Only the decoders note cgroups: never once the tracer is gone (nor the dataset, which
	 * may be finished first). */
	if (journal && sink.dataset)
		dataset_on_cgroup(sink.dataset, journal_cgroup, t);
	for (size_t i = 0; i < probe_module_count && i < PROBE_MODULES_MAX; i++) {
		const struct probe_module *m = probe_modules[i];

		if (!m->always_on && !enabled[i])
			continue;
		if (probe_open(m, &t->settings, &t->sink, &t->states[t->opened_count], err,
			       err_size)) {
			tracer_stop(t);
			return NULL;
		}
		t->opened[t->opened_count++] = m;
	}
	return t;
}

int tracer_start(struct tracer *t, char *err, size_t err_size)
{
	const char *debug = getenv("PIPETRACE_DEBUG");
	bool timed = debug && !strcmp(debug, "2"); /* what each probe's start takes, as CMD waits */

	probe_quiet_libbpf();
	if (core_btf_check(err, err_size))
		return -1;
	for (size_t i = 0; i < t->opened_count; i++) {
		uint64_t begun = monotonic_ns();

		if (t->opened[i]->start &&
		    t->opened[i]->start(t->states[i], &t->settings, err, err_size))
			return -1;
		if (timed && t->opened[i]->start)
			fprintf(stderr, "pipetrace: the %s probe started in %.2f ms\n",
				t->opened[i]->name, (double)(monotonic_ns() - begun) / 1e6);
	}
	t->ring = ring_buffer__new(t->settings.events_fd, handle_record, t, NULL);
	if (!t->ring) {
		snprintf(err, err_size, "cannot open the ring buffer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void tracer_stop(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->ring);
	while (t->opened_count--)
		t->opened[t->opened_count]->stop(t->states[t->opened_count]);
	free(t);
}

int tracer_start_late(struct tracer *t, char *err, size_t err_size)
{
	for (size_t i = 0; i < t->opened_count; i++)
		if (t->opened[i]->start_late &&
		    t->opened[i]->start_late(t->states[i], &t->settings, err, err_size))
			return -1;
	return 0;
}

/* Puts pid (global, and the one pipetrace sees: the root pid namespace) in the traced set. */
static int trace_pid(struct tracer *t, uint32_t pid, uint8_t flags, uint64_t how)
{
	struct traced_process value = {.pid_seen = pid, .flags = flags};

	return bpf_map_update_elem(t->settings.traced_fd, &pid, &value, how);
}

int tracer_seed(struct tracer *t, uint32_t pid, uint64_t ts, const char *cwd)
{
	struct pt_record_header seed = {.type = PT_JREC_SEED, .size = sizeof(seed), .ts = ts,
					.pid = pid, .tid = pid};
	uint64_t args[1] = {pid};
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = args, .ctx_size_in = sizeof(args));

	/* In a pid namespace only the kernel knows CMD's global pid: proc's seed_command finds
	 * it. Elsewhere it is the pid pipetrace sees. A replayed journal has no kernel side
	 * (no traced set either). */
	if (t->settings.seed_fd >= 0) {
		if (bpf_prog_test_run_opts(t->settings.seed_fd, &run))
			return -1;
		if (run.retval) {
			errno = ESRCH;
			return -1;
		}
	} else if (t->settings.traced_fd >= 0 && trace_pid(t, pid, TRACED, BPF_ANY)) {
		return -1;
	}
	if (tracer_journal(t, &seed, sizeof(seed)))
		return -1;
	return model_seed(t->sink.model, pid, ts, cwd);
}

int tracer_attach(struct tracer *t, const struct attached_process *p)
{
	size_t size;
	struct pt_jrec_attach *rec;
	int rc;

	if (model_current(t->sink.model, p->pid))
		return 0;
	rec = attach_record_encode(p, &size);
	rc = rec ? tracer_journal(t, rec, size) : stop_tracing(t, "out of memory");
	free(rec);
	return rc ? -1 : model_attach(t->sink.model, p);
}

int tracer_attach_pid(struct tracer *t, uint32_t pid, uint64_t seen_ns)
{
	struct proc_snapshot s;
	int rc;

	if (model_current(t->sink.model, pid))
		return 0;
	rc = proc_snapshot_take(pid, seen_ns, t->settings.redactor, &s) ? -1
									: tracer_attach(t, &s.process);
	proc_snapshot_free(&s);
	return rc;
}

static int attach_process(void *ctx, uint32_t pid, uint64_t seen_ns)
{
	return tracer_attach_pid(ctx, pid, seen_ns);
}

void tracer_set_journal(struct tracer *t, struct journal *journal)
{
	t->journal = journal;
}

int tracer_adopt(struct tracer *t, uint32_t pid)
{
	/* attach and record see the processes they adopt in the root pid namespace (record in
	 * another adopts none), so the /proc pid is both the key and the pid seen. */
	return trace_pid(t, pid, TRACED | TRACED_EXECED, BPF_NOEXIST);
}

int tracer_fd(const struct tracer *t)
{
	return ring_buffer__epoll_fd(t->ring);
}

int tracer_drain(struct tracer *t)
{
	/* libbpf fails a read only when handle_record does (it never does), having skipped the
	 * record it stopped at; the next read goes on from there. */
	if (ring_buffer__consume(t->ring) < 0)
		t->lost[LOST_READ_ERRORS]++;
	/* Even after a decoder failed: what it was given is journaled, and recoverable. */
	if (t->journal && !journal_error(t->journal) && journal_flush(t->journal))
		stop_tracing(t, journal_error(t->journal));
	return t->failed ? -1 : 0;
}

int tracer_tick(struct tracer *t, uint64_t now_ns)
{
	struct pt_jrec_tick tick = {.hdr = {.type = PT_JREC_TICK, .size = sizeof(tick), .ts = now_ns}};

	if (t->journal)
		tracer_losses(t, tick.lost);
	if (tracer_journal(t, &tick, sizeof(tick)))
		return -1;
	for (size_t i = 0; i < t->opened_count; i++)
		if (t->opened[i]->tick && t->opened[i]->tick(t->states[i], &t->sink, now_ns))
			return decode_failed(t);
	return 0;
}

void tracer_reaped(struct tracer *t, uint32_t pid, bool is_cmd, int status)
{
	struct pt_jrec_reaped reaped = {
		.hdr = {.type = PT_JREC_REAPED, .size = sizeof(reaped), .pid = pid, .tid = pid},
		.status = status,
		.is_cmd = is_cmd,
	};

	/* Reaping goes on after a failure: only its journaling stops. */
	tracer_journal(t, &reaped, sizeof(reaped));
	model_reaped_by_monitor(t->sink.model, pid);
}

int tracer_execution_finished(struct tracer *t, const struct execution *e,
			      const struct execution_figures *f)
{
	for (size_t i = 0; i < t->opened_count; i++)
		if (t->opened[i]->execution_finished &&
		    t->opened[i]->execution_finished(t->states[i], &t->sink, e, f))
			return decode_failed(t);
	return 0;
}

int tracer_sink_finished(void *ctx, const struct execution *e, const struct execution_figures *f)
{
	struct tracer_sink *sink = ctx;

	sink->finished_cpu_ns += f->cpu_ns;
	sink->written++;
	return dataset_write_execution(sink->dataset, e, f) |
	       (sink->tracer ? tracer_execution_finished(sink->tracer, e, f) : 0);
}

/* The figures of a process still running at the end, journaled as they are read. */
struct journaled_usage {
	struct tracer *t;
	usage_probe_fn read;
	void *ctx;
};

static void read_and_journal(void *ctx, uint32_t pid, struct pt_proc_usage *usage)
{
	struct journaled_usage *j = ctx;
	struct pt_jrec_usage rec = {
		.hdr = {.type = PT_JREC_USAGE, .size = sizeof(rec), .pid = pid, .tid = pid}};

	j->read(j->ctx, pid, usage);
	rec.usage = *usage;
	tracer_journal(j->t, &rec, sizeof(rec));
}

int tracer_finish(struct tracer *t, uint64_t end_ns, usage_probe_fn probe_usage, void *ctx)
{
	struct journaled_usage j = {t, probe_usage, ctx};

	if (model_finish(t->sink.model, end_ns, read_and_journal, &j))
		return decode_failed(t);
	return t->failed ? -1 : 0;
}

int tracer_period_ms(const struct tracer *t, int longest_ms)
{
	for (size_t i = 0; i < t->opened_count; i++)
		if (t->opened[i]->tick && t->settings.interval_ns / 1000000 < (uint64_t)longest_ms)
			return (int)(t->settings.interval_ns / 1000000);
	return longest_ms;
}

const char *tracer_error(const struct tracer *t)
{
	return t->failed ? t->error : NULL;
}

uint64_t tracer_losses(const struct tracer *t, uint64_t *lost)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t values[ncpus > 0 ? ncpus : 1], total = 0;

	memcpy(lost, t->lost, sizeof(t->lost));
	for (uint32_t kind = 0; kind < PT_LOST_KINDS && ncpus > 0 && t->settings.lost_fd >= 0; kind++)
		if (!bpf_map_lookup_elem(t->settings.lost_fd, &kind, values))
			for (int i = 0; i < ncpus; i++)
				lost[kind] += values[i];
	for (size_t kind = 0; kind < LOST_KINDS; kind++)
		total += lost[kind];
	return total;
}
