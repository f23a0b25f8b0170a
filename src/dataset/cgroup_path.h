/* cgroup v2 paths from the ids the kernel reports (bpf_get_current_cgroup_id), for the
 * processes table's cgroup column. */
#ifndef PIPETRACE_CGROUP_PATH_H
#define PIPETRACE_CGROUP_PATH_H

#include <stdbool.h>
#include <stdint.h>

struct cgroup_paths;

/* NULL when out of memory. Finds the cgroup2 mount lazily, at the first lookup. */
struct cgroup_paths *cgroup_paths_new(void);
void cgroup_paths_free(struct cgroup_paths *c);

/* The path of cgroup id as pipetrace's cgroup namespace shows it ("/" its root, e.g.
 * "/system.slice/ssh.service"), escaped (model/argv.h), or NULL when no cgroup2 hierarchy is
 * mounted or the cgroup is gone. Owned by c. */
const char *cgroup_path(struct cgroup_paths *c, uint64_t id);

/* Looks cgroup id up now, while a process is in it, unless it is known already: true when it
 * was not, with *path its path unescaped (NULL when not found; owned by c, valid until the
 * next lookup). */
bool cgroup_paths_note(struct cgroup_paths *c, uint64_t id, const char **path);

/* Makes path (unescaped) the path of id from now on: what a run found, replayed after the
 * cgroup may have gone. */
void cgroup_paths_learn(struct cgroup_paths *c, uint64_t id, const char *path);

#endif
