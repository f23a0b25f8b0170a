/* The normalized command key: a command line with what changes from run to run masked, so
 * that `sleep 0.1` and `sleep 0.5`, or two compilations writing different temporary files,
 * are one command (docs/report.md, "Normalized commands"). Shared by `report --by
 * normalized` and `diff --key normalized`. */
#ifndef PIPETRACE_NORMALIZE_H
#define PIPETRACE_NORMALIZE_H

#include <stddef.h>

/* Writes the normalized form of the NUL-terminated cmdline to out, NUL-terminated, and returns
 * its length. Masking never makes a string longer, so out needs strlen(cmdline) + 1 bytes.
 * The rules, applied left to right:
 *  - a temporary name: the path component right after /tmp/, /var/tmp/ or /dev/shm/ (at the
 *    start of a path) becomes "*", keeping an extension of 1 to 4 letters (so the cc1 temporary
 *    file /tmp/ccX1.s becomes /tmp/ then "*.s");
 *  - a UUID (8-4-4-4-12 hex digits) becomes "#";
 *  - a hex id: a word (letters and digits between other characters) of 4 or more hex digits
 *    with at least one decimal digit and one letter becomes "#" ("3fa9c2e1" -> "#");
 *  - a number: digits not preceded by a letter, with a fraction if one follows, become "#"
 *    ("0.5" -> "#", "--jobs=8" -> "--jobs=#", "10ms" -> "#ms"; "python3" is kept). */
size_t normalize_command(const char *cmdline, char *out);

#endif
