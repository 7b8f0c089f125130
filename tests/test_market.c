/*
 * test_market: the model built from records (ring -> proto -> book -> market) is exact,
 * and the snapshot, metrics, record and replay paths around it keep their contracts.
 *
 * The centrepiece is the real capture data/polymarket-burst-2026-09-29.jsonl: a book,
 * 49 price_change messages on both tokens of a market, and the exchange's own later book.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "market.h"
#include "model_fixture.h"
#include "replay.h"
#include "ring.h"

#define BURST      TOP_SRCDIR "/data/polymarket-burst-2026-09-29.jsonl"
#define TOKEN      "76670567130917723816490572615540605537878462672464291990940067659127658071111"
#define COMPLEMENT "54179564009642723353355316176091991063553046330768303687769988635499280029688"

/* ---- helpers (the shared ones are in model_fixture.c) ---- */

/* Reads the burst file into lines[]; returns the count. */
static size_t read_lines(const char *path, char **lines, size_t max)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (n < max && (len = getline(&line, &cap, f)) > 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		lines[n++] = strdup(line);
	}
	free(line);
	fclose(f);
	return n;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
}

/* Snapshot of the book in line 51 via a second market, to compare level for level. */
static void assert_books_equal(const struct book *got, const struct book *want)
{
	for (int s = 0; s < 2; s++) {
		ck_assert_msg(book_levels(got, s) == book_levels(want, s),
		              "side %d: %zu levels rebuilt, exchange has %zu", s,
		              book_levels(got, s), book_levels(want, s));
		for (size_t i = 0; i < book_levels(want, s); i++) {
			const struct ev_level *g = book_level(got, s, i),
			                      *w = book_level(want, s, i);
			ck_assert_msg(
			    g->price == w->price && g->size == w->size,
			    "side %d level %zu: rebuilt %lld x %lld, exchange %lld x %lld", s, i,
			    (long long)g->price, (long long)g->size, (long long)w->price,
			    (long long)w->size);
		}
	}
}

/* ---- the real capture ---- */

START_TEST(burst_rebuilt_book_equals_exchange_final_book)
{
	char *lines[64];
	size_t n = read_lines(BURST, lines, 64);
	ck_assert_uint_eq(n, 51);
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	for (size_t i = 0; i < 50; i++)
		apply_frame(m, lines[i]);
	struct asset *a = market_find(m, TOKEN, strlen(TOKEN));
	ck_assert_ptr_nonnull(a);

	struct market_state *ref = new_market(NULL);
	apply_frame(ref, lines[50]);
	struct asset *r = market_find(ref, TOKEN, strlen(TOKEN));
	ck_assert_ptr_nonnull(r);
	ck_assert(r->have_snapshot);
	assert_books_equal(&a->book, &r->book);
	ck_assert_uint_eq(m->cnt.malformed, 0);
	ck_assert_uint_eq(m->cnt.frames, 50);
	del_market(ref);
	del_market(m);
	free_lines(lines, n);
}
END_TEST

START_TEST(burst_exchange_checks_47_agree_2_transient_cross_not_drift)
{
	char *lines[64];
	size_t n = read_lines(BURST, lines, 64);
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	for (size_t i = 0; i < n; i++)
		apply_frame(m, lines[i]);
	struct asset *a = market_find(m, TOKEN, strlen(TOKEN));
	ck_assert_uint_eq(a->bbo_checks, 49);
	ck_assert_msg(a->bbo_mismatches == 2, "expected 2 disagreements, got %llu",
	              (unsigned long long)a->bbo_mismatches);
	/* The two disagreements are lines 48 and 49 (1-based). */
	struct market_state *m2 = new_market(NULL);
	for (size_t i = 0; i < n; i++) {
		uint64_t before = 0;
		struct asset *x = market_find(m2, TOKEN, strlen(TOKEN));
		before = x ? x->bbo_mismatches : 0;
		apply_frame(m2, lines[i]);
		x = market_find(m2, TOKEN, strlen(TOKEN));
		bool disagreed = x->bbo_mismatches > before;
		ck_assert_msg(disagreed == (i + 1 == 48 || i + 1 == 49),
		              "line %zu: disagreement %d not expected", i + 1, disagreed);
	}
	/* A 2-message transient cross is no drift: no drift alert, no resync, but one
	 * "mismatch" alert says the book briefly disagreed with the exchange. */
	ck_assert_int_eq(log.calls, 0);
	ck_assert_int_ne(a->state, ASSET_DRIFT);
	int mismatch_alerts = 0;
	for (size_t i = 0; i < m->nalerts && i < ALERT_LOG_SIZE; i++) {
		ck_assert_int_ne(market_alert_at(m, i)->kind, ALERT_DRIFT);
		if (market_alert_at(m, i)->kind == ALERT_MISMATCH) {
			mismatch_alerts++;
			ck_assert_msg(strstr(market_alert_at(m, i)->message, "for 2 updates"),
			              "mismatch alert: %s", market_alert_at(m, i)->message);
		}
	}
	ck_assert_int_eq(mismatch_alerts, 1);
	del_market(m2);
	del_market(m);
	free_lines(lines, n);
}
END_TEST

