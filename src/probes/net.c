/* net probe, user side: connections.parquet, one row per connect(2) by a traced process. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "bpf/net.h"
#include "dataset/dataset.h"
#include "model/argv.h"
#include "model/model.h"
#include "net.skel.h"
#include "probes/core_btf.h"
#include "probes/probe.h"
#include "probes/shared.h"

enum {
	NET_FAMILY = RECORD_COLUMNS, NET_ADDRESS, NET_PORT, NET_PROTOCOL, NET_RESULT, NET_COLUMNS
};

static const struct pq_column_def net_columns[NET_COLUMNS] = {
	DATASET_RECORD_COLUMNS,
	[NET_FAMILY] = {"family", PQ_STRING, false},
	[NET_ADDRESS] = {"address", PQ_STRING, true},
	[NET_PORT] = {"port", PQ_INT32, true},
	[NET_PROTOCOL] = {"protocol", PQ_STRING, false},
	[NET_RESULT] = {"result", PQ_INT32, false},
};

static bool net_supported(char *why, size_t why_size)
{
	struct net_bpf *skel = net_bpf__open_opts(probe_open_opts());

	return probe_loads(skel, skel ? skel->skeleton : NULL, "net", why, why_size) &&
	       !probe_need_tracefs(why, why_size);
}

static int net_start(void *state, struct probe_settings *settings, char *err, size_t err_size)
{
	struct net_bpf *skel = net_bpf__open_opts(probe_open_opts());

	if (!skel) {
		snprintf(err, err_size, "cannot open the net probe");
		return -1;
	}
	return table_probe_attach(state, skel, skel->skeleton, &skel->rodata->wakeup_bytes,
				  &skel->rodata->pidns_inum, "net", settings, err, err_size);
}

/* Family name, printable address (NULL when there is none) and port (-1: none). */
struct endpoint {
	const char *family;
	char address[INET6_ADDRSTRLEN + sizeof(((struct sockaddr_un *)0)->sun_path)];
	int port;
};

static void describe_endpoint(const struct pt_connect_record *rec, struct endpoint *out)
{
	sa_family_t family = 0;

	*out = (struct endpoint){.family = "other", .port = -1};
	if (rec->addr_len >= sizeof(family))
		memcpy(&family, rec->addr, sizeof(family));
	if (family == AF_INET && rec->addr_len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;

		memcpy(&in, rec->addr, sizeof(in));
		out->family = "inet";
		inet_ntop(AF_INET, &in.sin_addr, out->address, sizeof(out->address));
		out->port = ntohs(in.sin_port);
	} else if (family == AF_INET6 && rec->addr_len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;

		memcpy(&in6, rec->addr, sizeof(in6));
		out->family = "inet6";
		inet_ntop(AF_INET6, &in6.sin6_addr, out->address, sizeof(out->address));
		out->port = ntohs(in6.sin6_port);
	} else if (family == AF_UNIX) {
		size_t offset = offsetof(struct sockaddr_un, sun_path);
		size_t len = rec->addr_len > offset ? rec->addr_len - offset : 0;
		const char *path = (const char *)rec->addr + offset;

		out->family = "unix";
		/* An abstract socket's name starts with a NUL, shown as '@' as ss(8) does. */
		if (len && path[0] == '\0')
			snprintf(out->address, sizeof(out->address), "@%.*s", (int)len - 1, path + 1);
		else
			snprintf(out->address, sizeof(out->address), "%.*s", (int)strnlen(path, len),
				 path);
	} else if (family == AF_UNSPEC) {
		out->family = "unspec";
	}
}

static const char *protocol_name(const struct pt_connect_record *rec)
{
	switch (rec->protocol) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: case IPPROTO_ICMPV6: return "icmp";
	default: return rec->sock_type == SOCK_STREAM ? "stream"
	       : rec->sock_type == SOCK_DGRAM ? "dgram" : "other";
	}
}

static int net_decode(void *state, struct probe_sink *sink, const struct pt_record_header *hdr,
		      size_t size)
{
	const struct pt_connect_record *rec = (const void *)hdr;
	const struct execution *e;
	struct pq_writer *w = ((struct table_probe *)state)->table;
	struct endpoint ep;
	char *address;
	int rc;

	if (size < sizeof(*rec))
		return PROBE_MALFORMED;
	describe_endpoint(rec, &ep);
	address = ep.address[0] ? escape_bytes(ep.address, strlen(ep.address)) : NULL;
	if (ep.address[0] && !address)
		return -1;
	e = model_current(sink->model, hdr->pid);
	rc = dataset_write_record_columns(sink->dataset, w, hdr->ts, hdr->pid, hdr->tid,
					  e ? e->exec_id : 0) |
	     dataset_write_string(w, NET_FAMILY, ep.family) |
	     dataset_write_string(w, NET_ADDRESS, address) |
	     (ep.port >= 0 ? pq_write_int32(w, NET_PORT, ep.port) : pq_write_null(w, NET_PORT)) |
	     dataset_write_string(w, NET_PROTOCOL, protocol_name(rec)) |
	     pq_write_int32(w, NET_RESULT, rec->result) | pq_writer_end_row(w);
	free(address);
	return rc ? -1 : 0;
}

const struct probe_module net_probe = {
	.name = "net",
	.description = "outbound connections of traced processes: family, address, port, "
		       "protocol, result (connections.parquet)",
	.first_type = PT_REC_CONNECT,
	.last_type = PT_REC_CONNECT,
	.table = {"connections", net_columns, NET_COLUMNS},
	.supported = net_supported,
	.open = table_probe_open,
	.start = net_start,
	.stop = table_probe_stop,
	.decode = net_decode,
};
