/*
 * feed_rig: what the feed tests share (tests/test_feed.c, tests/test_feed_hostile.c): a
 * Python peer on 127.0.0.1 started and killed by PID (tests/ws_peer.py by default,
 * tests/hostile_peer.py when peer_prog says so), its record of what the feed sent, the
 * data ring read as the UI would, and a running feed with small timeouts.  Every wait is a
 * deadline in milliseconds.  Test processes only; one test at a time per process.
 */
#ifndef CLOBTOP_TESTS_FEED_RIG_H
#define CLOBTOP_TESTS_FEED_RIG_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "feed.h"
#include "msg.h"
#include "ring.h"

#ifndef PYTHON3
#define PYTHON3 "/usr/bin/python3"
#endif
#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

#define WAIT_MS   6000 /* ms: upper bound for anything a test waits for */
#define MAX_GOT   4096 /* records a test keeps */
#define MAX_LINES 512  /* recorded frames a test reads back */

struct peer {
	pid_t pid;       /* python process */
	int port;        /* where it listens */
	char record[64]; /* file with the frames it received */
	char url[64];    /* ws://127.0.0.1:port/ws/market */
};

/* Reads the peer's record: lines "<conn> <frame>". */
struct lines {
	char *buf;                   /* whole file */
	size_t n;                    /* lines */
	int conn[MAX_LINES];         /* connection number */
	const char *text[MAX_LINES]; /* frame text */
};

struct got {
	uint16_t kind;     /* enum ring_kind */
	uint16_t flags;    /* RING_F_* */
	int64_t t_real_ns; /* stamps */
	int64_t t_mono_ns;
	struct conn_event ev; /* REC_CONN */
	char *data;           /* REC_FRAME payload, NUL-terminated */
	size_t len;           /* bytes */
};

struct col {
	struct ring *ring; /* data ring */
	size_t n;          /* records kept */
	struct got v[MAX_GOT];
};

struct rig {
	struct peer peer;
	struct ring *data, *cmd;
	struct feed *feed;
	struct feed_config cfg;
	struct col *col;
	struct lines lines;
	char **ids; /* generated asset ids */
	size_t nids;
};

extern struct peer *current_peer; /* killed at exit should a test fail */
extern char tmpdir[32];           /* record files and certificates */
extern const char *peer_count;    /* --count for the next peer, NULL for the default */
extern const char *peer_size;     /* --size for the next peer, NULL for the default */
extern const char *peer_prog;     /* the peer script, relative to TOP_SRCDIR/tests */

/* CLOCK_MONOTONIC in ms. */
int64_t mono_ms(void);
/* Kills current_peer (registered with atexit by rig_run). */
void peer_atexit(void);
/* Starts peer_prog with script on 127.0.0.1 (wss:// with cert and key, ws:// when NULL). */
void peer_start_tls(struct peer *p, const char *script, const char *cert, const char *key);
/* ws:// peer with --count and --size (NULL: the defaults). */
void peer_start(struct peer *p, const char *script, const char *count, const char *size);
/* Kills the peer by PID and removes its record file. */
void peer_kill(struct peer *p);
/* Reads the peer's record: lines "<conn> <frame>". */
void lines_read(struct lines *l, const char *path);
void lines_free(struct lines *l);
size_t lines_count(const struct lines *l, int conn, const char *prefix);
bool lines_wait(struct lines *l, const char *path, int conn, const char *prefix, size_t want);
/* Moves every record of the data ring into c. */
void col_drain(struct col *c);
void col_free(struct col *c);
/* Index of the nth (1-based) conn event of kind, or -1. */
int col_find_conn(const struct col *c, enum conn_kind kind, int nth);
int col_find_frame(const struct col *c, const char *text, int nth);
int col_count_conn(const struct col *c, enum conn_kind kind);
void col_wait(struct col *c, int ms);
/* col_find_conn, waiting up to WAIT_MS. */
int wait_conn(struct col *c, enum conn_kind kind, int nth);
/* The first frame equal to text, waiting up to WAIT_MS; -1 if none. */
int wait_frame(struct col *c, const char *text);
/* Keeps collecting for ms (only to show that something does NOT happen). */
void col_linger(struct col *c, int ms);
const char *kind_at(const struct col *c, int i);
/* Defaults with small timeouts, nids generated 77-digit ids, fresh rings. */
void rig_config(struct rig *r, size_t nids);
void rig_start(struct rig *r);
void rig_stop(struct rig *r);
void rig_free(struct rig *r);
/* The assets_ids of a recorded frame in want_shape, appended to out (NULL: count). */
long frame_ids(const char *text, const char *want_shape, char **out, size_t *nout);

/* The whole main(): a temporary directory, the suite, clean-up; the exit status. */
int rig_run(Suite *s);

#endif
