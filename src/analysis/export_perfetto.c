/* Perfetto's native trace format: protobuf TracePackets of TrackEvents (docs/export.md).
 * A track per process, nested under its parent process's track; a slice per execution with
 * its argv and figures as debug annotations; CPU (cores) and RSS counter tracks under the
 * process from cpu_samples; an instant event where an execution failed. Event and annotation
 * names are interned on one packet sequence. Field numbers are those of Perfetto's public
 * protos (protos/perfetto/trace/); tests/perfetto_subset.proto lists the ones used. */
#include <string.h>

#include "analysis/export.h"
#include "analysis/export_fields.h"
#include "analysis/protobuf.h"
#include "analysis/string_table.h"

enum {
	TRACE_PACKET = 1,
	PACKET_TIMESTAMP = 8, PACKET_SEQUENCE_ID = 10, PACKET_TRACK_EVENT = 11,
	PACKET_INTERNED_DATA = 12, PACKET_SEQUENCE_FLAGS = 13, PACKET_TRACK_DESCRIPTOR = 60,
	TRACK_UUID = 1, TRACK_NAME = 2, TRACK_PARENT_UUID = 5, TRACK_COUNTER = 8,
	TRACK_CHILD_ORDERING = 11, TRACK_SIBLING_ORDER_RANK = 12,
	COUNTER_UNIT = 3, COUNTER_UNIT_MULTIPLIER = 4, COUNTER_UNIT_NAME = 6,
	EVENT_DEBUG_ANNOTATIONS = 4, EVENT_TYPE = 9, EVENT_NAME_IID = 10, EVENT_TRACK_UUID = 11,
	EVENT_COUNTER_VALUE = 30, EVENT_DOUBLE_COUNTER_VALUE = 44,
	ANNOTATION_NAME_IID = 1, ANNOTATION_INT_VALUE = 4, ANNOTATION_STRING_VALUE = 6,
	ANNOTATION_ARRAY_VALUES = 12,
	INTERNED_EVENT_NAMES = 2, INTERNED_ANNOTATION_NAMES = 3, INTERNED_IID = 1,
	INTERNED_NAME = 2,
};
enum { SLICE_BEGIN = 1, SLICE_END = 2, INSTANT = 3, COUNTER = 4 };
enum { SEQUENCE_CLEARED = 1, SEQUENCE_NEEDS_STATE = 2 };
enum { ORDER_EXPLICIT = 3 };
enum { UNIT_SIZE_BYTES = 3 };
#define SEQUENCE_ID 1
/* Each process row has three track uuids: its own, its CPU and its RSS counters. */
#define UUIDS_PER_ROW 3

struct perfetto_writer {
	FILE *out;
	const struct timeline *t;
	struct pq_buf packet;
	struct string_table event_names;
};

static uint64_t track_uuid(size_t row, size_t which)
{
	return (uint64_t)row * UUIDS_PER_ROW + which + 1;
}

/* Sends the packet built so far to the file as one Trace.packet field. */
static void flush_packet(struct perfetto_writer *w)
{
	uint8_t prefix[1 + PB_VARINT_MAX] = { TRACE_PACKET << 3 | PB_WIRE_LENGTH };
	size_t n = 1 + pb_encode_varint(w->packet.len, prefix + 1);
	fwrite(prefix, 1, n, w->out);
	fwrite(w->packet.p, 1, w->packet.len, w->out);
	w->packet.len = 0;
}

static void begin_packet(struct perfetto_writer *w, uint32_t flags)
{
	pb_varint_field(&w->packet, PACKET_SEQUENCE_ID, SEQUENCE_ID);
	pb_varint_field(&w->packet, PACKET_SEQUENCE_FLAGS, flags);
}

static void put_interned(struct pq_buf *b, uint32_t field, uint64_t iid, const char *name)
{
	size_t entry = pb_begin(b, field);
	pb_varint_field(b, INTERNED_IID, iid);
	pb_string_field(b, INTERNED_NAME, name);
	pb_end(b, entry);
}

