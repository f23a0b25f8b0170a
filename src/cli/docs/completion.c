/* Bash completion for pipetrace: its commands, each command's options, their values (a
 * choice's names; DIR, FILE and USER values as such) and operands (CMD, DIR, files). */
#include <string.h>

#include "cli/command.h"
#include "cli/docs/docs.h"

/* What the shell completes a value or an operand named name with (compgen's flags), or NULL
 * for a value to type (N, DURATION). */
static const char *compgen_for(const char *name)
{
	if (strstr(name, "CMD"))
		return "-c";
	if (strstr(name, "DIR"))
		return "-d";
	if (strstr(name, "USER"))
		return "-u";
	if (strstr(name, "FILE"))
		return "-f";
	return NULL;
}

/* What c's operands complete with, as its synopsis names them (CMD, DIR...), else files. */
static const char *operands_compgen(const struct cli_command *c)
{
	const char *flags = compgen_for(c->synopsis);

	return flags ? flags : "-f";
}

/* "--output -o --run-id ...": every option of c. */
static void put_option_words(const struct cli_command *c, FILE *out)
{
	for (size_t i = 0; i <= c->option_count; i++) {
		const struct cli_option *o = cli_option_at(c, i);

		fprintf(out, "%s--%s", i ? " " : "", o->name);
		if (o->letter)
			fprintf(out, " -%c", o->letter);
	}
}

/* "--output|-o": the patterns that name o. */
static void put_option_pattern(const struct cli_option *o, FILE *out)
{
	fprintf(out, "--%s", o->name);
	if (o->letter)
		fprintf(out, "|-%c", o->letter);
}

/* The case of $prev: what the value of each option that takes one completes with. */
static void put_values(const struct cli_command *c, FILE *out)
{
	fputs("\tcase $prev in\n", out);
	for (size_t i = 0; i < c->option_count; i++) {
		const struct cli_option *o = &c->options[i];

		if (!o->value)
			continue;
		fputc('\t', out);
		put_option_pattern(o, out);
		if (o->choices) {
			fputs(") COMPREPLY=($(compgen -W \"", out);
			for (size_t k = 0, n = 0; k < o->choice_count; k++)
				if (o->choices[k])
					fprintf(out, "%s%s", n++ ? " " : "", o->choices[k]);
			fputs("\" -- \"$cur\")); return ;;\n", out);
		} else if (compgen_for(o->value)) {
			fprintf(out, ") COMPREPLY=($(compgen %s -- \"$cur\")); return ;;\n",
				compgen_for(o->value));
		} else {
			fputs(") return ;;\n", out);
		}
	}
	fputs("\tesac\n", out);
}

/* run: CMD's own arguments, after the first word that is not an option or an option's value
 * (or after "--"), complete as files. */
static void put_after_command(const struct cli_command *c, FILE *out)
{
	fputs("\tlocal i first=0\n"
	      "\tfor ((i = start; i < COMP_CWORD; i++)); do\n"
	      "\t\tcase ${COMP_WORDS[i]} in\n"
	      "\t\t--) first=$((i + 1)); break ;;\n",
	      out);
	for (size_t i = 0; i < c->option_count; i++)
		if (c->options[i].value) {
			fputs("\t\t", out);
			put_option_pattern(&c->options[i], out);
			fputs(") ((i++)) ;;\n", out);
		}
	fprintf(out,
		"\t\t-*) ;;\n"
		"\t\t*) first=$i; break ;;\n"
		"\t\tesac\n"
		"\tdone\n"
		"\tif ((first && COMP_CWORD > first)); then\n"
		"\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return\n"
		"\telif ((first)); then\n"
		"\t\tCOMPREPLY=($(compgen %s -- \"$cur\")); return\n"
		"\tfi\n",
		operands_compgen(c));
}

/* _pipetrace_NAME START: completes the word at COMP_CWORD of a command line whose command
 * is the word before START. */
static void put_command(const struct cli_command *c, FILE *out)
{
	fprintf(out,
		"\n_pipetrace_%s()\n{\n"
		"\tlocal start=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n",
		c->name);
	if (c->options_first)
		put_after_command(c, out);
	put_values(c, out);
	fputs("\tif [[ $cur == -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"",
	      out);
	put_option_words(c, out);
	fputs("\" -- \"$cur\")); return\n\tfi\n", out);
	if (c->max_operands != 0)
		fprintf(out, "\tCOMPREPLY=($(compgen %s -- \"$cur\"))\n", operands_compgen(c));
	fputs("}\n", out);
}

void write_bash_completion(FILE *out)
{
	fputs("# bash completion for pipetrace, generated from its command tables (src/cli) by\n"
	      "# cli-docs; do not edit.\n",
	      out);
	for (size_t i = 0; i < cli_command_count; i++)
		put_command(cli_commands[i], out);
	fputs("\n_pipetrace()\n{\n"
	      "\tlocal i\n"
	      "\tCOMPREPLY=()\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tcase ${COMP_WORDS[i]} in\n",
	      out);
	for (size_t i = 0; i < cli_command_count; i++)
		fprintf(out, "\t\t%s) _pipetrace_%s $((i + 1)); return ;;\n", cli_commands[i]->name,
			cli_commands[i]->name);
	fputs("\t\t-*) ;;\n"
	      "\t\t*) return ;;\n"
	      "\t\tesac\n"
	      "\tdone\n"
	      "\tCOMPREPLY=($(compgen -W \"",
	      out);
	for (size_t i = 0; i < cli_command_count; i++)
		fprintf(out, "%s ", cli_commands[i]->name);
	put_option_words(&cli_program, out);
	fputs("\" -- \"${COMP_WORDS[COMP_CWORD]}\"))\n}\n"
	      "complete -F _pipetrace pipetrace\n",
	      out);
}
