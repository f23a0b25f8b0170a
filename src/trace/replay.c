#include "trace/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "dataset/journal.h"
#include "trace/held_records.h"
#include "trace/run_record.h"
#include "trace/tracer.h"

/* The /proc figures the run read of the processes still running at its end, in the order
 * model_finish asks for them (the same in the run and in its replay). */
struct usage_list {
	struct pt_jrec_usage *items;
	size_t count, cap, next;
};

static int usage_add(struct usage_list *l, const struct pt_jrec_usage *rec)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct pt_jrec_usage *grown = realloc(l->items, cap * sizeof(*grown));

		if (!grown)
			return -1;
		l->items = grown;
		l->cap = cap;
	}
	l->items[l->count++] = *rec;
	return 0;
}

/* A process the journal has no figures for (the run was killed) keeps what was known. They
 * come in the run's order, but for a dataset record --rotate opened: its model, rebuilt from
 * the carried executions, may hold them in another order, so a pid out of turn is looked up. */
static void journaled_usage(void *ctx, uint32_t pid, struct pt_proc_usage *usage)
{
	struct usage_list *l = ctx;

	if (l->next < l->count && l->items[l->next].hdr.pid == pid) {
		*usage = l->items[l->next++].usage;
		return;
	}
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].hdr.pid == pid)
			*usage = l->items[i].usage;
}

struct replay {
	struct journal_reader *journal;
	struct run_record_decoded header;
	struct pt_jrec_run *header_record; /* owns the header's strings */
	struct tracer_sink sink;
	struct model *model;
	struct tracer *tracer;
	struct usage_list usages;
	struct pt_jrec_end end;
	bool ended, cmd_reaped;
	bool rotated; /* record --rotate closed the dataset: what the model holds went on */
	char error[64];
	int cmd_status;
	uint64_t last_ts, running;
	uint64_t lost[LOST_KINDS]; /* as of the last tick */
	uint64_t lost_before[LOST_KINDS]; /* record --rotate: before this dataset */
};

/* Opens the dataset and the decoders the run header names. */
static int open_run(struct replay *r, const void *rec, size_t size, const char *out_dir,
		    char *err, size_t err_size)
{
	bool enabled[PROBE_MODULES_MAX] = {0};
	const char *tables[PROBE_DATASET_TABLES_MAX];
	size_t table_count = probe_dataset_tables(tables, PROBE_DATASET_TABLES_MAX);
	const struct pt_record_header *hdr = rec;
	struct run_settings *s = &r->header.settings;

	if (size < sizeof(*hdr) || hdr->type != PT_JREC_RUN ||
	    !(r->header_record = malloc(size)) ||
	    run_record_decode(memcpy(r->header_record, rec, size), size, &r->header)) {
		snprintf(err, err_size, "the journal does not start with its run's description");
		return -1;
	}
	for (size_t i = 0; i < probe_module_count && i < PROBE_MODULES_MAX; i++)
		for (size_t p = 0; p < r->header.run.probe_count; p++)
			enabled[i] |= !strcmp(probe_modules[i]->name, r->header.run.probes[p]);
	r->sink.dataset = dataset_create(out_dir, r->header.run.run_id, s->realtime_offset,
					 tables, table_count, err, err_size);
	r->model = r->sink.dataset
			   ? model_new((struct execution_sink){tracer_sink_finished, &r->sink})
			   : NULL;
	if (r->sink.dataset && !r->model)
		snprintf(err, err_size, "out of memory");
	/* Records were prepared (redacted) before they were journaled: no redactor here. */
	r->tracer = r->model ? tracer_open(enabled,
					   (struct probe_settings){.max_args = s->max_args,
								   .interval_ns = s->interval_ns,
								   .no_redact = true},
					   (struct probe_sink){r->model, r->sink.dataset}, NULL,
					   err, err_size)
			     : NULL;
	r->sink.tracer = r->tracer;
	if (r->tracer)
		dataset_set_redacted(r->sink.dataset, s->redact);
	return r->tracer ? 0 : -1;
}

/* What the model held of a process or an execution that no kernel record says. */
static int apply_held(struct replay *r, const struct pt_record_header *hdr, size_t size)
{
	struct attached_process attached;
	struct carried_execution carried;
	const struct pt_jrec_continued *continued = (const void *)hdr;
	int rc;

	switch (hdr->type) {
	case PT_JREC_ATTACH:
		if (attach_record_decode((const void *)hdr, size, &attached))
			return 0;
		return model_current(r->model, hdr->pid) ? 0 : model_attach(r->model, &attached);
	case PT_JREC_CONTINUED:
		if (size < sizeof(*continued))
			return 0;
		memcpy(r->lost_before, continued->lost_before, sizeof(r->lost_before));
		model_continue_ids(r->model, continued->next_exec_id);
		return 0;
	default:
		if (carry_record_decode((const void *)hdr, size, &carried))
			return 0;
		rc = model_restore(r->model, &carried.execution);
		carried_free(&carried);
		return rc;
	}
}

