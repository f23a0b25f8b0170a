/* The fleet layout (--partition, docs/fleet.md): ROOT/host=HOST/date=YYYY-MM-DD/run=RUN_ID,
 * values limited to characters no query engine escapes in a folder name. */
#ifndef PIPETRACE_PARTITION_H
#define PIPETRACE_PARTITION_H

#include <stddef.h>
#include <stdint.h>

/* Characters a partition value may hold; any other is written '_'. */
#define PARTITION_SAFE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/* The folder of a run of host that started at start_ns (CLOCK_REALTIME; its UTC date). */
void partition_dir(const char *root, const char *host, uint64_t start_ns, const char *run_id,
		   char *out, size_t size);

/* The folder under root of the one run of the dataset in dir (its runs.parquet); -1 with err
 * set when it cannot be read or holds other than one run. */
int partition_dir_of(const char *dir, const char *root, char *out, size_t size, char *err,
		     size_t err_size);

#endif
