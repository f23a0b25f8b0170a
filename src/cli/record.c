/* pipetrace record: a monitor of a cgroup's processes, of some command names, or of all, until
 * SIGINT or SIGTERM, into one dataset or a series of them (--rotate). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bpf/proc.h"
#include "cli/cli.h"
#include "cli/monitor.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

static const char record_usage[] =
	"Usage: pipetrace record [OPTIONS] (--cgroup PATH | --comm NAME... | --all)\n"
	"Trace, until SIGINT or SIGTERM (or SIGHUP, SIGQUIT), the processes the filter chooses,\n"
	"and all their descendants, with eBPF; then write the dataset and print a summary to\n"
	"stderr. The filter runs in the kernel, at every fork and exec; processes it chooses that\n"
	"are running already are found in /proc (their rows say attached). One line on stderr\n"
	"says when the probes are attached (a script can wait for it), one when recording stops.\n"
	"\n"
	"Filter (exactly one):\n"
	"      --cgroup PATH      processes in the cgroup v2 folder PATH or below it, including\n"
	"                         those moved there later (PATH absolute, or relative to the\n"
	"                         cgroup2 mount: /sys/fs/cgroup, /sys/fs/cgroup/unified)\n"
	"      --comm NAME        processes whose command name (comm, 15 characters) is NAME;\n"
	"                         repeatable, or NAME,NAME... (at most 64)\n"
	"      --all              every process of the machine (kernel threads excepted)\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR       dataset folder, replacing any tables in it (default:\n"
	"                         pipetrace-RUN_ID); with --rotate, the folder of the datasets\n"
	"      --rotate DURATION  every DURATION (1s to 24h; units ms, s, m, h), close the\n"
	"                         dataset and start the next, RUN_ID-0001, RUN_ID-0002...; each\n"
	"                         execution is in the dataset open when it ended\n"
	"      --run-id ID        the run's id (default: UTC time and a random suffix)\n"
	"      --partition        write to ROOT/host=HOST/date=YYYY-MM-DD/run=RUN_ID, ROOT being\n"
	"                         -o's folder (default: the current one); see docs/fleet.md\n"
	"      --probes LIST      comma-separated probe modules to add to proc: cpu (on by\n"
	"                         default), files, net (see 'pipetrace probes')\n"
	"      --max-args BYTES   argv bytes kept per exec, 4K to 1M (default 64K; suffix K or M)\n"
	"      --interval DURATION  cpu probe's sampling period, 10ms to 1h (default 1s)\n"
	"  -q, --quiet            no summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 the datasets were written; 1 tracing or writing failed, or the cgroup\n"
	"is not there; 2 usage error.\n";

enum { OPT_CGROUP = TRACE_OPT_END, OPT_COMM, OPT_ALL, OPT_ROTATE };

struct recorder {
	struct monitor monitor; /* first: the monitor's callbacks get it */
	const char *cgroup_arg;
	char cgroup_dir[PATH_MAX], cgroup_mount[PATH_MAX];
	char *comms[PT_FILTER_COMMS_MAX];
	size_t comm_count;
	uint64_t rotate_ns, next_rotate_ns;
	unsigned segment;       /* of the dataset being written, from 1 with --rotate */
	char base_id[96], rotate_root[PATH_MAX];
};

static int record_error(const char *fmt, const char *value)
{
	trace_option_error("record", fmt, value);
	return EXIT_USAGE;
}

static int add_comms(struct recorder *r, char *list)
{
	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		if (r->comm_count == PT_FILTER_COMMS_MAX)
			return record_error("--comm takes at most 64 names%s", "");
		r->comms[r->comm_count++] = name;
	}
	return 0;
}

