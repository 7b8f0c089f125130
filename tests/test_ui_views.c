/*
 * Tests for what issue 10 (items 11-15) asked of the screen, drawn offscreen: grouped and
 * readable alerts with severities, their detail view, filter, acknowledge and clear; the
 * outage header and the reconnect key; the assets table at 120x40, the drill-down, sorting
 * by any column and in reverse; clamped scrolling; honest labels; a help that scrolls.
 * Must never need a real terminal or the network; nothing here measures time.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_fixture.h"

/* Check's messages are short: the screen goes to stderr. */
static const char *shown(void)
{
	fputs(scr, stderr);
	return "(the screen is on stderr)";
}

/* The screen row starting with prefix, or "". */
static const char *row_starting(const char *prefix)
{
	static char line[2048];
	for (int y = 0; y < LINES; y++) {
		ui_screen_row(u, y, line, sizeof line);
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			return line;
		}
	}
	return "";
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++) {
		n++;
	}
	return n;
}

START_TEST(a_stale_storm_is_one_alert_row_naming_the_assets_with_its_severity)
{
	ui_resize(u, 200, 50);
	for (int i = 0; i < 3; i++) {
		market_alert(&m, ALERT_STALE, m.assets[i].id,
		             "connection lost: no update for 30 s");
	}
	market_alert(&m, ALERT_DRIFT, "111", "book 0.125/0.203, exchange says 0.125/0.202");
	render();
	ck_assert_msg(count_of(scr, "no update for 30 s") == 1,
	              "expected one grouped stale row, got:\n%s", shown());
	ck_assert_msg(strstr(row_with("no update for 30 s"), "warn stale") &&
	                  strstr(row_with("no update for 30 s"), "\u00b7 3 assets"),
	              "expected \"warn stale ... · 3 assets\", got: %s",
	              row_with("no update for 30 s"));
	/* The diagnosis comes first and whole; the label after it. */
	ck_assert_msg(strstr(row_with("exchange says"), "crit drift     book 0.125/0.203, exchange "
	                                                "says 0.125/0.202 \u00b7 Alpha Yes"),
	              "expected the drift diagnosis then the label, got: %s",
	              row_with("exchange says"));
	ck_assert_msg(strstr(scr, "2 rows, 2 unread  (4 raised)"), "expected the counts:\n%s",
	              shown());
	/* Narrower, the row keeps the diagnosis and drops padding instead. */
	ui_resize(u, 120, 40);
	render();
	ck_assert_msg(strstr(row_with("no update for 30 s"), "W stale connection lost: no update"),
	              "120x40: expected the compact row, got: %s", row_with("no update for 30 s"));
}
END_TEST

START_TEST(enter_on_an_alert_shows_its_full_text_and_esc_closes_it)
{
	ui_resize(u, 120, 40);
	char longmsg[190];
	memset(longmsg, 'x', sizeof longmsg - 1);
	longmsg[sizeof longmsg - 1] = '\0';
	memcpy(longmsg + 170, " THE-END", 8);
	for (int i = 0; i < 2; i++) {
		market_alert(&m, ALERT_RECOVERED, m.assets[i].id, "recovered (was stale)");
	}
	market_alert(&m, ALERT_SERVER, NULL, "%s", longmsg);
	render();
	ck_assert_msg(!strstr(scr, "THE-END"), "the long message fits a row?\n%s", shown());
	keys("\t\t\t"); /* assets -> book -> trades -> alerts */
	ck_assert(ui_handle_input(u, &m));
	keys("\r");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, " alert  warn server") && strstr(scr, "THE-END"),
	              "expected the alert view with the whole message, got:\n%s", shown());
	keys("\x1b");
	ck_assert(ui_handle_input(u, &m));
	keys("j\r"); /* the next row: the grouped recovery names both assets */
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "alerts 2  assets 2") && strstr(scr, "111  Alpha Yes") &&
	                  strstr(scr, "222  Bravo No"),
	              "expected the group's assets listed, got:\n%s", shown());
	keys("\x1b");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, " alerts ") && !strstr(scr, "222  Bravo No"),
	              "expected the panes back, got:\n%s", shown());
}
END_TEST

