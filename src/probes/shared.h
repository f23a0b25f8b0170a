/* What the probe modules after proc have in common: loading onto the shared maps, and the
 * tracefs that syscall tracepoints need. */
#ifndef PIPETRACE_PROBES_SHARED_H
#define PIPETRACE_PROBES_SHARED_H

#include <bpf/libbpf.h>
#include <stddef.h>

#include "probes/probe.h"

/* Points obj's events, traced and lost maps at the ones proc created, then loads obj. */
int probe_load_on_shared_maps(struct bpf_object *obj, const struct probe_settings *s,
			      const char *probe, char *err, size_t err_size);

/* Mounts tracefs at /sys/kernel/tracing unless syscall tracepoints are already visible. */
int probe_need_tracefs(char *err, size_t err_size);

#endif
