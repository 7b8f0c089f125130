/*
 * Tests for the assets table at scale (issue 11): the worst-first order, the state
 * filter's parser, and a 10,000-asset offscreen table whose header counts states, whose
 * keys page through rows sorted at the refresh tick (not re-sorted per key).
 * Never needs a real terminal (the offscreen ui draws into /dev/null) or the network.
 */
#include <check.h>
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"
#include "ui/filter.h"
#include "ui/fmt.h"
#include "ui/keymap.h"
#include "ui/ui.h"

#define NS INT64_C(1000000000)

static void order(enum ui_sort key, bool rev, struct ui_row *rows, size_t n, char *out, size_t cap)
{
	ui_rows_sort(rows, n, key, rev);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char t[32];
		snprintf(t, sizeof t, "%s%s", i ? " " : "", rows[i].label);
		strncat(out, t, cap - strlen(out) - 1);
	}
}

START_TEST(worst_first_orders_by_severity_then_oldest_update_then_label)
{
	const int64_t N = PRICE_NONE;
	struct ui_row rows[] = {
	    {0, UI_DS_FRESH, 10000, 5, 1 * NS, "fresh-new", 1, 2, 1, 1, N},
	    {1, UI_DS_FRESH, 10000, 5, 9 * NS, "fresh-old", 1, 2, 1, 1, N},
	    {2, UI_DS_STALE, 10000, 0, 40 * NS, "stale-40", 1, 2, 1, 1, N},
	    {3, UI_DS_STALE, 10000, 0, 90 * NS, "stale-90", 1, 2, 1, 1, N},
	    {4, UI_DS_NOFEED, N, 0, 3 * NS, "nofeed", N, N, 0, N, N},
	    {5, UI_DS_DRIFT, 10000, 9, 1 * NS, "drift", 1, 2, 1, 1, N},
	    {6, UI_DS_QUIET, 10000, 0, 15 * NS, "quiet", 1, 2, 1, 1, N},
	    {7, UI_DS_AWAITING, N, 0, INT64_MAX, "await-never", N, N, 0, N, N},
	    {8, UI_DS_STALE, 10000, 0, 90 * NS, "stale-90-b", 1, 2, 1, 1, N},
	    {9, UI_DS_FRESH, 10000, 5, 9 * NS, "a-fresh-old", 1, 2, 1, 1, N},
	};
	char got[512];
	order(UI_SORT_WORST, false, rows, sizeof rows / sizeof rows[0], got, sizeof got);
	/* Fresh rows by label: their ages change at every update. */
	const char *want = "drift stale-90 stale-90-b stale-40 nofeed await-never quiet "
	                   "a-fresh-old fresh-new fresh-old";
	ck_assert_msg(strcmp(got, want) == 0, "worst first: expected \"%s\", got \"%s\"", want,
	              got);
	order(UI_SORT_WORST, true, rows, sizeof rows / sizeof rows[0], got, sizeof got);
	want = "a-fresh-old fresh-new fresh-old quiet await-never nofeed stale-40 stale-90 "
	       "stale-90-b drift";
	ck_assert_msg(strcmp(got, want) == 0, "worst first reversed: expected \"%s\", got \"%s\"",
	              want, got);
	ck_assert_str_eq(ui_sort_name(UI_SORT_WORST), "worst");
}
END_TEST

START_TEST(worst_first_comparator_is_antisymmetric_and_total)
{
	struct ui_row a = {1, UI_DS_STALE, 0, 0, 5 * NS, "x", 0, 0, 0, 0, 0};
	struct ui_row b = a;
	b.idx = 2;
	ck_assert_int_lt(ui_row_cmp(&a, &b, UI_SORT_WORST, false), 0); /* same but index */
	ck_assert_int_gt(ui_row_cmp(&b, &a, UI_SORT_WORST, false), 0);
	b.state = UI_DS_CROSSED;
	ck_assert_int_gt(ui_row_cmp(&a, &b, UI_SORT_WORST, false), 0); /* crossed is worse */
	ck_assert_int_lt(ui_row_cmp(&b, &a, UI_SORT_WORST, false), 0);
	b.state = UI_DS_STALE;
	b.age_ns = INT64_MAX; /* never updated counts as the oldest */
	ck_assert_int_gt(ui_row_cmp(&a, &b, UI_SORT_WORST, false), 0);
	ck_assert_int_eq(ui_row_cmp(&a, &a, UI_SORT_WORST, false), 0);
}
END_TEST