START_TEST(alert_filter_ack_and_clear)
{
	ui_resize(u, 120, 40);
	market_alert(&m, ALERT_STALE, "222", "no update for 30 s");
	market_alert(&m, ALERT_CROSSED, "333", "book crossed: bid 0.2 >= ask 0.1");
	market_alert(&m, ALERT_RESYNC, "111", "resync (operator)");
	keys("fcrit\r");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "book crossed") && !strstr(scr, "no update for 30 s") &&
	                  !strstr(scr, "resync (operator)"),
	              "'f crit': expected only the crit row, got:\n%s", shown());
	keys("f\x15"
	     "bravo\r"); /* ^U clears the prompt: the asset's label */
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "no update for 30 s") && !strstr(scr, "book crossed"),
	              "'f bravo': expected Bravo's row only, got:\n%s", shown());
	keys("f\x1b");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "3 rows, 3 unread") && count_of(scr, "*") >= 3,
	              "expected 3 unread rows, got:\n%s", shown());
	keys("A");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "3 rows, 0 unread"), "'A': expected 0 unread, got:\n%s", shown());
	keys("C");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "0 rows, 0 unread") && !strstr(scr, "book crossed") &&
	                  market_alert_at(&m, 0) == NULL,
	              "'C': expected an empty log, got:\n%s", shown());
	/* A new alert after the clear is not merged into a cleared row. */
	market_alert(&m, ALERT_RESYNC, "111", "resync (operator)");
	render();
	ck_assert_msg(strstr(scr, "1 rows, 1 unread") && strstr(scr, "resync (operator)"),
	              "expected the new alert alone, got:\n%s", shown());
}
END_TEST

START_TEST(new_alerts_while_scrolled_are_announced)
{
	ui_resize(u, 120, 40);
	for (int i = 0; i < 5; i++) {
		market_alert(&m, ALERT_INFO, NULL, "note %d", i);
	}
	keys("\t\t\tjj");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(!strstr(scr, "NEW ALERTS ABOVE"), "nothing new yet:\n%s", shown());
	market_alert(&m, ALERT_INFO, NULL, "note late");
	render();
	ck_assert_msg(strstr(scr, "NEW ALERTS ABOVE"), "expected the indicator, got:\n%s", shown());
	keys("g");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(!strstr(scr, "NEW ALERTS ABOVE") && strstr(scr, "note late"),
	              "g: expected the newest at the top, got:\n%s", shown());
}
END_TEST

START_TEST(at_120x40_mid_and_msgs_stay_and_the_label_is_not_cut_to_18)
{
	snprintf(m.assets[0].label, sizeof m.assets[0].label,
	         "Yes \u00b7 Will the Fed cut rates in March?");
	ui_resize(u, 120, 40);
	render();
	const char *hdr = row_starting("label ");
	ck_assert_msg(strstr(hdr, " mid") && strstr(hdr, "msg/m") && strstr(hdr, " bid") &&
	                  strstr(hdr, " state"),
	              "expected bid, mid, msg/m and state headings at 120x40, got: %s", hdr);
	ck_assert_msg(strstr(scr, "Yes \u00b7 Will the Fed cut"),
	              "expected more than 18 columns of the label, got:\n%s", shown());
	keys("<<<<"); /* label -> worst -> state -> age -> msgs/min: the sorted column shows */
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "sort msgs/min") && strstr(row_starting("label "), "msg/m"),
	              "expected msg/m shown while sorting by it, got:\n%s", shown());
	/* The book title keeps its level counts; the ladder has headings. */
	ck_assert_msg(strstr(scr, " book 2 bids 2 asks"), "expected the level counts:\n%s",
	              shown());
	ck_assert_msg(strstr(scr, "price    size     cum"), "expected ladder headings:\n%s",
	              shown());
}
END_TEST