START_TEST(burst_complement_updates_without_snapshot_are_counted_not_applied)
{
	char *lines[64];
	size_t n = read_lines(BURST, lines, 64);
	struct market_state *m = new_market(NULL);
	for (size_t i = 0; i < n; i++)
		apply_frame(m, lines[i]);
	struct asset *c = market_find(m, COMPLEMENT, strlen(COMPLEMENT));
	ck_assert_ptr_nonnull(c);
	ck_assert(!c->have_snapshot);
	ck_assert_uint_eq(c->orphan_updates, 49);
	ck_assert_uint_eq(book_levels(&c->book, SIDE_BID) + book_levels(&c->book, SIDE_ASK), 0);
	market_tick(m, clock_mono_ns());
	ck_assert_int_eq(c->state, ASSET_AWAITING);
	del_market(m);
	free_lines(lines, n);
}
END_TEST

/* ---- drift, gaps, reconnects ---- */

START_TEST(persistent_bbo_disagreement_becomes_drift_and_requests_resync)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	apply_frame(m, book_frame);
	struct asset *a = market_find(m, "111", 3);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	/* The exchange says best bid 0.46 but our book's is 0.45: a dropped update. */
	for (int i = 0; i < 3; i++) {
		price_change(m, 1001 + i, "0.41", "1", "BUY", "0.46", "0.55");
		ck_assert_int_ne(a->state, ASSET_DRIFT);
		ck_assert_int_eq(log.calls, 0);
	}
	price_change(m, 1004, "0.41", "2", "BUY", "0.46", "0.55");
	ck_assert_int_eq(a->state, ASSET_AWAITING); /* resync requested: book untrusted */
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.op, FEED_RESYNC);
	ck_assert_str_eq(log.last, "111");
	ck_assert(a->resync_pending);
	bool drift_alert = false;
	for (size_t i = 0; i < m->nalerts; i++)
		drift_alert |= market_alert_at(m, i)->kind == ALERT_DRIFT;
	ck_assert(drift_alert);
	/* Updates before the new snapshot are not applied to an untrusted book. */
	price_change(m, 1005, "0.30", "9", "BUY", "0.46", "0.55");
	ck_assert_uint_eq(a->orphan_updates, 1);
	/* The fresh snapshot restores trust. */
	apply_frame(m, book_frame);
	ck_assert(!a->resync_pending);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	del_market(m);
}
END_TEST

START_TEST(drift_without_feed_is_reported_not_resynced)
{
	struct market_state *m = new_market(NULL);
	apply_frame(m, book_frame);
	for (int i = 0; i < 5; i++)
		price_change(m, 2000 + i, "0.41", "1", "BUY", "0.46", "0.55");
	struct asset *a = market_find(m, "111", 3);
	ck_assert_int_eq(a->state, ASSET_DRIFT);
	/* Agreement again ends the drift. */
	price_change(m, 2010, "0.45", "0", "BUY", "0.41", "0.55");
	ck_assert_int_eq(a->state, ASSET_FRESH);
	del_market(m);
}
END_TEST

START_TEST(gap_flag_resyncs_every_subscribed_asset)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	market_add(m, "222", "two");
	market_add(m, "333", NULL);
	apply_frame(m, book_frame);
	const char *pong = "PONG";
	apply_frame_at(m, pong, 4, RING_F_GAP, clock_mono_ns());
	ck_assert_uint_eq(m->cnt.gaps, 1);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.op, FEED_RESYNC);
	ck_assert_msg(strstr(log.last, "222") && strstr(log.last, "333") && strstr(log.last, "111"),
	              "resync ids: %s", log.last);
	ck_assert(!market_find(m, "111", 3)->have_snapshot);
	del_market(m);
}
END_TEST

