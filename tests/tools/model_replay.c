/* model_replay: feeds src/model/ the proc probe's records, built from a script, without BPF or
 * root, and prints what the model returns and hands to its sink, as JSON lines.
 *
 *   model_replay < SCRIPT
 *
 * A script line is a verb and key=value fields; a value's \xHH stands for that byte (so \x20 is
 * a space). Blank lines and lines starting with # are skipped. Numbers default to 0.
 *
 *   seed  pid= ts= [cwd=]                 model_seed (cwd as given: already escaped)
 *   fork  pid= ts= parent= [ppid=] [ns_pid=]
 *   exec  pid= ts= [filename=] [arg=]... [cwd=/ABS/PATH] [comm=] [ppid= ns_pid= uid= gid=
 *         cgroup=] [args_full=] [redacted=] USAGE (no cwd=: the kernel could not read it;
 *                                         redacted=: the prepare hook's mark, see proc.h)
 *   exit  pid= ts= [status=] [parent=] [autoreap=1] USAGE
 *   free  pid= ts= USAGE
 *   sample pid= cpu= rss=                 a cpu probe record
 *   reaped pid=                           model_reaped_by_monitor
 *   live  pid= USAGE                      what /proc shows of pid at model_finish
 *   fail                                  the sink fails its next call
 *   counts [since=]                       prints model_running, model_awaited_final_records
 *                                         (exited since ts) and model_executions
 *   finish ts=                            model_finish
 *
 * USAGE: cpu= utime= stime= read= write= minflt= majflt= nvcsw= nivcsw= maxrss=.
 * Prints {"op":VERB,"line":N,"exec_id":R} after each record (R: what the model returned), and
 * {"op":"finished",...} for each execution the sink receives, with its figures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report_format.h"
#include "model/argv.h"
#include "model/model.h"

#define MAX_FIELDS 64
#define MAX_LIVE 64

struct field {
	const char *key;
	char *value; /* decoded, NUL-terminated */
	size_t len;
};

struct line {
	const char *verb;
	struct field fields[MAX_FIELDS];
	size_t count;
};

static struct {
	uint32_t pid;
	struct pt_proc_usage usage;
} live[MAX_LIVE];
static size_t live_count;
static int sink_fails;

