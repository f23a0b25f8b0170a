/* Starting CMD held: forked at once, so that its pid can be traced, but exec'd only when the
 * probes are attached, so its first exec is seen. */
#ifndef PIPETRACE_LAUNCH_H
#define PIPETRACE_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct launch {
	pid_t pid;
	int release_fd; /* closing it lets the child exec */
	int error_fd;   /* the child writes its exec errno here; EOF means exec succeeded */
};

struct launch_user {
	bool switch_user; /* run CMD as uid/gid instead of pipetrace's own */
	uid_t uid;
	gid_t gid;
	const char *name; /* for supplementary groups; may be NULL */
};

/* The signal state of pipetrace's caller that CMD gets back: pipetrace blocks the signals it
 * reads from a signalfd, and needs SIGCHLD's default action to wait for its children (an
 * ignored SIGCHLD would have the kernel reap them). Ignored signals stay so across exec. */
struct launch_signals {
	sigset_t mask;
	struct sigaction sigchld;
};

/* Forks the child, which waits. */
int launch_held(char *const argv[], const struct launch_user *user,
		const struct launch_signals *restore, struct launch *out);
/* Lets the child exec. Returns 0 when it did, else the errno of the failed exec. */
int launch_release(struct launch *l);
/* Ends a held child without letting it exec (pipetrace failed before tracing began). */
void launch_abort(struct launch *l);
/* Waits for the child and returns its wait(2) status. */
int launch_wait(const struct launch *l);

#endif
