/* pipetrace export DIR --format html|perfetto|chrome -o FILE (docs/export.md) */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/command_args.h"
#include "analysis/export.h"
#include "cli/cli.h"

static const char export_usage[] =
	"Usage: pipetrace export DIR --format FORMAT -o FILE\n"
	"Draw a run recorded by pipetrace on a timeline, for a browser or a trace viewer.\n"
	"\n"
	"  -f, --format FORMAT  'html': one self-contained page (no network needed) with a Gantt\n"
	"                       of every execution along the process tree, the critical path,\n"
	"                       failures, and the CPU cores in use over time;\n"
	"                       'perfetto': a Perfetto trace (protobuf; open it in\n"
	"                       https://ui.perfetto.dev); 'chrome': the JSON Trace Event Format\n"
	"                       (chrome://tracing, speedscope, Perfetto)\n"
	"  -o, --output FILE    the file to write (replaced only once it is complete)\n"
	"      --run RUN_ID     the run to draw when DIR holds several (a merged dataset)\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"Exit status: 0 success, 1 the dataset could not be read or FILE not written,\n"
	"2 usage error. What each format shows and how to open it: docs/export.md\n";

enum export_format { FORMAT_HTML, FORMAT_PERFETTO, FORMAT_CHROME };

static int (*const writers[])(FILE *, const struct timeline *) = {
	[FORMAT_HTML] = export_html,
	[FORMAT_PERFETTO] = export_perfetto,
	[FORMAT_CHROME] = export_chrome,
};

static int usage_error(const char *cause, const char *value)
{
	return args_usage_error("export", cause, value);
}

/* Writes the timeline into a temporary file beside path, then renames it to path, so that a
 * failure leaves no half-written FILE (and an older one intact). */
static int write_file(const char *path, enum export_format format, const struct timeline *t)
{
	size_t size = strlen(path) + sizeof(".partial-XXXXXX");
	char *temporary = malloc(size);
	if (!temporary) {
		fputs("pipetrace export: out of memory\n", stderr);
		return EXIT_FAILURE_OTHER;
	}
	snprintf(temporary, size, "%s.partial-XXXXXX", path);
	int fd = mkstemp(temporary);
	mode_t mask = umask(0);
	umask(mask);
	if (fd >= 0)
		fchmod(fd, 0666 & ~mask); /* as if created by open(2), not mkstemp's 0600 */
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	int written = out ? writers[format](out, t) : -1;
	int saved = errno;
	bool failed = !out || written != 0 || ferror(out);
	if (out && fclose(out) != 0 && !failed) {
		failed = true;
		saved = errno;
	} else if (!out && fd >= 0) {
		close(fd);
	}
	if (!failed && rename(temporary, path) != 0) {
		failed = true;
		saved = errno;
	}
	if (failed) {
		if (fd >= 0)
			unlink(temporary);
		fprintf(stderr, "pipetrace export: cannot write %s: %s; check the folder and the free "
				"space\n", path, written == -1 && out ? "out of memory" : strerror(saved));
	}
	free(temporary);
	return failed ? EXIT_FAILURE_OTHER : 0;
}

int export_command(int argc, char **argv)
{
	enum { OPT_RUN = 256 };
	static const struct option long_options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { [FORMAT_HTML] = "html",
					       [FORMAT_PERFETTO] = "perfetto",
					       [FORMAT_CHROME] = "chrome" };
	const char *output = NULL, *run_id = NULL;
	int format = -1, option;
	char bad[3];
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then starts afresh, whatever getopt parsed before */
	while ((option = getopt_long(argc, argv, ":hf:o:", long_options, NULL)) != -1) {
		switch (option) {
		case 'f':
			format = ARGS_CHOICE(optarg, formats);
			if (format < 0)
				return usage_error("--format takes html, perfetto or chrome, not", optarg);
			break;
		case 'o': output = optarg; break;
		case OPT_RUN: run_id = optarg; break;
		case 'h': fputs(export_usage, stdout); return 0;
		case ':': return usage_error("a value is missing after", argv[optind - 1]);
		default: return usage_error("unknown option", args_bad_option(argv, bad));
		}
	}
	if (optind >= argc)
		return usage_error("no dataset folder given (pipetrace export DIR --format FORMAT -o "
				   "FILE)", NULL);
	if (optind + 1 < argc)
		return usage_error("one dataset folder at a time, not also", argv[optind + 1]);
	if (format < 0)
		return usage_error("no format given: --format html, perfetto or chrome", NULL);
	if (!output)
		return usage_error("no output file given (-o FILE)", NULL);
	struct timeline t;
	char err[1024];
	if (timeline_load(argv[optind], run_id, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "pipetrace export: %s; expected a dataset folder written by "
				"'pipetrace run -o DIR'\n", err);
		return EXIT_FAILURE_OTHER;
	}
	int status = write_file(output, (enum export_format)format, &t);
	timeline_free(&t);
	return status;
}
