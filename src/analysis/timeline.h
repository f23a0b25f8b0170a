/* A run laid out for drawing (pipetrace export, docs/export.md): its executions grouped into
 * processes (an exec chain is one process: the same pid after exec), the processes in rows,
 * depth-first along the process tree with children by start time, the critical path marked,
 * and the cpu probe's samples. */
#ifndef PIPETRACE_TIMELINE_H
#define PIPETRACE_TIMELINE_H

#include <stdbool.h>

#include "analysis/cpu_samples.h"
#include "analysis/run_data.h"
#include "analysis/summary.h"

#define TIMELINE_NONE SIZE_MAX

struct timeline_process {
	size_t parent;      /* row of the parent process, or TIMELINE_NONE */
	size_t depth;       /* 0 for a root */
	size_t first_image; /* its executions: images[first_image .. first_image + image_count) */
	size_t image_count;
	size_t subtree_end; /* one past the row of its last descendant */
	int64_t start_ns, end_ns;
};

struct timeline {
	const char *dir;
	struct run_data data;
	const struct run_record *run; /* the run drawn */
	struct summary summary;       /* header figures and critical path */
	struct cpu_samples samples;
	struct timeline_process *processes; /* process_count rows */
	size_t process_count;
	size_t *images;   /* indices into run->executions, process by process, chains in order */
	size_t *row_of;   /* per execution: its process's row */
	bool *on_path;    /* per execution: an image of a critical-path step */
};

/* Loads the run run_id of dir (NULL: the folder's only run). On failure returns -1 with a
 * one-line cause in err. */
int timeline_load(const char *dir, const char *run_id, struct timeline *out, char *err,
		  size_t err_size);
void timeline_free(struct timeline *t);

/* The samples of execution i (count in *count), in time order. */
const struct cpu_sample *timeline_samples(const struct timeline *t, size_t i, size_t *count);

/* How many cores an execution used between a sample and the previous one (or the
 * execution's start for its first sample); 0 for no elapsed time. */
double sample_cpu_rate(const struct timeline *t, size_t execution, const struct cpu_sample *s,
		       size_t k);

#endif
