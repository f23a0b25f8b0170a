/* A cgroup v2 id is the inode number of its directory in the cgroup2 filesystem (kernfs): the
 * path is found by walking the mounted hierarchy for it, once per id (a run sees few). The
 * walk needs no privilege, unlike open_by_handle_at. Paths are escaped as the dataset's
 * strings are (model/argv.h). */
#include "dataset/cgroup_path.h"

#include "model/argv.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Ids remembered (found or not); past that, the oldest is forgotten for the new one, so that
 * a machine of many cgroups (record --all) walks once per id it sees again, not per row. */
#define CGROUP_CACHE_MAX 256
/* Deeper directories are not searched (systemd's hierarchy is a few levels deep). */
#define CGROUP_DEPTH_MAX 32

struct cgroup_entry {
	uint64_t id;
	char *path; /* NULL: not found */
};

struct cgroup_paths {
	bool mount_looked_up;
	char mount[PATH_MAX]; /* where cgroup2 is mounted; "" when it is not */
	char root[PATH_MAX];  /* the mount's root in the hierarchy ("/" but for a bind mount) */
	struct cgroup_entry entries[CGROUP_CACHE_MAX];
	size_t count, oldest; /* entries used; the next one to forget once all are */
	size_t last;          /* the last one looked up: rows of a run mostly share a cgroup */
	char found[PATH_MAX];
	/* The path of the last lookup that could not be cached (out of memory), escaped. */
	char uncached[ESCAPED_SIZE(PATH_MAX)];
};

struct cgroup_paths *cgroup_paths_new(void)
{
	return calloc(1, sizeof(struct cgroup_paths));
}

void cgroup_paths_free(struct cgroup_paths *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++)
		free(c->entries[i].path);
	free(c);
}

/* The first cgroup2 mount in /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT POINT ... - cgroup2". */
static void find_mount(struct cgroup_paths *c)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[PATH_MAX * 2 + 256], root[PATH_MAX], point[PATH_MAX];

	c->mount_looked_up = true;
	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2)
			continue;
		snprintf(c->mount, sizeof(c->mount), "%s", point);
		snprintf(c->root, sizeof(c->root), "%s", root);
		break;
	}
	if (f)
		fclose(f);
}

/* Searches directory fd (at rel below the mount, "" for its top) for the directory whose
 * inode is id, leaving its path in rel when found. Closes fd. */
static bool search(int fd, char *rel, size_t rel_len, uint64_t id, int depth)
{
	DIR *dir = fdopendir(fd);
	struct dirent *ent;
	bool found = false;

	if (!dir) {
		close(fd);
		return false;
	}
	while (!found && (ent = readdir(dir))) {
		struct stat st;
		int sub;

		if (ent->d_type != DT_DIR || !strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		if (rel_len + 1 + strlen(ent->d_name) >= PATH_MAX)
			continue;
		sub = openat(dirfd(dir), ent->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		sprintf(rel + rel_len, "/%s", ent->d_name);
		if (!fstat(sub, &st) && st.st_ino == id) {
			close(sub);
			found = true;
		} else if (depth < CGROUP_DEPTH_MAX) {
			found = search(sub, rel, strlen(rel), id, depth + 1);
		} else {
			close(sub);
		}
		if (!found)
			rel[rel_len] = '\0';
	}
	closedir(dir);
	return found;
}

/* Writes id's path to out (PATH_MAX bytes); false when it is not found. */
static bool resolve(struct cgroup_paths *c, uint64_t id, char *out)
{
	char rel[PATH_MAX] = "";
	struct stat st;
	bool found;
	int fd, n;

	if (!c->mount_looked_up)
		find_mount(c);
	if (!c->mount[0] || (fd = open(c->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return false;
	if (fstat(fd, &st) || st.st_ino == id) {
		found = st.st_ino == id;
		close(fd);
	} else {
		found = search(fd, rel, 0, id, 1);
	}
	if (!found)
		return false;
	/* The mount's root ("/", or a bind mount's subtree), then the path below it. */
	n = snprintf(out, PATH_MAX, "%s%s", strcmp(c->root, "/") ? c->root : "", rel[0] ? rel : "/");
	return n > 0 && n < PATH_MAX;
}

/* The entry a new id goes to: a free one, else the oldest, forgotten. */
static struct cgroup_entry *free_entry(struct cgroup_paths *c)
{
	struct cgroup_entry *e;

	if (c->count < CGROUP_CACHE_MAX)
		return &c->entries[c->count++];
	e = &c->entries[c->oldest];
	c->oldest = (c->oldest + 1) % CGROUP_CACHE_MAX;
	free(e->path);
	return e;
}

static struct cgroup_entry *cached(struct cgroup_paths *c, uint64_t id)
{
	if (c->last < c->count && c->entries[c->last].id == id)
		return &c->entries[c->last];
	for (size_t i = 0; i < c->count; i++)
		if (c->entries[i].id == id)
			return &c->entries[c->last = i];
	return NULL;
}

/* Caches id with the path in c->found (found) or none; the escaped path, or NULL. */
static const char *remember(struct cgroup_paths *c, uint64_t id, bool found)
{
	struct cgroup_entry *e = free_entry(c);

	c->last = (size_t)(e - c->entries);
	e->id = id;
	e->path = found ? escape_bytes(c->found, strlen(c->found)) : NULL;
	if (!found || e->path)
		return e->path;
	/* Out of memory: the entry is left to no cgroup (ids start at 1); this row still gets
	 * its path. */
	e->id = 0;
	escape_bytes_to(c->uncached, c->found, strlen(c->found));
	return c->uncached;
}

const char *cgroup_path(struct cgroup_paths *c, uint64_t id)
{
	struct cgroup_entry *e = cached(c, id);

	return e ? e->path : remember(c, id, resolve(c, id, c->found));
}

bool cgroup_paths_note(struct cgroup_paths *c, uint64_t id, const char **path)
{
	bool found;

	if (cached(c, id))
		return false;
	found = resolve(c, id, c->found);
	remember(c, id, found);
	*path = found ? c->found : NULL;
	return true;
}

void cgroup_paths_learn(struct cgroup_paths *c, uint64_t id, const char *path)
{
	struct cgroup_entry *e = cached(c, id);

	if (e) {
		free(e->path);
		e->path = escape_bytes(path, strlen(path));
		if (!e->path)
			e->id = 0;
		return;
	}
	snprintf(c->found, sizeof(c->found), "%s", path);
	remember(c, id, true);
}
