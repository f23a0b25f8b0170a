#include "probes/shared.h"

#include "dataset/dataset.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Programs whose verifier statistics PIPETRACE_DEBUG=2 can show per object, and room for each
 * (libbpf's log level 4: a few lines). */
#define STATS_PROGRAMS_MAX 16
#define STATS_LOG_SIZE 1024

int probe_load(struct bpf_object_skeleton *skeleton, const char *probe, char *err,
	       size_t err_size)
{
	const char *debug = getenv("PIPETRACE_DEBUG");
	/* Per call, not static: the cpu probe loads in a thread of its own, beside the others. */
	char(*logs)[STATS_LOG_SIZE] = debug && !strcmp(debug, "2")
					      ? calloc(STATS_PROGRAMS_MAX, STATS_LOG_SIZE)
					      : NULL;
	struct bpf_object *obj = *skeleton->obj;
	struct bpf_program *prog;
	size_t i = 0;
	int rc;

	if (logs)
		bpf_object__for_each_program(prog, obj) {
			if (i == STATS_PROGRAMS_MAX)
				break;
			bpf_program__set_log_buf(prog, logs[i++], STATS_LOG_SIZE);
			bpf_program__set_log_level(prog, 4);
		}
	rc = bpf_object__load_skeleton(skeleton);
	if (rc)
		snprintf(err, err_size, "cannot load the %s probe: %s", probe, strerror(-rc));
	i = 0;
	if (logs && !rc)
		bpf_object__for_each_program(prog, obj) {
			if (i == STATS_PROGRAMS_MAX)
				break;
			for (char *c = logs[i]; *c; c++)
				if (*c == '\n')
					*c = ' ';
			if (bpf_program__autoload(prog)) /* else not loaded: no statistics */
				fprintf(stderr, "pipetrace: %s/%s: %s\n", probe,
					bpf_program__name(prog), logs[i]);
			i++;
		}
	free(logs);
	return rc;
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

int probe_create_map(struct bpf_map *map, char *err, size_t err_size)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = bpf_map__map_flags(map));
	int fd = bpf_map_create(bpf_map__type(map), bpf_map__name(map), bpf_map__key_size(map),
				bpf_map__value_size(map), bpf_map__max_entries(map), &opts);
	int rc = fd < 0 ? -errno : bpf_map__reuse_fd(map, fd);

	if (fd >= 0)
		close(fd); /* reuse_fd keeps a duplicate */
	if (rc)
		snprintf(err, err_size, "cannot create the %s map: %s", bpf_map__name(map),
			 strerror(-rc));
	return rc ? -1 : 0;
}

int probe_create_maps(struct bpf_object *obj, const struct bpf_map *except, char *err,
		      size_t err_size)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (map != except && !bpf_map__is_internal(map) && bpf_map__fd(map) < 0 &&
		    probe_create_map(map, err, err_size))
			return -1;
	return 0;
}

int probe_share_maps(struct bpf_object *from, struct bpf_object *to, char *err, size_t err_size)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, from) {
		struct bpf_map *twin;

		if (bpf_map__is_internal(map) || bpf_map__fd(map) < 0)
			continue;
		twin = bpf_object__find_map_by_name(to, bpf_map__name(map));
		if (twin && bpf_map__fd(twin) < 0 && bpf_map__reuse_fd(twin, bpf_map__fd(map))) {
			snprintf(err, err_size, "cannot share the %s map: %s", bpf_map__name(map),
				 strerror(errno));
			return -1;
		}
	}
	return 0;
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

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN && getenv("PIPETRACE_DEBUG") ? vfprintf(stderr, fmt, args) : 0;
}

void probe_quiet_libbpf(void)
{
	libbpf_set_print(quiet_libbpf);
}

const struct probe_settings probe_check_settings = {
	.max_args = 64 << 10,
	.interval_ns = 1000000000,
	.ring_bytes = 64 << 10,
	.events_fd = -1, .traced_fd = -1, .lost_fd = -1, .seed_fd = -1,
};

const char probe_privilege_needed[] =
	"loading BPF probes needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run it as root or "
	"with sudo, or give its container those (docs/containers.md)";

/* The oldest kernel with everything the probes use; the tested ones are in README.md. */
#define MINIMUM_KERNEL "5.17"

bool probe_kernel_supported(char *why, size_t why_size)
{
	const char *missing = NULL;
	struct utsname uts;
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);

	if (fd < 0 && errno == EPERM) {
		snprintf(why, why_size, "%s", probe_privilege_needed);
		return false;
	}
	if (fd >= 0)
		close(fd);
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		missing = "BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF=y)";
	else if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0)
		missing = "the BPF ring buffer (Linux 5.8)";
	else if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop, NULL) <= 0)
		missing = "the bpf_loop helper (Linux 5.17)";
	if (!missing)
		return true;
	uname(&uts);
	snprintf(why, why_size, "this kernel (%s) lacks %s; pipetrace needs Linux " MINIMUM_KERNEL
		 " or later, built with BTF", uts.release, missing);
	return false;
}

bool probe_kernel_at_least(unsigned int major, unsigned int minor)
{
	struct utsname uts;
	unsigned int running_major = 0, running_minor = 0;

	if (uname(&uts) || sscanf(uts.release, "%u.%u", &running_major, &running_minor) != 2)
		return false;
	return running_major > major || (running_major == major && running_minor >= minor);
}

bool probe_loads(void *skel, struct bpf_object_skeleton *skeleton, const char *probe, char *why,
		 size_t why_size)
{
	char err[256];
	int rc;

	if (!skel) {
		snprintf(why, why_size, "cannot open its BPF object: %s", strerror(errno));
		return false;
	}
	rc = probe_load(skeleton, probe, err, sizeof(err));
	if (rc)
		snprintf(why, why_size, "its BPF programs do not load here: %s; PIPETRACE_DEBUG=1 "
			 "shows the verifier's log", strerror(-rc));
	/* What NAME_bpf__destroy does. */
	bpf_object__destroy_skeleton(skeleton);
	free(skel);
	return rc == 0;
}

void table_probe_stop(void *state)
{
	struct table_probe *p = state;

	if (p->skeleton)
		bpf_object__destroy_skeleton(p->skeleton);
	free(p->skel);
	free(p);
}

int table_probe_open(const struct probe_settings *settings, struct probe_sink *sink,
		     struct pq_writer *table, void **state, char *err, size_t err_size)
{
	struct table_probe *p = calloc(1, sizeof(*p));

	if (!p)
		return snprintf(err, err_size, "out of memory"), -1;
	p->table = table;
	*state = p;
	return 0;
}

int table_probe_attach(struct table_probe *p, void *skel, struct bpf_object_skeleton *skeleton,
		       volatile u64 *wakeup_bytes, volatile u32 *pidns_inum, const char *probe,
		       const struct probe_settings *settings, char *err, size_t err_size)
{
	p->skel = skel;
	p->skeleton = skeleton;
	*wakeup_bytes = settings->ring_bytes / 4;
	*pidns_inum = settings->pidns_inum;
	if (probe_need_tracefs(err, err_size) || size_stash(*skeleton->obj, err, err_size) ||
	    probe_load_on_shared_maps(skeleton, settings, probe, err, err_size))
		return -1;
	if (bpf_object__attach_skeleton(skeleton)) {
		snprintf(err, err_size, "cannot attach the %s probe: %s", probe, strerror(errno));
		return -1;
	}
	return 0;
}