/* Applies one journaled record as the run did. */
static int apply(struct replay *r, const void *rec, size_t size)
{
	const struct pt_record_header *hdr = rec;

	if (size < sizeof(*hdr))
		return 0;
	if (hdr->ts > r->last_ts)
		r->last_ts = hdr->ts;
	switch (hdr->type) {
	case PT_JREC_SEED:
		return tracer_seed(r->tracer, hdr->pid, hdr->ts, r->header.run.cwd);
	case PT_JREC_TICK:
		if (size < sizeof(struct pt_jrec_tick))
			return 0;
		memcpy(r->lost, ((const struct pt_jrec_tick *)rec)->lost, sizeof(r->lost));
		return tracer_tick(r->tracer, hdr->ts);
	case PT_JREC_REAPED: {
		const struct pt_jrec_reaped *reaped = rec;

		if (size < sizeof(*reaped))
			return 0;
		tracer_reaped(r->tracer, hdr->pid, reaped->is_cmd, reaped->status);
		if (reaped->is_cmd) {
			r->cmd_reaped = true;
			r->cmd_status = reaped->status;
		}
		return 0;
	}
	case PT_JREC_USAGE:
		return size < sizeof(struct pt_jrec_usage) ? 0 : usage_add(&r->usages, rec);
	case PT_JREC_END:
		if (size >= sizeof(r->end)) {
			memcpy(&r->end, rec, sizeof(r->end));
			r->end.status[sizeof(r->end.status) - 1] = '\0';
			r->ended = true;
		}
		return 0;
	case PT_JREC_CGROUP: {
		const struct pt_jrec_cgroup *cgroup = rec;

		if (size > sizeof(*cgroup) && !((const char *)rec)[size - 1])
			dataset_learn_cgroup(r->sink.dataset, cgroup->id, cgroup->path);
		return 0;
	}
	case PT_JREC_RUN:
		return 0;
	case PT_JREC_ROTATED:
		r->rotated = true;
		return 0;
	case PT_JREC_ATTACH:
	case PT_JREC_CONTINUED:
	case PT_JREC_CARRY:
		return apply_held(r, hdr, size) ? (snprintf(r->error, sizeof(r->error),
							    "out of memory"), -1) : 0;
	default:
		return tracer_decode(r->tracer, hdr, size);
	}
}

/* runs.parquet of the replayed run: the run's own when its end was journaled; else as far
 * as the journal goes. */
static void finished_run(struct replay *r, bool snapshot, struct run_info *run)
{
	int status = r->ended ? r->end.cmd_status : r->cmd_reaped ? r->cmd_status : -1;

	*run = r->header.run;
	run->end_ns = (uint64_t)((int64_t)(r->ended ? r->end.hdr.ts : r->last_ts) +
				 r->header.settings.realtime_offset);
	run->exit_code = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	run->signal = status >= 0 && WIFSIGNALED(status) ? WTERMSIG(status) : -1;
	run->processes = r->sink.written;
	memcpy(run->lost, r->ended ? r->end.lost : r->lost, sizeof(run->lost));
	for (size_t i = 0; i < LOST_KINDS && !r->ended; i++)
		run->lost[i] -= r->lost_before[i] < run->lost[i] ? r->lost_before[i] : run->lost[i];
	run->monitor_cpu_ns = r->ended ? r->end.monitor_cpu_ns : 0;
	run->status = r->ended ? r->end.status : snapshot ? "running" : "recovered";
}

static int replay_records(struct replay *r, const char *out_dir, bool snapshot, char *err,
			  size_t err_size)
{
	const void *rec;
	size_t size;
	int got = journal_next(r->journal, &rec, &size, err, err_size);
	struct run_info run;

	if (got <= 0 || open_run(r, rec, size, out_dir, err, err_size))
		return got == 0 ? (snprintf(err, err_size, "the journal is empty"), -1) : -1;
	while ((got = journal_next(r->journal, &rec, &size, err, err_size)) > 0 && !r->ended)
		if (apply(r, rec, size))
			return snprintf(err, err_size, "%s", r->error[0] ? r->error
							    : tracer_error(r->tracer)), -1;
	if (got < 0)
		return -1;
	r->running = model_running(r->model);
	/* Rotated: the executions still held were carried into the next dataset's journal. */
	if (!r->rotated &&
	    tracer_finish(r->tracer, r->ended ? r->end.hdr.ts : r->last_ts, journaled_usage,
			  &r->usages))
		return snprintf(err, err_size, "%s", tracer_error(r->tracer)), -1;
	finished_run(r, snapshot, &run);
	tracer_stop(r->tracer);
	r->tracer = NULL;
	if (dataset_finish(r->sink.dataset, &run, err, err_size)) {
		r->sink.dataset = NULL;
		return -1;
	}
	r->sink.dataset = NULL;
	return 0;
}

int replay_journal(const char *dir, const char *out_dir, bool snapshot,
		   struct replay_result *res, char *err, size_t err_size)
{
	struct replay r = {.journal = journal_open(dir, !snapshot, err, err_size)};
	int rc = r.journal ? replay_records(&r, out_dir, snapshot, err, err_size) : -1;

	memset(res, 0, sizeof(*res));
	if (!rc) {
		res->executions = r.sink.written;
		res->running = r.running;
		res->torn_bytes = journal_torn_bytes(r.journal);
		res->ended = r.ended;
		snprintf(res->status, sizeof(res->status), "%s",
			 r.ended ? r.end.status : snapshot ? "running" : "recovered");
	}
	tracer_stop(r.tracer);
	if (r.sink.dataset)
		dataset_abandon(r.sink.dataset);
	model_free(r.model);
	if (!rc && !snapshot)
		rc = journal_reader_remove(r.journal, err, err_size);
	else
		journal_reader_close(r.journal);
	run_record_free(&r.header);
	free(r.header_record);
	free(r.usages.items);
	return rc;
}
