/* Records of the cpu probe (cpu.bpf.c): the cumulative CPU and RSS of a traced process, taken
 * every sampling period on each CPU that is running one of its threads. */
#ifndef PIPETRACE_CPU_H
#define PIPETRACE_CPU_H

#include "record.h"

#define PT_CPU_VERSION 1

PT_RECORDS_BEGIN

/* header.pid is the process, header.tid the thread that was on the CPU. */
struct pt_cpu_record {
	struct pt_record_header hdr;
	u64 cpu_ns; /* all threads, dead and alive, since the process was forked */
	u64 rss_kb; /* approximate: the mm counters without their per-CPU deltas */
};
PT_ASSERT_SIZE(struct pt_cpu_record, 40);

PT_RECORDS_END

#endif
