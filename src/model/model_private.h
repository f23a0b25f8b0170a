/* The model's insides, shared by its files (model.c, carry.c) and no one else. */
#ifndef PIPETRACE_MODEL_PRIVATE_H
#define PIPETRACE_MODEL_PRIVATE_H

#include "model/model.h"
#include "model/process_table.h"

/* Each traced process is known by the execution it is running now, found by pid in the process
 * table. */
struct model {
	struct execution_sink sink;
	struct process_table processes;
	size_t awaiting_final; /* processes exited whose final accounting (FREE) has not come */
	uint64_t next_exec_id;
};

struct image *image_new(void);
void image_clear(struct image *image);
void image_release(struct image *image);
void execution_destroy(struct execution *e);

#endif
