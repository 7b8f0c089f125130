/*
 * Tests for the ui's pure parts: the layout function over many terminal sizes, number and
 * duration formatting, sparkline levels, latency classes, display states, the assets sort
 * and filter, column fitting, display-width fitting and the prompt line editor.
 * Must never need a terminal: nothing here calls curses.
 */
#include <check.h>
#include <curses.h>
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ui/fmt.h"
#include "ui/layout.h"
#include "ui/prompt.h"

/* ---- layout ---- */

static bool overlap(const struct ui_rect *a, const struct ui_rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void check_rect(const struct ui_rect *r, int cols, int rows, const char *what)
{
	ck_assert_msg(r->x >= 0 && r->y >= 0 && r->w >= 0 && r->h >= 0,
	              "%dx%d %s: expected no negative field, got x=%d y=%d w=%d h=%d", cols, rows,
	              what, r->x, r->y, r->w, r->h);
	if (ui_rect_empty(r)) {
		ck_assert_msg(r->w == 0 && r->h == 0,
		              "%dx%d %s: a hidden pane should be 0x0, got %dx%d", cols, rows, what,
		              r->w, r->h);
		return;
	}
	ck_assert_msg(r->x + r->w <= cols && r->y + r->h <= rows,
	              "%dx%d %s: expected inside the screen, got x=%d y=%d w=%d h=%d", cols, rows,
	              what, r->x, r->y, r->w, r->h);
}

static void check_layout(int cols, int rows)
{
	struct ui_layout l;
	ui_layout(cols, rows, &l);
	struct ui_rect all[UI_PANE_COUNT + 1];
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		all[i] = l.pane[i];
	}
	all[UI_PANE_COUNT] = l.status;
	for (int i = 0; i <= UI_PANE_COUNT; i++) {
		check_rect(&all[i], cols, rows, i < UI_PANE_COUNT ? "pane" : "status");
		for (int j = i + 1; j <= UI_PANE_COUNT; j++) {
			if (ui_rect_empty(&all[i]) || ui_rect_empty(&all[j])) {
				continue;
			}
			ck_assert_msg(!overlap(&all[i], &all[j]),
			              "%dx%d: expected rects %d and %d disjoint, got (%d,%d %dx%d) "
			              "and (%d,%d %dx%d)",
			              cols, rows, i, j, all[i].x, all[i].y, all[i].w, all[i].h,
			              all[j].x, all[j].y, all[j].w, all[j].h);
		}
	}
	check_rect(&l.help, cols, rows, "help");
}

START_TEST(layout_never_overlaps_or_leaves_the_screen_at_any_size)
{
	for (int cols = 0; cols <= 260; cols++) {
		for (int rows = 0; rows <= 90; rows++) {
			check_layout(cols, rows);
		}
	}
	check_layout(-5, -5);
	check_layout(10000, 5000);
}
END_TEST

START_TEST(layout_80x24_shows_every_pane_with_a_full_width_assets_table)
{
	struct ui_layout l;
	ui_layout(80, 24, &l);
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		ck_assert_msg(!ui_rect_empty(&l.pane[i]),
		              "80x24: expected pane %d shown, got %dx%d", i, l.pane[i].w,
		              l.pane[i].h);
	}
	ck_assert_int_eq(l.pane[UI_PANE_ASSETS].w, 80);
	ck_assert_msg(l.pane[UI_PANE_ASSETS].h >= 6, "expected >= 6 asset rows, got %d",
	              l.pane[UI_PANE_ASSETS].h);
	ck_assert_msg(l.pane[UI_PANE_BOOK].h >= 7, "expected a ladder of >= 7 rows, got %d",
	              l.pane[UI_PANE_BOOK].h);
	ck_assert_int_eq(l.status.y, 23);
	ck_assert_int_eq(l.pane[UI_PANE_HEADER].y, 0);
}
END_TEST

START_TEST(layout_200x60_puts_assets_beside_book_and_trades_beside_alerts)
{
	struct ui_layout l;
	ui_layout(200, 60, &l);
	const struct ui_rect *a = &l.pane[UI_PANE_ASSETS], *b = &l.pane[UI_PANE_BOOK];
	const struct ui_rect *t = &l.pane[UI_PANE_TRADES], *al = &l.pane[UI_PANE_ALERTS];
	ck_assert_int_eq(a->y, b->y);
	ck_assert_msg(b->x > a->x && a->w >= 100, "expected assets wide on the left, got w=%d",
	              a->w);
	ck_assert_int_eq(t->y, al->y);
	ck_assert_msg(a->h >= 25, "expected a tall assets table, got %d rows", a->h);
	ck_assert_int_eq(l.pane[UI_PANE_HEADER].h, 1);
	ck_assert_int_eq(l.pane[UI_PANE_LATENCY].h, 3);
}
END_TEST

