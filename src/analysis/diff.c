#include "analysis/diff.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/command_args.h"
#include "analysis/run_folders.h"
#include "analysis/self_time.h"

#define DEFAULT_TOP_N 10
#define MAX_TOP_N 1000000
#define MAX_PCT 1e9

static const char usage[] =
	"Usage: pipetrace diff [OPTION]... BASE_DIR NEW_DIR\n"
	"       pipetrace diff [OPTION]... ROOT\n"
	"Compare two recorded datasets: per command, executions, wall time, self time and CPU\n"
	"before and after, the commands that appeared and those that vanished, the largest\n"
	"changes first (by self time: the time a command ran without a traced child).\n"
	"A folder of datasets (a --partition root, record --rotate's folder) stands for the\n"
	"newest dataset under it; given alone, its newest is compared with the one before.\n"
	"\n"
	"      --key KEY        group executions by 'cmdline' (default), 'binary' or\n"
	"                       'normalized' (command lines with temporary names, hex ids and\n"
	"                       numbers masked, so that 'sleep 0.1' and 'sleep 0.5' are one)\n"
	"      --format FORMAT  'text' (default), 'markdown' or 'json' (one object)\n"
	"  -n, --top N          rows shown (default 10)\n"
	"      --fail-if-slower PCT\n"
	"                       exit 3 when NEW's total wall time exceeds BASE's by more\n"
	"                       than PCT percent (a CI gate)\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"Exit status: 0 success, 1 a dataset could not be read, 2 usage error, 3 slower than\n"
	"--fail-if-slower allows. Definitions: docs/report.md\n";

enum diff_format { DIFF_TEXT, DIFF_MARKDOWN, DIFF_JSON };

/* One dataset, grouped. */
struct diff_side {
	struct run_data data;
	struct execution_keys keys;
	int64_t *self_ns;
	struct group_total *groups; /* sorted by key */
	size_t group_count;
	struct diff_totals totals;
};

static void side_free(struct diff_side *s)
{
	execution_keys_free(&s->keys);
	free(s->self_ns);
	free(s->groups);
	run_data_free(&s->data);
}

/* Loads dir and groups the executions of its runs; -1 with the cause in err. */
static int side_load(const char *dir, enum group_key key, struct diff_side *s, char *err,
		     size_t err_size)
{
	*s = (struct diff_side){ 0 };
	if (run_data_load(dir, &s->data, err, err_size) != 0)
		return -1;
	if (s->data.orphan_executions > 0)
		fprintf(stderr, "pipetrace: warning: %s/processes.parquet: %zu executions name no run "
				"of runs.parquet; they are left out of the comparison\n",
			dir, s->data.orphan_executions);
	size_t count = 0;
	for (size_t r = 0; r < s->data.run_count; r++) {
		const struct run_record *run = &s->data.runs[r];
		count += run->execution_count;
		s->totals.wall_ns = add_saturated(s->totals.wall_ns,
						  elapsed_ns(run->start_ns, run->end_ns));
	}
	s->totals.executions = count;
	s->self_ns = malloc((count ? count : 1) * sizeof(*s->self_ns));
	bool ok = s->self_ns != NULL;
	/* The runs' executions come first in data.executions, run by run (run_data.h). */
	for (size_t r = 0, at = 0; ok && r < s->data.run_count; r++) {
		const struct run_record *run = &s->data.runs[r];
		ok = self_time_compute(run->executions, run->execution_count, s->self_ns + at) == 0;
		at += run->execution_count;
	}
	for (size_t i = 0; i < count; i++)
		s->totals.cpu_ns = add_saturated(s->totals.cpu_ns, s->data.executions[i].cpu_ns);
	long groups = ok && execution_keys_make(s->data.executions, count, key, &s->keys) == 0
		? group_totals(s->data.executions, s->keys.keys, s->self_ns, count, &s->groups)
		: -1;
	if (groups < 0) {
		snprintf(err, err_size, "%s: out of memory", dir);
		side_free(s);
		return -1;
	}
	s->group_count = (size_t)groups;
	return 0;
}

