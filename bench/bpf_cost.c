/* bpf_cost [--pingpong N] -- PIPETRACE...: what pipetrace's BPF programs cost per call, net of
 * what BPF statistics themselves cost. With statistics on (BPF_ENABLE_STATS, for as long as
 * this runs), an empty program is attached to each hook the proc probe uses, beside
 * pipetrace's; both see the same events, so the empty one's time per call is the stats'
 * overhead (two clock reads) plus the call itself, which pipetrace's program pays as well.
 * Then PIPETRACE (a pipetrace command line) is started, and the programs it holds (found
 * through /proc/PID/fdinfo, so that no other pipetrace's count) are read every 50 ms until it
 * exits. With --pingpong, once its programs are attached, N round trips of a byte between two
 * untraced processes over pipes make 2N context switches no traced process takes part in,
 * and pipetrace is then stopped with SIGTERM: only those count. Prints one line per hook:
 * calls, ns per call of pipetrace's program and of the empty one, and the difference. Exits 1
 * when nothing could be measured, 2 on bad usage. */
#include <bpf/bpf.h>
#include <errno.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct figures {
	unsigned long long calls, ns;
};

struct hook {
	const char *tracepoint, *program; /* pipetrace's program on it */
	int empty_fd;
};

static const struct hook hook_names[] = {
	{"sched_switch", "handle_switch", -1},
	{"sched_process_fork", "handle_fork", -1},
	{"sched_process_exec", "handle_exec", -1},
	{"sched_process_exit", "handle_exit", -1},
	{"sched_process_free", "handle_free", -1},
};
#define HOOKS (sizeof(hook_names) / sizeof(hook_names[0]))
static struct hook hooks[HOOKS];

static void die(const char *what)
{
	fprintf(stderr, "bpf_cost: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

/* Attaches `return 0` to each hook. */
static void attach_empty_programs(void)
{
	struct bpf_insn empty[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};

	for (size_t i = 0; i < HOOKS; i++) {
		int prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "empty", "GPL", empty, 2, NULL);

		hooks[i] = hook_names[i];
		if (prog < 0)
			die("cannot load an empty program");
		if (bpf_raw_tracepoint_open(hooks[i].tracepoint, prog) < 0)
			die(hooks[i].tracepoint);
		hooks[i].empty_fd = prog;
	}
}

static void read_empty_programs(struct figures *out)
{
	struct bpf_prog_info info;

	for (size_t i = 0; i < HOOKS; i++) {
		if (prog_info(hooks[i].empty_fd, &info))
			die("cannot read an empty program's figures");
		out[i] = (struct figures){info.run_cnt, info.run_time_ns};
	}
}

/* The figures of the programs process pid holds (found in its fdinfo); out is left as it is
 * for a program it does not hold now. Returns how many it holds. */
static int read_pipetrace_programs(pid_t pid, struct figures *out)
{
	char dir[64], path[320], line[128];
	struct dirent *fd_entry;
	int found = 0;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	if (!(fds = opendir(dir)))
		return 0;
	while ((fd_entry = readdir(fds))) {
		unsigned int id = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, fd_entry->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "prog_id: %u", &id) == 1)
				break;
		fclose(f);
		int prog = id ? bpf_prog_get_fd_by_id(id) : -1;
		struct bpf_prog_info info;
		bool known = prog >= 0 && !prog_info(prog, &info);

		for (size_t i = 0; known && i < HOOKS; i++)
			if (!strcmp(info.name, hooks[i].program)) {
				out[i] = (struct figures){info.run_cnt, info.run_time_ns};
				found++;
			}
		if (prog >= 0)
			close(prog);
	}
	closedir(fds);
	return found;
}

/* n round trips of one byte between this process and a child. */
static void ping_pong(long n)
{
	int there[2], back[2];
	char byte = 0;
	pid_t child;

	if (pipe(there) || pipe(back))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		close(there[1]); /* so that the parent's close is an end of file here */
		while (read(there[0], &byte, 1) == 1 && write(back[1], &byte, 1) == 1)
			;
		_exit(0);
	}
	close(there[0]);
	close(back[1]);
	for (long i = 0; i < n; i++)
		if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1)
			die("ping-pong");
	close(there[1]);
	waitpid(child, NULL, 0);
}

static pid_t start(char **argv)
{
	pid_t child = fork();

	if (child < 0)
		die("fork");
	if (!child) {
		execvp(argv[0], argv);
		fprintf(stderr, "bpf_cost: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return child;
}

static const struct timespec tick = {0, 50 * 1000 * 1000};

/* Reads child's figures into last every 50 ms until it exits. */
static void follow(pid_t child, struct figures *last)
{
	int status;

	while (waitpid(child, &status, WNOHANG) == 0) {
		read_pipetrace_programs(child, last);
		nanosleep(&tick, NULL);
	}
}

/* Waits (10 s at most) until child holds its programs. */
static void wait_attached(pid_t child)
{
	struct figures ignored[HOOKS];

	for (int i = 0; i < 200 && read_pipetrace_programs(child, ignored) < (int)HOOKS; i++)
		nanosleep(&tick, NULL);
}

static double per_call(struct figures f)
{
	return f.calls ? (double)f.ns / (double)f.calls : 0;
}

int main(int argc, char **argv)
{
	struct figures before[HOOKS] = {{0}}, after[HOOKS] = {{0}}, empty_before[HOOKS],
		       empty_after[HOOKS];
	long round_trips = 0;
	int measured = 0, first = 1;
	pid_t child;

	if (argc > 3 && !strcmp(argv[1], "--pingpong")) {
		round_trips = atol(argv[2]);
		first = 3;
	}
	if (first >= argc || strcmp(argv[first], "--") || first + 1 >= argc) {
		fprintf(stderr, "usage: bpf_cost [--pingpong N] -- PIPETRACE...\n");
		return 2;
	}
	if (bpf_enable_stats(BPF_STATS_RUN_TIME) < 0)
		die("cannot turn BPF statistics on");
	attach_empty_programs();
	child = start(argv + first + 1);
	if (round_trips) {
		wait_attached(child);
		read_empty_programs(empty_before);
		read_pipetrace_programs(child, before);
		ping_pong(round_trips);
		read_pipetrace_programs(child, after);
		read_empty_programs(empty_after);
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	} else {
		read_empty_programs(empty_before);
		follow(child, after);
		read_empty_programs(empty_after);
	}
	printf("%-20s %10s %12s %12s %10s\n", "hook", "calls", "ns/call", "empty", "net");
	for (size_t i = 0; i < HOOKS; i++) {
		struct figures mine = {after[i].calls - before[i].calls, after[i].ns - before[i].ns};
		struct figures empty = {empty_after[i].calls - empty_before[i].calls,
					empty_after[i].ns - empty_before[i].ns};

		if (!mine.calls)
			continue;
		measured = 1;
		printf("%-20s %10llu %12.1f %12.1f %10.1f\n", hooks[i].tracepoint, mine.calls,
		       per_call(mine), per_call(empty), per_call(mine) - per_call(empty));
	}
	if (!measured)
		fprintf(stderr, "bpf_cost: no program of pipetrace's ran\n");
	return !measured;
}
