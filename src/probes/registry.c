#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

#include "dataset/dataset.h"
#include "dataset/schema.h"

const struct probe_module *const probe_modules[] = {
	&proc_probe,
	&cpu_probe,
	&files_probe,
	&net_probe,
};
const size_t probe_module_count = sizeof(probe_modules) / sizeof(probe_modules[0]);
_Static_assert(sizeof(probe_modules) / sizeof(probe_modules[0]) <= PROBE_MODULES_MAX,
	       "raise PROBE_MODULES_MAX");

const struct probe_module *probe_find(const char *name)
{
	for (size_t i = 0; i < probe_module_count; i++)
		if (!strcmp(probe_modules[i]->name, name))
			return probe_modules[i];
	return NULL;
}

size_t probe_dataset_tables(const char **names, size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < dataset_own_table_count && count < max; i++)
		names[count++] = dataset_own_tables[i];
	for (size_t i = 0; i < probe_module_count && count < max; i++)
		if (probe_modules[i]->table.name)
			names[count++] = probe_modules[i]->table.name;
	return count;
}

int probe_open(const struct probe_module *m, const struct probe_settings *settings,
	       struct probe_sink *sink, void **state, char *err, size_t err_size)
{
	struct pq_writer *table = NULL;

	if (m->table.name && !(table = dataset_table(sink->dataset, m->table.name,
						      m->table.columns, m->table.column_count))) {
		snprintf(err, err_size, "%s", dataset_error(sink->dataset));
		return -1;
	}
	return m->open(settings, sink, table, state, err, err_size);
}
