#include "trace/session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "trace/held_records.h"
#include "trace/live_usage.h"
#include "trace/run_journal.h"

/* Where finished executions go: their row, then the probes that follow them (the tracer is
 * set once started; nothing finishes before). */
static int execution_finished(void *ctx, const struct execution *e,
			      const struct execution_figures *f)
{
	struct session *s = ctx;

	s->finished_cpu_ns += f->cpu_ns;
	s->written++;
	if (e->pid == s->root_pid && e->exited) {
		s->root_exited = true;
		s->root_status = (int)e->exit_status;
	}
	return dataset_write_execution(s->dataset, e, f) |
	       (s->tracer ? tracer_execution_finished(s->tracer, e, f) : 0);
}

/* The folder, its journal (locked: refused when another run writes there) and its tables,
 * in that order, so that no table of a live run is replaced. */
static int open_output(struct session *s, const char *dir, const char *run_id, char *err,
		       size_t err_size)
{
	const char *tables[PROBE_DATASET_TABLES_MAX];
	size_t table_count = probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX);

	if (dataset_make_dir(dir, (uid_t)-1, (gid_t)-1)) {
		snprintf(err, err_size, "cannot create output folder %s: %s", dir, strerror(errno));
		return -1;
	}
	s->journal = journal_create(dir, s->sync, err, err_size);
	if (!s->journal)
		return -1;
	s->dataset = dataset_create(dir, run_id, s->realtime_offset, tables, table_count, err,
				    err_size);
	if (s->dataset)
		return 0;
	journal_remove(s->journal, (char[256]){0}, 256);
	s->journal = NULL;
	return -1;
}

int session_open(struct session *s, const char *dir, const char *run_id, const bool *enabled,
		 struct probe_settings settings, char *err, size_t err_size)
{
	if (open_output(s, dir, run_id, err, err_size))
		return SESSION_NO_DATASET;
	s->model = model_new((struct execution_sink){execution_finished, s});
	s->tracer = s->model ? tracer_open(enabled, settings, (struct probe_sink){s->model,
										s->dataset},
					   s->journal, err, err_size)
			     : NULL;
	if (s->tracer && !tracer_start(s->tracer, err, err_size))
		return 0;
	tracer_stop(s->tracer);
	s->tracer = NULL;
	if (!s->model)
		snprintf(err, err_size, "out of memory");
	model_free(s->model);
	s->model = NULL;
	session_abandon(s, run_id);
	return SESSION_NO_TRACER;
}

int session_begin(struct session *s, const struct run_info *run, const struct run_settings *rs)
{
	return run_journal_begin(s->tracer, run, rs) || journal_flush(s->journal) ? -1 : 0;
}

void session_abandon(struct session *s, const char *run_id)
{
	/* The folder says the run failed; the cause reported is the caller's. */
	char ignored[256];

	if (s->dataset)
		dataset_finish(s->dataset, &(struct run_info){.run_id = run_id, .status = "failed",
								.options = "{}", .exit_code = -1,
								.signal = -1},
			       ignored, sizeof(ignored));
	s->dataset = NULL;
	if (s->journal)
		journal_remove(s->journal, ignored, sizeof(ignored));
	s->journal = NULL;
}

void session_run_info(struct session *s, struct run_info *run, uint64_t end_ns, bool incomplete)
{
	uint64_t lost = 0;

	tracer_losses(s->tracer, run->lost);
	for (size_t i = 0; i < LOST_KINDS; i++)
		lost += run->lost[i] -= s->lost_before[i];
	run->end_ns = (uint64_t)((int64_t)end_ns + s->realtime_offset);
	run->processes = s->written;
	run->status = incomplete ? "incomplete" : lost ? "lost_events" : "complete";
	if (s->root_exited) {
		run->exit_code = WIFEXITED(s->root_status) ? WEXITSTATUS(s->root_status) : -1;
		run->signal = WIFSIGNALED(s->root_status) ? WTERMSIG(s->root_status) : -1;
	}
}

