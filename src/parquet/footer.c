/* The footer: FileMetaData in Thrift compact, its length and the closing magic. */
#include "parquet/format.h"
#include "parquet/thrift.h"
#include "parquet/writer.h"

/* SchemaElement for a leaf or a group (num_children > 0). */
static void schema_element(struct tc_writer *t, const char *name, int phys, int repetition,
			   int children, int converted, int logical)
{
	tc_begin(t, 0);
	if (phys >= 0)
		tc_i32(t, 1, phys);
	if (repetition >= 0)
		tc_i32(t, 3, repetition);
	tc_string(t, 4, name);
	if (children)
		tc_i32(t, 5, children);
	if (converted >= 0)
		tc_i32(t, 6, converted);
	if (logical) {
		tc_begin(t, 10);
		tc_begin(t, (int16_t)logical);
		if (logical == LOGICAL_TIMESTAMP) {
			tc_bool(t, 1, true); /* isAdjustedToUTC */
			tc_begin(t, 2);
			tc_begin(t, TIME_UNIT_NANOS);
			tc_end(t);
			tc_end(t);
		}
		tc_end(t);
		tc_end(t);
	}
	tc_end(t);
}

static size_t schema_size(const struct pq_writer *w)
{
	size_t n = 1;
	for (size_t i = 0; i < w->ncols; i++)
		n += w->cols[i].def.type == PQ_LIST_STRING ? 3 : 1;
	return n;
}

static void schema(struct tc_writer *t, const struct pq_writer *w)
{
	tc_list(t, 2, TC_STRUCT, schema_size(w));
	schema_element(t, "schema", -1, -1, (int)w->ncols, -1, 0);
	for (size_t i = 0; i < w->ncols; i++) {
		const struct pq_column_def *d = &w->cols[i].def;
		int rep = d->optional ? REP_OPTIONAL : REP_REQUIRED;
		if (d->type == PQ_LIST_STRING) {
			schema_element(t, d->name, -1, rep, 1, CONV_LIST, LOGICAL_LIST);
			schema_element(t, "list", -1, REP_REPEATED, 1, -1, 0);
			schema_element(t, "element", PQ_PHYS_BYTE_ARRAY, REP_REQUIRED, 0, CONV_UTF8,
				       LOGICAL_STRING);
		} else if (d->type == PQ_STRING)
			schema_element(t, d->name, PQ_PHYS_BYTE_ARRAY, rep, 0, CONV_UTF8,
				       LOGICAL_STRING);
		else if (d->type == PQ_TIMESTAMP_NS)
			schema_element(t, d->name, PQ_PHYS_INT64, rep, 0, -1, LOGICAL_TIMESTAMP);
		else
			schema_element(t, d->name, pq_physical_type(d->type), rep, 0, -1, 0);
	}
}

static void column_chunk(struct tc_writer *t, const struct pq_wcol *c,
			 const struct pq_chunk_meta *m, enum pq_codec codec)
{
	tc_begin(t, 0);
	tc_i64(t, 2, 0); /* file_offset: no ColumnMetaData outside the footer */
	tc_begin(t, 3);
	tc_i32(t, 1, c->phys);
	int encodings = __builtin_popcount(m->encodings);
	tc_list(t, 2, TC_I32, (size_t)encodings);
	for (int e = 0; e < 32; e++)
		if (m->encodings & 1u << e)
			tc_elem_i32(t, e);
	bool list = c->def.type == PQ_LIST_STRING;
	tc_list(t, 3, TC_BINARY, list ? 3 : 1);
	tc_elem_binary(t, c->def.name, strlen(c->def.name));
	if (list) {
		tc_elem_binary(t, "list", 4);
		tc_elem_binary(t, "element", 7);
	}
	tc_i32(t, 4, codec == PQ_CODEC_ZSTD ? CODEC_ZSTD : CODEC_UNCOMPRESSED);
	tc_i64(t, 5, m->num_values);
	tc_i64(t, 6, m->uncompressed);
	tc_i64(t, 7, m->compressed);
	tc_i64(t, 9, m->data_offset);
	if (m->dict_offset >= 0)
		tc_i64(t, 11, m->dict_offset);
	tc_begin(t, 12);
	tc_i64(t, 3, m->nulls);
	if (m->has_minmax) {
		tc_binary(t, 5, m->max, m->max_len);
		tc_binary(t, 6, m->min, m->min_len);
		tc_bool(t, 7, m->max_exact);
		tc_bool(t, 8, m->min_exact);
	}
	if (c->phys == PQ_PHYS_DOUBLE)
		tc_i64(t, 9, m->nans);
	tc_end(t);
	tc_end(t);
	tc_end(t);
}

static void row_groups(struct tc_writer *t, const struct pq_writer *w)
{
	tc_list(t, 4, TC_STRUCT, w->ngroups);
	for (size_t g = 0; g < w->ngroups; g++) {
		const struct pq_rowgroup_meta *rg = &w->groups[g];
		int64_t raw = 0, compressed = 0;
		tc_begin(t, 0);
		tc_list(t, 1, TC_STRUCT, w->ncols);
		for (size_t i = 0; i < w->ncols; i++) {
			column_chunk(t, &w->cols[i], &rg->chunks[i], w->codec);
			raw += rg->chunks[i].uncompressed;
			compressed += rg->chunks[i].compressed;
		}
		tc_i64(t, 2, raw);
		tc_i64(t, 3, rg->rows);
		tc_i64(t, 5, rg->offset);
		tc_i64(t, 6, compressed);
		if (g <= INT16_MAX)
			tc_field(t, 7, TC_I16), tc_elem_i32(t, (int32_t)g);
		tc_end(t);
	}
}

int pq_write_footer(struct pq_writer *w)
{
	struct pq_buf out = {0};
	struct tc_writer t = {.out = &out};
	tc_begin(&t, 0);
	tc_i32(&t, 1, 1);
	schema(&t, w);
	tc_i64(&t, 3, (int64_t)w->rows);
	row_groups(&t, w);
	if (w->nkv) {
		tc_list(&t, 5, TC_STRUCT, w->nkv);
		for (size_t i = 0; i < w->nkv; i++) {
			tc_begin(&t, 0);
			tc_string(&t, 1, w->kv[i].key);
			tc_string(&t, 2, w->kv[i].value);
			tc_end(&t);
		}
	}
	tc_string(&t, 6, w->created_by);
	/* column_orders: TYPE_ORDER for every leaf, which gives min_value/max_value meaning. */
	tc_list(&t, 7, TC_STRUCT, w->ncols);
	for (size_t i = 0; i < w->ncols; i++) {
		tc_begin(&t, 0);
		tc_begin(&t, 1);
		tc_end(&t);
		tc_end(&t);
	}
	tc_end(&t);
	int rc = -1;
	if (out.oom || out.len > UINT32_MAX)
		pq_set_error(w, "footer: out of memory");
	else {
		pq_buf_u32(&out, (uint32_t)out.len);
		pq_buf_put(&out, "PAR1", 4);
		rc = out.oom ? pq_set_error(w, "footer: out of memory")
			     : pq_write_all(w, out.p, out.len);
	}
	pq_buf_free(&out);
	return rc;
}
