/* Page workers: threads that dictionary-encode, encode and compress the pages the writer
 * buffered, so the writer thread only assembles rows. Each column belongs to one worker
 * (column index modulo PQ_WORKERS), whose jobs complete in submission order: a column's
 * dictionary and statistics are only touched by its worker until pq_workers_drain. At most
 * PQ_JOBS pages wait per worker, which bounds the memory. Without threads, jobs run inline. */
#ifndef PQ_WORKERS_H
#define PQ_WORKERS_H

#include "parquet/buf.h"

#include <pthread.h>
#include <zstd.h>

#define PQ_JOBS 4
#define PQ_WORKERS 2

struct pq_wcol;

struct pq_job {
	struct pq_wcol *c;
	bool dictionary;                  /* emit the chunk's dictionary page, not a data page */
	struct pq_buf defs, reps, values; /* the page as buffered by the writer (swapped in) */
	size_t levels;
};

struct pq_worker {
	const struct pq_workers *pool;
	bool threaded, stop, failed;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake, done;
	struct pq_job jobs[PQ_JOBS];
	size_t head, queued; /* jobs[head .. head + queued) wait for the thread */
	ZSTD_CCtx *zstd;
	struct pq_buf body, packed, idx; /* page encoding scratch */
	char err[128];
};

struct pq_workers {
	bool zstd;
	int level;
	struct pq_worker w[PQ_WORKERS];
};

int pq_workers_init(struct pq_workers *p, bool zstd, int level);
void pq_workers_free(struct pq_workers *p);
/* The job for column col's next page; waits while its worker has PQ_JOBS pages queued.
 * Fill it, then pq_job_submit. */
struct pq_job *pq_job_slot(struct pq_workers *p, size_t col);
void pq_job_submit(struct pq_workers *p, size_t col);
/* Waits for every queued job; -1 (message in err) if one failed. */
int pq_workers_drain(struct pq_workers *p, char *err, size_t err_size);

/* wpage.c: runs a job on a worker; -1 with k->err set on failure. */
int pq_page_encode(struct pq_worker *k, struct pq_job *j);

#endif
