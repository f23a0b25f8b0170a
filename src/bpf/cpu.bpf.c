// SPDX-License-Identifier: GPL-2.0
/* cpu probe: a perf_event program fires every sampling period on each CPU; when the task on
 * that CPU belongs to the traced tree it reports its process's cumulative CPU and RSS. Cost is
 * one map lookup per CPU per period, whatever runs outside the tree; a process that does not
 * run uses no CPU, so its last sample still holds. */
#include "common.bpf.h"
#include "core_fixes.bpf.h"
#include "cpu.h"

char LICENSE[] SEC("license") = "GPL";

/* Threads whose runtime is added up; a process with more is under-counted until its end. */
#define MAX_THREADS 1024

const volatile u32 page_kb = 4;

struct thread_sum {
	struct list_head *head, *pos;
	u64 offset; /* of thread_node in task_struct */
	u64 total;
};

/* One live thread's runtime. A bpf_loop callback: the verifier checks it once. */
static long add_thread(u32 index, struct thread_sum *sum)
{
	struct list_head *pos = sum->pos;
	struct task_struct *thread = (void *)pos - sum->offset;

	if (!pos || pos == sum->head)
		return 1;
	sum->total += BPF_CORE_READ(thread, se.sum_exec_runtime);
	sum->pos = BPF_CORE_READ(pos, next);
	return 0;
}

/* Runtime of the dead threads (folded into the signal struct) plus every live thread's. */
static __always_inline u64 process_cpu_ns(struct task_struct *task)
{
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	struct thread_sum sum = {
		.head = &sig->thread_head,
		.pos = BPF_CORE_READ(sig, thread_head.next),
		.offset = bpf_core_field_offset(struct task_struct, thread_node),
		.total = BPF_CORE_READ(sig, sum_sched_runtime),
	};

	bpf_loop(MAX_THREADS, add_thread, &sum, 0);
	return sum.total;
}

static __always_inline u64 rss_kb(struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	s64 pages = 0;

	if (!mm)
		return 0;
	pages += mm_rss_counter(mm, 0); /* MM_FILEPAGES */
	pages += mm_rss_counter(mm, 1); /* MM_ANONPAGES */
	pages += mm_rss_counter(mm, 3); /* MM_SHMEMPAGES */
	return pages > 0 ? (u64)pages * page_kb : 0;
}

SEC("perf_event")
int sample_cpu(void *ctx)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u32 pid = pid_tgid >> 32;
	struct task_struct *task;
	struct pt_cpu_record rec = {};

	if (!pid || !is_traced(pid))
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	fill_header(&rec.hdr, PT_REC_CPU_SAMPLE, PT_CPU_VERSION, sizeof(rec), task, pid,
		    (u32)pid_tgid);
	rec.cpu_ns = process_cpu_ns(task);
	rec.rss_kb = rss_kb(task);
	emit(&rec, sizeof(rec));
	return 0;
}
