#include "dataset/partition.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "parquet/parquet.h"

/* value with every character an engine would escape made '_'; "unknown" when empty. */
static void safe_value(const char *value, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (; n < len && n + 1 < size; n++)
		out[n] = strchr(PARTITION_SAFE_CHARS, value[n]) && value[n] ? value[n] : '_';
	out[n] = '\0';
	if (!n)
		snprintf(out, size, "unknown");
}

void partition_dir(const char *root, const char *host, uint64_t start_ns, const char *run_id,
		   char *out, size_t size)
{
	char safe_host[256], safe_run[256], date[16];
	time_t start = (time_t)(start_ns / 1000000000u);
	struct tm tm;

	safe_value(host, strlen(host), safe_host, sizeof(safe_host));
	safe_value(run_id, strlen(run_id), safe_run, sizeof(safe_run));
	gmtime_r(&start, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	snprintf(out, size, "%s/host=%s/date=%s/run=%s", root, safe_host, date, safe_run);
}

/* A string column's value in row 0, bounded to size - 1 bytes. */
static void string_at_0(const struct pq_column *c, char *out, size_t size)
{
	size_t len = c->present[0] ? c->offsets[1] - c->offsets[0] : 0;

	if (len >= size)
		len = size - 1;
	memcpy(out, c->bytes + c->offsets[0], len);
	out[len] = '\0';
}

int partition_dir_of(const char *dir, const char *root, char *out, size_t size, char *err,
		     size_t err_size)
{
	static const char *const names[] = {"run_id", "host", "start_time"};
	struct pq_column cols[3] = {0};
	char path[PATH_MAX + 16], run_id[256], host[256];
	struct pq_reader *r;
	long at;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/runs.parquet", dir);
	if (!(r = pq_reader_open(path, err, err_size)))
		return -1;
	if (pq_reader_rows(r) != 1) {
		snprintf(err, err_size, "%s holds %llu runs; --partition takes datasets of one run "
			 "each", path, (unsigned long long)pq_reader_rows(r));
		rc = -1;
	}
	for (size_t i = 0; i < 3 && !rc; i++) {
		if ((at = pq_reader_find_column(r, names[i])) < 0 ||
		    pq_reader_read_column(r, (size_t)at, &cols[i])) {
			snprintf(err, err_size, "%s: no readable %s column", path, names[i]);
			rc = -1;
		}
	}
	if (!rc) {
		string_at_0(&cols[0], run_id, sizeof(run_id));
		string_at_0(&cols[1], host, sizeof(host));
		partition_dir(root, host, (uint64_t)cols[2].ints[0], run_id, out, size);
	}
	for (size_t i = 0; i < 3; i++)
		pq_column_free(&cols[i]);
	pq_reader_close(r);
	return rc;
}
