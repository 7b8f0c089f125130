/*
 * test_pool: the shard pool's placement, with real feed threads pointed at a port where
 * nothing listens (they only back off): the first assets fill connections of
 * --per-connection each, a new asset goes to the least-loaded one, an unsubscribe moves
 * no other asset, an emptied connection closes after the grace (and only then), and a
 * connection is opened only when every open one is full.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "market.h"
#include "market_conn.h"
#include "model_fixture.h"
#include "pool.h"
#include "ring.h"

static void apply(void *ctx, size_t k, const struct ring_rec *rec, int64_t now)
{
	market_apply_record_on(ctx, rec, now, k);
}

static struct market_state *with_assets(size_t n)
{
	struct market_state *m = new_market(NULL);
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "%zu", 1000 + i);
		ck_assert_ptr_nonnull(market_add(m, id, NULL));
	}
	return m;
}

static void start(struct pool *p, struct market_state *m, size_t per)
{
	struct feed_config fc;
	feed_config_defaults(&fc);
	fc.url = "ws://127.0.0.1:1/ws/market"; /* refused: the feeds back off, harmlessly */
	fc.backoff_min_ms = 5000;
	char err[256];
	ck_assert_msg(pool_start(p, &fc, per, 64 << 10, m, err, sizeof err) == 0, "%s", err);
}

/* --ring-size is the budget of every connection's ring together, with a 1 MiB floor. */
START_TEST(ring_size_is_shared_by_the_connections)
{
	const size_t M = (size_t)1 << 20;
	ck_assert_uint_eq(pool_ring_bytes(16 * M, 200, 0, 0), 16 * M);     /* no assets yet */
	ck_assert_uint_eq(pool_ring_bytes(16 * M, 200, 200, 0), 16 * M);   /* one connection */
	ck_assert_uint_eq(pool_ring_bytes(16 * M, 200, 201, 0), 8 * M);    /* two */
	ck_assert_uint_eq(pool_ring_bytes(16 * M, 2500, 10000, 0), 4 * M); /* four */
	ck_assert_uint_eq(pool_ring_bytes(16 * M, 200, 1000, 0), 2 * M);   /* five: 3.2 -> 2 */
	ck_assert_uint_eq(pool_ring_bytes(16 * M, 200, 10000, 0), M);      /* fifty: the floor */
	ck_assert_uint_eq(pool_ring_bytes(10 * M, 200, 400, 0), 8 * M);    /* rounded up first */
	ck_assert_uint_eq(pool_ring_bytes(64 << 10, 200, 10000, 0), 64 << 10); /* below it */
	/* An explicit --max-message raises the floor to a ring that carries it. */
	ck_assert_uint_eq(pool_ring_bytes(16 * M, 200, 10000, 3 * M), 8 * M);
	ck_assert_uint_ge(ring_max_record_for(pool_ring_bytes(16 * M, 200, 10000, M)), M);
	ck_assert_uint_eq(pool_ring_bytes(16 * M, 200, 10000, 64 << 20), 16 * M);
}
END_TEST

START_TEST(assets_fill_connections_then_go_to_the_least_loaded)
{
	struct market_state *m = with_assets(450);
	struct pool p;
	start(&p, m, 200);
	ck_assert_uint_eq(pool_open(&p), 3);
	ck_assert_uint_eq(p.c[0].nassets, 200);
	ck_assert_uint_eq(p.c[1].nassets, 200);
	ck_assert_uint_eq(p.c[2].nassets, 50);
	ck_assert_uint_eq(m->assets[449].conn, 2);
	/* New ones go to connection 2 (least loaded), not to a new connection. */
	ck_assert_ptr_nonnull(market_add(m, "9001", NULL));
	ck_assert_ptr_nonnull(market_add(m, "9002", NULL));
	ck_assert(pool_command(&p, FEED_SUB, "9001 9002"));
	ck_assert_uint_eq(pool_open(&p), 3);
	ck_assert_uint_eq(p.c[2].nassets, 52);
	ck_assert_uint_eq(market_find(m, "9001", 4)->conn, 2);
	pool_stop(&p, apply, m);
	del_market(m);
}
END_TEST

START_TEST(unsubscribe_moves_nothing_and_an_empty_connection_closes_after_the_grace)
{
	struct market_state *m = with_assets(400);
	struct pool p;
	start(&p, m, 200);
	ck_assert_uint_eq(pool_open(&p), 2);
	uint16_t before[400];
	for (size_t i = 0; i < 400; i++)
		before[i] = m->assets[i].conn;
	/* Unsubscribe every asset of connection 1. */
	for (size_t i = 200; i < 400; i++) {
		market_remove(m, m->assets[i].id);
		ck_assert(pool_command(&p, FEED_UNSUB, m->assets[i].id));
	}
	for (size_t i = 0; i < 200; i++)
		ck_assert_uint_eq(m->assets[i].conn, before[i]);
	ck_assert_uint_eq(p.c[1].nassets, 0);
	int64_t now = clock_mono_ns();
	pool_tick(&p, apply, m, now + POOL_IDLE_GRACE_NS / 2);
	ck_assert_msg(p.c[1].open, "expected connection 1 open within the grace");
	pool_tick(&p, apply, m, now + POOL_IDLE_GRACE_NS + 1);
	ck_assert_msg(!p.c[1].open, "expected connection 1 closed after the grace");
	ck_assert_msg(p.c[0].open, "expected connection 0 untouched");
	ck_assert_msg(!market_conn_get(m, 1)->open, "expected the model to know it closed");
	/* Connection 0 has room: a new asset goes there, no connection is reopened. */
	ck_assert_ptr_nonnull(market_add(m, "9001", NULL));
	market_remove(m, m->assets[0].id);
	ck_assert(pool_command(&p, FEED_UNSUB, m->assets[0].id));
	ck_assert(pool_command(&p, FEED_SUB, "9001"));
	ck_assert_uint_eq(pool_open(&p), 1);
	ck_assert_uint_eq(market_find(m, "9001", 4)->conn, 0);
	/* Full again: the next asset opens a connection (the free slot 1). */
	ck_assert_ptr_nonnull(market_add(m, "9002", NULL));
	ck_assert(pool_command(&p, FEED_SUB, "9002"));
	ck_assert_uint_eq(pool_open(&p), 2);
	ck_assert_uint_eq(market_find(m, "9002", 4)->conn, 1);
	pool_stop(&p, apply, m);
	del_market(m);
}
END_TEST

START_TEST(the_first_connection_stays_open_without_assets)
{
	struct market_state *m = with_assets(0);
	struct pool p;
	start(&p, m, 200);
	ck_assert_uint_eq(pool_open(&p), 1);
	pool_tick(&p, apply, m, clock_mono_ns() + 2 * POOL_IDLE_GRACE_NS);
	ck_assert_uint_eq(pool_open(&p), 1);
	pool_stop(&p, apply, m);
	del_market(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pool");
	TCase *t = tcase_create("placement");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, assets_fill_connections_then_go_to_the_least_loaded);
	tcase_add_test(t, ring_size_is_shared_by_the_connections);
	tcase_add_test(t, unsubscribe_moves_nothing_and_an_empty_connection_closes_after_the_grace);
	tcase_add_test(t, the_first_connection_stays_open_without_assets);
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
