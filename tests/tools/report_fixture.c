/* report_fixture: writes a crafted dataset (runs.parquet, processes.parquet) through the
 * Parquet writer, so that the summary report can be tested without BPF.
 *
 *   report_fixture DIR fanout     a pipeline: a step, a fan-out of three builds (one exec
 *                                 chain inside the longest), a packaging step, a failed
 *                                 build, a killed sleep, a subshell, a daemon left running
 *   report_fixture DIR links      links the critical path must survive: a duplicate exec_id,
 *                                 cycles of parents and of prev_exec_id, an unknown and a self
 *                                 parent, executions that end as they start or before
 *   report_fixture DIR merged     two runs (fanout's and links' executions) and an execution
 *                                 of a run runs.parquet does not hold
 *   report_fixture DIR tree N     N executions in a pseudo-random tree (deterministic)
 *   report_fixture DIR chain N    N executions each nested in the previous one
 *   report_fixture DIR empty      a run without executions
 *   report_fixture DIR normalize  command lines that differ only in temporary names, hex ids
 *                                 and numbers (the normalized key), and some that must not merge
 *   report_fixture DIR uncounted  fanout's, in a runs.parquet from before the lost_* columns:
 *                                 lost_events 3, its causes unknown
 *
 * Every execution has two cpu_samples rows: halfway through with a third of its CPU time,
 * and at its end with all of it. The run starts at FIXTURE_START_NS and lasts 10 s, or 2000 s
 * for tree and chain. Exits 1 with the writer's message on error. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataset/schema.h"

#define FIXTURE_START_NS INT64_C(1700000000000000000)
#define MS INT64_C(1000000)
#define NONE 0 /* a null exec id, exit code or signal */

struct fixture_exec {
	int64_t exec_id, parent_exec_id, prev_exec_id;
	int64_t start_ms, end_ms, cpu_ms;
	const char *filename; /* NULL: null */
	const char *cmdline;  /* argv is its words split at spaces */
	int exit_code;        /* -1: null */
	int signal;           /* NONE: null */
	const char *end_reason;
};

struct fixture {
	const char *dir;
	struct pq_writer *processes;
	struct pq_writer *samples;
	const char *run_id; /* of the executions added next */
	size_t executions;
};

static void die(const char *what, const char *why)
{
	fprintf(stderr, "report_fixture: %s: %s\n", what, why);
	exit(1);
}

static void check(struct pq_writer *w, int rc)
{
	if (rc != 0)
		die("write", pq_writer_error(w));
}

