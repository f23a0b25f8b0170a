/* Records of the files probe (files.bpf.c): files opened by traced processes. */
#ifndef PIPETRACE_FILES_H
#define PIPETRACE_FILES_H

#include "record.h"

#define PT_FILES_VERSION 1
#define PT_PATH_MAX 4096

enum pt_open_call { PT_OPEN = 1, PT_OPENAT = 2, PT_OPENAT2 = 3, PT_CREAT = 4 };

PT_RECORDS_BEGIN

/* Followed by path_len bytes of the path as passed to the call, then, for a relative path,
 * dir_len bytes of the components of the directory it is relative to (record.h): the
 * working directory, or dirfd's, as the kernel had them at the call. */
struct pt_file_record {
	struct pt_record_header hdr;
	s32 result;  /* the new fd, or -errno */
	u32 flags;   /* O_* flags */
	u16 call;    /* enum pt_open_call */
	u16 path_len;
	u16 dir_len;
	u16 dir_known; /* dir was read (dir_len 0 with dir_known: the root) */
	char path[];
};
PT_ASSERT_SIZE(struct pt_file_record, 40);
PT_ASSERT_OFFSET(struct pt_file_record, path, 40);

PT_RECORDS_END

#endif
