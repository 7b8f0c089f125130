/*
 * market_lost: the model's side of REC_LOST (lostids.h).  A feed that parses its frames
 * says which assets the records its full ring dropped were about; only those books are
 * untrusted at once and resynced, the connection's other assets stay as they are.  When
 * the feed could not tell ("all"), it is a gap as before: every book of the connection.
 *
 * Resyncs are batched and asked for at most once a second per connection: under a flood,
 * more snapshots would only feed the overload.  Assets marked meanwhile wait for
 * market_lost_tick().  Model (UI) thread only; allocates nothing.
 */
#ifndef CLOBTOP_MARKET_LOST_H
#define CLOBTOP_MARKET_LOST_H

#include <stddef.h>
#include <stdint.h>

struct market_state;

/* A REC_LOST record of the connection being applied. */
void market_lost_apply(struct market_state *m, const void *payload, size_t len,
                       int64_t now_mono_ns);
/* Once per refresh: the resyncs held back by the once-a-second limit. */
void market_lost_tick(struct market_state *m, int64_t now_mono_ns);

#endif
