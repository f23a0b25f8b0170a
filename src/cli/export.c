/* pipetrace export DIR --format html|perfetto|chrome -o FILE (docs/export.md) */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/export.h"
#include "cli/cli.h"

enum export_format { FORMAT_HTML, FORMAT_PERFETTO, FORMAT_CHROME };

static const char *const formats[] = {
	[FORMAT_HTML] = "html", [FORMAT_PERFETTO] = "perfetto", [FORMAT_CHROME] = "chrome",
};

static int (*const writers[])(FILE *, const struct timeline *) = {
	[FORMAT_HTML] = export_html,
	[FORMAT_PERFETTO] = export_perfetto,
	[FORMAT_CHROME] = export_chrome,
};

struct export_settings {
	int format; /* enum export_format, -1 until given */
	const char *output, *run_id;
};

#define SETTING(field) .offset = offsetof(struct export_settings, field)

static const struct cli_option export_table[] = {
	{"format", 'f', "FORMAT", "'html': one self-contained page (no network needed) with a Gantt\n"
	 "of every execution along the process tree, the critical path,\n"
	 "failures, and the CPU cores in use over time;\n"
	 "'perfetto': a Perfetto trace (protobuf; open it in\n"
	 "https://ui.perfetto.dev); 'chrome': the JSON Trace Event Format\n"
	 "(chrome://tracing, speedscope, Perfetto)", cli_choice, SETTING(format),
	 CLI_CHOICES(formats)},
	{"output", 'o', "FILE", "the file to write (replaced only once it is complete)", cli_text,
	 SETTING(output)},
	{"run", 0, "RUN_ID", "the run to draw when DIR holds several (a merged dataset)", cli_text,
	 SETTING(run_id)},
};

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

static int export_command(int argc, char **argv)
{
	struct export_settings s = {.format = -1};
	struct cli_operands dir;
	int status = cli_parse(&export_cli, argc, argv, &s, &dir);

	if (status != CLI_GO_ON)
		return status;
	if (s.format < 0)
		return cli_usage_error(&export_cli, "no format given: --format html, perfetto or chrome");
	if (!s.output)
		return cli_usage_error(&export_cli, "no output file given (-o FILE)");
	struct timeline t;
	char err[1024];
	if (timeline_load(dir.argv[0], s.run_id, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "pipetrace export: %s; expected a dataset folder written by "
				"'pipetrace run -o DIR'\n", err);
		return EXIT_FAILURE_OTHER;
	}
	status = write_file(s.output, (enum export_format)s.format, &t);
	timeline_free(&t);
	return status;
}

static const char export_description[] =
	"Draw a run recorded by pipetrace ({recorders}) on a timeline, for a browser or a\n"
	"trace viewer.\n";

static const char export_epilogue[] =
	"Exit status: 0 success, 1 the dataset could not be read or FILE not written,\n"
	"2 usage error. What each format shows and how to open it: docs/export.md\n";

const struct cli_command export_cli = {
	.name = "export",
	.synopsis = "DIR --format FORMAT -o FILE",
	.summary = "draw a run on a timeline: an offline HTML page, a\n"
		   "Perfetto trace or a Chrome trace (JSON)",
	.description = export_description,
	.epilogue = export_epilogue,
	CLI_OPTIONS(export_table),
	.min_operands = 1,
	.max_operands = 1,
	.operands_error = "one dataset folder is needed",
	.main = export_command,
};
