#include "probes/shared.h"

#include "dataset/dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* Programs whose verifier statistics PIPETRACE_DEBUG=2 can show per object, and room for each
 * (libbpf's log level 4: a few lines). */
#define STATS_PROGRAMS_MAX 16
#define STATS_LOG_SIZE 1024

int probe_load(struct bpf_object_skeleton *skeleton, const char *probe, char *err,
	       size_t err_size)
{
	static char logs[STATS_PROGRAMS_MAX][STATS_LOG_SIZE];
	const char *debug = getenv("PIPETRACE_DEBUG");
	bool stats = debug && !strcmp(debug, "2");
	struct bpf_object *obj = *skeleton->obj;
	struct bpf_program *prog;
	size_t i = 0;
	int rc;

	if (stats)
		bpf_object__for_each_program(prog, obj) {
			if (i == STATS_PROGRAMS_MAX)
				break;
			logs[i][0] = '\0';
			bpf_program__set_log_buf(prog, logs[i++], STATS_LOG_SIZE);
			bpf_program__set_log_level(prog, 4);
		}
	rc = bpf_object__load_skeleton(skeleton);
	if (rc) {
		snprintf(err, err_size, "cannot load the %s probe: %s", probe, strerror(-rc));
		return rc;
	}
	i = 0;
	if (stats)
		bpf_object__for_each_program(prog, obj) {
			if (i == STATS_PROGRAMS_MAX)
				break;
			for (char *c = logs[i]; *c; c++)
				if (*c == '\n')
					*c = ' ';
			fprintf(stderr, "pipetrace: %s/%s: %s\n", probe, bpf_program__name(prog),
				logs[i++]);
		}
	return 0;
}

int probe_load_on_shared_maps(struct bpf_object_skeleton *skeleton,
			      const struct probe_settings *s, const char *probe, char *err,
			      size_t err_size)
{
	static const char *const names[] = {"events", "traced", "lost"};
	const int fds[] = {s->events_fd, s->traced_fd, s->lost_fd};
	struct bpf_object *obj = *skeleton->obj;

	for (size_t i = 0; i < 3; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, names[i]);

		if (!map || bpf_map__reuse_fd(map, fds[i])) {
			snprintf(err, err_size, "cannot share the %s map with the %s probe", names[i],
				 probe);
			return -1;
		}
	}
	return probe_load(skeleton, probe, err, err_size);
}

int probe_test_size(const char *name, uint32_t *size, char *err, size_t err_size)
{
	const char *value = getenv(name);
	unsigned long n;
	char *end;

	if (!value)
		return 0;
	errno = 0;
	n = strtoul(value, &end, 10);
	if (errno || end == value || *end || n == 0 || n > UINT32_MAX) {
		snprintf(err, err_size, "%s=%s: give a positive number, or unset it", name, value);
		return -1;
	}
	*size = (uint32_t)n;
	return 0;
}

/* The files and net probes' syscall stash (syscall_stash.bpf.h), sized for a test. */
static int size_stash(struct bpf_object *obj, char *err, size_t err_size)
{
	struct bpf_map *stash = bpf_object__find_map_by_name(obj, "stash");
	uint32_t entries;

	if (!stash)
		return 0;
	entries = bpf_map__max_entries(stash);
	if (probe_test_size("PIPETRACE_TEST_STASH_ENTRIES", &entries, err, err_size))
		return -1;
	return bpf_map__set_max_entries(stash, entries);
}

int probe_need_tracefs(char *err, size_t err_size)
{
	static const char events[] = "/sys/kernel/tracing/events/syscalls";

	if (access(events, R_OK) == 0 || access("/sys/kernel/debug/tracing/events/syscalls", R_OK) == 0)
		return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) && errno != EBUSY) {
		snprintf(err, err_size, "cannot mount tracefs on /sys/kernel/tracing: %s",
			 strerror(errno));
		return -1;
	}
	if (access(events, R_OK)) {
		snprintf(err, err_size, "this kernel has no syscall tracepoints (%s)", events);
		return -1;
	}
	return 0;
}

bool probe_syscalls_supported(char *why, size_t why_size)
{
	return probe_need_tracefs(why, why_size) == 0;
}

void table_probe_stop(void *state)
{
	struct table_probe *p = state;

	bpf_object__destroy_skeleton(p->skeleton);
	free(p->skel);
	free(p);
}

struct table_probe *table_probe_start(void *skel, struct bpf_object_skeleton *skeleton,
				      volatile u64 *wakeup_bytes, const char *probe,
				      const struct probe_settings *settings,
				      struct probe_sink *sink, const char *table,
				      const struct pq_column_def *columns, size_t column_count,
				      char *err, size_t err_size)
{
	struct table_probe *p = calloc(1, sizeof(*p));

	if (!p) {
		bpf_object__destroy_skeleton(skeleton);
		free(skel);
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	*p = (struct table_probe){skel, skeleton, NULL};
	*wakeup_bytes = settings->ring_bytes / 4;
	if (probe_need_tracefs(err, err_size) || size_stash(*skeleton->obj, err, err_size) ||
	    probe_load_on_shared_maps(skeleton, settings, probe, err, err_size))
		goto fail;
	if (bpf_object__attach_skeleton(skeleton)) {
		snprintf(err, err_size, "cannot attach the %s probe: %s", probe, strerror(errno));
		goto fail;
	}
	p->table = dataset_table(sink->dataset, table, columns, column_count);
	if (!p->table) {
		snprintf(err, err_size, "%s", dataset_error(sink->dataset));
		goto fail;
	}
	return p;
fail:
	table_probe_stop(p);
	return NULL;
}