START_TEST(layout_40x10_keeps_header_assets_and_status)
{
	struct ui_layout l;
	ui_layout(40, 10, &l);
	ck_assert(!ui_rect_empty(&l.pane[UI_PANE_HEADER]));
	ck_assert(!ui_rect_empty(&l.pane[UI_PANE_ASSETS]));
	ck_assert(!ui_rect_empty(&l.status));
	ck_assert_int_eq(l.pane[UI_PANE_ASSETS].w, 40);
}
END_TEST

START_TEST(layout_1x1_and_0x0_degrade_without_panes)
{
	struct ui_layout l;
	ui_layout(1, 1, &l);
	ck_assert_int_eq(l.pane[UI_PANE_HEADER].w, 1);
	ck_assert(ui_rect_empty(&l.pane[UI_PANE_ASSETS]));
	ck_assert(ui_rect_empty(&l.status));
	ui_layout(0, 0, &l);
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		ck_assert(ui_rect_empty(&l.pane[i]));
	}
}
END_TEST

/* ---- formatting ---- */

struct fmt_case {
	int64_t v;        /* input */
	const char *want; /* text */
};

START_TEST(compact_sizes_truncate_and_pick_a_suffix)
{
	static const struct fmt_case cases[] = {
	    {0, "0"},
	    {1, "0.000001"},
	    {12500000, "12.5"},
	    {1234560000, "1234.56"},
	    {1234567890, "1234.56"},
	    {9999990000, "9999.99"},
	    {INT64_C(10000000000), "10.0k"},
	    {INT64_C(12345000000), "12.3k"},
	    {INT64_C(999999000000), "999k"},
	    {INT64_C(1000000000000), "1.00M"},
	    {INT64_C(1234567000000), "1.23M"},
	    {INT64_C(45600000000000), "45.6M"},
	    {INT64_C(7000000000000000), "7.00B"},
	    {-12500000, "-12.5"},
	    {100000, "0.1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[32];
		size_t n = ui_fmt_compact(cases[i].v, buf, sizeof buf);
		ck_assert_msg(strcmp(buf, cases[i].want) == 0 && n == strlen(buf),
		              "compact(%" PRId64 "): expected \"%s\", got \"%s\"", cases[i].v,
		              cases[i].want, buf);
	}
}
END_TEST

START_TEST(compact_never_overflows_a_small_buffer)
{
	char buf[4];
	size_t n = ui_fmt_compact(INT64_C(1234560000), buf, sizeof buf);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(buf, "123");
}
END_TEST

START_TEST(ages_fit_five_columns)
{
	static const struct fmt_case cases[] = {
	    {INT64_C(850000000), "850ms"},     {INT64_C(12000000000), "12s"},
	    {INT64_C(303000000000), "5m03"},   {INT64_C(7500000000000), "2h05"},
	    {INT64_C(864000000000000), "10d"}, {-1, "-"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[16];
		ui_fmt_age(cases[i].v, buf, sizeof buf);
		ck_assert_msg(strcmp(buf, cases[i].want) == 0 && strlen(buf) <= 5,
		              "age(%" PRId64 "): expected \"%s\", got \"%s\"", cases[i].v,
		              cases[i].want, buf);
	}
}
END_TEST

START_TEST(bps_and_uptime_and_price_text)
{
	char buf[32];
	ui_fmt_bps(24512, buf, sizeof buf);
	ck_assert_str_eq(buf, "245.1");
	ui_fmt_bps(1880000, buf, sizeof buf);
	ck_assert_str_eq(buf, "18800");
	ui_fmt_bps(-150, buf, sizeof buf);
	ck_assert_str_eq(buf, "-1.5");
	ui_fmt_uptime(INT64_C(3723000000000), buf, sizeof buf);
	ck_assert_str_eq(buf, "1h02m");
	ui_fmt_uptime(INT64_C(42000000000), buf, sizeof buf);
	ck_assert_str_eq(buf, "42s");
	ui_fmt_price(311000, buf, sizeof buf);
	ck_assert_str_eq(buf, "0.311");
	ui_fmt_price(PRICE_NONE, buf, sizeof buf);
	ck_assert_str_eq(buf, "-");
}
END_TEST

START_TEST(spark_levels_are_monotone_and_bounded)
{
	int prev = 0;
	for (int64_t v = -5; v <= 30; v++) {
		int lv = ui_spark_level(v, 20);
		ck_assert_msg(lv >= 0 && lv <= 7, "level(%" PRId64 ") = %d out of 0..7", v, lv);
		ck_assert_msg(lv >= prev, "level(%" PRId64 ") = %d fell below %d", v, lv, prev);
		prev = lv;
	}
	ck_assert_int_eq(ui_spark_level(0, 20), 0);
	ck_assert_int_eq(ui_spark_level(20, 20), 7);
	ck_assert_int_eq(ui_spark_level(10, 20), 4);
	ck_assert_int_eq(ui_spark_level(INT64_MAX - 1, INT64_MAX), 7);
}
END_TEST

START_TEST(latency_class_matches_the_thresholds)
{
	ck_assert_int_eq(ui_lat_class(4, 5, 10), 0);
	ck_assert_int_eq(ui_lat_class(-3, 5, 10), 0);
	ck_assert_int_eq(ui_lat_class(5, 5, 10), 1);
	ck_assert_int_eq(ui_lat_class(10, 5, 10), 1);
	ck_assert_int_eq(ui_lat_class(11, 5, 10), 2);
	ck_assert_int_eq(ui_lat_class(30, 20, 50), 1);
}
END_TEST

START_TEST(quiet_on_a_dead_connection_shows_no_feed_not_quiet)
{
	ck_assert_int_eq(ui_display_state(ASSET_QUIET, true), UI_DS_QUIET);
	ck_assert_int_eq(ui_display_state(ASSET_QUIET, false), UI_DS_NOFEED);
	ck_assert_int_eq(ui_display_state(ASSET_FRESH, false), UI_DS_NOFEED);
	ck_assert_int_eq(ui_display_state(ASSET_STALE, false), UI_DS_NOFEED);
	ck_assert_int_eq(ui_display_state(ASSET_RESOLVED, false), UI_DS_RESOLVED);
	ck_assert_int_eq(ui_display_state(ASSET_CROSSED, false), UI_DS_CROSSED);
	ck_assert_str_eq(ui_dstate_text(UI_DS_NOFEED), "no feed");
	ck_assert_str_ne(ui_dstate_text(UI_DS_NOFEED), ui_dstate_text(UI_DS_QUIET));
}
END_TEST

/* ---- sorting and filtering ---- */

static void sorted_labels(enum ui_sort key, bool reverse, char *out, size_t cap)
{
	const int64_t N = PRICE_NONE;
	struct ui_row rows[] = {
	    {0, UI_DS_FRESH, 20000, 50, INT64_C(1000000000), "delta", 400000, 420000, 48780, 410000,
	     415000},
	    {1, UI_DS_STALE, N, 0, INT64_MAX, "alpha", 300000, N, 0, N, N},
	    {2, UI_DS_QUIET, 10000, 500, INT64_C(5000000000), "charlie", 100000, 110000, 95238,
	     105000, 100000},
	    {3, UI_DS_DRIFT, 30000, 5, INT64_C(2000000000), "bravo", 500000, 530000, 58252, 515000,
	     N},
	    {4, UI_DS_FRESH, 10000, 500, INT64_C(1000000000), "charlie", 200000, 210000, 48780,
	     205000, 205000},
	};
	ui_rows_sort(rows, sizeof rows / sizeof rows[0], key, reverse);
	out[0] = '\0';
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char t[32];
		snprintf(t, sizeof t, "%s%s/%u", i ? " " : "", rows[i].label, rows[i].idx);
		strncat(out, t, cap - strlen(out) - 1);
	}
}

START_TEST(sort_orders_rows_by_each_key_with_a_total_tiebreak)
{
	static const struct {
		enum ui_sort key;
		bool reverse;
		const char *want;
	} cases[] = {
	    {UI_SORT_LABEL, false, "alpha/1 bravo/3 charlie/2 charlie/4 delta/0"},
	    {UI_SORT_SPREAD, false, "bravo/3 delta/0 charlie/2 charlie/4 alpha/1"},
	    {UI_SORT_MSGS, false, "charlie/2 charlie/4 delta/0 bravo/3 alpha/1"},
	    {UI_SORT_AGE, false, "alpha/1 charlie/2 bravo/3 charlie/4 delta/0"},
	    {UI_SORT_STATE, false, "bravo/3 alpha/1 charlie/2 charlie/4 delta/0"},
	    {UI_SORT_BID, false, "bravo/3 delta/0 alpha/1 charlie/4 charlie/2"},
	    {UI_SORT_ASK, false, "bravo/3 delta/0 charlie/4 charlie/2 alpha/1"},
	    {UI_SORT_BPS, false, "charlie/2 bravo/3 charlie/4 delta/0 alpha/1"},
	    {UI_SORT_MID, false, "bravo/3 delta/0 charlie/4 charlie/2 alpha/1"},
	    {UI_SORT_LAST, false, "delta/0 charlie/4 charlie/2 alpha/1 bravo/3"},
	    /* Reversed: the order flips, rows without the value stay last, ties stay put. */
	    {UI_SORT_LABEL, true, "delta/0 charlie/2 charlie/4 bravo/3 alpha/1"},
	    {UI_SORT_SPREAD, true, "charlie/2 charlie/4 delta/0 bravo/3 alpha/1"},
	    {UI_SORT_LAST, true, "charlie/2 charlie/4 delta/0 alpha/1 bravo/3"},
	    {UI_SORT_AGE, true, "charlie/4 delta/0 bravo/3 charlie/2 alpha/1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char got[256];
		sorted_labels(cases[i].key, cases[i].reverse, got, sizeof got);
		ck_assert_msg(strcmp(got, cases[i].want) == 0,
		              "sort %s%s: expected \"%s\", got \"%s\"", ui_sort_name(cases[i].key),
		              cases[i].reverse ? " reversed" : "", cases[i].want, got);
	}
}
END_TEST

START_TEST(every_column_has_a_sort_key_with_a_name)
{
	static const char *const want[] = {"label", "bid",      "ask", "spread", "bps",  "mid",
	                                   "last",  "msgs/min", "age", "state",  "worst"};
	ck_assert_int_eq(UI_SORT_COUNT, sizeof want / sizeof want[0]);
	for (int k = 0; k < UI_SORT_COUNT; k++) {
		ck_assert_str_eq(ui_sort_name((enum ui_sort)k), want[k]);
	}
}
END_TEST

START_TEST(microseconds_take_the_unit_that_fits)
{
	static const struct {
		int64_t us;
		const char *want;
	} cases[] = {
	    {0, "0us"},         {850, "850us"},         {1000, "1.0ms"},
	    {12345, "12.3ms"},  {999999, "999.9ms"},    {1000000, "1.00s"},
	    {4567000, "4.56s"}, {59489935, "59.48s"},   {303000000, "5m03"},
	    {-2500, "-2.5ms"},  {INT64_MAX, "106751d"}, {INT64_MIN, "-106751d"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[32];
		ui_fmt_us(cases[i].us, buf, sizeof buf);
		ck_assert_msg(strcmp(buf, cases[i].want) == 0,
		              "%lld us: expected \"%s\", got \"%s\"", (long long)cases[i].us,
		              cases[i].want, buf);
	}
}
END_TEST

START_TEST(filter_matches_label_or_id_substring_ignoring_case)
{
	ck_assert(ui_filter_match("", "x", "1"));
	ck_assert(ui_filter_match("TRUMP", "Will Trump win? Yes", "123"));
	ck_assert(ui_filter_match("4567", "Yes", "1234567"));
	ck_assert(!ui_filter_match("biden", "Will Trump win? Yes", "1234567"));
	ck_assert(!ui_filter_match("yes!", "Yes", "1"));
}
END_TEST

/* ---- columns and display width ---- */

static const struct ui_col test_cols[] = {
    {"label", 0, 0, true, false}, {"bid", 7, 1, false, true}, {"ask", 7, 1, false, true},
    {"mid", 7, 5, false, true},   {"age", 5, 3, false, true}, {"state", 8, 2, false, false},
};
#define NTEST_COLS (sizeof test_cols / sizeof test_cols[0])

START_TEST(columns_drop_least_important_first_and_label_takes_the_rest)
{
	bool shown[NTEST_COLS];
	int lw = ui_fit_columns(test_cols, NTEST_COLS, 200, 10, 40, shown);
	ck_assert_int_eq(lw, 40);
	for (size_t i = 0; i < NTEST_COLS; i++) {
		ck_assert_msg(shown[i], "200 cols: expected column %zu shown", i);
	}
	/* fixed 34 + 5 gaps = 39; at 45 the label would get 6 < 10: drop mid (prio 5). */
	lw = ui_fit_columns(test_cols, NTEST_COLS, 45, 10, 40, shown);
	ck_assert_msg(!shown[3] && shown[4] && shown[5], "45 cols: expected only mid dropped");
	ck_assert_int_eq(lw, 45 - 27 - 4);
	lw = ui_fit_columns(test_cols, NTEST_COLS, 5, 10, 40, shown);
	ck_assert_msg(shown[0], "the label is never dropped");
	for (size_t i = 1; i < NTEST_COLS; i++) {
		ck_assert_msg(!shown[i], "5 cols: expected column %zu dropped", i);
	}
	ck_assert_int_eq(lw, 5);
}
END_TEST

START_TEST(text_fit_counts_display_columns_not_bytes)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	int cols = 0;
	ck_assert_int_eq(ui_text_fit("h\xc3\xa9llo", 2, &cols), 3); /* "hé" */
	ck_assert_int_eq(cols, 2);
	ck_assert_int_eq(ui_text_fit("\xe6\x97\xa5\xe6\x9c\xac", 3, &cols), 3); /* one CJK */
	ck_assert_int_eq(cols, 2);
	ck_assert_int_eq(ui_text_fit("abc", 10, &cols), 3);
	ck_assert_int_eq(cols, 3);
	ck_assert_int_eq(ui_text_fit("\xff\xfe", 1, &cols), 1); /* invalid: one column each */
	setlocale(LC_CTYPE, "C");
}
END_TEST

/* ---- prompt ---- */

static void type(struct ui_prompt *p, const char *s)
{
	for (; *s; s++) {
		ui_prompt_key(p, (unsigned char)*s, false);
	}
}

START_TEST(prompt_edits_in_the_middle_with_arrows_home_end_backspace_delete)
{
	struct ui_prompt p;
	ui_prompt_reset(&p);
	type(&p, "acd");
	ui_prompt_key(&p, KEY_LEFT, true);
	ui_prompt_key(&p, KEY_LEFT, true);
	type(&p, "b");
	ck_assert_str_eq(p.text, "abcd");
	ck_assert_uint_eq(p.cur, 2);
	ui_prompt_key(&p, KEY_HOME, true);
	ui_prompt_key(&p, KEY_DC, true);
	ck_assert_str_eq(p.text, "bcd");
	ui_prompt_key(&p, KEY_END, true);
	ui_prompt_key(&p, KEY_BACKSPACE, true);
	ui_prompt_key(&p, 127, false);
	ck_assert_str_eq(p.text, "b");
	ui_prompt_key(&p, KEY_RIGHT, true);
	ck_assert_uint_eq(p.cur, 1);
	ui_prompt_key(&p, KEY_BACKSPACE, true);
	ui_prompt_key(&p, KEY_BACKSPACE, true);
	ck_assert_str_eq(p.text, "");
	ck_assert_uint_eq(p.cur, 0);
}
END_TEST

START_TEST(prompt_ctrl_w_deletes_a_word_and_ctrl_u_the_line_before_the_cursor)
{
	struct ui_prompt p;
	ui_prompt_reset(&p);
	type(&p, "111 222  333");
	ui_prompt_key(&p, 0x17, false);
	ck_assert_str_eq(p.text, "111 222  ");
	ui_prompt_key(&p, 0x17, false);
	ck_assert_str_eq(p.text, "111 ");
	type(&p, "9");
	ui_prompt_key(&p, KEY_LEFT, true);
	ui_prompt_key(&p, 0x15, false);
	ck_assert_str_eq(p.text, "9");
	ck_assert_uint_eq(p.cur, 0);
}
END_TEST

START_TEST(prompt_enter_finishes_escape_cancels_and_controls_are_ignored)
{
	struct ui_prompt p;
	ui_prompt_reset(&p);
	ck_assert_int_eq(ui_prompt_key(&p, 0x07, false), UI_PROMPT_EDITING);
	ck_assert_int_eq(ui_prompt_key(&p, 0x9b, false), UI_PROMPT_EDITING);
	ck_assert_int_eq(ui_prompt_key(&p, 0x1234, false), UI_PROMPT_EDITING);
	ck_assert_str_eq(p.text, "");
	ck_assert_int_eq(ui_prompt_key(&p, '\r', false), UI_PROMPT_DONE);
	ck_assert_int_eq(ui_prompt_key(&p, KEY_ENTER, true), UI_PROMPT_DONE);
	ck_assert_int_eq(ui_prompt_key(&p, 27, false), UI_PROMPT_CANCEL);
}
END_TEST

START_TEST(prompt_stops_at_its_capacity)
{
	static struct ui_prompt p;
	ui_prompt_reset(&p);
	for (int i = 0; i < UI_PROMPT_MAX + 100; i++) {
		ui_prompt_key(&p, '7', false);
	}
	ck_assert_uint_eq(p.len, UI_PROMPT_MAX);
	ck_assert_uint_eq(strlen(p.text), UI_PROMPT_MAX);
}
END_TEST

START_TEST(words_split_on_spaces_and_commas_and_token_ids_are_digits)
{
	const char *s = "  123, my-slug  456 ";
	size_t pos = 0, len = 0;
	const char *w = ui_next_word(s, &pos, &len);
	ck_assert(w && len == 3 && ui_is_token_id(w, len));
	w = ui_next_word(s, &pos, &len);
	ck_assert(w && len == 7 && !ui_is_token_id(w, len));
	w = ui_next_word(s, &pos, &len);
	ck_assert(w && len == 3 && memcmp(w, "456", 3) == 0);
	ck_assert_ptr_null(ui_next_word(s, &pos, &len));
	char big[100];
	memset(big, '1', sizeof big);
	ck_assert(ui_is_token_id(big, 78));
	ck_assert(!ui_is_token_id(big, 79));
	ck_assert(!ui_is_token_id("", 0));
}
END_TEST

static Suite *ui_suite(void)
{
	Suite *s = suite_create("ui_pure");
	TCase *l = tcase_create("layout");
	tcase_set_timeout(l, 60);
	tcase_add_test(l, layout_never_overlaps_or_leaves_the_screen_at_any_size);
	tcase_add_test(l, layout_80x24_shows_every_pane_with_a_full_width_assets_table);
	tcase_add_test(l, layout_200x60_puts_assets_beside_book_and_trades_beside_alerts);
	tcase_add_test(l, layout_40x10_keeps_header_assets_and_status);
	tcase_add_test(l, layout_1x1_and_0x0_degrade_without_panes);
	suite_add_tcase(s, l);
	TCase *f = tcase_create("fmt");
	tcase_add_test(f, compact_sizes_truncate_and_pick_a_suffix);
	tcase_add_test(f, compact_never_overflows_a_small_buffer);
	tcase_add_test(f, ages_fit_five_columns);
	tcase_add_test(f, bps_and_uptime_and_price_text);
	tcase_add_test(f, spark_levels_are_monotone_and_bounded);
	tcase_add_test(f, latency_class_matches_the_thresholds);
	tcase_add_test(f, quiet_on_a_dead_connection_shows_no_feed_not_quiet);
	tcase_add_test(f, sort_orders_rows_by_each_key_with_a_total_tiebreak);
	tcase_add_test(f, every_column_has_a_sort_key_with_a_name);
	tcase_add_test(f, microseconds_take_the_unit_that_fits);
	tcase_add_test(f, filter_matches_label_or_id_substring_ignoring_case);
	tcase_add_test(f, columns_drop_least_important_first_and_label_takes_the_rest);
	tcase_add_test(f, text_fit_counts_display_columns_not_bytes);
	suite_add_tcase(s, f);
	TCase *p = tcase_create("prompt");
	tcase_add_test(p, prompt_edits_in_the_middle_with_arrows_home_end_backspace_delete);
	tcase_add_test(p, prompt_ctrl_w_deletes_a_word_and_ctrl_u_the_line_before_the_cursor);
	tcase_add_test(p, prompt_enter_finishes_escape_cancels_and_controls_are_ignored);
	tcase_add_test(p, prompt_stops_at_its_capacity);
	tcase_add_test(p, words_split_on_spaces_and_commas_and_token_ids_are_digits);
	suite_add_tcase(s, p);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ui_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
