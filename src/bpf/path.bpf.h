/* Directories as the kernel knows them, for probes that report paths: a struct path walked
 * from its dentry up to the root, across mount points. Read in the kernel at the event, it is
 * exact where /proc, read later in user space, would race with chdir, close and exit. */
#ifndef PIPETRACE_PATH_BPF_H
#define PIPETRACE_PATH_BPF_H

#include "common.bpf.h"
#include "record.h"

/* Levels walked at most; a deeper directory (or one past PT_DIR_MAX bytes) is reported as
 * unknown rather than cut. */
#define PATH_DEPTH_MAX 512

/* Where a walk is: kept in a per-CPU map rather than on the stack, so the verifier sees its
 * fields as bounded unknowns and checks path_step in a pass or two, not once per distinct
 * offset it could reach (PIPETRACE_DEBUG=2 shows each program's verification time). */
struct path_walk {
	u64 mnt;      /* struct mount * */
	u64 vfsmnt;   /* struct vfsmount * */
	u64 mnt_root; /* its mnt_root, read once per mount rather than once per level */
	u64 dentry;   /* struct dentry * */
	u64 mnt_offset;
	u32 off;
	u32 complete; /* the walk reached the root */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct path_walk);
} path_walks SEC(".maps");

struct path_walk_ctx {
	struct path_walk *w;
	char *buf;
};

/* A dentry's parent and name, with one read where d_name.name follows d_parent as it does in
 * every kernel's layout (d_parent, then the qstr's hash_len and name), else with two. */
static __always_inline void dentry_parent_name(struct dentry *dentry, struct dentry **parent,
					       const unsigned char **name)
{
	u64 fields[3] = {}; /* d_parent, d_name.hash_len, d_name.name */

	if (bpf_core_field_offset(struct dentry, d_name.name) ==
	    bpf_core_field_offset(struct dentry, d_parent) + 2 * sizeof(u64)) {
		bpf_core_read(fields, sizeof(fields), &dentry->d_parent);
		*parent = (struct dentry *)fields[0];
		*name = (const unsigned char *)fields[2];
		return;
	}
	*parent = BPF_CORE_READ(dentry, d_parent);
	*name = BPF_CORE_READ(dentry, d_name.name);
}

/* One step up: a component written, or a mount point crossed. Returns 1 at the root. As a
 * bpf_loop callback the verifier checks it once, not once per level. */
static long path_step(u32 index, struct path_walk_ctx *ctx)
{
	struct path_walk *w = ctx->w;
	struct dentry *dentry = (void *)w->dentry, *parent;
	struct mount *mnt = (void *)w->mnt, *up;
	struct vfsmount *vfsmnt;
	u32 off = w->off & (PT_DIR_MAX - 1);
	const unsigned char *name;
	long n;

	if ((u64)dentry == w->mnt_root) {
		up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt) {
			w->complete = true; /* the root of the mount tree */
			return 1;
		}
		w->dentry = (u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = (u64)up;
		vfsmnt = (void *)up + w->mnt_offset; /* a local: CO-RE relocates no access to w */
		w->vfsmnt = (u64)vfsmnt;
		w->mnt_root = (u64)BPF_CORE_READ(vfsmnt, mnt_root);
		return 0;
	}
	if (!dentry || w->off >= PT_DIR_MAX - PT_DIR_NAME_MAX)
		return 1;
	dentry_parent_name(dentry, &parent, &name);
	if (dentry == parent) {
		w->complete = true; /* a filesystem root outside the mount tree (a pipe, a socket) */
		return 1;
	}
	n = bpf_probe_read_kernel_str(ctx->buf + off, PT_DIR_NAME_MAX, name);
	if (n <= 0)
		return 1;
	w->off = off + n;
	w->dentry = (u64)parent;
	return 0;
}

/* Writes the path's components from leaf to root, each NUL-terminated, into buf, which has
 * room for PT_DIR_MAX + PT_DIR_NAME_MAX bytes, and returns the bytes written (0: the root
 * itself). *complete says whether the walk reached the root; when it did not, the bytes are a
 * partial path that user space ignores. (No branch on the result: the verifier would check
 * the rest of the program once for each outcome.) User space joins the components in reverse
 * order with '/'. */
static __always_inline u32 path_components(struct path *path, char *buf, u32 *complete)
{
	u32 zero = 0;
	struct path_walk_ctx ctx = {.w = bpf_map_lookup_elem(&path_walks, &zero), .buf = buf};
	struct path_walk *w = ctx.w;
	struct vfsmount *vfsmnt;

	*complete = 0;
	if (!w)
		return 0;
	w->mnt_offset = bpf_core_field_offset(struct mount, mnt);
	vfsmnt = BPF_CORE_READ(path, mnt);
	w->vfsmnt = (u64)vfsmnt;
	w->dentry = (u64)BPF_CORE_READ(path, dentry);
	w->mnt = w->vfsmnt - w->mnt_offset;
	w->mnt_root = (u64)BPF_CORE_READ(vfsmnt, mnt_root);
	w->off = 0;
	w->complete = false;
	bpf_loop(PATH_DEPTH_MAX, path_step, &ctx, 0);
	*complete = w->complete;
	return w->off & (PT_DIR_MAX - 1);
}

/* The working directory of the current task. */
static __always_inline u32 cwd_components(char *buf, u32 *complete)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct path pwd = BPF_CORE_READ(task, fs, pwd);

	return path_components(&pwd, buf, complete);
}

#endif
