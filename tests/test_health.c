/*
 * test_health: the state table is complete, health.c is the only writer of an asset's
 * state, and every transition raises the alert it deserves (drift included).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"
#include "model_fixture.h"

#define NS_S INT64_C(1000000000)

START_TEST(state_table_gives_every_state_names_help_and_a_distinct_severity)
{
	for (int i = 0; i < ASSET_STATE_COUNT; i++) {
		enum asset_state s = (enum asset_state)i;
		struct asset_state_info info = asset_state_info(s);
		ck_assert_msg(info.name && info.name[0], "state %d has no snapshot name", i);
		ck_assert_msg(info.screen && info.screen[0], "state %d has no screen name", i);
		ck_assert_msg(strlen(info.screen) <= 8, "state %s: screen name '%s' over 8 columns",
		              info.name, info.screen);
		ck_assert_msg(info.help && strlen(info.help) > 10, "state %s has no help text",
		              info.name);
		ck_assert_msg(strspn(info.name, "abcdefghijklmnopqrstuvwxyz_") == strlen(info.name),
		              "snapshot name '%s' is not a lower-case identifier", info.name);
		ck_assert_msg(info.severity != 4, "state %s takes severity 4, the UI's 'no feed'",
		              info.name);
		for (int j = 0; j < i; j++) {
			struct asset_state_info o = asset_state_info((enum asset_state)j);
			ck_assert_msg(strcmp(o.name, info.name) != 0, "two states named %s",
			              info.name);
			ck_assert_msg(strcmp(o.screen, info.screen) != 0, "two states shown as %s",
			              info.screen);
			ck_assert_msg(o.severity != info.severity, "%s and %s sort as equals",
			              o.name, info.name);
		}
	}
	ck_assert_str_eq(asset_state_name(ASSET_STATE_COUNT), "?");
	ck_assert_str_eq(asset_state_name(ASSET_AWAITING), "awaiting_snapshot");
	ck_assert_str_eq(asset_state_short(ASSET_AWAITING), "await");
}
END_TEST

/* True when line assigns to a struct member named state ("->state =", ".state ="). */
static bool writes_state(const char *line)
{
	for (const char *p = line; (p = strstr(p, "state")) != NULL; p++) {
		if (p == line || (p[-1] != '>' && p[-1] != '.'))
			continue;
		const char *q = p + 5;
		while (*q == ' ' || *q == '\t')
			q++;
		if (q[0] == '=' && q[1] != '=')
			return true;
	}
	return false;
}

START_TEST(only_health_c_writes_an_asset_state)
{
	const char *dir = TOP_SRCDIR "/src";
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	struct dirent *e;
	int files = 0, health_writes = 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
			continue;
		char path[4096], line[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		ck_assert_msg(f != NULL, "cannot open %s", path);
		files++;
		for (int ln = 1; fgets(line, sizeof line, f); ln++) {
			if (!writes_state(line))
				continue;
			bool health = strcmp(e->d_name, "health.c") == 0;
			ck_assert_msg(health, "%s:%d writes a state outside health.c: %s",
			              e->d_name, ln, line);
			health_writes++;
		}
		fclose(f);
	}
	closedir(d);
	ck_assert_int_gt(files, 5);
	ck_assert_msg(health_writes == 1,
	              "health.c should write state in one place (set_state), "
	              "found %d",
	              health_writes);
}
END_TEST

/* A withheld update: our book keeps best bid 0.45 while the exchange says 0.46. */
START_TEST(withheld_update_past_the_message_grace_raises_the_drift_alert)
{
	struct market_state *m = new_market(NULL);
	apply_frame(m, book_frame);
	struct asset *a = market_find(m, "111", 3);
	for (int i = 0; i < 3; i++) {
		price_change(m, 1001 + i, "0.41", "1", "BUY", "0.46", "0.55");
		ck_assert_int_eq(count_alerts(m, ALERT_DRIFT, NULL), 0);
	}
	price_change(m, 1004, "0.41", "2", "BUY", "0.46", "0.55");
	ck_assert_int_eq(a->state, ASSET_DRIFT);
	ck_assert_int_eq(count_alerts(m, ALERT_DRIFT, "111"), 1);
	ck_assert_msg(strstr(market_alert_at(m, 0)->message, "exchange says 0.46/0.55"),
	              "drift alert: %s", market_alert_at(m, 0)->message);
	/* Still drifting: no second alert. */
	price_change(m, 1005, "0.41", "3", "BUY", "0.46", "0.55");
	ck_assert_int_eq(count_alerts(m, ALERT_DRIFT, "111"), 1);
	del_market(m);
}
END_TEST

