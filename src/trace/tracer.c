#include "trace/tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset/dataset.h"
#include "probes/core_btf.h"

struct tracer {
	struct probe_sink sink;
	struct probe_settings settings;
	void *states[PROBE_MODULES_MAX];
	const struct probe_module *started[PROBE_MODULES_MAX];
	size_t started_count;
	struct ring_buffer *ring;
	uint64_t lost[LOST_KINDS]; /* the kinds user space counts (the kernel's stay 0 here) */
	int decode_failed;
	char error[256];
};

static void record_failure(struct tracer *t)
{
	const char *why = dataset_error(t->sink.dataset);

	t->decode_failed = 1;
	snprintf(t->error, sizeof(t->error), "%s", why ? why : "out of memory");
}

_Static_assert((int)LOST_RING_FULL == PT_LOST_RING_FULL &&
		       (int)LOST_TRACED_FULL == PT_LOST_TRACED_FULL &&
		       (int)LOST_STASH_FULL == PT_LOST_STASH_FULL &&
		       (int)LOST_MALFORMED == PT_LOST_KINDS,
	       "the kernel's loss counters come first, in the same order");

/* The started module whose range holds type, or -1. */
static long module_of(const struct tracer *t, uint16_t type)
{
	for (size_t i = 0; i < t->started_count; i++)
		if (type >= t->started[i]->first_type && type <= t->started[i]->last_type)
			return (long)i;
	return -1;
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	const struct pt_record_header *hdr = data;
	long i;
	int rc;

	if (t->decode_failed)
		return 0;
	/* A record whose own size is shorter than a header, or longer than what the ring
	 * delivered, cannot be trusted. */
	if (size < sizeof(*hdr) || hdr->size < sizeof(*hdr) || hdr->size > size) {
		t->lost[LOST_MALFORMED]++;
		return 0;
	}
	i = module_of(t, hdr->type);
	if (i < 0) {
		t->lost[LOST_UNKNOWN_TYPE]++;
		return 0;
	}
	size = hdr->size;
	if (t->started[i]->prepare)
		hdr = t->started[i]->prepare(t->states[i], hdr, &size);
	rc = t->started[i]->decode(t->states[i], &t->sink, hdr, size);
	if (rc < 0)
		record_failure(t);
	else if (rc > 0)
		t->lost[rc == PROBE_UNKNOWN_TYPE ? LOST_UNKNOWN_TYPE : LOST_MALFORMED]++;
	return 0;
}

/* libbpf prints warnings of its own; pipetrace reports failures itself in one line. */
static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN && getenv("PIPETRACE_DEBUG") ? vfprintf(stderr, fmt, args) : 0;
}

struct tracer *tracer_start(const bool *enabled, struct probe_settings settings,
			    struct probe_sink sink, char *err, size_t err_size)
{
	struct tracer *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	libbpf_set_print(quiet_libbpf);
	if (core_btf_check(err, err_size)) {
		free(t);
		return NULL;
	}
	t->sink = sink;
	t->settings = settings;
	t->settings.events_fd = t->settings.traced_fd = t->settings.lost_fd = -1;
	for (size_t i = 0; i < probe_module_count; i++) {
		const struct probe_module *m = probe_modules[i];

		if (!m->always_on && !enabled[i])
			continue;
		if (m->start(&t->settings, &t->sink, &t->states[t->started_count], err, err_size)) {
			tracer_stop(t);
			return NULL;
		}
		t->started[t->started_count++] = m;
	}
	t->ring = ring_buffer__new(t->settings.events_fd, handle_record, t, NULL);
	if (!t->ring) {
		snprintf(err, err_size, "cannot open the ring buffer: %s", strerror(errno));
		tracer_stop(t);
		return NULL;
	}
	return t;
}

void tracer_stop(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->ring);
	while (t->started_count--)
		t->started[t->started_count]->stop(t->states[t->started_count]);
	free(t);
}

int tracer_start_late(struct tracer *t, char *err, size_t err_size)
{
	for (size_t i = 0; i < t->started_count; i++)
		if (t->started[i]->start_late &&
		    t->started[i]->start_late(t->states[i], &t->settings, err, err_size))
			return -1;
	return 0;
}

int tracer_seed(struct tracer *t, uint32_t pid)
{
	uint8_t one = 1;

	return bpf_map_update_elem(t->settings.traced_fd, &pid, &one, BPF_ANY);
}

int tracer_fd(const struct tracer *t)
{
	return ring_buffer__epoll_fd(t->ring);
}

int tracer_drain(struct tracer *t)
{
	/* libbpf fails a read only when handle_record does (it never does), having skipped the
	 * record it stopped at; the next read goes on from there. */
	if (ring_buffer__consume(t->ring) < 0)
		t->lost[LOST_READ_ERRORS]++;
	return t->decode_failed ? -1 : 0;
}

int tracer_tick(struct tracer *t, uint64_t now_ns)
{
	for (size_t i = 0; i < t->started_count; i++)
		if (t->started[i]->tick && t->started[i]->tick(t->states[i], &t->sink, now_ns))
			record_failure(t);
	return t->decode_failed ? -1 : 0;
}

int tracer_execution_finished(struct tracer *t, const struct execution *e,
			      const struct execution_figures *f)
{
	for (size_t i = 0; i < t->started_count; i++)
		if (t->started[i]->execution_finished &&
		    t->started[i]->execution_finished(t->states[i], &t->sink, e, f))
			record_failure(t);
	return t->decode_failed ? -1 : 0;
}

int tracer_period_ms(const struct tracer *t, int longest_ms)
{
	for (size_t i = 0; i < t->started_count; i++)
		if (t->started[i]->tick && t->settings.interval_ns / 1000000 < (uint64_t)longest_ms)
			return (int)(t->settings.interval_ns / 1000000);
	return longest_ms;
}

const char *tracer_error(const struct tracer *t)
{
	return t->error;
}

uint64_t tracer_losses(const struct tracer *t, uint64_t *lost)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t values[ncpus > 0 ? ncpus : 1], total = 0;

	memcpy(lost, t->lost, sizeof(t->lost));
	for (uint32_t kind = 0; kind < PT_LOST_KINDS && ncpus > 0; kind++)
		if (!bpf_map_lookup_elem(t->settings.lost_fd, &kind, values))
			for (int i = 0; i < ncpus; i++)
				lost[kind] += values[i];
	for (size_t kind = 0; kind < LOST_KINDS; kind++)
		total += lost[kind];
	return total;
}
