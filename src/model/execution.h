/* An execution: one program image of one process (docs/dataset.md, "processes.parquet"). A
 * forked child starts an execution of its parent's image; its first exec continues that
 * execution with the new image; each later exec ends the current execution and starts the
 * next. */
#ifndef PIPETRACE_EXECUTION_H
#define PIPETRACE_EXECUTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/proc.h"

enum end_reason { END_RUNNING, END_EXEC, END_EXIT };

/* Room for len bytes escaped as argv.h says (each at most \xHH) and a NUL. Every string of
 * an execution is escaped once, as it is received, so that the dataset writes it as it is. */
#define ESCAPED_SIZE(len) ((len) * 4 + 1)

/* argv as valid UTF-8 strings (see argv.h for the escaping). */
struct argv_list {
	char **items;
	size_t count;
	bool truncated;
	unsigned redacted_words; /* words whose secrets were redacted (exec record's count) */
};

/* What an execution runs. A forked child shares its parent's image, counted, until it execs:
 * in a spawn storm, no child copies the shell's argv only to drop it at its exec. */
struct image {
	unsigned refs;
	char *filename; /* escaped, owned; NULL when not known */
	struct argv_list argv;
	char *cwd;      /* escaped, owned; NULL when not known */
};

struct execution {
	uint64_t exec_id;
	uint64_t parent_exec_id; /* 0: none (the root) */
	uint64_t prev_exec_id;   /* 0: none; else the same pid's previous image */
	uint32_t pid, ppid, ns_pid, uid, gid;
	uint64_t cgroup_id;
	char comm[ESCAPED_SIZE(PT_COMM_LEN)]; /* escaped */
	struct image *image; /* one reference; never NULL */
	uint64_t start_ns, exec_ns, end_ns; /* CLOCK_MONOTONIC; exec_ns 0: never exec'd */
	struct pt_proc_usage base;  /* process counters when this execution began */
	struct pt_proc_usage usage; /* process counters when it ended (or so far) */
	/* The process's cumulative CPU and its RSS at the latest cpu probe record (0: none yet). */
	uint64_t sampled_cpu_ns, sampled_rss_kb;
	/* I/O of the children this execution waited for: the kernel adds it to the waiter's own
	 * counters, so it is taken out again to keep each row to its own I/O. */
	uint64_t reaped_read_bytes, reaped_write_bytes;
	bool exited;
	bool reaped_by_monitor; /* pipetrace itself reaped it (CMD, or an orphan) */
	uint32_t exit_status; /* wait(2) status word, when exited */
	enum end_reason end_reason;
	struct execution *bucket_next; /* process_table.c: the next in its bucket */
};

const char *end_reason_name(enum end_reason reason);

/* Figures of the execution alone: usage - base, CPU split into user/sys in the proportion of
 * the tick-based utime/stime (as the kernel's cputime_adjust does). */
struct execution_figures {
	uint64_t cpu_ns, cpu_user_ns, cpu_sys_ns;
	uint64_t read_bytes, write_bytes, minor_faults, major_faults;
	uint64_t vol_ctx_switches, invol_ctx_switches, max_rss_kb;
};
void execution_figures(const struct execution *e, struct execution_figures *out);

#endif
