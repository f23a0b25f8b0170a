/* pipetrace record: a monitor of a cgroup's processes, of some command names, or of all, until
 * SIGINT or SIGTERM, into one dataset or a series of them (--rotate). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
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

/* record's settings: run's shared options first (TRACE_OPTION_ROWS), then its own. */
struct record_settings {
	struct run_options trace;
	const char *cgroup;
	struct comm_names {
		char names[PT_FILTER_COMMS_MAX][PT_COMM_LEN];
		size_t count;
	} comms;
	bool all;
	uint64_t rotate_ns;
};

/* NAME or NAME,NAME... added to the names (each cut to the 15 characters of a comm). */
static int parse_comms(const struct cli_option *o, const char *list, void *field, char *why,
		       size_t why_size)
{
	struct comm_names *c = field;

	for (const char *name = list; *name; name += *name == ',') {
		size_t length = strcspn(name, ",");

		if (length && c->count == PT_FILTER_COMMS_MAX) {
			snprintf(why, why_size, "--comm takes at most %d names", PT_FILTER_COMMS_MAX);
			return -1;
		}
		if (length)
			snprintf(c->names[c->count++], PT_COMM_LEN, "%.*s", (int)length, name);
		name += length;
	}
	return 0;
}

static int parse_rotate(const struct cli_option *o, const char *text, void *out_ns, char *why,
			size_t why_size)
{
	return parse_duration(text, 1000000000, 86400000000000, out_ns);
}

#define SETTING(field) .offset = offsetof(struct record_settings, field)

static const struct cli_option record_table[] = {
	{"cgroup", 0, "PATH", "filter: processes in the cgroup v2 folder PATH or below it,\n"
	 "moved there later too (PATH absolute, or relative to the cgroup2\n"
	 "mount: /sys/fs/cgroup, /sys/fs/cgroup/unified)", cli_text, SETTING(cgroup)},
	{"comm", 0, "NAME", "filter: processes whose command name (comm, 15 characters) is\n"
	 "NAME; repeatable, or NAME,NAME... (at most 64)", parse_comms, SETTING(comms)},
	{"all", 0, NULL, "filter: every process of the machine (kernel threads excepted)", NULL,
	 SETTING(all)},
	{"rotate", 0, "DURATION", "every DURATION, close the dataset and start the next,\n"
	 "RUN_ID-0001, RUN_ID-0002...; each execution is in the dataset\n"
	 "open when it ended", parse_rotate, SETTING(rotate_ns),
	 .takes = "1s to 24h (e.g. 30s, 1h)"},
	TRACE_OPTION_ROWS("dataset folder, replacing any tables in it (default:\n"
			  "pipetrace-RUN_ID); with --rotate, the folder of the datasets"),
	{"quiet", 'q', NULL, "no summary", NULL, .offset = offsetof(struct run_options, quiet)},
};

struct recorder {
	struct monitor monitor; /* first: the monitor's callbacks get it */
	struct record_settings settings;
	char cgroup_dir[PATH_MAX], cgroup_mount[PATH_MAX];
	char *comms[PT_FILTER_COMMS_MAX];
	uint64_t next_rotate_ns;
	unsigned segment;       /* of the dataset being written, from 1 with --rotate */
	bool recording;         /* the probes were attached (the "recording" line is out) */
	char base_id[96], rotate_root[PATH_MAX];
};

/* Fills r from argv (argv[0] is "record"). Returns CLI_GO_ON, or the exit status. */
static int record_options(int argc, char **argv, struct recorder *r)
{
	struct record_settings *s = &r->settings;
	struct monitor *m = &r->monitor;
	struct cli_operands none;
	int filters, status;

	trace_options_init(&s->trace);
	status = cli_parse(&record_cli, argc, argv, s, &none);
	if (status != CLI_GO_ON)
		return status;
	filters = !!s->cgroup + !!s->comms.count + s->all;
	if (filters != 1)
		return cli_usage_error(&record_cli, "%s; usage: pipetrace record [OPTIONS] (--cgroup "
				       "PATH | --comm NAME... | --all)",
				       filters ? "give only one filter" : "no filter given");
	m->opt = s->trace;
	m->selection.filter = s->all ? PT_FILTER_ALL : s->cgroup ? PT_FILTER_CGROUP : PT_FILTER_COMM;
	for (size_t i = 0; i < s->comms.count; i++)
		r->comms[i] = s->comms.names[i];
	m->selection.comms = r->comms;
	m->selection.comm_count = s->comms.count;
	return trace_options_check(&record_cli, &m->opt);
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
	snprintf(given, sizeof(given), "%s%s%s", r->settings.cgroup[0] == '/' ? "" : r->cgroup_mount,
		 r->settings.cgroup[0] == '/' ? "" : "/", r->settings.cgroup);
	mount_len = strlen(r->cgroup_mount);
	errno = 0;
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

	fprintf(stderr, "pipetrace record: recording into %s (%ld running processes adopted); "
			"stop with SIGINT or SIGTERM\n",
		r->settings.rotate_ns ? r->rotate_root : m->names.output, adopted);
	r->next_rotate_ns = monotonic_ns() + r->settings.rotate_ns;
	r->recording = true;
}

