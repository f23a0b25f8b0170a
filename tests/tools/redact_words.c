/* redact_words [--redact REGEX]... [--cut] [--] WORD...: runs the redaction engine alone on
 * WORD... as one argv (--cut: the last word was cut short by --max-args). Prints how many words
 * changed on a line, then the argv as redaction leaves it, each word followed by a NUL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact/redact.h"

int main(int argc, char **argv)
{
	const char *patterns[64];
	size_t count = 0, len = 0, out_len, changed;
	bool cut = false;
	char err[256], *in, *out;
	struct redactor *r;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--cut"))
			cut = true;
		else if (!strcmp(argv[i], "--redact") && i + 1 < argc && count < 64)
			patterns[count++] = argv[++i];
		else
			break;
	}
	if (!(r = redactor_new(patterns, count, err, sizeof(err)))) {
		fprintf(stderr, "redact_words: %s\n", err);
		return 2;
	}
	for (int k = i; k < argc; k++)
		len += strlen(argv[k]) + 1;
	in = malloc(len + 1);
	out = malloc(REDACTED_SIZE(len));
	for (int k = i, at = 0; k < argc; k++)
		at = (int)(stpcpy(in + at, argv[k]) - in) + 1;
	if (cut && len)
		len--; /* the last word without its NUL */
	changed = redact_argv(r, in, len, cut, out, &out_len);
	printf("%zu\n", changed);
	fwrite(changed ? out : in, 1, out_len, stdout);
	if (cut && len)
		putchar('\0');
	redactor_free(r);
	free(in);
	free(out);
	return 0;
}
