// SPDX-License-Identifier: GPL-2.0
/* proc probe: fork, exec, exit and reap of every process in the traced tree.
 *
 * Raw tracepoints only (no BTF-typed tracing programs are needed), CO-RE reads throughout.
 * Final accounting is read once the process can run no more: at the last context switch of its
 * last thread (handle_switch), or failing that at sched_process_free of the group leader. By
 * then every thread's runtime has been folded into signal->sum_sched_runtime (or is final in
 * the leader), whereas at sched_process_exit the exiting thread's last slice and the exit
 * teardown are still missing. */
#include "common.bpf.h"
#include "path.bpf.h"
#include "proc.h"

char LICENSE[] SEC("license") = "GPL";

#define SIGNAL_GROUP_EXIT 0x00000004
#define TASK_DEAD 0x00000080
#define SIGCHLD 17
#define SIG_IGN 1
#define SA_NOCLDWAIT 2

/* Upper bound on the argv bytes an exec record carries (<= PT_ARGS_MAX). */
const volatile u32 max_args = 64 << 10;
/* getrusage's ru_maxrss unit: signal->maxrss counts pages. */
const volatile u32 page_kb = 4;
/* pipetrace's own process (its global tgid: set by user space, or learnt by seed_command
 * inside a pid namespace), which waits for the final accounting of its children (CMD, the
 * orphans it adopts) to end the run: their records wake it. */
u32 monitor_tgid = 0;
/* Children of pipetrace searched for CMD: it has no other child when CMD is seeded. */
#define SEED_CHILDREN_MAX 64

/* Since 5.18 sched_switch passes the state the task switched out in (fa2c3254d7cf,
 * "sched/tracing: Don't re-read p->state when emitting sched_switch event"): every context
 * switch of the machine then costs no read. Set by user space from the kernel's version. */
const volatile bool switch_passes_state = false;

/* pipetrace record's filter (proc.h); the verifier drops the branches of the others. */
const volatile u32 filter = PT_FILTER_TREE;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} filter_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PT_FILTER_COMMS_MAX);
	__type(key, char[PT_COMM_LEN]);
	__type(value, u8);
} filter_comms SEC(".maps");

#define PF_KTHREAD 0x00200000

static __always_inline bool current_matches_filter(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	char comm[PT_COMM_LEN] = {};

	if (filter == PT_FILTER_ALL)
		return !(BPF_CORE_READ(task, flags) & PF_KTHREAD);
	if (filter == PT_FILTER_CGROUP)
		return bpf_current_task_under_cgroup(&filter_cgroup, 0) == 1;
	if (filter == PT_FILTER_COMM) {
		bpf_get_current_comm(comm, sizeof(comm));
		return bpf_map_lookup_elem(&filter_comms, comm) != NULL;
	}
	return false;
}

/* Starts tracing tgid when the filter matches the current task; whether it does now. */
static __always_inline bool trace_if_matching(struct task_struct *task, u32 tgid, u8 flags)
{
	if (filter == PT_FILTER_TREE || !current_matches_filter())
		return false;
	struct traced_process state = {.pid_seen = tgid_seen(task, tgid), .flags = flags};
	long rc = bpf_map_update_elem(&traced, &tgid, &state, BPF_NOEXIST);

	/* -EEXIST: a racing fork or exec traced it first. */
	if (rc && rc != -17) {
		count_lost(PT_LOST_TRACED_FULL);
		return false;
	}
	return true;
}

/* An exec record is too large for the BPF stack: it is assembled in a per-CPU slot. User space
 * sizes the slot to PT_EXEC_BUF_SIZE(max_args), so memory follows --max-args rather than its
 * 1 MiB upper bound; the verifier checks every write against that size. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* one per possible CPU, set by user space */
	__uint(key_size, sizeof(u32));
	__uint(value_size, PT_EXEC_BUF_SIZE(PT_ARGS_MAX)); /* resized by user space */
} exec_bufs SEC(".maps");

