/* journal_bench DIR N: N synthetic executions (a shell running /bin/true N times, as a spawn
 * storm's records) written through the run's journal writer into DIR, one frame per 100
 * executions, then replayed through the model and the table writers (pipetrace recover's
 * path, the same as a live run's). Prints one JSON line: journal bytes per execution, the
 * mean cost of writing a frame, the dataset's bytes per execution, the replay's rate and its CPU
 * time per execution (all threads: the model, the table writers and their workers, what a live
 * run's monitor spends per execution less the ring and the journal), and the peak RSS of the
 * whole (docs/benchmarks.md "Durability"). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "bpf/proc.h"
#include "cli/tracing.h" /* trace_own_cpu_ns: the measure of runs.monitor_cpu_ns */
#include "dataset/dataset.h"
#include "dataset/journal.h"
#include "trace/journal_records.h"
#include "trace/replay.h"
#include "trace/run_record.h"

#define SHELL_PID 1000u
#define EXECS_PER_FRAME 100u

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "journal_bench: %s: %s\n", what, why);
	exit(1);
}

static void put(struct journal *j, const void *rec, size_t size)
{
	if (journal_append(j, rec, size))
		die("journal", journal_error(j));
}

static struct pt_record_header header(uint16_t type, size_t size, uint64_t ts, uint32_t pid)
{
	return (struct pt_record_header){.type = type, .size = (uint32_t)size, .ts = ts,
					 .pid = pid, .tid = pid};
}

/* fork, exec /bin/true i, exit 0, free: one execution of the storm. */
static void one_execution(struct journal *j, uint64_t i, uint64_t ts)
{
	uint32_t pid = SHELL_PID + 1 + (uint32_t)(i % 30000);
	struct pt_fork_record fork = {header(PT_REC_FORK, sizeof(fork), ts, pid), SHELL_PID,
				      SHELL_PID, pid, 0};
	char data[64], args[32];
	int args_len = snprintf(args, sizeof(args), "/bin/true%c%llu", 0, (unsigned long long)i) + 1;
	size_t filename_len = strlen("/bin/true"), cwd_len = strlen("tmp") + 1;
	unsigned char exec_buf[sizeof(struct pt_exec_record) + sizeof(data)];
	struct pt_exec_record *exec = (void *)exec_buf;
	struct pt_proc_usage usage = {.cpu_ns = 900000, .utime_ns = 400000, .stime_ns = 500000,
				      .min_flt = 60, .nvcsw = 1, .maxrss_kb = 1500};
	struct pt_exit_record exit_rec = {header(PT_REC_EXIT, sizeof(exit_rec), ts + 900000, pid),
					  0, 0, SHELL_PID, 0, usage};
	struct pt_free_record free_rec = {header(PT_REC_FREE, sizeof(free_rec), ts + 950000, pid),
					  usage};

	memcpy(data, "/bin/true", filename_len);
	memcpy(data + filename_len, "tmp", cwd_len);
	memcpy(data + filename_len + cwd_len, args, (size_t)args_len);
	memset(exec_buf, 0, sizeof(struct pt_exec_record));
	*exec = (struct pt_exec_record){
		.hdr = header(PT_REC_EXEC, sizeof(*exec) + filename_len + cwd_len + (size_t)args_len,
			      ts + 100000, pid),
		.ppid = SHELL_PID, .ns_pid = pid, .cgroup_id = 1,
		.filename_len = (uint32_t)filename_len, .args_len = (uint32_t)args_len,
		.args_full_len = (uint32_t)args_len, .old_tid = pid, .cwd_len = (uint32_t)cwd_len,
		.cwd_known = 1,
	};
	memcpy(exec->comm, "true", 5);
	memcpy(exec->data, data, filename_len + cwd_len + (size_t)args_len);
	put(j, &fork, sizeof(fork));
	put(j, exec, exec->hdr.size);
	put(j, &exit_rec, sizeof(exit_rec));
	put(j, &free_rec, sizeof(free_rec));
}

