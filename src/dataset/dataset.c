#include "dataset/dataset.h"

#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/cgroup_path.h"
#include "dataset/schema.h"
#include "model/argv.h"

#define MAX_TABLES 8
#define TABLE_NAME_MAX 64
/* A table's rows are written out as a row group once this much is buffered, so that memory
 * stays bounded however long the run: with the writers' per-column page buffers, peak RSS of
 * 1M synthetic executions replayed was 46 MB at 2 MiB, 75 MB at 4 MiB and more at the 64 MiB
 * default (journal_bench, docs/benchmarks.md "Durability"), for tables ~1.35x the size of
 * 4 MiB groups' (47 against 35 bytes per execution). */
#define ROW_GROUP_BYTES (2u << 20)

struct dataset {
	char dir[PATH_MAX];
	char run_id[128];
	int64_t realtime_offset;
	struct pq_writer *processes, *events;
	struct pq_writer *tables[MAX_TABLES];
	char table_names[MAX_TABLES][TABLE_NAME_MAX];
	struct pq_workers *workers; /* the tables' page workers, shared */
	struct cgroup_paths *cgroups;
	dataset_cgroup_found on_cgroup; /* NULL: cgroups are looked up when rows are written */
	void *on_cgroup_ctx;
	size_t table_count;
	/* processes rows whose argv had secrets redacted, and the words changed in them */
	uint64_t redacted_executions, redacted_words;
	bool redacted; /* redaction was on */
	char error[512];
};

static int fail(struct dataset *d, const char *what, const char *why)
{
	if (!d->error[0])
		snprintf(d->error, sizeof(d->error), "%.300s: %.200s", what, why);
	return -1;
}

int dataset_make_dir(const char *dir, uid_t uid, gid_t gid)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(path))
		return errno = ENAMETOOLONG, -1;
	memcpy(path, dir, len + 1);
	/* Each prefix ending before a '/', then the whole path. */
	for (char *end = path + 1;; end++) {
		if (*end != '/' && *end != '\0')
			continue;
		char saved = *end;

		*end = '\0';
		if (mkdir(path, 0755) == 0) {
			if (uid != (uid_t)-1 && chown(path, uid, gid))
				return -1;
		} else if (errno != EEXIST) {
			return -1;
		}
		*end = saved;
		if (!saved)
			return 0;
	}
}

/* Where a table is written until it is whole: a name no reader takes for a table. */
static void partial_path(char *path, size_t size, const char *dir, const char *name)
{
	/* Too long a name fails the open, not silently another file. */
	if (snprintf(path, size, "%s/.%s.parquet.partial", dir, name) >= (int)size)
		path[0] = '\0';
}

void dataset_give(const char *dir, const char *const *tables, size_t table_count, uid_t uid,
		  gid_t gid)
{
	char path[PATH_MAX + 64];

	/* Whichever of the two names each table has now (chown fails on the other). */
	for (size_t i = 0; i < table_count; i++) {
		snprintf(path, sizeof(path), "%s/%s.parquet", dir, tables[i]);
		(void)!chown(path, uid, gid);
		partial_path(path, sizeof(path), dir, tables[i]);
		(void)!chown(path, uid, gid);
	}
}

struct pq_writer *dataset_table(struct dataset *d, const char *name,
				const struct pq_column_def *columns, size_t column_count)
{
	char path[PATH_MAX + 64], err[256];
	struct pq_writer *w;

	if (d->table_count == MAX_TABLES || strlen(name) >= TABLE_NAME_MAX)
		return fail(d, name, "too many tables"), NULL;
	partial_path(path, sizeof(path), d->dir, name);
	w = pq_writer_open(path, columns, column_count,
			   &(struct pq_writer_options){.workers = d->workers,
						       .row_group_bytes = ROW_GROUP_BYTES},
			   err, sizeof(err));
	if (!w)
		return fail(d, path, err), NULL;
	pq_writer_set_metadata(w, "pipetrace.version", PIPETRACE_VERSION);
	pq_writer_set_metadata(w, "pipetrace.schema_version", PT_SCHEMA_VERSION);
	pq_writer_set_metadata(w, "pipetrace.run_id", d->run_id);
	snprintf(d->table_names[d->table_count], TABLE_NAME_MAX, "%s", name);
	d->tables[d->table_count++] = w;
	return w;
}