/* Decodes \xHH in place; returns the decoded length. */
static size_t decode(char *s)
{
	char *out = s;

	for (char *in = s; *in;) {
		unsigned byte;

		if (in[0] == '\\' && in[1] == 'x' && sscanf(in + 2, "%2x", &byte) == 1) {
			*out++ = (char)byte;
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

static int parse(char *text, struct line *l)
{
	l->count = 0;
	l->verb = strtok(text, " \t\n");
	for (char *word; (word = strtok(NULL, " \t\n"));) {
		char *eq = strchr(word, '=');

		if (!eq || l->count == MAX_FIELDS)
			return -1;
		*eq = '\0';
		l->fields[l->count++] = (struct field){word, eq + 1, decode(eq + 1)};
	}
	return 0;
}

static const struct field *field(const struct line *l, const char *key)
{
	for (size_t i = 0; i < l->count; i++)
		if (!strcmp(l->fields[i].key, key))
			return &l->fields[i];
	return NULL;
}

static uint64_t number(const struct line *l, const char *key, uint64_t fallback)
{
	const struct field *f = field(l, key);

	return f ? strtoull(f->value, NULL, 0) : fallback;
}

static struct pt_proc_usage usage_of(const struct line *l)
{
	return (struct pt_proc_usage){
		.cpu_ns = number(l, "cpu", 0), .utime_ns = number(l, "utime", 0),
		.stime_ns = number(l, "stime", 0), .read_bytes = number(l, "read", 0),
		.write_bytes = number(l, "write", 0), .min_flt = number(l, "minflt", 0),
		.maj_flt = number(l, "majflt", 0), .nvcsw = number(l, "nvcsw", 0),
		.nivcsw = number(l, "nivcsw", 0), .maxrss_kb = number(l, "maxrss", 0),
	};
}

static struct pt_record_header header(const struct line *l, enum pt_record_type type, size_t size)
{
	uint32_t pid = (uint32_t)number(l, "pid", 0);

	return (struct pt_record_header){.type = type, .version = PT_PROC_VERSION,
					 .size = (uint32_t)size, .ts = number(l, "ts", 0),
					 .pid = pid, .tid = (uint32_t)number(l, "tid", pid)};
}

/* The directory's components as the kernel sends them: leaf first, each NUL-terminated. */
static size_t components(const char *path, char *out)
{
	size_t len = 0, end = strlen(path);

	while (end > 0) {
		size_t start = end;

		while (start > 0 && path[start - 1] != '/')
			start--;
		if (start < end) {
			memcpy(out + len, path + start, end - start);
			len += end - start;
			out[len++] = '\0';
		}
		end = start ? start - 1 : 0;
	}
	return len;
}

/* An exec record and the escaped cwd, decoded as probes/proc.c does. */
static int64_t replay_exec(struct model *m, const struct line *l)
{
	const struct field *filename = field(l, "filename"), *cwd = field(l, "cwd"),
			   *comm = field(l, "comm");
	size_t size = sizeof(struct pt_exec_record) + (filename ? filename->len : 0) +
		      (cwd ? cwd->len + 1 : 0);
	struct pt_exec_record *r;
	char *data, *escaped_cwd;
	int64_t id;

	for (size_t i = 0; i < l->count; i++)
		size += strcmp(l->fields[i].key, "arg") ? 0 : l->fields[i].len + 1;
	if (!(r = calloc(1, size)))
		return -1;
	r->hdr = header(l, PT_REC_EXEC, size);
	r->ppid = (uint32_t)number(l, "ppid", 0);
	r->ns_pid = (uint32_t)number(l, "ns_pid", r->hdr.pid);
	r->uid = (uint32_t)number(l, "uid", 0);
	r->gid = (uint32_t)number(l, "gid", 0);
	r->cgroup_id = number(l, "cgroup", 0);
	if (comm)
		memcpy(r->comm, comm->value, comm->len < PT_COMM_LEN ? comm->len : PT_COMM_LEN);
	r->usage = usage_of(l);
	data = r->data;
	if (filename)
		data = mempcpy(data, filename->value, r->filename_len = (uint32_t)filename->len);
	r->cwd_known = cwd != NULL;
	if (cwd)
		data += r->cwd_len = (uint32_t)components(cwd->value, data);
	for (size_t i = 0; i < l->count; i++)
		if (!strcmp(l->fields[i].key, "arg"))
			data = mempcpy(data, l->fields[i].value, l->fields[i].len + 1);
	r->args_len = (uint32_t)(data - r->data) - r->filename_len - r->cwd_len;
	r->args_full_len = (uint32_t)number(l, "args_full", r->args_len);
	r->redacted_words = (uint32_t)number(l, "redacted", 0);
	escaped_cwd = cwd ? path_from_components(r->data + r->filename_len, r->cwd_len) : NULL;
	id = escaped_cwd || !cwd ? model_exec(m, r, escaped_cwd) : -1;
	free(r);
	return id;
}

static void live_usage_of(void *ctx, uint32_t pid, struct pt_proc_usage *usage)
{
	*usage = (struct pt_proc_usage){0};
	for (size_t i = 0; i < live_count; i++)
		if (live[i].pid == pid)
			*usage = live[i].usage;
}

static int64_t replay_record(struct model *m, const struct line *l)
{
	const char *v = l->verb;

	if (!strcmp(v, "fork")) {
		struct pt_fork_record r = {.hdr = header(l, PT_REC_FORK, sizeof(r)),
					   .parent_pid = (uint32_t)number(l, "parent", 0)};

		r.ppid = (uint32_t)number(l, "ppid", r.parent_pid);
		r.ns_pid = (uint32_t)number(l, "ns_pid", r.hdr.pid);
		return model_fork(m, &r);
	}
	if (!strcmp(v, "exec"))
		return replay_exec(m, l);
	if (!strcmp(v, "exit")) {
		struct pt_exit_record r = {.hdr = header(l, PT_REC_EXIT, sizeof(r)),
					   .exit_status = (uint32_t)number(l, "status", 0),
					   .autoreap = (uint32_t)number(l, "autoreap", 0),
					   .parent = (uint32_t)number(l, "parent", 0),
					   .usage = usage_of(l)};
		return model_exit(m, &r);
	}
	if (!strcmp(v, "free")) {
		struct pt_free_record r = {.hdr = header(l, PT_REC_FREE, sizeof(r)),
					   .usage = usage_of(l)};
		return model_free_record(m, &r);
	}
	if (!strcmp(v, "sample"))
		return (int64_t)model_note_sample(m, (uint32_t)number(l, "pid", 0),
						  number(l, "cpu", 0), number(l, "rss", 0));
	if (!strcmp(v, "seed"))
		return model_seed(m, (uint32_t)number(l, "pid", 0), number(l, "ts", 0),
				  field(l, "cwd") ? field(l, "cwd")->value : NULL);
	if (!strcmp(v, "finish"))
		return model_finish(m, number(l, "ts", 0), live_usage_of, NULL);
	if (!strcmp(v, "reaped")) {
		model_reaped_by_monitor(m, (uint32_t)number(l, "pid", 0));
		return 0;
	}
	return INT64_MIN; /* not a verb */
}

static void print_figures(const struct execution_figures *f)
{
	printf(",\"cpu_ns\":%" PRIu64 ",\"cpu_user_ns\":%" PRIu64 ",\"cpu_sys_ns\":%" PRIu64
	       ",\"read_bytes\":%" PRIu64 ",\"write_bytes\":%" PRIu64 ",\"minor_faults\":%" PRIu64
	       ",\"major_faults\":%" PRIu64 ",\"vol_ctx_switches\":%" PRIu64
	       ",\"invol_ctx_switches\":%" PRIu64 ",\"max_rss_kb\":%" PRIu64,
	       f->cpu_ns, f->cpu_user_ns, f->cpu_sys_ns, f->read_bytes, f->write_bytes,
	       f->minor_faults, f->major_faults, f->vol_ctx_switches, f->invol_ctx_switches,
	       f->max_rss_kb);
}

static int print_finished(void *ctx, const struct execution *e, const struct execution_figures *f)
{
	printf("{\"op\":\"finished\",\"exec_id\":%" PRIu64 ",\"parent_exec_id\":%" PRIu64
	       ",\"prev_exec_id\":%" PRIu64 ",\"pid\":%u,\"ppid\":%u,\"ns_pid\":%u,\"uid\":%u"
	       ",\"gid\":%u,\"cgroup_id\":%" PRIu64 ",\"start_ns\":%" PRIu64 ",\"exec_ns\":%" PRIu64
	       ",\"end_ns\":%" PRIu64 ",\"end_reason\":\"%s\",\"exited\":%s,\"exit_status\":%u",
	       e->exec_id, e->parent_exec_id, e->prev_exec_id, e->pid, e->ppid, e->ns_pid, e->uid,
	       e->gid, e->cgroup_id, e->start_ns, e->exec_ns, e->end_ns,
	       end_reason_name(e->end_reason), e->exited ? "true" : "false", e->exit_status);
	printf(",\"comm\":");
	json_string(stdout, e->comm);
	printf(",\"filename\":");
	json_string(stdout, e->image->filename);
	printf(",\"cwd\":");
	json_string(stdout, e->image->cwd);
	printf(",\"argv_truncated\":%s,\"argv\":[", e->image->argv.truncated ? "true" : "false");
	for (size_t i = 0; i < e->image->argv.count; i++) {
		fputs(i ? "," : "", stdout);
		json_string(stdout, e->image->argv.items[i]);
	}
	printf("]");
	if (e->image->argv.redacted_words) /* only then: the model tests compare whole rows */
		printf(",\"argv_redacted_words\":%u", e->image->argv.redacted_words);
	print_figures(f);
	printf("}\n");
	return sink_fails ? (sink_fails = 0, -1) : 0;
}

/* The verbs that are not records. Returns 1 when l was one of them. */
static int replay_control(struct model *m, const struct line *l, unsigned n)
{
	if (!strcmp(l->verb, "live") && live_count < MAX_LIVE) {
		live[live_count].pid = (uint32_t)number(l, "pid", 0);
		live[live_count++].usage = usage_of(l);
	} else if (!strcmp(l->verb, "fail")) {
		sink_fails = 1;
	} else if (!strcmp(l->verb, "counts")) {
		printf("{\"op\":\"counts\",\"line\":%u,\"running\":%zu,\"awaited\":%zu,"
		       "\"executions\":%" PRIu64 "}\n",
		       n, model_running(m), model_awaited_final_records(m, number(l, "since", 0)),
		       model_executions(m));
	} else {
		return 0;
	}
	return 1;
}

int main(void)
{
	struct model *m = model_new((struct execution_sink){print_finished, NULL});
	char *text = NULL;
	size_t size = 0;
	struct line l;
	int rc = 0;

	if (!m)
		return 1;
	for (unsigned n = 1; getline(&text, &size, stdin) > 0; n++) {
		int bad = parse(text, &l);
		int64_t id;

		if (!l.verb || l.verb[0] == '#')
			continue;
		if (bad) {
			fprintf(stderr, "model_replay: line %u: not VERB key=value...\n", n);
			rc = 2;
			continue;
		}
		if (replay_control(m, &l, n))
			continue;
		if ((id = replay_record(m, &l)) == INT64_MIN) {
			fprintf(stderr, "model_replay: line %u: unknown verb '%s'\n", n, l.verb);
			rc = 2;
			continue;
		}
		printf("{\"op\":\"%s\",\"line\":%u,\"exec_id\":%" PRId64 "}\n", l.verb, n, id);
	}
	free(text);
	model_free(m);
	return rc;
}
