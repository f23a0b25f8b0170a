/* pipetrace probes: the probe modules and whether each works here. */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "probes/core_btf.h"
#include "probes/probe.h"

static int probes_command(int argc, char **argv)
{
	char relocation[PATH_MAX + 64], kernel_why[256];
	struct cli_operands none;
	int status = cli_parse(&probes_cli, argc, argv, NULL, &none);
	bool kernel_ok;

	if (status != CLI_GO_ON)
		return status;
	probe_quiet_libbpf();
	kernel_ok = probe_kernel_supported(kernel_why, sizeof(kernel_why));
	printf("%-8s %-9s %-10s %s\n", "PROBE", "DEFAULT", "SUPPORTED", "RECORDS");
	for (size_t i = 0; i < probe_module_count; i++) {
		const struct probe_module *m = probe_modules[i];
		char why[256] = "see below";
		bool ok = kernel_ok && m->supported(why, sizeof(why));

		printf("%-8s %-9s %-10s %s%s%s%s\n", m->name,
		       m->always_on ? "always" : m->default_on ? "on" : "off", ok ? "yes" : "no",
		       m->description, ok ? "" : " (", ok ? "" : why, ok ? "" : ")");
	}
	if (!kernel_ok)
		printf("\n%s.\n", kernel_why);
	core_btf_describe(relocation, sizeof(relocation));
	printf("\nCO-RE relocation reads %s.\n", relocation);
	return 0;
}

const struct cli_command probes_cli = {
	.name = "probes",
	.synopsis = "",
	.summary = "list the probe modules and whether each works\nhere",
	.description = "List the probe modules, what each records, whether it is on by default,\n"
		       "and whether it works here: its BPF programs are loaded once to find out\n"
		       "(so it needs the privileges run does); then which kernel BTF the probes'\n"
		       "CO-RE relocations read.\n",
	.operands_error = "it takes no arguments",
	.main = probes_command,
};
