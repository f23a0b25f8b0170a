#include "analysis/run_folders.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/run_data.h"
#include "dataset/journal.h"

#define MAX_DEPTH 8

struct found {
	char *dir;
	int64_t start_ns;
};

struct search {
	struct found *items;
	size_t count, capacity;
	const char *run_id;
	bool to_recover; /* only the folders a killed run left, their journal unlocked */
	char *err;
	size_t err_size;
};

bool run_folders_is_dataset(const char *dir)
{
	static const char *const tables[] = {"runs", "processes"};
	char path[PATH_MAX + 16];
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.parquet", dir, tables[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

static int add_found(struct search *s, const char *dir, int64_t start)
{
	struct found *grown;

	if (s->count == s->capacity) {
		s->capacity = s->capacity ? s->capacity * 2 : 16;
		if (!(grown = realloc(s->items, s->capacity * sizeof(*grown))))
			return snprintf(s->err, s->err_size, "out of memory"), -1;
		s->items = grown;
	}
	if (!(s->items[s->count].dir = strdup(dir)))
		return snprintf(s->err, s->err_size, "out of memory"), -1;
	s->items[s->count++].start_ns = start;
	return 0;
}

/* Reads the folder's runs: whether it holds run_id (any when NULL), and its earliest start. */
static int add_dataset(struct search *s, const char *dir)
{
	struct run_data d;
	int64_t start = INT64_MAX;
	bool wanted = !s->run_id;

	if (run_data_load(dir, &d, s->err, s->err_size))
		return -1;
	for (size_t i = 0; i < d.run_count; i++) {
		wanted |= s->run_id && !strcmp(d.runs[i].run_id, s->run_id);
		if (d.runs[i].start_ns < start)
			start = d.runs[i].start_ns;
	}
	run_data_free(&d);
	return wanted ? add_found(s, dir, start) : 0;
}

/* A folder with a journal: a live run's, the newest (its reader takes a snapshot; its run id
 * is not looked into), or one left to recover, which stops the search saying so. */
static int add_journaled(struct search *s, const char *dir, enum journal_state state)
{
	if (state == JOURNAL_LEFT)
		return journal_check(dir, s->err, s->err_size);
	return s->run_id ? 0 : add_found(s, dir, INT64_MAX);
}

static int search_below(struct search *s, const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *entry;
	struct stat st;
	DIR *d;
	int rc = 0;
	enum journal_state state = journal_state(dir);

	if (s->to_recover && (state != JOURNAL_NONE || run_folders_is_dataset(dir)))
		return state == JOURNAL_LEFT ? add_found(s, dir, 0) : 0;
	if (state != JOURNAL_NONE)
		return add_journaled(s, dir, state);
	if (run_folders_is_dataset(dir))
		return add_dataset(s, dir);
	if (depth == MAX_DEPTH || !(d = opendir(dir)))
		return 0;
	while (!rc && (entry = readdir(d))) {
		if (entry->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = search_below(s, path, depth + 1);
	}
	closedir(d);
	return rc;
}

static int newest_first(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? 1 : -1;
	return strcmp(y->dir, x->dir);
}

/* The folders the search found, newest first, into out. */
static int search_result(struct search *s, int rc, struct run_folders *out)
{
	if (s->items)
		qsort(s->items, s->count, sizeof(*s->items), newest_first);
	out->dirs = calloc(s->count ? s->count : 1, sizeof(*out->dirs));
	for (size_t i = 0; i < s->count; i++) {
		if (out->dirs)
			out->dirs[out->count++] = s->items[i].dir;
		else
			free(s->items[i].dir);
	}
	free(s->items);
	if (!rc && !out->dirs) {
		snprintf(s->err, s->err_size, "out of memory");
		rc = -1;
	}
	if (rc)
		run_folders_free(out);
	return rc;
}

int run_folders_to_recover(const char *root, struct run_folders *out, char *err,
			   size_t err_size)
{
	struct search s = {.to_recover = true, .err = err, .err_size = err_size};

	*out = (struct run_folders){0};
	return search_result(&s, search_below(&s, root, 0), out);
}

int run_folders_find(const char *root, const char *run_id, struct run_folders *out, char *err,
		     size_t err_size)
{
	struct search s = {.run_id = run_id, .err = err, .err_size = err_size};

	*out = (struct run_folders){0};
	if (access(root, F_OK) != 0)
		return snprintf(err, err_size, "%s: %s", root, strerror(errno)), -1;
	/* A dataset folder itself is not read here: its reader reports what is wrong with it. */
	if (!run_id && run_folders_is_dataset(root)) {
		out->dirs = malloc(sizeof(*out->dirs));
		if (!out->dirs || !(out->dirs[0] = strdup(root))) {
			free(out->dirs);
			out->dirs = NULL;
			snprintf(err, err_size, "out of memory");
			return -1;
		}
		out->count = 1;
		return 0;
	}
	return search_result(&s, search_below(&s, root, 0), out);
}

void run_folders_free(struct run_folders *f)
{
	for (size_t i = 0; i < f->count; i++)
		free(f->dirs[i]);
	free(f->dirs);
	*f = (struct run_folders){0};
}
