/* The kernel-to-user protocol shared by every probe module.
 *
 * Every record on the shared ring buffer starts with this header. `size` is the whole record
 * including the header and any variable-length tail, so a reader can skip records it does not
 * know; `version` is bumped when a record's layout changes. Timestamps are CLOCK_MONOTONIC
 * nanoseconds (bpf_ktime_get_ns). See docs/protocol.md. */
#ifndef PIPETRACE_RECORD_H
#define PIPETRACE_RECORD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
#endif

/* Records are laid out by hand, every field at its natural alignment and any padding a named
 * field, so that the BPF programs (clang -target bpf) and user space (the host's compiler) lay
 * them out alike: padding of the compiler's own is an error in both compilations (-Wpadded,
 * between PT_RECORDS_BEGIN and PT_RECORDS_END), so every offset is the sum of the sizes before
 * it, and each struct is followed by the size it must have (PT_ASSERT_SIZE), checked in both. */
#define PT_RECORDS_BEGIN                                                                     \
	_Pragma("GCC diagnostic push") _Pragma("GCC diagnostic error \"-Wpadded\"")
#define PT_RECORDS_END _Pragma("GCC diagnostic pop")
#define PT_ASSERT_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " size " #size)
/* For a variable-length tail: where it starts. */
#define PT_ASSERT_OFFSET(type, field, offset)                                                \
	_Static_assert(__builtin_offsetof(type, field) == (offset), #type "." #field " at " #offset)

/* Record types; each probe owns a range of 16. */
enum pt_record_type {
	PT_REC_FORK = 1,  /* proc */
	PT_REC_EXEC = 2,  /* proc */
	PT_REC_EXIT = 3,  /* proc */
	PT_REC_FREE = 4,  /* proc */
	PT_REC_CPU_SAMPLE = 16, /* cpu */
	PT_REC_FILE_OPEN = 32,  /* files */
	PT_REC_CONNECT = 48,    /* net */
};

/* Directories travel as their components, leaf first, each NUL-terminated (path.bpf.h): at
 * most PT_DIR_MAX bytes, written in steps of at most PT_DIR_NAME_MAX. */
#define PT_DIR_MAX 4096
#define PT_DIR_NAME_MAX 256

/* Why a BPF program dropped a record: each kind has its own per-CPU counter in the shared
 * `lost` map, indexed by this (runs.parquet's lost_* columns, docs/protocol.md). */
enum pt_lost_kind {
	PT_LOST_RING_FULL,   /* the ring buffer had no room for the record */
	PT_LOST_TRACED_FULL, /* a forked process did not fit the traced set: it goes untraced */
	PT_LOST_STASH_FULL,  /* a syscall's entry arguments did not fit its probe's stash */
	PT_LOST_KINDS
};

PT_RECORDS_BEGIN
struct pt_record_header {
	u16 type;
	u16 version;
	u32 size;
	u64 ts;
	u32 pid; /* thread-group id */
	u32 tid;
};
PT_RECORDS_END
PT_ASSERT_SIZE(struct pt_record_header, 24);


#endif
