/* The dataset folders under a root: a fleet layout (ROOT/host=H/date=D/run=ID, --partition),
 * record --rotate's series, or any folder of dataset folders. */
#ifndef PIPETRACE_RUN_FOLDERS_H
#define PIPETRACE_RUN_FOLDERS_H

#include <stdbool.h>
#include <stddef.h>

struct run_folders {
	char **dirs; /* newest run first */
	size_t count;
};

/* root itself when it holds runs.parquet or processes.parquet, else every folder below it
 * (up to 8 levels) that does, newest first (by the earliest start_time of its runs); only
 * those holding run_id when it is not NULL. A folder a live run writes (its journal locked)
 * comes first, without run_id; one a run left to recover (its journal unlocked) is an error
 * naming pipetrace recover. 0 (count may be 0), or -1 with err set. */
int run_folders_find(const char *root, const char *run_id, struct run_folders *out, char *err,
		     size_t err_size);
/* Every folder below root (up to 8 levels) that a killed run left to recover (its journal
 * not locked), the last name first (run ids start with their time). 0 (count may be 0), or
 * -1 with err set. */
int run_folders_to_recover(const char *root, struct run_folders *out, char *err,
			   size_t err_size);
void run_folders_free(struct run_folders *f);
/* Whether dir is a dataset folder: it holds runs.parquet or processes.parquet (one missing
 * the other is reported by the reader). */
bool run_folders_is_dataset(const char *dir);

#endif