START_TEST(a_frame_dropped_unparsed_resyncs_every_asset)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	market_add(m, "222", "two");
	apply_frame(m, book_frame);
	/* 100,000 "{}" in 300 kB: too dense to parse, so proto drops the frame whole. */
	size_t n = 100000, len = 3 * n + 1;
	char *dense = malloc(len + 1);
	ck_assert_ptr_nonnull(dense);
	dense[0] = '[';
	for (size_t i = 0; i < n; i++)
		memcpy(dense + 1 + 3 * i, i + 1 < n ? "{}," : "{}]", 3);
	apply_frame_at(m, dense, len, 0, clock_mono_ns());
	free(dense);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.op, FEED_RESYNC);
	ck_assert_msg(strstr(log.last, "222") && strstr(log.last, "111"), "resync ids: %s",
	              log.last);
	bool said = false;
	for (size_t i = 0; i < 4 && market_alert_at(m, i); i++)
		said |= strstr(market_alert_at(m, i)->message,
		               "every book may have missed updates") != NULL;
	ck_assert_msg(said, "no alert says the frame was dropped");
	ck_assert_uint_eq(m->cnt.malformed, 1);
	del_market(m);
}
END_TEST

START_TEST(a_source_naming_too_many_assets_is_capped_and_says_so)
{
	struct market_state *m = new_market(NULL);
	m->cfg.max_auto_assets = 3; /* a replay adds what it sees, up to the cap */
	char frame[256];
	for (int i = 0; i < 6; i++) {
		snprintf(frame, sizeof frame,
		         "{\"event_type\":\"book\",\"asset_id\":\"%d\",\"market\":\"0x1\","
		         "\"timestamp\":\"1000\",\"bids\":[],\"asks\":[]}",
		         900 + i);
		apply_frame(m, frame);
	}
	ck_assert_uint_eq(m->nassets, 3);
	ck_assert_uint_eq(m->cnt.over_cap, 3);
	ck_assert_int_eq(count_alerts(m, ALERT_INFO, NULL) >= 1, 1);
	del_market(m);
}
END_TEST

START_TEST(gap_bursts_coalesce_into_one_resync_per_second)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	market_add(m, "222", NULL);
	int64_t t = clock_mono_ns();
	for (int i = 0; i < 50; i++)
		apply_frame_at(m, "PONG", 4, RING_F_GAP, t + i * INT64_C(1000000));
	ck_assert_uint_eq(m->cnt.gaps, 50);
	ck_assert_msg(log.calls == 1, "50 gaps within 50 ms: expected 1 resync, got %d", log.calls);
	market_tick(m, t + INT64_C(500000000));
	ck_assert_int_eq(log.calls, 1);
	market_tick(m, t + INT64_C(1100000000));
	ck_assert_msg(log.calls == 2, "the held-back gap must resync a second later, got %d calls",
	              log.calls);
	market_tick(m, t + INT64_C(3000000000));
	ck_assert_int_eq(log.calls, 2);
	del_market(m);
}
END_TEST

START_TEST(reconnect_counts_and_puts_books_back_to_awaiting_snapshot)
{
	struct market_state *m = new_market(NULL);
	apply_conn(m, CONN_CONNECTING, 0, "ws://127.0.0.1:1/ws/market");
	apply_conn(m, CONN_CONNECTED, 0, "");
	apply_frame(m, book_frame);
	struct asset *a = market_find(m, "111", 3);
	ck_assert(a->have_snapshot);
	apply_conn(m, CONN_CLOSED, 1006, "abrupt \x1b]0;evil\x07close");
	ck_assert(!m->conn.alive);
	ck_assert_msg(strchr(m->conn.last_error, '\x1b') == NULL, "unsanitised close reason");
	apply_conn(m, CONN_CONNECTED, 0, "");
	ck_assert_uint_eq(m->conn.reconnects, 1);
	ck_assert(!a->have_snapshot);
	ck_assert_int_eq(a->state, ASSET_AWAITING);
	apply_frame(m, book_frame);
	ck_assert(a->have_snapshot);
	del_market(m);
}
END_TEST

/* ---- health over time ---- */

