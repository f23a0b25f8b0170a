/* libFuzzer target: the redaction engine (src/redact) on arbitrary argv bytes, the first byte
 * choosing whether the last word is cut short. Every input must keep its number of words, within
 * REDACTED_SIZE, or be left as it is; the sanitizers catch the rest. */
#include "redact/redact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t words(const char *argv, size_t len)
{
	size_t count = 0;

	for (size_t i = 0; i < len; i++)
		count += argv[i] == '\0';
	return count + (len && argv[len - 1] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct redactor *r;
	char err[256], *out;
	size_t out_len, changed;
	bool cut;

	if (!r && !(r = redactor_new((const char *[]){"pin=([0-9]+)", "corp-[0-9]{3}"}, 2, err,
				     sizeof(err))))
		abort();
	if (!size)
		return 0;
	cut = data[0] & 1;
	data++, size--;
	out = malloc(REDACTED_SIZE(size));
	changed = redact_argv(r, (const char *)data, size, cut, out, &out_len);
	if (changed ? out_len > REDACTED_SIZE(size) - 1 ||
			      words(out, out_len) != words((const char *)data, size)
		    : out_len != size)
		abort();
	free(out);
	return 0;
}