static struct pq_writer *open_table(const char *dir, const char *name,
				    const struct pq_column_def *columns, size_t count)
{
	char path[4096], err[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct pq_writer *w = pq_writer_open(path, columns, count, NULL, err, sizeof(err));
	if (!w)
		die(path, err);
	return w;
}

static void close_table(struct pq_writer *w)
{
	char err[512];
	if (pq_writer_close(w, err, sizeof(err)) != 0)
		die("close", err);
}

static void write_string(struct pq_writer *w, size_t column, const char *s)
{
	check(w, s ? pq_write_bytes(w, column, s, strlen(s)) : pq_write_null(w, column));
}

static void write_words(struct pq_writer *w, size_t column, const char *line)
{
	char copy[4096];
	const char *items[64];
	size_t lengths[64], count = 0;
	snprintf(copy, sizeof(copy), "%s", line);
	for (char *save = NULL, *word = strtok_r(copy, " ", &save); word && count < 64;
	     word = strtok_r(NULL, " ", &save)) {
		items[count] = word;
		lengths[count++] = strlen(word);
	}
	check(w, pq_write_list(w, column, items, lengths, count));
}

static void write_optional_id(struct pq_writer *w, size_t column, int64_t id)
{
	check(w, id != NONE ? pq_write_int64(w, column, id) : pq_write_null(w, column));
}

/* Two samples: halfway with a third of the CPU, and at the end with all of it. */
static void add_samples(struct fixture *f, const struct fixture_exec *e)
{
	struct pq_writer *w = f->samples;
	int64_t mid_ms = e->start_ms + (e->end_ms - e->start_ms) / 2;
	const int64_t ts_ms[] = { mid_ms, e->end_ms }, cpu_ms[] = { e->cpu_ms / 3, e->cpu_ms };
	for (size_t k = 0; k < 2; k++) {
		write_string(w, SAMPLES_RUN_ID, f->run_id);
		check(w, pq_write_int64(w, SAMPLES_TS, FIXTURE_START_NS + ts_ms[k] * MS));
		check(w, pq_write_int64(w, SAMPLES_EXEC_ID, e->exec_id));
		check(w, pq_write_int32(w, SAMPLES_PID, (int32_t)(1000 + e->exec_id % 30000)));
		check(w, pq_write_int64(w, SAMPLES_CPU_NS, cpu_ms[k] * MS));
		check(w, pq_write_int64(w, SAMPLES_RSS_KB, 512 * (int64_t)(k + 1) + e->exec_id % 50));
		check(w, pq_writer_end_row(w));
	}
}

static void add_execution(struct fixture *f, const struct fixture_exec *e)
{
	struct pq_writer *w = f->processes;
	int64_t cpu_ns = e->cpu_ms * MS;
	for (size_t c = 0; c < PROC_COLUMNS; c++) {
		switch ((enum processes_column)c) {
		case PROC_RUN_ID: write_string(w, c, f->run_id); break;
		case PROC_EXEC_ID: check(w, pq_write_int64(w, c, e->exec_id)); break;
		case PROC_PARENT_EXEC_ID: write_optional_id(w, c, e->parent_exec_id); break;
		case PROC_PREV_EXEC_ID: write_optional_id(w, c, e->prev_exec_id); break;
		case PROC_PID: case PROC_NS_PID:
			check(w, pq_write_int32(w, c, (int32_t)(1000 + e->exec_id % 30000)));
			break;
		case PROC_PPID: check(w, pq_write_int32(w, c, 999)); break;
		case PROC_COMM: write_string(w, c, "fixture"); break;
		case PROC_FILENAME: write_string(w, c, e->filename); break;
		case PROC_ARGV: write_words(w, c, e->cmdline); break;
		case PROC_CMDLINE: write_string(w, c, e->cmdline); break;
		case PROC_ARGV_TRUNCATED: case PROC_ARGV_REDACTED: case PROC_CORE_DUMPED:
		case PROC_ATTACHED:
			check(w, pq_write_bool(w, c, false));
			break;
		case PROC_CWD: write_string(w, c, "/tmp"); break;
		case PROC_CGROUP: write_string(w, c, "/"); break;
		case PROC_START_TIME: case PROC_EXEC_TIME:
			check(w, pq_write_int64(w, c, FIXTURE_START_NS + e->start_ms * MS));
			break;
		case PROC_END_TIME:
			check(w, pq_write_int64(w, c, FIXTURE_START_NS + e->end_ms * MS));
			break;
		case PROC_DURATION_NS: check(w, pq_write_int64(w, c, (e->end_ms - e->start_ms) * MS)); break;
		case PROC_CPU_USER_NS: check(w, pq_write_int64(w, c, cpu_ns - cpu_ns / 4)); break;
		case PROC_CPU_SYS_NS: check(w, pq_write_int64(w, c, cpu_ns / 4)); break;
		case PROC_CPU_NS: check(w, pq_write_int64(w, c, cpu_ns)); break;
		case PROC_MAX_RSS_KB: check(w, pq_write_int64(w, c, 1024 + 64 * (e->exec_id % 50))); break;
		case PROC_EXIT_CODE:
			check(w, e->exit_code >= 0 ? pq_write_int32(w, c, e->exit_code)
						   : pq_write_null(w, c));
			break;
		case PROC_SIGNAL:
			check(w, e->signal != NONE ? pq_write_int32(w, c, e->signal) : pq_write_null(w, c));
			break;
		case PROC_END_REASON: write_string(w, c, e->end_reason); break;
		default: check(w, pq_write_int64(w, c, 0)); break; /* the remaining INT64 counters */
		}
	}
	check(w, pq_writer_end_row(w));
	f->executions++;
	add_samples(f, e);
}

/* lost_events split by cause: all lost to a full ring buffer but one malformed record. */
static int64_t lost_by_kind(size_t kind, int64_t lost_events)
{
	if (!lost_events)
		return 0;
	return kind == LOST_RING_FULL ? lost_events - 1 : kind == LOST_MALFORMED ? 1 : 0;
}

/* One row per run id, each run lasting wall_ms. */
static void write_runs(const struct fixture *f, const char *const *run_ids, size_t count,
		       int64_t wall_ms, int64_t lost_events, size_t columns)
{
	struct pq_writer *w = open_table(f->dir, "runs.parquet", runs_columns, columns);
	for (size_t run = 0; run < count; run++) {
		for (size_t c = 0; c < columns; c++) {
			switch ((enum runs_column)c) {
			case RUNS_RUN_ID: write_string(w, c, run_ids[run]); break;
			case RUNS_COMMAND: write_words(w, c, "sh pipeline.sh"); break;
			case RUNS_PROBES: write_words(w, c, "proc"); break;
			case RUNS_OPTIONS: write_string(w, c, "{}"); break;
			case RUNS_STATUS: write_string(w, c, "complete"); break;
			case RUNS_START_TIME: check(w, pq_write_int64(w, c, FIXTURE_START_NS)); break;
			case RUNS_END_TIME:
				check(w, pq_write_int64(w, c, FIXTURE_START_NS + wall_ms * MS));
				break;
			case RUNS_EXIT_CODE: check(w, pq_write_int32(w, c, 0)); break;
			case RUNS_SIGNAL: check(w, pq_write_null(w, c)); break;
			case RUNS_PROCESSES: check(w, pq_write_int64(w, c, (int64_t)f->executions)); break;
			case RUNS_LOST_EVENTS: check(w, pq_write_int64(w, c, lost_events)); break;

			case RUNS_MONITOR_CPU_NS: case RUNS_REDACTED_EXECUTIONS: case RUNS_REDACTED_WORDS:
				check(w, pq_write_int64(w, c, 0));
				break;
			case RUNS_REDACT: check(w, pq_write_bool(w, c, true)); break;
			default:
				if (c >= RUNS_LOST_FIRST && c <= RUNS_LOST_LAST)
					check(w, pq_write_int64(w, c, lost_by_kind(c - RUNS_LOST_FIRST,
										   lost_events)));
				else
					write_string(w, c, "fixture"); /* host, kernel, cwd, ... */
				break;
			}
		}
		check(w, pq_writer_end_row(w));
	}
	close_table(w);
}

static void write_fanout(struct fixture *f)
{
	static const struct fixture_exec executions[] = {
		{ 1, NONE, NONE, 50, 9950, 20, "/bin/sh", "sh pipeline.sh", 0, NONE, "exit" },
		{ 2, 1, NONE, 100, 1100, 900, "/usr/bin/python3", "./prepare --fetch", 0, NONE, "exit" },
		{ 14, 2, NONE, 500, 700, 150, "/usr/bin/python3",
		  "python3 -c print(\"a|b`c\") --data=/very/long/path/to/a/data/set/that/goes/on/and/on"
		  "/and/on/until/it/is/much/wider/than/any/terminal/column/could/be/unicode/\u2603"
		  "/snowman/and/then/some/more/path/components/to/be/sure/input.csv", 0, NONE, "exit" },
		{ 3, 1, NONE, 1200, 3200, 1800, "/usr/bin/make", "make -C a", 0, NONE, "exit" },
		{ 4, 1, NONE, 1200, 7200, 300, "/usr/bin/make", "make -C b", 0, NONE, "exit" },
		{ 5, 1, NONE, 1200, 5000, 3500, "/usr/bin/make", "make -C c", 2, NONE, "exit" },
		{ 6, 4, NONE, 1500, 1510, 1, "/bin/sh", "sh -c exec cc -O2 b.c", -1, NONE, "exec" },
		{ 7, 4, 6, 1510, 7000, 5400, "/usr/bin/cc", "cc -O2 b.c", 0, NONE, "exit" },
		{ 8, 1, NONE, 2000, 4000, 1, "/usr/bin/sleep", "sleep 100", -1, 9, "exit" },
		{ 13, 1, NONE, 3000, 3100, 5, NULL, "sh pipeline.sh", 0, NONE, "exit" },
		{ 15, 1, NONE, 6000, 10000, 40, "/usr/bin/redis-server", "redis-server --port 7000", -1,
		  NONE, "running" },
		{ 9, 1, NONE, 7300, 9800, 10, "/bin/sh", "sh package.sh", 0, NONE, "exit" },
		{ 10, 9, NONE, 7400, 8000, 550, "/usr/bin/gzip", "gzip -9 part", 0, NONE, "exit" },
		{ 11, 9, NONE, 8000, 8800, 750, "/usr/bin/gzip", "gzip -9 part", 0, NONE, "exit" },
		{ 12, 9, NONE, 8800, 9700, 850, "/usr/bin/gzip", "gzip -9 part", 0, NONE, "exit" },
	};
	for (size_t i = 0; i < sizeof(executions) / sizeof(executions[0]); i++)
		add_execution(f, &executions[i]);
}

static void write_links(struct fixture *f)
{
	static const struct fixture_exec executions[] = {
		{ 1, NONE, NONE, 0, 1000, 10, "/bin/sh", "root", 0, NONE, "exit" },
		{ 1, NONE, NONE, 0, 5000, 10, "/bin/sh", "duplicate of root", 0, NONE, "exit" },
		{ 3, 4, NONE, 100, 900, 10, "/bin/sh", "parent cycle a", 0, NONE, "exit" },
		{ 4, 3, NONE, 100, 900, 10, "/bin/sh", "parent cycle b", 0, NONE, "exit" },
		{ 5, 1, 6, 200, 300, 10, "/bin/sh", "exec cycle a", -1, NONE, "exec" },
		{ 6, 1, 5, 300, 400, 10, "/bin/sh", "exec cycle b", 0, NONE, "exit" },
		{ 7, 99, NONE, 0, 800, 10, "/bin/sh", "unknown parent", 0, NONE, "exit" },
		{ 8, 8, NONE, 10, 20, 10, "/bin/sh", "own parent", 0, NONE, "exit" },
		{ 9, 1, NONE, 500, 500, 10, "/bin/true", "instant", 0, NONE, "exit" },
		{ 10, 1, NONE, 700, 600, 10, "/bin/true", "backwards", 0, NONE, "exit" },
		{ 11, 1, NONE, 600, 950, 10, "/bin/sh", "last child", 0, NONE, "exit" },
	};
	for (size_t i = 0; i < sizeof(executions) / sizeof(executions[0]); i++)
		add_execution(f, &executions[i]);
}

/* Two runs (the fanout and the links scenarios) and an execution of a run not in runs.parquet,
 * as in a folder that pipetrace merge wrote. */
static void write_merged(struct fixture *f)
{
	static const struct fixture_exec orphan = { 1, NONE, NONE, 0, 10, 1, "/bin/true", "orphan", 0,
						    NONE, "exit" };
	f->run_id = "fixture-a";
	write_fanout(f);
	f->run_id = "fixture-b";
	write_links(f);
	f->run_id = "not-in-runs";
	add_execution(f, &orphan);
}

/* Under the root, one execution per command line, each 100 ms long, one after the other. */
static void write_normalize(struct fixture *f)
{
	static const char *const cmdlines[] = {
		"cc1 -quiet /tmp/ccAbC123.s -o /tmp/ccXy9Z01.o", "cc1 -quiet /tmp/cc0Q1w2e.s -o /tmp/ccRt5Y6u.o",
		"sleep 0.1", "sleep 0.5", "sleep 3",
		"docker rm 3fa9c2e1b4d5", "docker rm 0b1c2d3e4f5a",
		"tar -C /var/tmp/tmp.AbCdEf1234/build -xf x.tar", "tar -C /var/tmp/tmp.ZyXwVu9876/build -xf x.tar",
		"worker --shard=3 --id 4f1a2c3e-1234-5678-9abc-def012345678",
		"worker --shard=12 --id 9e8d7c6b-aaaa-4bbb-8ccc-0123456789ab",
		"python3 -O2 x86_64.py", "python2 -O3 x86_64.py", "cafe beef",
	};
	static const struct fixture_exec root = { 1, NONE, NONE, 0, 9000, 10, "/bin/sh",
						  "sh pipeline.sh", 0, NONE, "exit" };
	add_execution(f, &root);
	for (size_t i = 0; i < sizeof(cmdlines) / sizeof(cmdlines[0]); i++) {
		struct fixture_exec e = { (int64_t)i + 2, 1, NONE, 100 * ((int64_t)i + 1),
					  100 * ((int64_t)i + 2), 10, "/usr/bin/tool", cmdlines[i], 0,
					  NONE, "exit" };
		add_execution(f, &e);
	}
}

static uint64_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005u + 1442695040888963407u;
	return *state >> 33;
}

