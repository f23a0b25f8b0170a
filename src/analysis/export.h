/* pipetrace export: a run as an offline HTML timeline, a Perfetto trace or a Chrome trace
 * (docs/export.md). Each writer returns 0, or -1 when out of memory; write errors show in
 * ferror(out). */
#ifndef PIPETRACE_EXPORT_H
#define PIPETRACE_EXPORT_H

#include <stdio.h>

#include "analysis/timeline.h"

int export_html(FILE *out, const struct timeline *t);
int export_perfetto(FILE *out, const struct timeline *t);
int export_chrome(FILE *out, const struct timeline *t);

#endif
