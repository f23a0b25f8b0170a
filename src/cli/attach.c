/* pipetrace attach: trace a running process and its descendants until it exits. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/monitor.h"
#include "model/argv.h"
#include "probes/proc_snapshot.h"

/* attach's settings: run's shared options first (TRACE_OPTION_ROWS), then its own. */
struct attach_settings {
	struct run_options trace;
	size_t pid;
};

static const struct cli_option attach_table[] = {
	{"pid", 'p', "PID", "the process to trace (required)", cli_count,
	 .offset = offsetof(struct attach_settings, pid), .takes = "a process id", .min = 1,
	 .max = INT32_MAX},
	TRACE_OPTION_ROWS("dataset folder, replacing any tables in it\n"
			  "(default: pipetrace-RUN_ID)"),
	{"wait-all", 0, NULL, "once PID has exited, go on until its descendants have too", NULL,
	 .offset = offsetof(struct run_options, wait_all)},
	{"quiet", 'q', NULL, "no summary", NULL, .offset = offsetof(struct run_options, quiet)},
};

/* Fills m from argv (argv[0] is "attach"). Returns CLI_GO_ON, or the exit status. */
static int attach_options(int argc, char **argv, struct monitor *m)
{
	struct attach_settings s;
	struct cli_operands none;
	int status;

	trace_options_init(&s.trace);
	s.pid = 0;
	status = cli_parse(&attach_cli, argc, argv, &s, &none);
	if (status != CLI_GO_ON)
		return status;
	if (!s.pid)
		return cli_usage_error(&attach_cli, "no process given (--pid PID)");
	m->opt = s.trace;
	m->selection.root = (uint32_t)s.pid;
	m->target.wait_all = m->opt.wait_all;
	return trace_options_check(&attach_cli, &m->opt);
}

/* runs.parquet's command: PID's command line, redacted as an argv is. 0, or -1 out of
 * memory. */
static int run_command_of(const struct proc_snapshot *root, struct monitor *m)
{
	const char *args = root->process.args;
	size_t len = root->process.args_len, count = 0;
	char **words = calloc(len / 2 + 2, sizeof(*words));
	int rc;

	for (size_t at = 0; words && at < len; at += strlen(args + at) + 1)
		words[count++] = (char *)args + at;
	rc = words ? trace_command_words(m->redactor, words, count, &m->run_command) : -1;
	free(words);
	return rc;
}

static void started(struct monitor *m, long adopted)
{
	fprintf(stderr, "pipetrace attach: tracing %u and its descendants (%ld running processes "
			"adopted) until it exits, or SIGINT or SIGTERM\n",
		m->selection.root, adopted);
}

static int attach_command(int argc, char **argv)
{
	struct monitor m = {.command = "attach", .started = started};
	struct proc_snapshot root = {0};
	sigset_t signals;
	int rc;

	monitor_block_signals(&signals);
	rc = attach_options(argc, argv, &m);
	if (rc != CLI_GO_ON)
		return rc;
	/* Its pidfd says when it exits, though it is not pipetrace's child. */
	m.target.pidfd = (int)syscall(SYS_pidfd_open, (pid_t)m.selection.root, 0);
	if (m.target.pidfd < 0 || proc_snapshot_read(m.selection.root, &root)) {
		fprintf(stderr, "pipetrace attach: no process %u is running (%s); give the pid of a "
				"running process to --pid\n",
			m.selection.root, strerror(m.target.pidfd < 0 ? errno : ESRCH));
		proc_snapshot_free(&root);
		return EXIT_FAILURE_OTHER;
	}
	trace_name_run(&m.opt, &m.names);
	if (root.process.cwd)
		escape_bytes_to(m.names.cwd, root.process.cwd, strlen(root.process.cwd));
	rc = monitor_prepare(&m, &attach_cli);
	if (rc == CLI_GO_ON)
		rc = run_command_of(&root, &m) ? EXIT_FAILURE_OTHER : monitor_run(&m, &signals);
	monitor_release(&m);
	proc_snapshot_free(&root);
	close(m.target.pidfd);
	return rc;
}

static const char attach_description[] =
	"Trace PID, a process already running, and all its descendants with eBPF: those running\n"
	"now (found in /proc; their rows say attached: seen from the middle, start time from\n"
	"/proc, counters over their whole life) and every one started from now on, until PID\n"
	"exits or pipetrace gets SIGINT, SIGTERM, SIGHUP or SIGQUIT; then write the dataset and\n"
	"print a summary to stderr. PID is not pipetrace's child: it is neither signalled nor\n"
	"waited for. One line on stderr says when the probes are attached. What is recorded is\n"
	"journaled in DIR as it happens: if pipetrace is killed, 'pipetrace recover DIR' turns\n"
	"it into a dataset.\n";

static const char attach_epilogue[] =
	"runs.parquet's command is PID's command line, its exit_code and signal PID's when it\n"
	"exited while traced. Exit status: 0 the dataset was written; 1 tracing or writing\n"
	"failed (the dataset rebuilt from the journal, or the journal left for 'pipetrace\n"
	"recover DIR', as the line says), or PID is not running; 2 usage error.\n";

const struct cli_command attach_cli = {
	.name = "attach",
	.synopsis = "[OPTIONS] --pid PID",
	.summary = "trace a running process and its descendants until\nit exits",
	.description = attach_description,
	.epilogue = attach_epilogue,
	CLI_OPTIONS(attach_table),
	.operands_error = "no operand is taken (the process is --pid PID)",
	.records = true,
	.main = attach_command,
};