/* Execution i (id i + 1) hangs under a random earlier one and lies within its time. */
static void write_tree(struct fixture *f, size_t count)
{
	int64_t *start = malloc(count * sizeof(*start)), *end = malloc(count * sizeof(*end));
	uint64_t state = 42;
	if (!start || !end)
		die("tree", "out of memory");
	for (size_t i = 0; i < count; i++) {
		size_t parent = i ? next_random(&state) % i : 0;
		int64_t from = i ? start[parent] : 0, to = i ? end[parent] : 1000000;
		int64_t span = to - from;
		start[i] = from + (span > 1 ? (int64_t)(next_random(&state) % (uint64_t)(span / 2)) : 0);
		end[i] = start[i] + (to - start[i] > 1
				     ? (int64_t)(next_random(&state) % (uint64_t)(to - start[i])) : 0);
		char cmdline[64], filename[64];
		snprintf(cmdline, sizeof(cmdline), "job-%zu --step %zu", i % 1000, i % 7);
		snprintf(filename, sizeof(filename), "/usr/bin/tool%zu", i % 37);
		struct fixture_exec e = {
			(int64_t)i + 1, i ? (int64_t)parent + 1 : NONE, NONE, start[i], end[i],
			(int64_t)(next_random(&state) % 5000), filename, cmdline,
			i % 1009 == 0 && i ? -1 : i % 97 == 0 && i ? 1 : 0,
			i % 1009 == 0 && i ? 15 : NONE, "exit",
		};
		add_execution(f, &e);
	}
	free(start);
	free(end);
}

