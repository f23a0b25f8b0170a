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

struct path_walk {
	struct mount *mnt;
	struct vfsmount *vfsmnt;
	struct dentry *dentry;
	char *buf;
	u64 mnt_offset;
	u32 off;
	bool complete; /* the walk reached the root */
};

/* One step up: a component written, or a mount point crossed. Returns 1 at the root. As a
 * bpf_loop callback the verifier checks it once, not once per level. */
static long path_step(u32 index, struct path_walk *w)
{
	/* Locals: CO-RE relocates kernel types only, not this struct's fields. */
	struct dentry *dentry = w->dentry, *parent = BPF_CORE_READ(dentry, d_parent);
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt, *up;
	long n;

	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt) {
			w->complete = true; /* the root of the mount tree */
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		w->vfsmnt = (void *)up + w->mnt_offset;
		return 0;
	}
	if (!dentry || w->off >= PT_DIR_MAX - PT_DIR_NAME_MAX)
		return 1;
	if (dentry == parent) {
		w->complete = true; /* a filesystem root outside the mount tree (a pipe, a socket) */
		return 1;
	}
	n = bpf_probe_read_kernel_str(w->buf + (w->off & (PT_DIR_MAX - 1)), PT_DIR_NAME_MAX,
				      BPF_CORE_READ(dentry, d_name.name));
	if (n <= 0)
		return 1;
	w->off += n;
	w->dentry = parent;
	return 0;
}

/* Writes the path's components from leaf to root, each NUL-terminated, into buf, which has
 * room for PT_DIR_MAX + PT_DIR_NAME_MAX bytes. Returns the bytes written (0: the root itself),
 * or -1 when the walk could not reach the root. User space joins the components in reverse
 * order with '/'. */
static __always_inline int path_components(struct path *path, char *buf)
{
	struct path_walk w = {
		.mnt_offset = bpf_core_field_offset(struct mount, mnt),
		.vfsmnt = BPF_CORE_READ(path, mnt),
		.dentry = BPF_CORE_READ(path, dentry),
		.buf = buf,
	};

	w.mnt = (void *)w.vfsmnt - w.mnt_offset;
	bpf_loop(PATH_DEPTH_MAX, path_step, &w, 0);
	return w.complete ? (int)(w.off & (PT_DIR_MAX - 1)) : -1;
}

/* The working directory of the current task. */
static __always_inline int cwd_components(char *buf)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct path pwd = BPF_CORE_READ(task, fs, pwd);

	return path_components(&pwd, buf);
}

#endif
