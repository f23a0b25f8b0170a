/* pq_api: checks the writer's and reader's API contract in C: refused calls return -1 with
 * a message and leave the writer usable; rows are counted; the file reads back. Prints
 * "ok", or the first failed check and exits 1.
 *
 *   pq_api DIR */
#include "parquet/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failures++; \
		} \
	} while (0)

/* A refused call: -1 and a message containing want. */
#define REFUSED(w, call, want) \
	do { \
		CHECK((call) == -1); \
		CHECK(strstr(pq_writer_error(w), want) != NULL); \
	} while (0)

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pq_api DIR\n");
		return 2;
	}
	char path[4096], err[256];
	snprintf(path, sizeof path, "%s/api.parquet", argv[1]);
	const struct pq_column_def cols[] = {
		{ "a", PQ_INT64, false }, { "s", PQ_STRING, true }, { "l", PQ_LIST_STRING, false },
	};
	const struct pq_column_def dup[] = { { "x", PQ_INT32, false }, { "x", PQ_INT32, false } };
	CHECK(!pq_writer_open(path, cols, 0, NULL, err, sizeof err) && strstr(err, "no columns"));
	CHECK(!pq_writer_open(path, dup, 2, NULL, err, sizeof err) && strstr(err, "duplicate"));
	CHECK(!pq_writer_open("/nonexistent/dir/f.parquet", cols, 3, NULL, err, sizeof err) &&
	      strstr(err, "No such file"));

	struct pq_writer *w = pq_writer_open(path, cols, 3, NULL, err, sizeof err);
	CHECK(w != NULL);
	if (!w) {
		printf("FAIL open: %s\n", err);
		return 1;
	}
	const char *items[] = { "x", "\xff" };
	size_t lens[] = { 1, 1 };
	REFUSED(w, pq_write_bytes(w, 0, "no", 2), "column a is INT64, not STRING");
	REFUSED(w, pq_write_int32(w, 0, 1), "not INT32");
	REFUSED(w, pq_write_int64(w, 7, 1), "out of range");
	REFUSED(w, pq_write_null(w, 0), "required");
	CHECK(pq_write_int64(w, 0, 5) == 0);
	REFUSED(w, pq_write_int64(w, 0, 6), "written twice");
	REFUSED(w, pq_writer_end_row(w), "column s missing");
	REFUSED(w, pq_write_bytes(w, 1, "\xc3", 1), "invalid UTF-8");
	CHECK(pq_write_bytes(w, 1, "\xc3\xa9", 2) == 0);
	REFUSED(w, pq_write_list(w, 2, items, lens, 2), "item 1: invalid UTF-8");
	REFUSED(w, pq_writer_end_row(w), "column l missing");
	CHECK(pq_write_list(w, 2, items, lens, 1) == 0);
	CHECK(pq_writer_rows(w) == 0);
	CHECK(pq_writer_end_row(w) == 0);
	CHECK(pq_writer_rows(w) == 1);
	/* Any column order. */
	CHECK(pq_write_list(w, 2, NULL, NULL, 0) == 0);
	CHECK(pq_write_null(w, 1) == 0);
	CHECK(pq_write_int64(w, 0, -1) == 0);
	CHECK(pq_writer_end_row(w) == 0);
	CHECK(pq_writer_set_metadata(w, "k", "1") == 0 && pq_writer_set_metadata(w, "k", "2") == 0);
	CHECK(pq_writer_rows(w) == 2);
	CHECK(pq_writer_close(w, err, sizeof err) == 0);

	/* A row left unfinished fails the close; abort leaves no leak. */
	snprintf(path + strlen(path) - 8, 16, "x.parquet");
	w = pq_writer_open(path, cols, 3, NULL, err, sizeof err);
	CHECK(w && pq_write_int64(w, 0, 1) == 0);
	CHECK(pq_writer_close(w, err, sizeof err) == -1 && strstr(err, "unfinished"));
	w = pq_writer_open(path, cols, 3, NULL, err, sizeof err);
	CHECK(w && pq_write_int64(w, 0, 1) == 0);
	pq_writer_abort(w);
	/* Abort with pages still queued on the workers. */
	const struct pq_column_def one[] = { { "n", PQ_INT64, false } };
	w = pq_writer_open(path, one, 1, NULL, err, sizeof err);
	for (int64_t i = 0; w && i < 400000; i++)
		CHECK(pq_write_int64(w, 0, i * 7919) == 0 && pq_writer_end_row(w) == 0);
	pq_writer_abort(w);

	snprintf(path, sizeof path, "%s/api.parquet", argv[1]);
	struct pq_reader *r = pq_reader_open(path, err, sizeof err);
	CHECK(r != NULL);
	if (!r) {
		printf("FAIL reader: %s\n", err);
		return 1;
	}
	CHECK(pq_reader_rows(r) == 2 && pq_reader_column_count(r) == 3);
	CHECK(pq_reader_find_column(r, "l") == 2 && pq_reader_find_column(r, "nope") == -1);
	CHECK(pq_reader_column(r, 3) == NULL && pq_reader_column(r, 1)->optional);
	CHECK(strcmp(pq_reader_metadata(r, "k"), "2") == 0 && !pq_reader_metadata(r, "z"));
	struct pq_column c;
	CHECK(pq_reader_read_column(r, 9, &c) == -1 && strstr(pq_reader_error(r), "out of range"));
	CHECK(pq_reader_read_column(r, 0, &c) == 0 && c.rows == 2 && c.ints[0] == 5 && c.ints[1] == -1);
	pq_column_free(&c);
	CHECK(pq_reader_read_column(r, 1, &c) == 0 && c.present[0] && !c.present[1] &&
	      c.offsets[1] - c.offsets[0] == 2 && memcmp(c.bytes, "\xc3\xa9", 2) == 0);
	pq_column_free(&c);
	CHECK(pq_reader_read_column(r, 2, &c) == 0 && c.present[0] && c.present[1] &&
	      c.list_offsets[0] == 0 && c.list_offsets[1] == 1 && c.list_offsets[2] == 1 &&
	      c.bytes[c.offsets[0]] == 'x');
	pq_column_free(&c);
	pq_reader_close(r);
	CHECK(pq_utf8_valid("", 0) && pq_utf8_valid("\xf4\x8f\xbf\xbf", 4) &&
	      !pq_utf8_valid("\xf4\x90\x80\x80", 4) && !pq_utf8_valid("\xed\xa0\x80", 3) &&
	      !pq_utf8_valid("\xe0\x80\x80", 3) && !pq_utf8_valid("abcdefgh\x80", 9));
	if (failures)
		return 1;
	puts("ok");
	return 0;
}
