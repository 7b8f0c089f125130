/*
 * model_fixture: helpers shared by the model's unit tests (see model_fixture.h).
 */
#include "model_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evpack.h"
#include "ring.h"

static bool log_cmd(void *ctx, enum feed_op op, const char *ids)
{
	struct cmd_log *l = ctx;
	l->calls++;
	l->op = (char)op;
	snprintf(l->last, sizeof(l->last), "%s", ids);
	return true;
}

/* CLOBTOP_TEST_EVPACK=1 (tests/model_evpack.sh): every frame reaches the model the way a
 * live connection's does, parsed first and packed into REC_EVENTS (evpack.h), so the
 * model's whole suite also proves that path gives the same results as raw frames. */
static void apply_rec(struct market_state *m, struct ring_rec *r, int64_t now)
{
	static struct evpack *w;
	const char *env = getenv("CLOBTOP_TEST_EVPACK");
	if (r->kind == REC_FRAME && env && strcmp(env, "1") == 0) {
		if (!w)
			w = evpack_create();
		ck_assert_ptr_nonnull(w);
		size_t len;
		r->data = evpack_frame(w, r->data, r->len, false, &len);
		ck_assert_ptr_nonnull(r->data);
		r->len = (uint32_t)len;
		r->kind = REC_EVENTS;
	}
	market_apply_record(m, r, now);
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

void apply_frame_received(struct market_state *m, const char *frame, int64_t real, int64_t mono,
                          int64_t applied_mono)
{
	struct ring_rec r = {.len = (uint32_t)strlen(frame),
	                     .kind = REC_FRAME,
	                     .t_real_ns = real,
	                     .t_mono_ns = mono,
	                     .data = frame};
	apply_rec(m, &r, applied_mono);
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
	apply_rec(m, &r, mono);
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

const char *const book_frame = "{\"event_type\":\"book\",\"asset_id\":\"111\",\"market\":\"0xab\","
                               "\"timestamp\":\"1000\",\"bids\":[{\"price\":\"0.40\",\"size\":"
                               "\"10\"},{\"price\":\"0.45\",\"size\":\"5\"}],\"asks\":[{"
                               "\"price\":\"0.60\",\"size\":\"7\"},{\"price\":\"0.55\",\"size\":"
                               "\"3\"}],\"tick_size\":\"0.01\",\"last_trade_price\":\"0.5\"}";

void price_change(struct market_state *m, int64_t ts, const char *price, const char *size,
                  const char *side, const char *bb, const char *ba)
{
	char f[512];
	snprintf(f, sizeof(f),
	         "{\"market\":\"0xab\",\"price_changes\":[{\"asset_id\":\"111\",\"price\":\"%s\","
	         "\"size\":\"%s\",\"side\":\"%s\",\"hash\":\"x\",\"best_bid\":\"%s\",\"best_ask\":"
	         "\"%s\"}],\"timestamp\":\"%lld\",\"event_type\":\"price_change\"}",
	         price, size, side, bb, ba, (long long)ts);
	apply_frame(m, f);
}

int count_alerts(const struct market_state *m, enum alert_kind k, const char *asset_id)
{
	int n = 0;
	const struct alert *al;
	for (size_t i = 0; (al = market_alert_at(m, i)) != NULL; i++)
		if (al->kind == k && (!asset_id || strcmp(al->asset_id, asset_id) == 0))
			n++;
	return n;
}
