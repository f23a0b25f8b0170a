/* pq_gen: writes a Parquet file from rows on stdin, for the tests.
 *
 *   pq_gen OUT [--codec zstd|none] [--level N] [--row-group-bytes N] [--created-by S]
 *              [--meta KEY=VALUE]... [--twin OUT2] NAME:TYPE[?]...
 *
 * TYPE is bool, int32, int64, double, string, blob, ts or list; a trailing ? makes the
 * column optional. Each stdin line is a row, fields separated by tabs: \N is null; bool is
 * 0/1; ints are decimal; doubles anything strtod reads; string and blob are hex bytes; a
 * list is COUNT:HEX,HEX,... ("0:" is empty). --twin writes every row to OUT2 as well, from a
 * second writer that shares the first one's page workers (pq_workers_new). Exits 1 with the
 * writer's message on error. */
#include "parquet/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = { "bool", "int32", "int64", "double",
					  "string", "blob", "ts", "list" };

static void die(const char *msg)
{
	fprintf(stderr, "pq_gen: %s\n", msg);
	exit(1);
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	die("bad hex");
	return 0;
}

/* Decodes hex s[0..n) in place; returns the byte count. */
static size_t unhex(char *s, size_t n)
{
	if (n % 2)
		die("odd hex length");
	for (size_t i = 0; i < n / 2; i++)
		s[i] = (char)(nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]));
	return n / 2;
}

static int write_field(struct pq_writer *w, size_t col, enum pq_type type, char *f, size_t n)
{
	if (strcmp(f, "\\N") == 0)
		return pq_write_null(w, col);
	switch (type) {
	case PQ_BOOLEAN:
		return pq_write_bool(w, col, f[0] == '1');
	case PQ_INT32:
		return pq_write_int32(w, col, (int32_t)strtol(f, NULL, 10));
	case PQ_INT64:
	case PQ_TIMESTAMP_NS:
		return pq_write_int64(w, col, strtoll(f, NULL, 10));
	case PQ_DOUBLE:
		return pq_write_double(w, col, strtod(f, NULL));
	case PQ_STRING:
	case PQ_BLOB:
		return pq_write_bytes(w, col, f, unhex(f, n));
	case PQ_LIST_STRING: {
		char *colon = strchr(f, ':');
		if (!colon)
			die("list without count");
		size_t count = strtoul(f, NULL, 10);
		const char **items = calloc(count + 1, sizeof *items);
		size_t *lens = calloc(count + 1, sizeof *lens);
		char *p = colon + 1;
		for (size_t i = 0; i < count; i++) {
			char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			items[i] = p;
			lens[i] = unhex(p, len);
			p += len + (end != NULL);
		}
		int rc = pq_write_list(w, col, items, lens, count);
		free(items);
		free(lens);
		return rc;
	}
	}
	return -1;
}

/* Writes the tab-separated fields of line (decoding them in place) to the current row. */
static int write_fields(struct pq_writer *w, const struct pq_column_def *cols, size_t ncols,
			char *line)
{
	char *p = line;
	for (size_t c = 0; c < ncols; c++) {
		char *tab = strchr(p, '\t');
		if (tab)
			*tab = 0;
		if (write_field(w, c, cols[c].type, p, strlen(p)) < 0)
			return -1;
		p = tab ? tab + 1 : p + strlen(p);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pq_writer_options o = { 0 };
	struct pq_column_def cols[256];
	size_t ncols = 0;
	const char *metas[64], *twin_path = NULL;
	size_t nmeta = 0;
	if (argc < 3)
		die("usage: pq_gen OUT [options] NAME:TYPE[?]...");
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--codec") == 0 && i + 1 < argc)
			o.codec = strcmp(argv[++i], "none") == 0 ? PQ_CODEC_UNCOMPRESSED : PQ_CODEC_ZSTD;
		else if (strcmp(a, "--level") == 0 && i + 1 < argc)
			o.zstd_level = atoi(argv[++i]);
		else if (strcmp(a, "--row-group-bytes") == 0 && i + 1 < argc)
			o.row_group_bytes = strtoull(argv[++i], NULL, 10);
		else if (strcmp(a, "--created-by") == 0 && i + 1 < argc)
			o.created_by = argv[++i];
		else if (strcmp(a, "--meta") == 0 && i + 1 < argc && nmeta < 64)
			metas[nmeta++] = argv[++i];
		else if (strcmp(a, "--twin") == 0 && i + 1 < argc)
			twin_path = argv[++i];
		else {
			char *spec = strdup(a), *colon = strrchr(spec, ':');
			if (!colon || ncols == 256)
				die("bad column spec");
			*colon++ = 0;
			size_t len = strlen(colon);
			bool optional = len && colon[len - 1] == '?';
			if (optional)
				colon[len - 1] = 0;
			size_t t = 0;
			while (t < 8 && strcmp(colon, type_names[t]) != 0)
				t++;
			if (t == 8)
				die("unknown type");
			cols[ncols++] = (struct pq_column_def){ spec, (enum pq_type)t, optional };
		}
	}
	char err[256];
	struct pq_workers *shared = NULL;
	struct pq_writer *twin = NULL;
	if (twin_path) {
		shared = pq_workers_new(o.codec, o.zstd_level);
		if (!shared)
			die("cannot start page workers");
		o.workers = shared;
		twin = pq_writer_open(twin_path, cols, ncols, &o, err, sizeof err);
		if (!twin)
			die(err);
	}
	struct pq_writer *w = pq_writer_open(argv[1], cols, ncols, &o, err, sizeof err);
	if (!w)
		die(err);
	for (size_t i = 0; i < nmeta; i++) {
		char *kv = strdup(metas[i]), *eq = strchr(kv, '=');
		if (!eq)
			die("--meta wants KEY=VALUE");
		*eq = 0;
		if (pq_writer_set_metadata(w, kv, eq + 1) < 0)
			die(pq_writer_error(w));
		free(kv);
	}
	char *line = NULL, *twin_line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = 0;
		/* Fields are decoded in place: the twin gets its own copy of the line. */
		free(twin_line);
		twin_line = twin ? strdup(line) : NULL;
		if (twin && !twin_line)
			die("out of memory");
		if (write_fields(w, cols, ncols, line) < 0) {
			fprintf(stderr, "pq_gen: row %llu: %s\n",
				(unsigned long long)pq_writer_rows(w), pq_writer_error(w));
			pq_writer_abort(w);
			free(line);
			for (size_t i = 0; i < ncols; i++)
				free((char *)cols[i].name);
			return 1;
		}
		if (pq_writer_end_row(w) < 0)
			die(pq_writer_error(w));
		if (twin && (write_fields(twin, cols, ncols, twin_line) < 0 || pq_writer_end_row(twin) < 0))
			die(pq_writer_error(twin));
	}
	free(line);
	free(twin_line);
	if (pq_writer_close(w, err, sizeof err) < 0)
		die(err);
	if (twin && pq_writer_close(twin, err, sizeof err) < 0)
		die(err);
	pq_workers_destroy(shared);
	for (size_t i = 0; i < ncols; i++)
		free((char *)cols[i].name);
	return 0;
}
