/*
 * Tests for the ui drawn into an offscreen terminal (newterm on /dev/null): what the
 * operator sees for a hand-built model, and what keys do to the model and the hooks.
 * Must never need a real terminal or the network; nothing here measures time.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"
#include "ui/keymap.h"
#include "ui/ui.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#define NS INT64_C(1000000000)

struct calls {
	int commands;           /* hooks.command calls */
	enum feed_op last_op;   /* of the last one */
	char last_ids[512];     /* ditto */
	int lookups;            /* hooks.lookup calls */
	char last_lookup[256];  /* its text */
	int exports;            /* hooks.export_now calls */
	int market_cmds;        /* market's own command hook (resync) */
	enum feed_op market_op; /* its last op */
	char market_ids[256];   /* its last ids */
};

static struct calls calls;
static struct market_state m;
static struct ui *u;
static int64_t t0;

static bool hook_command(void *ctx, enum feed_op op, const char *ids)
{
	(void)ctx;
	calls.commands++;
	calls.last_op = op;
	snprintf(calls.last_ids, sizeof calls.last_ids, "%s", ids);
	return true;
}

static bool hook_export(void *ctx, char *msg, size_t cap)
{
	(void)ctx;
	calls.exports++;
	snprintf(msg, cap, "/tmp/snap-test.json");
	return true;
}

static bool hook_lookup(void *ctx, const char *text)
{
	(void)ctx;
	calls.lookups++;
	snprintf(calls.last_lookup, sizeof calls.last_lookup, "%s", text);
	return true;
}

static bool market_cmd(void *ctx, enum feed_op op, const char *ids)
{
	(void)ctx;
	calls.market_cmds++;
	calls.market_op = op;
	snprintf(calls.market_ids, sizeof calls.market_ids, "%s", ids);
	return true;
}

static struct asset *add_asset(const char *id, const char *label, int64_t bid, int64_t ask)
{
	struct asset *a = market_add(&m, id, label);
	ck_assert_ptr_nonnull(a);
	struct ev_level b[2] = {{bid - 10000, 5000000}, {bid, 12345000000}};
	struct ev_level s[2] = {{ask + 10000, 7000000}, {ask, 250000000}};
	ck_assert_int_eq(book_apply_snapshot(&a->book, b, 2, s, 2), 0);
	a->have_snapshot = true;
	a->state = ASSET_FRESH;
	a->tick = 1000;
	a->last_update_mono_ns = t0 - 2 * NS;
	return a;
}

static void setup(void)
{
	memset(&calls, 0, sizeof calls);
	struct market_config cfg;
	market_config_defaults(&cfg);
	ck_assert_int_eq(market_init(&m, &cfg), 0);
	market_set_cmd(&m, market_cmd, NULL);
	t0 = clock_mono_ns();
	m.conn.started_mono_ns = t0 - 100 * NS;
	m.conn.connected_since_ns = t0 - 50 * NS;
	m.conn.alive = true;
	m.conn.event = CONN_SUBSCRIBED;
	snprintf(m.conn.url, sizeof m.conn.url, "ws://127.0.0.1:9/ws/market");
	snprintf(m.mode, sizeof m.mode, "demo");
	add_asset("111", "Alpha Yes", 311000, 320000);
	add_asset("222", "Bravo No", 500000, 520000);
	add_asset("333", "Charlie Yes", 100000, 200000);
	struct ui_options o = {.refresh_ms = 1000,
	                       .book_levels = 10,
	                       .no_color = false,
	                       .lat_warn_ms = 5,
	                       .lat_crit_ms = 10,
	                       .mouse = true};
	struct ui_hooks h = {
	    .command = hook_command, .export_now = hook_export, .lookup = hook_lookup, .ctx = NULL};
	char err[256] = "";
	u = ui_create_offscreen(&o, &h, NULL, 80, 24, NULL, NULL, err, sizeof err);
	ck_assert_msg(u != NULL, "expected an offscreen ui, got error: %s", err);
}

static void teardown(void)
{
	ui_destroy(u);
	u = NULL;
	market_free(&m);
}

/* The whole screen as text, one line per row. */
static void screen(char *out, size_t cap)
{
	out[0] = '\0';
	for (int y = 0; y < LINES; y++) {
		char row[2048];
		ui_screen_row(u, y, row, sizeof row);
		strncat(out, row, cap - strlen(out) - 2);
		strcat(out, "\n");
	}
}

static char scr[65536];

static void render(void)
{
	ui_render(u, &m, clock_mono_ns(), clock_real_ns());
	screen(scr, sizeof scr);
}

static void keys(const char *s)
{
	for (; *s; s++) {
		ui_push_key(u, (unsigned char)*s, false);
	}
}

/* The screen row holding `needle`, or "" */
static const char *row_with(const char *needle)
{
	static char line[2048];
	const char *p = strstr(scr, needle);
	if (!p) {
		return "";
	}
	const char *b = p;
	while (b > scr && b[-1] != '\n') {
		b--;
	}
	const char *e = strchr(p, '\n');
	snprintf(line, sizeof line, "%.*s", (int)(e - b), b);
	return line;
}

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

/* The screen row (y) whose text holds `needle`, or -1. */
static int row_y(const char *needle)
{
	for (int y = 0; y < LINES; y++) {
		char row[2048];
		ui_screen_row(u, y, row, sizeof row);
		if (strstr(row, needle)) {
			return y;
		}
	}
	return -1;
}

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

/* ---- issue 10, items 11-15 ---- */

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
	keys("<<<"); /* label -> state -> age -> msgs/min: the sorted column always shows */
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

static Suite *ui_suite(void)
{
	Suite *s = suite_create("ui_render");
	TCase *tc = tcase_create("offscreen");
	tcase_add_checked_fixture(tc, setup, teardown);
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
	SRunner *sr = srunner_create(ui_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
