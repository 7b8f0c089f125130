/*
 * feed_int: what the three files of the feed thread share (feed.c: connection, session,
 * lifecycle and the public API; feed_rx.c: the receive path; feed_subs.c: the subscribed
 * set, subscription frames and commands from the UI).  Not for any other module.
 *
 * Everything here runs on the feed thread, except where a field says otherwise.
 */
#ifndef CLOBTOP_FEED_INT_H
#define CLOBTOP_FEED_INT_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "evpack.h"
#include "feed.h"
#include "lostids.h"
#include "msg.h"
#include "ring.h"

#define RBUF_INITIAL       (64u * 1024u) /* bytes: first size of the reassembly buffer */
#define RBUF_MIN_ROOM      (16u * 1024u) /* bytes: free space wanted before each recv */
#define CTRL_MAX           128           /* bytes: control frame payloads are <= 125 */
#define PENDING_MAX        32            /* conn events held while the data ring is full */
#define PENDING_RETRY_MS   20            /* ms between retries of held conn events */
#define STOP_GRACE_MS      1500          /* ms feed_stop() lets the thread end by itself */
#define STOP_FORCE_MS      500           /* ms more once its socket is shut down */
#define CONNECT_TIMEOUT_MS 10000L        /* ms for DNS + TCP + TLS + upgrade (or dead_ms) */
#define CLOSE_NORMAL       1000          /* RFC 6455 close codes */
#define CLOSE_NO_STATUS    1005          /* never on the wire: close frame without a code */
#define CLOSE_ABNORMAL     1006          /* never on the wire: connection lost without close */
#define CLOSE_PROTOCOL     1002          /* the peer broke the protocol */
#define CLOSE_TOO_BIG      1009          /* a message over max_message */

/* Counters shared with other threads; relaxed order is enough for monitoring figures. */
struct feed_counters {
	_Atomic uint64_t frames;     /* complete messages */
	_Atomic uint64_t bytes;      /* payload bytes */
	_Atomic uint64_t pongs;      /* PONG messages */
	_Atomic uint64_t pings;      /* PINGs sent */
	_Atomic uint64_t oversize;   /* messages dropped for size */
	_Atomic uint64_t reconnects; /* connections after the first */
	_Atomic uint64_t sent;       /* subscription frames sent */
};

/* The subscribed set: a plain array of owned strings (not a hot path). */
struct idset {
	char **v;   /* owned, NUL-terminated ids */
	size_t n;   /* ids in use */
	size_t cap; /* slots allocated */
};

enum session_end {
	END_STOP,   /* feed_stop() was called */
	END_CLOSED, /* the peer closed or the connection was lost */
	END_DEAD,   /* no frame for dead_ms */
	END_ERROR,  /* a send or receive failed */
	END_NONE,   /* not over: the session goes on */
};

struct feed {
	struct feed_config cfg;  /* copy; url and ca_file point at owned copies */
	char *url;               /* owned copy of cfg.url */
	char *ca_file;           /* owned copy of cfg.ca_file, or NULL */
	struct ring *data;       /* producer side: frames and conn events */
	struct ring *cmd;        /* consumer side: commands from the UI */
	pthread_t thread;        /* the feed thread */
	int stop_fd;             /* eventfd written by feed_stop() */
	atomic_bool stop;        /* set by feed_stop() */
	struct feed_counters st; /* see struct feed_stats */

	CURL *curl;                    /* the connection, NULL when disconnected */
	curl_socket_t sock;            /* its socket */
	char errbuf[CURL_ERROR_SIZE];  /* libcurl's own words about the last error */
	bool ever_connected;           /* a connection was opened before */
	int64_t handshake_deadline_ms; /* monotonic ms: connect + upgrade must end by then */
	bool handshake_timed_out;      /* progress_cb aborted perform() for that */
	bool own_pong;                 /* libcurl's automatic PONG is off: we answer PINGs */
	atomic_int sock_shared;        /* sock for feed_stop()'s last resort, -1 when none */
	int done_fd;                   /* eventfd the thread writes as its last act */

