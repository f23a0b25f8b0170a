#include "trace/proc_tree.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/proc.h"
#include "probes/proc_snapshot.h"

struct candidate {
	uint32_t pid;
	struct proc_stat stat;
	bool in_tree; /* selected, or a descendant of one (this pass) */
};

/* Oldest first; within a clock tick, a parent (a lower pid, but for pid wrap-around) first. */
static int by_start(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->stat.start_ticks != y->stat.start_ticks)
		return x->stat.start_ticks < y->stat.start_ticks ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Every process of /proc but pipetrace itself, oldest first (parents before children). */
static struct candidate *list_processes(size_t *count)
{
	struct candidate *list = NULL, *grown;
	size_t capacity = 0;
	uint32_t self = (uint32_t)getpid();
	struct dirent *entry;
	DIR *dir = opendir("/proc");

	*count = 0;
	while (dir && (entry = readdir(dir))) {
		char *end;
		unsigned long pid = strtoul(entry->d_name, &end, 10);

		if (*end || !pid || pid == self)
			continue;
		if (*count == capacity) {
			capacity = capacity ? capacity * 2 : 512;
			if (!(grown = realloc(list, capacity * sizeof(*list)))) {
				free(list);
				closedir(dir);
				return NULL;
			}
			list = grown;
		}
		list[*count].pid = (uint32_t)pid;
		list[*count].in_tree = false;
		if (!proc_stat_read((uint32_t)pid, &list[*count].stat))
			++*count;
	}
	if (dir)
		closedir(dir);
	if (list)
		qsort(list, *count, sizeof(*list), by_start);
	return list ? list : calloc(1, sizeof(*list));
}

static bool in_cgroup(uint32_t pid, const char *cgroup)
{
	char buf[4096], *line;
	size_t len = strlen(cgroup);

	if (read_proc_file(pid, "cgroup", buf, sizeof(buf)) <= 0)
		return false;
	/* The cgroup v2 line: "0::/path". */
	line = !strncmp(buf, "0::", 3) ? buf : strstr(buf, "\n0::");
	if (!line)
		return false;
	line += line == buf ? 3 : 4;
	line[strcspn(line, "\n")] = '\0';
	return !strcmp(cgroup, "/") ||
	       (!strncmp(line, cgroup, len) && (line[len] == '\0' || line[len] == '/'));
}

static bool has_comm(uint32_t pid, char *const *comms, size_t count)
{
	char comm[PT_COMM_LEN + 2];

	if (read_proc_file(pid, "comm", comm, sizeof(comm)) < 0)
		return false;
	comm[strcspn(comm, "\n")] = '\0';
	for (size_t i = 0; i < count; i++)
		if (!strncmp(comm, comms[i], PT_COMM_LEN - 1))
			return true;
	return false;
}

static bool selected(const struct proc_selection *sel, const struct candidate *c)
{
	if (c->pid == sel->root)
		return true;
	if (c->stat.kernel_thread)
		return false;
	switch (sel->filter) {
	case PT_FILTER_ALL: return true;
	case PT_FILTER_CGROUP: return in_cgroup(c->pid, sel->cgroup);
	case PT_FILTER_COMM: return has_comm(c->pid, sel->comms, sel->comm_count);
	}
	return false;
}

/* Whether the parent of list[i], earlier in the list, is in the tree: a selected process the
 * kernel traces already (its fork record, still in the ring, will add it to the model) has
 * children to adopt too. */
static bool parent_in_tree(const struct candidate *list, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (list[k].pid == list[i].stat.ppid)
			return list[k].in_tree;
	return false;
}

/* One pass over /proc: adopts the selected processes and the children of adopted ones.
 * Returns how many it adopted, or -1. */
static long adopt_pass(struct tracer *t, struct model *m, const struct proc_selection *sel)
{
	size_t count;
	struct candidate *list = list_processes(&count);
	long adopted = 0;

	if (!list)
		return -1;
	for (size_t i = 0; i < count && adopted >= 0; i++) {
		struct candidate *c = &list[i];

		c->in_tree = model_current(m, c->stat.ppid) || parent_in_tree(list, i) ||
			     selected(sel, c);
		if (model_current(m, c->pid) || !c->in_tree)
			continue;
		/* Already traced: it forked from a traced process since the probes started, or
		 * record's filter chose it at a fork; its fork record will tell. */
		if (tracer_adopt(t, c->pid))
			continue;
		if (tracer_attach_pid(t, c->pid, c->stat.start_ns))
			adopted = -1;
		else
			adopted++;
	}
	free(list);
	return adopted;
}

long proc_tree_adopt(struct tracer *t, struct model *m, const struct proc_selection *sel)
{
	long total = 0, adopted;

	/* A process adopted in one pass may have forked before it was traced: the next pass
	 * finds those children, until a pass finds nothing new. */
	do {
		adopted = adopt_pass(t, m, sel);
		if (adopted < 0)
			return -1;
		total += adopted;
		if (sel->root && !model_current(m, sel->root))
			return errno = ESRCH, -1;
	} while (adopted > 0);
	return total;
}
