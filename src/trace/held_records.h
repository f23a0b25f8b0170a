/* The journal's records of what the model holds that no kernel record says: a process found
 * in /proc (attach, record: PT_JREC_ATTACH), and an execution carried from one dataset into
 * the next (record --rotate: PT_JREC_CARRY). Encoded as the run goes, decoded by a replay. */
#ifndef PIPETRACE_HELD_RECORDS_H
#define PIPETRACE_HELD_RECORDS_H

#include <stddef.h>

#include "model/execution.h"
#include "model/model.h"
#include "trace/journal_records.h"

/* Followed by the filename and cwd (NUL-terminated, when has_*), then argc NUL-terminated
 * words, all escaped as the model holds them. */
struct pt_jrec_carry {
	struct pt_record_header hdr;
	uint64_t exec_id, parent_exec_id, prev_exec_id, cgroup_id;
	uint64_t start_ns, exec_ns, end_ns;
	struct pt_proc_usage base, usage;
	uint64_t sampled_cpu_ns, sampled_rss_kb, reaped_read_bytes, reaped_write_bytes;
	uint32_t pid, ppid, ns_pid, uid, gid, exit_status, end_reason, flags;
	uint32_t argc, redacted_words;
	char comm[ESCAPED_SIZE(PT_COMM_LEN)];
	char data[];
};

/* Each allocated (free it), its size in *size; NULL when out of memory. */
struct pt_jrec_attach *attach_record_encode(const struct attached_process *p, size_t *size);
struct pt_jrec_carry *carry_record_encode(const struct execution *e, size_t *size);

/* p's strings point into rec. -1 when rec is malformed. */
int attach_record_decode(const struct pt_jrec_attach *rec, size_t size, struct attached_process *p);

/* A decoded carry record: the execution, its image's strings pointing into the record. */
struct carried_execution {
	struct execution execution;
	struct image image;
};
/* -1 when rec is malformed or out of memory; carried_free frees the word list. */
int carry_record_decode(const struct pt_jrec_carry *rec, size_t size, struct carried_execution *out);
void carried_free(struct carried_execution *c);

#endif