	char *rbuf;          /* reassembly buffer; only grows */
	size_t rcap;         /* bytes allocated */
	size_t rlen;         /* bytes of the current message */
	uint64_t msg_size;   /* bytes of the current message so far */
	char ctrl[CTRL_MAX]; /* payload of the current control frame */
	size_t ctrl_len;     /* bytes in ctrl */

	char *sbuf;       /* outgoing frame being formatted; only grows */
	size_t scap;      /* bytes allocated */
	const char **ids; /* scratch: id pointers of one batch or command; only grows */
	size_t ids_cap;   /* slots allocated */
	char *cbuf;       /* scratch: copy of one command payload; only grows */
	size_t ccap;      /* bytes allocated */

	struct idset subs; /* assets subscribed (or to subscribe at the next connect) */

	struct conn_event pending[PENDING_MAX]; /* conn events the ring refused, oldest first */
	size_t npending;                        /* entries in pending */

	int64_t last_rx_ms;      /* monotonic ms of the last frame of any kind */
	int64_t last_data_ms;    /* monotonic ms of the last message that was not PONG */
	int64_t last_ping_ms;    /* monotonic ms of the last PING sent */
	int64_t since_ms;        /* monotonic ms when the current connection opened */
	bool freeze_fired;       /* one resubscribe done; re-armed by real data */
	int64_t freeze_fired_ms; /* when that resubscribe was sent */
	uint64_t rng;            /* jitter state (splitmix64) */

	struct evpack *pack;  /* cfg.parse: frames become REC_EVENTS here, else NULL */
	struct lostids *lost; /* cfg.parse: assets of records the full ring dropped */
	bool behind;          /* the last drain ended before the socket was empty (RX_MORE):
	                         this thread is the bottleneck, see hand_over_raw() */
};

static inline int64_t now_ms(void)
{
	return clock_mono_ns() / NS_PER_MS;
}

static inline bool stopping(const struct feed *f)
{
	return atomic_load_explicit(&f->stop, memory_order_acquire);
}

/* The flags of every record this feed pushes. */
static inline uint16_t feed_rec_flags(const struct feed *f)
{
	return f->lost ? MSG_F_LOSS_REPORTED : 0;
}

static inline void count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* feed.c */
/* Pushes a conn event, holding it (PENDING_MAX, newest kept) while the ring is full. */
void feed_emit(struct feed *f, enum conn_kind kind, int32_t code, int64_t value, const char *text);
/* Retries held conn events in order; true when none is left. */
bool feed_flush_pending(struct feed *f);
/* One whole frame within dead_ms: CURLE_OK, CURLE_OPERATION_TIMEDOUT, or
 * CURLE_ABORTED_BY_CALLBACK when feed_stop() interrupted it. */
CURLcode feed_send_all(struct feed *f, const void *buf, size_t len, unsigned flags);
void feed_report_send_error(struct feed *f, const char *what, CURLcode rc);
/* Best effort, never waits. */
void feed_send_close(struct feed *f, int code);

/* feed_rx.c */
enum rx_result {
	RX_IDLE, /* libcurl said CURLE_AGAIN: nothing more until the socket is readable */
	RX_MORE, /* stopped after a burst so timers and commands get a turn: call again */
	RX_END,  /* the connection is over (already reported) */
};

enum rx_result feed_drain_socket(struct feed *f);

/* feed_subs.c */
ssize_t feed_idset_find(const struct idset *s, const char *id);
bool feed_idset_add(struct idset *s, const char *id);
void feed_idset_free(struct idset *s);
/* The initial subscription (always first, even empty), then SUBSCRIBED. */
bool feed_send_initial(struct feed *f);
/* Unsubscribe + subscribe every id: the freeze remedy. */
bool feed_resubscribe_all(struct feed *f);
/* Applies every queued command; false when a send failed. */
bool feed_drain_commands(struct feed *f);

#endif
