/* Maps and helpers shared by every probe module. Each probe's skeleton declares these maps;
 * user space creates them once (with the proc probe) and has every other probe reuse them, so
 * all records travel on one ring buffer and all probes see one set of traced processes. */
#ifndef PIPETRACE_COMMON_BPF_H
#define PIPETRACE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "record.h"

/* Wake the reader only when this many bytes are waiting; it otherwise polls on a timer, so
 * a spawn storm costs no wake-up per record. Set by user space to a fraction of the ring. */
const volatile u64 wakeup_bytes = 1 << 20;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by user space before load */
} events SEC(".maps");

/* Global thread-group ids of the traced tree: seeded with the command's (proc's
 * seed_command), or by user space with a process already running (attach, record), grown at
 * fork, shrunk when a process is freed. The value is a struct traced_process (record.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Sized by user space to the machine's pid_max (no more processes can be alive), at
	 * most this: the kernel zeroes a bucket per entry while CMD is held (~0.8 ms here). */
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* a preallocated set costs ~1 ms before CMD starts */
	__type(key, u32);
	__type(value, struct traced_process);
} traced SEC(".maps");

/* Records the kernel could not hand over, per CPU, by enum pt_lost_kind. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PT_LOST_KINDS);
	__type(key, u32);
	__type(value, u64);
} lost SEC(".maps");

/* Only ever called on a failure path: counting costs the hot paths nothing. */
static __always_inline void count_lost(enum pt_lost_kind kind)
{
	u32 key = kind;
	u64 *count = bpf_map_lookup_elem(&lost, &key);

	if (count)
		(*count)++;
}

/* A task's thread id and thread-group id, with one read where tgid follows pid (as in every
 * kernel's task_struct), else with two. */
struct task_ids {
	u32 tid, tgid;
};

static __always_inline struct task_ids task_ids_of(struct task_struct *task)
{
	struct task_ids ids = {};

	if (bpf_core_field_offset(struct task_struct, tgid) ==
	    bpf_core_field_offset(struct task_struct, pid) + sizeof(u32)) {
		bpf_core_read(&ids, sizeof(ids), &task->pid);
		return ids;
	}
	ids.tid = BPF_CORE_READ(task, pid);
	ids.tgid = BPF_CORE_READ(task, tgid);
	return ids;
}

static __always_inline bool is_traced(u32 tgid)
{
	return bpf_map_lookup_elem(&traced, &tgid) != NULL;
}

/* The open file behind fd in the current task's file table, or NULL. */
static __always_inline struct file *file_of_fd(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **files = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &files[fd]);
	return file;
}

/* pipetrace's pid namespace, by its inode; 0 when it is the root one. Map keys are the
 * kernel's global pids, but every pid a record carries is the one pipetrace sees (what its
 * waitpid returns and ps shows it): in the root namespace that is the global pid, and the
 * verifier drops the translation. */
const volatile u32 pidns_inum = 0;
#define PIDNS_LEVEL_MAX 32 /* the kernel's MAX_PID_NS_LEVEL */

struct pid_search {
	struct pid *pid;
	int level; /* the next level to look at */
	u32 nr;    /* pid's number there, once found */
};

/* One level of a pid, from the process's own up: is it pipetrace's namespace? A bpf_loop
 * callback: the verifier checks it, and libbpf relocates it, once per program rather than
 * once per level and call site. */
static long pid_level_seen(u32 index, struct pid_search *s)
{
	struct pid *pid = s->pid; /* outside the CO-RE read: pid_search is not the kernel's */
	int level = s->level;
	struct upid upid = {};

	if (level < 0)
		return 1;
	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & (PIDNS_LEVEL_MAX - 1)]);
	s->level = level - 1;
	if (BPF_CORE_READ(upid.ns, ns.inum) != pidns_inum)
		return 0;
	s->nr = upid.nr;
	return 1;
}

/* pid's number in pipetrace's namespace, 0 when it has none there (a process outside it).
 * pipetrace's namespace is at or above the process's own, usually at its level: the levels
 * are searched from the process's down. */
static __always_inline u32 pid_nr_seen(struct pid *pid)
{
	struct pid_search s = {.pid = pid, .level = BPF_CORE_READ(pid, level)};

	bpf_loop(PIDNS_LEVEL_MAX, pid_level_seen, &s, 0);
	return s.nr;
}

/* The thread-group id of task (global: tgid) as pipetrace sees it. */
static __always_inline u32 tgid_seen(struct task_struct *task, u32 tgid)
{
	return pidns_inum ? pid_nr_seen(BPF_CORE_READ(task, group_leader, thread_pid)) : tgid;
}

/* The thread id of task (global: tid) as pipetrace sees it. */
static __always_inline u32 tid_seen(struct task_struct *task, u32 tid)
{
	return pidns_inum ? pid_nr_seen(BPF_CORE_READ(task, thread_pid)) : tid;
}

/* A record's header, its pid and tid as pipetrace sees them. */
static __always_inline void fill_header_seen(struct pt_record_header *hdr, u16 type,
					     u16 version, u32 size, u32 pid, u32 tid)
{
	hdr->type = type;
	hdr->version = version;
	hdr->size = size;
	hdr->ts = bpf_ktime_get_ns();
	hdr->pid = pid;
	hdr->tid = tid;
}

/* A record's header; pid and tid are task's global ones, recorded as pipetrace sees them. */
static __always_inline void fill_header(struct pt_record_header *hdr, u16 type, u16 version,
					u32 size, struct task_struct *task, u32 pid, u32 tid)
{
	fill_header_seen(hdr, type, version, size, tgid_seen(task, pid), tid_seen(task, tid));
}

/* A record's header about the current task. */
static __always_inline void fill_header_current(struct pt_record_header *hdr, u16 type,
						u16 version, u32 size)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();

	fill_header(hdr, type, version, size,
		    pidns_inum ? (struct task_struct *)bpf_get_current_task() : NULL,
		    pid_tgid >> 32, (u32)pid_tgid);
}

/* Copies a finished record onto the ring buffer, counting it as lost when there is no room;
 * wakes the reader when it asks to, or when enough is waiting. Returns whether it went out. */
static __always_inline bool emit_waking(void *record, u64 size, bool wake)
{
	u64 flags = wake || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes
			    ? BPF_RB_FORCE_WAKEUP
			    : BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_output(&events, record, size, flags)) {
		count_lost(PT_LOST_RING_FULL);
		return false;
	}
	return true;
}

/* The same, for a record nobody is waiting for. */
static __always_inline bool emit(void *record, u64 size)
{
	return emit_waking(record, size, false);
}

#endif