/* --rotate: the dataset open is closed and the next opened, between two drains. */
static int rotate(struct monitor *m, struct session *s, uint64_t now_ns)
{
	struct recorder *r = (struct recorder *)m;
	const char *closing_probes[PROBE_MODULES_MAX], *opening_probes[PROBE_MODULES_MAX];
	char closing_id[sizeof(m->names.run_id)], closing_json[512], opening_json[512], err[512];
	struct run_settings settings = monitor_run_settings(m);
	struct run_info closing, opening;

	if (!r->settings.rotate_ns || now_ns < r->next_rotate_ns)
		return 0;
	monitor_run_info(m, s, now_ns, closing_probes, closing_json, sizeof(closing_json),
			 &closing);
	memcpy(closing_id, m->names.run_id, sizeof(closing_id));
	closing.run_id = closing_id;
	/* The names and start of the next dataset, which opening describes. */
	r->segment++;
	name_segment(r, r->segment, m->names.run_id, sizeof(m->names.run_id), m->names.output,
		     sizeof(m->names.output));
	m->start_realtime_ns = (uint64_t)((int64_t)now_ns + m->names.realtime_offset);
	m->start_cpu_ns = trace_own_cpu_ns();
	monitor_run_info(m, s, now_ns, opening_probes, opening_json, sizeof(opening_json),
			 &opening);
	if (session_rotate(s, &closing, m->names.output, &opening, &settings, err, sizeof(err))) {
		fprintf(stderr, "pipetrace record: cannot start the next dataset: %s\n", err);
		return -1;
	}
	r->next_rotate_ns += r->settings.rotate_ns;
	return 0;
}

/* The run's names; with --rotate, those of its first dataset. */
static void name_record(struct recorder *r)
{
	struct monitor *m = &r->monitor;

	trace_name_run(&m->opt, &m->names);
	if (!r->settings.rotate_ns)
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

static int record_command(int argc, char **argv)
{
	static struct recorder r;
	struct monitor *m = &r.monitor;
	sigset_t signals;
	int rc;

	r = (struct recorder){.monitor = {.command = "record", .target = {.pidfd = -1},
					  .started = started, .turn = rotate}};
	monitor_block_signals(&signals);
	rc = record_options(argc, argv, &r);
	if (rc != CLI_GO_ON)
		return rc;
	rc = monitor_prepare(m, &record_cli);
	if (rc != CLI_GO_ON)
		return rc;
	m->settings.filter = m->selection.filter;
	m->settings.filter_comms = r.comms;
	m->settings.filter_comm_count = r.settings.comms.count;
	if (r.settings.cgroup && open_cgroup(&r)) {
		monitor_release(m);
		return EXIT_FAILURE_OTHER;
	}
	name_record(&r);
	/* runs.parquet's command: record's own, redacted as an argv is. */
	rc = trace_command_words(m->redactor, argv, (size_t)argc, &m->run_command)
		     ? EXIT_FAILURE_OTHER
		     : monitor_run(m, &signals);
	if (r.recording && !rc)
		fprintf(stderr, "pipetrace record: stopped; %u dataset%s written, the last in %s\n",
			r.segment ? r.segment : 1, r.segment > 1 ? "s" : "", m->names.output);
	else if (r.recording) /* the line above said what the last dataset holds */
		fprintf(stderr, "pipetrace record: stopped after that failure; %u dataset%s before "
			"it complete\n", r.segment > 1 ? r.segment - 1 : 0, r.segment == 2 ? "" : "s");
	monitor_release(m);
	if (m->settings.filter_cgroup_fd >= 0)
		close(m->settings.filter_cgroup_fd);
	return rc;
}

static const char record_description[] =
	"Trace, until SIGINT or SIGTERM (or SIGHUP, SIGQUIT), the processes a filter chooses\n"
	"(exactly one of --cgroup, --comm, --all) and all their descendants, with eBPF; then\n"
	"write the dataset and print a summary to stderr. The filter runs in the kernel, at every\n"
	"fork and exec; processes it chooses that are running already are found in /proc (their\n"
	"rows say attached). One line on stderr says when the probes are attached (a script can\n"
	"wait for it), one when recording stops. What is recorded is journaled in each dataset's\n"
	"folder as it happens: if pipetrace is killed, 'pipetrace recover DIR' turns the last\n"
	"into a dataset (with --rotate, those before it are complete).\n";

static const char record_epilogue[] =
	"Exit status: 0 the datasets were written; 1 tracing or writing failed (the dataset\n"
	"rebuilt from the journal, or the journal left for 'pipetrace recover DIR', as the line\n"
	"says), or the cgroup is not there; 2 usage error.\n";

const struct cli_command record_cli = {
	.name = "record",
	.synopsis = "[OPTIONS] (--cgroup PATH | --comm NAME... | --all)",
	.summary = "trace the processes of a cgroup, of given command\n"
		   "names, or all, until SIGINT or SIGTERM",
	.description = record_description,
	.epilogue = record_epilogue,
	CLI_OPTIONS(record_table),
	.operands_error = "no operand is taken (the filter is an option)",
	.records = true,
	.main = record_command,
};
