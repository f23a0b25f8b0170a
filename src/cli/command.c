/* One getopt_long parser for every command, driven by its option table (cli/command.h). */
#include "cli/command.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* getopt_long's value for table row i (above every short letter). */
#define ROW_VALUE(i) (256 + (int)(i))
#define HELP_ROW(c) ((c)->option_count)

const struct cli_option cli_help_option = {"help", 'h', NULL, "show this help and exit",
					   .parse = NULL};

const struct cli_option *cli_option_at(const struct cli_command *c, size_t i)
{
	return i < c->option_count ? &c->options[i] : &cli_help_option;
}

const struct cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < cli_command_count; i++)
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
	return NULL;
}

static int usage_status(const struct cli_command *c)
{
	return c->usage_status ? c->usage_status : EXIT_USAGE;
}

int cli_usage_error(const struct cli_command *c, const char *fmt, ...)
{
	const char *name = c->name ? c->name : "";
	const char *space = c->name ? " " : "";
	va_list ap;

	fprintf(stderr, "pipetrace%s%s: ", space, name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try 'pipetrace%s%s --help'\n", space, name);
	return usage_status(c);
}

int cli_text(const struct cli_option *o, const char *value, void *field, char *why, size_t why_size)
{
	*(const char **)field = value;
	return 0;
}

/* A plain decimal number ("12", "2.5"; a whole one when whole) from o->min to o->max: strtod
 * also takes "inf", "nan" and hex, which are not numbers here. */
static int read_number(const struct cli_option *o, const char *value, bool whole, double *out)
{
	const char *digits = whole ? "0123456789" : "0123456789.";
	char *end;
	double number;

	errno = 0;
	number = strtod(value, &end);
	if (!*value || *end || errno || strspn(value, digits) != strlen(value) ||
	    !isfinite(number) || number < o->min || number > o->max)
		return -1;
	*out = number;
	return 0;
}

int cli_count(const struct cli_option *o, const char *value, void *field, char *why,
	      size_t why_size)
{
	double number;

	if (read_number(o, value, true, &number))
		return -1;
	*(size_t *)field = (size_t)number;
	return 0;
}

int cli_number(const struct cli_option *o, const char *value, void *field, char *why,
	       size_t why_size)
{
	return read_number(o, value, false, field);
}

int cli_choice(const struct cli_option *o, const char *value, void *field, char *why,
	       size_t why_size)
{
	for (size_t i = 0; i < o->choice_count; i++)
		if (o->choices[i] && !strcmp(value, o->choices[i])) {
			*(int *)field = (int)i;
			return 0;
		}
	return -1;
}

/* "'a', 'b' or 'c'": what a choice option takes. */
static void list_choices(const struct cli_option *o, char *buf, size_t size)
{
	size_t left = 0, used = 0;

	for (size_t i = 0; i < o->choice_count; i++)
		left += o->choices[i] != NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < o->choice_count && used < size; i++) {
		if (!o->choices[i])
			continue;
		const char *after = --left > 1 ? ", " : left ? " or " : "";

		used += (size_t)snprintf(buf + used, size - used, "'%s'%s", o->choices[i], after);
	}
}

static int bad_value(const struct cli_command *c, const struct cli_option *o, const char *value,
		     const char *why)
{
	char choices[256];

	if (*why)
		return cli_usage_error(c, "%s", why);
	if (o->choices)
		list_choices(o, choices, sizeof(choices));
	return cli_usage_error(c, "--%s takes %s, not '%s'", o->name,
			       o->choices ? choices : o->takes, value);
}

/* getopt_long's tables for c: the short letters (":" first: a missing value is told apart
 * from an unknown option) and the long options, ending with --help. */
static void getopt_tables(const struct cli_command *c, char *letters, struct option *longopts)
{
	char *l = letters;

	if (c->options_first)
		*l++ = '+';
	*l++ = ':';
	for (size_t i = 0; i <= HELP_ROW(c); i++) {
		const struct cli_option *o = cli_option_at(c, i);

		longopts[i] = (struct option){o->name, o->value ? required_argument : no_argument,
					      NULL, ROW_VALUE(i)};
		if (o->letter) {
			*l++ = o->letter;
			if (o->value)
				*l++ = ':';
		}
	}
	*l = '\0';
	longopts[HELP_ROW(c) + 1] = (struct option){0};
}

/* The table row getopt_long answered with, or -1. */
static long answered_row(const struct cli_command *c, int answer)
{
	if (answer >= ROW_VALUE(0) && answer <= ROW_VALUE(HELP_ROW(c)))
		return answer - ROW_VALUE(0);
	for (size_t i = 0; i < c->option_count; i++)
		if (c->options[i].letter && c->options[i].letter == answer)
			return (long)i;
	return answer == cli_help_option.letter ? (long)HELP_ROW(c) : -1;
}

/* The option getopt_long could not take: the word, or the letter of a short option. */
static const char *rejected_option(char **argv, char buffer[3])
{
	if (!optopt)
		return argv[optind - 1];
	buffer[0] = '-';
	buffer[1] = (char)optopt;
	buffer[2] = '\0';
	return buffer;
}

/* Applies row's option; CLI_GO_ON, or the command's exit status. */
static int apply(const struct cli_command *c, size_t row, void *settings)
{
	const struct cli_option *o;
	char why[256] = "";
	void *field;

	if (row == HELP_ROW(c)) {
		cli_print_help(c, stdout);
		return 0;
	}
	o = &c->options[row];
	field = (char *)settings + o->offset;
	if (!o->parse) {
		*(bool *)field = true;
		return CLI_GO_ON;
	}
	if (o->parse(o, optarg, field, why, sizeof(why)))
		return bad_value(c, o, optarg, why);
	return CLI_GO_ON;
}

/* Runs getopt_long over argv with c's tables; CLI_GO_ON or the command's exit status. */
static int parse_options(const struct cli_command *c, int argc, char **argv, void *settings,
			 const char *letters, const struct option *longopts)
{
	char bad[3];
	int answer, status;

	opterr = 0;
	optind = 0; /* glibc starts afresh, whatever it parsed before */
	while ((answer = getopt_long(argc, argv, letters, longopts, NULL)) != -1) {
		long row = answered_row(c, answer);

		if (answer == ':')
			return cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		if (row < 0)
			return cli_usage_error(c, "unknown option '%s'",
					       rejected_option(argv, bad));
		status = apply(c, (size_t)row, settings);
		if (status != CLI_GO_ON)
			return status;
	}
	return CLI_GO_ON;
}

int cli_parse(const struct cli_command *c, int argc, char **argv, void *settings,
	      struct cli_operands *operands)
{
	size_t rows = HELP_ROW(c) + 1;
	struct option *longopts = calloc(rows + 1, sizeof(*longopts));
	char *letters = malloc(3 * rows + 3);
	int status, count;

	if (!longopts || !letters) {
		free(longopts);
		free(letters);
		fputs("pipetrace: out of memory\n", stderr);
		return usage_status(c);
	}
	getopt_tables(c, letters, longopts);
	status = parse_options(c, argc, argv, settings, letters, longopts);
	free(longopts);
	free(letters);
	if (status != CLI_GO_ON)
		return status;
	count = argc - optind;
	if (count < c->min_operands || (c->max_operands >= 0 && count > c->max_operands))
		return cli_usage_error(c, "%s (pipetrace %s%s%s)", c->operands_error,
				       c->name ? c->name : "", *c->synopsis ? " " : "",
				       c->synopsis);
	*operands = (struct cli_operands){argv + optind, count};
	return CLI_GO_ON;
}