static int journal_carried(void *ctx, const struct execution *e)
{
	struct session *s = ctx;
	size_t size;
	struct pt_jrec_carry *rec = carry_record_encode(e, &size);
	int rc = rec ? tracer_journal(s->tracer, rec, size) : -1;

	free(rec);
	return rc;
}

/* The next dataset's journal: its run record, where the one before left off, and every
 * execution the model holds (each is written to the dataset open when it ends). */
static int continue_journal(struct session *s, const char *dir, const struct run_info *opening,
			    const struct run_settings *rs, char *err, size_t err_size)
{
	struct pt_jrec_continued continued = {
		.hdr = {.type = PT_JREC_CONTINUED, .size = sizeof(continued)},
		.next_exec_id = model_executions(s->model),
	};

	memcpy(continued.lost_before, s->lost_before, sizeof(continued.lost_before));
	if (dataset_make_dir(dir, (uid_t)-1, (gid_t)-1)) {
		snprintf(err, err_size, "cannot create output folder %s: %s", dir, strerror(errno));
		return -1;
	}
	s->journal = journal_create(dir, s->sync, err, err_size);
	tracer_set_journal(s->tracer, s->journal);
	if (!s->journal)
		return -1;
	if (run_journal_begin(s->tracer, opening, rs) ||
	    tracer_journal(s->tracer, &continued, sizeof(continued)) ||
	    model_for_each_held(s->model, journal_carried, s) || journal_flush(s->journal)) {
		snprintf(err, err_size, "%s", tracer_error(s->tracer) ? tracer_error(s->tracer)
								 : "out of memory");
		return -1;
	}
	return 0;
}

int session_rotate(struct session *s, const struct run_info *closing, const char *dir,
		   const struct run_info *opening, const struct run_settings *rs, char *err,
		   size_t err_size)
{
	struct pt_record_header rotated = {.type = PT_JREC_ROTATED, .size = sizeof(rotated)};
	struct journal *closed = s->journal;
	char ignored[256];

	for (size_t i = 0; i < LOST_KINDS; i++)
		s->lost_before[i] += closing->lost[i];
	s->written = 0;
	/* The closing journal's end says that what the model holds is carried on, not written
	 * there; the next journal holds it before the closing tables are finished, and the
	 * closing journal goes last: killed at any point, each folder recovers to its share. */
	tracer_journal(s->tracer, &rotated, sizeof(rotated));
	run_journal_end(s->tracer, closed, closing, s->realtime_offset, -1);
	if (continue_journal(s, dir, opening, rs, err, err_size) ||
	    dataset_rotate(s->dataset, closing, dir, opening->run_id, err, err_size)) {
		if (s->journal == closed) {
			s->journal = NULL;
			tracer_set_journal(s->tracer, NULL);
		}
		journal_close(closed);
		return -1;
	}
	if (journal_remove(closed, ignored, sizeof(ignored)))
		fprintf(stderr, "pipetrace record: %s\n", ignored);
	return 0;
}

int session_finish(struct session *s, struct run_info *run, uint64_t end_ns, bool incomplete,
		   char *err, size_t err_size)
{
	int rc;

	if (tracer_finish(s->tracer, end_ns, live_usage, NULL)) {
		fprintf(stderr, "pipetrace: the dataset is incomplete: %s\n", tracer_error(s->tracer));
		incomplete = true;
	}
	session_run_info(s, run, end_ns, incomplete);
	run_journal_end(s->tracer, s->journal, run, s->realtime_offset, -1);
	rc = run_journal_close(s->dataset, s->journal, run, err, err_size);
	s->dataset = NULL;
	s->journal = NULL;
	if (!rc && err[0])
		fprintf(stderr, "pipetrace: %s\n", err);
	return rc;
}

int session_salvage(struct session *s, const char *dir, struct replay_result *res, char *err,
		    size_t err_size)
{
	int rc = run_journal_salvage(s->dataset, s->journal, dir, res, err, err_size);

	s->dataset = NULL;
	s->journal = NULL;
	return rc;
}

void session_close(struct session *s)
{
	tracer_stop(s->tracer);
	model_free(s->model);
	s->tracer = NULL;
	s->model = NULL;
}
