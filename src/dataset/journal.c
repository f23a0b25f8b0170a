#include "dataset/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <lz4.h>

/* The file: JOURNAL_MAGIC, then frames. A frame: its header, then `stored` bytes of one LZ4
 * block holding `raw` bytes of entries; the checksum (zlib's CRC-32) covers both lengths and
 * the stored bytes, so a frame torn or half-written by a dying writer is told from a whole one.
 * An entry: its size (u32), 4 bytes of zeros, the record, zeros up to a multiple of 8 (each
 * record is then 8-byte aligned for the reader). */
#define JOURNAL_MAGIC "PTJRNL2\n"
#define JOURNAL_MAGIC_ZSTD "PTJRNL1\n" /* frames of zstd: an earlier build's */
#define FRAME_MAGIC 0x4d524650u /* "PFRM" */
/* A frame is written when this much is waiting even before the drain ends: bounds the
 * buffers (a frame raw and compressed) whatever the rate of records. */
#define FRAME_RAW_MAX (4u << 20)
/* A reader refuses frames claiming more (a corrupt header, not a frame of this writer's). */
#define FRAME_READ_MAX (256u << 20)
struct frame_header {
	uint32_t magic, stored, raw, crc;
};

static uint32_t frame_crc(uint32_t stored, uint32_t raw, const void *data)
{
	uint32_t lengths[2] = {stored, raw};
	uLong crc = crc32(0, (const Bytef *)lengths, sizeof(lengths));

	return (uint32_t)crc32(crc, data, stored);
}

static size_t padded(size_t size)
{
	return (size + 7) & ~(size_t)7;
}

static void journal_path(char *path, size_t size, const char *dir)
{
	snprintf(path, size, "%s/%s", dir, JOURNAL_NAME);
}