static uint32_t bit(enum ui_dstate d)
{
	return UINT32_C(1) << d;
}

START_TEST(state_filter_parses_names_lists_and_text)
{
	struct ui_filter f;
	ck_assert(ui_filter_parse("state:stale", &f));
	ck_assert(f.by_state);
	ck_assert_uint_eq(f.states, bit(UI_DS_STALE));
	ck_assert_str_eq(f.text, "");

	ck_assert(ui_filter_parse("state:stale,drift btc", &f));
	ck_assert_uint_eq(f.states, bit(UI_DS_STALE) | bit(UI_DS_DRIFT));
	ck_assert_str_eq(f.text, "btc");

	ck_assert(ui_filter_parse("  will  STATE:No-Feed it   state:awaiting_snapshot rain ", &f));
	ck_assert_uint_eq(f.states, bit(UI_DS_NOFEED) | bit(UI_DS_AWAITING));
	ck_assert_str_eq(f.text, "will it rain");

	/* A prefix is enough (the filter applies while typing); "await" is the screen word. */
	ck_assert(ui_filter_parse("state:sta,aw,unknown_tok,nofeed", &f));
	ck_assert_uint_eq(f.states, bit(UI_DS_STALE) | bit(UI_DS_AWAITING) | bit(UI_DS_UNKNOWN) |
	                                bit(UI_DS_NOFEED));

	/* "state:" alone, or an empty filter, keeps every state. */
	ck_assert(ui_filter_parse("state: eth", &f));
	ck_assert(!f.by_state);
	ck_assert_str_eq(f.text, "eth");
	ck_assert(ui_filter_parse(NULL, &f));
	ck_assert(!f.by_state && f.text[0] == '\0');

	/* A name that is no state is reported and keeps nothing. */
	ck_assert(!ui_filter_parse("state:stale,bogus x", &f));
	ck_assert_str_eq(f.bad, "bogus");
	ck_assert(!ui_filter_parse("state:zzz", &f));
	ck_assert(!ui_filter_pass(&f, UI_DS_STALE, "x", "1"));
	for (int d = 0; d < UI_DS_COUNT; d++) {
		ck_assert(!ui_filter_pass(&f, (enum ui_dstate)d, "anything", "1"));
	}
}
END_TEST

START_TEST(state_filter_passes_only_the_chosen_states_with_the_text)
{
	struct ui_filter f;
	ck_assert(ui_filter_parse("state:stale,drift Yes", &f));
	ck_assert(ui_filter_pass(&f, UI_DS_STALE, "Yes · rain", "1"));
	ck_assert(ui_filter_pass(&f, UI_DS_DRIFT, "yes · snow", "2"));
	ck_assert(!ui_filter_pass(&f, UI_DS_FRESH, "Yes · rain", "3"));
	ck_assert(!ui_filter_pass(&f, UI_DS_NOFEED, "Yes · rain", "4"));
	ck_assert(!ui_filter_pass(&f, UI_DS_STALE, "No · rain", "5"));
	ck_assert(ui_filter_parse("", &f));
	for (int d = 0; d < UI_DS_COUNT; d++) {
		ck_assert(ui_filter_pass(&f, (enum ui_dstate)d, "any", "1"));
	}
	char names[256];
	ui_filter_state_names(names, sizeof names);
	ck_assert_msg(strstr(names, "fresh") == names && strstr(names, " stale") &&
	                  strstr(names, " drift") && strstr(names, " no-feed"),
	              "expected every state word, got \"%s\"", names);
	ck_assert_str_eq(ui_dstate_word(UI_DS_STALE), "stale");
	ck_assert_str_eq(ui_dstate_word(UI_DS_NOFEED), "no-feed");
}
END_TEST