START_TEST(quiet_then_stale_then_recovered_with_alerts)
{
	struct market_state *m = new_market(NULL);
	m->conn.alive = true;
	int64_t t = clock_mono_ns();
	apply_frame_at(m, book_frame, strlen(book_frame), 0, t);
	struct asset *a = market_find(m, "111", 3);
	market_tick(m, t + 9 * INT64_C(1000000000));
	ck_assert_int_eq(a->state, ASSET_FRESH);
	market_tick(m, t + 11 * INT64_C(1000000000));
	ck_assert_int_eq(a->state, ASSET_QUIET);
	market_tick(m, t + 31 * INT64_C(1000000000));
	ck_assert_int_eq(a->state, ASSET_STALE);
	ck_assert_int_eq(market_alert_at(m, 0)->kind, ALERT_STALE);
	int64_t t2 = t + 32 * INT64_C(1000000000);
	apply_frame_at(m, book_frame, strlen(book_frame), 0, t2);
	market_tick(m, t2);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	ck_assert_int_eq(market_alert_at(m, 0)->kind, ALERT_RECOVERED);
	del_market(m);
}
END_TEST

START_TEST(crossed_book_is_flagged_and_alerted)
{
	struct market_state *m = new_market(NULL);
	apply_frame(m, book_frame);
	price_change(m, 1001, "0.56", "4", "BUY", "0.56", "0.55");
	struct asset *a = market_find(m, "111", 3);
	ck_assert_int_eq(a->state, ASSET_CROSSED);
	ck_assert_int_eq(market_alert_at(m, 0)->kind, ALERT_CROSSED);
	price_change(m, 1002, "0.56", "0", "BUY", "0.45", "0.55");
	ck_assert_int_eq(a->state, ASSET_FRESH);
	del_market(m);
}
END_TEST

START_TEST(trades_feed_last_trade_tape_and_flow)
{
	struct market_state *m = new_market(NULL);
	apply_frame(m, book_frame);
	apply_frame(m,
	            "{\"asset_id\":\"111\",\"market\":\"0xab\",\"price\":\"0.55\",\"size\":\"10\","
	            "\"side\":\"BUY\",\"fee_rate_bps\":\"0\",\"timestamp\":\"1002\","
	            "\"event_type\":\"last_trade_price\"}");
	apply_frame(
	    m, "{\"asset_id\":\"111\",\"market\":\"0xab\",\"price\":\"0.45\",\"size\":\"4\","
	       "\"side\":\"SELL\",\"timestamp\":\"1003\",\"event_type\":\"last_trade_price\"}");
	struct asset *a = market_find(m, "111", 3);
	ck_assert(a->have_trade);
	ck_assert_int_eq(a->last_trade.price, 450000);
	ck_assert_int_eq(a->last_trade.side, SIDE_ASK);
	ck_assert_uint_eq(m->ntrades, 2);
	ck_assert_int_eq(market_trade_at(m, 0)->price, 450000);
	ck_assert_int_eq(market_trade_at(m, 1)->price, 550000);
	int64_t now_s = market_now_s(m, clock_mono_ns());
	ck_assert_int_eq(rate_sum(&a->flow.trades, now_s, 60), 2);
	ck_assert_int_eq(rate_sum(&a->flow.buy_vol, now_s, 60), 10000000);
	ck_assert_int_eq(rate_sum(&a->flow.sell_vol, now_s, 60), 4000000);
	/* 0.55 * 10 + 0.45 * 4 = 7.3 dollars */
	ck_assert_int_eq(rate_sum(&a->flow.notional, now_s, 60), 7300000);
	del_market(m);
}
END_TEST

START_TEST(new_market_labels_are_sanitised_and_user_labels_win)
{
	struct market_state *m = new_market(NULL);
	market_add(m, "7604307", NULL);
	market_add(m, "3169093", "mine");
	apply_frame(m, "{\"event_type\":\"new_market\",\"id\":\"1\",\"question\":\"Will "
	               "\\u001b]0;pwned\\u0007it \\u001b[2Jrain?\",\"market\":\"0x311d0c\","
	               "\"slug\":\"rain\",\"assets_ids\":[\"7604307\",\"3169093\"],"
	               "\"outcomes\":[\"Yes\",\"No\"],\"timestamp\":\"1766790415550\"}");
	struct asset *a = market_find(m, "7604307", 7);
	ck_assert_msg(strcmp(a->label, "Yes \u00b7 Will it rain?") == 0, "label: %s", a->label);
	ck_assert_ptr_null(strchr(a->label, '\x1b'));
	ck_assert_ptr_null(strchr(a->label, '\x07'));
	ck_assert_str_eq(market_find(m, "3169093", 7)->label, "mine");
	ck_assert_str_eq(a->market, "0x311d0c");
	del_market(m);
}
END_TEST