/* The first packet: clears the sequence's state and interns the annotation names. */
static void put_sequence_start(struct perfetto_writer *w)
{
	begin_packet(w, SEQUENCE_CLEARED);
	size_t interned = pb_begin(&w->packet, PACKET_INTERNED_DATA);
	put_interned(&w->packet, INTERNED_ANNOTATION_NAMES, 1, "argv");
	for (size_t f = 0; f < EXPORT_FIELD_COUNT; f++)
		put_interned(&w->packet, INTERNED_ANNOTATION_NAMES, f + 2, export_field_name(f));
	pb_end(&w->packet, interned);
	flush_packet(w);
}

enum track_kind { SLICE_TRACK, CPU_TRACK, RSS_TRACK };

static void put_track(struct perfetto_writer *w, uint64_t uuid, uint64_t parent, const char *name,
		      size_t rank, enum track_kind kind)
{
	begin_packet(w, SEQUENCE_NEEDS_STATE);
	size_t track = pb_begin(&w->packet, PACKET_TRACK_DESCRIPTOR);
	pb_varint_field(&w->packet, TRACK_UUID, uuid);
	if (parent)
		pb_varint_field(&w->packet, TRACK_PARENT_UUID, parent);
	pb_string_field(&w->packet, TRACK_NAME, name);
	pb_varint_field(&w->packet, TRACK_CHILD_ORDERING, ORDER_EXPLICIT);
	pb_varint_field(&w->packet, TRACK_SIBLING_ORDER_RANK, rank);
	if (kind != SLICE_TRACK) {
		size_t counter = pb_begin(&w->packet, TRACK_COUNTER);
		if (kind == RSS_TRACK) { /* the samples' KiB, shown as bytes */
			pb_varint_field(&w->packet, COUNTER_UNIT, UNIT_SIZE_BYTES);
			pb_varint_field(&w->packet, COUNTER_UNIT_MULTIPLIER, 1024);
		} else {
			pb_string_field(&w->packet, COUNTER_UNIT_NAME, "cores");
		}
		pb_end(&w->packet, counter);
	}
	pb_end(&w->packet, track);
	flush_packet(w);
}

static void put_process_tracks(struct perfetto_writer *w, size_t row, bool sampled)
{
	const struct timeline_process *p = &w->t->processes[row];
	char name[EXPORT_TRACK_NAME_SIZE];
	export_track_name(&w->t->run->executions[w->t->images[p->first_image]], name);
	put_track(w, track_uuid(row, 0), p->parent == TIMELINE_NONE ? 0 : track_uuid(p->parent, 0),
		  name, row, SLICE_TRACK);
	if (sampled) {
		put_track(w, track_uuid(row, 1), track_uuid(row, 0), "CPU (cores)", 0, CPU_TRACK);
		put_track(w, track_uuid(row, 2), track_uuid(row, 0), "RSS", 1, RSS_TRACK);
	}
}

/* Starts a TrackEvent packet at ts on a track; returns the mark of the TrackEvent. */
static size_t begin_event(struct perfetto_writer *w, int64_t ts, int type, uint64_t track)
{
	begin_packet(w, SEQUENCE_NEEDS_STATE);
	pb_varint_field(&w->packet, PACKET_TIMESTAMP, (uint64_t)ts);
	size_t event = pb_begin(&w->packet, PACKET_TRACK_EVENT);
	pb_varint_field(&w->packet, EVENT_TYPE, (uint64_t)type);
	pb_varint_field(&w->packet, EVENT_TRACK_UUID, track);
	return event;
}

static void put_annotations(struct perfetto_writer *w, size_t i)
{
	const struct execution_record *e = &w->t->run->executions[i];
	char status[CELL_SIZE];
	size_t argv = pb_begin(&w->packet, EVENT_DEBUG_ANNOTATIONS);
	pb_varint_field(&w->packet, ANNOTATION_NAME_IID, 1);
	for (size_t k = 0; k < e->argc; k++) {
		size_t item = pb_begin(&w->packet, ANNOTATION_ARRAY_VALUES);
		pb_string_field(&w->packet, ANNOTATION_STRING_VALUE, e->argv[k]);
		pb_end(&w->packet, item);
	}
	pb_end(&w->packet, argv);
	for (size_t f = 0; f < EXPORT_FIELD_COUNT; f++) {
		struct export_field field = export_field(w->t, i, f, status);
		if (field.kind == FIELD_TEXT && !field.text)
			continue;
		size_t annotation = pb_begin(&w->packet, EVENT_DEBUG_ANNOTATIONS);
		pb_varint_field(&w->packet, ANNOTATION_NAME_IID, f + 2);
		if (field.kind == FIELD_NUMBER)
			pb_int64_field(&w->packet, ANNOTATION_INT_VALUE, field.number);
		else
			pb_string_field(&w->packet, ANNOTATION_STRING_VALUE, field.text);
		pb_end(&w->packet, annotation);
	}
}