/* A stretch of a struct read with one helper call instead of one per field, each on a cold
 * cache line: signal_struct keeps the counters read_usage needs from utime to
 * sum_sched_runtime (~250 bytes), task_struct from utime to maj_flt (~100 bytes). Its bounds
 * are CO-RE offsets, so the verifier sees this kernel's layout and checks only the branch it
 * takes; a layout with a longer stretch is read field by field. */
#define STRETCH_MAX 256
#define STRETCH_START(type, first) bpf_core_field_offset(type, first)
#define STRETCH_END(type, last) (bpf_core_field_offset(type, last) + sizeof(u64))
#define STRETCH_FIELD(stretch, type, start, field)                                          \
	stretch_u64(stretch, bpf_core_field_offset(type, field) - (start))

/* The u64 at offset `at` of a stretch; `at` is made a register first, so that the compiler
 * cannot fold it into pointer arithmetic the verifier refuses (pointer minus scalar). */
static __always_inline u64 stretch_u64(const u8 *stretch, u32 at)
{
	asm volatile("" : "+r"(at));
	return *(const u64 *)(stretch + at);
}

/* Reads [start, end) of the struct at base into stretch, when this kernel's layout keeps
 * it within STRETCH_MAX: whether it does. The bounds are constants once relocated, so the
 * verifier checks only one of a caller's two branches. A read that fails leaves zeros, as
 * BPF_CORE_READ does. */
static __always_inline bool read_stretch(u8 *stretch, const void *base, u32 start, u32 end)
{
	if (end <= start || end - start > STRETCH_MAX)
		return false;
	bpf_probe_read_kernel(stretch, end - start, base + start);
	return true;
}

#define SIG_FIELD(field) STRETCH_FIELD(stretch, struct signal_struct, start, field)

static __always_inline void read_signal_usage(struct signal_struct *sig, struct pt_proc_usage *u)
{
	u32 start = STRETCH_START(struct signal_struct, utime);
	u8 stretch[STRETCH_MAX];

	if (read_stretch(stretch, sig, start, STRETCH_END(struct signal_struct, sum_sched_runtime))) {
		u->cpu_ns = SIG_FIELD(sum_sched_runtime);
		u->utime_ns = SIG_FIELD(utime);
		u->stime_ns = SIG_FIELD(stime);
		u->read_bytes = SIG_FIELD(ioac.read_bytes);
		u->write_bytes = SIG_FIELD(ioac.write_bytes);
		u->min_flt = SIG_FIELD(min_flt);
		u->maj_flt = SIG_FIELD(maj_flt);
		u->nvcsw = SIG_FIELD(nvcsw);
		u->nivcsw = SIG_FIELD(nivcsw);
		u->maxrss_kb = SIG_FIELD(maxrss) * page_kb;
		return;
	}
	u->cpu_ns = BPF_CORE_READ(sig, sum_sched_runtime);
	u->utime_ns = BPF_CORE_READ(sig, utime);
	u->stime_ns = BPF_CORE_READ(sig, stime);
	u->read_bytes = BPF_CORE_READ(sig, ioac.read_bytes);
	u->write_bytes = BPF_CORE_READ(sig, ioac.write_bytes);
	u->min_flt = BPF_CORE_READ(sig, min_flt);
	u->maj_flt = BPF_CORE_READ(sig, maj_flt);
	u->nvcsw = BPF_CORE_READ(sig, nvcsw);
	u->nivcsw = BPF_CORE_READ(sig, nivcsw);
	u->maxrss_kb = BPF_CORE_READ(sig, maxrss) * page_kb;
}

#define TASK_FIELD(field) STRETCH_FIELD(stretch, struct task_struct, start, field)

/* A live thread's own counters, added to u: utime to maj_flt as one stretch, read_bytes and
 * write_bytes (adjacent in task_io_accounting) as another. */
