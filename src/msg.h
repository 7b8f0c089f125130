/*
 * msg: what travels between threads through the SPSC rings (ring.h carries the bytes and
 * never looks at them).  The producers (feed, replay, gamma) and the consumer (the run
 * loop, the model) include this, not each other's headers.
 *
 *   data ring    feed/replay -> UI    REC_FRAME (raw frame bytes), or REC_EVENTS (the frame's
 *                                     events, parsed by the feed thread: evpack.h) and
 *                                     REC_LOST (what a full ring dropped: lostids.h);
 *                                     REC_CONN (struct conn_event)
 *   command ring UI -> feed           REC_CMD: one enum feed_op byte, then space-separated ids
 *   gamma rings  UI <-> gamma worker  REC_GAMMA_REQ, REC_GAMMA_RESULT (gamma.h)
 *   rest rings   UI <-> REST worker   REC_REST_REQ, REC_REST_BOOK (rest.h)
 *
 * Types only, plus conn_kind_name(); safe from any thread.
 */
#ifndef CLOBTOP_MSG_H
#define CLOBTOP_MSG_H

#include <stdint.h>

enum msg_kind {
	REC_FRAME = 1,    /* one complete WebSocket text message from the feed */
	REC_CONN,         /* a struct conn_event */
	REC_CMD,          /* a command from the UI to the feed */
	REC_GAMMA_REQ,    /* a metadata request from the UI to the gamma worker */
	REC_GAMMA_RESULT, /* a struct gamma_result from the gamma worker */
	REC_REST_REQ,     /* book requests from the UI to the REST worker (rest.c) */
	REC_REST_BOOK,    /* a struct rest_book and its levels from the REST worker */
	REC_EVENTS,       /* one frame's events, parsed where it arrived (evpack.h) */
	REC_LOST,         /* the assets of records a full ring dropped (lostids.h) */
};

/* Set by a producer that reports every record it loses with REC_LOST: the consumer then
 * ignores RING_F_GAP (a refused record that is retried sets it too) and resyncs only what
 * REC_LOST names.  Ring flags are ORed with RING_F_GAP by the ring (ring.h). */
#define MSG_F_LOSS_REPORTED 0x0100u

#define CONN_EVENTS(X)                                                                             \
	X(CONN_CONNECTING, "connecting") /* text: url */                                           \
	X(CONN_CONNECTED, "connected")   /* WebSocket upgrade done */                              \
	X(CONN_SUBSCRIBED, "subscribed") /* value: number of assets requested */                   \
	X(CONN_CLOSED, "closed")         /* code: close code; text: reason */                      \
	X(CONN_DEAD, "dead")             /* value: ms without any frame */                         \
	X(CONN_BACKOFF, "backoff")       /* value: ms until the next attempt */                    \
	X(CONN_ERROR, "error")           /* code: CURLcode; text: what failed, in words */         \
	X(CONN_FREEZE, "freeze")         /* value: ms of PONG-only traffic; code 0:                \
	                                    resubscribed, 1: still frozen, reconnecting */         \
	X(CONN_OVERSIZE, "oversize")     /* value: bytes of a message that was dropped */          \
	X(CONN_SENT, "sent")             /* text: the command sent (sub/unsub/resync ids) */       \
	X(CONN_STOPPED, "stopped")       /* the feed thread is exiting */

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
	FEED_SUB = 'S',       /* subscribe ids */
	FEED_UNSUB = 'U',     /* unsubscribe ids */
	FEED_RESYNC = 'R',    /* unsubscribe then subscribe ids: forces fresh snapshots */
	FEED_RECONNECT = 'C', /* no ids: drop the connection, or end the backoff wait, now */
};

#endif
