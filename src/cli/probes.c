/* pipetrace probes: the probe modules and whether this kernel can run each. */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "probes/core_btf.h"
#include "probes/probe.h"

static int probes_command(int argc, char **argv)
{
	bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	char relocation[PATH_MAX + 64];
	struct cli_operands none;
	int status = cli_parse(&probes_cli, argc, argv, NULL, &none);

	if (status != CLI_GO_ON)
		return status;
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

const struct cli_command probes_cli = {
	.name = "probes",
	.synopsis = "",
	.summary = "list the probe modules and whether this kernel\nsupports each",
	.description = "List the probe modules, what each records, whether it is on by default,\n"
		       "and whether this kernel supports it; then which kernel BTF the probes'\n"
		       "CO-RE relocations read.\n",
	.operands_error = "it takes no arguments",
	.main = probes_command,
};