int dataset_remove_tables(const char *dir, const char *const *tables, size_t table_count,
			  char *err, size_t err_size)
{
	char path[PATH_MAX + 64];

	for (size_t i = 0; i < 2 * table_count; i++) {
		if (i % 2)
			partial_path(path, sizeof(path), dir, tables[i / 2]);
		else
			snprintf(path, sizeof(path), "%s/%s.parquet", dir, tables[i / 2]);
		if (unlink(path) && errno != ENOENT) {
			snprintf(err, err_size, "cannot replace %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Creates dir and removes the tables a previous run left there. */
static int prepare_dir(const char *dir, const char *const *tables, size_t table_count, char *err,
		       size_t err_size)
{
	if (dataset_make_dir(dir, (uid_t)-1, (gid_t)-1)) {
		snprintf(err, err_size, "cannot create output folder %s: %s", dir, strerror(errno));
		return -1;
	}
	return dataset_remove_tables(dir, tables, table_count, err, err_size);
}

struct dataset *dataset_create(const char *dir, const char *run_id, int64_t realtime_offset,
			       const char *const *tables, size_t table_count, char *err,
			       size_t err_size)
{
	struct dataset *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	snprintf(d->run_id, sizeof(d->run_id), "%s", run_id);
	d->realtime_offset = realtime_offset;
	if (prepare_dir(dir, tables, table_count, err, err_size)) {
		free(d);
		return NULL;
	}
	/* One pair of page workers for every table: on a machine of a few CPUs, a pair per table
	 * would only add threads, each with its own compression context and buffers. zstd
	 * level 1 rather than the library's 3: the pages are compressed while the traced run
	 * goes on, and at the spawn ceiling (make bench) this saves ~1 us of pipetrace's CPU per
	 * process for a dataset ~5 % larger (docs/benchmarks.md). */
	d->workers = pq_workers_new(PQ_CODEC_ZSTD, 1);
	d->cgroups = cgroup_paths_new();
	d->processes = d->workers && d->cgroups
			       ? dataset_table(d, "processes", processes_columns, PROC_COLUMNS)
			       : NULL;
	d->events = d->processes ? dataset_table(d, "events", events_columns, EVENTS_COLUMNS)
				 : NULL;
	if (!d->events) {
		snprintf(err, err_size, "%s", d->error[0] ? d->error : "out of memory");
		dataset_abandon(d);
		return NULL;
	}
	return d;
}

void dataset_on_cgroup(struct dataset *d, dataset_cgroup_found found, void *ctx)
{
	d->on_cgroup = found;
	d->on_cgroup_ctx = ctx;
}

void dataset_note_cgroup(struct dataset *d, uint64_t id)
{
	const char *path;

	if (d->on_cgroup && cgroup_paths_note(d->cgroups, id, &path) && path)
		d->on_cgroup(d->on_cgroup_ctx, id, path);
}

void dataset_learn_cgroup(struct dataset *d, uint64_t id, const char *path)
{
	cgroup_paths_learn(d->cgroups, id, path);
}

void dataset_set_redacted(struct dataset *d, bool redacted)
{
	d->redacted = redacted;
}

int64_t dataset_utc(const struct dataset *d, uint64_t monotonic_ns)
{
	return (int64_t)monotonic_ns + d->realtime_offset;
}

const char *dataset_run_id(const struct dataset *d)
{
	return d->run_id;
}

const char *dataset_error(const struct dataset *d)
{
	return d->error[0] ? d->error : NULL;
}

int dataset_write_string(struct pq_writer *w, size_t column, const char *s)
{
	return s ? pq_write_bytes(w, column, s, strlen(s)) : pq_write_null(w, column);
}

static int write_list(struct pq_writer *w, size_t column, char *const *items, size_t count)
{
	size_t lengths[count ? count : 1];

	for (size_t i = 0; i < count; i++)
		lengths[i] = strlen(items[i]);
	return pq_write_list(w, column, (const char *const *)items, lengths, count);
}

static int write_status(struct pq_writer *w, size_t code_column, size_t signal_column,
			int code, int signal)
{
	int rc = code >= 0 ? pq_write_int32(w, code_column, code) : pq_write_null(w, code_column);

	return rc | (signal > 0 ? pq_write_int32(w, signal_column, signal)
				: pq_write_null(w, signal_column));
}

static int write_optional_id(struct pq_writer *w, size_t column, uint64_t id)
{
	return id ? pq_write_int64(w, column, (int64_t)id) : pq_write_null(w, column);
}

int dataset_write_execution(struct dataset *d, const struct execution *e,
			    const struct execution_figures *f)
{
	struct pq_writer *w = d->processes;
	const struct image *image = e->image;
	char *cmdline = argv_to_cmdline(&image->argv);
	bool killed = e->exited && (e->exit_status & 0x7f);
	int rc;

	if (!cmdline)
		return fail(d, "processes.parquet", "out of memory");
	d->redacted_executions += image->argv.redacted_words > 0;
	d->redacted_words += image->argv.redacted_words;
	rc = dataset_write_string(w, PROC_RUN_ID, d->run_id) |
	     pq_write_int64(w, PROC_EXEC_ID, (int64_t)e->exec_id) |
	     write_optional_id(w, PROC_PARENT_EXEC_ID, e->parent_exec_id) |
	     write_optional_id(w, PROC_PREV_EXEC_ID, e->prev_exec_id) |
	     pq_write_int32(w, PROC_PID, (int32_t)e->pid) |
	     pq_write_int32(w, PROC_PPID, (int32_t)e->ppid) |
	     pq_write_int32(w, PROC_NS_PID, (int32_t)e->ns_pid) |
	     pq_write_int64(w, PROC_CGROUP_ID, (int64_t)e->cgroup_id) |
	     dataset_write_string(w, PROC_CGROUP, cgroup_path(d->cgroups, e->cgroup_id)) |
	     pq_write_int64(w, PROC_UID, e->uid) | pq_write_int64(w, PROC_GID, e->gid) |
	     dataset_write_string(w, PROC_COMM, e->comm) |
	     dataset_write_string(w, PROC_FILENAME, image->filename) |
	     write_list(w, PROC_ARGV, image->argv.items, image->argv.count) |
	     dataset_write_string(w, PROC_CMDLINE, cmdline) |
	     pq_write_bool(w, PROC_ARGV_TRUNCATED, image->argv.truncated) |
	     pq_write_bool(w, PROC_ARGV_REDACTED, image->argv.redacted_words > 0) |
	     dataset_write_string(w, PROC_CWD, image->cwd) |
	     pq_write_int64(w, PROC_START_TIME, dataset_utc(d, e->start_ns)) |
	     (e->exec_ns ? pq_write_int64(w, PROC_EXEC_TIME, dataset_utc(d, e->exec_ns))
			 : pq_write_null(w, PROC_EXEC_TIME)) |
	     pq_write_int64(w, PROC_END_TIME, dataset_utc(d, e->end_ns)) |
	     pq_write_int64(w, PROC_DURATION_NS,
			    e->end_ns > e->start_ns ? (int64_t)(e->end_ns - e->start_ns) : 0) |
	     pq_write_int64(w, PROC_CPU_USER_NS, (int64_t)f->cpu_user_ns) |
	     pq_write_int64(w, PROC_CPU_SYS_NS, (int64_t)f->cpu_sys_ns) |
	     pq_write_int64(w, PROC_CPU_NS, (int64_t)f->cpu_ns) |
	     pq_write_int64(w, PROC_MAX_RSS_KB, (int64_t)f->max_rss_kb) |
	     pq_write_int64(w, PROC_READ_BYTES, (int64_t)f->read_bytes) |
	     pq_write_int64(w, PROC_WRITE_BYTES, (int64_t)f->write_bytes) |
	     pq_write_int64(w, PROC_MINOR_FAULTS, (int64_t)f->minor_faults) |
	     pq_write_int64(w, PROC_MAJOR_FAULTS, (int64_t)f->major_faults) |
	     pq_write_int64(w, PROC_VOL_CTX_SWITCHES, (int64_t)f->vol_ctx_switches) |
	     pq_write_int64(w, PROC_INVOL_CTX_SWITCHES, (int64_t)f->invol_ctx_switches) |
	     write_status(w, PROC_EXIT_CODE, PROC_SIGNAL,
			  e->exited && !killed ? (int)(e->exit_status >> 8 & 0xff) : -1,
			  killed ? (int)(e->exit_status & 0x7f) : -1) |
	     pq_write_bool(w, PROC_CORE_DUMPED, e->exited && (e->exit_status & 0x80)) |
	     dataset_write_string(w, PROC_END_REASON, end_reason_name(e->end_reason)) |
	     pq_write_bool(w, PROC_ATTACHED, e->attached) |
	     pq_writer_end_row(w);
	free(cmdline);
	return rc ? fail(d, "processes.parquet", pq_writer_error(w)) : 0;
}

/* For tests only (tests/durability.test.mjs): PIPETRACE_TEST_FAIL_EVENT=N fails the Nth
 * events row written by this process, once, as a full disk would: no test can make the disk
 * fail at a chosen row. */
static bool injected_failure(void)
{
	static long countdown = -1;
	static bool read;
	const char *n = read ? NULL : getenv("PIPETRACE_TEST_FAIL_EVENT");

	if (!read) {
		read = true;
		countdown = n ? strtol(n, NULL, 10) : -1;
	}
	return countdown > 0 && --countdown == 0;
}

int dataset_write_event(struct dataset *d, uint64_t ts, const char *type, uint32_t pid,
			uint32_t tid, int64_t ppid, int64_t exec_id)
{
	struct pq_writer *w = d->events;
	int rc;

	if (injected_failure())
		return fail(d, "events.parquet", "injected failure (PIPETRACE_TEST_FAIL_EVENT)");
	rc = dataset_write_string(w, EVENTS_RUN_ID, d->run_id) |
		 pq_write_int64(w, EVENTS_TS, dataset_utc(d, ts)) |
		 dataset_write_string(w, EVENTS_TYPE, type) | pq_write_int32(w, EVENTS_PID, (int32_t)pid) |
		 pq_write_int32(w, EVENTS_TID, (int32_t)tid) |
		 (ppid >= 0 ? pq_write_int32(w, EVENTS_PPID, (int32_t)ppid)
			    : pq_write_null(w, EVENTS_PPID)) |
		 (exec_id > 0 ? pq_write_int64(w, EVENTS_EXEC_ID, exec_id)
			      : pq_write_null(w, EVENTS_EXEC_ID)) |
		 pq_writer_end_row(w);
	return rc ? fail(d, "events.parquet", pq_writer_error(w)) : 0;
}

int dataset_write_record_columns(struct dataset *d, struct pq_writer *w, uint64_t ts,
				 uint32_t pid, uint32_t tid, uint64_t exec_id)
{
	return dataset_write_string(w, RECORD_RUN_ID, d->run_id) |
	       pq_write_int64(w, RECORD_TS, dataset_utc(d, ts)) |
	       write_optional_id(w, RECORD_EXEC_ID, exec_id) |
	       pq_write_int32(w, RECORD_PID, (int32_t)pid) | pq_write_int32(w, RECORD_TID, (int32_t)tid);
}

static int write_lost(struct pq_writer *w, const uint64_t *lost)
{
	uint64_t total = 0;
	int rc = 0;

	for (size_t kind = 0; kind < LOST_KINDS; kind++) {
		total += lost[kind];
		rc |= pq_write_int64(w, RUNS_LOST_FIRST + kind, (int64_t)lost[kind]);
	}
	return rc | pq_write_int64(w, RUNS_LOST_EVENTS, (int64_t)total);
}

static int write_run(struct dataset *d, const struct run_info *run)
{
	struct pq_writer *w = dataset_table(d, "runs", runs_columns, RUNS_COLUMNS);
	char host[256] = "", kernel[256] = "";
	FILE *f;
	int rc;

	if (!w)
		return -1;
	gethostname(host, sizeof(host) - 1);
	if ((f = fopen("/proc/sys/kernel/osrelease", "r"))) {
		if (fgets(kernel, sizeof(kernel), f))
			kernel[strcspn(kernel, "\n")] = '\0';
		fclose(f);
	}
	rc = dataset_write_string(w, RUNS_RUN_ID, d->run_id) | dataset_write_string(w, RUNS_HOST, host) |
	     dataset_write_string(w, RUNS_KERNEL, kernel) |
	     dataset_write_string(w, RUNS_PIPETRACE_VERSION, PIPETRACE_VERSION) |
	     write_list(w, RUNS_COMMAND, run->command, run->command_count) |
	     dataset_write_string(w, RUNS_CWD, run->cwd) |
	     pq_write_int64(w, RUNS_START_TIME, (int64_t)run->start_ns) |
	     pq_write_int64(w, RUNS_END_TIME, (int64_t)run->end_ns) |
	     write_status(w, RUNS_EXIT_CODE, RUNS_SIGNAL, run->exit_code, run->signal) |
	     write_list(w, RUNS_PROBES, (char *const *)run->probes, run->probe_count) |
	     dataset_write_string(w, RUNS_OPTIONS, run->options) |
	     pq_write_int64(w, RUNS_PROCESSES, (int64_t)run->processes) |
	     write_lost(w, run->lost) |
	     dataset_write_string(w, RUNS_STATUS, run->status) |
	     pq_write_int64(w, RUNS_MONITOR_CPU_NS, (int64_t)run->monitor_cpu_ns) |
	     pq_write_bool(w, RUNS_REDACT, d->redacted) |
	     pq_write_int64(w, RUNS_REDACTED_EXECUTIONS, (int64_t)d->redacted_executions) |
	     pq_write_int64(w, RUNS_REDACTED_WORDS, (int64_t)d->redacted_words) |
	     pq_writer_end_row(w);
	return rc ? fail(d, "runs.parquet", pq_writer_error(w)) : 0;
}

/* For tests only (tests/durability.test.mjs): PIPETRACE_TEST_KILL_AFTER=NAME kills pipetrace
 * once table NAME has its name, so that a kill lands at an exact point of the final write. */
static void test_kill_point(const char *table)
{
	const char *at = getenv("PIPETRACE_TEST_KILL_AFTER");

	if (at && !strcmp(at, table))
		raise(SIGKILL);
}

/* Closes the tables opened since `first` and gives each its name: the rows of a table appear
 * to readers all at once, when whole. */
static int close_tables(struct dataset *d, size_t first)
{
	char close_err[256], from[PATH_MAX + 64], to[PATH_MAX + 64];
	int rc = 0;

	for (size_t i = first; i < d->table_count; i++) {
		partial_path(from, sizeof(from), d->dir, d->table_names[i]);
		snprintf(to, sizeof(to), "%s/%s.parquet", d->dir, d->table_names[i]);
		if (pq_writer_close(d->tables[i], close_err, sizeof(close_err)))
			rc = fail(d, d->dir, close_err);
		else if (rename(from, to))
			rc = fail(d, to, strerror(errno));
		else
			test_kill_point(d->table_names[i]);
	}
	d->table_count = first;
	return rc;
}

void dataset_abandon(struct dataset *d)
{
	char path[PATH_MAX + 64];

	for (size_t i = 0; i < d->table_count; i++) {
		pq_writer_abort(d->tables[i]);
		partial_path(path, sizeof(path), d->dir, d->table_names[i]);
		unlink(path);
	}
	pq_workers_destroy(d->workers);
	cgroup_paths_free(d->cgroups);
	free(d);
}

/* Finishes table i, gives it its name, and goes on with it in dir, under the run_id now in
 * d. */
static int rotate_table(struct dataset *d, size_t i, const char *dir)
{
	char from[PATH_MAX + 64], to[PATH_MAX + 64], next[PATH_MAX + 64];

	partial_path(from, sizeof(from), d->dir, d->table_names[i]);
	snprintf(to, sizeof(to), "%s/%s.parquet", d->dir, d->table_names[i]);
	partial_path(next, sizeof(next), dir, d->table_names[i]);
	if (pq_writer_rotate(d->tables[i], next) ||
	    pq_writer_set_metadata(d->tables[i], "pipetrace.run_id", d->run_id))
		return fail(d, next, pq_writer_error(d->tables[i]));
	if (rename(from, to))
		return fail(d, to, strerror(errno));
	return 0;
}

int dataset_rotate(struct dataset *d, const struct run_info *run, const char *dir,
		   const char *run_id, char *err, size_t err_size)
{
	struct run_info finished = *run;
	size_t table_count = d->table_count;
	const char *tables[MAX_TABLES + 1] = {"runs"};
	int rc;

	/* The tables the run writes: the open ones and runs. */
	for (size_t i = 0; i < table_count; i++)
		tables[i + 1] = d->table_names[i];
	if (prepare_dir(dir, tables, table_count + 1, err, err_size))
		return -1;
	/* The runs row of the closing dataset, in its folder, under its run_id. */
	if (d->error[0])
		finished.status = "incomplete";
	rc = write_run(d, &finished);
	if (close_tables(d, table_count))
		rc = -1;
	snprintf(d->run_id, sizeof(d->run_id), "%s", run_id);
	for (size_t i = 0; i < d->table_count && !rc; i++)
		rc = rotate_table(d, i, dir);
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	if (rc)
		snprintf(err, err_size, "%s", d->error);
	return rc;
}

int dataset_finish(struct dataset *d, const struct run_info *run, char *err, size_t err_size)
{
	struct run_info finished = *run;
	int rc = close_tables(d, 0);

	if (rc || d->error[0])
		finished.status = "incomplete";
	if (write_run(d, &finished) || close_tables(d, 0))
		rc = -1;
	if (rc)
		snprintf(err, err_size, "%s", d->error);
	pq_workers_destroy(d->workers);
	cgroup_paths_free(d->cgroups);
	free(d);
	return rc;
}