static void write_journal(struct journal *j, uint64_t count, uint64_t *frames)
{
	static char *command[] = {"bash", "-c", "for ((i = 0; i < N; i++)); do /bin/true $i; done"};
	static const char *probes[] = {"proc", "cpu"};
	struct run_info run = {.run_id = "journal-bench", .command = command, .command_count = 3,
			       .cwd = "/tmp", .options = "{}", .probes = probes, .probe_count = 2,
			       .start_ns = 1};
	struct run_settings settings = {0, 1000000000, 65536, true};
	struct pt_record_header seed = header(PT_JREC_SEED, sizeof(seed), 1000, SHELL_PID);
	struct pt_jrec_reaped reaped = {header(PT_JREC_REAPED, sizeof(reaped), 0, SHELL_PID), 0, 1};
	struct pt_jrec_end end = {.hdr = header(PT_JREC_END, sizeof(end), 0, 0), .cmd_status = 0};
	size_t size;
	struct pt_jrec_run *rec = run_record_encode(&run, &settings, &size);
	uint64_t ts = 2000;

	put(j, rec, size);
	free(rec);
	put(j, &seed, sizeof(seed));
	for (uint64_t i = 0; i < count; i++, ts += 1000000) {
		one_execution(j, i, ts);
		if ((i + 1) % EXECS_PER_FRAME == 0) {
			struct pt_jrec_tick tick = {.hdr = header(PT_JREC_TICK, sizeof(tick), ts, 0)};

			put(j, &tick, sizeof(tick));
			if (journal_flush(j))
				die("journal", journal_error(j));
			++*frames;
		}
	}
	reaped.hdr.ts = end.hdr.ts = ts;
	snprintf(end.status, sizeof(end.status), "complete");
	put(j, &reaped, sizeof(reaped));
	put(j, &end, sizeof(end));
	if (journal_flush(j))
		die("journal", journal_error(j));
	++*frames;
}

static uint64_t folder_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t total = 0;
	char path[4096];
	struct stat st;

	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.' && !stat(path, &st))
			total += (uint64_t)st.st_size;
	}
	if (d)
		closedir(d);
	return total;
}

int main(int argc, char **argv)
{
	struct replay_result res;
	struct rusage ru;
	uint64_t count, frames = 0, written, journal_ns, t0, replay_ns, cpu0;
	struct journal *j;
	char err[512];

	if (argc != 3 || !(count = strtoull(argv[2], NULL, 10)))
		die("usage", "journal_bench DIR N");
	if (dataset_make_dir(argv[1], (uid_t)-1, (gid_t)-1))
		die(argv[1], "cannot create it");
	if (!(j = journal_create(argv[1], false, err, sizeof(err))))
		die("journal", err);
	write_journal(j, count, &frames);
	written = journal_bytes(j);
	journal_ns = journal_write_ns(j);
	journal_close(j);
	t0 = now_ns();
	cpu0 = trace_own_cpu_ns();
	if (replay_journal(argv[1], argv[1], false, &res, err, sizeof(err)))
		die("replay", err);
	replay_ns = now_ns() - t0;
	cpu0 = trace_own_cpu_ns() - cpu0;
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"executions\":%llu,\"journal_bytes_per_execution\":%.1f,\"frames\":%llu,"
	       "\"flush_us\":%.1f,\"dataset_bytes_per_execution\":%.1f,"
	       "\"replay_executions_per_s\":%.0f,\"replay_cpu_us_per_execution\":%.2f,"
	       "\"peak_rss_kb\":%ld}\n",
	       (unsigned long long)res.executions, (double)written / (double)count,
	       (unsigned long long)frames, (double)journal_ns / (double)frames / 1000.0,
	       (double)folder_bytes(argv[1]) / (double)count,
	       (double)count / ((double)replay_ns / 1e9), (double)cpu0 / (double)count / 1000.0,
	       ru.ru_maxrss);
	return 0;
}