/* ---- 10,000 assets offscreen ---- */

#define MANY  10000
#define STALE 37 /* assets made stale, oldest first: 0, 1, ... */

static struct market_state m;
static struct ui *u;
static char scr[200 * 60 * 4];

static void render_tick(int64_t now)
{
	ui_render(u, &m, now, clock_real_ns());
}

static void read_screen(void)
{
	size_t n = 0;
	for (int y = 0; y < 50; y++) {
		char row[1024];
		ui_screen_row(u, y, row, sizeof row);
		n += (size_t)snprintf(scr + n, sizeof scr - n, "%s\n", row);
	}
}

static void setup_many(void)
{
	struct market_config cfg;
	market_config_defaults(&cfg);
	ck_assert_int_eq(market_init(&m, &cfg), 0);
	int64_t t0 = clock_mono_ns();
	m.conn.alive = true;
	m.conn.event = CONN_SUBSCRIBED;
	m.conn.started_mono_ns = t0;
	for (int i = 0; i < MANY; i++) {
		char id[32], label[48];
		snprintf(id, sizeof id, "%d", 1000000 + i);
		snprintf(label, sizeof label, "Market %05d", i);
		struct asset *a = market_add(&m, id, label);
		ck_assert_ptr_nonnull(a);
		a->state = i < STALE ? ASSET_STALE : ASSET_FRESH;
		/* Stale ones: the lower the index, the older.  Fresh: all 1 s old. */
		a->last_update_mono_ns = i < STALE ? t0 - (100 - i) * NS : t0 - NS;
	}
	struct ui_options o = {
	    .refresh_ms = 1000, .book_levels = 10, .lat_warn_ms = 5, .lat_crit_ms = 10};
	struct ui_hooks h = {0};
	char err[256];
	u = ui_create_offscreen(&o, &h, NULL, 120, 50, NULL, NULL, err, sizeof err);
	ck_assert_msg(u != NULL, "offscreen ui: %s", err);
}

static void teardown_many(void)
{
	ui_destroy(u);
	market_free(&m);
}

/* Screen rows naming an asset ("Market 0"), with the text st too when st is given. */
static int asset_rows(const char *st)
{
	int n = 0;
	for (const char *l = scr; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char line[1024];
		snprintf(line, sizeof line, "%.*s", (int)len, l);
		n += strstr(line, "Market 0") && (!st || strstr(line, st));
		l += len + (e != NULL);
	}
	return n;
}

/* The selected row in the assets title ("assets 12/10000 of 10000"), or -1. */
static int selected_row(void)
{
	int row, n;
	for (const char *t = strstr(scr, " assets "); t; t = strstr(t + 1, " assets ")) {
		if (sscanf(t, " assets %d/%d", &row, &n) == 2) {
			return row;
		}
	}
	return -1;
}

static void press(int ch, bool is_key)
{
	ui_push_key(u, ch, is_key);
	ck_assert(ui_handle_input(u, &m));
	read_screen();
}

START_TEST(ten_thousand_assets_start_worst_first_with_counts_by_state)
{
	render_tick(clock_mono_ns());
	read_screen();
	ck_assert_msg(strstr(scr, "assets 10000") && strstr(scr, "fresh 9963") &&
	                  strstr(scr, "stale 37") && !strstr(scr, "quiet 0"),
	              "expected the header's counts by state, got:\n%.2000s", scr);
	ck_assert_msg(strstr(scr, "sort worst"), "expected worst first by default:\n%.2000s", scr);
	const char *s0 = strstr(scr, "Market 00000"), *s1 = strstr(scr, "Market 00001");
	const char *s36 = strstr(scr, "Market 00036");
	ck_assert_msg(s0 && s1 && s0 < s1 && (!s36 || s1 < s36) && !strstr(scr, "Market 09999"),
	              "expected the oldest stale assets on top:\n%.2000s", scr);
}
END_TEST

