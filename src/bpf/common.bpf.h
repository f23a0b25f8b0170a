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

/* Thread-group ids of the traced tree: seeded by user space with the command's pid, grown
 * at fork, shrunk when a process is freed. The value is TRACED, plus the flags below. */
#define TRACED 1
#define TRACED_EXECED 2
#define TRACED_FINAL 4 /* its final accounting went out before the free (proc's handle_switch) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Sized by user space to the machine's pid_max (no more processes can be alive), at
	 * most this: the kernel zeroes a bucket per entry while CMD is held (~0.8 ms here). */
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* a preallocated set costs ~1 ms before CMD starts */
	__type(key, u32);
	__type(value, u8);
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

static __always_inline void fill_header(struct pt_record_header *hdr, u16 type, u16 version,
					u32 size, u32 pid, u32 tid)
{
	hdr->type = type;
	hdr->version = version;
	hdr->size = size;
	hdr->ts = bpf_ktime_get_ns();
	hdr->pid = pid;
	hdr->tid = tid;
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
