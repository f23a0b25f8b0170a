/* The records pipetrace journals besides the kernel's (dataset/journal.h): what the run's
 * rows depend on that no probe records, so that replaying the journal through the same
 * decoders and model (trace/replay.c) gives the same dataset. Each starts with the kernel's
 * record header; types are above every probe's range (bpf/record.h). docs/protocol.md
 * "The journal". */
#ifndef PIPETRACE_JOURNAL_RECORDS_H
#define PIPETRACE_JOURNAL_RECORDS_H

#include "bpf/proc.h"
#include "bpf/record.h"
#include "dataset/schema.h"

enum pt_journal_record_type {
	PT_JREC_RUN = 0x8001, /* the run's description: first */
	PT_JREC_SEED,         /* CMD's pid (hdr.pid) and start (hdr.ts), before its first record */
	PT_JREC_TICK,         /* a turn of the run loop at hdr.ts (periodic samples) */
	PT_JREC_REAPED,       /* pipetrace reaped hdr.pid (CMD, or an orphan) */
	PT_JREC_USAGE,        /* /proc figures of hdr.pid, still running at the end */
	PT_JREC_END,          /* the run ended at hdr.ts: last */
	PT_JREC_CGROUP,       /* a cgroup's path, found while a process was in it */
	PT_JREC_ATTACH,       /* a process running before it was traced, as /proc showed it */
	PT_JREC_CONTINUED,    /* record --rotate: the dataset goes on from the one before */
	PT_JREC_CARRY,        /* an execution the dataset before held still, carried over */
	PT_JREC_ROTATED,      /* before END: what the model holds goes on into the next dataset */
};

/* Followed by NUL-terminated strings: run_id, cwd, options (JSON), then command_count words
 * of the command, then probe_count probe names. */
struct pt_jrec_run {
	struct pt_record_header hdr;
	int64_t realtime_offset;
	uint64_t start_realtime_ns;
	uint64_t interval_ns;
	uint32_t max_args, command_count, probe_count;
	uint32_t redact; /* command lines were redacted (runs.parquet redact) */
	char strings[];
};

struct pt_jrec_tick {
	struct pt_record_header hdr;
	uint64_t lost[LOST_KINDS]; /* what was lost so far, by cause (runs.parquet lost_*) */
};

struct pt_jrec_reaped {
	struct pt_record_header hdr;
	int32_t status; /* wait(2) status */
	uint32_t is_cmd;
};

struct pt_jrec_usage {
	struct pt_record_header hdr;
	struct pt_proc_usage usage;
};

/* Followed by the path, NUL-terminated (processes.cgroup, unescaped). */
struct pt_jrec_cgroup {
	struct pt_record_header hdr;
	uint64_t id;
	char path[];
};

struct pt_jrec_end {
	struct pt_record_header hdr;
	int32_t cmd_status; /* wait(2) status */
	uint32_t pad;
	uint64_t lost[LOST_KINDS], monitor_cpu_ns;
	char status[32]; /* runs.parquet status */
};

/* An attached process (model.h struct attached_process), start at hdr.ts; followed by the
 * filename and cwd (NUL-terminated, when has_*), then args_len bytes of args. */
struct pt_jrec_attach {
	struct pt_record_header hdr;
	uint32_t ppid, uid, gid, redacted_words;
	uint32_t args_len, has_filename, has_cwd, pad;
	char comm[PT_COMM_LEN];
	char data[];
};

/* After the run record of a dataset that record --rotate opened: where the one before left
 * off. Then one PT_JREC_CARRY per execution the model held at the rotation. */
struct pt_jrec_continued {
	struct pt_record_header hdr;
	uint64_t next_exec_id;
	uint64_t lost_before[LOST_KINDS]; /* lost before this dataset, by cause */
};

#endif