START_TEST(enter_on_an_asset_opens_its_drill_down)
{
	ui_resize(u, 120, 40);
	struct asset *a = &m.assets[0];
	snprintf(a->question, sizeof a->question, "Will Alpha happen before the end of the year?");
	struct ev_level b[12], s[12];
	for (int i = 0; i < 12; i++) {
		b[i] = (struct ev_level){300000 - i * 1000, 1000000};
		s[i] = (struct ev_level){320000 + i * 1000, 2000000};
	}
	ck_assert_int_eq(book_apply_snapshot(&a->book, b, 12, s, 12), 0);
	struct trade t = {.t_real_ns = clock_real_ns(),
	                  .price = 315000,
	                  .size = 7000000,
	                  .side = SIDE_ASK,
	                  .asset = 0};
	alerts_tape_add(&m, &t);
	market_alert(&m, ALERT_RESYNC, "111", "resync (operator)");
	render();
	keys("\r");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "question: Will Alpha happen before the end of the year?") &&
	                  strstr(scr, "(12 bids, 12 asks)") && strstr(scr, "  12    0.289") &&
	                  strstr(scr, "its trades") && strstr(scr, "SELL") &&
	                  strstr(scr, "resync (operator)"),
	              "expected the drill-down, got:\n%s", shown());
	keys("q");
	ck_assert_msg(!ui_handle_input(u, &m), "q still quits from a view");
}
END_TEST

START_TEST(S_reverses_and_a_heading_click_sorts_by_its_column)
{
	ui_resize(u, 120, 40);
	render();
	keys("S");
	ck_assert(ui_handle_input(u, &m));
	render();
	const char *c = strstr(scr, "Charlie Yes"), *a = strstr(scr, "Alpha Yes");
	ck_assert_msg(strstr(scr, "sort label (reversed)") && c && a && c < a,
	              "S: expected Z-A, got:\n%s", shown());
	int y = row_y("label    ");
	char hdr[2048];
	ui_screen_row(u, y, hdr, sizeof hdr);
	int x = (int)(strstr(hdr, " bid") - hdr) + 2;
	MEVENT ev = {.id = 0, .x = x, .y = y, .z = 0, .bstate = BUTTON1_CLICKED};
	ck_assert_int_eq(ungetmouse(&ev), OK);
	ck_assert(ui_handle_input(u, &m));
	render();
	const char *b = strstr(scr, "Bravo No");
	a = strstr(scr, "Alpha Yes");
	c = strstr(scr, "Charlie Yes");
	ck_assert_msg(strstr(scr, "sort bid ") && b < a && a < c,
	              "click on bid: expected highest bid first (Bravo, Alpha, Charlie):\n%s",
	              shown());
}
END_TEST

START_TEST(book_page_down_stops_with_the_ladder_full)
{
	struct ev_level b[30], s[30];
	for (int i = 0; i < 30; i++) {
		b[i] = (struct ev_level){300000 - i * 1000, 1000000};
		s[i] = (struct ev_level){320000 + i * 1000, 2000000};
	}
	ck_assert_int_eq(book_apply_snapshot(&m.assets[0].book, b, 30, s, 30), 0);
	render();
	keys("\t");
	ck_assert(ui_handle_input(u, &m));
	for (int i = 0; i < 20; i++) { /* far past the end */
		ui_push_key(u, KEY_NPAGE, true);
	}
	ck_assert(ui_handle_input(u, &m));
	render();
	/* The deepest bid (0.271) is on screen and the row next to the spread is not blank. */
	ck_assert_msg(strstr(scr, "0.271") && strstr(scr, "0.349"),
	              "expected the deepest levels shown, got:\n%s", shown());
	int y = row_y("spread 0.02");
	char below[2048];
	ui_screen_row(u, y + 1, below, sizeof below);
	ck_assert_msg(strstr(below, "0.2"), "expected a bid under the spread row, got: %s", below);
}
END_TEST

START_TEST(an_outage_shows_time_down_attempt_and_countdown_and_R_reconnects)
{
	int64_t now = clock_mono_ns();
	m.conn.alive = false;
	m.conn.event = CONN_BACKOFF;
	m.conn.down_since_ns = now - 65 * NS;
	m.conn.attempts = 3;
	m.conn.retry_at_ns = now + 4 * NS + NS / 2;
	ui_resize(u, 120, 40);
	render();
	ck_assert_msg(strstr(scr, "DOWN 1m0") && strstr(scr, "attempt 3") &&
	                  strstr(scr, "retry in 4."),
	              "expected the outage in the header, got:\n%s", shown());
	ck_assert_msg(strstr(scr, "flow 60s (down 1m0"), "expected the flow span, got:\n%s",
	              shown());
	keys("R");
	ck_assert(ui_handle_input(u, &m));
	ck_assert_int_eq(calls.commands, 1);
	ck_assert_int_eq(calls.last_op, FEED_RECONNECT);
}
END_TEST

