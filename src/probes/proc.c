/* proc probe, user side: loads proc.bpf.c (creating the shared maps) and turns its lifecycle
 * records into executions and events.parquet rows. */
#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/proc.h"
#include "dataset/dataset.h"
#include "model/argv.h"
#include "model/model.h"
#include "probes/core_btf.h"
#include "probes/probe.h"
#include "probes/proc_snapshot.h"
#include "probes/shared.h"
#include "proc.skel.h"
#include "redact/redact.h"

struct proc_state {
	/* proc.bpf.c opened twice: handle_exec, whose verification takes about as long as all
	 * the other programs', loads in exec_skel on another CPU while skel loads the rest
	 * (proc_load), both on the same maps. skel holds monitor_tgid and gives the other probes
	 * the shared maps. */
	struct proc_bpf *skel;
	struct proc_bpf *exec_skel;
	struct redactor *redactor; /* NULL: --no-redact */
	struct redactor *own;      /* the built-in rules', when the caller gave no redactor */
	/* Where an exec record is rewritten with its secrets redacted: room for the largest
	 * record the kernel sends, with its argv grown by redaction. */
	struct pt_exec_record *prepared;
	size_t prepared_size;
	int (*attach_process)(void *ctx, uint32_t pid, uint64_t seen_ns);
	void *attach_ctx;
};

/* The traced set needs no room for more processes than can be alive at once: pid_max
 * (/proc/sys/kernel/pid_max), capped at the size proc.bpf.c declares. */
static uint32_t traced_capacity(uint32_t declared)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	unsigned long pid_max = 0;

	if (f) {
		if (fscanf(f, "%lu", &pid_max) != 1)
			pid_max = 0;
		fclose(f);
	}
	return pid_max && pid_max < declared ? (uint32_t)pid_max : declared;
}

/* Fills the maps of record's filter (before the programs are attached). */
static int fill_filter(struct proc_bpf *skel, const struct probe_settings *s)
{
	int cgroup_array = bpf_map__fd(skel->maps.filter_cgroup);
	uint32_t zero = 0;
	uint8_t one = 1;

	if (s->filter == PT_FILTER_CGROUP &&
	    bpf_map_update_elem(cgroup_array, &zero, &s->filter_cgroup_fd, BPF_ANY))
		return -errno;
	for (size_t i = 0; s->filter == PT_FILTER_COMM && i < s->filter_comm_count; i++) {
		char comm[PT_COMM_LEN] = {0};

		strncpy(comm, s->filter_comms[i], sizeof(comm) - 1);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.filter_comms), comm, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

static void proc_stop(void *state)
{
	struct proc_state *p = state;

	proc_bpf__destroy(p->skel);
	proc_bpf__destroy(p->exec_skel);
	redactor_free(p->own);
	free(p->prepared);
	free(p);
}

/* Which of proc.bpf.c's programs an opened object loads. */
enum proc_programs { PROC_ALL, PROC_EXEC_ONLY, PROC_ALL_BUT_EXEC };

static void choose_programs(struct proc_bpf *skel, const struct probe_settings *s,
			    enum proc_programs which)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj) {
		bool exec = prog == skel->progs.handle_exec;
		bool load = which == PROC_ALL || (which == PROC_EXEC_ONLY) == exec;

		/* In the root pid namespace user space knows every global pid: the tracer seeds
		 * CMD itself, and seed_command is neither verified nor loaded. It is run, not
		 * attached. */
		if (prog == skel->progs.seed_command)
			load = load && s->pidns_inum != 0;
		bpf_program__set_autoload(prog, load);
		bpf_program__set_autoattach(prog, load && prog != skel->progs.seed_command);
	}
}

/* The sizes of the maps, from the settings and the test variables: once per run, before
 * either object is set up. 0, or -1 with err set. */
static int proc_size(struct proc_bpf *skel, struct probe_settings *s, uint32_t *traced, char *err,
		     size_t err_size)
{
	*traced = traced_capacity(bpf_map__max_entries(skel->maps.traced));
	if (probe_test_size("PIPETRACE_TEST_RING_BYTES", &s->ring_bytes, err, err_size) ||
	    probe_test_size("PIPETRACE_TEST_TRACED_ENTRIES", traced, err, err_size))
		return -1;
	return 0;
}

