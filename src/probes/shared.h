/* What the probe modules after proc have in common: loading onto the shared maps, the tracefs
 * that syscall tracepoints need, and the user side of a probe whose every record becomes one
 * row of its own table (files, net). */
#ifndef PIPETRACE_PROBES_SHARED_H
#define PIPETRACE_PROBES_SHARED_H

#include <bpf/libbpf.h>
#include <stddef.h>
#include <stdint.h>

#include "parquet/parquet.h"
#include "probes/probe.h"

/* Loads the skeleton (maps and programs); with PIPETRACE_DEBUG=2, prints each program's
 * verifier statistics (verification time, instructions processed) on stderr. */
int probe_load(struct bpf_object_skeleton *skeleton, const char *probe, char *err,
	       size_t err_size);

/* Points the skeleton's events, traced and lost maps at the ones proc created, then loads it
 * with probe_load. */
int probe_load_on_shared_maps(struct bpf_object_skeleton *skeleton,
			      const struct probe_settings *s, const char *probe, char *err,
			      size_t err_size);

/* Creates map from its definition before its object is loaded (bpf_map__fd then gives it),
 * so that a second object can be given it (probe_share_maps) and load beside the first, on
 * another CPU. 0, or -1 with err set. */
int probe_create_map(struct bpf_map *map, char *err, size_t err_size);
/* probe_create_map for each of obj's maps not created yet but except (NULL: none) and its
 * internal .rodata, .bss. */
int probe_create_maps(struct bpf_object *obj, const struct bpf_map *except, char *err,
		      size_t err_size);

/* Points each map of `to` not created yet at the created map of from of the same name. */
int probe_share_maps(struct bpf_object *from, struct bpf_object *to, char *err, size_t err_size);

/* For tests: sets *size (a map's entries, or the ring's bytes) to the value of the environment
 * variable name when it is set, so that the kernel side runs out of room under a small load
 * (docs/cli.md). -1, with err set, when it is not a positive number. */
int probe_test_size(const char *name, uint32_t *size, char *err, size_t err_size);

/* Mounts tracefs at /sys/kernel/tracing unless syscall tracepoints are already visible. */
int probe_need_tracefs(char *err, size_t err_size);

/* Whether the running kernel's version (uname's release) is at least major.minor; false when
 * the release cannot be read as a version. */
bool probe_kernel_at_least(unsigned int major, unsigned int minor);

/* The heart of a probe_module's `supported`: loads skel (the generated NAME_bpf struct, opened
 * and set up; NULL when opening failed) on maps of its own, as a run would (the verifier and
 * CO-RE relocation decide), or says why not; then destroys it. */
bool probe_loads(void *skel, struct bpf_object_skeleton *skeleton, const char *probe, char *why,
		 size_t why_size);
/* Settings `supported` loads a probe with: run's defaults, a small ring. */
extern const struct probe_settings probe_check_settings;

struct table_probe {
	void *skel; /* the generated NAME_bpf struct; NULL until started */
	struct bpf_object_skeleton *skeleton;
	struct pq_writer *table;
};

/* A probe_module's `open` for table probes: holds the table. */
int table_probe_open(const struct probe_settings *settings, struct probe_sink *sink,
		     struct pq_writer *table, void **state, char *err, size_t err_size);
/* Loads skel (from NAME_bpf__open(); wakeup_bytes and pidns_inum are those of skel->rodata)
 * onto the shared maps and attaches it; the table probe p keeps it (and destroys it on
 * failure). */
int table_probe_attach(struct table_probe *p, void *skel, struct bpf_object_skeleton *skeleton,
		       volatile u64 *wakeup_bytes, volatile u32 *pidns_inum, const char *probe,
		       const struct probe_settings *settings, char *err, size_t err_size);
/* A probe_module's `stop` for table probes. */
void table_probe_stop(void *state);

#endif
