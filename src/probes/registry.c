#include "probes/probe.h"

#include <string.h>

const struct probe_module *const probe_modules[] = {
	&proc_probe,
};
const size_t probe_module_count = sizeof(probe_modules) / sizeof(probe_modules[0]);

const struct probe_module *probe_find(const char *name)
{
	for (size_t i = 0; i < probe_module_count; i++)
		if (!strcmp(probe_modules[i]->name, name))
			return probe_modules[i];
	return NULL;
}

const struct probe_module *probe_for_record(uint16_t type)
{
	for (size_t i = 0; i < probe_module_count; i++)
		if (type >= probe_modules[i]->first_type && type <= probe_modules[i]->last_type)
			return probe_modules[i];
	return NULL;
}
