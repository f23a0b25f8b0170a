#include "parquet/compress.h"
#include "parquet/format.h"
#include "parquet/thrift.h"

#include <stdio.h>
#include <stdlib.h>

/* Compresses job->raw and appends PageHeader + body to job->out. Runs on the worker. */
static void emit(struct pq_compressor *z, struct pq_job *j)
{
	const struct pq_buf *body = &j->raw;
	if (j->raw.oom) {
		snprintf(z->err, sizeof z->err, "out of memory");
		z->failed = true;
		return;
	}
	if (z->zstd_codec) {
		size_t bound = ZSTD_compressBound(j->raw.len);
		z->packed.len = 0;
		if (!pq_buf_reserve(&z->packed, bound)) {
			snprintf(z->err, sizeof z->err, "out of memory");
			z->failed = true;
			return;
		}
		size_t k = ZSTD_compressCCtx(z->zstd, z->packed.p, bound, j->raw.p, j->raw.len,
					     z->level);
		if (ZSTD_isError(k)) {
			snprintf(z->err, sizeof z->err, "zstd: %s", ZSTD_getErrorName(k));
			z->failed = true;
			return;
		}
		z->packed.len = k;
		body = &z->packed;
	}
	size_t start = j->out->len;
	struct tc_writer t = { .out = j->out };
	tc_i32(&t, 1, j->type);
	tc_i32(&t, 2, (int32_t)j->raw.len);
	tc_i32(&t, 3, (int32_t)body->len);
	tc_begin(&t, j->type == PAGE_DICTIONARY ? 7 : 5);
	tc_i32(&t, 1, (int32_t)j->count);
	tc_i32(&t, 2, j->encoding);
	if (j->type == PAGE_DATA) {
		tc_i32(&t, 3, ENC_RLE);
		tc_i32(&t, 4, ENC_RLE);
	}
	tc_end(&t);
	tc_end(&t);
	*j->uncompressed += (int64_t)(j->out->len - start + j->raw.len);
	pq_buf_put(j->out, body->p, body->len);
	if (j->out->oom) {
		snprintf(z->err, sizeof z->err, "out of memory");
		z->failed = true;
	}
}

static void *worker(void *arg)
{
	struct pq_compressor *z = arg;
	pthread_mutex_lock(&z->mu);
	for (;;) {
		while (!z->queued && !z->stop)
			pthread_cond_wait(&z->wake, &z->mu);
		if (!z->queued)
			break;
		struct pq_job *j = &z->jobs[z->head];
		pthread_mutex_unlock(&z->mu);
		if (!z->failed)
			emit(z, j);
		pthread_mutex_lock(&z->mu);
		z->head = (z->head + 1) % PQ_JOBS;
		z->queued--;
		pthread_cond_broadcast(&z->done);
	}
	pthread_mutex_unlock(&z->mu);
	return NULL;
}

int pq_compressor_init(struct pq_compressor *z, bool zstd_codec, int level)
{
	z->zstd_codec = zstd_codec;
	z->level = level;
	if (!zstd_codec)
		return 0;
	z->zstd = ZSTD_createCCtx();
	if (!z->zstd)
		return -1;
	pthread_mutex_init(&z->mu, NULL);
	pthread_cond_init(&z->wake, NULL);
	pthread_cond_init(&z->done, NULL);
	/* Without a thread, pages are compressed inline: slower, still correct. */
	z->threaded = pthread_create(&z->thread, NULL, worker, z) == 0;
	return 0;
}

void pq_compressor_free(struct pq_compressor *z)
{
	if (z->threaded) {
		pthread_mutex_lock(&z->mu);
		z->stop = true;
		pthread_cond_signal(&z->wake);
		pthread_mutex_unlock(&z->mu);
		pthread_join(z->thread, NULL);
	}
	if (z->zstd_codec) {
		pthread_mutex_destroy(&z->mu);
		pthread_cond_destroy(&z->wake);
		pthread_cond_destroy(&z->done);
	}
	for (size_t i = 0; i < PQ_JOBS; i++)
		pq_buf_free(&z->jobs[i].raw);
	pq_buf_free(&z->packed);
	ZSTD_freeCCtx(z->zstd);
}

struct pq_buf *pq_job_body(struct pq_compressor *z)
{
	size_t slot = 0;
	if (z->threaded) {
		pthread_mutex_lock(&z->mu);
		while (z->queued == PQ_JOBS)
			pthread_cond_wait(&z->done, &z->mu);
		/* The worker only touches queued slots, and finishing one keeps this index. */
		slot = (z->head + z->queued) % PQ_JOBS;
		pthread_mutex_unlock(&z->mu);
	}
	z->jobs[slot].raw.len = 0;
	return &z->jobs[slot].raw;
}

void pq_job_submit(struct pq_compressor *z, struct pq_buf *out, int64_t *uncompressed, int type,
		   size_t count, int encoding)
{
	if (!z->threaded) {
		struct pq_job *j = &z->jobs[0];
		*j = (struct pq_job){ j->raw, out, uncompressed, type, encoding, count };
		emit(z, j);
		return;
	}
	pthread_mutex_lock(&z->mu);
	struct pq_job *j = &z->jobs[(z->head + z->queued) % PQ_JOBS];
	*j = (struct pq_job){ j->raw, out, uncompressed, type, encoding, count };
	z->queued++;
	pthread_cond_signal(&z->wake);
	pthread_mutex_unlock(&z->mu);
}

int pq_compressor_drain(struct pq_compressor *z)
{
	if (z->threaded) {
		pthread_mutex_lock(&z->mu);
		while (z->queued)
			pthread_cond_wait(&z->done, &z->mu);
		pthread_mutex_unlock(&z->mu);
	}
	return z->failed ? -1 : 0;
}
