/* Records of the proc probe (proc.bpf.c): the lifecycle of every traced process. */
#ifndef PIPETRACE_PROC_H
#define PIPETRACE_PROC_H

#include "record.h"

#define PT_COMM_LEN 16
#define PT_FILENAME_MAX 4096
/* Largest argv a record may carry (--max-args upper bound). */
#define PT_ARGS_MAX (1u << 20)
#define PT_PROC_VERSION 2

PT_RECORDS_BEGIN

/* Cumulative counters of one process (all its threads, dead and alive) at one instant. */
struct pt_proc_usage {
	u64 cpu_ns;      /* sum_sched_runtime + live threads' sum_exec_runtime */
	u64 utime_ns;    /* tick-based split, used only for the user/sys proportion */
	u64 stime_ns;
	u64 read_bytes;  /* storage I/O (task_io_accounting) */
	u64 write_bytes;
	u64 min_flt;
	u64 maj_flt;
	u64 nvcsw;
	u64 nivcsw;
	u64 maxrss_kb;   /* peak RSS of the process so far */
};
PT_ASSERT_SIZE(struct pt_proc_usage, 80);

/* header.pid is the child. */
struct pt_fork_record {
	struct pt_record_header hdr;
	u32 parent_pid; /* the forking process */
	u32 ppid;       /* child's real parent (differs from parent_pid with CLONE_PARENT) */
	u32 ns_pid;     /* child's pid in its own pid namespace */
	u32 parent_new; /* the parent was not traced: record's filter matched it at this fork */
};
PT_ASSERT_SIZE(struct pt_fork_record, 40);

/* Which processes start being traced besides the descendants of those user space seeds
 * (pipetrace record): checked on the current task at fork (the parent) and at exec. */
enum pt_proc_filter {
	PT_FILTER_TREE,   /* none: only the seeded tree */
	PT_FILTER_ALL,    /* every process (not kernel threads) */
	PT_FILTER_CGROUP, /* in the cgroup v2 of filter_cgroup, or below it */
	PT_FILTER_COMM,   /* whose comm is one of filter_comms */
};
#define PT_FILTER_COMMS_MAX 64

/* A successful exec. Followed by filename_len bytes of path, cwd_len bytes of the working
 * directory's components (record.h), then args_len bytes of argv (NUL-separated, as in
 * mm->arg_start..arg_end). usage is the process's counters just before the new image starts
 * running, so the previous image's share can be split off; all zero at the first exec after
 * fork, which continues the execution the fork began (nothing to split). redacted_words is
 * user space's: the kernel sends 0; the proc probe's prepare hook, when it rewrites argv with
 * secrets redacted, says there how many words it changed, so that a journaled record decodes
 * to the same row without being redacted again. */
struct pt_exec_record {
	struct pt_record_header hdr;
	u32 ppid;
	u32 ns_pid;
	u32 uid;
	u32 gid;
	u64 cgroup_id;
	u32 filename_len;
	u32 args_len;
	u32 args_full_len; /* length before truncation to max_args */
	u32 old_tid;       /* thread that called exec (differs from pid for a non-leader) */
	u32 cwd_len;
	u32 cwd_known; /* the working directory could be read (cwd_len 0 with it: the root) */
	u32 redacted_words;
	u32 pad;
	char comm[PT_COMM_LEN];
	struct pt_proc_usage usage;
	char data[];
};
PT_ASSERT_SIZE(struct pt_exec_record, 176);
PT_ASSERT_OFFSET(struct pt_exec_record, data, 176);

/* The last thread of a process exited. usage misses the exiting thread's last slice; the
 * FREE record carries the exact figures. */
struct pt_exit_record {
	struct pt_record_header hdr;
	u32 exit_status; /* wait(2) status word: code << 8 | core 0x80 | signal */
	/* Both 0 when the process did no I/O (nothing to merge): */
	u32 autoreap; /* the parent ignores SIGCHLD: nobody waits, so its I/O is not merged */
	u32 parent;   /* the parent that will wait for it, and get its I/O counters added */
	u32 pad;
	struct pt_proc_usage usage;
};
PT_ASSERT_SIZE(struct pt_exit_record, 120);

/* The per-CPU slot an exec record is assembled in, for a given --max-args. */
#define PT_EXEC_BUF_SIZE(max_args)                                                          \
	(sizeof(struct pt_exec_record) + PT_FILENAME_MAX + PT_DIR_MAX + PT_DIR_NAME_MAX +    \
	 (max_args))

/* Final, exact accounting: the process can run no more (its last thread's last context
 * switch), or failing that its task was freed after the reap. */
struct pt_free_record {
	struct pt_record_header hdr;
	struct pt_proc_usage usage;
};
PT_ASSERT_SIZE(struct pt_free_record, 104);

PT_RECORDS_END

#endif
