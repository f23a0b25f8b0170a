/* For probes that report a syscall with its result: the entry's arguments are kept per thread
 * until the exit, where the record is made. Each including probe gets its own map. */
#ifndef PIPETRACE_SYSCALL_STASH_BPF_H
#define PIPETRACE_SYSCALL_STASH_BPF_H

#include "common.bpf.h"

struct syscall_args {
	u64 args[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* PIPETRACE_TEST_STASH_ENTRIES can shrink it (docs/cli.md) */
	__type(key, u32); /* thread id */
	__type(value, struct syscall_args);
} stash SEC(".maps");

/* At entry: keep args of a traced thread; returns nothing, costs a lookup for others. A full
 * stash (more threads inside the call at once than it holds) loses that call's record. */
static __always_inline void stash_args(u64 a0, u64 a1, u64 a2, u64 a3)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u32 tid = (u32)pid_tgid;
	struct syscall_args args = {.args = {a0, a1, a2, a3}};

	if (is_traced(pid_tgid >> 32) && bpf_map_update_elem(&stash, &tid, &args, BPF_ANY))
		count_lost(PT_LOST_STASH_FULL);
}

/* At exit: the entry's args (copied to out), or false when the thread is not traced. */
static __always_inline bool take_args(struct syscall_args *out)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct syscall_args *args = bpf_map_lookup_elem(&stash, &tid);

	if (!args)
		return false;
	*out = *args;
	bpf_map_delete_elem(&stash, &tid);
	return true;
}

#endif