/* Sets skel up for s before it is loaded. */
static void proc_configure(struct proc_bpf *skel, const struct probe_settings *s, uint32_t traced,
			   enum proc_programs which)
{
	int ncpus = libbpf_num_possible_cpus();

	skel->rodata->max_args = s->max_args;
	skel->rodata->page_kb = (uint32_t)(sysconf(_SC_PAGESIZE) / 1024);
	skel->rodata->pidns_inum = s->pidns_inum;
	skel->rodata->wakeup_bytes = s->ring_bytes / 4;
	choose_programs(skel, s, which);
	bpf_map__set_max_entries(skel->maps.events, s->ring_bytes);
	bpf_map__set_max_entries(skel->maps.traced, traced);
	bpf_map__set_max_entries(skel->maps.exec_bufs, ncpus > 0 ? (uint32_t)ncpus : 1);
	bpf_map__set_value_size(skel->maps.exec_bufs, PT_EXEC_BUF_SIZE(s->max_args));
	skel->rodata->filter = s->filter;
	skel->rodata->switch_passes_state = probe_kernel_at_least(5, 18);
}

/* handle_exec's object, on a thread of its own: opened, set up and given the ring buffer
 * while the caller's object makes the other maps (prepare_exec_half), then loaded while the
 * caller's loads (load_exec_half). */
struct exec_half {
	const struct probe_settings *settings;
	uint32_t traced;
	struct proc_bpf *skel;
	int rc;
	char err[256];
};

static void *prepare_exec_half(void *arg)
{
	struct exec_half *h = arg;

	h->skel = proc_bpf__open_opts(probe_open_opts());
	if (!h->skel) {
		snprintf(h->err, sizeof(h->err), "cannot open the proc probe: %s", strerror(errno));
		h->rc = -1;
		return NULL;
	}
	proc_configure(h->skel, h->settings, h->traced, PROC_EXEC_ONLY);
	h->rc = probe_create_map(h->skel->maps.events, h->err, sizeof(h->err));
	return NULL;
}

static void *load_exec_half(void *arg)
{
	struct exec_half *h = arg;

	h->rc = probe_load(h->skel->skeleton, "proc", h->err, sizeof(h->err));
	return NULL;
}

/* Runs work(h) on a new thread beside the caller (true: join it with join_half), else at
 * once. */
static bool run_beside(pthread_t *thread, void *(*work)(void *), struct exec_half *h)
{
	if (!pthread_create(thread, NULL, work, h))
		return true;
	work(h);
	return false;
}

/* Waits for h's step, run beside the caller's, whose result is rc: 0 when both succeeded,
 * else -1 with err set (the caller's failure first). */
static int join_half(pthread_t thread, bool threaded, struct exec_half *h, int rc, char *err,
		     size_t err_size)
{
	if (threaded)
		pthread_join(thread, NULL);
	if (!rc && h->rc)
		snprintf(err, err_size, "%s", h->err);
	return rc || h->rc ? -1 : 0;
}

/* Sets up and loads p->skel (every program but handle_exec) and p->exec_skel (handle_exec),
 * each step of the two at once, on the same maps: 0, or -1 with err set. */
static int proc_load(struct proc_state *p, struct probe_settings *s, char *err, size_t err_size)
{
	struct exec_half exec = {.settings = s};
	pthread_t thread;
	bool threaded;
	int rc;

	if (proc_size(p->skel, s, &exec.traced, err, err_size))
		return -1;
	threaded = run_beside(&thread, prepare_exec_half, &exec);
	proc_configure(p->skel, s, exec.traced, PROC_ALL_BUT_EXEC);
	rc = probe_create_maps(p->skel->obj, p->skel->maps.events, err, err_size);
	rc = join_half(thread, threaded, &exec, rc, err, err_size);
	p->exec_skel = exec.skel;
	if (rc || probe_share_maps(p->exec_skel->obj, p->skel->obj, err, err_size) ||
	    probe_share_maps(p->skel->obj, p->exec_skel->obj, err, err_size))
		return -1;
	threaded = run_beside(&thread, load_exec_half, &exec);
	rc = probe_load(p->skel->skeleton, "proc", err, err_size);
	if (join_half(thread, threaded, &exec, rc, err, err_size))
		return -1;
	if ((rc = fill_filter(p->skel, s)))
		snprintf(err, err_size, "cannot set the proc probe's filter: %s", strerror(-rc));
	return rc;
}

