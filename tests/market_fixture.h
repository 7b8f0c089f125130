/*
 * market_fixture: what the model's unit tests (test_market, test_export, test_replay)
 * share: a market_state fed by hand-made records, as the UI thread feeds it from the
 * ring.  Test code only; single-threaded (the test's own thread).
 */
#ifndef CLOBTOP_TESTS_MARKET_FIXTURE_H
#define CLOBTOP_TESTS_MARKET_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "market.h"

/* One market (0xab) with asset 111: bids 0.40 x 10, 0.45 x 5; asks 0.60 x 7, 0.55 x 3. */
extern const char *const book_frame;

struct cmd_log {
	int calls;       /* commands the market asked for */
	char last[4096]; /* ids of the last one */
	char op;         /* op of the last one */
};

/* A fresh market; with LOG, the subscription commands it asks for are recorded there. */
struct market_state *new_market(struct cmd_log *log);
void del_market(struct market_state *m);
/* FRAME (LEN bytes, ring FLAGS) as a received record at monotonic time MONO. */
void apply_frame_at(struct market_state *m, const char *frame, size_t len, uint16_t flags,
                    int64_t mono);
/* A NUL-terminated FRAME received now. */
void apply_frame(struct market_state *m, const char *frame);
/* A connection event received now. */
void apply_conn(struct market_state *m, enum conn_kind k, int code, const char *text);

#endif
