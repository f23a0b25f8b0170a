/* files probe, user side: files.parquet, one row per open by a traced process. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/files.h"
#include "dataset/dataset.h"
#include "files.skel.h"
#include "model/argv.h"
#include "model/model.h"
#include "probes/core_btf.h"
#include "probes/probe.h"
#include "probes/shared.h"

enum {
	FILES_PATH = RECORD_COLUMNS, FILES_FLAGS, FILES_ACCESS, FILES_RESULT, FILES_CALL,
	FILES_COLUMNS
};

static const struct pq_column_def files_columns[FILES_COLUMNS] = {
	DATASET_RECORD_COLUMNS,
	[FILES_PATH] = {"path", PQ_STRING, false},
	[FILES_FLAGS] = {"flags", PQ_INT32, false},
	[FILES_ACCESS] = {"access", PQ_STRING, false},
	[FILES_RESULT] = {"result", PQ_INT32, false},
	[FILES_CALL] = {"call", PQ_STRING, false},
};

static bool files_supported(char *why, size_t why_size)
{
	struct files_bpf *skel = files_bpf__open_opts(probe_open_opts());

	return probe_loads(skel, skel ? skel->skeleton : NULL, "files", why, why_size) &&
	       !probe_need_tracefs(why, why_size);
}

static int files_start(void *state, struct probe_settings *settings, char *err, size_t err_size)
{
	struct files_bpf *skel = files_bpf__open_opts(probe_open_opts());

	if (!skel) {
		snprintf(err, err_size, "cannot open the files probe");
		return -1;
	}
	return table_probe_attach(state, skel, skel->skeleton, &skel->rodata->wakeup_bytes,
				  &skel->rodata->pidns_inum, "files", settings, err, err_size);
}

/* The path made absolute against the directory the kernel resolved it from; a relative path
 * stays relative only when that directory could not be read. */
static char *absolute_path(const struct pt_file_record *rec)
{
	char *path = escape_bytes(rec->path, rec->path_len), *dir, *joined;

	if (!path || path[0] == '/' || !rec->dir_known)
		return path;
	dir = path_from_components(rec->path + rec->path_len, rec->dir_len);
	if (!dir || asprintf(&joined, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", path) < 0)
		joined = NULL;
	free(dir);
	free(path);
	return joined;
}

static const char *access_name(uint32_t flags)
{
	switch (flags & O_ACCMODE) {
	case O_WRONLY: return "write";
	case O_RDWR: return "read-write";
	default: return "read";
	}
}

static int files_decode(void *state, struct probe_sink *sink, const struct pt_record_header *hdr,
			size_t size)
{
	static const char *const calls[] = {[PT_OPEN] = "open", [PT_OPENAT] = "openat",
					    [PT_OPENAT2] = "openat2", [PT_CREAT] = "creat"};
	const struct pt_file_record *rec = (const void *)hdr;
	const struct execution *e;
	struct pq_writer *w = ((struct table_probe *)state)->table;
	const char *call;
	char *path;
	int rc;

	if (size < sizeof(*rec) || size < sizeof(*rec) + rec->path_len + rec->dir_len)
		return PROBE_MALFORMED;
	e = model_current(sink->model, hdr->pid);
	path = absolute_path(rec);
	if (!path)
		return -1;
	call = rec->call < sizeof(calls) / sizeof(calls[0]) && calls[rec->call] ? calls[rec->call]
										: "open";
	rc = dataset_write_record_columns(sink->dataset, w, hdr->ts, hdr->pid, hdr->tid,
					  e ? e->exec_id : 0) |
	     dataset_write_string(w, FILES_PATH, path) |
	     pq_write_int32(w, FILES_FLAGS, (int32_t)rec->flags) |
	     dataset_write_string(w, FILES_ACCESS, access_name(rec->flags)) |
	     pq_write_int32(w, FILES_RESULT, rec->result) |
	     dataset_write_string(w, FILES_CALL, call) | pq_writer_end_row(w);
	free(path);
	return rc ? -1 : 0;
}

const struct probe_module files_probe = {
	.name = "files",
	.description = "files opened by traced processes: path, flags, result (files.parquet)",
	.first_type = PT_REC_FILE_OPEN,
	.last_type = PT_REC_FILE_OPEN,
	.table = {"files", files_columns, FILES_COLUMNS},
	.supported = files_supported,
	.open = table_probe_open,
	.start = files_start,
	.stop = table_probe_stop,
	.decode = files_decode,
};
