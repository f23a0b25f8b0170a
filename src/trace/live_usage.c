#include "trace/live_usage.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static FILE *open_proc(uint32_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	return fopen(path, "r");
}

/* Each "key: value" line of a /proc file whose key is wanted fills its slot. */
static void read_keyed(uint32_t pid, const char *name, const char *const *keys, u64 **slots,
		       size_t count)
{
	FILE *f = open_proc(pid, name);
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < count; i++) {
			size_t len = strlen(keys[i]);

			if (!strncmp(line, keys[i], len) && line[len] == ':')
				sscanf(line + len + 1, "%llu", slots[i]);
		}
	}
	fclose(f);
}

void live_usage(void *ctx, uint32_t pid, struct pt_proc_usage *u)
{
	unsigned long min_flt, maj_flt, utime, stime;
	long ticks = sysconf(_SC_CLK_TCK);
	char buf[1024], *after_comm;
	FILE *f = open_proc(pid, "stat");

	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
		/* Fields after the parenthesised comm: state ppid pgrp session tty tpgid flags
		 * minflt cminflt majflt cmajflt utime stime. */
		after_comm = strrchr(buf, ')');
		if (after_comm && ticks > 0 &&
		    sscanf(after_comm + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %*u %lu %*u %lu %lu",
			   &min_flt, &maj_flt, &utime, &stime) == 4) {
			u->min_flt = min_flt;
			u->maj_flt = maj_flt;
			u->utime_ns = utime * (1000000000ul / (unsigned long)ticks);
			u->stime_ns = stime * (1000000000ul / (unsigned long)ticks);
			u->cpu_ns = u->utime_ns + u->stime_ns;
		}
	}
	read_keyed(pid, "io", (const char *const[]){"read_bytes", "write_bytes"},
		   (u64 *[]){&u->read_bytes, &u->write_bytes}, 2);
	read_keyed(pid, "status",
		   (const char *const[]){"VmHWM", "voluntary_ctxt_switches",
					 "nonvoluntary_ctxt_switches"},
		   (u64 *[]){&u->maxrss_kb, &u->nvcsw, &u->nivcsw}, 3);
}
