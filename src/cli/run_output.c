/* pipetrace run: the output folder, from its journal's first record to the finished dataset
 * (docs/dataset.md "Durability"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_output.h"
#include "trace/replay.h"
#include "trace/run_record.h"

static void describe_options(const struct run_state *s, char *buf, size_t size)
{
	snprintf(buf, size, "{\"max_args\":%u,\"interval_ns\":%llu,\"wait_all\":%s,\"user\":%s%s%s}",
		 s->opt.max_args, (unsigned long long)s->opt.interval_ns,
		 s->opt.wait_all ? "true" : "false", s->user.switch_user ? "\"" : "",
		 s->user.switch_user ? s->user.name : "null", s->user.switch_user ? "\"" : "");
}

/* The run as runs.parquet states it, what is known before CMD starts. */
void run_describe(const struct run_state *s, const char **probe_names, char *options,
			 size_t options_size, struct run_info *run)
{
	describe_options(s, options, options_size);
	*run = (struct run_info){
		.run_id = s->run_id,
		.command = s->opt.command,
		.command_count = s->opt.command_count,
		.cwd = s->cwd,
		.start_ns = s->start_realtime_ns,
		.exit_code = -1,
		.signal = -1,
		.probes = probe_names,
		.probe_count = run_options_probe_names(&s->opt, probe_names, PROBE_MODULES_MAX),
		.options = options,
	};
}

/* The journal's first records: the run's description, then CMD as the tree's root. */
int run_journal_start(struct run_state *s, struct tracer *t, const struct run_info *run,
			 pid_t pid)
{
	struct run_settings settings = {s->realtime_offset, s->opt.interval_ns, s->opt.max_args};
	size_t size;
	struct pt_jrec_run *rec = run_record_encode(run, &settings, &size);
	int rc = rec ? tracer_journal(t, rec, size) : -1;

	free(rec);
	return rc || tracer_seed(t, (uint32_t)pid,
				 (uint64_t)((int64_t)s->start_realtime_ns - s->realtime_offset),
				 s->cwd);
}

/* Tracing stopped mid-run (CMD ran on): the dataset is rebuilt from what the journal holds,
 * or, when that fails too (a full disk), the journal is left for pipetrace recover. */
void run_salvage(const struct run_state *s, const char *why)
{
	struct replay_result res;
	char err[512];

	if (replay_journal(s->output, s->output, false, &res, err, sizeof(err)))
		fprintf(stderr, "pipetrace: tracing stopped: %s; CMD ran on untraced; what was "
			"recorded before is kept: run 'pipetrace recover %s' once that is fixed\n",
			why, s->output);
	else
		fprintf(stderr, "pipetrace: tracing stopped: %s; CMD ran on untraced; %s holds what "
			"was recorded before (status '%s')\n", why, s->output, res.status);
}

/* The run ended: its last record, then the dataset; the journal goes once the dataset is
 * whole. */
int run_finish_dataset(struct run_state *s, struct tracer *t, struct journal *j,
			  struct dataset *d, struct run_info *run, int cmd_status)
{
	struct pt_jrec_end end = {
		.hdr = {.type = PT_JREC_END, .size = sizeof(end),
			.ts = (uint64_t)((int64_t)run->end_ns - s->realtime_offset)},
		.cmd_status = cmd_status,
		.lost = run->lost_events,
		.monitor_cpu_ns = run->monitor_cpu_ns,
	};
	char err[512];

	snprintf(end.status, sizeof(end.status), "%s", run->status);
	/* Its failure changes nothing: the dataset below replaces the journal. */
	if (!tracer_journal(t, &end, sizeof(end)))
		journal_flush(j);
	if (dataset_finish(d, run, err, sizeof(err))) {
		journal_close(j);
		fprintf(stderr, "pipetrace: cannot write the dataset to %s: %s; run 'pipetrace "
			"recover %s' once that is fixed\n", s->output, err, s->output);
		return -1;
	}
	if (journal_remove(j, err, sizeof(err)))
		fprintf(stderr, "pipetrace: %s\n", err);
	return 0;
}

/* Tables gone, tables that failed to open or probes that failed to load: what was made
 * before CMD started is undone (the journal with it), and runs.parquet says so. */
void run_undo_start(const struct run_state *s, struct journal *j, struct dataset *d)
{
	char err[256];

	if (d)
		dataset_finish(d, &(struct run_info){.run_id = s->run_id, .status = "failed",
						     .options = "{}", .exit_code = -1, .signal = -1},
			       err, sizeof(err));
	if (j)
		journal_remove(j, err, sizeof(err));
}

void run_give_dataset(const struct run_state *s)
{
	const char *tables[PROBE_DATASET_TABLES_MAX];

	dataset_give(s->output, tables, probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX),
		     s->user.uid, s->user.gid);
}

/* The output folder, its journal (locked: refused when another run writes there) and its
 * tables, in that order: no table of a live run is replaced. */
struct dataset *run_open_output(const struct run_state *s, struct journal **j, char *err,
				   size_t err_size)
{
	const char *tables[PROBE_DATASET_TABLES_MAX];
	size_t count = probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX);
	struct dataset *d;

	*j = NULL;
	if (dataset_make_dir(s->output, s->user.switch_user ? s->user.uid : (uid_t)-1,
			     s->user.gid)) {
		snprintf(err, err_size, "cannot create output folder %s: %s", s->output,
			 strerror(errno));
		return NULL;
	}
	*j = journal_create(s->output, s->opt.sync, err, err_size);
	d = *j ? dataset_create(s->output, s->run_id, s->realtime_offset, tables, count, err,
				err_size)
	       : NULL;
	if (*j && !d) {
		journal_remove(*j, err + strlen(err), 0);
		*j = NULL;
	}
	return d;
}
