/* The man page pipetrace(1) and the bash completion, written from the command tables
 * (cli/command.h) by build/cli-docs at build time. */
#ifndef PIPETRACE_CLI_DOCS_H
#define PIPETRACE_CLI_DOCS_H

#include <stdio.h>

void write_man_page(FILE *out, const char *version);
void write_bash_completion(FILE *out);

#endif