static void write_chain(struct fixture *f, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct fixture_exec e = {
			(int64_t)i + 1, i ? (int64_t)i : NONE, NONE, (int64_t)i, 2000000 - (int64_t)i, 1,
			"/bin/sh", "sh -c nested", 0, NONE, "exit",
		};
		add_execution(f, &e);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: report_fixture DIR fanout|links|merged|tree N|chain N|empty|normalize|"
				"uncounted\n");
		return 2;
	}
	struct fixture f = { .dir = argv[1], .run_id = "fixture" };
	const char *scenario = argv[2];
	size_t count = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	bool long_run = strcmp(scenario, "tree") == 0 || strcmp(scenario, "chain") == 0;
	mkdir(f.dir, 0755);
	f.processes = open_table(f.dir, "processes.parquet", processes_columns, PROC_COLUMNS);
	f.samples = open_table(f.dir, "cpu_samples.parquet", cpu_samples_columns, SAMPLES_COLUMNS);
	/* runs.parquet of the columns before the lost_* ones: a file from before they were. */
	bool uncounted = strcmp(scenario, "uncounted") == 0;
	if (strcmp(scenario, "fanout") == 0 || uncounted)
		write_fanout(&f);
	else if (strcmp(scenario, "links") == 0)
		write_links(&f);
	else if (strcmp(scenario, "merged") == 0)
		write_merged(&f);
	else if (strcmp(scenario, "normalize") == 0)
		write_normalize(&f);
	else if (strcmp(scenario, "tree") == 0 && count > 0)
		write_tree(&f, count);
	else if (strcmp(scenario, "chain") == 0 && count > 0)
		write_chain(&f, count);
	else if (strcmp(scenario, "empty") != 0)
		die(scenario, "unknown scenario (or missing N)");
	close_table(f.processes);
	close_table(f.samples);
	static const char *const single[] = { "fixture" }, *const merged[] = { "fixture-a",
									      "fixture-b" };
	bool two_runs = strcmp(scenario, "merged") == 0;
	write_runs(&f, two_runs ? merged : single, two_runs ? 2 : 1, long_run ? 2000000 : 10000,
		   strcmp(scenario, "fanout") == 0 || uncounted ? 3 : 0,
		   uncounted ? RUNS_LOST_FIRST : RUNS_COLUMNS);
	return 0;
}