START_TEST(market_resolved_marks_assets_and_alerts_winner)
{
	struct market_state *m = new_market(NULL);
	market_add(m, "7604307", NULL);
	market_add(m, "3169093", NULL);
	apply_frame(m, "{\"event_type\":\"market_resolved\",\"id\":\"1031769\",\"market\":"
	               "\"0x311d0c\",\"assets_ids\":[\"7604307\",\"3169093\"],\"winning_asset_id\":"
	               "\"7604307\",\"winning_outcome\":\"Yes\",\"timestamp\":\"1766790415550\"}");
	market_tick(m, clock_mono_ns());
	ck_assert_int_eq(market_find(m, "7604307", 7)->state, ASSET_RESOLVED);
	ck_assert_int_eq(market_find(m, "3169093", 7)->state, ASSET_RESOLVED);
	ck_assert_int_eq(market_alert_at(m, 0)->kind, ALERT_RESOLVED);
	del_market(m);
}
END_TEST

START_TEST(malformed_unknown_and_server_errors_are_counted)
{
	struct market_state *m = new_market(NULL);
	apply_frame(m, "{\"event_type\":\"book\",\"asset_id\":");
	apply_frame(m, "{\"event_type\":\"brand_new_thing\",\"asset_id\":\"1\"}");
	apply_frame(m, "INVALID OPERATION");
	apply_frame(m, "[]");
	apply_frame(m, "PONG");
	ck_assert_uint_eq(m->cnt.malformed, 1);
	ck_assert_uint_eq(m->cnt.unknown, 1);
	ck_assert_uint_eq(m->cnt.server_errors, 1);
	ck_assert_uint_eq(m->cnt.empty, 1);
	ck_assert_uint_eq(m->cnt.pongs, 1);
	ck_assert_uint_eq(m->cnt.frames, 5);
	del_market(m);
}
END_TEST

/* A malformed frame always shows in the alert log: within 10 s of the newest malformed row
 * it is counted there (count, latest time); after a quiet 10 s it is a new row.  (They
 * were once dropped while the newest row was a malformed one, however old: a soak's
 * garbage frame 15 s after the one before left no trace but the counter.) */
START_TEST(every_malformed_frame_shows_in_the_alert_log)
{
	struct market_state *m = new_market(NULL);
	static const char bad[] = "{\"event_type\":\"book\",\"asset_id\":";
	int64_t t0 = clock_mono_ns();
	apply_frame_at(m, bad, sizeof bad - 1, 0, t0);
	apply_frame_at(m, bad, sizeof bad - 1, 0, t0 + 3 * NS_PER_S);
	ck_assert_int_eq(count_alerts(m, ALERT_MALFORMED, NULL), 1);
	const struct alert *al = market_alert_at(m, 0);
	ck_assert_msg(al->count == 2 && al->t_last_mono_ns == t0 + 3 * NS_PER_S,
	              "expected the second frame counted in the row (2, +3 s), got %u, %+.1f s",
	              al->count, (double)(al->t_last_mono_ns - t0) / NS_PER_S);
	/* 12 s on (9 s after the latest): still the same storm. */
	apply_frame_at(m, bad, sizeof bad - 1, 0, t0 + 12 * NS_PER_S);
	ck_assert_int_eq(count_alerts(m, ALERT_MALFORMED, NULL), 1);
	ck_assert_uint_eq(market_alert_at(m, 0)->count, 3);
	/* A quiet 15 s: a new row, with the running count. */
	apply_frame_at(m, bad, sizeof bad - 1, 0, t0 + 27 * NS_PER_S);
	ck_assert_int_eq(count_alerts(m, ALERT_MALFORMED, NULL), 2);
	al = market_alert_at(m, 0);
	ck_assert_msg(al->count == 1 && strstr(al->message, "(4 so far)"),
	              "expected a new row '... (4 so far)' x1, got '%s' x%u", al->message,
	              al->count);
	/* Another alert in between: the next malformed frame is a row of its own again. */
	apply_frame(m, "[]");
	apply_frame_at(m, bad, sizeof bad - 1, 0, t0 + 28 * NS_PER_S);
	ck_assert_int_eq(count_alerts(m, ALERT_MALFORMED, NULL), 3);
	ck_assert_uint_eq(m->cnt.malformed, 5);
	del_market(m);
}
END_TEST

