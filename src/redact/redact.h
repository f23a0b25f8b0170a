/* Redaction of secrets in command lines (docs/redaction.md): built-in rules for the usual forms
 * (token formats, secret-named options and variables, URL passwords, Authorization headers) and
 * the user's own POSIX extended regexes, applied to argv words. It knows nothing of records,
 * executions or tables: the proc probe and `run` hand it words. */
#ifndef PIPETRACE_REDACT_H
#define PIPETRACE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

struct redactor;

/* What a secret becomes. */
#define REDACTED_MARK "***"

/* Compiles the user's patterns once (count 0: the built-in rules alone). NULL with err set
 * ("--redact 'PATTERN': why") on a bad pattern, or when out of memory. */
struct redactor *redactor_new(const char *const *patterns, size_t count, char *err,
			      size_t err_size);
void redactor_free(struct redactor *r);

/* The most bytes redacting len bytes can give: a secret of one byte becomes three. */
#define REDACTED_SIZE(len) ((len) * 3 + 1)

/* Redacts argv bytes in[0..len) (NUL-separated words as in mm->arg_start..arg_end; cut says the
 * last word was cut short by a limit) into out, which has room for REDACTED_SIZE(len): the same
 * words, every byte that is not part of a secret unchanged. Returns how many words changed;
 * when 0, out is not written (in stands as it is). Sets *out_len. */
size_t redact_argv(struct redactor *r, const char *in, size_t len, bool cut, char *out,
		   size_t *out_len);

/* A redacted copy of count NUL-terminated words (r NULL: a plain copy), in one allocation
 * (free() it); sets *changed to how many words changed. NULL when out of memory. */
char **redact_words(struct redactor *r, char *const *words, size_t count, size_t *changed);

#endif
