#include "analysis/command_args.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int args_choice(const char *value, const char *const *names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (names[i] && strcmp(value, names[i]) == 0)
			return (int)i;
	return -1;
}

bool args_number(const char *s, bool whole, double min, double max, double *out)
{
	char *end;
	errno = 0;
	double value = strtod(s, &end);
	/* strtod also takes "inf", "nan" and hex: only plain decimals are numbers here. */
	const char *digits = whole ? "0123456789" : "0123456789.";
	if (*s == '\0' || *end != '\0' || errno != 0 || strspn(s, digits) != strlen(s) ||
	    !isfinite(value) || value < min || value > max)
		return false;
	*out = value;
	return true;
}

int args_usage_error(const char *command, const char *cause, const char *value)
{
	fprintf(stderr, "pipetrace %s: %s%s%s; try 'pipetrace %s --help'\n", command, cause,
		value ? " " : "", value ? value : "", command);
	return 2;
}

const char *args_bad_option(char *const *argv, char buffer[3])
{
	if (!optopt)
		return argv[optind - 1];
	buffer[0] = '-';
	buffer[1] = (char)optopt;
	buffer[2] = '\0';
	return buffer;
}
