#include "trace/session.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "trace/live_usage.h"

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

int session_open(struct session *s, const char *dir, const char *run_id, const bool *enabled,
		 struct probe_settings settings, char *err, size_t err_size)
{
	const char *tables[PROBE_DATASET_TABLES_MAX];
	size_t table_count = probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX);

	s->dataset = dataset_create(dir, run_id, s->realtime_offset, tables, table_count, err,
				    err_size);
	if (!s->dataset)
		return SESSION_NO_DATASET;
	s->model = model_new((struct execution_sink){execution_finished, s});
	/* No journal: attach and record write the dataset only (docs/dataset.md). */
	s->tracer = s->model ? tracer_open(enabled, settings, (struct probe_sink){s->model,
										s->dataset},
					   NULL, err, err_size)
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

int session_rotate(struct session *s, const struct run_info *run, const char *dir,
		   const char *run_id, char *err, size_t err_size)
{
	for (size_t i = 0; i < LOST_KINDS; i++)
		s->lost_before[i] += run->lost[i];
	s->written = 0;
	return dataset_rotate(s->dataset, run, dir, run_id, err, err_size);
}

int session_finish(struct session *s, struct run_info *run, uint64_t end_ns, bool failed,
		   char *err, size_t err_size)
{
	int rc;

	if (failed || tracer_finish(s->tracer, end_ns, live_usage, NULL)) {
		fprintf(stderr, "pipetrace: the dataset is incomplete: %s\n", tracer_error(s->tracer));
		failed = true;
	}
	session_run_info(s, run, end_ns, failed);
	rc = dataset_finish(s->dataset, run, err, err_size);
	s->dataset = NULL;
	return rc;
}

void session_close(struct session *s)
{
	tracer_stop(s->tracer);
	model_free(s->model);
	s->tracer = NULL;
	s->model = NULL;
}
