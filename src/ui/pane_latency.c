/*
 * pane_latency: feed latency percentiles (last second, last minute) coloured against the
 * operator's thresholds (shown on that line), pipeline latency in the unit that fits
 * (us, ms, s), and a sparkline of p95.
 *
 * A negative feed latency (local clock behind the exchange) is shown as such, with a
 * loud mark, never clamped to zero.  Reads the model only.
 * Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>

static void put_summary(struct ui_flow *fl, const struct ui *u, const char *what,
                        const struct lat_summary *s)
{
	char t[64];
	ui_flow_put(fl, ui_attr(u, UC_LABEL), what);
	if (s->count == 0) {
		ui_flow_put(fl, ui_attr(u, UC_DIM), "no samples");
		return;
	}
	const struct {
		const char *name;
		int64_t v;
	} q[] = {{"p50", s->p50}, {"p95", s->p95}, {"p99", s->p99}, {"max", s->max}};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		ui_flow_put(fl, ui_attr(u, UC_DIM), q[i].name);
		snprintf(t, sizeof t, "%" PRId64, q[i].v);
		ui_flow_cat(fl, A_NORMAL, " ");
		ui_flow_cat(fl, ui_attr(u, q[i].v < 0 ? UC_NEG : ui_lat_color(u, q[i].v)), t);
	}
	ui_flow_cat(fl, ui_attr(u, UC_DIM), "ms");
}

static void spark_draw(WINDOW *w, const struct ui_frame *f, int y, int width)
{
	const struct ui *u = f->u;
	static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
	                                      "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[8] = {'_', '.', '-', '~', '=', '+', '*', '#'};
	int x = ui_put(w, y, 0, width, ui_attr(u, UC_LABEL), "p95 5m ");
	int n = width - x - 1;
	if (n <= 0) {
		return;
	}
	/* Each glyph covers `per` seconds (the worst of them), newest at the right. */
	int per = (UI_SPARK_SECS + n - 1) / n;
	int glyphs = UI_SPARK_SECS / per;
	if (glyphs > n) {
		glyphs = n;
	}
	int64_t scale = u->opt.lat_crit_ms * 2;
	for (int s = 0; s < UI_SPARK_SECS; s++) {
		int64_t sec = f->now_s - s;
		int slot = (int)(((sec % UI_SPARK_SECS) + UI_SPARK_SECS) % UI_SPARK_SECS);
		if (u->spark_stamp[slot] == sec && u->spark[slot] != INT64_MIN &&
		    u->spark[slot] > scale) {
			scale = u->spark[slot];
		}
	}
	for (int g = 0; g < glyphs; g++) {
		int64_t worst = INT64_MIN;
		for (int k = 0; k < per; k++) {
			int64_t sec = f->now_s - (int64_t)(glyphs - 1 - g) * per - k;
			int slot = (int)(((sec % UI_SPARK_SECS) + UI_SPARK_SECS) % UI_SPARK_SECS);
			if (u->spark_stamp[slot] == sec && u->spark[slot] > worst) {
				worst = u->spark[slot];
			}
		}
		int gx = x + (n - glyphs) + g;
		if (worst == INT64_MIN) {
			ui_put(w, y, gx, 1, ui_attr(u, UC_DIM), " ");
			continue;
		}
		int lv = ui_spark_level(worst, scale);
		attr_t a = ui_attr(u, worst < 0 ? UC_NEG : ui_lat_color(u, worst));
		if (u->utf8) {
			ui_put(w, y, gx, 1, a, blocks[lv]);
		} else {
			char c[2] = {ascii[lv], 0};
			ui_put(w, y, gx, 1, a, c);
		}
	}
}

static void latency_draw(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct market_state *m = f->m;
	const struct ui *u = f->u;
	struct lat_summary s1 = {0}, s60 = {0}, p60 = {0};
	if (m->feed_ms) {
		lat_window_summary(m->feed_ms, f->now_s, 1, &s1);
		lat_window_summary(m->feed_ms, f->now_s, 60, &s60);
	}
	if (m->pipeline_us) {
		lat_window_summary(m->pipeline_us, f->now_s, 60, &p60);
	}
	struct ui_flow fl;
	char t[160];
	ui_flow_init(&fl, w, 0, 1, r->w);
	ui_flow_cat(&fl, ui_attr(u, UC_LABEL) | A_BOLD, "feed latency");
	put_summary(&fl, u, "1s", &s1);
	ui_flow_cat(&fl, ui_attr(u, UC_DIM), " |");
	put_summary(&fl, u, "1m", &s60);
	snprintf(t, sizeof t, "(warn %" PRId64 "ms crit %" PRId64 "ms)", u->opt.lat_warn_ms,
	         u->opt.lat_crit_ms);
	ui_flow_put(&fl, ui_attr(u, UC_DIM), t);

	ui_flow_init(&fl, w, 1, 1, r->w);
	ui_flow_cat(&fl, ui_attr(u, UC_LABEL) | A_BOLD, "pipeline");
	if (p60.count == 0) {
		ui_flow_put(&fl, ui_attr(u, UC_DIM), "no samples");
	} else {
		char a50[32], a99[32], amax[32];
		ui_fmt_us(p60.p50, a50, sizeof a50);
		ui_fmt_us(p60.p99, a99, sizeof a99);
		ui_fmt_us(p60.max, amax, sizeof amax);
		snprintf(t, sizeof t, "1m p50 %s p99 %s max %s", a50, a99, amax);
		ui_flow_put(&fl, A_NORMAL, t);
	}
	if (s60.negative > 0) {
		snprintf(t, sizeof t,
		         " CLOCK BEHIND EXCHANGE: %" PRIu64 " negative samples/1m, min %" PRId64
		         "ms ",
		         s60.negative, s60.min);
		ui_flow_put(&fl, ui_attr(u, UC_NEG), t);
	}
	if (r->h >= 3) {
		spark_draw(w, f, 2, r->w);
	}
}

const struct pane ui_latency_pane = {
    .name = "latency",
    .draw = latency_draw,
    .key = NULL,
};