/* Removes the journal at path (its dataset is whole); -1 with err set. */
static int remove_journal(const char *path, char *err, size_t err_size)
{
	int rc = unlink(path);

	if (rc)
		snprintf(err, err_size, "cannot remove %s: %s", path, strerror(errno));
	return rc;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- writing */

struct journal {
	int fd;
	bool sync;
	char path[PATH_MAX + 32];
	unsigned char *raw, *frame; /* entries waiting; a frame being written */
	size_t raw_len, raw_cap, frame_cap;
	uint64_t written, write_ns;
	char error[256];
};

static int journal_fail(struct journal *j, const char *what, int err)
{
	if (!j->error[0])
		snprintf(j->error, sizeof(j->error), "%.200s: %s: %s", j->path, what, strerror(err));
	return -1;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (errno = ENOSPC, -1);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

struct journal *journal_create(const char *dir, bool sync, char *err, size_t err_size)
{
	struct journal *j = calloc(1, sizeof(*j));

	if (!j) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	j->sync = sync;
	journal_path(j->path, sizeof(j->path), dir);
	/* Not truncated before the lock is ours: it may be a live run's. */
	j->fd = open(j->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (j->fd < 0 || flock(j->fd, LOCK_EX | LOCK_NB)) {
		if (j->fd >= 0 && errno == EWOULDBLOCK)
			snprintf(err, err_size, "another pipetrace run is writing %s now", dir);
		else
			snprintf(err, err_size, "cannot create %s: %s", j->path, strerror(errno));
		journal_close(j);
		return NULL;
	}
	if (ftruncate(j->fd, 0) || write_all(j->fd, (const void *)JOURNAL_MAGIC, 8)) {
		snprintf(err, err_size, "cannot write %s: %s", j->path, strerror(errno));
		journal_close(j);
		return NULL;
	}
	j->written = 8;
	return j;
}

static int reserve(unsigned char **buf, size_t *cap, size_t need)
{
	unsigned char *grown;
	size_t size = *cap ? *cap : 64 << 10;

	if (need <= *cap)
		return 0;
	while (size < need)
		size *= 2;
	grown = realloc(*buf, size);
	if (!grown)
		return -1;
	*buf = grown;
	*cap = size;
	return 0;
}

int journal_append(struct journal *j, const void *record, size_t size)
{
	size_t entry = 8 + padded(size);
	uint32_t header[2] = {(uint32_t)size, 0};

	if (j->error[0])
		return -1;
	if (j->raw_len && j->raw_len + entry > FRAME_RAW_MAX && journal_flush(j))
		return -1;
	if (size > UINT32_MAX || reserve(&j->raw, &j->raw_cap, j->raw_len + entry))
		return journal_fail(j, "cannot hold a record", ENOMEM);
	memcpy(j->raw + j->raw_len, header, 8);
	memcpy(j->raw + j->raw_len + 8, record, size);
	memset(j->raw + j->raw_len + 8 + size, 0, padded(size) - size);
	j->raw_len += entry;
	return 0;
}

int journal_flush(struct journal *j)
{
	struct frame_header h = {.magic = FRAME_MAGIC, .raw = (uint32_t)j->raw_len};
	size_t bound = sizeof(h) + (size_t)LZ4_compressBound((int)j->raw_len), stored;
	uint64_t start = now_ns();

	if (j->error[0])
		return -1;
	if (!j->raw_len)
		return 0;
	if (reserve(&j->frame, &j->frame_cap, bound))
		return journal_fail(j, "cannot hold a frame", ENOMEM);
	/* LZ4 rather than zstd: the journal is written while the traced run goes on and read
	 * only after a crash. In journal_bench (tests/tools) a frame costs 45 % less than with
	 * zstd's level -3, for twice the bytes (docs/benchmarks.md). */
	int packed = LZ4_compress_default((const char *)j->raw, (char *)j->frame + sizeof(h),
					  (int)j->raw_len, (int)(bound - sizeof(h)));
	if (packed <= 0)
		return journal_fail(j, "cannot compress a frame", ENOMEM);
	stored = (size_t)packed;
	h.stored = (uint32_t)stored;
	h.crc = frame_crc(h.stored, h.raw, j->frame + sizeof(h));
	memcpy(j->frame, &h, sizeof(h));
	if (write_all(j->fd, j->frame, sizeof(h) + stored) || (j->sync && fdatasync(j->fd))) {
		int why = errno;

		/* A frame written in part would only be a torn tail: take it back. */
		(void)!ftruncate(j->fd, (off_t)j->written);
		return journal_fail(j, "cannot write", why);
	}
	j->written += sizeof(h) + stored;
	j->raw_len = 0;
	j->write_ns += now_ns() - start;
	return 0;
}

int journal_give(struct journal *j, uid_t uid, gid_t gid)
{
	return fchown(j->fd, uid, gid);
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->raw);
	free(j->frame);
	free(j);
}

int journal_remove(struct journal *j, char *err, size_t err_size)
{
	int rc = remove_journal(j->path, err, err_size);

	journal_close(j);
	return rc;
}

const char *journal_error(const struct journal *j)
{
	return j->error[0] ? j->error : NULL;
}

uint64_t journal_bytes(const struct journal *j)
{
	return j->written;
}

uint64_t journal_write_ns(const struct journal *j)
{
	return j->write_ns;
}

/* ---------------------------------------------------------------- reading */

enum journal_state journal_state(const char *dir)
{
	char path[PATH_MAX + 32];
	enum journal_state state;
	int fd;

	journal_path(path, sizeof(path), dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return JOURNAL_NONE;
	state = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK ? JOURNAL_LIVE : JOURNAL_LEFT;
	close(fd);
	return state;
}

int journal_check(const char *dir, char *err, size_t err_size)
{
	switch (journal_state(dir)) {
	case JOURNAL_LIVE:
		snprintf(err, err_size, "%s is being written by a pipetrace run still in progress; "
			 "'pipetrace report %s' shows it so far", dir, dir);
		return -1;
	case JOURNAL_LEFT:
		snprintf(err, err_size, "%s holds a run that did not finish (pipetrace was killed?); "
			 "run 'pipetrace recover %s' to turn it into a dataset", dir, dir);
		return -1;
	default:
		return 0;
	}
}

struct journal_reader {
	int fd;
	char path[PATH_MAX + 32];
	unsigned char *stored, *raw;
	size_t stored_cap, raw_cap, raw_len, next; /* next: offset of the next entry in raw */
	uint64_t offset, torn;                     /* offset: of the next frame in the file */
	bool done;
};

static ssize_t read_at(int fd, void *buf, size_t len, uint64_t offset)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(offset + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

struct journal_reader *journal_open(const char *dir, bool lock, char *err, size_t err_size)
{
	struct journal_reader *r = calloc(1, sizeof(*r));
	char magic[8];

	if (!r) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	journal_path(r->path, sizeof(r->path), dir);
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		snprintf(err, err_size, "cannot open %s: %s", r->path, strerror(errno));
	} else if (lock && flock(r->fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, err_size, errno == EWOULDBLOCK
			 ? "%s is being written by a pipetrace run still in progress"
			 : "cannot lock %s", dir);
	} else if (read_at(r->fd, magic, 8, 0) != 8 || memcmp(magic, JOURNAL_MAGIC, 8)) {
		snprintf(err, err_size, memcmp(magic, JOURNAL_MAGIC_ZSTD, 8)
			 ? "%s is not a pipetrace journal"
			 : "%s was written by an earlier pipetrace (zstd frames): recover it with that build",
			 r->path);
	} else {
		r->offset = 8;
		return r;
	}
	journal_reader_close(r);
	return NULL;
}

/* Reads the next whole frame into r->raw; false at the end (a torn frame is counted). */
static bool read_frame(struct journal_reader *r)
{
	struct frame_header h;
	struct stat st;
	ssize_t n = read_at(r->fd, &h, sizeof(h), r->offset);
	int raw;

	if (n == (ssize_t)sizeof(h) && h.magic == FRAME_MAGIC && h.stored <= FRAME_READ_MAX &&
	    h.raw <= FRAME_READ_MAX && !reserve(&r->stored, &r->stored_cap, h.stored) &&
	    !reserve(&r->raw, &r->raw_cap, h.raw ? h.raw : 1) &&
	    read_at(r->fd, r->stored, h.stored, r->offset + sizeof(h)) == (ssize_t)h.stored &&
	    frame_crc(h.stored, h.raw, r->stored) == h.crc) {
		raw = LZ4_decompress_safe((const char *)r->stored, (char *)r->raw, (int)h.stored,
					  (int)h.raw);
		if (raw >= 0 && (uint32_t)raw == h.raw) {
			r->offset += sizeof(h) + h.stored;
			r->raw_len = (size_t)raw;
			r->next = 0;
			return true;
		}
	}
	if (!fstat(r->fd, &st) && (uint64_t)st.st_size > r->offset)
		r->torn = (uint64_t)st.st_size - r->offset;
	r->done = true;
	return false;
}

int journal_next(struct journal_reader *r, const void **record, size_t *size, char *err,
		 size_t err_size)
{
	uint32_t entry_size;

	while (!r->done && r->next >= r->raw_len)
		if (!read_frame(r))
			break;
	if (r->done)
		return 0;
	memcpy(&entry_size, r->raw + r->next, sizeof(entry_size));
	if (r->next + 8 + padded(entry_size) > r->raw_len) {
		snprintf(err, err_size, "%s: a frame's record runs past its end", r->path);
		return -1;
	}
	*record = r->raw + r->next + 8;
	*size = entry_size;
	r->next += 8 + padded(entry_size);
	return 1;
}

uint64_t journal_torn_bytes(const struct journal_reader *r)
{
	return r->torn;
}

void journal_reader_close(struct journal_reader *r)
{
	if (r && r->fd >= 0)
		close(r->fd);
	if (r)
		free(r->stored), free(r->raw);
	free(r);
}

int journal_reader_remove(struct journal_reader *r, char *err, size_t err_size)
{
	int rc = remove_journal(r->path, err, err_size);

	journal_reader_close(r);
	return rc;
}
