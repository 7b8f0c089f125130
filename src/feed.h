/*
 * feed: the network thread.  Owns the libcurl WebSocket connection to the market channel
 * and nothing else.
 *
 * It never touches market state and never blocks on the UI: every received message is
 * stamped (CLOCK_REALTIME and CLOCK_MONOTONIC) and pushed into the data ring as
 * REC_FRAME; a full ring drops the message (the ring counts it and flags a gap).
 * Connection events travel through the same ring as REC_CONN records carrying a struct
 * conn_event, so the consumer sees them in order with the data.
 *
 * Commands come the other way through the command ring as REC_CMD records: the payload
 * is one op byte (enum feed_op) followed by space-separated token ids.
 */
#ifndef CLOBTOP_FEED_H
#define CLOBTOP_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"

#define CONN_EVENTS(X)                                                                             \
	X(CONN_CONNECTING, "connecting")   /* text: url */                                     \
	X(CONN_CONNECTED, "connected")     /* WebSocket upgrade done */                        \
	X(CONN_SUBSCRIBED, "subscribed")   /* value: number of assets requested */             \
	X(CONN_CLOSED, "closed")           /* code: close code; text: reason */                \
	X(CONN_DEAD, "dead")               /* value: ms without any frame */                   \
	X(CONN_BACKOFF, "backoff")         /* value: ms until the next attempt */              \
	X(CONN_ERROR, "error")             /* code: CURLcode; text: what failed, in words */   \
	X(CONN_FREEZE, "freeze")           /* value: ms of PONG-only traffic; code 0:         \
					      resubscribed, 1: still frozen, reconnecting */   \
	X(CONN_OVERSIZE, "oversize")       /* value: bytes of a message that was dropped */    \
	X(CONN_SENT, "sent")               /* text: the command sent (sub/unsub/resync ids) */ \
	X(CONN_STOPPED, "stopped")         /* the feed thread is exiting */

enum conn_kind {
#define X(e, s) e,
	CONN_EVENTS(X)
#undef X
	CONN_KIND_COUNT
};

const char *conn_kind_name(enum conn_kind k);

struct conn_event {
	int32_t kind;   /* enum conn_kind */
	int32_t code;   /* close code or CURLcode, 0 when none */
	int64_t value;  /* see CONN_EVENTS */
	char text[240]; /* NUL-terminated; from the network only after sanitising */
};

enum feed_op {
	FEED_SUB = 'S',    /* subscribe ids */
	FEED_UNSUB = 'U',  /* unsubscribe ids */
	FEED_RESYNC = 'R', /* unsubscribe then subscribe ids: forces fresh snapshots */
};

struct feed_config {
	const char *url;            /* ws:// or wss:// market channel */
	const char *ca_file;        /* PEM bundle for a private CA, or NULL */
	bool insecure;              /* skip TLS verification (warned about by the caller) */
	int batch;                  /* max ids per subscription frame (100) */
	int ping_ms;                /* PING interval (10000) */
	int dead_ms;                /* no frame at all for this long = dead (30000) */
	int freeze_ms;              /* only PONGs for this long = frozen (120000) */
	size_t max_message;         /* larger messages are dropped and counted (32 MiB) */
	int backoff_min_ms;         /* first reconnect delay (1000) */
	int backoff_max_ms;         /* cap (60000) */
	int healthy_ms;             /* connected this long resets the backoff (60000) */
	const char *const *assets;  /* initial subscription */
	size_t nassets;
};

void feed_config_defaults(struct feed_config *c);

/* Counters the feed thread updates atomically; readable from any thread. */
struct feed_stats {
	uint64_t frames;     /* complete messages received (PONG included) */
	uint64_t bytes;      /* payload bytes received */
	uint64_t pongs;      /* PONG frames */
	uint64_t pings;      /* PING frames sent */
	uint64_t oversize;   /* messages dropped for exceeding max_message */
	uint64_t reconnects; /* connections opened after the first */
	uint64_t sent;       /* subscription frames sent */
};

struct feed;

/* Starts the thread.  Returns NULL and writes a message into err on failure. */
struct feed *feed_start(const struct feed_config *cfg, struct ring *data, struct ring *cmd,
			char *err, size_t errlen);
/* Asks the thread to close the connection and exit, and joins it. */
void feed_stop(struct feed *f);
void feed_stats(const struct feed *f, struct feed_stats *out);

/* UI side: queue a command (ids space-separated).  False when the command ring is full
 * or the command does not fit. */
bool feed_command(struct ring *cmd, enum feed_op op, const char *ids);

/* Start-up check: the linked libcurl has ws/wss.  Writes an actionable message. */
bool feed_curl_has_ws(char *err, size_t errlen);

#endif
