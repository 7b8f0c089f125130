/*
 * Tests for the ui drawn into an offscreen terminal (newterm on /dev/null): what the
 * operator sees for a hand-built model, and what keys do to the model and the hooks.
 * Must never need a real terminal or the network; nothing here measures time.
 */
#include <check.h>
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_fixture.h"

START_TEST(renders_labels_exact_prices_and_every_pane_title_at_80x24)
{
	render();
	ck_assert_msg(strstr(scr, "Alpha Yes") && strstr(scr, "Bravo No"),
	              "expected both labels on screen, got:\n%s", scr);
	ck_assert_msg(
	    strstr(row_with("Alpha Yes"), "0.311") && strstr(row_with("Alpha Yes"), "0.32"),
	    "expected exact prices 0.311 / 0.32 on Alpha's row, got: %s", row_with("Alpha Yes"));
	const char *titles[] = {"assets", "book", "trades", "alerts", "feed latency", "pipeline"};
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
		ck_assert_msg(strstr(scr, titles[i]), "expected \"%s\" on screen, got:\n%s",
		              titles[i], scr);
	}
	ck_assert_msg(strstr(scr, "spread 0.009"), "expected Alpha's spread row in the book:\n%s",
	              scr);
}
END_TEST

START_TEST(quiet_asset_shows_quiet_while_alive_and_no_feed_when_the_connection_is_dead)
{
	m.assets[0].state = ASSET_QUIET;
	render();
	ck_assert_msg(strstr(row_with("Alpha Yes"), "quiet"), "alive: expected quiet, got: %s",
	              row_with("Alpha Yes"));
	m.conn.alive = false;
	m.conn.event = CONN_DEAD;
	render();
	ck_assert_msg(strstr(row_with("Alpha Yes"), "no feed") &&
	                  !strstr(row_with("Alpha Yes"), "quiet"),
	              "dead: expected \"no feed\" and not quiet, got: %s", row_with("Alpha Yes"));
}
END_TEST

START_TEST(negative_feed_latency_is_marked_not_clamped)
{
	int64_t now = clock_mono_ns();
	int64_t s = market_now_s(&m, now);
	for (int i = 0; i < 20; i++) {
		lat_window_record(m.feed_ms, s, -3);
	}
	render();
	ck_assert_msg(strstr(scr, "CLOCK BEHIND EXCHANGE"), "expected the clock mark, got:\n%s",
	              scr);
	ck_assert_msg(strstr(scr, "-3"), "expected the negative value -3 shown, got:\n%s", scr);
}
END_TEST

START_TEST(unsubscribed_assets_are_hidden)
{
	m.assets[1].subscribed = false;
	render();
	ck_assert_msg(!strstr(scr, "Bravo No"), "expected Bravo hidden, got:\n%s", scr);
	ck_assert_msg(strstr(scr, "Alpha Yes"), "expected Alpha shown");
}
END_TEST

START_TEST(add_prompt_with_token_ids_subscribes_and_adds_each)
{
	render();
	keys("a444 555\r");
	ck_assert(ui_handle_input(u, &m));
	ck_assert_int_eq(calls.commands, 1);
	ck_assert_int_eq(calls.last_op, FEED_SUB);
	ck_assert_str_eq(calls.last_ids, "444 555");
	struct asset *a = market_find(&m, "555", 3);
	ck_assert_msg(a && a->subscribed, "expected asset 555 added and subscribed");
	ck_assert_int_eq(calls.lookups, 0);
}
END_TEST

START_TEST(add_prompt_with_a_slug_asks_gamma_and_says_resolving)
{
	render();
	keys("ahttps://polymarket.com/event/fed-decision?tid=1\r");
	ck_assert(ui_handle_input(u, &m));
	ck_assert_int_eq(calls.lookups, 1);
	ck_assert_str_eq(calls.last_lookup, "fed-decision");
	ck_assert_int_eq(calls.commands, 0);
	render();
	ck_assert_msg(strstr(scr, "resolving slug fed-decision"), "expected the status, got:\n%s",
	              scr);
}
END_TEST

START_TEST(add_prompt_escape_cancels_without_calling_anything)
{
	render();
	keys("a999\x1b");
	ck_assert(ui_handle_input(u, &m));
	ck_assert_int_eq(calls.commands, 0);
	ck_assert_ptr_null(market_find(&m, "999", 3));
}
END_TEST

