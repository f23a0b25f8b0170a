/* pipetrace run: the output folder, from its journal's first record to the finished dataset
 * (docs/dataset.md "Durability"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_output.h"
#include "redact/redact.h"
#include "trace/replay.h"
#include "trace/run_record.h"

int run_open_output(struct run_state *s, char *err, size_t err_size)
{
	const char *tables[PROBE_DATASET_TABLES_MAX];
	size_t count = probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX);

	if (dataset_make_dir(s->output, s->user.switch_user ? s->user.uid : (uid_t)-1,
			     s->user.gid)) {
		snprintf(err, err_size, "cannot create output folder %s: %s", s->output,
			 strerror(errno));
		return -1;
	}
	s->journal = journal_create(s->output, s->opt.sync, err, err_size);
	if (!s->journal)
		return -1;
	s->sink.dataset = dataset_create(s->output, s->run_id, s->realtime_offset, tables, count,
					 err, err_size);
	return s->sink.dataset ? 0 : -1;
}

void run_undo_start(struct run_state *s)
{
	char err[256];

	if (s->sink.dataset)
		dataset_finish(s->sink.dataset,
			       &(struct run_info){.run_id = s->run_id, .status = "failed",
						  .options = "{}", .exit_code = -1, .signal = -1},
			       err, sizeof(err));
	s->sink.dataset = NULL;
	if (s->journal)
		journal_remove(s->journal, err, sizeof(err));
	s->journal = NULL;
}

/* The patterns themselves are left out: one may spell a secret out. */
static void describe_options(const struct run_state *s, char *buf, size_t size)
{
	snprintf(buf, size,
		 "{\"max_args\":%u,\"interval_ns\":%llu,\"wait_all\":%s,\"sync\":%s,\"user\":%s%s%s,"
		 "\"redact\":%s,\"redact_patterns\":%zu}",
		 s->opt.max_args, (unsigned long long)s->opt.interval_ns,
		 s->opt.wait_all ? "true" : "false", s->opt.sync ? "true" : "false",
		 s->user.switch_user ? "\"" : "", s->user.switch_user ? s->user.name : "null",
		 s->user.switch_user ? "\"" : "", s->redactor ? "true" : "false",
		 s->redactor ? s->opt.redact.count : 0);
}

int run_journal_start(struct run_state *s)
{
	struct run_settings settings = {s->realtime_offset, s->opt.interval_ns, s->opt.max_args,
					s->redactor != NULL};
	struct pt_jrec_run *rec;
	size_t size, redacted_words;
	char **redacted;
	int rc;

	/* The probes' tables are open by now: what a killed run leaves is the user's too, for
	 * `pipetrace recover` run as them. */
	if (s->user.switch_user) {
		(void)!journal_give(s->journal, s->user.uid, s->user.gid);
		run_give_dataset(s);
	}
	describe_options(s, s->options_json, sizeof(s->options_json));
	/* runs.command: CMD redacted as its argv is, then escaped. */
	redacted = redact_words(s->redactor, s->opt.command, s->opt.command_count, &redacted_words);
	rc = !redacted || argv_from_words(&s->command, redacted, s->opt.command_count) ? -1 : 0;
	free(redacted);
	if (rc)
		return -1;
	s->run = (struct run_info){
		.run_id = s->run_id,
		.command = s->command.items,
		.command_count = s->command.count,
		.cwd = s->cwd,
		.start_ns = s->start_realtime_ns,
		.exit_code = -1,
		.signal = -1,
		.probes = s->probe_names,
		.probe_count = run_options_probe_names(&s->opt, s->probe_names, PROBE_MODULES_MAX),
		.options = s->options_json,
	};
	rec = run_record_encode(&s->run, &settings, &size);
	rc = rec ? tracer_journal(s->tracer, rec, size) : -1;
	free(rec);
	return rc ||
	       tracer_seed(s->tracer, (uint32_t)s->child.pid,
			   (uint64_t)((int64_t)s->start_realtime_ns - s->realtime_offset), s->cwd) ||
	       journal_flush(s->journal);
}

void run_salvage(struct run_state *s, const char *why)
{
	struct replay_result res;
	char err[512];

	dataset_abandon(s->sink.dataset);
	s->sink.dataset = NULL;
	journal_close(s->journal);
	s->journal = NULL;
	if (replay_journal(s->output, s->output, false, &res, err, sizeof(err)))
		fprintf(stderr, "pipetrace: tracing stopped: %s; CMD ran on untraced; what was "
			"recorded before is kept: run 'pipetrace recover %s' once that is fixed\n",
			why, s->output);
	else
		fprintf(stderr, "pipetrace: tracing stopped: %s; CMD ran on untraced; %s holds what "
			"was recorded before (status '%s')\n", why, s->output, res.status);
}

int run_finish_dataset(struct run_state *s, int cmd_status)
{
	struct pt_jrec_end end = {
		.hdr = {.type = PT_JREC_END, .size = sizeof(end),
			.ts = (uint64_t)((int64_t)s->run.end_ns - s->realtime_offset)},
		.cmd_status = cmd_status,
		.monitor_cpu_ns = s->run.monitor_cpu_ns,
	};
	char err[512];
	int rc;

	memcpy(end.lost, s->run.lost, sizeof(end.lost));
	snprintf(end.status, sizeof(end.status), "%s", s->run.status);
	/* Its failure changes nothing: the dataset below replaces the journal. */
	if (!tracer_journal(s->tracer, &end, sizeof(end)))
		journal_flush(s->journal);
	rc = dataset_finish(s->sink.dataset, &s->run, err, sizeof(err));
	s->sink.dataset = NULL;
	if (rc) {
		journal_close(s->journal);
		fprintf(stderr, "pipetrace: cannot write the dataset to %s: %s; run 'pipetrace "
			"recover %s' once that is fixed\n", s->output, err, s->output);
	} else if (journal_remove(s->journal, err, sizeof(err))) {
		fprintf(stderr, "pipetrace: %s\n", err);
	}
	s->journal = NULL;
	return rc;
}

void run_give_dataset(const struct run_state *s)
{
	const char *tables[PROBE_DATASET_TABLES_MAX];

	dataset_give(s->output, tables, probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX),
		     s->user.uid, s->user.gid);
}