START_TEST(ten_thousand_assets_page_through_rows_sorted_at_the_tick)
{
	int64_t now = clock_mono_ns();
	render_tick(now);
	read_screen();
	ck_assert_msg(strstr(scr, " assets 1/10000 of 10000"), "expected row 1 selected:\n%.2000s",
	              scr);
	press(KEY_NPAGE, true);
	/* The table shows 50 - header - latency - ... rows: a page is what it shows less one. */
	int row = selected_row();
	ck_assert_msg(row > 10, "PgDn: expected the selection a page down, got:\n%.2000s", scr);
	/* Between ticks a key does not re-scan the model: a state that changes now shows at
	 * the next tick, not at the next key. */
	m.assets[MANY - 1].state = ASSET_DRIFT;
	press(KEY_NPAGE, true);
	int row2 = selected_row();
	ck_assert_msg(row2 == 2 * row - 1, "second PgDn: expected row %d, got %d", 2 * row - 1,
	              row2);
	ck_assert_msg(!strstr(scr, "drift 1"), "a key frame re-counted the states:\n%.2000s", scr);
	press(KEY_PPAGE, true);
	row2 = selected_row();
	ck_assert_msg(row2 == row, "PgUp: expected row %d back, got %d", row, row2);
	render_tick(now + NS);
	read_screen();
	ck_assert_msg(strstr(scr, "drift 1") && strstr(scr, "fresh 9962"),
	              "the tick should count the drifting asset:\n%.2000s", scr);
}
END_TEST

START_TEST(ten_thousand_assets_state_filter_keeps_only_those_rows)
{
	render_tick(clock_mono_ns());
	const char *k = "/state:stale\r";
	for (const char *p = k; *p; p++) {
		ui_push_key(u, (unsigned char)*p, false);
	}
	ck_assert(ui_handle_input(u, &m));
	read_screen();
	ck_assert_msg(strstr(scr, " assets 1/37 of 10000"), "expected 37 rows:\n%.2000s", scr);
	ck_assert_msg(asset_rows("STALE") >= 20 && asset_rows(" fresh") == 0,
	              "expected stale rows only:\n%.2000s", scr);
	k = "/\x15state:nope\r"; /* ^U clears the old filter */
	for (const char *p = k; *p; p++) {
		ui_push_key(u, (unsigned char)*p, false);
	}
	ck_assert(ui_handle_input(u, &m));
	read_screen();
	ck_assert_msg(strstr(scr, "no state \"nope\"") && strstr(scr, " assets 0/0 of 10000"),
	              "expected the bad state named and no row:\n%.2000s", scr);
}
END_TEST

static Suite *scale_suite(void)
{
	Suite *s = suite_create("ui_scale");
	TCase *p = tcase_create("pure");
	tcase_add_test(p, worst_first_orders_by_severity_then_oldest_update_then_label);
	tcase_add_test(p, worst_first_comparator_is_antisymmetric_and_total);
	tcase_add_test(p, state_filter_parses_names_lists_and_text);
	tcase_add_test(p, state_filter_passes_only_the_chosen_states_with_the_text);
	suite_add_tcase(s, p);
	TCase *t = tcase_create("ten_thousand");
	tcase_add_checked_fixture(t, setup_many, teardown_many);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, ten_thousand_assets_start_worst_first_with_counts_by_state);
	tcase_add_test(t, ten_thousand_assets_page_through_rows_sorted_at_the_tick);
	tcase_add_test(t, ten_thousand_assets_state_filter_keeps_only_those_rows);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	SRunner *sr = srunner_create(scale_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
