#include "model/execution.h"

const char *end_reason_name(enum end_reason reason)
{
	switch (reason) {
	case END_EXEC: return "exec";
	case END_EXIT: return "exit";
	default: return "running";
	}
}

static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

void execution_figures(const struct execution *e, struct execution_figures *out)
{
	const struct pt_proc_usage *u = &e->usage, *b = &e->base;
	uint64_t user = since(u->utime_ns, b->utime_ns), sys = since(u->stime_ns, b->stime_ns);

	out->cpu_ns = since(u->cpu_ns, b->cpu_ns);
	if (user + sys == 0)
		out->cpu_user_ns = out->cpu_ns; /* no tick landed: all of it is as good as user */
	else
		out->cpu_user_ns = (uint64_t)((unsigned __int128)out->cpu_ns * user / (user + sys));
	out->cpu_sys_ns = out->cpu_ns - out->cpu_user_ns;
	out->read_bytes = since(since(u->read_bytes, b->read_bytes), e->reaped_read_bytes);
	out->write_bytes = since(since(u->write_bytes, b->write_bytes), e->reaped_write_bytes);
	out->minor_faults = since(u->min_flt, b->min_flt);
	out->major_faults = since(u->maj_flt, b->maj_flt);
	out->vol_ctx_switches = since(u->nvcsw, b->nvcsw);
	out->invol_ctx_switches = since(u->nivcsw, b->nivcsw);
	out->max_rss_kb = u->maxrss_kb;
}
