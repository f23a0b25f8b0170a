/* Which kernel BTF the probes' CO-RE relocations read (see core_btf.c). */
#ifndef PIPETRACE_PROBES_CORE_BTF_H
#define PIPETRACE_PROBES_CORE_BTF_H

#include <bpf/libbpf.h>
#include <stddef.h>

/* Open options for every probe skeleton: the BTF built in for this kernel when it is the one
 * pipetrace was built on, else libbpf's default (/sys/kernel/btf/vmlinux);
 * $PIPETRACE_CORE_BTF, when set, names the file to use instead. */
const struct bpf_object_open_opts *probe_open_opts(void);

/* Fails, with one line in err, when $PIPETRACE_CORE_BTF names no readable BTF file. */
int core_btf_check(char *err, size_t err_size);

/* One line for `pipetrace probes`: which BTF probe_open_opts() relocates against. */
void core_btf_describe(char *buf, size_t size);

#endif
