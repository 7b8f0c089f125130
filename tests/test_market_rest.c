/*
 * test_market_rest: the model's REST truth (market_rest.c, market_audit.c) without a
 * network: a fake fetch hook records what the model asks for, and answers are built by
 * hand.  Resync in one request (updates newer than the REST book replayed, older ones
 * dropped), the audit (no verdict before the socket caught up, one mismatch for a wrong
 * book, agreement with updates in flight) and the fallback (polling while the feed is
 * down, the socket's snapshot wins).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"
#include "market_rest.h"
#include "model_fixture.h"

#define NS_S INT64_C(1000000000)

struct fetches {
	int calls, urgent;
	char last[TOKEN_ID_SIZE];
};

static bool fake_fetch(void *ctx, const char *id, bool urgent)
{
	struct fetches *f = ctx;
	f->calls++;
	f->urgent += urgent;
	snprintf(f->last, sizeof(f->last), "%s", id);
	return true;
}

static struct cmd_log cmds;
static struct fetches fx;

/* A model watching "111" with its book_frame applied, REST on with audit_ms. */
static struct market_state *setup(int64_t audit_ms)
{
	memset(&cmds, 0, sizeof(cmds));
	memset(&fx, 0, sizeof(fx));
	struct market_state *m = new_market(&cmds);
	ck_assert_ptr_nonnull(market_add(m, "111", NULL));
	struct rest_options o = {
	    .audit_every_ms = audit_ms, .fallback_after_ms = 15000, .poll_ms = 2000};
	ck_assert_int_eq(market_rest_init(m, &o, fake_fetch, &fx), 0);
	apply_conn(m, CONN_CONNECTED, 0, "");
	apply_frame(m, book_frame);
	ck_assert_int_eq(m->assets[0].state, ASSET_FRESH);
	return m;
}

/* An answer for "111" at exchange time ts: n levels (side, price, size), bids first. */
static void answer(struct market_state *m, int64_t ts, int nb, int na, const int64_t *lv)
{
	size_t n = (size_t)(nb + na);
	struct rest_book *rb = calloc(1, sizeof(*rb) + n * sizeof(struct ev_level));
	ck_assert_ptr_nonnull(rb);
	snprintf(rb->asset_id, sizeof(rb->asset_id), "111");
	rb->ok = true;
	rb->http_status = 200;
	rb->ts_ms = ts;
	rb->last_trade = PRICE_NONE;
	rb->nbids = (uint32_t)nb;
	rb->nasks = (uint32_t)na;
	for (size_t i = 0; i < n; i++)
		rb->levels[i] = (struct ev_level){.price = lv[2 * i], .size = lv[2 * i + 1]};
	market_rest_answer(m, rb, clock_mono_ns());
	free(rb);
}

#define P(x) ((int64_t)((x)*1000000.0 + 0.5))

static int64_t level_size(struct market_state *m, enum side s, int64_t price)
{
	for (size_t i = 0; i < book_levels(&m->assets[0].book, s); i++)
		if (book_level(&m->assets[0].book, s, i)->price == price)
			return book_level(&m->assets[0].book, s, i)->size;
	return 0;
}

START_TEST(resync_is_one_request_and_updates_newer_than_the_book_apply_on_top)
{
	struct market_state *m = setup(0);
	market_resync(m, "111", "operator");
	ck_assert_int_eq(fx.calls, 1);
	ck_assert_int_eq(fx.urgent, 1);
	ck_assert_int_eq(cmds.calls, 0); /* no resubscription */
	ck_assert_int_eq(m->assets[0].state, ASSET_AWAITING);
	price_change(m, 1500, "0.41", "1", "BUY", "0.45", "0.55"); /* older than the answer */
	price_change(m, 2500, "0.42", "4", "BUY", "0.45", "0.55"); /* newer */
	const int64_t lv[] = {P(0.40), P(10), P(0.43), P(2), P(0.55), P(3)};
	answer(m, 2000, 2, 1, lv);
	struct asset *a = &m->assets[0];
	ck_assert_int_eq(a->rest.source, BOOK_SRC_REST);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	ck_assert_int_eq(level_size(m, SIDE_BID, P(0.41)), 0);
	ck_assert_int_eq(level_size(m, SIDE_BID, P(0.42)), P(4));
	ck_assert_int_eq(book_best(&a->book, SIDE_BID), P(0.43));
	ck_assert_int_eq(m->rest->resynced, 1);
	/* A late socket update older than the REST book is dropped; a newer one applies. */
	price_change(m, 1900, "0.44", "1", "BUY", "0.44", "0.55");
	ck_assert_int_eq(book_best(&a->book, SIDE_BID), P(0.43));
	ck_assert_uint_eq(a->rest.dropped_older, 1);
	price_change(m, 2600, "0.44", "1", "BUY", "0.44", "0.55");
	ck_assert_int_eq(book_best(&a->book, SIDE_BID), P(0.44));
	ck_assert_int_eq(fx.calls, 1);
	del_market(m);
}
END_TEST

