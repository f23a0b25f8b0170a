/* pipetrace attach: trace a running process and its descendants until it exits. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/monitor.h"
#include "probes/proc_snapshot.h"

static const char attach_usage[] =
	"Usage: pipetrace attach [OPTIONS] --pid PID\n"
	"Trace PID, a process already running, and all its descendants with eBPF: those running\n"
	"now (found in /proc; their rows say attached: seen from the middle, start time from\n"
	"/proc, counters over their whole life) and every one started from now on, until PID\n"
	"exits or pipetrace gets SIGINT, SIGTERM, SIGHUP or SIGQUIT; then write the dataset and\n"
	"print a summary to stderr. PID is not pipetrace's child: it is neither signalled nor\n"
	"waited for. One line on stderr says when the probes are attached.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID          the process to trace (required)\n"
	"  -o, --output DIR       dataset folder, replacing any tables in it\n"
	"                         (default: pipetrace-RUN_ID)\n"
	"      --run-id ID        the run's id (default: UTC time and a random suffix)\n"
	"      --partition        write to ROOT/host=HOST/date=YYYY-MM-DD/run=RUN_ID, ROOT being\n"
	"                         -o's folder (default: the current one); see docs/fleet.md\n"
	"      --probes LIST      comma-separated probe modules to add to proc: cpu (on by\n"
	"                         default), files, net (see 'pipetrace probes')\n"
	"      --max-args BYTES   argv bytes kept per exec, 4K to 1M (default 64K; suffix K or M)\n"
	"      --interval DURATION  cpu probe's sampling period, 10ms to 1h (default 1s)\n"
	"      --wait-all         once PID has exited, go on until its descendants have too\n"
	"  -q, --quiet            no summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"runs.parquet's command is PID's command line, its exit_code and signal PID's when it\n"
	"exited while traced. Exit status: 0 the dataset was written; 1 tracing or writing\n"
	"failed, or PID is not running; 2 usage error.\n";

enum { OPT_WAIT_ALL = TRACE_OPT_END };

/* Fills m from argv (argv[0] is "attach"). 0, or the exit status after a message. */
static int attach_options(int argc, char **argv, struct monitor *m)
{
	static const struct option longopts[] = {
		TRACE_LONG_OPTIONS,
		{"pid", required_argument, NULL, 'p'},
		{"wait-all", no_argument, NULL, OPT_WAIT_ALL},
		{0},
	};
	char *end;
	unsigned long pid = 0;
	int c, rc;

	trace_options_init(&m->opt);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, TRACE_SHORT_OPTIONS "p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pid = strtoul(optarg, &end, 10);
			if (*end || end == optarg || !pid || pid > INT32_MAX)
				return trace_option_error("attach", "--pid takes a process id, not '%s'",
							  optarg), EXIT_USAGE;
			break;
		case OPT_WAIT_ALL: m->opt.wait_all = true; break;
		default:
			rc = trace_option("attach", c, argv, &m->opt, attach_usage);
			if (rc > 0)
				trace_option_error("attach", "unknown option '%s'", argv[optind - 1]);
			if (rc)
				return m->opt.help ? -1 : EXIT_USAGE;
		}
	}
	if (optind < argc)
		return trace_option_error("attach", "unexpected argument '%s'", argv[optind]),
		       EXIT_USAGE;
	if (!pid)
		return trace_option_error("attach", "no process given%s; usage: pipetrace attach "
					  "[OPTIONS] --pid PID", ""), EXIT_USAGE;
	if (trace_options_check("attach", &m->opt))
		return EXIT_USAGE;
	m->selection.root = (uint32_t)pid;
	m->target.wait_all = m->opt.wait_all;
	return 0;
}

/* PID's command line as a list, for runs.parquet; NULL when it has none (a kernel thread) or
 * out of memory. */
static char **command_of(const struct proc_snapshot *s, size_t *count)
{
	const char *args = s->process.args;
	size_t len = s->process.args_len, n = 0;
	char **words = calloc(len / 2 + 2, sizeof(*words));

	for (size_t at = 0; words && at < len; at += strlen(args + at) + 1)
		words[n++] = (char *)args + at;
	*count = n;
	return words;
}

static void started(struct monitor *m, long adopted)
{
	fprintf(stderr, "pipetrace attach: tracing %u and its descendants (%ld processes running "
			"adopted) until it exits, or SIGINT or SIGTERM\n",
		m->selection.root, adopted);
}

int attach_command(int argc, char **argv)
{
	struct monitor m = {.command = "attach", .started = started};
	struct proc_snapshot root = {0};
	sigset_t signals;
	int rc;

	monitor_block_signals(&signals);
	rc = attach_options(argc, argv, &m);
	if (rc)
		return rc < 0 ? 0 : rc;
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
		snprintf(m.names.cwd, sizeof(m.names.cwd), "%s", root.process.cwd);
	m.run_command = command_of(&root, &m.run_command_count);
	m.settings = trace_probe_settings(&m.opt);
	rc = m.run_command ? monitor_run(&m, &signals) : EXIT_FAILURE_OTHER;
	free((void *)m.run_command);
	proc_snapshot_free(&root);
	close(m.target.pidfd);
	return rc;
}