static bool proc_supported(char *why, size_t why_size)
{
	struct probe_settings s = probe_check_settings;
	struct proc_bpf *skel = proc_bpf__open_opts(probe_open_opts());
	uint32_t traced;

	if (skel && proc_size(skel, &s, &traced, why, why_size)) {
		proc_bpf__destroy(skel);
		return false;
	}
	if (skel)
		proc_configure(skel, &s, traced, PROC_ALL);
	return probe_loads(skel, skel ? skel->skeleton : NULL, "proc", why, why_size);
}

/* What decoding and preparing need; no BPF (a replayed journal is decoded alone). */
static int proc_open(const struct probe_settings *s, struct probe_sink *sink,
		     struct pq_writer *table, void **state, char *err, size_t err_size)
{
	struct proc_state *p = calloc(1, sizeof(*p));

	if (p && !s->no_redact) {
		p->redactor = s->redactor ? s->redactor : (p->own = redactor_new(NULL, 0, err, err_size));
		p->prepared_size = PT_EXEC_BUF_SIZE(0) + REDACTED_SIZE(s->max_args);
		p->prepared = malloc(p->prepared_size);
	}
	if (!p || (!s->no_redact && (!p->redactor || !p->prepared))) {
		if (p)
			proc_stop(p);
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	dataset_set_redacted(sink->dataset, p->redactor != NULL);
	p->attach_process = s->attach_process;
	p->attach_ctx = s->attach_ctx;
	*state = p;
	return 0;
}

/* Loads and attaches proc.bpf.c, creating the shared maps (the tracer stops p on failure). */
static int proc_start(void *state, struct probe_settings *s, char *err, size_t err_size)
{
	struct proc_state *p = state;
	int rc;

	p->skel = proc_bpf__open_opts(probe_open_opts());
	if (!p->skel) {
		snprintf(err, err_size, "cannot open the proc probe: %s", strerror(errno));
		return -1;
	}
	if (proc_load(p, s, err, err_size))
		return -1;
	if ((rc = proc_bpf__attach(p->skel)) || (rc = proc_bpf__attach(p->exec_skel))) {
		snprintf(err, err_size, "cannot attach the proc probe: %s", strerror(-rc));
		return -1;
	}
	s->events_fd = bpf_map__fd(p->skel->maps.events);
	s->traced_fd = bpf_map__fd(p->skel->maps.traced);
	s->lost_fd = bpf_map__fd(p->skel->maps.lost);
	s->seed_fd = s->pidns_inum ? bpf_program__fd(p->skel->progs.seed_command) : -1;
	/* What seed_command learns inside a pid namespace: pipetrace's global tgid is its own. */
	if (!s->pidns_inum)
		p->skel->bss->monitor_tgid = (uint32_t)getpid();
	return 0;
}

/* An exec record of size bytes that holds the parts it announces, each within the bounds the
 * kernel side keeps (so that the prepared copy has room for it). */
static bool exec_record_sound(const struct pt_exec_record *exec, size_t size)
{
	return size >= sizeof(*exec) && exec->filename_len < PT_FILENAME_MAX &&
	       exec->cwd_len <= PT_DIR_MAX + PT_DIR_NAME_MAX &&
	       size >= sizeof(*exec) + (size_t)exec->filename_len + exec->cwd_len + exec->args_len;
}

/* An exec record with the secrets of its argv redacted (redact/redact.h): the same words, with
 * the same truncation (args_full_len keeps its distance to args_len), marked with the count of
 * words changed. The record itself when nothing changed, or redaction is off. */
static const struct pt_record_header *proc_prepare(void *state, const struct pt_record_header *hdr,
						   size_t *size)
{
	struct proc_state *p = state;
	const struct pt_exec_record *exec = (const void *)hdr;
	const struct pt_fork_record *fork = (const void *)hdr;
	size_t head, args_len, out_len, changed;
	char *args;

	/* record's filter matched the parent at this fork: it is seen from here on, known to the
	 * model (and the journal) before its child. */
	if (hdr->type == PT_REC_FORK && *size >= sizeof(*fork) && fork->parent_new &&
	    p->attach_process && p->attach_process(p->attach_ctx, fork->parent_pid, hdr->ts))
		return NULL;
	if (hdr->type != PT_REC_EXEC || !p->redactor || !exec_record_sound(exec, *size) ||
	    exec->redacted_words)
		return hdr;
	head = sizeof(*exec) + exec->filename_len + exec->cwd_len;
	/* Never more than --max-args bytes come; if more did, the rest would be cut here. */
	args_len = exec->args_len;
	if (head + REDACTED_SIZE(args_len) > p->prepared_size)
		args_len = (p->prepared_size - head - 1) / 3;
	args = (char *)p->prepared + head;
	changed = redact_argv(p->redactor, (const char *)exec + head, args_len,
			      args_len < exec->args_full_len, args, &out_len);
	if (!changed && args_len == exec->args_len)
		return hdr;
	memcpy(p->prepared, exec, head);
	if (!changed)
		memcpy(args, (const char *)exec + head, args_len);
	p->prepared->args_len = (uint32_t)out_len;
	p->prepared->args_full_len =
		(uint32_t)(out_len + (exec->args_full_len > args_len ? exec->args_full_len - args_len : 0));
	p->prepared->redacted_words = (uint32_t)changed;
	p->prepared->hdr.size = (uint32_t)(head + out_len);
	*size = head + out_len;
	return &p->prepared->hdr;
}

static int proc_decode(void *state, struct probe_sink *sink, const struct pt_record_header *hdr,
		       size_t size)
{
	const struct pt_exec_record *exec = (const void *)hdr;
	const struct pt_fork_record *fork;
	int64_t exec_id, ppid = -1;
	const char *type;
	char *cwd;

	switch (hdr->type) {
	case PT_REC_FORK:
		if (size < sizeof(struct pt_fork_record))
			return PROBE_MALFORMED;
		type = "fork";
		fork = (const void *)hdr;
		ppid = fork->ppid;
		exec_id = model_fork(sink->model, fork);
		break;
	case PT_REC_EXEC:
		if (!exec_record_sound(exec, size))
			return PROBE_MALFORMED;
		type = "exec";
		ppid = exec->ppid;
		cwd = exec->cwd_known
			      ? path_from_components(exec->data + exec->filename_len, exec->cwd_len)
			      : NULL;
		exec_id = cwd || !exec->cwd_known ? model_exec(sink->model, exec, cwd) : -1;
		/* The cgroup exists while a process is in it: looked up now, not at the row. */
		if (sink->dataset)
			dataset_note_cgroup(sink->dataset, exec->cgroup_id);
		break;
	case PT_REC_EXIT:
		if (size < sizeof(struct pt_exit_record))
			return PROBE_MALFORMED;
		type = "exit";
		exec_id = model_exit(sink->model, (const void *)hdr);
		break;
	case PT_REC_FREE:
		if (size < sizeof(struct pt_free_record))
			return PROBE_MALFORMED;
		type = "free";
		exec_id = model_free_record(sink->model, (const void *)hdr);
		break;
	default:
		return PROBE_UNKNOWN_TYPE;
	}
	if (exec_id < 0)
		return -1;
	return dataset_write_event(sink->dataset, hdr->ts, type, hdr->pid, hdr->tid, ppid, exec_id);
}

const struct probe_module proc_probe = {
	.name = "proc",
	.description = "fork, exec, exit and reap of every traced process; final accounting",
	.always_on = true,
	.default_on = true,
	.first_type = PT_REC_FORK,
	.last_type = PT_REC_FREE,
	.supported = proc_supported,
	.open = proc_open,
	.start = proc_start,
	.stop = proc_stop,
	.decode = proc_decode,
	.prepare = proc_prepare,
};
