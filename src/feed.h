/*
 * feed: the network thread.  Owns the libcurl WebSocket connection to the market channel
 * and nothing else.
 *
 * It never touches market state and never blocks on the UI: every received message is
 * stamped (CLOCK_REALTIME and CLOCK_MONOTONIC) and pushed into the data ring as
 * REC_FRAME, or parsed right here and pushed as REC_EVENTS (feed_config.parse); a full
 * ring drops the message (the ring counts it and flags a gap; a parsing feed also says
 * which assets it was about, with REC_LOST).
 * Connection events travel through the same ring as REC_CONN records carrying a struct
 * conn_event, so the consumer sees them in order with the data.
 *
 * Commands come the other way through the command ring as REC_CMD records: the payload
 * is one op byte (enum feed_op) followed by space-separated token ids.
 *
 * Bounded whatever the peer does: every wait of the thread also watches feed_stop(),
 * every send has a deadline (dead_ms), a message over max_message ends the connection,
 * and feed_stop() returns within about 2 s (see feed_stop).
 *
 * Threads: feed_start() and feed_stop() on the thread that owns the feed (the main
 * thread); feed_command() on the UI thread, the command ring's only producer;
 * feed_stats() and feed_config_defaults() on any thread.  Everything else in feed*.c
 * runs on the feed thread.
 */
#ifndef CLOBTOP_FEED_H
#define CLOBTOP_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "ring.h"

struct feed_config {
	const char *url;           /* ws:// or wss:// market channel */
	const char *ca_file;       /* PEM bundle for a private CA, or NULL */
	bool insecure;             /* skip TLS verification (warned about by the caller) */
	int batch;                 /* max ids per subscription frame (100) */
	int ping_ms;               /* PING interval (10000) */
	int dead_ms;               /* no complete frame for this long, or a frame not sent
	                              within it = dead (30000) */
	int freeze_ms;             /* only PONGs for this long = frozen (120000) */
	size_t max_message;        /* larger: counted, connection closed 1009 (32 MiB) */
	int backoff_min_ms;        /* first reconnect delay (1000) */
	int backoff_max_ms;        /* cap (60000) */
	int healthy_ms;            /* connected this long resets the backoff (60000) */
	const char *const *assets; /* initial subscription */
	size_t nassets;
	/* The user channel: builds the first frame from the subscribed ids (condition ids)
	 * instead of the market subscription, and is called again to resend it whenever
	 * they change.  The frame holds a secret: it is wiped once sent and never reported
	 * or recorded.  NULL for the market channel.  Called on the feed thread. */
	size_t (*first_frame)(void *ctx, char *buf, size_t cap, const char *const *ids, size_t n);
	void *first_frame_ctx; /* its first argument */
	uint64_t seed;         /* reconnect jitter seed; 0: from the clock, pid and address
	                          (the pool gives each connection its own) */
	/* The market channel: parse each message on the feed thread and push REC_EVENTS
	 * (evpack.h) instead of REC_FRAME; a record the full ring drops is reported with
	 * the assets it touched (REC_LOST, lostids.h).  keep_raw: carry the message too
	 * (--record). */
	bool parse;
	bool keep_raw;
};

/* Any thread. */
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

/* Main thread.  Starts the thread.  Returns NULL and writes a message into err on
 * failure. */
struct feed *feed_start(const struct feed_config *cfg, struct ring *data, struct ring *cmd,
                        char *err, size_t errlen);
/* The thread that called feed_start().  Asks the feed thread to close the connection and
 * exit, and joins it.  Returns within about 2 s whatever the peer does: after 1.5 s the
 * socket is shut down under libcurl; should the thread still not end, it is detached and
 * its memory left to the process exit (the caller is exiting anyway). */
void feed_stop(struct feed *f);
/* Any thread. */
void feed_stats(const struct feed *f, struct feed_stats *out);

/* UI thread (the command ring's only producer): queue a command (ids space-separated).  False when
 * the command ring is full or the command does not fit. */
bool feed_command(struct ring *cmd, enum feed_op op, const char *ids);

#endif
