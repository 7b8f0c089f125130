/*
 * market_fixture: records built by hand and applied to a market_state, as the UI thread
 * applies what it takes from the ring.  Test code only; never used by the programs.
 */
#include "market_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const book_frame =
    "{\"event_type\":\"book\",\"asset_id\":\"111\",\"market\":\"0xab\","
    "\"timestamp\":\"1000\",\"bids\":[{\"price\":\"0.40\",\"size\":\"10\"},"
    "{\"price\":\"0.45\",\"size\":\"5\"}],\"asks\":[{\"price\":\"0.60\","
    "\"size\":\"7\"},{\"price\":\"0.55\",\"size\":\"3\"}],"
    "\"tick_size\":\"0.01\",\"last_trade_price\":\"0.5\"}";

static bool log_cmd(void *ctx, enum feed_op op, const char *ids)
{
	struct cmd_log *l = ctx;
	l->calls++;
	l->op = (char)op;
	snprintf(l->last, sizeof(l->last), "%s", ids);
	return true;
}

void apply_frame_at(struct market_state *m, const char *frame, size_t len, uint16_t flags,
                    int64_t mono)
{
	struct ring_rec r = {.len = (uint32_t)len,
	                     .kind = REC_FRAME,
	                     .flags = flags,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = mono,
	                     .data = frame};
	market_apply_record(m, &r, mono);
}

void apply_frame(struct market_state *m, const char *frame)
{
	apply_frame_at(m, frame, strlen(frame), 0, clock_mono_ns());
}

void apply_conn(struct market_state *m, enum conn_kind k, int code, const char *text)
{
	struct conn_event ce = {.kind = k, .code = code};
	snprintf(ce.text, sizeof(ce.text), "%s", text);
	struct ring_rec r = {.len = sizeof(ce),
	                     .kind = REC_CONN,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = clock_mono_ns(),
	                     .data = &ce};
	market_apply_record(m, &r, clock_mono_ns());
}

struct market_state *new_market(struct cmd_log *log)
{
	struct market_state *m = malloc(sizeof(*m));
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(market_init(m, NULL), 0);
	if (log)
		market_set_cmd(m, log_cmd, log);
	return m;
}

void del_market(struct market_state *m)
{
	market_free(m);
	free(m);
}
