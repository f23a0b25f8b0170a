/* For the tools whose thread-group leader exits before another thread: the leader thread's
 * state letter in /proc/PID/task/PID/stat ('Z' once it has exited, 'X' when gone). */
#ifndef PIPETRACE_TESTS_LEADER_STATE_H
#define PIPETRACE_TESTS_LEADER_STATE_H

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

static char leader_state(pid_t leader)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)leader, (int)leader);
	f = fopen(path, "r");
	if (!f)
		return 'X';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

#endif