static int64_t magnitude(int64_t v)
{
	return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

static int compare_impact(const void *a, const void *b)
{
	const struct diff_row *x = a, *y = b;
	int64_t xs = magnitude(elapsed_ns(x->before.self_ns, x->after.self_ns));
	int64_t ys = magnitude(elapsed_ns(y->before.self_ns, y->after.self_ns));
	int64_t xw = magnitude(elapsed_ns(x->before.wall_ns, x->after.wall_ns));
	int64_t yw = magnitude(elapsed_ns(y->before.wall_ns, y->after.wall_ns));
	if (xs != ys)
		return xs > ys ? -1 : 1;
	if (xw != yw)
		return xw > yw ? -1 : 1;
	return group_key_compare(x->key, y->key);
}

static enum diff_change classify(const struct diff_row *row)
{
	if (row->before.executions == 0)
		return CHANGE_NEW;
	if (row->after.executions == 0)
		return CHANGE_VANISHED;
	if (row->after.wall_ns != row->before.wall_ns)
		return row->after.wall_ns > row->before.wall_ns ? CHANGE_SLOWER : CHANGE_FASTER;
	return CHANGE_SAME;
}

/* Merges the two key-sorted group lists into d->rows, sorted by impact. */
static int compare_sides(const struct diff_side *base, const struct diff_side *after,
			 struct diff_result *d)
{
	size_t most = base->group_count + after->group_count;
	d->rows = malloc((most ? most : 1) * sizeof(*d->rows));
	if (!d->rows)
		return -1;
	size_t i = 0, j = 0;
	while (i < base->group_count || j < after->group_count) {
		int order = i == base->group_count ? 1
			  : j == after->group_count ? -1
			  : group_key_compare(base->groups[i].key, after->groups[j].key);
		struct diff_row *row = &d->rows[d->row_count++];
		*row = (struct diff_row){ .key = order <= 0 ? base->groups[i].key : after->groups[j].key };
		if (order <= 0)
			row->before = base->groups[i++];
		if (order >= 0)
			row->after = after->groups[j++];
		row->change = classify(row);
		d->changes[row->change]++;
	}
	qsort(d->rows, d->row_count, sizeof(*d->rows), compare_impact);
	return 0;
}

double diff_wall_growth_pct(const struct diff_result *d)
{
	if (d->base.wall_ns <= 0)
		return 0;
	return 100.0 * ((double)d->after.wall_ns - (double)d->base.wall_ns) / (double)d->base.wall_ns;
}

static int usage_error(const char *cause, const char *value)
{
	return args_usage_error("diff", cause, value);
}

struct diff_options {
	enum group_key key;
	enum diff_format format;
	size_t top_n;
	bool gate;
	double fail_if_slower_pct;
};

/* Parses the options; returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, struct diff_options *o)
{
	static const struct option long_options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },
		{ "top", required_argument, NULL, 'n' },
		{ "fail-if-slower", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[] = { [KEY_CMDLINE] = "cmdline", [KEY_BINARY] = "binary",
					    [KEY_NORMALIZED] = "normalized" };
	static const char *const formats[] = { [DIFF_TEXT] = "text", [DIFF_MARKDOWN] = "markdown",
					       [DIFF_JSON] = "json" };
	int option, chosen;
	double number;
	char bad[3];
	opterr = 0;
	optind = 0; /* glibc starts afresh */
	while ((option = getopt_long(argc, argv, ":hn:", long_options, NULL)) != -1) {
		switch (option) {
		case 'k':
			if ((chosen = ARGS_CHOICE(optarg, keys)) < 0)
				return usage_error("--key takes cmdline, binary or normalized, not",
						   optarg);
			o->key = (enum group_key)chosen;
			break;
		case 'f':
			if ((chosen = ARGS_CHOICE(optarg, formats)) < 0)
				return usage_error("--format takes text, markdown or json, not", optarg);
			o->format = (enum diff_format)chosen;
			break;
		case 'n':
			if (!args_number(optarg, true, 1, MAX_TOP_N, &number))
				return usage_error("--top needs a number from 1 to 1000000, not", optarg);
			o->top_n = (size_t)number;
			break;
		case 's':
			if (!args_number(optarg, false, 0, MAX_PCT, &number))
				return usage_error("--fail-if-slower needs a percentage (0 or more), not",
						   optarg);
			o->gate = true;
			o->fail_if_slower_pct = number;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			return usage_error("a value is missing after", argv[optind - 1]);
		default:
			return usage_error("unknown option", args_bad_option(argv, bad));
		}
	}
	if (argc - optind != 2 && (argc - optind != 1 || run_folders_is_dataset(argv[optind])))
		return usage_error("two dataset folders are needed (pipetrace diff BASE_DIR NEW_DIR), "
				   "or one folder of datasets (pipetrace diff ROOT)", NULL);
	return -1;
}