START_TEST(delete_needs_y_then_unsubscribes_the_selected_asset)
{
	render(); /* selection: first by label, Alpha (111) */
	keys("dn");
	ck_assert(ui_handle_input(u, &m));
	ck_assert_int_eq(calls.commands, 0);
	ck_assert(m.assets[0].subscribed);
	keys("dy");
	ck_assert(ui_handle_input(u, &m));
	ck_assert_int_eq(calls.commands, 1);
	ck_assert_int_eq(calls.last_op, FEED_UNSUB);
	ck_assert_str_eq(calls.last_ids, "111");
	ck_assert(!m.assets[0].subscribed);
	render();
	/* Only the status line names it now, by its label, not its id. */
	const char *first = strstr(scr, "Alpha Yes");
	ck_assert_msg(
	    first && !strstr(first + 1, "Alpha Yes") && strstr(scr, "unsubscribed Alpha Yes"),
	    "expected Alpha gone from the table and \"unsubscribed Alpha Yes\", got:\n%s", scr);
}
END_TEST

START_TEST(moving_down_then_resync_resyncs_the_second_row)
{
	render();
	keys("jr");
	ck_assert(ui_handle_input(u, &m));
	ck_assert_msg(calls.market_cmds >= 1, "expected market_resync to reach the command hook");
	ck_assert_int_eq(calls.market_op, FEED_RESYNC);
	ck_assert_str_eq(calls.market_ids, "222");
}
END_TEST

START_TEST(mouse_click_on_a_row_selects_that_asset)
{
	render(); /* selection: first by label, Alpha (111) */
	int y = row_y("Charlie Yes");
	ck_assert_msg(y >= 0, "expected a Charlie row on screen:\n%s", scr);
	MEVENT ev = {.id = 0, .x = 3, .y = y, .z = 0, .bstate = BUTTON1_CLICKED};
	ck_assert_int_eq(ungetmouse(&ev), OK);
	ck_assert(ui_handle_input(u, &m));
	keys("r");
	ck_assert(ui_handle_input(u, &m));
	ck_assert_msg(calls.market_cmds >= 1, "expected r to resync the clicked asset");
	ck_assert_str_eq(calls.market_ids, "333");
}
END_TEST

START_TEST(filter_keeps_matching_rows_and_escape_clears_it)
{
	render();
	keys("/charl\r");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "Charlie Yes") && !strstr(scr, "Alpha Yes"),
	              "expected only Charlie, got:\n%s", scr);
	keys("/\x1b");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "Alpha Yes") && strstr(scr, "Charlie Yes"),
	              "expected all rows back, got:\n%s", scr);
}
END_TEST

START_TEST(sort_key_cycles_and_spread_sort_puts_the_widest_first)
{
	render();
	keys("sss"); /* label -> bid -> ask -> spread */
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "sort spread"), "expected sort spread in the title:\n%s", scr);
	const char *c = strstr(scr, "Charlie Yes"), *a = strstr(scr, "Alpha Yes");
	ck_assert_msg(c && a && c < a, "expected Charlie (spread 0.1) above Alpha:\n%s", scr);
}
END_TEST

START_TEST(pause_shows_paused_and_freezes_the_panes)
{
	render();
	keys("p");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "PAUSED"), "expected PAUSED, got:\n%s", scr);
	ck_assert(ui_paused(u));
	market_add(&m, "777", "Zulu New");
	render();
	ck_assert_msg(!strstr(scr, "Zulu New"), "paused: expected no new row, got:\n%s", scr);
	keys("p");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "Zulu New") && !strstr(scr, "PAUSED"),
	              "resumed: expected the new row, got:\n%s", scr);
}
END_TEST

START_TEST(export_shows_the_path_written)
{
	render();
	keys("e");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_int_eq(calls.exports, 1);
	ck_assert_msg(strstr(scr, "/tmp/snap-test.json"), "expected the path, got:\n%s", scr);
}
END_TEST

START_TEST(help_overlay_lists_the_keys_and_any_key_closes_it)
{
	ui_resize(u, 100, 30); /* a gap column between the book and the trades */
	render();
	keys("?");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "sort by the next column") &&
	                  strstr(scr, "unsubscribe the selected"),
	              "expected help text, got:\n%s", scr);
	keys("x");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(!strstr(scr, "sort by the next column"), "expected help closed, got:\n%s",
	              scr);
	ck_assert_msg(!strstr(scr, "\u2502") && !strstr(scr, "\u2500"),
	              "expected no overlay border left behind, got:\n%s", scr);
}
END_TEST

/* The overlay drawn on screen, not just the table: each binding's keys and help line. */
START_TEST(help_overlay_shows_every_binding_of_the_key_table)
{
	ui_resize(u, 100, 40);
	render();
	keys("h");
	ck_assert(ui_handle_input(u, &m));
	render();
	for (size_t i = 0; i < ui_keymap_len; i++) {
		char k[64];
		ui_keymap_keys(&ui_keymap[i], k, sizeof k);
		char line[160];
		snprintf(line, sizeof line, "%-8s %s", k, ui_keymap[i].help);
		ck_assert_msg(strstr(scr, line), "expected the help line \"%s\", got:\n%s", line,
		              scr);
	}
	char hint[256];
	ui_keymap_hint(hint, sizeof hint);
	keys(" ");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, hint), "expected the status hint \"%s\", got:\n%s", hint, scr);
}
END_TEST

