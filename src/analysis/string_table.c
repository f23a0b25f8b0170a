#include "analysis/string_table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static size_t *find_slot(size_t *slots, size_t slot_count, const char *const *strings,
			 const char *s)
{
	size_t i = hash(s) & (slot_count - 1);
	while (slots[i] != 0 && strcmp(strings[slots[i] - 1], s) != 0)
		i = (i + 1) & (slot_count - 1);
	return &slots[i];
}

static int grow(struct string_table *t)
{
	size_t capacity = t->capacity ? 2 * t->capacity : 256, slot_count = 2 * capacity;
	const char **strings = realloc(t->strings, capacity * sizeof(*strings));
	if (!strings)
		return -1;
	t->strings = strings;
	size_t *slots = calloc(slot_count, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t k = 0; k < t->count; k++)
		*find_slot(slots, slot_count, t->strings, t->strings[k]) = k + 1;
	free(t->slots);
	t->slots = slots;
	t->slot_count = slot_count;
	t->capacity = capacity;
	return 0;
}

size_t string_table_intern(struct string_table *t, const char *s, bool *added)
{
	*added = false;
	if (t->count == t->capacity && grow(t) != 0)
		return STRING_TABLE_FULL;
	size_t *slot = find_slot(t->slots, t->slot_count, t->strings, s);
	if (*slot != 0)
		return *slot - 1;
	char *copy = strdup(s);
	if (!copy)
		return STRING_TABLE_FULL;
	t->strings[t->count] = copy;
	*slot = ++t->count;
	*added = true;
	return t->count - 1;
}

void string_table_free(struct string_table *t)
{
	for (size_t k = 0; k < t->count; k++)
		free((char *)t->strings[k]);
	free(t->strings);
	free(t->slots);
	*t = (struct string_table){ 0 };
}
