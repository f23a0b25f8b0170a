/* pq_bench: writes ROWS rows of pipetrace's processes schema with realistic data (compiler
 * pipelines: repeated binaries, varied argv, increasing timestamps) and reports, as one
 * JSON line, the time spent generating and writing (wall and CPU, all threads), the file
 * size and the peak RSS.
 *
 *   pq_bench OUT ROWS [--codec zstd|none] [--row-group-bytes N] [--timestamps-as-int64]
 *
 * --timestamps-as-int64 declares the three timestamp columns INT64 (same values): DuckDB
 * reads TIMESTAMP(NANOS, UTC) as microsecond TIMESTAMPTZ, so the benchmark hands it plain
 * nanoseconds to rebuild TIMESTAMP_NS columns without losing precision. */
#include "parquet/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

enum {
	RUN_ID, EXEC_ID, PARENT_EXEC_ID, PREV_EXEC_ID, PID, PPID, NS_PID, CGROUP_ID, UID, GID,
	COMM, FILENAME, ARGV, CMDLINE, ARGV_TRUNCATED, CWD, START_TIME, EXEC_TIME, END_TIME,
	DURATION_NS, CPU_USER_NS, CPU_SYS_NS, CPU_NS, MAX_RSS_KB, READ_BYTES, WRITE_BYTES,
	MINOR_FAULTS, MAJOR_FAULTS, VOL_CTX, INVOL_CTX, EXIT_CODE, SIGNAL, CORE_DUMPED,
	END_REASON, NCOLS
};

static struct pq_column_def columns[NCOLS] = {
	{ "run_id", PQ_STRING, false },        { "exec_id", PQ_INT64, false },
	{ "parent_exec_id", PQ_INT64, true },  { "prev_exec_id", PQ_INT64, true },
	{ "pid", PQ_INT32, false },            { "ppid", PQ_INT32, false },
	{ "ns_pid", PQ_INT32, false },         { "cgroup_id", PQ_INT64, false },
	{ "uid", PQ_INT64, false },            { "gid", PQ_INT64, false },
	{ "comm", PQ_STRING, false },          { "filename", PQ_STRING, true },
	{ "argv", PQ_LIST_STRING, false },     { "cmdline", PQ_STRING, false },
	{ "argv_truncated", PQ_BOOLEAN, false }, { "cwd", PQ_STRING, true },
	{ "start_time", PQ_TIMESTAMP_NS, false }, { "exec_time", PQ_TIMESTAMP_NS, true },
	{ "end_time", PQ_TIMESTAMP_NS, true }, { "duration_ns", PQ_INT64, false },
	{ "cpu_user_ns", PQ_INT64, false },    { "cpu_sys_ns", PQ_INT64, false },
	{ "cpu_ns", PQ_INT64, false },         { "max_rss_kb", PQ_INT64, false },
	{ "read_bytes", PQ_INT64, false },     { "write_bytes", PQ_INT64, false },
	{ "minor_faults", PQ_INT64, false },   { "major_faults", PQ_INT64, false },
	{ "vol_ctx_switches", PQ_INT64, false }, { "invol_ctx_switches", PQ_INT64, false },
	{ "exit_code", PQ_INT32, true },       { "signal", PQ_INT32, true },
	{ "core_dumped", PQ_BOOLEAN, false },  { "end_reason", PQ_STRING, false },
};

static const char *const binaries[] = {
	"/usr/bin/gcc", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/bin/as", "/usr/bin/ld",
	"/usr/bin/make", "/bin/sh", "/usr/bin/bash", "/usr/bin/python3", "/usr/bin/git",
	"/usr/bin/sed", "/usr/bin/grep", "/usr/bin/awk", "/usr/bin/cat", "/usr/bin/rm",
	"/usr/bin/mkdir", "/usr/bin/node", "/usr/bin/clang", "/usr/bin/ar", "/usr/bin/install",
	"/usr/bin/cp",
};
static const char *const flags[] = { "-O2", "-g", "-c", "-Wall", "-Wextra", "-fPIC", "-MMD",
				     "-MP", "-DNDEBUG", "-Iinclude", "-Isrc", "-pthread",
				     "--quiet", "-std=gnu11", "-lm", "-v" };
