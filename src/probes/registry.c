#include "probes/probe.h"

#include <string.h>

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