START_TEST(live_mode_tracks_only_subscribed_assets)
{
	struct market_config cfg;
	market_config_defaults(&cfg);
	cfg.auto_add = false;
	struct market_state *m = malloc(sizeof(*m));
	ck_assert_int_eq(market_init(m, &cfg), 0);
	market_add(m, "111", NULL);
	apply_frame(m, book_frame);
	/* The server sends the complement token (222) in the same price_change. */
	apply_frame(m, "{\"market\":\"0xab\",\"price_changes\":[{\"asset_id\":\"111\","
	               "\"price\":\"0.41\",\"size\":\"1\",\"side\":\"BUY\"},{\"asset_id\":"
	               "\"222\",\"price\":\"0.59\",\"size\":\"1\",\"side\":\"SELL\"}],"
	               "\"timestamp\":\"5\",\"event_type\":\"price_change\"}");
	ck_assert_ptr_null(market_find(m, "222", 3));
	ck_assert_uint_eq(m->nassets, 1);
	ck_assert_uint_eq(m->cnt.unsolicited, 1);
	ck_assert_int_eq(book_levels(&market_find(m, "111", 3)->book, SIDE_BID), 3);
	/* After an unsubscribe, frames still in flight do not bring it back. */
	market_remove(m, "111");
	apply_frame(m, book_frame);
	ck_assert(!market_find(m, "111", 3)->subscribed);
	ck_assert(!market_find(m, "111", 3)->have_snapshot);
	ck_assert_uint_eq(m->cnt.unsolicited, 2);
	del_market(m);
}
END_TEST

START_TEST(many_assets_are_found_by_id)
{
	struct market_state *m = new_market(NULL);
	char id[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "%d", 1000000 + i * 7);
		ck_assert_ptr_nonnull(market_add(m, id, NULL));
	}
	ck_assert_uint_eq(m->nassets, 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "%d", 1000000 + i * 7);
		struct asset *a = market_find(m, id, strlen(id));
		if (!a || strcmp(a->id, id) != 0)
			ck_abort_msg("asset %s not found", id);
	}
	ck_assert_ptr_null(market_find(m, "1000001", 7));
	ck_assert_ptr_null(market_add(m, "bad id", NULL));
	del_market(m);
}
END_TEST

static Suite *market_suite(void)
{
	Suite *s = suite_create("market");
	TCase *tc = tcase_create("burst");
	tcase_add_test(tc, burst_rebuilt_book_equals_exchange_final_book);
	tcase_add_test(tc, burst_exchange_checks_47_agree_2_transient_cross_not_drift);
	tcase_add_test(tc, burst_complement_updates_without_snapshot_are_counted_not_applied);
	suite_add_tcase(s, tc);
	tc = tcase_create("health");
	tcase_add_test(tc, persistent_bbo_disagreement_becomes_drift_and_requests_resync);
	tcase_add_test(tc, drift_without_feed_is_reported_not_resynced);
	tcase_add_test(tc, gap_flag_resyncs_every_subscribed_asset);
	tcase_add_test(tc, gap_bursts_coalesce_into_one_resync_per_second);
	tcase_add_test(tc, a_frame_dropped_unparsed_resyncs_every_asset);
	tcase_add_test(tc, a_source_naming_too_many_assets_is_capped_and_says_so);
	tcase_add_test(tc, reconnect_counts_and_puts_books_back_to_awaiting_snapshot);
	tcase_add_test(tc, quiet_then_stale_then_recovered_with_alerts);
	tcase_add_test(tc, crossed_book_is_flagged_and_alerted);
	tcase_add_test(tc, trades_feed_last_trade_tape_and_flow);
	tcase_add_test(tc, new_market_labels_are_sanitised_and_user_labels_win);
	tcase_add_test(tc, market_resolved_marks_assets_and_alerts_winner);
	tcase_add_test(tc, malformed_unknown_and_server_errors_are_counted);
	tcase_add_test(tc, every_malformed_frame_shows_in_the_alert_log);
	tcase_add_test(tc, live_mode_tracks_only_subscribed_assets);
	tcase_add_test(tc, many_assets_are_found_by_id);
	suite_add_tcase(s, tc);
	tc = tcase_create("export");
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(market_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
