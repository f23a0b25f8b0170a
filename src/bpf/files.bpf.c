// SPDX-License-Identifier: GPL-2.0
/* files probe: open, openat, openat2 and creat by traced processes, with their result.
 * Syscall tracepoints fire only for these calls; an untraced caller costs one map lookup. */
#include "path.bpf.h"
#include "syscall_stash.bpf.h"
#include "files.h"

char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD -100
/* creat(2) is open(2) with these flags (asm-generic/fcntl.h, octal). */
#define CREAT_FLAGS (01 /* O_WRONLY */ | 0100 /* O_CREAT */ | 01000 /* O_TRUNC */)

struct path_buf {
	u8 bytes[sizeof(struct pt_file_record) + PT_PATH_MAX + PT_DIR_MAX + PT_DIR_NAME_MAX];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct path_buf);
} path_bufs SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_open")
int enter_open(struct trace_event_raw_sys_enter *ctx)
{
	stash_args(PT_OPEN, (u64)AT_FDCWD, ctx->args[0], ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	stash_args(PT_OPENAT, ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_creat")
int enter_creat(struct trace_event_raw_sys_enter *ctx)
{
	stash_args(PT_CREAT, (u64)AT_FDCWD, ctx->args[0], CREAT_FLAGS);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};

	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	stash_args(PT_OPENAT2, ctx->args[0], ctx->args[1], how.flags);
	return 0;
}

/* Components of the directory a relative path was opened from: dirfd's, or the cwd; *known
 * is 0 when it cannot be read. */
static __always_inline u32 dir_of(int dirfd, char *buf, u32 *known)
{
	struct file *dir;
	struct path path;

	if (dirfd == AT_FDCWD)
		return cwd_components(buf, known);
	*known = 0;
	dir = file_of_fd(dirfd);
	if (!dir)
		return 0;
	path = BPF_CORE_READ(dir, f_path);
	return path_components(&path, buf, known);
}

static __always_inline int report_open(struct trace_event_raw_sys_exit *ctx)
{
	struct syscall_args args;
	struct pt_file_record *rec;
	u32 zero = 0;
	u32 dir_len = 0, dir_known = 0;
	u64 size;
	long len;

	if (!take_args(&args))
		return 0;
	rec = bpf_map_lookup_elem(&path_bufs, &zero);
	if (!rec)
		return 0;
	len = bpf_probe_read_user_str(rec->path, PT_PATH_MAX, (void *)args.args[2]);
	len = len > 0 ? len - 1 : 0; /* drop the NUL */
	len &= PT_PATH_MAX - 1;
	rec->result = ctx->ret;
	rec->flags = (u32)args.args[3];
	rec->call = args.args[0];
	rec->path_len = len;
	if (len && rec->path[0] != '/')
		dir_len = dir_of((int)args.args[1], rec->path + len, &dir_known);
	rec->dir_known = dir_known;
	rec->dir_len = dir_len;
	size = sizeof(*rec) + len + dir_len;
	fill_header_current(&rec->hdr, PT_REC_FILE_OPEN, PT_FILES_VERSION, size);
	emit(rec, size);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return report_open(ctx);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return report_open(ctx);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return report_open(ctx);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return report_open(ctx);
}
