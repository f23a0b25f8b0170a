/* proc probe, user side: loads proc.bpf.c (creating the shared maps) and turns its lifecycle
 * records into executions and events.parquet rows. */
#include <errno.h>
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
#include "probes/shared.h"
#include "proc.skel.h"

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

struct proc_state {
	struct proc_bpf *skel; /* NULL until started (never, when a journal is replayed) */
};

static int proc_open(const struct probe_settings *s, struct probe_sink *sink,
		     struct pq_writer *table, void **state, char *err, size_t err_size)
{
	*state = calloc(1, sizeof(struct proc_state));
	if (!*state)
		snprintf(err, err_size, "out of memory");
	return *state ? 0 : -1;
}

static int proc_start(void *state, struct probe_settings *s, char *err, size_t err_size)
{
	struct proc_bpf *skel = proc_bpf__open_opts(probe_open_opts());
	int ncpus = libbpf_num_possible_cpus(), rc;

	if (!skel) {
		snprintf(err, err_size, "cannot open the proc probe: %s", strerror(errno));
		return -1;
	}
	skel->rodata->max_args = s->max_args;
	skel->rodata->page_kb = (uint32_t)(sysconf(_SC_PAGESIZE) / 1024);
	skel->rodata->monitor_tgid = (uint32_t)getpid();
	skel->rodata->wakeup_bytes = s->ring_bytes / 4;
	bpf_map__set_max_entries(skel->maps.events, s->ring_bytes);
	bpf_map__set_max_entries(skel->maps.traced,
				 traced_capacity(bpf_map__max_entries(skel->maps.traced)));
	bpf_map__set_max_entries(skel->maps.exec_bufs, ncpus > 0 ? (uint32_t)ncpus : 1);
	bpf_map__set_value_size(skel->maps.exec_bufs, PT_EXEC_BUF_SIZE(s->max_args));
	rc = probe_load(skel->skeleton, "proc", err, err_size);
	if (!rc && (rc = proc_bpf__attach(skel)))
		snprintf(err, err_size, "cannot attach the proc probe: %s", strerror(-rc));
	if (rc) {
		proc_bpf__destroy(skel);
		return rc;
	}
	s->events_fd = bpf_map__fd(skel->maps.events);
	s->traced_fd = bpf_map__fd(skel->maps.traced);
	s->lost_fd = bpf_map__fd(skel->maps.lost);
	((struct proc_state *)state)->skel = skel;
	return 0;
}

static void proc_stop(void *state)
{
	struct proc_state *s = state;

	proc_bpf__destroy(s->skel);
	free(s);
}

static int proc_decode(void *state, struct probe_sink *sink, const struct pt_record_header *hdr,
		       size_t size)
{
	const struct pt_exec_record *exec = (const void *)hdr;
	int64_t exec_id, ppid = -1;
	const char *type;
	char *cwd;

	switch (hdr->type) {
	case PT_REC_FORK:
		if (size < sizeof(struct pt_fork_record))
			return 0;
		type = "fork";
		ppid = ((const struct pt_fork_record *)hdr)->ppid;
		exec_id = model_fork(sink->model, (const void *)hdr);
		break;
	case PT_REC_EXEC:
		if (size < sizeof(*exec) || size < sizeof(*exec) + (size_t)exec->filename_len +
							  exec->cwd_len + exec->args_len)
			return 0;
		type = "exec";
		ppid = exec->ppid;
		cwd = exec->cwd_known
			      ? path_from_components(exec->data + exec->filename_len, exec->cwd_len)
			      : NULL;
		exec_id = cwd || !exec->cwd_known ? model_exec(sink->model, exec, cwd) : -1;
		break;
	case PT_REC_EXIT:
		if (size < sizeof(struct pt_exit_record))
			return 0;
		type = "exit";
		exec_id = model_exit(sink->model, (const void *)hdr);
		break;
	case PT_REC_FREE:
		if (size < sizeof(struct pt_free_record))
			return 0;
		type = "free";
		exec_id = model_free_record(sink->model, (const void *)hdr);
		break;
	default:
		return 0;
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
	.open = proc_open,
	.start = proc_start,
	.stop = proc_stop,
	.decode = proc_decode,
};
