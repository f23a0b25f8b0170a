/* Page compression on a worker thread: the writer encodes page N+1 while ZSTD compresses
 * page N. Jobs complete in submission order; at most PQ_JOBS pages are in flight, which
 * bounds the memory. Without ZSTD (or without a thread) pages are emitted inline. */
#ifndef PQ_COMPRESS_H
#define PQ_COMPRESS_H

#include "parquet/buf.h"

#include <pthread.h>
#include <zstd.h>

#define PQ_JOBS 8

struct pq_job {
	struct pq_buf raw;      /* page body, filled by the writer thread */
	struct pq_buf *out;     /* where header + (compressed) body are appended */
	int64_t *uncompressed;  /* running total_uncompressed_size of the chunk */
	int type, encoding;
	size_t count;           /* num_values of the page header */
};

struct pq_compressor {
	bool zstd_codec, threaded, stop, failed;
	int level;
	ZSTD_CCtx *zstd;
	struct pq_buf packed;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake, done;
	struct pq_job jobs[PQ_JOBS];
	size_t head, queued; /* jobs[head .. head + queued) wait for the worker */
	char err[128];
};

int pq_compressor_init(struct pq_compressor *z, bool zstd_codec, int level);
void pq_compressor_free(struct pq_compressor *z);
/* The (emptied) body buffer of the next page; waits while PQ_JOBS pages are in flight. */
struct pq_buf *pq_job_body(struct pq_compressor *z);
/* Queues the page whose body pq_job_body() returned. */
void pq_job_submit(struct pq_compressor *z, struct pq_buf *out, int64_t *uncompressed, int type,
		   size_t count, int encoding);
/* Waits for every queued page; returns -1 if any failed (message in z->err). */
int pq_compressor_drain(struct pq_compressor *z);

#endif
