/* pipetrace run: the output folder, from its journal's first record to the finished dataset
 * (docs/dataset.md "Durability"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_output.h"
#include "cli/tracing.h"
#include "redact/redact.h"
#include "trace/run_journal.h"

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

int run_journal_start(struct run_state *s)
{
	struct run_settings settings = {s->realtime_offset, s->opt.interval_ns, s->opt.max_args,
					s->redactor != NULL};
	size_t redacted_words;
	char **redacted;
	int rc;

	/* The probes' tables are open by now: what a killed run leaves is the user's too, for
	 * `pipetrace recover` run as them. */
	if (s->user.switch_user) {
		(void)!journal_give(s->journal, s->user.uid, s->user.gid);
		run_give_dataset(s);
	}
	trace_describe_options(&s->opt, s->user.switch_user ? s->user.name : NULL, s->redactor,
			       s->options_json, sizeof(s->options_json));
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
	return run_journal_begin(s->tracer, &s->run, &settings) ||
	       tracer_seed(s->tracer, (uint32_t)s->child.pid,
			   (uint64_t)((int64_t)s->start_realtime_ns - s->realtime_offset), s->cwd) ||
	       journal_flush(s->journal);
}

void run_salvage(struct run_state *s, const char *why)
{
	struct replay_result res;
	char err[512];

	if (run_journal_salvage(s->sink.dataset, s->journal, s->output, &res, err, sizeof(err)))
		fprintf(stderr, "pipetrace: tracing stopped: %s; CMD ran on untraced; what was "
			"recorded before is kept: run 'pipetrace recover %s' once that is fixed\n",
			why, s->output);
	else
		fprintf(stderr, "pipetrace: tracing stopped: %s; CMD ran on untraced; %s holds what "
			"was recorded before (status '%s')\n", why, s->output, res.status);
	s->sink.dataset = NULL;
	s->journal = NULL;
}

int run_finish_dataset(struct run_state *s, int cmd_status)
{
	char err[512];
	int rc;

	run_journal_end(s->tracer, s->journal, &s->run, s->realtime_offset, cmd_status);
	rc = run_journal_close(s->sink.dataset, s->journal, &s->run, err, sizeof(err));
	s->sink.dataset = NULL;
	s->journal = NULL;
	if (rc)
		fprintf(stderr, "pipetrace: cannot write the dataset to %s: %s; run 'pipetrace "
			"recover %s' once that is fixed\n", s->output, err, s->output);
	else if (err[0])
		fprintf(stderr, "pipetrace: %s\n", err);
	return rc;
}

void run_give_dataset(const struct run_state *s)
{
	const char *tables[PROBE_DATASET_TABLES_MAX];

	dataset_give(s->output, tables, probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX),
		     s->user.uid, s->user.gid);
}