START_TEST(withheld_update_past_the_time_grace_raises_the_drift_alert_and_resyncs)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	apply_frame(m, book_frame);
	struct asset *a = market_find(m, "111", 3);
	price_change(m, 5000, "0.41", "1", "BUY", "0.46", "0.55");
	ck_assert_int_eq(count_alerts(m, ALERT_DRIFT, NULL), 0);
	/* Two disagreements 2.5 s apart in exchange time: past the 2 s grace. */
	price_change(m, 7500, "0.41", "2", "BUY", "0.46", "0.55");
	ck_assert_int_eq(count_alerts(m, ALERT_DRIFT, "111"), 1);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.op, FEED_RESYNC);
	ck_assert_int_eq(a->state, ASSET_AWAITING); /* resync requested */
	del_market(m);
}
END_TEST

START_TEST(each_transition_alerts_once_and_recovery_alerts_once)
{
	struct market_state *m = new_market(NULL);
	m->conn.alive = true;
	int64_t t = clock_mono_ns();
	apply_frame_at(m, book_frame, strlen(book_frame), 0, t);
	struct asset *a = market_find(m, "111", 3);
	for (int s = 31; s < 40; s++)
		market_tick(m, t + s * NS_S);
	ck_assert_int_eq(a->state, ASSET_STALE);
	ck_assert_int_eq(count_alerts(m, ALERT_STALE, "111"), 1);
	apply_frame_at(m, book_frame, strlen(book_frame), 0, t + 40 * NS_S);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	ck_assert_int_eq(count_alerts(m, ALERT_RECOVERED, "111"), 1);
	market_tick(m, t + 41 * NS_S);
	ck_assert_int_eq(count_alerts(m, ALERT_RECOVERED, "111"), 1);
	del_market(m);
}
END_TEST

/* ---- the alert log groups storms ---- */

START_TEST(a_storm_of_one_alert_is_one_row_with_a_count_and_its_assets)
{
	struct market_state *m = new_market(NULL);
	const char *ids[] = {"111", "222", "333"};
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(market_add(m, ids[i], NULL));
	int64_t t = clock_mono_ns();
	m->cur_mono_ns = t;
	m->cur_real_ns = clock_real_ns();
	for (int i = 0; i < 3; i++)
		market_alert(m, ALERT_STALE, ids[i], "connection lost: no update for 30 s");
	market_alert(m, ALERT_STALE, "111", "connection lost: no update for 30 s");
	const struct alert *al = market_alert_at(m, 0);
	ck_assert_ptr_null(market_alert_at(m, 1));
	ck_assert_msg(al->count == 4 && al->nassets == 3,
	              "expected one row of 4 alerts about 3 assets, got %u alerts, %u assets",
	              al->count, al->nassets);
	ck_assert_int_eq(m->alerts_raised, 4);
	ck_assert(alert_names_asset(al, 2) && !alert_names_asset(al, 3));
	ck_assert_int_eq(alert_kind_severity(al->kind), ALERT_SEV_WARN);
	/* Another diagnosis, another kind, or the same one after the window: new rows. */
	market_alert(m, ALERT_STALE, "222", "no update for 30 s");
	market_alert(m, ALERT_RECOVERED, "222", "no update for 30 s");
	m->cur_mono_ns = t + ALERT_GROUP_NS;
	market_alert(m, ALERT_RECOVERED, "333", "no update for 30 s");
	ck_assert_int_eq(m->nalerts, 4);
	ck_assert_int_eq(market_alert_at(m, 0)->count, 1);
	/* A cleared row takes no more alerts. */
	market_alerts_clear(m);
	market_alert(m, ALERT_RECOVERED, "333", "no update for 30 s");
	ck_assert_int_eq(m->nalerts, 5);
	ck_assert_ptr_nonnull(market_alert_at(m, 0));
	ck_assert_ptr_null(market_alert_at(m, 1));
	m->cur_mono_ns = 0;
	m->cur_real_ns = 0;
	del_market(m);
}
END_TEST

