/* Kernel layouts that changed across the supported kernels, read the CO-RE way: each older
 * layout is a local type flavour (name___vNN, matched by libbpf to the kernel's type of the
 * name before ___), chosen by bpf_core_type_exists/bpf_core_field_exists at load time; the
 * branch that does not apply is dropped by the verifier, its relocation left unresolved. */
#ifndef PIPETRACE_CORE_FIXES_BPF_H
#define PIPETRACE_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/* Up to 6.1 the mm's RSS counters were atomics in a struct mm_rss_stat; 6.2 made them
 * percpu_counters (f1a7941243c1, "mm: convert mm's rss stats into percpu_counter"). */
struct mm_rss_stat___v61 {
	atomic_long_t count[4]; /* NR_MM_COUNTERS */
} __attribute__((preserve_access_index));

struct mm_struct___v61 {
	struct mm_rss_stat___v61 rss_stat;
} __attribute__((preserve_access_index));

/* One of the mm's RSS counters (MM_FILEPAGES, ...), in pages, without the per-CPU deltas. */
static __always_inline s64 mm_rss_counter(struct mm_struct *mm, int member)
{
	struct mm_struct___v61 *v61 = (void *)mm;

	if (bpf_core_type_exists(struct mm_rss_stat___v61))
		return BPF_CORE_READ(v61, rss_stat.count[member & 3].counter);
	return BPF_CORE_READ(mm, rss_stat[member & 3].count);
}

#endif
