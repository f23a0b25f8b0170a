/* pq_corrupt: damages a valid Parquet file in every small way and reads each variant back
 * with pipetrace's reader, in memory: every truncation, every cut of the data section that
 * keeps the footer (so its offsets point past the data), and every byte xor 0x01 and xor
 * 0xFF. A crash is caught by the sanitizers of the test build; a message that is empty or
 * spans lines fails here. Prints one JSON line:
 *   {"variants":N,"read":K,"truncations_read":T,"messages":{"message":count,...}}
 * where "read" counts variants that decoded without error (a flipped value byte can), and
 * truncations_read those among the truncations and cuts (there must be none).
 *
 *   pq_corrupt FILE */
#include "parquet/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGES 256

static char *messages[MAX_MESSAGES];
static size_t counts[MAX_MESSAGES], nmessages;

/* Opens and reads every column; returns 0 or -1 with msg set. */
static int try_read(const unsigned char *data, size_t size, char *msg, size_t msg_size)
{
	struct pq_reader *r = pq_reader_open_memory(data, size, msg, msg_size);
	if (!r)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < pq_reader_column_count(r) && rc == 0; i++) {
		struct pq_column c;
		rc = pq_reader_read_column(r, i, &c);
		if (rc == 0)
			pq_column_free(&c);
		else
			snprintf(msg, msg_size, "%s", pq_reader_error(r));
	}
	pq_reader_close(r);
	return rc;
}

static void count(const char *msg)
{
	if (!*msg || strchr(msg, '\n')) {
		fprintf(stderr, "pq_corrupt: bad error message \"%s\"\n", msg);
		exit(1);
	}
	/* Numbers vary with the variant; group messages by their text up to the first digit. */
	size_t n = strcspn(msg, "0123456789");
	for (size_t i = 0; i < nmessages; i++)
		if (strlen(messages[i]) == n && strncmp(messages[i], msg, n) == 0) {
			counts[i]++;
			return;
		}
	if (nmessages < MAX_MESSAGES) {
		messages[nmessages] = strndup(msg, n);
		counts[nmessages++] = 1;
	}
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	putchar('"');
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pq_corrupt FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	size_t size = (size_t)ftell(f);
	rewind(f);
	unsigned char *orig = malloc(size), *buf = malloc(size ? size : 1);
	if (!orig || fread(orig, 1, size, f) != size) {
		fprintf(stderr, "pq_corrupt: cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(f);
	char msg[256];
	if (try_read(orig, size, msg, sizeof msg) < 0) {
		fprintf(stderr, "pq_corrupt: the original does not read: %s\n", msg);
		return 1;
	}
	size_t variants = 0, read = 0, truncations_read = 0;
	for (size_t len = 0; len < size; len++) {
		/* A copy of exactly len bytes, so ASan sees any read past the end. */
		unsigned char *t = malloc(len ? len : 1);
		memcpy(t, orig, len);
		variants++;
		if (try_read(t, len, msg, sizeof msg) == 0)
			truncations_read++, read++;
		else
			count(msg);
		free(t);
	}
	/* Footer, its length and the magic: the last 8 + footer length bytes. */
	size_t tail = size >= 12 ? 8 + (size_t)(orig[size - 8] | orig[size - 7] << 8 |
						 orig[size - 6] << 16 | (size_t)orig[size - 5] << 24) : size;
	for (size_t len = 0; tail <= size && len < size - tail; len++) {
		unsigned char *t = malloc(len + tail);
		memcpy(t, orig, len);
		memcpy(t + len, orig + size - tail, tail);
		variants++;
		if (try_read(t, len + tail, msg, sizeof msg) == 0)
			truncations_read++, read++;
		else
			count(msg);
		free(t);
	}
	static const unsigned char masks[] = { 0x01, 0xFF };
	for (size_t pos = 0; pos < size; pos++)
		for (size_t m = 0; m < sizeof masks; m++) {
			memcpy(buf, orig, size);
			buf[pos] ^= masks[m];
			variants++;
			if (try_read(buf, size, msg, sizeof msg) == 0)
				read++;
			else
				count(msg);
		}
	printf("{\"variants\":%zu,\"read\":%zu,\"truncations_read\":%zu,\"messages\":{", variants,
	       read, truncations_read);
	for (size_t i = 0; i < nmessages; i++) {
		if (i)
			putchar(',');
		json_str(messages[i]);
		printf(":%zu", counts[i]);
		free(messages[i]);
	}
	puts("}}");
	free(orig);
	free(buf);
	return 0;
}