static __always_inline void add_task_usage(struct task_struct *task, struct pt_proc_usage *u)
{
	u32 start = STRETCH_START(struct task_struct, utime);
	u32 io_start = STRETCH_START(struct task_struct, ioac.read_bytes);
	u8 stretch[STRETCH_MAX];

	u->cpu_ns += BPF_CORE_READ(task, se.sum_exec_runtime);
	if (read_stretch(stretch, task, io_start, STRETCH_END(struct task_struct, ioac.write_bytes))) {
		u->read_bytes += STRETCH_FIELD(stretch, struct task_struct, io_start, ioac.read_bytes);
		u->write_bytes += STRETCH_FIELD(stretch, struct task_struct, io_start, ioac.write_bytes);
	} else {
		u->read_bytes += BPF_CORE_READ(task, ioac.read_bytes);
		u->write_bytes += BPF_CORE_READ(task, ioac.write_bytes);
	}
	if (read_stretch(stretch, task, start, STRETCH_END(struct task_struct, maj_flt))) {
		u->utime_ns += TASK_FIELD(utime);
		u->stime_ns += TASK_FIELD(stime);
		u->min_flt += TASK_FIELD(min_flt);
		u->maj_flt += TASK_FIELD(maj_flt);
		u->nvcsw += TASK_FIELD(nvcsw);
		u->nivcsw += TASK_FIELD(nivcsw);
		return;
	}
	u->utime_ns += BPF_CORE_READ(task, utime);
	u->stime_ns += BPF_CORE_READ(task, stime);
	u->min_flt += BPF_CORE_READ(task, min_flt);
	u->maj_flt += BPF_CORE_READ(task, maj_flt);
	u->nvcsw += BPF_CORE_READ(task, nvcsw);
	u->nivcsw += BPF_CORE_READ(task, nivcsw);
}

/* Counters of the process: the signal struct holds what its dead threads left behind; a live
 * thread's own counters are added with include_task. */
static __always_inline void read_usage(struct task_struct *task, bool include_task,
				       struct pt_proc_usage *u)
{
	read_signal_usage(BPF_CORE_READ(task, signal), u);
	if (include_task)
		add_task_usage(task, u);
}

/* The clamp as one compare the verifier bounds on every kernel: clang may otherwise compare a
 * copy, or fold it with a later test, so that 6.1's verifier loses the bound. */
static __always_inline u64 clamp_to(u64 value, u64 max)
{
	asm volatile("if %[value] <= %[max] goto +1\n\t%[value] = %[max]"
		     : [value] "+r"(value)
		     : [max] "r"(max));
	return value;
}

static __always_inline u32 ns_pid_of(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return upid.nr;
}

SEC("raw_tracepoint/sched_process_fork")
int handle_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	struct task_struct *real_parent;
	u32 parent_pid = BPF_CORE_READ(parent, tgid);
	struct task_ids child_ids = task_ids_of(child);
	u32 child_pid = child_ids.tid;
	struct pt_fork_record rec = {};
	struct traced_process fresh = {.flags = TRACED};

	/* A new thread shares its creator's thread group: not a new process. */
	if (child_pid != child_ids.tgid)
		return 0;
	/* A parent the filter matches is traced from now on, as a process seen mid-life. */
	if (!is_traced(parent_pid)) {
		if (!trace_if_matching(parent, parent_pid, TRACED | TRACED_EXECED))
			return 0;
		rec.parent_new = 1;
	}
	fresh.pid_seen = tgid_seen(child, child_pid);
	if (bpf_map_update_elem(&traced, &child_pid, &fresh, BPF_ANY)) {
		count_lost(PT_LOST_TRACED_FULL);
		return 0;
	}
	fill_header_seen(&rec.hdr, PT_REC_FORK, PT_PROC_VERSION, sizeof(rec), fresh.pid_seen,
			 fresh.pid_seen);
	rec.parent_pid = tgid_seen(parent, parent_pid);
	real_parent = BPF_CORE_READ(child, real_parent);
	rec.ppid = tgid_seen(real_parent, BPF_CORE_READ(real_parent, tgid));
	rec.ns_pid = ns_pid_of(child);
	emit(&rec, sizeof(rec));
	return 0;
}