/* Fills r from argv (argv[0] is "record"). 0, -1 after --help, or the exit status. */
static int record_options(int argc, char **argv, struct recorder *r)
{
	static const struct option longopts[] = {
		TRACE_LONG_OPTIONS,
		{"cgroup", required_argument, NULL, OPT_CGROUP},
		{"comm", required_argument, NULL, OPT_COMM},
		{"all", no_argument, NULL, OPT_ALL},
		{"rotate", required_argument, NULL, OPT_ROTATE},
		{0},
	};
	struct monitor *m = &r->monitor;
	int c, rc, filters = 0;
	bool all = false;

	trace_options_init(&m->opt);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, TRACE_SHORT_OPTIONS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CGROUP: r->cgroup_arg = optarg; break;
		case OPT_ALL: all = true; break;
		case OPT_COMM:
			if (add_comms(r, optarg))
				return EXIT_USAGE;
			break;
		case OPT_ROTATE:
			if (parse_duration(optarg, 1000000000, 86400000000000, &r->rotate_ns))
				return record_error("--rotate takes 1s to 24h (e.g. 30s, 1h), not '%s'",
						    optarg);
			break;
		default:
			rc = trace_option("record", c, argv, &m->opt, record_usage);
			if (rc > 0)
				trace_option_error("record", "unknown option '%s'", argv[optind - 1]);
			if (rc)
				return m->opt.help ? -1 : EXIT_USAGE;
		}
	}
	if (optind < argc)
		return record_error("unexpected argument '%s'", argv[optind]);
	filters = !!r->cgroup_arg + !!r->comm_count + all;
	if (filters != 1)
		return record_error("%s; usage: pipetrace record [OPTIONS] (--cgroup PATH | --comm "
				    "NAME... | --all)",
				    filters ? "give only one filter" : "no filter given");
	m->selection.filter = all ? PT_FILTER_ALL : r->cgroup_arg ? PT_FILTER_CGROUP : PT_FILTER_COMM;
	m->selection.comms = r->comms;
	m->selection.comm_count = r->comm_count;
	return trace_options_check("record", &m->opt) ? EXIT_USAGE : 0;
}

/* Where cgroup v2 is mounted (/proc/self/mountinfo), or -1. */
static int find_cgroup2_mount(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mount[PATH_MAX];
	int rc = -1;

	while (f && rc && fgets(line, sizeof(line), f)) {
		if (strstr(line, " - cgroup2 ") && sscanf(line, "%*s %*s %*s %*s %4095s", mount) == 1)
			rc = snprintf(out, size, "%s", mount) < (int)size ? 0 : -1;
	}
	if (f)
		fclose(f);
	return rc;
}

/* Resolves --cgroup to its folder and its path below the mount; opens it into settings. */
static int open_cgroup(struct recorder *r)
{
	char given[PATH_MAX * 2];
	struct statfs fs;
	size_t mount_len;
	int fd;

	if (find_cgroup2_mount(r->cgroup_mount, sizeof(r->cgroup_mount))) {
		fprintf(stderr, "pipetrace record: cgroup v2 is not mounted here; mount it (mount -t "
				"cgroup2 none /sys/fs/cgroup) or use --comm or --all\n");
		return -1;
	}
	snprintf(given, sizeof(given), "%s%s%s", r->cgroup_arg[0] == '/' ? "" : r->cgroup_mount,
		 r->cgroup_arg[0] == '/' ? "" : "/", r->cgroup_arg);
	mount_len = strlen(r->cgroup_mount);
	if (!realpath(given, r->cgroup_dir) || statfs(r->cgroup_dir, &fs) ||
	    fs.f_type != CGROUP2_SUPER_MAGIC || strncmp(r->cgroup_dir, r->cgroup_mount, mount_len)) {
		fprintf(stderr, "pipetrace record: no cgroup v2 folder %s (%s); give a folder under "
				"%s, the cgroup2 mount\n",
			given, errno && errno != EINVAL ? strerror(errno) : "not cgroup v2",
			r->cgroup_mount);
		return -1;
	}
	fd = open(r->cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pipetrace record: cannot open %s: %s\n", r->cgroup_dir,
			strerror(errno));
		return -1;
	}
	r->monitor.settings.filter_cgroup_fd = fd;
	r->monitor.selection.cgroup = r->cgroup_dir[mount_len] ? r->cgroup_dir + mount_len : "/";
	return 0;
}