/* Ends a TrackEvent packet, named name unless NULL (interning the name when new). */
static int end_event(struct perfetto_writer *w, size_t event, const char *name)
{
	bool added = false;
	size_t number = name ? string_table_intern(&w->event_names, name, &added) : 0;
	if (number == STRING_TABLE_FULL)
		return -1;
	if (name)
		pb_varint_field(&w->packet, EVENT_NAME_IID, number + 1);
	pb_end(&w->packet, event);
	if (added) {
		size_t interned = pb_begin(&w->packet, PACKET_INTERNED_DATA);
		put_interned(&w->packet, INTERNED_EVENT_NAMES, number + 1, name);
		pb_end(&w->packet, interned);
	}
	flush_packet(w);
	return 0;
}

static int put_image(struct perfetto_writer *w, size_t row, size_t k)
{
	const struct timeline *t = w->t;
	const struct timeline_process *p = &t->processes[row];
	size_t i = t->images[p->first_image + k];
	const struct execution_record *e = &t->run->executions[i];
	int64_t end = export_image_end(t, p, k);
	char name[EXPORT_NAME_SIZE], status[CELL_SIZE];
	export_name(e, name);
	size_t event = begin_event(w, e->span.start_ns, SLICE_BEGIN, track_uuid(row, 0));
	put_annotations(w, i);
	int result = end_event(w, event, name);
	if (result == 0 && execution_failed(e)) {
		describe_end(e->has_exit_code, e->exit_code, e->has_signal, e->signal, status);
		result = end_event(w, begin_event(w, end, INSTANT, track_uuid(row, 0)), status);
	}
	return result == 0 ? end_event(w, begin_event(w, end, SLICE_END, track_uuid(row, 0)), NULL)
			   : -1;
}

static void put_samples(struct perfetto_writer *w, size_t row, size_t i)
{
	size_t count;
	const struct cpu_sample *s = timeline_samples(w->t, i, &count);
	for (size_t k = 0; k < count; k++) {
		size_t event = begin_event(w, s[k].ts_ns, COUNTER, track_uuid(row, 1));
		pb_double_field(&w->packet, EVENT_DOUBLE_COUNTER_VALUE, sample_cpu_rate(w->t, i, s, k));
		end_event(w, event, NULL);
		if (!s[k].has_rss)
			continue;
		event = begin_event(w, s[k].ts_ns, COUNTER, track_uuid(row, 2));
		pb_int64_field(&w->packet, EVENT_COUNTER_VALUE, s[k].rss_kb);
		end_event(w, event, NULL);
	}
}

static bool process_sampled(const struct timeline *t, const struct timeline_process *p)
{
	for (size_t k = 0; k < p->image_count; k++) {
		size_t count;
		timeline_samples(t, t->images[p->first_image + k], &count);
		if (count > 0)
			return true;
	}
	return false;
}

int export_perfetto(FILE *out, const struct timeline *t)
{
	struct perfetto_writer w = { .out = out, .t = t };
	int result = 0;
	put_sequence_start(&w);
	for (size_t row = 0; row < t->process_count && result == 0; row++) {
		const struct timeline_process *p = &t->processes[row];
		put_process_tracks(&w, row, process_sampled(t, p));
		for (size_t k = 0; k < p->image_count && result == 0; k++) {
			result = put_image(&w, row, k);
			put_samples(&w, row, t->images[p->first_image + k]);
		}
	}
	if (w.packet.oom)
		result = -1;
	pq_buf_free(&w.packet);
	string_table_free(&w.event_names);
	return result;
}
