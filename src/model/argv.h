/* Turning the kernel's raw bytes into the dataset's strings.
 *
 * Strings in the dataset are valid UTF-8. A byte that is not part of valid UTF-8 is written
 * as the four characters \xHH; a backslash that would otherwise read as such an escape (one
 * followed by 'x' and two hex digits) is written \x5C. Decoding every \xHH back to its byte
 * restores the original exactly; every other backslash is literal. */
#ifndef PIPETRACE_ARGV_H
#define PIPETRACE_ARGV_H

#include <stddef.h>

#include "model/execution.h"

/* Escaped, NUL-terminated copy of bytes[0..len); NULL when out of memory. */
char *escape_bytes(const char *bytes, size_t len);
/* The same into out, which has room for ESCAPED_SIZE(len) bytes; returns the end (its NUL). */
char *escape_bytes_to(char *out, const char *bytes, size_t len);

/* An absolute, escaped path from a directory's components as the kernel sends them (leaf
 * first, each NUL-terminated: see bpf/record.h); "/" for none. NULL when out of memory. */
char *path_from_components(const char *components, size_t len);

/* Escaped copies of count NUL-terminated words (pipetrace's own command line). */
int argv_from_words(struct argv_list *out, char *const *words, size_t count);
/* Splits NUL-separated argv bytes (as in mm->arg_start..arg_end) into escaped strings. */
int argv_from_bytes(struct argv_list *out, const char *bytes, size_t len, bool truncated);
void argv_free(struct argv_list *argv);

/* The shell-quoted join of argv: a word that needs quoting is put in single quotes. */
char *argv_to_cmdline(const struct argv_list *argv);

#endif
