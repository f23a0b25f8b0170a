/* ring_inject HEX...: writes each HEX string's bytes as one record onto the ring buffer of the
 * pipetrace that runs this program (its parent), so that crafted records (too short, of an
 * unknown type) travel the real ring to the real reader. The ring's fd is taken from the parent
 * with pidfd_getfd(2); a socket filter program, run once per record with BPF_PROG_TEST_RUN,
 * copies the bytes from its stack with bpf_ringbuf_output. At most 64 bytes a record. Exits 0,
 * 1 on a failure (said on stderr). */
#include <bpf/bpf.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* In a sanitizer build, LeakSanitizer's exit-time check runs in a process of its own, which
 * would appear in the traced tree: the tests count processes, so it is off for this tool. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

#define RECORD_MAX 64

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* Whether the parent's fd is a BPF ring buffer map (its fdinfo says map_type 27). */
static int is_ring(pid_t pid, const char *fd)
{
	char path[320], line[128];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, "map_type:", 9) == 0 && atoi(line + 9) == BPF_MAP_TYPE_RINGBUF;
	fclose(f);
	return found;
}

/* A copy of the parent's ring buffer fd, or -1. */
static int parent_ring(void)
{
	pid_t parent = getppid();
	int pidfd = (int)syscall(SYS_pidfd_open, parent, 0), ring = -1;
	char dir[64];
	struct dirent *d;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)parent);
	fds = opendir(dir);
	if (pidfd < 0 || !fds)
		return -1;
	while (ring < 0 && (d = readdir(fds)))
		if (d->d_name[0] != '.' && is_ring(parent, d->d_name))
			ring = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(d->d_name), 0);
	closedir(fds);
	close(pidfd);
	return ring;
}

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* r1 = ring; stack[-64..) = bytes; bpf_ringbuf_output(r1, r10 - 64, len, 0); return 0. */
static int output_program(int ring, const unsigned char *bytes, size_t len)
{
	struct bpf_insn prog[8 + RECORD_MAX / 4];
	size_t n = 0;

	prog[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, ring);
	prog[n++] = insn(0, 0, 0, 0, 0);
	for (size_t at = 0; at < len; at += 4) {
		__s32 word = 0;

		memcpy(&word, bytes + at, len - at < 4 ? len - at : 4);
		prog[n++] = insn(BPF_ST | BPF_MEM | BPF_W, 10, 0, (__s16)(at - RECORD_MAX), word);
	}
	prog[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
	prog[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -RECORD_MAX);
	prog[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, (__s32)len);
	prog[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	prog[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
	prog[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	prog[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ring_inject", "GPL", prog, n, NULL);
}

static size_t parse_hex(const char *hex, unsigned char *out)
{
	size_t len = 0;
	unsigned int byte;

	while (len < RECORD_MAX && sscanf(hex + 2 * len, "%2x", &byte) == 1)
		out[len++] = (unsigned char)byte;
	return strlen(hex) == 2 * len ? len : 0;
}

int main(int argc, char **argv)
{
	unsigned char packet[64] = {0}, bytes[RECORD_MAX];
	int ring = parent_ring();

	if (ring < 0)
		return fail("ring_inject: the parent's ring buffer");
	for (int i = 1; i < argc; i++) {
		size_t len = parse_hex(argv[i], bytes);
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet));
		int prog;

		if (!len) {
			fprintf(stderr, "ring_inject: %s: give 1 to %d bytes in hex\n", argv[i], RECORD_MAX);
			return 1;
		}
		prog = output_program(ring, bytes, len);
		if (prog < 0 || bpf_prog_test_run_opts(prog, &run))
			return fail("ring_inject: running the program");
		close(prog);
	}
	return 0;
}
