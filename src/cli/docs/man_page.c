/* pipetrace(1) in man(7) macros: each command's usage, description, options and epilogue. */
#include <string.h>

#include "cli/command.h"
#include "cli/docs/docs.h"

/* A character in roff: backslashes escaped, hyphens minus signs, as options are typed. */
static void put_char(char c, FILE *out)
{
	if (c == '\\')
		fputs("\\e", out);
	else if (c == '-')
		fputs("\\-", out);
	else
		fputc(c, out);
}

/* text in roff: each character as put_char writes it, a line starting with '.' or '\''
 * guarded, an empty line a paragraph break. */
static void put_roff(const char *text, FILE *out)
{
	char expanded[CLI_TEXT_MAX];
	bool line_start = true;

	cli_expand(text, expanded, sizeof(expanded));
	for (const char *c = expanded; *c; c++) {
		if (line_start && *c == '\n') {
			fputs(".PP\n", out);
			continue;
		}
		if (line_start && (*c == '.' || *c == '\''))
			fputs("\\&", out);
		put_char(*c, out);
		line_start = *c == '\n';
	}
	if (!line_start)
		fputc('\n', out);
}

static void put_usage(const struct cli_command *c, FILE *out)
{
	fputs(".B pipetrace", out);
	if (c->name)
		fprintf(out, " %s", c->name);
	fputc('\n', out);
	if (*c->synopsis)
		put_roff(c->synopsis, out);
}

static void put_name(const char *name, FILE *out)
{
	for (const char *c = name; *c; c++)
		put_char(*c, out);
}

/* .TP, then "-o, --output DIR", then its help, on a line of its own: a heading a little
 * shorter than the indent (--sync) would otherwise run into its text. */
static void put_option(const struct cli_option *o, FILE *out)
{
	fputs(".TP\n", out);
	if (o->letter)
		fprintf(out, "\\fB\\-%c\\fR, ", o->letter);
	fputs("\\fB\\-\\-", out);
	put_name(o->name, out);
	fputs("\\fR", out);
	if (o->value) {
		fputs(" \\fI", out);
		put_name(o->value, out);
		fputs("\\fR", out);
	}
	fputs("\n.br\n", out);
	put_roff(o->help, out);
}

static void put_options(const struct cli_command *c, FILE *out)
{
	for (size_t i = 0; i <= c->option_count; i++)
		put_option(cli_option_at(c, i), out);
}

static void put_command(const struct cli_command *c, FILE *out)
{
	fprintf(out, ".SS \"pipetrace %s\"\n", c->name);
	put_usage(c, out);
	fputs(".PP\n", out);
	put_roff(c->description, out);
	put_options(c, out);
	if (c->epilogue) {
		fputs(".PP\n", out);
		put_roff(c->epilogue, out);
	}
}

void write_man_page(FILE *out, const char *version)
{
	fputs(".\\\" Generated from the command tables (src/cli) by cli-docs; do not edit.\n", out);
	fprintf(out, ".TH PIPETRACE 1 \"\" \"pipetrace %s\" \"User Commands\"\n", version);
	/* Option names are not to be hyphenated at line ends. */
	fputs(".nh\n.SH NAME\npipetrace \\- ", out);
	put_roff(cli_program.description, out);
	fputs(".SH SYNOPSIS\n", out);
	put_usage(&cli_program, out);
	for (size_t i = 0; i < cli_command_count; i++) {
		fputs(".br\n", out);
		put_usage(cli_commands[i], out);
	}
	fputs(".SH OPTIONS\n", out);
	put_options(&cli_program, out);
	fputs(".SH COMMANDS\n", out);
	for (size_t i = 0; i < cli_command_count; i++)
		put_command(cli_commands[i], out);
	fputs(".SH SEE ALSO\n"
	      "docs/cli.md, docs/report.md and docs/dataset.md in pipetrace's sources: the\n"
	      "commands, the report's definitions and the dataset's tables and columns.\n",
	      out);
}
