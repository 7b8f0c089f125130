/*
 * model_fixture: what the model's unit tests (test_market, test_health) share: a model
 * with a command log, records built by hand, and a small book for asset "111".
 */
#ifndef CLOBTOP_MODEL_FIXTURE_H
#define CLOBTOP_MODEL_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "market.h"

struct cmd_log {
	int calls;       /* commands the market asked for */
	char last[4096]; /* ids of the last one */
	char op;         /* op of the last one */
};

/* A model with default thresholds; with log, resync requests are logged there. */
struct market_state *new_market(struct cmd_log *log);
void del_market(struct market_state *m);

/* A REC_FRAME received at mono (real time: now) and applied at once. */
void apply_frame_at(struct market_state *m, const char *frame, size_t len, uint16_t flags,
                    int64_t mono);
void apply_frame(struct market_state *m, const char *frame);
/* A REC_FRAME received at (real, mono) and applied at applied_mono. */
void apply_frame_received(struct market_state *m, const char *frame, int64_t real, int64_t mono,
                          int64_t applied_mono);
void apply_conn(struct market_state *m, enum conn_kind k, int code, const char *text);

/* Asset "111": bids 0.40x10 0.45x5, asks 0.55x3 0.60x7, exchange time 1000 ms. */
extern const char *const book_frame;

/* A price_change on "111" at exchange time ts with the exchange's best_bid/best_ask. */
void price_change(struct market_state *m, int64_t ts, const char *price, const char *size,
                  const char *side, const char *bb, const char *ba);

/* How many alerts of kind k are in the log (about asset_id, unless NULL). */
int count_alerts(const struct market_state *m, enum alert_kind k, const char *asset_id);

#endif