/* The two dataset folders to compare: each argument, or the newest dataset under it when it
 * is a folder of them; with one argument, the two newest under it (the one before the
 * newest, then the newest). -1 with the cause in err. */
static int resolve_sides(char **args, int count, struct run_folders folders[2],
			 const char *dirs[2], char *err, size_t err_size)
{
	for (int i = 0; i < count; i++) {
		if (run_folders_find(args[i], NULL, &folders[i], err, err_size) != 0)
			return -1;
		if (folders[i].count < (size_t)(count == 1 ? 2 : 1)) {
			snprintf(err, err_size, "%s: %s", args[i], count == 1
				 ? "fewer than two dataset folders in it or below it"
				 : "no dataset folder (runs.parquet) in it or below it");
			return -1;
		}
		dirs[i] = folders[i].dirs[0];
	}
	if (count == 1) {
		dirs[0] = folders[0].dirs[1];
		dirs[1] = folders[0].dirs[0];
	}
	return 0;
}

/* Writes the comparison; returns the exit status. */
static int write_diff(const struct diff_result *d, const struct diff_options *o)
{
	if (o->format == DIFF_JSON)
		diff_write_json(stdout, d, o->top_n);
	else
		diff_write_human(stdout, o->format == DIFF_MARKDOWN, d, o->top_n);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pipetrace diff: cannot write the comparison: %s; check the output\n",
			strerror(errno));
		return 1;
	}
	double growth = diff_wall_growth_pct(d);
	if (o->gate && growth > o->fail_if_slower_pct) {
		fprintf(stderr, "pipetrace diff: the wall time grew by %.1f %%, more than "
				"--fail-if-slower %g allows\n", growth, o->fail_if_slower_pct);
		return DIFF_EXIT_SLOWER;
	}
	return 0;
}

int diff_command(int argc, char **argv)
{
	struct diff_options o = { .key = KEY_CMDLINE, .format = DIFF_TEXT, .top_n = DEFAULT_TOP_N };
	int status = parse_options(argc, argv, &o);
	if (status >= 0)
		return status;
	struct diff_side sides[2];
	struct run_folders folders[2] = { 0 };
	const char *dirs[2] = { NULL, NULL };
	char err[1024];
	if (resolve_sides(argv + optind, argc - optind, folders, dirs, err, sizeof(err)) != 0) {
		fprintf(stderr, "pipetrace diff: %s; expected dataset folders written by 'pipetrace "
				"run -o DIR', or a folder of them\n", err);
		run_folders_free(&folders[0]);
		run_folders_free(&folders[1]);
		return 1;
	}
	struct diff_result d = { .base_dir = dirs[0], .new_dir = dirs[1], .key = o.key };
	for (int i = 0; i < 2; i++) {
		if (side_load(dirs[i], o.key, &sides[i], err, sizeof(err)) == 0)
			continue;
		fprintf(stderr, "pipetrace diff: %s; expected a dataset folder written by "
				"'pipetrace run -o DIR' (runs.parquet, processes.parquet)\n", err);
		if (i == 1)
			side_free(&sides[0]);
		run_folders_free(&folders[0]);
		run_folders_free(&folders[1]);
		return 1;
	}
	d.base = sides[0].totals;
	d.after = sides[1].totals;
	if (compare_sides(&sides[0], &sides[1], &d) != 0) {
		fputs("pipetrace diff: out of memory; compare smaller datasets\n", stderr);
		status = 1;
	} else {
		status = write_diff(&d, &o);
	}
	free(d.rows);
	side_free(&sides[0]);
	side_free(&sides[1]);
	run_folders_free(&folders[0]);
	run_folders_free(&folders[1]);
	return status;
}
