/* libFuzzer target: pipetrace's Parquet reader on arbitrary bytes. Every input must give
 * either columns or a one-line error; the sanitizers catch the rest. */
#include "parquet/parquet.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct pq_reader *r = pq_reader_open_memory(data, size, err, sizeof err);
	if (!r) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	for (size_t i = 0; i < pq_reader_column_count(r); i++) {
		struct pq_column c;
		if (pq_reader_read_column(r, i, &c) == 0) {
			/* Touch the decoded data so ASan checks the offsets. */
			size_t items = c.list_offsets ? c.list_offsets[c.rows] : c.rows;
			volatile size_t sum = 0;
			for (size_t k = 0; c.offsets && k < items; k++)
				sum += c.offsets[k + 1] - c.offsets[k] + (size_t)c.bytes[c.offsets[k]];
			(void)sum;
			pq_column_free(&c);
		} else {
			const char *e = pq_reader_error(r);
			if (!e[0] || strchr(e, '\n'))
				abort();
		}
	}
	pq_reader_close(r);
	return 0;
}
