/* Whether this machine can trace at all (BTF, privilege), for the commands that trace. */
#ifndef PIPETRACE_PREFLIGHT_H
#define PIPETRACE_PREFLIGHT_H

/* Why this machine cannot trace (the cause with its remedy, one line), or NULL. */
const char *tracing_unavailable(void);

#endif
