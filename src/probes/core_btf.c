/* CO-RE relocation against the kernel's whole BTF means parsing ~6 MB and searching it for
 * every relocated field: ~35 ms of `pipetrace run -- true` (make bench shows both), spent
 * while CMD is held or competing with it. The build cuts out the few types
 * the probes use (scripts/embed-core-btf.sh: bpftool gen min_core_btf, as BTFGen does) from
 * the build machine's kernel, and embeds them with that kernel's GNU build-id. A run on the
 * same kernel build relocates against those few KiB; any other kernel, against its own BTF. */
#include "probes/core_btf.h"

#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "embedded_btf.h" /* generated: embedded_core_btf, embedded_kernel_notes */

#define NT_GNU_BUILD_ID 3

enum btf_source { BTF_KERNEL, BTF_EMBEDDED, BTF_ENVIRONMENT };

static struct bpf_object_open_opts opts = {.sz = sizeof(opts)};
static enum btf_source source = BTF_KERNEL;
static char embedded_path[32];

/* The GNU build-id among ELF notes (as /sys/kernel/notes holds them), or false. */
static bool build_id(const unsigned char *notes, size_t size, const unsigned char **id,
		     size_t *id_size)
{
	size_t at = 0;

	while (size - at >= 12) {
		uint32_t name_size, desc_size, type;
		size_t name_at = at + 12, desc_at;

		memcpy(&name_size, notes + at, 4);
		memcpy(&desc_size, notes + at + 4, 4);
		memcpy(&type, notes + at + 8, 4);
		desc_at = name_at + ((name_size + 3ull) & ~3ull);
		if (desc_at > size || desc_size > size - desc_at)
			return false;
		if (type == NT_GNU_BUILD_ID && name_size == 4 && !memcmp(notes + name_at, "GNU", 4)) {
			*id = notes + desc_at;
			*id_size = desc_size;
			return desc_size > 0;
		}
		at = desc_at + ((desc_size + 3ull) & ~3ull);
	}
	return false;
}

/* Whether the running kernel is the build machine's: the same build-id. */
static bool same_kernel_build(void)
{
	unsigned char notes[4096];
	const unsigned char *ours, *theirs;
	size_t ours_size, theirs_size;
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, notes, sizeof(notes)) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 &&
	       build_id((const unsigned char *)embedded_kernel_notes,
			sizeof(embedded_kernel_notes) - 1, &theirs, &theirs_size) &&
	       build_id(notes, (size_t)n, &ours, &ours_size) && ours_size == theirs_size &&
	       !memcmp(ours, theirs, ours_size);
}

/* libbpf takes a path: the embedded BTF goes into a memory file named by /proc/self/fd. */
static bool publish_embedded(void)
{
	size_t size = sizeof(embedded_core_btf) - 1;
	int fd = memfd_create("pipetrace-core-btf", MFD_CLOEXEC);

	if (fd < 0)
		return false;
	if (write(fd, embedded_core_btf, size) != (ssize_t)size) {
		close(fd);
		return false;
	}
	snprintf(embedded_path, sizeof(embedded_path), "/proc/self/fd/%d", fd);
	return true;
}

const struct bpf_object_open_opts *probe_open_opts(void)
{
	static bool chosen;
	const char *path = getenv("PIPETRACE_CORE_BTF");

	if (chosen)
		return &opts;
	chosen = true;
	if (path && *path) {
		source = BTF_ENVIRONMENT;
		opts.btf_custom_path = path;
	} else if (sizeof(embedded_core_btf) > 1 && same_kernel_build() && publish_embedded()) {
		source = BTF_EMBEDDED;
		opts.btf_custom_path = embedded_path;
	}
	return &opts;
}

int core_btf_check(char *err, size_t err_size)
{
	struct btf *btf;
	char why[128];

	if (probe_open_opts() && source != BTF_ENVIRONMENT)
		return 0;
	btf = btf__parse(opts.btf_custom_path, NULL);
	if (!btf) {
		libbpf_strerror(errno, why, sizeof(why));
		snprintf(err, err_size, "PIPETRACE_CORE_BTF=%s is not a readable BTF file (%s); unset it "
			 "to use the kernel's", opts.btf_custom_path, why);
		return -1;
	}
	btf__free(btf);
	return 0;
}

void core_btf_describe(char *buf, size_t size)
{
	probe_open_opts();
	switch (source) {
	case BTF_EMBEDDED:
		snprintf(buf, size, "the %zu bytes of BTF built in for this kernel",
			 sizeof(embedded_core_btf) - 1);
		break;
	case BTF_ENVIRONMENT:
		snprintf(buf, size, "%s ($PIPETRACE_CORE_BTF)", opts.btf_custom_path);
		break;
	default:
		snprintf(buf, size, "/sys/kernel/btf/vmlinux (pipetrace was built on another kernel)");
	}
}
