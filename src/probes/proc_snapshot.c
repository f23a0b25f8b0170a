#include "probes/proc_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpf/proc.h"
#include "redact/redact.h"

#define PF_KTHREAD 0x00200000u

long read_proc_file(uint32_t pid, const char *name, char *buf, size_t max)
{
	char path[64];
	size_t len = 0, n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	if (!(f = fopen(path, "re")))
		return -1;
	while (len + 1 < max && (n = fread(buf + len, 1, max - 1 - len, f)) > 0)
		len += n;
	fclose(f);
	buf[len] = '\0';
	return (long)len;
}

static void read_link(uint32_t pid, const char *name, char *out, size_t size, const char **set)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	n = readlink(path, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	*set = n > 0 ? out : NULL;
}

/* The kernel's start time (boot-time clock ticks) on the CLOCK_MONOTONIC of its records. */
static uint64_t monotonic_start(unsigned long long ticks)
{
	struct timespec boot, mono;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t boot_ns = ticks * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100));
	int64_t suspended;

	/* The time spent suspended: the two clocks are read an instant apart, which may make it
	 * come out a little below 0. */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	suspended = (boot.tv_sec - mono.tv_sec) * 1000000000ll + (boot.tv_nsec - mono.tv_nsec);
	if (suspended < 0)
		suspended = 0;
	return boot_ns > (uint64_t)suspended ? boot_ns - (uint64_t)suspended : 0;
}

int proc_stat_read(uint32_t pid, struct proc_stat *out)
{
	char buf[1024], *after_comm;
	unsigned long long start_ticks;
	unsigned flags;

	/* The fields after the parenthesised comm: state ppid ... flags (9th) ... starttime
	 * (22nd). */
	if (read_proc_file(pid, "stat", buf, sizeof(buf)) <= 0 || !(after_comm = strrchr(buf, ')')))
		return -1;
	if (sscanf(after_comm + 2,
		   "%*c %u %*d %*d %*d %*d %u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &out->ppid, &flags, &start_ticks) != 3)
		return -1;
	out->kernel_thread = flags & PF_KTHREAD;
	out->start_ticks = start_ticks;
	out->start_ns = monotonic_start(start_ticks);
	return 0;
}

static void read_ids(uint32_t pid, struct proc_snapshot *s)
{
	char buf[4096], *line;

	if (read_proc_file(pid, "status", buf, sizeof(buf)) <= 0)
		return;
	if ((line = strstr(buf, "\nUid:")))
		sscanf(line + 5, "%u", &s->process.uid);
	if ((line = strstr(buf, "\nGid:")))
		sscanf(line + 5, "%u", &s->process.gid);
}

int proc_snapshot_read(uint32_t pid, struct proc_snapshot *s)
{
	char comm[PT_COMM_LEN + 2];
	struct proc_stat stat;
	long len;

	*s = (struct proc_snapshot){.process.pid = pid};
	if (proc_stat_read(pid, &stat) || read_proc_file(pid, "comm", comm, sizeof(comm)) < 0)
		return -1;
	s->process.ppid = stat.ppid;
	s->process.start_ns = stat.start_ns;
	comm[strcspn(comm, "\n")] = '\0';
	memcpy(s->process.comm, comm, PT_COMM_LEN);
	read_ids(pid, s);
	read_link(pid, "exe", s->filename, sizeof(s->filename), &s->process.filename);
	read_link(pid, "cwd", s->cwd, sizeof(s->cwd), &s->process.cwd);
	/* Bounded like an exec record's argv (PT_ARGS_MAX). */
	if (!(s->args = malloc(PT_ARGS_MAX + 1)))
		return -1;
	len = read_proc_file(pid, "cmdline", s->args, PT_ARGS_MAX + 1);
	s->process.args = s->args;
	s->process.args_len = len > 0 ? (size_t)len : 0;
	return 0;
}

void proc_snapshot_free(struct proc_snapshot *s)
{
	free(s->args);
	s->args = NULL;
}

/* Redacts the snapshot's argv as an exec record's is (proc_prepare): 0, or -1 out of memory. */
static int redact_snapshot(struct redactor *r, struct proc_snapshot *s)
{
	char *out;
	size_t len;

	if (!r || !s->process.args_len)
		return 0;
	if (!(out = malloc(REDACTED_SIZE(s->process.args_len))))
		return -1;
	s->process.redacted_words =
		(unsigned)redact_argv(r, s->args, s->process.args_len, false, out, &len);
	if (!s->process.redacted_words) {
		free(out);
		return 0;
	}
	free(s->args);
	s->process.args = s->args = out;
	s->process.args_len = len;
	return 0;
}

int proc_snapshot_take(uint32_t pid, uint64_t seen_ns, struct redactor *r, struct proc_snapshot *s)
{
	/* Gone from /proc already (it exits while its records wait in the ring): known by its
	 * pid alone, from when it was seen, until its exit record. */
	if (proc_snapshot_read(pid, s)) {
		proc_snapshot_free(s);
		s->process = (struct attached_process){.pid = pid, .start_ns = seen_ns};
	}
	return redact_snapshot(r, s);
}