SEC("raw_tracepoint/sched_process_exec")
int handle_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
	u32 pid = BPF_CORE_READ(task, tgid);
	u32 zero = 0, key = bpf_get_smp_processor_id();
	struct pt_exec_record *rec;
	struct task_struct *parent;
	struct traced_process *state;
	u8 *buf;
	u64 uid_gid, args_len;
	struct mm_struct *mm;
	u64 args[2]; /* arg_start, arg_end */
	long filename_len;
	u32 cwd_len;

	state = bpf_map_lookup_elem(&traced, &pid);
	if (!state && trace_if_matching(task, pid, TRACED))
		state = bpf_map_lookup_elem(&traced, &pid);
	if (!state)
		return 0;
	buf = bpf_map_lookup_elem(&exec_bufs, &key);
	if (!buf)
		buf = bpf_map_lookup_elem(&exec_bufs, &zero);
	if (!buf)
		return 0;
	rec = (struct pt_exec_record *)buf;

	parent = BPF_CORE_READ(task, real_parent);
	rec->ppid = tgid_seen(parent, BPF_CORE_READ(parent, tgid));
	rec->ns_pid = ns_pid_of(task);
	uid_gid = bpf_get_current_uid_gid();
	rec->uid = (u32)uid_gid;
	rec->gid = uid_gid >> 32;
	rec->cgroup_id = bpf_get_current_cgroup_id();
	/* The old thread is gone: its tid is seen only when it was the leader's. */
	rec->old_tid = (u32)ctx->args[1] == pid ? tgid_seen(task, pid)
		       : pidns_inum	       ? 0
					       : (u32)ctx->args[1];
	rec->redacted_words = 0;
	rec->pad = 0;
	bpf_get_current_comm(rec->comm, sizeof(rec->comm));
	/* The first exec after fork continues the execution the fork began: there is nothing to
	 * split off, so the counters are not read. After de_thread the exec'ing thread is the only
	 * one left. */
	if (state->flags & TRACED_EXECED)
		read_usage(task, true, &rec->usage);
	else
		__builtin_memset(&rec->usage, 0, sizeof(rec->usage));
	state->flags |= TRACED_EXECED;

	filename_len = bpf_probe_read_kernel_str(rec->data, PT_FILENAME_MAX,
						 BPF_CORE_READ(bprm, filename));
	filename_len = filename_len > 0 ? filename_len - 1 : 0; /* drop the NUL */
	filename_len &= PT_FILENAME_MAX - 1;
	rec->filename_len = filename_len;
	cwd_len = cwd_components(rec->data + filename_len, &rec->cwd_known);
	rec->cwd_len = cwd_len;

	mm = BPF_CORE_READ(task, mm);
	if (bpf_core_field_offset(struct mm_struct, arg_end) ==
	    bpf_core_field_offset(struct mm_struct, arg_start) + sizeof(u64)) {
		if (bpf_core_read(args, sizeof(args), &mm->arg_start))
			args[0] = args[1] = 0;
	} else {
		args[0] = BPF_CORE_READ(mm, arg_start);
		args[1] = BPF_CORE_READ(mm, arg_end);
	}
	args_len = args[1] > args[0] ? args[1] - args[0] : 0;
	rec->args_full_len = args_len;
	args_len = clamp_to(args_len, max_args); /* user space keeps max_args <= PT_ARGS_MAX */
	if (bpf_probe_read_user(rec->data + filename_len + cwd_len, args_len, (void *)args[0]))
		args_len = 0;
	rec->args_len = args_len;

	fill_header(&rec->hdr, PT_REC_EXEC, PT_PROC_VERSION,
		    sizeof(*rec) + filename_len + cwd_len + args_len, task, pid,
		    (u32)bpf_get_current_pid_tgid());
	emit(rec, sizeof(*rec) + filename_len + cwd_len + args_len);
	return 0;
}

