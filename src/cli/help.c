/* --help, written from the command tables (cli/command.h). */
#include <string.h>

#include "cli/command.h"

/* The help column: two spaces after the longest left part, at most this far in; a longer left
 * part has its help start on the next line. */
#define MAX_COLUMN 36
#define RECORDERS "{recorders}"

/* "run, attach": the commands that record datasets. */
static void recording_commands(char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cli_command_count && used < size; i++)
		if (cli_commands[i]->records)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
						 cli_commands[i]->name);
}

void cli_expand(const char *text, char *buf, size_t size)
{
	const char *at = strstr(text, RECORDERS);
	char names[256];

	if (!at) {
		snprintf(buf, size, "%s", text);
		return;
	}
	recording_commands(names, sizeof(names));
	snprintf(buf, size, "%.*s%s%s", (int)(at - text), text, names, at + strlen(RECORDERS));
}

static void put_text(const char *text, FILE *out)
{
	char expanded[CLI_TEXT_MAX];

	cli_expand(text, expanded, sizeof(expanded));
	fputs(expanded, out);
}

/* "  -o, --output DIR" */
static void option_left(const struct cli_option *o, char *buf, size_t size)
{
	if (o->letter)
		snprintf(buf, size, "  -%c, --%s%s%s", o->letter, o->name, o->value ? " " : "",
			 o->value ? o->value : "");
	else
		snprintf(buf, size, "      --%s%s%s", o->name, o->value ? " " : "",
			 o->value ? o->value : "");
}

/* "  run [OPTIONS] -- CMD [ARG...]" */
static void command_left(const struct cli_command *c, char *buf, size_t size)
{
	snprintf(buf, size, "  %s%s%s", c->name, *c->synopsis ? " " : "", c->synopsis);
}

/* left, then help's lines at column. */
static void put_row(const char *left, const char *help, int column, FILE *out)
{
	int width = (int)strlen(left);

	fputs(left, out);
	if (width + 2 > column) {
		fputc('\n', out);
		width = 0;
	}
	for (const char *line = help; *line;) {
		size_t length = strcspn(line, "\n");

		fprintf(out, "%*s%.*s\n", column - width, "", (int)length, line);
		width = 0;
		line += length + (line[length] == '\n');
	}
}

static int column_for(size_t widest)
{
	return widest + 2 > MAX_COLUMN ? MAX_COLUMN : (int)widest + 2;
}

static void put_commands(FILE *out)
{
	char left[128];
	size_t widest = 0;

	for (size_t i = 0; i < cli_command_count; i++) {
		command_left(cli_commands[i], left, sizeof(left));
		if (strlen(left) > widest)
			widest = strlen(left);
	}
	fputs("\nCommands:\n", out);
	for (size_t i = 0; i < cli_command_count; i++) {
		command_left(cli_commands[i], left, sizeof(left));
		put_row(left, cli_commands[i]->summary, column_for(widest), out);
	}
}

static void put_options(const struct cli_command *c, FILE *out)
{
	char left[128];
	size_t widest = 0;

	for (size_t i = 0; i <= c->option_count; i++) {
		option_left(cli_option_at(c, i), left, sizeof(left));
		if (strlen(left) > widest)
			widest = strlen(left);
	}
	fputs("\nOptions:\n", out);
	for (size_t i = 0; i <= c->option_count; i++) {
		option_left(cli_option_at(c, i), left, sizeof(left));
		put_row(left, cli_option_at(c, i)->help, column_for(widest), out);
	}
}

void cli_print_help(const struct cli_command *c, FILE *out)
{
	fprintf(out, "Usage: pipetrace%s%s%s%s\n", c->name ? " " : "", c->name ? c->name : "",
		*c->synopsis ? " " : "", c->synopsis);
	put_text(c->description, out);
	if (!c->name)
		put_commands(out);
	put_options(c, out);
	if (c->epilogue) {
		fputc('\n', out);
		put_text(c->epilogue, out);
	}
}
