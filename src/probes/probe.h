/* A probe module's user side: how it loads its BPF programs onto the shared maps, which
 * record types it decodes, and what it writes. Every module registers itself in registry.c;
 * adding one touches no other probe. */
#ifndef PIPETRACE_PROBE_H
#define PIPETRACE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/record.h"

struct model;
struct dataset;

/* Load-time settings and the maps every probe shares (fd -1: not created yet). */
struct probe_settings {
	uint32_t max_args;      /* proc: argv bytes per exec */
	uint64_t interval_ns;   /* cpu: sampling period */
	uint32_t ring_bytes;    /* the shared ring buffer's size */
	int events_fd, traced_fd, lost_fd;
};

/* What decoders feed: the execution model and the dataset's tables. */
struct probe_sink {
	struct model *model;
	struct dataset *dataset;
};

struct probe_module {
	const char *name;
	const char *description;
	bool always_on, default_on;
	uint16_t first_type, last_type; /* record types this module decodes */
	/* Opens, loads (reusing the shared maps when their fds are set, else creating them and
	 * filling in the fds) and attaches the module's BPF programs. */
	int (*start)(struct probe_settings *settings, void **state, char *err, size_t err_size);
	void (*stop)(void *state);
	/* Decodes one record of size bytes (already checked to be >= its header). */
	int (*decode)(struct probe_sink *sink, const struct pt_record_header *hdr, size_t size);
};

extern const struct probe_module proc_probe;

/* All modules, proc first (it creates the shared maps). */
extern const struct probe_module *const probe_modules[];
extern const size_t probe_module_count;

const struct probe_module *probe_find(const char *name);
const struct probe_module *probe_for_record(uint16_t type);

#endif