static void ignore(void *ctx, size_t i)
{
	(void)ctx;
	(void)i;
}

/* The Redis publisher looks only at listed assets (market_dirty.h): a REST book is one. */
START_TEST(a_rest_book_lists_its_asset_as_changed)
{
	struct market_state *m = setup(0);
	market_resync(m, "111", "operator");
	market_dirty_take(&m->dirty, ignore, NULL);
	price_change(m, 2500, "0.42", "4", "BUY", "0.45", "0.55"); /* held for the answer */
	ck_assert_uint_eq(m->dirty.n, 0);
	const int64_t lv[] = {P(0.40), P(10), P(0.43), P(2), P(0.55), P(3)};
	answer(m, 2000, 2, 1, lv);
	ck_assert_uint_eq(m->dirty.n, 1);
	ck_assert_uint_eq(m->dirty.idx[0], 0);
	del_market(m);
}
END_TEST

START_TEST(failed_rest_resync_goes_to_the_socket)
{
	struct market_state *m = setup(0);
	market_resync(m, "111", "drift");
	struct rest_book rb = {.ok = false, .will_retry = false, .http_status = 404};
	snprintf(rb.asset_id, sizeof(rb.asset_id), "111");
	snprintf(rb.error, sizeof(rb.error), "no order book");
	market_rest_answer(m, &rb, clock_mono_ns());
	ck_assert_int_eq(cmds.calls, 1);
	ck_assert_int_eq(cmds.op, FEED_RESYNC);
	ck_assert_uint_eq(m->rest->socket_fallbacks, 1);
	del_market(m);
}
END_TEST

/* The book of book_frame: bids 0.40x10 0.45x5, asks 0.55x3 0.60x7; bid_extra on 0.45. */
static void frame_book(struct market_state *m, int64_t ts, int64_t bid_extra)
{
	const int64_t lv[] = {P(0.40), P(10), P(0.45), P(5) + bid_extra,
	                      P(0.55), P(3),  P(0.60), P(7)};
	answer(m, ts, 2, 2, lv);
}

START_TEST(a_wrong_book_is_one_mismatch_once_the_socket_caught_up)
{
	struct market_state *m = setup(1000);
	int64_t now = clock_mono_ns();
	market_rest_tick(m, now);
	ck_assert_int_eq(fx.calls, 1);
	ck_assert_int_eq(fx.urgent, 0);
	frame_book(m, 1000, P(1)); /* one share too many at the best bid */
	/* Not caught up yet (the last update is at the REST timestamp): no verdict. */
	ck_assert_uint_eq(m->rest->audit.done, 0);
	price_change(m, 1100, "0.60", "8", "SELL", "0.45", "0.55");
	market_rest_tick(m, now + NS_S / 10);
	ck_assert_uint_eq(m->rest->audit.mismatched, 1);
	ck_assert_int_eq(count_alerts(m, ALERT_AUDIT, "111"), 1);
	ck_assert_str_eq(m->rest->audit.last_asset, "111");
	ck_assert_ptr_nonnull(strstr(m->rest->audit.last_level, "bid level 1"));
	ck_assert_int_eq(fx.urgent, 1); /* resynced from REST */
	ck_assert_int_eq(m->assets[0].state, ASSET_AWAITING);
	del_market(m);
}
END_TEST

