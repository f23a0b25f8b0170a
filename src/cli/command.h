/* The command line as tables: each command is one `struct cli_command` and one row per option,
 * and from those rows come its getopt_long parser, its --help, and (build/cli-docs, from
 * src/cli/docs/) the man page pipetrace(1) and the bash completion, so none can drift from
 * the others.
 *
 * Adding an option: one row in its command's table (e.g. run_table in options.c):
 *	{"max-args", 0, "BYTES", "argv bytes kept per exec, 4K to 1M (default 64K)",
 *	 parse_size, .offset = offsetof(struct run_options, max_args),
 *	 .takes = "4K to 1M bytes"},
 * - name, letter: --max-args; the short option ('o' for -o), 0 for none. --help and -h are
 *   added to every command.
 * - value: the value's name in the help ("DIR", "N"); NULL for a flag, which sets the bool
 *   at .offset. Bash completes a value named ...DIR as a folder, ...FILE as a file, USER as a
 *   user, a choice as its choices, any other as nothing (a number to type). Operands complete
 *   as the synopsis names them: CMD as a command, DIR as a folder, else as files.
 * - help: the help text; "\n" starts another line of it in --help (the man page fills).
 * - parse: stores the value at .offset in the command's settings: cli_text (a const char *),
 *   cli_count (a size_t from .min to .max), cli_number (a double from .min to .max),
 *   cli_choice (an int: the value's index in .choices, given with CLI_CHOICES(names)), or the
 *   command's own cli_parse_fn. A value it rejects is the usage error
 *   "pipetrace CMD: --NAME takes TAKES, not 'VALUE'; try 'pipetrace CMD --help'" (a choice's
 *   TAKES is the list of its choices), or the parser's own message (cli_parse_fn).
 * Rows end with a designated field (.offset = ...), which -Wmissing-field-initializers wants.
 *
 * Adding a command: a file src/cli/NAME.c with its settings, its table, its handler and its
 * struct cli_command; an extern in cli.h and a line in cli_commands (commands.c):
 *	struct export_settings { const char *output; };
 *	static const struct cli_option export_table[] = {
 *		{"output", 'o', "FILE", "the file to write", cli_text,
 *		 .offset = offsetof(struct export_settings, output)},
 *	};
 *	static int export_command(int argc, char **argv)
 *	{
 *		struct export_settings s = {.output = "-"}; (the defaults)
 *		struct cli_operands in;
 *		int status = cli_parse(&export_cli, argc, argv, &s, &in);
 *
 *		if (status != CLI_GO_ON)
 *			return status; (0 after --help, the usage status after a usage error)
 *		... in.argv[0 .. in.count) are the operands ...
 *	}
 *	const struct cli_command export_cli = {
 *		.name = "export", .synopsis = "[OPTIONS] DIR", .summary = "its line in the list",
 *		.description = "What it does.\n", .epilogue = "Exit status: ...\n",
 *		CLI_OPTIONS(export_table), .min_operands = 1, .max_operands = 1,
 *		.operands_error = "one dataset folder is needed",
 *		.main = export_command,
 *	};
 * The handler's other usage errors (an option missing, two that exclude each other) go
 * through cli_usage_error, so that they have the same shape and exit status. */
#ifndef PIPETRACE_CLI_COMMAND_H
#define PIPETRACE_CLI_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli_option;

/* Reads value into field (the option's place in the settings); 0, or -1 when the option does
 * not take that value: the usage error is then why, when the parser wrote it there (e.g.
 * "unknown probe 'x' (see 'pipetrace probes')"), else "--NAME takes TAKES, not 'VALUE'". */
typedef int cli_parse_fn(const struct cli_option *o, const char *value, void *field, char *why,
			 size_t why_size);

struct cli_option {
	const char *name;     /* long name, without "--" */
	char letter;          /* short name, 0 for none */
	const char *value;    /* the value's name in the help; NULL: a flag (a bool set true) */
	const char *help;     /* "\n" starts another line */
	cli_parse_fn *parse;  /* NULL for a flag */
	size_t offset;        /* of its field in the command's settings */
	const char *takes;    /* what a rejected value is told the option takes */
	const char *const *choices; /* cli_choice's names by index; NULL entries are no choice */
	size_t choice_count;
	double min, max;      /* cli_count's and cli_number's range */
};

#define CLI_CHOICES(names) .choices = (names), .choice_count = sizeof(names) / sizeof((names)[0])

cli_parse_fn cli_text, cli_count, cli_number, cli_choice;

struct cli_command {
	const char *name;        /* NULL for pipetrace itself */
	const char *synopsis;    /* what follows "pipetrace NAME" in the usage line */
	const char *summary;     /* its line in the list of commands; "\n" starts another */
	const char *description; /* the paragraph after the usage line ("{recorders}": see
				  * cli_expand) */
	const char *epilogue;    /* after the options: exit status, environment (may be NULL) */
	const struct cli_option *options;
	size_t option_count;
	int min_operands, max_operands; /* max_operands < 0: no limit */
	const char *operands_error;    /* the usage error when their count is wrong (the usage
					* line is added) */
	bool options_first; /* options end at the first operand (run: CMD's options are CMD's) */
	bool records;       /* traces a run into a dataset (help names these where datasets come from) */
	int usage_status;   /* exit status of a usage error (0: EXIT_USAGE) */
	int (*main)(int argc, char **argv); /* argv[0] is the command's name */
};

/* Every command's -h, --help; cli_option_at(c, c->option_count) is it, after c's own. */
extern const struct cli_option cli_help_option;
const struct cli_option *cli_option_at(const struct cli_command *c, size_t i);

#define CLI_OPTIONS(table) .options = (table), .option_count = sizeof(table) / sizeof((table)[0])

/* Every command, in the order help lists them; pipetrace itself (its options, no handler). */
extern const struct cli_command *const cli_commands[];
extern const size_t cli_command_count;
extern const struct cli_command cli_program;

const struct cli_command *cli_find(const char *name);

/* What follows the options. */
struct cli_operands {
	char **argv;
	int count;
};

#define CLI_GO_ON (-1)

/* Parses argv (argv[0] is the command's name) into settings, which hold the defaults. Returns
 * CLI_GO_ON with the operands in *operands; or, the command being done, its exit status: 0
 * after printing --help to stdout, its usage status after a one-line usage error on stderr. */
int cli_parse(const struct cli_command *c, int argc, char **argv, void *settings,
	      struct cli_operands *operands);

/* Prints "pipetrace CMD: MESSAGE; try 'pipetrace CMD --help'" to stderr; returns the
 * command's usage status. */
int cli_usage_error(const struct cli_command *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The command's --help (pipetrace's own lists the commands). */
void cli_print_help(const struct cli_command *c, FILE *out);

/* A command's text as its help prints it: "{recorders}" becomes the commands that record
 * datasets ("run, attach"). CLI_TEXT_MAX holds any of them. */
#define CLI_TEXT_MAX 4096
void cli_expand(const char *text, char *buf, size_t size);

#endif
