/* Records of the net probe (net.bpf.c): outbound connections of traced processes. */
#ifndef PIPETRACE_NET_H
#define PIPETRACE_NET_H

#include "record.h"

#define PT_NET_VERSION 1
#define PT_SOCKADDR_MAX 128

PT_RECORDS_BEGIN

struct pt_connect_record {
	struct pt_record_header hdr;
	s32 result;     /* 0, or -errno (-EINPROGRESS for a non-blocking connect under way) */
	u16 sock_type;  /* SOCK_STREAM, SOCK_DGRAM, ... */
	u16 protocol;   /* IPPROTO_TCP, IPPROTO_UDP, ... (0 when unknown) */
	u32 addr_len;   /* bytes of addr that are the caller's sockaddr */
	u32 pad;
	u8 addr[PT_SOCKADDR_MAX]; /* the sockaddr as passed to connect(2) */
};
PT_ASSERT_SIZE(struct pt_connect_record, 40 + PT_SOCKADDR_MAX);

PT_RECORDS_END

#endif
