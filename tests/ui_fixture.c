/*
 * ui_fixture: the shared offscreen ui and model of the ui render tests (see
 * ui_fixture.h).  Tests only; never needs a real terminal or the network.
 */
#include "ui_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct calls calls;
struct market_state m;
struct ui *u;
int64_t t0;

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

struct asset *add_asset(const char *id, const char *label, int64_t bid, int64_t ask)
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

void ui_fixture_setup(void)
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
	/* These tests start from the label order (the default is worst first: test_ui_scale). */
	struct ui_view v = {.sort = "label"};
	ck_assert_int_eq(ui_view_set(u, &v, err, sizeof err), 0);
}

void ui_fixture_teardown(void)
{
	ui_destroy(u);
	u = NULL;
	market_free(&m);
}

/* The whole screen as text, one line per row. */
void screen(char *out, size_t cap)
{
	out[0] = '\0';
	for (int y = 0; y < LINES; y++) {
		char row[2048];
		ui_screen_row(u, y, row, sizeof row);
		strncat(out, row, cap - strlen(out) - 2);
		strcat(out, "\n");
	}
}

char scr[65536];

void render(void)
{
	ui_render(u, &m, clock_mono_ns(), clock_real_ns());
	screen(scr, sizeof scr);
}

void keys(const char *s)
{
	for (; *s; s++) {
		ui_push_key(u, (unsigned char)*s, false);
	}
}

/* The screen row holding `needle`, or "" */
const char *row_with(const char *needle)
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

/* The screen row (y) whose text holds `needle`, or -1. */
int row_y(const char *needle)
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