static const char *const dirs[] = { "src", "lib", "tools", "tests", "src/core", "src/net" };
static const char *const cwds[] = { "/home/dev/project", "/home/dev/project/build",
				    "/home/dev/project/src", "/tmp", "/home/dev/project/tests" };

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static size_t append(char *dst, size_t at, const char *s)
{
	size_t n = strlen(s);
	memcpy(dst + at, s, n);
	return at + n;
}

static size_t utoa(char *dst, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	for (size_t i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

static void check(struct pq_writer *w, int rc)
{
	if (rc < 0) {
		fprintf(stderr, "pq_bench: %s\n", pq_writer_error(w));
		exit(1);
	}
}

static int64_t opt_i64(struct pq_writer *w, size_t col, bool present, int64_t v)
{
	return present ? pq_write_int64(w, col, v) : pq_write_null(w, col);
}

static void row(struct pq_writer *w, uint64_t i, int64_t *clock)
{
	char args[16][64], cmdline[16 * 64];
	const char *items[16];
	size_t lens[16];
	uint64_t r = next(), r2 = next();
	size_t b = (r % 97) % (sizeof binaries / sizeof *binaries);
	const char *bin = binaries[b], *comm = strrchr(bin, '/') + 1;
	int64_t pid = 10000 + (int64_t)(i * 7 % 4000000);

	/* Built with memcpy: the benchmark should time the writer, not snprintf. */
	size_t argc = 1 + r2 % 11, at = 0;
	for (size_t k = 0; k < argc; k++) {
		char *a = args[k];
		size_t n;
		if (k == 0)
			n = append(a, 0, comm);
		else if (k % 3 == 0) {
			n = append(a, 0, dirs[(r >> 8) % 6]);
			n = append(a, n, "/file");
			n += utoa(a + n, ((r >> 16) + k) % 3000);
			n = append(a, n, ".c");
		} else
			n = append(a, 0, flags[(r >> (4 * k)) % 16]);
		items[k] = a;
		lens[k] = n;
		if (k)
			cmdline[at++] = ' ';
		memcpy(cmdline + at, a, n);
		at += n;
	}
	int64_t start = (*clock += 20000 + (int64_t)(r % 80000));
	int64_t duration = (int64_t)(r2 >> 40) % 400000000 + 100000;
	bool signaled = r % 211 == 0, running = r % 503 == 0;
	int64_t cpu_user = duration / 3 + (int64_t)(r % 1000) * 1000;
	int64_t cpu_sys = duration / 9 + (int64_t)(r2 % 1000) * 1000;

	check(w, pq_write_bytes(w, RUN_ID, "2b7e1516-28ae-4d2a-a6d2-f715887e0b3c", 36));
	check(w, pq_write_int64(w, EXEC_ID, (int64_t)i + 1));
	check(w, opt_i64(w, PARENT_EXEC_ID, i > 0, (int64_t)(i - (i > 8 ? r % 8 : 0))));
	check(w, opt_i64(w, PREV_EXEC_ID, r % 10 == 0 && i > 0, (int64_t)i));
	check(w, pq_write_int32(w, PID, (int32_t)pid));
	check(w, pq_write_int32(w, PPID, (int32_t)(pid - 7 * (int64_t)(r % 8 + 1))));
	check(w, pq_write_int32(w, NS_PID, (int32_t)pid));
	check(w, pq_write_int64(w, CGROUP_ID, 4242 + (int64_t)(r % 3)));
	check(w, pq_write_int64(w, UID, r % 50 ? 1000 : 0));
	check(w, pq_write_int64(w, GID, r % 50 ? 1000 : 0));
	check(w, pq_write_bytes(w, COMM, comm, strlen(comm)));
	check(w, r % 50 == 7 ? pq_write_null(w, FILENAME) : pq_write_bytes(w, FILENAME, bin, strlen(bin)));
	check(w, pq_write_list(w, ARGV, items, lens, argc));
	check(w, pq_write_bytes(w, CMDLINE, cmdline, at));
	check(w, pq_write_bool(w, ARGV_TRUNCATED, r % 1000 == 0));
	const char *cwd = cwds[(r >> 20) % 5];
	check(w, r % 100 == 3 ? pq_write_null(w, CWD) : pq_write_bytes(w, CWD, cwd, strlen(cwd)));
	check(w, pq_write_int64(w, START_TIME, start));
	check(w, opt_i64(w, EXEC_TIME, r % 100 != 5, start + 30000 + (int64_t)(r % 5000)));
	check(w, opt_i64(w, END_TIME, !running, start + duration));
	check(w, pq_write_int64(w, DURATION_NS, duration));
	check(w, pq_write_int64(w, CPU_USER_NS, cpu_user));
	check(w, pq_write_int64(w, CPU_SYS_NS, cpu_sys));
	check(w, pq_write_int64(w, CPU_NS, cpu_user + cpu_sys));
	check(w, pq_write_int64(w, MAX_RSS_KB, 2000 + (int64_t)(r2 % 200000)));
	check(w, pq_write_int64(w, READ_BYTES, (int64_t)(r % 100) * 4096));
	check(w, pq_write_int64(w, WRITE_BYTES, (int64_t)(r2 % 64) * 4096));
	check(w, pq_write_int64(w, MINOR_FAULTS, 100 + (int64_t)(r2 % 5000)));
	check(w, pq_write_int64(w, MAJOR_FAULTS, r % 20 == 0 ? 1 : 0));
	check(w, pq_write_int64(w, VOL_CTX, (int64_t)(r % 40)));
	check(w, pq_write_int64(w, INVOL_CTX, (int64_t)(r2 % 15)));
	if (running) {
		check(w, pq_write_null(w, EXIT_CODE));
		check(w, pq_write_null(w, SIGNAL));
	} else if (signaled) {
		check(w, pq_write_null(w, EXIT_CODE));
		check(w, pq_write_int32(w, SIGNAL, r % 2 ? 9 : 15));
	} else {
		check(w, pq_write_int32(w, EXIT_CODE, r % 30 == 0 ? 1 : 0));
		check(w, pq_write_null(w, SIGNAL));
	}
	check(w, pq_write_bool(w, CORE_DUMPED, false));
	const char *reason = running ? "running" : signaled ? "signal" : "exit";
	check(w, pq_write_bytes(w, END_REASON, reason, strlen(reason)));
	check(w, pq_writer_end_row(w));
}

/* Peak RSS of this program: VmHWM, which (unlike ru_maxrss) does not carry over the
 * memory of the process that exec'ed it. */
static long peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	struct pq_writer_options o = { 0 };
	if (argc < 3) {
		fprintf(stderr, "usage: pq_bench OUT ROWS [--codec zstd|none] [--row-group-bytes N] "
				"[--timestamps-as-int64]\n");
		return 2;
	}
	uint64_t rows = strtoull(argv[2], NULL, 10);
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--codec") == 0 && i + 1 < argc)
			o.codec = strcmp(argv[++i], "none") == 0 ? PQ_CODEC_UNCOMPRESSED : PQ_CODEC_ZSTD;
		else if (strcmp(argv[i], "--row-group-bytes") == 0 && i + 1 < argc)
			o.row_group_bytes = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--timestamps-as-int64") == 0)
			columns[START_TIME].type = columns[EXEC_TIME].type = columns[END_TIME].type =
				PQ_INT64;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char err[256];
	struct pq_writer *w = pq_writer_open(argv[1], columns, NCOLS, &o, err, sizeof err);
	if (!w) {
		fprintf(stderr, "pq_bench: %s\n", err);
		return 1;
	}
	int64_t clock = 1764000000000000000;
	for (uint64_t i = 0; i < rows; i++)
		row(w, i, &clock);
	if (pq_writer_close(w, err, sizeof err) < 0) {
		fprintf(stderr, "pq_bench: %s\n", err);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct rusage ru;
	struct stat st;
	getrusage(RUSAGE_SELF, &ru);
	stat(argv[1], &st);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	printf("{\"rows\":%llu,\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"bytes\":%lld,"
	       "\"max_rss_kb\":%ld}\n",
	       (unsigned long long)rows, secs, cpu, (long long)st.st_size, peak_rss_kb());
	return 0;
}
