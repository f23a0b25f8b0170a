/* pipetrace merge: datasets (several runs, hosts, or probe streams written separately) into
 * one folder, table by table, keeping every row's run_id. */
#ifndef PIPETRACE_MERGE_H
#define PIPETRACE_MERGE_H

#include <stddef.h>

/* Every table present in any input is written to out_dir with the rows of all inputs; a table
 * must have the same columns wherever it appears. A run that two inputs both hold in the same
 * table (a dataset merged twice) is taken from the first only. */
int dataset_merge(const char *const *inputs, size_t input_count, const char *const *tables,
		  size_t table_count, const char *out_dir, char *err, size_t err_size);

#endif