START_TEST(updates_in_flight_do_not_make_a_mismatch)
{
	struct market_state *m = setup(1000);
	int64_t now = clock_mono_ns();
	market_rest_tick(m, now);
	ck_assert_int_eq(fx.calls, 1);
	/* The REST book at 1200 holds an update the socket has not delivered yet. */
	const int64_t lv[] = {P(0.40), P(10),   P(0.41), P(1),    P(0.45),
	                      P(5),    P(0.55), P(3),    P(0.60), P(7)};
	answer(m, 1200, 3, 2, lv);
	ck_assert_uint_eq(m->rest->audit.done, 0);
	price_change(m, 1200, "0.41", "1", "BUY", "0.45", "0.55");
	price_change(m, 1300, "0.59", "2", "SELL", "0.45", "0.55");
	market_rest_tick(m, now + NS_S / 10);
	ck_assert_uint_eq(m->rest->audit.done, 1);
	ck_assert_uint_eq(m->rest->audit.agreed, 1);
	ck_assert_uint_eq(m->rest->audit.mismatched, 0);
	del_market(m);
}
END_TEST

START_TEST(a_quiet_difference_is_looked_at_twice)
{
	struct market_state *m = setup(1000);
	int64_t now = clock_mono_ns();
	market_rest_tick(m, now);
	frame_book(m, 1000, P(1));
	market_rest_tick(m, now + 4 * NS_S); /* never caught up: compared unsynced */
	ck_assert_uint_eq(m->rest->audit.rechecks, 1);
	ck_assert_uint_eq(m->rest->audit.mismatched, 0);
	ck_assert_int_eq(fx.calls, 2);
	frame_book(m, 1000, 0); /* the second look agrees */
	market_rest_tick(m, now + 8 * NS_S);
	ck_assert_uint_eq(m->rest->audit.agreed, 1);
	ck_assert_uint_eq(m->rest->audit.mismatched, 0);
	ck_assert_int_eq(count_alerts(m, ALERT_AUDIT, NULL), 0);
	del_market(m);
}
END_TEST

START_TEST(fallback_polls_while_the_feed_is_down_and_the_snapshot_wins)
{
	struct market_state *m = setup(0);
	apply_conn(m, CONN_CLOSED, 1006, "gone");
	int64_t now = clock_mono_ns();
	market_rest_tick(m, now + 10 * NS_S);
	ck_assert_int_eq(fx.calls, 0); /* not down long enough */
	market_rest_tick(m, now + 16 * NS_S);
	ck_assert_int_eq(fx.calls, 1);
	ck_assert(m->assets[0].rest.fallback);
	frame_book(m, 5000, 0);
	struct asset *a = &m->assets[0];
	ck_assert_int_eq(a->rest.source, BOOK_SRC_REST);
	ck_assert_int_eq(a->state, ASSET_REST);
	market_rest_tick(m, now + 19 * NS_S);
	ck_assert_int_eq(fx.calls, 2); /* polled again after --rest-poll */
	apply_conn(m, CONN_CONNECTED, 0, "");
	apply_frame(m, book_frame);
	ck_assert(!a->rest.fallback);
	ck_assert_int_eq(a->rest.source, BOOK_SRC_SOCKET);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	market_rest_tick(m, now + 30 * NS_S);
	ck_assert_int_eq(fx.calls, 2);
	del_market(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("market_rest");
	TCase *tc = tcase_create("rest");
	tcase_add_test(tc, resync_is_one_request_and_updates_newer_than_the_book_apply_on_top);
	tcase_add_test(tc, failed_rest_resync_goes_to_the_socket);
	tcase_add_test(tc, a_rest_book_lists_its_asset_as_changed);
	tcase_add_test(tc, a_wrong_book_is_one_mismatch_once_the_socket_caught_up);
	tcase_add_test(tc, updates_in_flight_do_not_make_a_mismatch);
	tcase_add_test(tc, a_quiet_difference_is_looked_at_twice);
	tcase_add_test(tc, fallback_polls_while_the_feed_is_down_and_the_snapshot_wins);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
