/* Whether this machine can trace at all, asked before any probe is loaded. */
#include "cli/preflight.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool has_bpf_privilege(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			caps = strtoull(line + 7, NULL, 16);
	if (f)
		fclose(f);
	/* CAP_BPF (39) with CAP_PERFMON (38), or CAP_SYS_ADMIN (21). */
	return (caps >> 39 & 1 && caps >> 38 & 1) || caps >> 21 & 1;
}

const char *tracing_unavailable(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return "this kernel has no BTF (/sys/kernel/btf/vmlinux); use a kernel built with "
		       "CONFIG_DEBUG_INFO_BTF=y";
	if (!has_bpf_privilege())
		return "loading BPF probes needs root or CAP_BPF and CAP_PERFMON; run it with sudo";
	return NULL;
}
