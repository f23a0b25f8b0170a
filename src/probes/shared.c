#include "probes/shared.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int probe_load_on_shared_maps(struct bpf_object *obj, const struct probe_settings *s,
			      const char *probe, char *err, size_t err_size)
{
	static const char *const names[] = {"events", "traced", "lost"};
	const int fds[] = {s->events_fd, s->traced_fd, s->lost_fd};
	int rc;

	for (size_t i = 0; i < 3; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, names[i]);

		if (!map || bpf_map__reuse_fd(map, fds[i])) {
			snprintf(err, err_size, "cannot share the %s map with the %s probe", names[i],
				 probe);
			return -1;
		}
	}
	rc = bpf_object__load(obj);
	if (rc)
		snprintf(err, err_size, "cannot load the %s probe: %s", probe, strerror(-rc));
	return rc;
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
