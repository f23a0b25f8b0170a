/* The reader: footer (FileMetaData) decoding, schema mapping and validation. */
#include "parquet/format.h"
#include "parquet/reader.h"
#include "parquet/thrift.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int pq_reader_fail(struct pq_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	/* One line whatever the names in it hold. */
	for (char *c = r->err; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';
	return -1;
}

int pq_reader_pread(struct pq_reader *r, void *dst, size_t n, uint64_t off)
{
	if (r->fd < 0) {
		memcpy(dst, r->mem + off, n);
		return 0;
	}
	uint8_t *p = dst;
	while (n) {
		ssize_t k = pread(r->fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return pq_reader_fail(r, "read: %s",
					      k < 0 ? strerror(errno) : "file shrank");
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* ---------------------------------------------------------------- footer structs */

struct schema_el {
	int type, repetition, num_children, converted, logical, unit;
	char *name;
};

static char *dup_bytes(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		if (n)
			memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

/* LogicalType union: remembers the member, and the unit of a TIMESTAMP. */
static void parse_logical(struct tc_reader *t, struct schema_el *e)
{
	int16_t last = 0, id, l2, l3, id2, id3;
	int type, t2, t3;
	while (tc_next(t, &last, &id, &type)) {
		if (!tc_is_struct(t, type))
			return;
		e->logical = id;
		for (l2 = 0; tc_next(t, &l2, &id2, &t2);) {
			if (id == LOGICAL_TIMESTAMP && id2 == 2 && tc_is_struct(t, t2))
				for (l3 = 0; tc_next(t, &l3, &id3, &t3);) {
					e->unit = id3;
					tc_skip(t, t3);
				}
			else
				tc_skip(t, t2);
		}
	}
}

static void parse_schema_el(struct tc_reader *t, struct schema_el *e)
{
	int16_t last = 0, id;
	int type;
	size_t n;
	*e = (struct schema_el){.type = -1, .repetition = -1, .converted = -1};
	while (tc_next(t, &last, &id, &type)) {
		if (id == 1)
			e->type = (int)tc_read_int(t, type);
		else if (id == 3)
			e->repetition = (int)tc_read_int(t, type);
		else if (id == 4 && !e->name) {
			const uint8_t *p = tc_read_binary(t, type, &n);
			e->name = p ? dup_bytes(p, n) : NULL;
			if (!e->name)
				t->bad = true;
		} else if (id == 5) {
			int64_t v = tc_read_int(t, type);
			e->num_children = v < 0 || v > INT32_MAX ? -1 : (int)v;
		} else if (id == 6)
			e->converted = (int)tc_read_int(t, type);
		else if (id == 10 && tc_is_struct(t, type))
			parse_logical(t, e);
		else
			tc_skip(t, type);
	}
	if (!e->name)
		t->bad = true;
}

static void parse_meta(struct tc_reader *t, struct pq_rchunk *c)
{
	int16_t last = 0, id;
	int type;
	int64_t data = -1, dict = -1;
	while (tc_next(t, &last, &id, &type)) {
		if (id == 1)
			c->phys = (int)tc_read_int(t, type);
		else if (id == 4)
			c->codec = (int)tc_read_int(t, type);
		else if (id == 5)
			c->num_values = tc_read_int(t, type);
		else if (id == 7)
			c->size = tc_read_int(t, type);
		else if (id == 9)
			data = tc_read_int(t, type);
		else if (id == 11)
			dict = tc_read_int(t, type);
		else
			tc_skip(t, type);
	}
	/* Some writers set dictionary_page_offset to 0 when there is none. */
	c->start = dict > 0 && dict < data ? dict : data;
}

static int parse_row_group(struct pq_reader *r, struct tc_reader *t, struct pq_rgroup *g)
{
	int16_t last = 0, id, l2, id2;
	int type, t2, elem;
	size_t ncols = 0;
	while (tc_next(t, &last, &id, &type)) {
		if (id == 1 && !g->chunks) {
			ncols = tc_read_list(t, type, &elem);
			if (ncols != r->ncols || elem != TC_STRUCT)
				return pq_reader_fail(
					r, "corrupt footer: row group has %zu columns, schema %zu",
					ncols, r->ncols);
			g->chunks = calloc(ncols ? ncols : 1, sizeof *g->chunks);
			if (!g->chunks)
				return pq_reader_fail(r, "out of memory");
			for (size_t i = 0; i < ncols && !t->bad; i++) {
				g->chunks[i] = (struct pq_rchunk){
					.phys = -1, .start = -1, .size = -1, .num_values = -1};
				for (l2 = 0; tc_next(t, &l2, &id2, &t2);) {
					if (id2 == 1)
						return pq_reader_fail(
							r,
							"unsupported: column data in another file");
					if (id2 == 3 && tc_is_struct(t, t2))
						parse_meta(t, &g->chunks[i]);
					else
						tc_skip(t, t2);
				}
			}
		} else if (id == 3)
			g->rows = tc_read_int(t, type);
		else
			tc_skip(t, type);
	}
	if (!g->chunks && !t->bad)
		return pq_reader_fail(r, "corrupt footer: row group without columns");
	return 0;
}

/* ---------------------------------------------------------------- schema */

static int leaf_type(struct pq_reader *r, const struct schema_el *e, const char *name)
{
	switch (e->type) {
	case PQ_PHYS_BOOLEAN: return PQ_BOOLEAN;
	case PQ_PHYS_INT32: return PQ_INT32;
	case PQ_PHYS_INT64:
		return e->logical == LOGICAL_TIMESTAMP && e->unit == TIME_UNIT_NANOS
			       ? PQ_TIMESTAMP_NS
			       : PQ_INT64;
	case PQ_PHYS_DOUBLE: return PQ_DOUBLE;
	case PQ_PHYS_BYTE_ARRAY:
		return e->logical == LOGICAL_STRING || e->converted == CONV_UTF8 ? PQ_STRING
										 : PQ_BLOB;
	default: return pq_reader_fail(r, "unsupported column %s: physical type %d", name, e->type);
	}
}

/* Maps the top-level fields: primitives, and 3-level lists of byte arrays. */
static int map_schema(struct pq_reader *r, struct schema_el *s, size_t n)
{
	if (n == 0 || s[0].num_children <= 0 || (size_t)s[0].num_children >= n)
		return pq_reader_fail(r, "corrupt schema: bad root");
	size_t ncols = (size_t)s[0].num_children;
	r->cols = calloc(ncols, sizeof *r->cols);
	r->info = calloc(ncols, sizeof *r->info);
	if (!r->cols || !r->info)
		return pq_reader_fail(r, "out of memory");
	r->ncols = ncols;
	size_t at = 1;
	for (size_t i = 0; i < r->ncols; i++) {
		if (at >= n)
			return pq_reader_fail(r, "corrupt schema: %zu elements for %zu columns", n,
					      r->ncols);
		struct schema_el *e = &s[at++];
		struct pq_column_def *d = &r->cols[i];
		struct pq_rcol *info = &r->info[i];
		d->name = e->name;
		e->name = NULL; /* now owned by cols */
		if (e->repetition != REP_REQUIRED && e->repetition != REP_OPTIONAL)
			return pq_reader_fail(r, "unsupported column %s: repetition %d", d->name,
					      e->repetition);
		d->optional = e->repetition == REP_OPTIONAL;
		info->max_def = d->optional;
		if (e->num_children == 0) {
			int type = leaf_type(r, e, d->name);
			if (type < 0)
				return -1;
			d->type = (enum pq_type)type;
			info->phys = e->type;
			continue;
		}
		/* <name> (LIST) { repeated group list { required|optional binary element; } } */
		struct schema_el *g = at < n ? &s[at++] : NULL;
		struct schema_el *leaf = at < n ? &s[at++] : NULL;
		if (e->num_children != 1 || !g || g->repetition != REP_REPEATED ||
		    g->num_children != 1 || !leaf || leaf->num_children != 0 ||
		    leaf->type != PQ_PHYS_BYTE_ARRAY ||
		    (leaf->repetition != REP_REQUIRED && leaf->repetition != REP_OPTIONAL))
			return pq_reader_fail(
				r,
				"unsupported column %s: nested type other than a list of strings",
				d->name);
		d->type = PQ_LIST_STRING;
		info->phys = PQ_PHYS_BYTE_ARRAY;
		info->list_def = info->max_def;
		info->element_optional = leaf->repetition == REP_OPTIONAL;
		info->max_def += 1 + info->element_optional;
		info->max_rep = 1;
	}
	if (at != n)
		return pq_reader_fail(r, "corrupt schema: %zu elements, %zu used", n, at);
	return 0;
}

/* ---------------------------------------------------------------- FileMetaData */

static int parse_footer(struct pq_reader *r, const uint8_t *p, size_t len)
{
	struct tc_reader t = {.p = p, .end = p + len};
	int16_t last = 0, id;
	int type, elem;
	struct schema_el *schema = NULL;
	size_t nschema = 0;
	bool have_rows = false, have_groups = false;
	int rc = 0;
	while (rc == 0 && tc_next(&t, &last, &id, &type)) {
		if (id == 2 && !schema) {
			size_t n = tc_read_list(&t, type, &elem);
			schema = calloc(n ? n : 1, sizeof *schema);
			if (!schema)
				return pq_reader_fail(r, "out of memory");
			for (; nschema < n && !t.bad && elem == TC_STRUCT; nschema++)
				parse_schema_el(&t, &schema[nschema]);
			if (!t.bad && (elem != TC_STRUCT || nschema != n))
				t.bad = true;
			if (!t.bad)
				rc = map_schema(r, schema, nschema);
		} else if (id == 3) {
			r->num_rows = tc_read_int(&t, type);
			have_rows = true;
		} else if (id == 4 && schema && r->cols && !have_groups) {
			size_t n = tc_read_list(&t, type, &elem);
			have_groups = true;
			r->groups = calloc(n ? n : 1, sizeof *r->groups);
			if (!r->groups)
				rc = pq_reader_fail(r, "out of memory");
			for (; rc == 0 && r->ngroups < n && !t.bad; r->ngroups++)
				rc = elem == TC_STRUCT
					     ? parse_row_group(r, &t, &r->groups[r->ngroups])
					     : (t.bad = true, 0);
		} else if (id == 5 && !r->kv) {
			size_t n = tc_read_list(&t, type, &elem);
			r->kv = calloc(2 * n + 1, sizeof *r->kv);
			if (!r->kv)
				rc = pq_reader_fail(r, "out of memory");
			for (; rc == 0 && r->nkv < n && !t.bad && elem == TC_STRUCT; r->nkv++) {
				int16_t l2 = 0, id2;
				int t2;
				size_t sn;
				while (tc_next(&t, &l2, &id2, &t2)) {
					const uint8_t *s = id2 == 1 || id2 == 2
								   ? tc_read_binary(&t, t2, &sn)
								   : NULL;
					char **slot = &r->kv[2 * r->nkv + (id2 == 2)];
					if (s && !*slot && !(*slot = dup_bytes(s, sn)))
						t.bad = true;
					if (!s && id2 != 1 && id2 != 2)
						tc_skip(&t, t2);
				}
				if (!r->kv[2 * r->nkv])
					t.bad = true;
			}
		} else
			tc_skip(&t, type);
	}
	for (size_t i = 0; i < nschema; i++)
		free(schema[i].name);
	free(schema);
	if (rc < 0)
		return -1;
	if (t.bad)
		return pq_reader_fail(r, "corrupt footer (bad Thrift encoding)");
	if (!r->cols || !have_rows || !have_groups)
		return pq_reader_fail(r, "corrupt footer: schema, num_rows or row_groups missing");
	return 0;
}

/* Row counts add up; every chunk lies inside the data section with a supported codec, and
 * the chunks together fit in it (they do not overlap), which bounds the reading work. */
static int check_groups(struct pq_reader *r, uint64_t data_end)
{
	int64_t total = 0;
	uint64_t bytes = 0;
	for (size_t g = 0; g < r->ngroups; g++) {
		const struct pq_rgroup *rg = &r->groups[g];
		if (rg->rows < 0 || rg->rows > INT64_MAX - total)
			return pq_reader_fail(r, "corrupt footer: row group %zu has %lld rows", g,
					      (long long)rg->rows);
		total += rg->rows;
		for (size_t i = 0; i < r->ncols; i++) {
			const struct pq_rchunk *c = &rg->chunks[i];
			if (c->start < 4 || c->size <= 0 || (uint64_t)c->start > data_end ||
			    (uint64_t)c->size > data_end - (uint64_t)c->start)
				return pq_reader_fail(
					r, "column chunk out of bounds (row group %zu, column %s)",
					g, r->cols[i].name);
			bytes += (uint64_t)c->size;
			if (bytes > data_end)
				return pq_reader_fail(r, "corrupt footer: column chunks overlap");
			if (c->phys != r->info[i].phys || c->num_values < 0)
				return pq_reader_fail(r,
						      "corrupt footer: column %s chunk %zu does "
						      "not match the schema",
						      r->cols[i].name, g);
			if (c->codec != CODEC_UNCOMPRESSED && c->codec != CODEC_ZSTD)
				return pq_reader_fail(r, "unsupported codec %d (column %s)",
						      c->codec, r->cols[i].name);
		}
	}
	if (total != r->num_rows)
		return pq_reader_fail(r, "corrupt footer: num_rows %lld but row groups hold %lld",
				      (long long)r->num_rows, (long long)total);
	return 0;
}

static int open_common(struct pq_reader *r)
{
	uint8_t tail[8], head[4];
	/* Every allocation stays below this: generous for real files, small for tiny ones. */
	r->limit = (16u << 20) + 1024 * r->size;
	r->zstd = ZSTD_createDCtx();
	if (!r->zstd)
		return pq_reader_fail(r, "out of memory");
	if (r->size < 12)
		return pq_reader_fail(r, "not a Parquet file (%llu bytes, too short)",
				      (unsigned long long)r->size);
	if (pq_reader_pread(r, head, 4, 0) < 0 || pq_reader_pread(r, tail, 8, r->size - 8) < 0)
		return -1;
	if (memcmp(head, "PAR1", 4) != 0)
		return pq_reader_fail(r, "not a Parquet file (bad magic)");
	if (memcmp(tail + 4, "PARE", 4) == 0)
		return pq_reader_fail(r, "encrypted Parquet file not supported");
	if (memcmp(tail + 4, "PAR1", 4) != 0)
		return pq_reader_fail(r, "truncated file (no magic at the end)");
	uint64_t len = (uint64_t)tail[0] | (uint64_t)tail[1] << 8 | (uint64_t)tail[2] << 16 |
		       (uint64_t)tail[3] << 24;
	if (len == 0 || len > r->size - 12)
		return pq_reader_fail(r, "truncated footer (%llu bytes claimed, file has %llu)",
				      (unsigned long long)len, (unsigned long long)r->size);
	uint8_t *footer = malloc(len);
	if (!footer)
		return pq_reader_fail(r, "out of memory");
	int rc = pq_reader_pread(r, footer, len, r->size - 8 - len);
	if (rc == 0)
		rc = parse_footer(r, footer, len);
	free(footer);
	return rc < 0 ? -1 : check_groups(r, r->size - 8 - len);
}

static struct pq_reader *finish_open(struct pq_reader *r, char *err, size_t err_size)
{
	if (open_common(r) == 0)
		return r;
	if (err && err_size)
		snprintf(err, err_size, "%s", r->err);
	pq_reader_close(r);
	return NULL;
}

struct pq_reader *pq_reader_open(const char *path, char *err, size_t err_size)
{
	struct pq_reader *r = calloc(1, sizeof *r);
	if (!r) {
		if (err && err_size)
			snprintf(err, err_size, "out of memory");
		return NULL;
	}
	struct stat st;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st) < 0)
		pq_reader_fail(r, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		pq_reader_fail(r, "%s: not a regular file", path);
	else {
		r->size = (uint64_t)st.st_size;
		return finish_open(r, err, err_size);
	}
	if (err && err_size)
		snprintf(err, err_size, "%s", r->err);
	pq_reader_close(r);
	return NULL;
}

struct pq_reader *pq_reader_open_memory(const void *data, size_t size, char *err, size_t err_size)
{
	struct pq_reader *r = calloc(1, sizeof *r);
	if (!r) {
		if (err && err_size)
			snprintf(err, err_size, "out of memory");
		return NULL;
	}
	r->fd = -1;
	r->mem = data;
	r->size = size;
	return finish_open(r, err, err_size);
}

void pq_reader_close(struct pq_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncols; i++)
		free((char *)r->cols[i].name);
	free(r->cols);
	free(r->info);
	for (size_t g = 0; g < r->ngroups; g++)
		free(r->groups[g].chunks);
	free(r->groups);
	for (size_t i = 0; i < 2 * r->nkv + (r->kv ? 1 : 0); i++)
		free(r->kv[i]);
	free(r->kv);
	ZSTD_freeDCtx(r->zstd);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

uint64_t pq_reader_rows(const struct pq_reader *r)
{
	return (uint64_t)r->num_rows;
}

size_t pq_reader_column_count(const struct pq_reader *r)
{
	return r->ncols;
}

const struct pq_column_def *pq_reader_column(const struct pq_reader *r, size_t column)
{
	return column < r->ncols ? &r->cols[column] : NULL;
}

long pq_reader_find_column(const struct pq_reader *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

const char *pq_reader_metadata(const struct pq_reader *r, const char *key)
{
	const char *value = NULL;
	for (size_t i = 0; i < r->nkv; i++)
		if (strcmp(r->kv[2 * i], key) == 0)
			value = r->kv[2 * i + 1] ? r->kv[2 * i + 1] : "";
	return value;
}

const char *pq_reader_error(const struct pq_reader *r)
{
	return r->err;
}
