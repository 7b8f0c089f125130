/*
 * pane_trades: trade flow over the last 60 s (overall and for the selected asset:
 * trades/min, taker buy vs sell volume, notional, VWAP) above a tape of the latest
 * trades coloured by the taker's side.
 *
 * VWAP is computed in integers (notional micro-dollars * 10^6 / micro-shares).  Reads
 * the model only.
 * Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int64_t flow_vwap(int64_t notional, int64_t volume)
{
	if (volume <= 0 || notional < 0) {
		return PRICE_NONE;
	}
#ifdef __SIZEOF_INT128__
	return (int64_t)(((unsigned __int128)notional * (unsigned __int128)NUM_SCALE +
	                  (unsigned __int128)volume / 2) /
	                 (unsigned __int128)volume);
#else
	return (int64_t)((double)notional * (double)NUM_SCALE / (double)volume + 0.5);
#endif
}

static void flow_line(WINDOW *w, const struct ui_frame *f, int y, int width, const char *who,
                      const struct flow *fl)
{
	const struct ui *u = f->u;
	int64_t n = rate_sum(&fl->trades, f->now_s, 60);
	int64_t buy = rate_sum(&fl->buy_vol, f->now_s, 60);
	int64_t sell = rate_sum(&fl->sell_vol, f->now_s, 60);
	int64_t notional = rate_sum(&fl->notional, f->now_s, 60);
	char b[32], s[32], no[32], vw[NUM_BUF], t[96];
	ui_fmt_compact(buy, b, sizeof b);
	ui_fmt_compact(sell, s, sizeof s);
	ui_fmt_compact(notional, no, sizeof no);
	ui_fmt_price(flow_vwap(notional, buy + sell), vw, sizeof vw);
	struct ui_flow fw;
	ui_flow_init(&fw, w, y, 1, width);
	char lab[24];
	int cols = 0;
	size_t k = ui_text_fit(who, 12, &cols);
	snprintf(lab, sizeof lab, "%.*s", (int)k, who);
	ui_flow_cat(&fw, ui_attr(u, UC_LABEL), lab);
	snprintf(t, sizeof t, "%" PRId64 " tr/m", n);
	ui_flow_put(&fw, A_NORMAL, t);
	ui_flow_put(&fw, ui_attr(u, UC_DIM), "buy");
	ui_flow_put(&fw, ui_attr(u, UC_BID), b);
	ui_flow_put(&fw, ui_attr(u, UC_DIM), "sell");
	ui_flow_put(&fw, ui_attr(u, UC_ASK), s);
	snprintf(t, sizeof t, "$%s", no);
	ui_flow_put(&fw, A_NORMAL, t);
	ui_flow_put(&fw, ui_attr(u, UC_DIM), "vwap");
	ui_flow_put(&fw, A_BOLD, vw);
}

/* What the flow lines cover: the last 60 s, and how much of it the feed was down (or up,
 * after a reconnect). */
static const char *flow_span(const struct ui_frame *f, char *buf, size_t cap)
{
	const struct conn_info *c = &f->m->conn;
	char a[32];
	if (strcmp(f->m->mode, "replay") == 0) {
		snprintf(buf, cap, "60s");
	} else if (!c->alive) {
		ui_fmt_uptime(c->down_since_ns > 0 ? f->now_mono - c->down_since_ns : 0, a,
		              sizeof a);
		snprintf(buf, cap, "60s (down %s)", a);
	} else if (c->connected_since_ns > 0 &&
	           f->now_mono - c->connected_since_ns < 60 * NS_PER_S) {
		ui_fmt_uptime(f->now_mono - c->connected_since_ns, a, sizeof a);
		snprintf(buf, cap, "60s (up %s)", a);
	} else {
		snprintf(buf, cap, "60s");
	}
	return buf;
}

static void trades_draw(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct ui *u = f->u;
	const struct market_state *m = f->m;
	char span[96];
	ui_title(w, f, UI_PANE_TRADES, " trades  %" PRIu64 " since start  flow %s", m->ntrades,
	         flow_span(f, span, sizeof span));
	int y = 1;
	if (y < r->h) {
		flow_line(w, f, y++, r->w, "all", &m->flow);
	}
	const struct asset *sel = ui_selected(u, m);
	if (sel && y < r->h && r->h >= 5) {
		flow_line(w, f, y++, r->w, ui_asset_label(sel), &sel->flow);
	}
	int off = u->trades_off > 0 ? u->trades_off : 0;
	for (; y < r->h; y++, off++) {
		const struct trade *t = market_trade_at(m, (size_t)off);
		if (!t) {
			if (off == 0) {
				ui_put(w, y, 1, r->w - 1, ui_attr(u, UC_DIM), "no trades yet");
			}
			break;
		}
		char clk[16], p[NUM_BUF], sz[32];
		/* A replayed raw frame has no receipt time: the exchange's is the next best
		 * (bounded: it came from the network and must not overflow). */
		int64_t when = t->t_real_ns;
		if (when <= 0 && t->ts_ms > 0 && t->ts_ms < INT64_MAX / 1000000) {
			when = t->ts_ms * 1000000;
		}
		ui_clock_text(when, clk, sizeof clk);
		ui_fmt_price(t->price, p, sizeof p);
		ui_fmt_compact(t->size, sz, sizeof sz);
		attr_t sa = ui_attr(u, t->side == SIDE_BID ? UC_BID : UC_ASK);
		int x = ui_put(w, y, 0, r->w, ui_attr(u, UC_DIM), clk) + 1;
		x += ui_put(w, y, x, r->w - x, sa | A_BOLD, t->side == SIDE_BID ? "BUY " : "SELL") +
		     1;
		ui_put_right(w, y, x, 8, sa, p);
		x += 9;
		ui_put_right(w, y, x, 7, A_NORMAL, sz);
		x += 8;
		const char *lab =
		    t->asset < m->nassets ? ui_asset_label(&m->assets[t->asset]) : "?";
		ui_put(w, y, x, r->w - x, A_NORMAL, lab);
	}
}

static void trades_key(struct ui *u, struct market_state *m, enum ui_action a)
{
	uint64_t n = m->ntrades < TAPE_SIZE ? m->ntrades : TAPE_SIZE;
	/* The tape's rows: the pane less its title and the one or two flow lines. */
	int vis = u->lay.pane[UI_PANE_TRADES].h - (u->lay.pane[UI_PANE_TRADES].h >= 5 ? 3 : 2);
	int max = (int)n - (vis > 0 ? vis : 1);
	ui_scroll_offset(&u->trades_off, a, max > 0 ? max : 0);
}

const struct pane ui_trades_pane = {
    .name = "trades",
    .draw = trades_draw,
    .key = trades_key,
};