START_TEST(q_quits)
{
	render();
	keys("q");
	ck_assert(!ui_handle_input(u, &m));
}
END_TEST

START_TEST(resizes_from_huge_to_1x1_and_back_without_crashing)
{
	static const int sizes[][2] = {{200, 60}, {40, 10},  {1, 1},   {2, 2},
	                               {20, 5},   {120, 30}, {59, 30}, {80, 24}};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		ui_resize(u, sizes[i][0], sizes[i][1]);
		render();
		ck_assert_int_eq(COLS, sizes[i][0]);
	}
	ck_assert_msg(strstr(scr, "Alpha Yes"), "80x24 again: expected the table:\n%s", scr);
}
END_TEST

START_TEST(trades_and_alerts_appear_with_side_and_message)
{
	struct asset *a = &m.assets[0];
	struct trade t = {.t_real_ns = clock_real_ns(),
	                  .ts_ms = 1,
	                  .price = 315000,
	                  .size = 2500000000,
	                  .side = SIDE_BID,
	                  .asset = 0};
	m.tape[0] = t;
	m.ntrades = 1;
	a->last_trade = t;
	a->have_trade = true;
	market_alert(&m, ALERT_STALE, "222", "no update for %ds", 31);
	render();
	ck_assert_msg(strstr(scr, "BUY") && strstr(scr, "0.315") && strstr(scr, "2500"),
	              "expected the trade on the tape, got:\n%s", scr);
	ck_assert_msg(strstr(scr, "no update for") && strstr(scr, "\u00b7 Bravo No"),
	              "expected the alert with its label, got:\n%s", scr);
}
END_TEST

START_TEST(network_text_with_escapes_never_reaches_the_screen_raw)
{
	/* The model is sanitised upstream; the ui still must not emit control bytes. */
	snprintf(m.assets[0].label, sizeof m.assets[0].label, "Evil\x1b[2Jlabel\x07");
	render();
	ck_assert_msg(strchr(scr, '\x1b') == NULL && strchr(scr, '\x07') == NULL,
	              "expected no ESC/BEL on screen");
	ck_assert_msg(strstr(scr, "Evil?[2Jlabel?"), "expected '?' for controls, got:\n%s", scr);
}
END_TEST

START_TEST(destroy_twice_is_harmless)
{
	render();
	ui_destroy(u);
	ui_destroy(u);
	u = NULL;
	ui_emergency_restore();
}
END_TEST

static Suite *ui_suite(void)
{
	Suite *s = suite_create("ui_render");
	TCase *tc = tcase_create("offscreen");
	tcase_add_checked_fixture(tc, ui_fixture_setup, ui_fixture_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, renders_labels_exact_prices_and_every_pane_title_at_80x24);
	tcase_add_test(tc,
	               quiet_asset_shows_quiet_while_alive_and_no_feed_when_the_connection_is_dead);
	tcase_add_test(tc, negative_feed_latency_is_marked_not_clamped);
	tcase_add_test(tc, unsubscribed_assets_are_hidden);
	tcase_add_test(tc, add_prompt_with_token_ids_subscribes_and_adds_each);
	tcase_add_test(tc, add_prompt_with_a_slug_asks_gamma_and_says_resolving);
	tcase_add_test(tc, add_prompt_escape_cancels_without_calling_anything);
	tcase_add_test(tc, delete_needs_y_then_unsubscribes_the_selected_asset);
	tcase_add_test(tc, moving_down_then_resync_resyncs_the_second_row);
	tcase_add_test(tc, mouse_click_on_a_row_selects_that_asset);
	tcase_add_test(tc, filter_keeps_matching_rows_and_escape_clears_it);
	tcase_add_test(tc, sort_key_cycles_and_spread_sort_puts_the_widest_first);
	tcase_add_test(tc, pause_shows_paused_and_freezes_the_panes);
	tcase_add_test(tc, export_shows_the_path_written);
	tcase_add_test(tc, help_overlay_lists_the_keys_and_any_key_closes_it);
	tcase_add_test(tc, help_overlay_shows_every_binding_of_the_key_table);
	tcase_add_test(tc, q_quits);
	tcase_add_test(tc, resizes_from_huge_to_1x1_and_back_without_crashing);
	tcase_add_test(tc, trades_and_alerts_appear_with_side_and_message);
	tcase_add_test(tc, network_text_with_escapes_never_reaches_the_screen_raw);
	tcase_add_test(tc, destroy_twice_is_harmless);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TERM", "xterm-256color", 1);
	SRunner *sr = srunner_create(ui_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