/* The folder and run id of dataset number segment (--rotate). */
static void name_segment(struct recorder *r, unsigned segment, char *run_id, size_t id_size,
			 char *dir, size_t dir_size)
{
	snprintf(run_id, id_size, "%.80s-%04u", r->base_id, segment);
	if (r->monitor.opt.partition)
		trace_partition_dir(r->rotate_root, run_id, dir, dir_size);
	else
		snprintf(dir, dir_size, "%.3900s/%s", r->rotate_root, run_id);
}

static void started(struct monitor *m, long adopted)
{
	struct recorder *r = (struct recorder *)m;

	fprintf(stderr, "pipetrace record: recording into %s (%ld processes already running "
			"adopted); stop with SIGINT or SIGTERM\n",
		r->rotate_ns ? r->rotate_root : m->names.output, adopted);
	r->next_rotate_ns = monotonic_ns() + r->rotate_ns;
}

/* --rotate: the dataset open is closed and the next opened, between two drains. */
static int rotate(struct monitor *m, struct session *s, uint64_t now_ns)
{
	struct recorder *r = (struct recorder *)m;
	const char *probe_names[MAX_PROBES];
	char run_id[sizeof(m->names.run_id)], dir[PATH_MAX], options_json[512], err[512];
	struct run_info run;

	if (!r->rotate_ns || now_ns < r->next_rotate_ns)
		return 0;
	name_segment(r, r->segment + 1, run_id, sizeof(run_id), dir, sizeof(dir));
	monitor_run_info(m, s, now_ns, probe_names, options_json, sizeof(options_json), &run);
	if (session_rotate(s, &run, dir, run_id, err, sizeof(err))) {
		fprintf(stderr, "pipetrace record: cannot start the next dataset: %s\n", err);
		return -1;
	}
	r->segment++;
	memcpy(m->names.run_id, run_id, sizeof(run_id));
	snprintf(m->names.output, sizeof(m->names.output), "%s", dir);
	m->start_realtime_ns = (uint64_t)((int64_t)now_ns + m->names.realtime_offset);
	m->start_cpu_ns = trace_own_cpu_ns();
	r->next_rotate_ns += r->rotate_ns;
	return 0;
}

/* The run's names; with --rotate, those of its first dataset. */
static void name_record(struct recorder *r)
{
	struct monitor *m = &r->monitor;

	trace_name_run(&m->opt, &m->names);
	if (!r->rotate_ns)
		return;
	snprintf(r->base_id, sizeof(r->base_id), "%s", m->names.run_id);
	if (m->opt.partition || m->opt.output)
		snprintf(r->rotate_root, sizeof(r->rotate_root), "%s",
			 m->opt.output ? m->opt.output : ".");
	else
		snprintf(r->rotate_root, sizeof(r->rotate_root), "pipetrace-%s", r->base_id);
	r->segment = 1;
	name_segment(r, 1, m->names.run_id, sizeof(m->names.run_id), m->names.output,
		     sizeof(m->names.output));
}

int record_command(int argc, char **argv)
{
	static struct recorder r;
	struct monitor *m = &r.monitor;
	sigset_t signals;
	int rc;

	r = (struct recorder){.monitor = {.command = "record", .target = {.pidfd = -1},
					  .started = started, .turn = rotate}};
	monitor_block_signals(&signals);
	rc = record_options(argc, argv, &r);
	if (rc)
		return rc < 0 ? 0 : rc;
	m->settings = trace_probe_settings(&m->opt);
	m->settings.filter = m->selection.filter;
	m->settings.filter_comms = r.comms;
	m->settings.filter_comm_count = r.comm_count;
	if (r.cgroup_arg && open_cgroup(&r))
		return EXIT_FAILURE_OTHER;
	name_record(&r);
	m->run_command = argv;
	m->run_command_count = (size_t)argc;
	rc = monitor_run(m, &signals);
	fprintf(stderr, "pipetrace record: stopped; %u dataset%s written, the last in %s\n",
		r.segment ? r.segment : 1, r.segment > 1 ? "s" : "", m->names.output);
	if (m->settings.filter_cgroup_fd >= 0)
		close(m->settings.filter_cgroup_fd);
	return rc;
}
