// SPDX-License-Identifier: GPL-2.0
/* net probe: connect(2) by traced processes: the address, the socket's type and protocol,
 * and the result. Syscall tracepoints fire only for connect; an untraced caller costs one map
 * lookup. */
#include "syscall_stash.bpf.h"
#include "net.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	stash_args(ctx->args[0], ctx->args[1], ctx->args[2], 0);
	return 0;
}

/* The socket behind fd (its file's private data). */
static __always_inline struct socket *socket_of(int fd)
{
	struct file *file = file_of_fd(fd);

	return file ? BPF_CORE_READ(file, private_data) : NULL;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_connect_record rec = {};
	struct syscall_args args;
	struct socket *sock;
	u32 len;

	if (!take_args(&args))
		return 0;
	len = args.args[2] < PT_SOCKADDR_MAX ? args.args[2] : PT_SOCKADDR_MAX;
	/* A mask the verifier can see: clang would otherwise pass the unclamped register. */
	asm volatile("%[len] &= 0xff" : [len] "+r"(len));
	bpf_probe_read_user(rec.addr, len, (void *)args.args[1]);
	sock = socket_of((int)args.args[0]);
	if (sock) {
		rec.sock_type = BPF_CORE_READ(sock, type);
		rec.protocol = BPF_CORE_READ(sock, sk, sk_protocol);
	}
	rec.result = ctx->ret;
	rec.addr_len = len;
	fill_header_current(&rec.hdr, PT_REC_CONNECT, PT_NET_VERSION, sizeof(rec));
	emit(&rec, sizeof(rec));
	return 0;
}
