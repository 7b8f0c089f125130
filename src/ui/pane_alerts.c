/*
 * pane_alerts: the timestamped alert log, newest first, coloured by kind.
 *
 * Alert messages are sanitised by market_alert(); they still go through ui_put.  Reads
 * the model only.
 * Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static enum ui_color kind_color(enum alert_kind k)
{
	switch (k) {
	case ALERT_RECOVERED:
		return UC_OK;
	case ALERT_STALE:
	case ALERT_CROSSED:
	case ALERT_DRIFT:
	case ALERT_GAP:
	case ALERT_FREEZE:
	case ALERT_MALFORMED:
	case ALERT_SERVER:
		return UC_BAD;
	case ALERT_RESYNC:
	case ALERT_RECONNECT:
	case ALERT_CONNECTION:
	case ALERT_TICK_SIZE:
		return UC_WARN;
	case ALERT_RESOLVED:
	case ALERT_EXPORT:
	case ALERT_INFO:
	default:
		return UC_INFO;
	}
}

static void alerts_draw(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct ui *u = f->u;
	const struct market_state *m = f->m;
	ui_title(w, f, UI_PANE_ALERTS, " alerts  %" PRIu64 " raised", m->nalerts);
	int off = u->alerts_off > 0 ? u->alerts_off : 0;
	for (int y = 1; y < r->h; y++, off++) {
		const struct alert *al = market_alert_at(m, (size_t)off);
		if (!al) {
			if (off == 0) {
				ui_put(w, y, 1, r->w - 1, ui_attr(u, UC_DIM), "no alerts");
			}
			break;
		}
		char clk[16], kind[16];
		ui_clock_text(al->t_real_ns, clk, sizeof clk);
		snprintf(kind, sizeof kind, "%-10.10s", alert_kind_name(al->kind));
		int x = ui_put(w, y, 0, r->w, ui_attr(u, UC_DIM), clk) + 1;
		x += ui_put(w, y, x, r->w - x, ui_attr(u, kind_color(al->kind)), kind) + 1;
		if (al->asset_id[0]) {
			/* market_find only looks up; it takes a non-const model. */
			struct asset *as = market_find((struct market_state *)m, al->asset_id,
			                               strlen(al->asset_id));
			char lab[40];
			int cols = 0;
			const char *name = as ? ui_asset_label(as) : al->asset_id;
			size_t k = ui_text_fit(name, 16, &cols);
			snprintf(lab, sizeof lab, "%.*s:", (int)k, name);
			x += ui_put(w, y, x, r->w - x, ui_attr(u, UC_LABEL), lab) + 1;
		}
		ui_put(w, y, x, r->w - x, A_NORMAL, al->message);
	}
}

static void alerts_key(struct ui *u, struct market_state *m, enum ui_action a)
{
	uint64_t n = m->nalerts < ALERT_LOG_SIZE ? m->nalerts : ALERT_LOG_SIZE;
	ui_scroll_offset(&u->alerts_off, a, n > 0 ? (int)n - 1 : 0);
}

const struct pane ui_alerts_pane = {
    .name = "alerts",
    .draw = alerts_draw,
    .key = alerts_key,
};
