#include "trace/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child: never returns. CMD inherits its caller's signal dispositions (an ignored
 * SIGHUP stays ignored): pipetrace changes only SIGCHLD's, which is restored with the mask. */
static void run_child(char *const argv[], const struct launch_user *user,
		      const struct launch_signals *restore, int release_fd, int error_fd)
{
	char byte;
	int err;

	sigaction(SIGCHLD, &restore->sigchld, NULL);
	sigprocmask(SIG_SETMASK, &restore->mask, NULL);
	/* Held until the parent closes its end: read returns 0 then. */
	while (read(release_fd, &byte, 1) < 0 && errno == EINTR)
		;
	close(release_fd);
	if (user->switch_user &&
	    ((user->name ? initgroups(user->name, user->gid) : setgroups(0, NULL)) ||
	     setgid(user->gid) || setuid(user->uid))) {
		err = errno;
		(void)!write(error_fd, &err, sizeof(err));
		_exit(126);
	}
	execvp(argv[0], argv);
	err = errno;
	(void)!write(error_fd, &err, sizeof(err));
	_exit(err == ENOENT ? 127 : 126);
}

int launch_held(char *const argv[], const struct launch_user *user,
		const struct launch_signals *restore, struct launch *out)
{
	int hold[2], error[2];

	if (pipe2(hold, O_CLOEXEC))
		return -1;
	if (pipe2(error, O_CLOEXEC)) {
		close(hold[0]);
		close(hold[1]);
		return -1;
	}
	out->pid = fork();
	if (out->pid == 0) {
		close(hold[1]);
		close(error[0]);
		run_child(argv, user, restore, hold[0], error[1]);
	}
	close(hold[0]);
	close(error[1]);
	if (out->pid < 0) {
		close(hold[1]);
		close(error[0]);
		return -1;
	}
	out->release_fd = hold[1];
	out->error_fd = error[0];
	return 0;
}

int launch_release(struct launch *l)
{
	int err = 0;
	ssize_t n;

	close(l->release_fd);
	while ((n = read(l->error_fd, &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(l->error_fd);
	return n == (ssize_t)sizeof(err) ? err : 0;
}

void launch_abort(struct launch *l)
{
	kill(l->pid, SIGKILL);
	close(l->release_fd);
	close(l->error_fd);
	launch_wait(l);
}

int launch_wait(const struct launch *l)
{
	int status = 0;

	while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}
