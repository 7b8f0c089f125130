/*
 * test_market_conn: with the shard pool, a connection's events, gaps and freezes touch
 * only the assets subscribed on that connection (market_conn.h); the roll-up in
 * market_state.conn stays alive while any connection is up.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "market.h"
#include "market_conn.h"
#include "model_fixture.h"
#include "ring.h"

static const char *const book_222 =
    "{\"event_type\":\"book\",\"asset_id\":\"222\",\"market\":\"0xcd\",\"timestamp\":\"1000\","
    "\"bids\":[{\"price\":\"0.30\",\"size\":\"10\"}],\"asks\":[{\"price\":\"0.70\",\"size\":"
    "\"3\"}],\"tick_size\":\"0.01\"}";

static void conn_on(struct market_state *m, size_t slot, enum conn_kind k, int code, int64_t value)
{
	struct conn_event ce = {.kind = k, .code = code, .value = value};
	struct ring_rec r = {.len = sizeof(ce),
	                     .kind = REC_CONN,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = clock_mono_ns(),
	                     .data = &ce};
	market_apply_record_on(m, &r, clock_mono_ns(), slot);
}

static void frame_on(struct market_state *m, size_t slot, const char *frame, uint16_t flags)
{
	struct ring_rec r = {.len = (uint32_t)strlen(frame),
	                     .kind = REC_FRAME,
	                     .flags = flags,
	                     .t_real_ns = clock_real_ns(),
	                     .t_mono_ns = clock_mono_ns(),
	                     .data = frame};
	market_apply_record_on(m, &r, clock_mono_ns(), slot);
}

/* "111" on connection 0 and "222" on connection 1, both connected with a book. */
static struct market_state *two_connections(struct cmd_log *log)
{
	struct market_state *m = new_market(log);
	ck_assert_int_eq(market_conn_open(m, 0, "ws://x"), 0);
	ck_assert_int_eq(market_conn_open(m, 1, "ws://x"), 0);
	ck_assert_ptr_nonnull(market_add(m, "111", NULL));
	struct asset *b = market_add(m, "222", NULL);
	ck_assert_ptr_nonnull(b);
	b->conn = 1;
	conn_on(m, 0, CONN_CONNECTED, 0, 0);
	conn_on(m, 1, CONN_CONNECTED, 0, 0);
	frame_on(m, 0, book_frame, 0);
	frame_on(m, 1, book_222, 0);
	market_tick(m, clock_mono_ns());
	for (size_t i = 0; i < 2; i++)
		ck_assert_msg(m->assets[i].state == ASSET_FRESH,
		              "asset %zu: expected fresh, got %s", i,
		              asset_state_name(m->assets[i].state));
	return m;
}

START_TEST(close_and_reconnect_of_one_connection_move_only_its_assets)
{
	struct market_state *m = two_connections(NULL);
	conn_on(m, 1, CONN_CLOSED, 1006, 0);
	ck_assert_msg(!market_asset_alive(m, &m->assets[1]), "expected 222's feed down");
	ck_assert_msg(market_asset_alive(m, &m->assets[0]), "expected 111's feed still up");
	ck_assert_msg(m->conn.alive, "expected the roll-up alive while connection 0 is up");
	conn_on(m, 1, CONN_CONNECTED, 0, 0);
	market_tick(m, clock_mono_ns());
	ck_assert_msg(m->assets[0].state == ASSET_FRESH && m->assets[0].have_snapshot,
	              "expected 111 fresh with its book, got %s",
	              asset_state_name(m->assets[0].state));
	ck_assert_msg(m->assets[1].state == ASSET_AWAITING,
	              "expected 222 awaiting a snapshot after its reconnect, got %s",
	              asset_state_name(m->assets[1].state));
	ck_assert_uint_eq(market_conn_get(m, 1)->info->reconnects, 1);
	ck_assert_uint_eq(market_conn_get(m, 0)->info->reconnects, 0);
	ck_assert_uint_eq(m->conn.reconnects, 1);
	ck_assert_int_eq(count_alerts(m, ALERT_RECONNECT, NULL), 1);
	const struct alert *al = market_alert_at(m, 0);
	ck_assert_msg(strstr(al->message, "connection 1: reconnected") != NULL,
	              "expected the alert to name connection 1, got \"%s\"", al->message);
	conn_on(m, 0, CONN_CLOSED, 1006, 0);
	conn_on(m, 1, CONN_CLOSED, 1006, 0);
	ck_assert_msg(!m->conn.alive, "expected the roll-up down once every connection is");
	del_market(m);
}
END_TEST

START_TEST(gap_on_one_ring_resyncs_only_that_connections_assets)
{
	struct cmd_log log = {0};
	struct market_state *m = two_connections(&log);
	frame_on(m, 1, "[]", RING_F_GAP);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.op, FEED_RESYNC);
	ck_assert_str_eq(log.last, "222");
	ck_assert_uint_eq(market_conn_get(m, 1)->gaps, 1);
	ck_assert_uint_eq(market_conn_get(m, 0)->gaps, 0);
	ck_assert_msg(m->assets[0].have_snapshot, "expected 111's book kept");
	del_market(m);
}
END_TEST

START_TEST(freeze_of_one_connection_untrusts_only_its_assets)
{
	struct market_state *m = two_connections(NULL);
	conn_on(m, 0, CONN_FREEZE, 0, 120000);
	ck_assert_msg(!m->assets[0].have_snapshot, "expected 111 untrusted by its freeze");
	ck_assert_msg(m->assets[1].have_snapshot, "expected 222 kept");
	del_market(m);
}
END_TEST

START_TEST(without_a_pool_every_asset_follows_the_one_connection)
{
	struct market_state *m = new_market(NULL);
	ck_assert_ptr_nonnull(market_add(m, "111", NULL));
	apply_conn(m, CONN_CONNECTED, 0, "");
	apply_frame(m, book_frame);
	apply_conn(m, CONN_CONNECTED, 0, "");
	ck_assert_msg(!m->assets[0].have_snapshot, "expected 111 untrusted by the reconnect");
	const struct alert *al = market_alert_at(m, 0);
	ck_assert_msg(strncmp(al->message, "reconnected", 11) == 0,
	              "expected the alert text unchanged without a pool, got \"%s\"", al->message);
	del_market(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("market_conn");
	TCase *t = tcase_create("scoped");
	tcase_add_test(t, close_and_reconnect_of_one_connection_move_only_its_assets);
	tcase_add_test(t, gap_on_one_ring_resyncs_only_that_connections_assets);
	tcase_add_test(t, freeze_of_one_connection_untrusts_only_its_assets);
	tcase_add_test(t, without_a_pool_every_asset_follows_the_one_connection);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
