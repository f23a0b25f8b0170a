/* pipetrace: where a pipeline's time, CPU and memory go, process by process. */
#include <stdio.h>
#include <string.h>

#include "analysis/diff.h"
#include "analysis/report.h"
#include "cli/cli.h"

static const char usage[] =
	"Usage: pipetrace COMMAND [OPTIONS]\n"
	"Trace a pipeline's processes with eBPF into a Parquet dataset.\n"
	"\n"
	"Commands:\n"
	"  run [OPTIONS] -- CMD [ARG...]   trace CMD and every descendant, write the dataset,\n"
	"                                  print a summary, exit with CMD's status\n"
	"  report DIR... [OPTIONS]         the summary report of recorded datasets\n"
	"  diff BASE_DIR NEW_DIR [OPTIONS] what got slower or faster, appeared or vanished\n"
	"                                  between two recorded datasets\n"
	"  merge DIR... -o DIR             merge datasets into one\n"
	"  export DIR --format FORMAT -o FILE\n"
	"                                  draw a run on a timeline: an offline HTML page, a\n"
	"                                  Perfetto trace or a Chrome trace (JSON)\n"
	"  probes                          list the probe modules and whether this kernel\n"
	"                                  supports each\n"
	"\n"
	"Run 'pipetrace COMMAND --help' for a command's options.\n"
	"  -h, --help       show this help\n"
	"  -V, --version    show the version\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("pipetrace %s\n", PIPETRACE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return run_command(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return report_command(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return diff_command(argc - 1, argv + 1);
	if (!strcmp(argv[1], "merge"))
		return merge_command(argc - 1, argv + 1);
	if (!strcmp(argv[1], "export"))
		return export_command(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probes"))
		return probes_command(argc - 1, argv + 1);
	fprintf(stderr, "pipetrace: unknown command '%s'; see 'pipetrace --help'\n", argv[1]);
	return EXIT_USAGE;
}
