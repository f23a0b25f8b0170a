/* pq_dump: prints a Parquet file as JSON lines with pipetrace's reader, for the tests.
 *
 *   pq_dump FILE [KEY...]
 *
 * Line 1: {"rows":N,"columns":[{"name","type","optional"}...],"metadata":{KEY:value...}}
 * (null for a missing key); then one
 * JSON array per row: int64 and timestamps as strings, blobs as hex, lists as arrays.
 * Any error: one line "pq_dump: message" on stderr, exit 1. */
#include "parquet/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = { "bool", "int32", "int64", "double",
					  "string", "blob", "ts", "list" };

/* A JSON string; bytes of invalid UTF-8 become \u00XX. */
static void json_str(const char *s, size_t n)
{
	bool utf8 = pq_utf8_valid(s, n);
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || (c >= 0x80 && !utf8) || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void hex(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
	putchar('"');
}

static void value(const struct pq_column *c, size_t row)
{
	if (!c->present[row]) {
		fputs("null", stdout);
		return;
	}
	switch (c->type) {
	case PQ_BOOLEAN:
		fputs(c->ints[row] ? "true" : "false", stdout);
		break;
	case PQ_INT32:
		printf("%lld", (long long)c->ints[row]);
		break;
	case PQ_INT64:
	case PQ_TIMESTAMP_NS:
		printf("\"%lld\"", (long long)c->ints[row]);
		break;
	case PQ_DOUBLE:
		if (c->doubles[row] != c->doubles[row])
			fputs("\"NaN\"", stdout);
		else
			printf("%.17g", c->doubles[row]);
		break;
	case PQ_STRING:
		json_str(c->bytes + c->offsets[row], c->offsets[row + 1] - c->offsets[row]);
		break;
	case PQ_BLOB:
		hex(c->bytes + c->offsets[row], c->offsets[row + 1] - c->offsets[row]);
		break;
	case PQ_LIST_STRING:
		putchar('[');
		for (size_t k = c->list_offsets[row]; k < c->list_offsets[row + 1]; k++) {
			if (k > c->list_offsets[row])
				putchar(',');
			json_str(c->bytes + c->offsets[k], c->offsets[k + 1] - c->offsets[k]);
		}
		putchar(']');
		break;
	}
}

int main(int argc, char **argv)
{
	char err[256];
	if (argc < 2) {
		fprintf(stderr, "pq_dump: usage: pq_dump FILE [KEY...]\n");
		return 2;
	}
	struct pq_reader *r = pq_reader_open(argv[1], err, sizeof err);
	if (!r) {
		fprintf(stderr, "pq_dump: %s\n", err);
		return 1;
	}
	size_t n = pq_reader_column_count(r);
	struct pq_column *cols = calloc(n, sizeof *cols);
	for (size_t i = 0; i < n; i++)
		if (pq_reader_read_column(r, i, &cols[i]) < 0) {
			fprintf(stderr, "pq_dump: %s\n", pq_reader_error(r));
			return 1;
		}
	printf("{\"rows\":%llu,\"columns\":[", (unsigned long long)pq_reader_rows(r));
	for (size_t i = 0; i < n; i++) {
		const struct pq_column_def *d = pq_reader_column(r, i);
		printf("%s{\"name\":", i ? "," : "");
		json_str(d->name, strlen(d->name));
		printf(",\"type\":\"%s\",\"optional\":%s}", type_names[d->type],
		       d->optional ? "true" : "false");
	}
	printf("],\"metadata\":{");
	for (int k = 2; k < argc; k++) {
		const char *v = pq_reader_metadata(r, argv[k]);
		if (k > 2)
			putchar(',');
		json_str(argv[k], strlen(argv[k]));
		putchar(':');
		if (v)
			json_str(v, strlen(v));
		else
			fputs("null", stdout);
	}
	printf("}}\n");
	for (size_t row = 0; row < pq_reader_rows(r); row++) {
		putchar('[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				putchar(',');
			value(&cols[i], row);
		}
		puts("]");
	}
	for (size_t i = 0; i < n; i++)
		pq_column_free(&cols[i]);
	free(cols);
	pq_reader_close(r);
	return 0;
}
