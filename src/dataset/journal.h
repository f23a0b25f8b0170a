/* The run's journal: an append-only file of framed, checksummed, compressed batches of
 * records (a write-ahead log of the dataset, docs/dataset.md "Durability"). A run appends to
 * it as it goes and removes it once the dataset is finished; a folder that still holds one
 * is either being written (the journal is locked) or was left by a run that did not finish
 * (pipetrace recover). Knows nothing of what the records mean. */
#ifndef PIPETRACE_JOURNAL_H
#define PIPETRACE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The journal's name in a dataset folder: hidden, and no reader takes it for a table. */
#define JOURNAL_NAME ".pipetrace-journal"

/* ---------------------------------------------------------------- writing */

struct journal;

/* Creates DIR/JOURNAL_NAME, locked for as long as it is open (refused when another run
 * holds it). sync: each frame reaches the disk (fdatasync) before the next is written. */
struct journal *journal_create(const char *dir, bool sync, char *err, size_t err_size);
/* Adds one record (size bytes, any content) to the frame being filled; the frame is
 * written when it is full or at journal_flush. */
int journal_append(struct journal *j, const void *record, size_t size);
/* Writes the records appended since the last flush as one frame, with one write(2). */
int journal_flush(struct journal *j);
/* Gives the journal file to uid/gid (a run under sudo: the user can then recover it). */
int journal_give(struct journal *j, uid_t uid, gid_t gid);
/* Closes (and unlocks) the journal, leaving it in place. */
void journal_close(struct journal *j);
/* Removes the journal (its dataset is complete), then closes it. */
int journal_remove(struct journal *j, char *err, size_t err_size);
/* The first failure, or NULL; once failed, nothing more is written. */
const char *journal_error(const struct journal *j);
/* Bytes written to the file so far, and time spent writing (and syncing) them. */
uint64_t journal_bytes(const struct journal *j);
uint64_t journal_write_ns(const struct journal *j);

/* ---------------------------------------------------------------- reading */

enum journal_state {
	JOURNAL_NONE,   /* no journal: a finished dataset, or no dataset at all */
	JOURNAL_LIVE,   /* a run is writing it now */
	JOURNAL_LEFT,   /* left by a run that did not finish: recover it */
};
enum journal_state journal_state(const char *dir);
/* 0 when dir holds no journal; else -1 with a one-line err naming what to do. */
int journal_check(const char *dir, char *err, size_t err_size);

struct journal_reader;

/* Opens DIR's journal. lock: takes its lock (refused while a run holds it), held until
 * journal_reader_close; else reads it as it is, a live run's too. */
struct journal_reader *journal_open(const char *dir, bool lock, char *err, size_t err_size);
/* The next record: 1 with *record (8-byte aligned, valid until the next call) and *size,
 * 0 at the end of the last whole frame, -1 on a read error (err). */
int journal_next(struct journal_reader *r, const void **record, size_t *size, char *err,
		 size_t err_size);
/* Bytes after the last whole frame (a frame torn by the death of its writer), ignored. */
uint64_t journal_torn_bytes(const struct journal_reader *r);
void journal_reader_close(struct journal_reader *r);
/* Removes the journal read by r (recovery done), then closes r. */
int journal_reader_remove(struct journal_reader *r, char *err, size_t err_size);

#endif
