/* netconnect KIND ADDRESS [PORT]...: one blocking connect(2) per KIND ADDRESS [PORT] group,
 * each on a new socket, and prints "KIND RESULT" per connect on stdout (RESULT: 0 or -errno).
 * Exits 0, or 2 on bad arguments.
 *   tcp IPV4 PORT     SOCK_STREAM, IPPROTO_TCP
 *   udp IPV4 PORT     SOCK_DGRAM, IPPROTO_UDP (connect only fixes the peer; nothing is sent)
 *   tcp6 IPV6 PORT    AF_INET6, SOCK_STREAM
 *   unix PATH         AF_UNIX, SOCK_STREAM
 *   unixdgram PATH    AF_UNIX, SOCK_DGRAM
 *   abstract NAME     AF_UNIX, SOCK_STREAM, abstract address "\0NAME" */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int usage(void)
{
	fputs("usage: netconnect {tcp|udp|tcp6 ADDRESS PORT | unix|unixdgram|abstract PATH}...\n",
	      stderr);
	return 2;
}

static long attempt(int fd, const void *addr, socklen_t len)
{
	long rc;

	if (fd < 0)
		return -errno;
	rc = connect(fd, addr, len) ? -errno : 0;
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	int i = 1;

	while (i < argc) {
		const char *kind = argv[i];
		long rc;

		if (!strcmp(kind, "tcp") || !strcmp(kind, "udp")) {
			struct sockaddr_in in = {.sin_family = AF_INET};
			int udp = kind[0] == 'u';

			if (i + 2 >= argc || inet_pton(AF_INET, argv[i + 1], &in.sin_addr) != 1)
				return usage();
			in.sin_port = htons((uint16_t)atoi(argv[i + 2]));
			rc = attempt(socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM,
					    udp ? IPPROTO_UDP : IPPROTO_TCP),
				     &in, sizeof(in));
			i += 3;
		} else if (!strcmp(kind, "tcp6")) {
			struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};

			if (i + 2 >= argc || inet_pton(AF_INET6, argv[i + 1], &in6.sin6_addr) != 1)
				return usage();
			in6.sin6_port = htons((uint16_t)atoi(argv[i + 2]));
			rc = attempt(socket(AF_INET6, SOCK_STREAM, 0), &in6, sizeof(in6));
			i += 3;
		} else if (!strcmp(kind, "unix") || !strcmp(kind, "unixdgram") ||
			   !strcmp(kind, "abstract")) {
			struct sockaddr_un un = {.sun_family = AF_UNIX};
			size_t offset = kind[0] == 'a' ? 1 : 0, len;

			if (i + 1 >= argc || strlen(argv[i + 1]) + offset >= sizeof(un.sun_path))
				return usage();
			len = strlen(argv[i + 1]);
			memcpy(un.sun_path + offset, argv[i + 1], len);
			rc = attempt(socket(AF_UNIX, !strcmp(kind, "unixdgram") ? SOCK_DGRAM
									      : SOCK_STREAM, 0),
				     &un,
				     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + offset + len +
						 (offset ? 0 : 1)));
			i += 2;
		} else {
			return usage();
		}
		printf("%s %ld\n", kind, rc);
	}
	return 0;
}
