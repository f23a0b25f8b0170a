/* A probe module's user side: how it loads its BPF programs onto the shared maps, which
 * record types it decodes, and what it writes. Every module registers itself in registry.c;
 * adding one touches no other probe. */
#ifndef PIPETRACE_PROBE_H
#define PIPETRACE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/record.h"
#include "parquet/parquet.h"

/* Room for every probe module (registry.c holds fewer; a record type range of 16 each). */
#define PROBE_MODULES_MAX 16

struct model;
struct dataset;
struct execution;
struct execution_figures;
struct redactor;

/* Load-time settings and the maps every probe shares (fd -1: not created yet). */
struct probe_settings {
	uint32_t max_args;      /* proc: argv bytes per exec */
	uint64_t interval_ns;   /* cpu: sampling period */
	uint32_t ring_bytes;    /* the shared ring buffer's size */
	uint32_t pidns_inum;    /* pipetrace's pid namespace, 0 for the root one (common.bpf.h) */
	/* proc: pipetrace record's filter (bpf/proc.h pt_proc_filter), with the cgroup v2
	 * folder's fd (PT_FILTER_CGROUP) or the command names (PT_FILTER_COMM). */
	uint32_t filter;
	int filter_cgroup_fd;
	char *const *filter_comms;
	size_t filter_comm_count;
	/* proc: redacts argv with this redactor (the caller's: the built-in rules and the
	 * --redact patterns), or with the built-in rules alone when NULL, unless no_redact:
	 * redaction is on wherever a front end does not turn it off. */
	struct redactor *redactor;
	bool no_redact;
	/* proc: a process record's filter chose at a fork (its parent, not traced before) is
	 * added to the model, and journaled, before the fork record (NULL: a replay, where the
	 * journal holds it already). 0, or -1 out of memory. */
	int (*attach_process)(void *ctx, uint32_t pid, uint64_t seen_ns);
	void *attach_ctx;
	int events_fd, traced_fd, lost_fd;
	int seed_fd;            /* proc's seed_command (-1 outside a pid namespace) */
};

/* What decoders feed: the execution model and the dataset's tables. */
struct probe_sink {
	struct model *model;
	struct dataset *dataset;
};

/* A module's own output table (docs/dataset.md); name NULL when it has none (proc writes
 * the dataset's processes and events). */
struct probe_table {
	const char *name; /* the file's name without ".parquet" */
	const struct pq_column_def *columns;
	size_t column_count;
};

/* Why a decoder drops a record. */
enum probe_drop {
	PROBE_MALFORMED = 1, /* shorter than its type's struct or the lengths it declares */
	PROBE_UNKNOWN_TYPE,  /* a type in the module's range that it does not know */
};

struct probe_module {
	const char *name;
	const char *description;
	bool always_on, default_on;
	uint16_t first_type, last_type; /* record types this module decodes */
	struct probe_table table;
	/* Whether the module works here: what it needs is there and its BPF programs load (they
	 * are loaded once, on maps of their own, and unloaded); else says why not in why. Called
	 * once probe_kernel_supported has said yes. */
	bool (*supported)(char *why, size_t why_size);
	/* Opens what decoding needs, and the module's table (`table`, given here opened or
	 * NULL): no BPF, so that a journal replays without the kernel (trace/replay.c). */
	int (*open)(const struct probe_settings *settings, struct probe_sink *sink,
		    struct pq_writer *table, void **state, char *err, size_t err_size);
	/* Loads (reusing the shared maps when their fds are set, else creating them and filling
	 * in the fds) and attaches the module's BPF programs. */
	int (*start)(void *state, struct probe_settings *settings, char *err, size_t err_size);
	/* Optional: the part of starting that may wait until CMD runs because it loses nothing
	 * by starting late, so that CMD is not held for it (start may have begun it in a thread
	 * of its own: the cpu probe loads while proc attaches and CMD is released). */
	int (*start_late)(void *state, struct probe_settings *settings, char *err,
			  size_t err_size);
	/* Detaches what start attached and frees what open opened (the table excepted: the
	 * dataset closes it). */
	void (*stop)(void *state);
	/* Decodes one record of size bytes (at least a header; hdr->size says the same). Returns
	 * 0, -1 when its row could not be written, or a probe_drop: the tracer counts the record
	 * as lost (runs.parquet) and goes on. */
	int (*decode)(void *state, struct probe_sink *sink, const struct pt_record_header *hdr,
		      size_t size);
	/* Optional: rewrites a record before it is journaled and decoded (the proc probe's
	 * redaction of command lines); returns the record to use instead (hdr itself when
	 * unchanged) and sets *size to its size. Not called again when a journal is replayed. */
	const struct pt_record_header *(*prepare)(void *state, const struct pt_record_header *hdr,
						  size_t *size);
	/* Optional: called on every turn of the run loop with CLOCK_MONOTONIC now. */
	int (*tick)(void *state, struct probe_sink *sink, uint64_t now_ns);
	/* Optional: called for each execution as it is written, before it is freed. */
	int (*execution_finished)(void *state, struct probe_sink *sink, const struct execution *e,
				  const struct execution_figures *f);
};

extern const struct probe_module proc_probe, cpu_probe, files_probe, net_probe;

/* All modules, proc first (it creates the shared maps); at most PROBE_MODULES_MAX, the size of
 * every array indexed like probe_modules (registry.c checks it). */
#define PROBE_MODULES_MAX 16
extern const struct probe_module *const probe_modules[];
extern const size_t probe_module_count;

const struct probe_module *probe_find(const char *name);

/* Whether this kernel has what every probe needs (BTF, the BPF ring buffer, bpf_loop) and
 * pipetrace may load BPF programs; else one line in why: the privilege missing, or the minimum
 * kernel and what this one lacks (probes/shared.c). */
bool probe_kernel_supported(char *why, size_t why_size);
/* What to say when pipetrace lacks the privilege to load its probes. */
extern const char probe_privilege_needed[];
/* libbpf prints warnings of its own; pipetrace reports failures itself in one line: libbpf's
 * go to stderr only with PIPETRACE_DEBUG set. */
void probe_quiet_libbpf(void);

/* Opens m's table in the sink's dataset, then m (its `open`). */
int probe_open(const struct probe_module *m, const struct probe_settings *settings,
	       struct probe_sink *sink, void **state, char *err, size_t err_size);

/* The name of every table a dataset folder may hold (the dataset's own, then each module's),
 * without ".parquet"; returns their count (at most max). */
size_t probe_dataset_tables(const char **names, size_t max);
#define PROBE_DATASET_TABLES_MAX (PROBE_MODULES_MAX + 3)

#endif
