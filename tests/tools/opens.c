/* opens OP...: opens files in the ways the files probe tells apart, one OP at a time, and
 * prints "OP RESULT" per OP on stdout (RESULT: the new fd, or -errno). Opened files stay open
 * until the program exits. Exits 0, or 2 on a bad OP.
 *   open:PATH      open(2) itself (SYS_open where the architecture has it), O_RDONLY
 *   create:PATH    open(2), O_WRONLY|O_CREAT|O_TRUNC
 *   creat:PATH     creat(2) itself (SYS_creat where the architecture has it)
 *   openat:PATH    openat(AT_FDCWD, PATH, O_RDONLY)
 *   openat2:PATH   openat2(AT_FDCWD, PATH, {O_RDONLY}) through syscall(SYS_openat2)
 *   dir:PATH       opens the directory PATH (O_DIRECTORY) as the dirfd for "at:"
 *   at:REL         openat(dirfd, REL, O_RDONLY)
 *   at2:REL        openat2(dirfd, REL, {O_RDWR})
 *   closedir       closes the dirfd
 *   chdir:PATH     chdir(2)
 *   sleep:MS       sleeps MS milliseconds */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* struct open_how of linux/openat2.h, declared here for older headers. */
struct how {
	uint64_t flags, mode, resolve;
};

static long result(long rc)
{
	return rc < 0 ? -errno : rc;
}

static long sys_open(const char *path, int flags)
{
#ifdef SYS_open
	return syscall(SYS_open, path, flags, 0644);
#else
	return syscall(SYS_openat, AT_FDCWD, path, flags, 0644);
#endif
}

static long sys_creat(const char *path)
{
#ifdef SYS_creat
	return syscall(SYS_creat, path, 0644);
#else
	return sys_open(path, O_WRONLY | O_CREAT | O_TRUNC);
#endif
}

static long sys_openat2(int dirfd, const char *path, uint64_t flags)
{
	struct how how = {.flags = flags};

	return syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int main(int argc, char **argv)
{
	int dirfd = -1;

	for (int i = 1; i < argc; i++) {
		const char *op = argv[i], *colon = strchr(op, ':');
		const char *arg = colon ? colon + 1 : "";
		size_t len = colon ? (size_t)(colon - op) : strlen(op);
		long rc;

#define IS(name) (len == strlen(name) && !strncmp(op, name, len))
		if (IS("open"))
			rc = result(sys_open(arg, O_RDONLY));
		else if (IS("create"))
			rc = result(sys_open(arg, O_WRONLY | O_CREAT | O_TRUNC));
		else if (IS("creat"))
			rc = result(sys_creat(arg));
		else if (IS("openat"))
			rc = result(openat(AT_FDCWD, arg, O_RDONLY));
		else if (IS("openat2"))
			rc = result(sys_openat2(AT_FDCWD, arg, O_RDONLY));
		else if (IS("dir"))
			rc = dirfd = (int)result(openat(AT_FDCWD, arg, O_RDONLY | O_DIRECTORY));
		else if (IS("at"))
			rc = result(openat(dirfd, arg, O_RDONLY));
		else if (IS("at2"))
			rc = result(sys_openat2(dirfd, arg, O_RDWR));
		else if (IS("closedir"))
			rc = result(close(dirfd));
		else if (IS("chdir"))
			rc = result(chdir(arg));
		else if (IS("sleep")) {
			struct timespec ts = {atol(arg) / 1000, atol(arg) % 1000 * 1000000};

			rc = result(nanosleep(&ts, NULL));
		} else {
			fprintf(stderr, "opens: unknown operation '%s'\n", op);
			return 2;
		}
#undef IS
		printf("%s %ld\n", op, rc);
	}
	return 0;
}
