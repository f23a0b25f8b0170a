#include "trace/run_record.h"

#include <stdlib.h>
#include <string.h>

struct pt_jrec_run *run_record_encode(const struct run_info *run, const struct run_settings *s,
				      size_t *size)
{
	const char *fixed[3] = {run->run_id, run->cwd ? run->cwd : "", run->options};
	size_t strings = 0, at = 0;
	struct pt_jrec_run *rec;

	for (size_t i = 0; i < 3; i++)
		strings += strlen(fixed[i]) + 1;
	for (size_t i = 0; i < run->command_count; i++)
		strings += strlen(run->command[i]) + 1;
	for (size_t i = 0; i < run->probe_count; i++)
		strings += strlen(run->probes[i]) + 1;
	*size = sizeof(*rec) + strings;
	rec = calloc(1, *size);
	if (!rec)
		return NULL;
	*rec = (struct pt_jrec_run){
		.hdr = {.type = PT_JREC_RUN, .size = (uint32_t)*size},
		.realtime_offset = s->realtime_offset,
		.start_realtime_ns = run->start_ns,
		.interval_ns = s->interval_ns,
		.max_args = s->max_args,
		.command_count = (uint32_t)run->command_count,
		.probe_count = (uint32_t)run->probe_count,
		.redact = s->redact,
	};
	for (size_t i = 0; i < 3 + run->command_count + run->probe_count; i++) {
		const char *str = i < 3 ? fixed[i]
			: i < 3 + run->command_count ? run->command[i - 3]
			: run->probes[i - 3 - run->command_count];
		size_t len = strlen(str) + 1;

		memcpy(rec->strings + at, str, len);
		at += len;
	}
	return rec;
}

/* The next NUL-terminated string of [*at, end), or NULL. */
static const char *next_string(const char **at, const char *end)
{
	const char *s = *at, *nul = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;

	if (!nul)
		return NULL;
	*at = nul + 1;
	return s;
}

int run_record_decode(const struct pt_jrec_run *rec, size_t size, struct run_record_decoded *out)
{
	const char *at = rec->strings, *end = (const char *)rec + size;
	const char *fixed[3];

	memset(out, 0, sizeof(*out));
	if (size < sizeof(*rec) || rec->command_count > size || rec->probe_count > size)
		return -1;
	for (size_t i = 0; i < 3; i++)
		if (!(fixed[i] = next_string(&at, end)))
			return -1;
	out->command = calloc(rec->command_count + 1, sizeof(*out->command));
	out->probes = calloc(rec->probe_count + 1, sizeof(*out->probes));
	if (!out->command || !out->probes)
		return run_record_free(out), -1;
	for (size_t i = 0; i < rec->command_count; i++)
		if (!(out->command[i] = (char *)next_string(&at, end)))
			return run_record_free(out), -1;
	for (size_t i = 0; i < rec->probe_count; i++)
		if (!(out->probes[i] = next_string(&at, end)))
			return run_record_free(out), -1;
	out->run = (struct run_info){
		.run_id = fixed[0],
		.cwd = fixed[1][0] ? fixed[1] : NULL,
		.options = fixed[2],
		.command = out->command,
		.command_count = rec->command_count,
		.probes = out->probes,
		.probe_count = rec->probe_count,
		.start_ns = rec->start_realtime_ns,
		.exit_code = -1,
		.signal = -1,
	};
	out->settings = (struct run_settings){rec->realtime_offset, rec->interval_ns,
					      rec->max_args, rec->redact != 0};
	return 0;
}

void run_record_free(struct run_record_decoded *d)
{
	free(d->command);
	free(d->probes);
	d->command = NULL;
	d->probes = NULL;
}
