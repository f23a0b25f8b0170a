/* pipetrace probes: the probe modules and whether this kernel can run each. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "probes/core_btf.h"
#include "probes/probe.h"

int probes_command(int argc, char **argv)
{
	bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	char relocation[PATH_MAX + 64];

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("Usage: pipetrace probes\nList the probe modules, what each records, whether it "
		     "is on by default, and whether this kernel supports it; then which kernel BTF the probes' "
		     "CO-RE relocations read.");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "pipetrace probes: unexpected argument '%s'; it takes none\n",
			argv[1]);
		return EXIT_USAGE;
	}
	printf("%-8s %-9s %-10s %s\n", "PROBE", "DEFAULT", "SUPPORTED", "RECORDS");
	for (size_t i = 0; i < probe_module_count; i++) {
		const struct probe_module *m = probe_modules[i];
		char why[128] = "no BTF";
		bool ok = btf && (!m->supported || m->supported(why, sizeof(why)));

		printf("%-8s %-9s %-10s %s%s%s%s\n", m->name,
		       m->always_on ? "always" : m->default_on ? "on" : "off", ok ? "yes" : "no",
		       m->description, ok ? "" : " (", ok ? "" : why, ok ? "" : ")");
	}
	core_btf_describe(relocation, sizeof(relocation));
	printf("\nCO-RE relocation reads %s.\n", relocation);
	return 0;
}
