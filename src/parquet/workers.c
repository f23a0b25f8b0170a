#include "parquet/workers.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "parquet/parquet.h"
#include "parquet/writer.h"

static void run(struct pq_worker *k, struct pq_job *j)
{
	if (!k->failed && pq_page_encode(k, j) < 0)
		k->failed = true;
}

static void *thread_main(void *arg)
{
	struct pq_worker *k = arg;
	pthread_mutex_lock(&k->mu);
	for (;;) {
		while (!k->queued && !k->stop)
			pthread_cond_wait(&k->wake, &k->mu);
		if (!k->queued)
			break;
		struct pq_job *j = &k->jobs[k->head];
		pthread_mutex_unlock(&k->mu);
		run(k, j);
		pthread_mutex_lock(&k->mu);
		k->head = (k->head + 1) % PQ_JOBS;
		k->queued--;
		pthread_cond_broadcast(&k->done);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

int pq_workers_init(struct pq_workers *p, bool zstd, int level)
{
	p->zstd = zstd;
	p->level = level;
	for (size_t i = 0; i < PQ_WORKERS; i++) {
		struct pq_worker *k = &p->w[i];
		k->pool = p;
		pthread_mutex_init(&k->mu, NULL);
		pthread_cond_init(&k->wake, NULL);
		pthread_cond_init(&k->done, NULL);
		if (zstd && !(k->zstd = ZSTD_createCCtx()))
			return -1;
		/* The threads block every signal, so signals reach the application's threads
		 * (and interrupt their system calls) as if the library had none. Without a
		 * thread, jobs run inline: slower, still correct. */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		k->threaded = pthread_create(&k->thread, NULL, thread_main, k) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return 0;
}

struct pq_workers *pq_workers_new(enum pq_codec codec, int zstd_level)
{
	struct pq_workers *p = calloc(1, sizeof(*p));

	if (p && pq_workers_init(p, codec == PQ_CODEC_ZSTD, zstd_level ? zstd_level : 3) < 0) {
		pq_workers_destroy(p);
		return NULL;
	}
	return p;
}

void pq_workers_destroy(struct pq_workers *p)
{
	if (p) {
		pq_workers_free(p);
		free(p);
	}
}

void pq_workers_free(struct pq_workers *p)
{
	for (size_t i = 0; i < PQ_WORKERS; i++) {
		struct pq_worker *k = &p->w[i];
		if (!k->pool)
			continue; /* never initialized */
		if (k->threaded) {
			pthread_mutex_lock(&k->mu);
			k->stop = true;
			pthread_cond_signal(&k->wake);
			pthread_mutex_unlock(&k->mu);
			pthread_join(k->thread, NULL);
		}
		pthread_mutex_destroy(&k->mu);
		pthread_cond_destroy(&k->wake);
		pthread_cond_destroy(&k->done);
		for (size_t j = 0; j < PQ_JOBS; j++) {
			pq_buf_free(&k->jobs[j].defs);
			pq_buf_free(&k->jobs[j].reps);
			pq_buf_free(&k->jobs[j].values);
		}
		pq_buf_free(&k->body);
		pq_buf_free(&k->packed);
		pq_buf_free(&k->idx);
		ZSTD_freeCCtx(k->zstd);
	}
}

struct pq_job *pq_job_slot(struct pq_workers *p, size_t col)
{
	struct pq_worker *k = &p->w[col % PQ_WORKERS];
	if (!k->threaded)
		return &k->jobs[0];
	pthread_mutex_lock(&k->mu);
	while (k->queued == PQ_JOBS)
		pthread_cond_wait(&k->done, &k->mu);
	/* The thread only touches queued jobs, and finishing one keeps this index. */
	struct pq_job *j = &k->jobs[(k->head + k->queued) % PQ_JOBS];
	pthread_mutex_unlock(&k->mu);
	return j;
}

/* A page this small is encoded on the writer's thread when its worker is idle: waking the
 * worker (a futex call, a context switch on each side) costs more than the work. Closing a
 * file hands over two pages per column, mostly tiny: in `pipetrace run -- true` that was
 * ~300 wake-ups. */
#define PQ_INLINE_BYTES (16u << 10)

static size_t job_bytes(const struct pq_job *j)
{
	return j->dictionary ? j->c->dict_plain.len + j->c->dict_offs.len
			     : j->defs.len + j->reps.len + j->values.len;
}

void pq_job_submit(struct pq_workers *p, size_t col)
{
	struct pq_worker *k = &p->w[col % PQ_WORKERS];
	if (!k->threaded) {
		run(k, &k->jobs[0]);
		return;
	}
	pthread_mutex_lock(&k->mu);
	struct pq_job *j = &k->jobs[(k->head + k->queued) % PQ_JOBS];
	if (!k->queued && job_bytes(j) < PQ_INLINE_BYTES) {
		/* Nothing queued: the thread touches neither its scratch nor a column until the
		 * next job, which only this thread (the writer's) can queue. The slot stays
		 * free. */
		pthread_mutex_unlock(&k->mu);
		run(k, j);
		return;
	}
	k->queued++;
	pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->mu);
}

int pq_workers_drain(struct pq_workers *p, char *err, size_t err_size)
{
	int rc = 0;
	for (size_t i = 0; i < PQ_WORKERS; i++) {
		struct pq_worker *k = &p->w[i];
		if (k->threaded) {
			pthread_mutex_lock(&k->mu);
			while (k->queued)
				pthread_cond_wait(&k->done, &k->mu);
			pthread_mutex_unlock(&k->mu);
		}
		if (k->failed && rc == 0) {
			snprintf(err, err_size, "%s", k->err);
			rc = -1;
		}
	}
	return rc;
}