/* What do_notify_parent will decide: a parent that ignores SIGCHLD (or asks SA_NOCLDWAIT)
 * never waits, so the child is released without its I/O being merged into the parent's. */
static __always_inline bool parent_autoreaps(struct task_struct *task)
{
	struct sighand_struct *sighand = BPF_CORE_READ(task, parent, sighand);
	struct k_sigaction action = {};

	if (BPF_CORE_READ(task, exit_signal) != SIGCHLD)
		return false;
	bpf_core_read(&action, sizeof(action), &sighand->action[SIGCHLD - 1]);
	return (unsigned long)action.sa.sa_handler == SIG_IGN || action.sa.sa_flags & SA_NOCLDWAIT;
}

SEC("raw_tracepoint/sched_process_exit")
int handle_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	struct task_ids ids = task_ids_of(task);
	u32 pid = ids.tgid;
	struct pt_exit_record rec = {};
	struct task_struct *parent;
	u32 status;

	/* Only the last thread out reports the process's exit. */
	if (BPF_CORE_READ(sig, live.counter) != 0 || !is_traced(pid))
		return 0;
	/* What wait(2) reports: the group exit code when the group was killed or exited as one. */
	status = BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT ? BPF_CORE_READ(sig, group_exit_code)
							       : BPF_CORE_READ(task, exit_code);
	fill_header(&rec.hdr, PT_REC_EXIT, PT_PROC_VERSION, sizeof(rec), task, pid, ids.tid);
	rec.exit_status = status;
	read_usage(task, true, &rec.usage);
	/* The waiting parent is given only the I/O counters (the model's charge_parent): a
	 * process without I/O spares the reads of its parent, cold by now. */
	if (rec.usage.read_bytes || rec.usage.write_bytes) {
		rec.autoreap = parent_autoreaps(task);
		parent = BPF_CORE_READ(task, real_parent);
		rec.parent = tgid_seen(parent, BPF_CORE_READ(parent, tgid));
	}
	emit(&rec, sizeof(rec));
	return 0;
}

SEC("raw_tracepoint/sched_process_free")
int handle_free(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct task_ids ids = task_ids_of(task);
	u32 pid = ids.tgid;
	struct pt_free_record rec = {};
	struct traced_process *state;

	/* Threads other than the leader were folded into the signal struct as they went. */
	if (ids.tid != pid || !(state = bpf_map_lookup_elem(&traced, &pid)))
		return 0;
	if (!(state->flags & TRACED_FINAL)) {
		fill_header_seen(&rec.hdr, PT_REC_FREE, PT_PROC_VERSION, sizeof(rec),
				 state->pid_seen, state->pid_seen);
		read_usage(task, false, &rec.usage);
		emit(&rec, sizeof(rec));
	}
	bpf_map_delete_elem(&traced, &pid);
	return 0;
}

/* The task switched out for the last time: do_task_dead's switch, not a preemption on the way
 * there (a preempted task runs again). */
static __always_inline bool switched_out_dead(struct task_struct *task)
{
	return BPF_CORE_READ(task, __state) == TASK_DEAD && !BPF_CORE_READ(task, on_rq) &&
	       (!bpf_core_field_exists(task->on_cpu) || !BPF_CORE_READ(task, on_cpu));
}

/* The final accounting of a process, read at the last context switch of its last thread, so
 * that it does not trail the reap by the RCU grace period that sched_process_free's does.
 * At that switch the figures are what the reap will leave in the signal struct: the other
 * threads were released (nr_threads counts the unreleased ones) and folded in as they went;
 * the leader's own counters are added unless it was reaped already, and they are final once
 * it has switched out dead too. A reap running meanwhile is seen by the stats_lock sequence
 * changing (read_seqcount_begin/retry without the read barriers x86 does not need): the
 * record is then left to handle_free. A context switch of a task that is not dying costs no
 * read (one before 5.18). */