/* ---- updates that cannot be applied ---- */

START_TEST(unappliable_price_change_untrusts_and_resyncs_the_asset)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	apply_frame(m, book_frame);
	struct asset *a = market_find(m, "111", 3);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	price_change(m, 1001, "0.45", "1e2", "BUY", "0.45", "0.55");
	ck_assert_msg(a->state == ASSET_AWAITING, "after a size '1e2' the asset is %s",
	              asset_state_name(a->state));
	ck_assert(!a->have_snapshot);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.op, FEED_RESYNC);
	ck_assert_str_eq(log.last, "111");
	ck_assert_int_eq(count_alerts(m, ALERT_MALFORMED, "111"), 1);
	ck_assert_uint_eq(m->cnt.malformed, 1);
	/* Until the new snapshot, a second bad update changes nothing more. */
	price_change(m, 1002, "0.45", "1e2", "BUY", "0.45", "0.55");
	ck_assert_int_eq(log.calls, 1);
	apply_frame(m, book_frame);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	del_market(m);
}
END_TEST

START_TEST(snapshot_with_a_7_decimal_size_untrusts_the_old_book)
{
	struct cmd_log log = {0};
	struct market_state *m = new_market(&log);
	apply_frame(m, book_frame);
	struct asset *a = market_find(m, "111", 3);
	apply_frame(m, "{\"event_type\":\"book\",\"asset_id\":\"111\",\"market\":\"0xab\","
	               "\"timestamp\":\"1005\",\"bids\":[{\"price\":\"0.40\",\"size\":"
	               "\"1.0000001\"}],\"asks\":[{\"price\":\"0.60\",\"size\":\"7\"}]}");
	ck_assert_msg(a->state == ASSET_AWAITING, "after a bad snapshot the asset is %s",
	              asset_state_name(a->state));
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(count_alerts(m, ALERT_MALFORMED, "111"), 1);
	ck_assert_msg(strstr(market_alert_at(m, 1)->message, "could not be applied"), "alert: %s",
	              market_alert_at(m, 1)->message);
	del_market(m);
}
END_TEST

/* ---- tokens the exchange does not know ---- */

START_TEST(token_answered_empty_is_unknown_to_the_exchange_after_the_wait)
{
	struct market_state *m = new_market(NULL);
	market_add(m, "999", "ghost");
	apply_conn(m, CONN_CONNECTED, 0, "");
	int64_t t = clock_mono_ns();
	apply_frame(m, book_frame);
	apply_frame_received(m, "[]", clock_real_ns(), t, t);
	struct asset *ghost = market_find(m, "999", 3);
	market_tick(m, t + 5 * NS_S);
	ck_assert_int_eq(ghost->state, ASSET_AWAITING);
	market_tick(m, t + 11 * NS_S);
	ck_assert_msg(ghost->state == ASSET_UNKNOWN, "11 s after [] the asset is %s",
	              asset_state_name(ghost->state));
	ck_assert_int_eq(count_alerts(m, ALERT_SERVER, "999"), 1);
	ck_assert_msg(strstr(market_alert_at(m, 0)->message, "unknown to the exchange"),
	              "alert: %s", market_alert_at(m, 0)->message);
	struct asset *real = market_find(m, "111", 3);
	ck_assert_int_ne(real->state, ASSET_UNKNOWN);
	/* A book after all: the asset is live. */
	apply_frame(m, "{\"event_type\":\"book\",\"asset_id\":\"999\",\"timestamp\":\"1\","
	               "\"bids\":[{\"price\":\"0.4\",\"size\":\"1\"}],\"asks\":[]}");
	ck_assert_int_eq(ghost->state, ASSET_FRESH);
	del_market(m);
}
END_TEST

START_TEST(token_without_empty_answer_keeps_awaiting)
{
	struct market_state *m = new_market(NULL);
	market_add(m, "999", NULL);
	apply_conn(m, CONN_CONNECTED, 0, "");
	int64_t t = clock_mono_ns();
	market_tick(m, t + 60 * NS_S);
	ck_assert_int_eq(market_find(m, "999", 3)->state, ASSET_AWAITING);
	del_market(m);
}
END_TEST

/* ---- verdicts on receipt times ---- */

