/* Argument checks shared by the report and diff subcommands. */
#ifndef PIPETRACE_COMMAND_ARGS_H
#define PIPETRACE_COMMAND_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/* Index of value in names[0..count) (NULL entries are no choice), or -1. */
int args_choice(const char *value, const char *const *names, size_t count);
#define ARGS_CHOICE(value, names) args_choice(value, names, sizeof(names) / sizeof((names)[0]))

/* Parses a plain decimal number ("12", "2.5"; a whole one when whole) from min to max. */
bool args_number(const char *s, bool whole, double min, double max, double *out);

/* Prints "pipetrace COMMAND: CAUSE VALUE; try 'pipetrace COMMAND --help'" and returns 2. */
int args_usage_error(const char *command, const char *cause, const char *value);

/* The name of the option getopt_long just rejected (optopt or the word itself). */
const char *args_bad_option(char *const *argv, char buffer[3]);

#endif