SEC("raw_tracepoint/sched_switch")
int handle_switch(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx->args[1];
	struct pt_free_record rec = {};
	struct task_struct *leader;
	struct signal_struct *sig;
	u32 pid, sequence;
	int unreleased;
	struct traced_process *state;

	if (ctx->args[0] /* preempted */ ||
	    (switch_passes_state ? (u32)ctx->args[3] : BPF_CORE_READ(prev, __state)) != TASK_DEAD)
		return 0;
	pid = BPF_CORE_READ(prev, tgid);
	if (!(state = bpf_map_lookup_elem(&traced, &pid)) || state->flags & TRACED_FINAL)
		return 0;
	sig = BPF_CORE_READ(prev, signal);
	leader = BPF_CORE_READ(prev, group_leader);
	sequence = BPF_CORE_READ(sig, stats_lock.seqcount.seqcount.sequence);
	unreleased = BPF_CORE_READ(sig, nr_threads);
	if (sequence & 1 || BPF_CORE_READ(sig, live.counter) || unreleased > 1 ||
	    (unreleased == 1 && leader != prev && !switched_out_dead(leader)))
		return 0;
	fill_header_seen(&rec.hdr, PT_REC_FREE, PT_PROC_VERSION, sizeof(rec), state->pid_seen,
			 state->pid_seen);
	read_usage(leader, unreleased == 1, &rec.usage);
	if (BPF_CORE_READ(sig, stats_lock.seqcount.seqcount.sequence) != sequence)
		return 0;
	/* Only a record that went out spares handle_free its own. */
	if (emit_waking(&rec, sizeof(rec), BPF_CORE_READ(leader, real_parent, tgid) == monitor_tgid))
		state->flags |= TRACED_FINAL;
	return 0;
}

/* One child of pipetrace: is it CMD (its pid as pipetrace sees it)? A bpf_loop callback. */
struct seed_search {
	struct list_head *head, *pos;
	u64 sibling_offset; /* of sibling, the children list's link, in task_struct */
	u32 pid_seen, found;
};

static long seed_candidate(u32 index, struct seed_search *s)
{
	struct list_head *pos = s->pos; /* a local: CO-RE relocates no access to seed_search */
	struct task_struct *child = (void *)pos - s->sibling_offset;
	u32 tgid;

	if (!pos || pos == s->head)
		return 1;
	tgid = BPF_CORE_READ(child, tgid);
	if (tgid_seen(child, tgid) == s->pid_seen) {
		s->found = tgid;
		return 1;
	}
	s->pos = BPF_CORE_READ(pos, next);
	return 0;
}

/* Run by user space (BPF_PROG_TEST_RUN, in pipetrace's own context) with CMD's pid as pipetrace
 * sees it in args[0], while CMD is held: makes CMD traced by its global tgid, found among
 * pipetrace's children, and learns pipetrace's global tgid. Inside a pid namespace user space
 * knows neither. Returns 0, or 1 when CMD was not found or the traced set is full. */
SEC("raw_tp")
int seed_command(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *self = (struct task_struct *)bpf_get_current_task();
	struct seed_search s = {
		.head = &self->children,
		.pos = BPF_CORE_READ(self, children.next),
		.sibling_offset = bpf_core_field_offset(struct task_struct, sibling),
		.pid_seen = ctx->args[0],
	};
	struct traced_process command = {.pid_seen = s.pid_seen, .flags = TRACED};

	monitor_tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_loop(SEED_CHILDREN_MAX, seed_candidate, &s, 0);
	return !s.found || bpf_map_update_elem(&traced, &s.found, &command, BPF_ANY);
}