static void tick_size_frame(char *buf, size_t cap, long long ts)
{
	snprintf(buf, cap,
	         "{\"event_type\":\"tick_size_change\",\"asset_id\":\"111\",\"market\":\"0xab\","
	         "\"old_tick_size\":\"0.01\",\"new_tick_size\":\"%s\",\"timestamp\":\"%lld\"}",
	         ts % 2 ? "0.001" : "0.01", ts);
}

/* The UI stalls 35 s; the feed kept receiving one update a second.  Draining that
 * backlog, with refreshes in between, must not call the asset stale. */
static struct market_state *drain_after_stall(bool backlog, int64_t *real0)
{
	struct market_state *m = new_market(NULL);
	m->conn.alive = true;
	int64_t t = clock_mono_ns(), real = clock_real_ns();
	*real0 = real;
	apply_frame_received(m, book_frame, real, t, t);
	int64_t now = t + 35 * NS_S;
	char f[512];
	for (int i = 1; i <= 35; i++) {
		tick_size_frame(f, sizeof f, 1000 + i);
		apply_frame_received(m, f, real + i * NS_S, t + i * NS_S, now);
		struct transport_stats ts = {.ring_used = backlog && i < 35 ? 4096 : 0,
		                             .ring_capacity = 1 << 20};
		market_set_transport_stats(m, &ts);
		market_tick(m, now);
		now += NS_S / 10;
	}
	return m;
}

START_TEST(draining_a_backlog_after_a_35_s_stall_raises_no_stale_alert)
{
	int64_t real;
	struct market_state *m = drain_after_stall(true, &real);
	struct asset *a = market_find(m, "111", 3);
	ck_assert_msg(count_alerts(m, ALERT_STALE, NULL) == 0,
	              "a healthy feed drained late was called stale");
	ck_assert_int_eq(count_alerts(m, ALERT_RECOVERED, NULL), 0);
	ck_assert_int_eq(a->state, ASSET_FRESH);
	/* Alerts carry receipt times: the last tick-size alert was received at real + 35 s. */
	const struct alert *al = market_alert_at(m, 0);
	ck_assert_int_eq(al->kind, ALERT_TICK_SIZE);
	ck_assert_msg(al->t_real_ns == real + 35 * NS_S, "alert time %lld, received at %lld",
	              (long long)al->t_real_ns, (long long)(real + 35 * NS_S));
	del_market(m);
}
END_TEST

START_TEST(silence_once_caught_up_still_ages_to_stale)
{
	int64_t real;
	struct market_state *m = new_market(NULL);
	m->conn.alive = true;
	int64_t t = clock_mono_ns();
	real = clock_real_ns();
	apply_frame_received(m, book_frame, real, t, t);
	struct transport_stats ts = {.ring_used = 0, .ring_capacity = 1 << 20};
	market_set_transport_stats(m, &ts);
	market_tick(m, t + 31 * NS_S);
	ck_assert_int_eq(count_alerts(m, ALERT_STALE, "111"), 1);
	del_market(m);
}
END_TEST

static Suite *health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, state_table_gives_every_state_names_help_and_a_distinct_severity);
	tcase_add_test(tc, only_health_c_writes_an_asset_state);
	suite_add_tcase(s, tc);
	tc = tcase_create("transitions");
	tcase_add_test(tc, withheld_update_past_the_message_grace_raises_the_drift_alert);
	tcase_add_test(tc, withheld_update_past_the_time_grace_raises_the_drift_alert_and_resyncs);
	tcase_add_test(tc, each_transition_alerts_once_and_recovery_alerts_once);
	tcase_add_test(tc, unappliable_price_change_untrusts_and_resyncs_the_asset);
	tcase_add_test(tc, snapshot_with_a_7_decimal_size_untrusts_the_old_book);
	tcase_add_test(tc, token_answered_empty_is_unknown_to_the_exchange_after_the_wait);
	tcase_add_test(tc, token_without_empty_answer_keeps_awaiting);
	tcase_add_test(tc, draining_a_backlog_after_a_35_s_stall_raises_no_stale_alert);
	tcase_add_test(tc, silence_once_caught_up_still_ages_to_stale);
	tcase_add_test(tc, a_storm_of_one_alert_is_one_row_with_a_count_and_its_assets);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(health_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
