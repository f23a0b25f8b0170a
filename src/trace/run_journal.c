#include "trace/run_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int run_journal_begin(struct tracer *t, const struct run_info *run, const struct run_settings *s)
{
	size_t size;
	struct pt_jrec_run *rec = run_record_encode(run, s, &size);
	int rc = rec ? tracer_journal(t, rec, size) : -1;

	free(rec);
	return rc;
}

void run_journal_end(struct tracer *t, struct journal *j, const struct run_info *run,
		     int64_t realtime_offset, int cmd_status)
{
	struct pt_jrec_end end = {
		.hdr = {.type = PT_JREC_END, .size = sizeof(end),
			.ts = (uint64_t)((int64_t)run->end_ns - realtime_offset)},
		.cmd_status = cmd_status,
		.monitor_cpu_ns = run->monitor_cpu_ns,
	};

	memcpy(end.lost, run->lost, sizeof(end.lost));
	snprintf(end.status, sizeof(end.status), "%s", run->status);
	/* Its failure changes nothing: the dataset written next replaces the journal. */
	if (j && !tracer_journal(t, &end, sizeof(end)))
		journal_flush(j);
}

int run_journal_close(struct dataset *d, struct journal *j, const struct run_info *run,
		      char *err, size_t err_size)
{
	int rc = dataset_finish(d, run, err, err_size);

	if (rc) {
		journal_close(j);
		return -1;
	}
	err[0] = '\0';
	if (j && journal_remove(j, err, err_size) == 0)
		err[0] = '\0';
	return 0;
}

int run_journal_salvage(struct dataset *d, struct journal *j, const char *dir,
			struct replay_result *res, char *err, size_t err_size)
{
	dataset_abandon(d);
	journal_close(j);
	if (!j) {
		snprintf(err, err_size, "no journal was written");
		return -1;
	}
	return replay_journal(dir, dir, false, res, err, err_size);
}
