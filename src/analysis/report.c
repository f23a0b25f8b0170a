/* The summary report of a dataset, in each of its formats (docs/report.md). */
#include "analysis/report.h"

#include <limits.h>
#include <string.h>

#include "analysis/report_format.h"
#include "dataset/journal.h"

static void write_summary(FILE *out, enum report_format format, const struct summary *s,
			  const struct report_options *o, bool csv_header)
{
	if (format == FORMAT_JSON) {
		report_write_json(out, s, o);
	} else if (format == FORMAT_CSV) {
		report_write_csv(out, s, o, csv_header);
	} else {
		struct report_page page = {
			out, format == FORMAT_MARKDOWN ? STYLE_MARKDOWN : STYLE_TEXT,
			page_line_width(out) };
		report_write_human(&page, s, o);
	}
}

static struct report_live_snapshot live_snapshot;

void report_set_live_snapshot(struct report_live_snapshot snapshot)
{
	live_snapshot = snapshot;
}

/* Loads dir, or the snapshot of the live run writing it; -1 with the cause in err. */
static int load_dataset(const char *dir, struct run_data *d, char *err, size_t err_size)
{
	char snapshot[PATH_MAX];
	int rc;

	if (journal_state(dir) != JOURNAL_LIVE || !live_snapshot.take)
		return run_data_load(dir, d, err, err_size);
	if (live_snapshot.take(dir, snapshot, sizeof(snapshot), err, err_size))
		return -1;
	rc = run_data_load(snapshot, d, err, err_size);
	live_snapshot.remove(snapshot);
	return rc;
}

int report_dataset(const char *dir, FILE *out, enum report_format format,
		   const struct report_options *options, bool csv_header, FILE *step_summary,
		   char *err, size_t err_size)
{
	struct run_data d;
	if (load_dataset(dir, &d, err, err_size) != 0)
		return -1;
	if (d.orphan_executions > 0)
		fprintf(stderr, "pipetrace: warning: %s/processes.parquet: %zu executions name no run "
				"of runs.parquet; they are left out of the report\n",
			dir, d.orphan_executions);
	struct report_options o = *options;
	o.dataset_dir = dir;
	o.run_count = d.run_count;
	int result = 0;
	for (size_t r = 0; r < d.run_count; r++) {
		struct summary s;
		enum group_key key = o.grouping == GROUP_BY_NORMALIZED ? KEY_NORMALIZED : KEY_CMDLINE;
		if (summary_compute(&d.runs[r], key, &s) != 0) {
			snprintf(err, err_size, "%s: out of memory", dir);
			result = -1;
			break;
		}
		o.run_number = r + 1;
		write_summary(out, format, &s, &o, csv_header && r == 0);
		if (step_summary)
			write_summary(step_summary, FORMAT_MARKDOWN, &s, &o, false);
		summary_free(&s);
	}
	run_data_free(&d);
	return result;
}

int report_print_dataset(const char *dir, FILE *out, int top_n, char *err, size_t err_size)
{
	struct report_options o = { .top_n = top_n > 0 ? (size_t)top_n : REPORT_DEFAULT_TOP_N,
				    .grouping = GROUP_BOTH };
	return report_dataset(dir, out, FORMAT_TEXT, &o, true, NULL, err, err_size);
}