START_TEST(smaller_lies_are_gone)
{
	int64_t s = market_now_s(&m, clock_mono_ns());
	for (int i = 0; i < 20; i++) {
		lat_window_record(m.pipeline_us, s, 59489935);
		lat_window_record(m.feed_ms, s, 3);
	}
	snprintf(m.assets[0].label, sizeof m.assets[0].label, "Are we there yet?");
	ui_resize(u, 120, 40);
	render();
	ck_assert_msg(strstr(scr, "max 59.48s") && !strstr(scr, "59489935"),
	              "expected pipeline latency in seconds, got:\n%s", shown());
	ck_assert_msg(strstr(row_with("feed latency"), "(warn 5ms crit 10ms)") &&
	                  !strstr(row_with("pipeline"), "warn"),
	              "expected the thresholds on the feed latency line, got:\n%s", shown());
	ck_assert_msg(strstr(scr, "since start  flow 60s (up 50s)") &&
	                  !strstr(scr, "seen  (last minute)"),
	              "expected an honest trades title, got:\n%s", shown());
	keys("d");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, "unsubscribe Are we there yet? (y/n)"),
	              "expected one '?', got:\n%s", shown());
	keys("n");
	ck_assert(ui_handle_input(u, &m));
	snprintf(m.mode, sizeof m.mode, "replay");
	render();
	ck_assert_msg(strstr(scr, "[replay] REPLAY") && !strstr(scr, "LIVE"),
	              "expected REPLAY in the header, got:\n%s", shown());
}
END_TEST

START_TEST(help_scrolls_when_cut_off_at_80x24)
{
	render();
	keys("?");
	ck_assert(ui_handle_input(u, &m));
	render();
	const struct ui_binding *last = &ui_keymap[ui_keymap_len - 1];
	ck_assert_msg(strstr(scr, "more v") && !strstr(scr, last->help),
	              "80x24: expected the help cut off with a mark, got:\n%s", shown());
	ui_push_key(u, KEY_END, true);
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(strstr(scr, last->help) && strstr(scr, "more ^") &&
	                  strstr(scr, asset_state_help(ASSET_DRIFT)),
	              "End: expected the end of the help, got:\n%s", shown());
	keys("x");
	ck_assert(ui_handle_input(u, &m));
	render();
	ck_assert_msg(!strstr(scr, "more ^"), "expected help closed, got:\n%s", shown());
}
END_TEST

static Suite *views_suite(void)
{
	Suite *s = suite_create("ui_views");
	TCase *tc = tcase_create("offscreen");
	tcase_add_checked_fixture(tc, ui_fixture_setup, ui_fixture_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, a_stale_storm_is_one_alert_row_naming_the_assets_with_its_severity);
	tcase_add_test(tc, enter_on_an_alert_shows_its_full_text_and_esc_closes_it);
	tcase_add_test(tc, alert_filter_ack_and_clear);
	tcase_add_test(tc, new_alerts_while_scrolled_are_announced);
	tcase_add_test(tc, at_120x40_mid_and_msgs_stay_and_the_label_is_not_cut_to_18);
	tcase_add_test(tc, enter_on_an_asset_opens_its_drill_down);
	tcase_add_test(tc, S_reverses_and_a_heading_click_sorts_by_its_column);
	tcase_add_test(tc, book_page_down_stops_with_the_ladder_full);
	tcase_add_test(tc, an_outage_shows_time_down_attempt_and_countdown_and_R_reconnects);
	tcase_add_test(tc, smaller_lies_are_gone);
	tcase_add_test(tc, help_scrolls_when_cut_off_at_80x24);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TERM", "xterm-256color", 1);
	SRunner *sr = srunner_create(views_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
