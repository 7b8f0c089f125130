/*
 * replay / record: feed recorded frames through the very same ring, and write what the
 * feed received as JSON Lines.
 *
 * A recording is one JSON value per line: either a raw frame exactly as received, or a
 * record {"t_ns": <receipt CLOCK_REALTIME ns>, "frame": "<the frame as a JSON string>"}
 * as --record writes.  The replay thread pushes each frame as a REC_FRAME at recorded
 * speed, N times faster, or as fast as the consumer takes them (it waits when the ring is
 * full: unlike the network, a file can wait).  It ends with a REC_CONN CONN_STOPPED.
 *
 * The recorder runs on the consumer's thread (never on the receive thread).
 */
#ifndef CLOBTOP_REPLAY_H
#define CLOBTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ring.h"

struct replay;

/* speed: 1.0 recorded speed, 10.0 ten times faster, 0 as fast as possible.  A line longer
 * than max_line bytes (the live --max-message; 0 or more than the ring can carry means
 * the ring's limit) is skipped without being read into memory whole.  Every skipped line
 * is counted; the first few are reported with their line numbers as CONN_ERROR events in
 * the ring, and the final CONN_STOPPED says how many were skipped.  path must be a
 * regular file, or "-" for standard input. */
struct replay *replay_start(const char *path, double speed, size_t max_line, struct ring *data,
			    char *err, size_t errlen);
bool replay_done(const struct replay *r);
uint64_t replay_frames(const struct replay *r);   /* frames pushed */
uint64_t replay_bad_lines(const struct replay *r);      /* lines skipped */
uint64_t replay_first_bad_line(const struct replay *r); /* 1-based, 0 when none */
void replay_stop(struct replay *r);                 /* interrupts and joins */

struct recorder;

struct recorder *recorder_open(const char *path, char *err, size_t errlen);
/* Appends one record.  Returns 0, or -1 (the first error is kept in recorder_error). */
int recorder_write(struct recorder *rec, int64_t t_real_ns, const char *frame, size_t len);
const char *recorder_error(const struct recorder *rec);
int recorder_close(struct recorder *rec); /* flushes; -1 if any write failed */

#endif
