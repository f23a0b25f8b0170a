/* The traced processes by pid: a hash table chained through the execution each process is
 * running now (its "current" one). A pid can be held twice: by a process that exited and awaits
 * its final accounting (FREE record), and by the new process that reused the pid meanwhile. The
 * newer comes first in the chain; the older is the one to be freed first. */
#ifndef PIPETRACE_PROCESS_TABLE_H
#define PIPETRACE_PROCESS_TABLE_H

#include "model/execution.h"

struct process_table {
	struct execution **buckets; /* bucket_count of them, a power of two */
	size_t bucket_count, count;
};

/* Allocates the buckets of an empty table (or doubles them); -1 when out of memory. */
int process_table_grow(struct process_table *t);
void process_table_free(struct process_table *t);

/* The slot of the current execution of the newest process holding pid, or of NULL. */
struct execution **process_slot(struct process_table *t, uint32_t pid);
/* The slot of the oldest process holding pid, or of NULL. */
struct execution **process_oldest_slot(struct process_table *t, uint32_t pid);

/* e becomes the current execution of a process new to the table, the newest to hold its pid. */
int process_add(struct process_table *t, struct execution *e);
/* The process whose current execution *slot is leaves the table. */
void process_remove(struct process_table *t, struct execution **slot);

#endif
