/*
 * pane_alerts: the alert log, newest first: unread mark, time, severity, kind, then the
 * diagnosis and what it is about (one asset's label, or "24 assets" for a grouped storm).
 * The top row is the one Enter opens; the alerts filter (f) keeps a severity and worse,
 * one kind, or rows whose text or assets match.
 *
 * Alert messages are sanitised by market_alert(); they still go through ui_put.  Reads
 * the model only (acknowledge and clear go through market_alerts_ack/clear in input.c).
 * Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static enum ui_color severity_color(enum alert_kind k)
{
	if (k == ALERT_RECOVERED) {
		return UC_OK;
	}
	switch (alert_kind_severity(k)) {
	case ALERT_SEV_CRIT:
		return UC_BAD;
	case ALERT_SEV_WARN:
		return UC_WARN;
	default:
		return UC_INFO;
	}
}

static bool alert_match(const struct market_state *m, const struct alert *al, const char *f)
{
	if (!f[0]) {
		return true;
	}
	for (int s = 0; s < ALERT_SEV_COUNT; s++) {
		if (strcmp(f, alert_severity_name((enum alert_severity)s)) == 0) {
			return (int)alert_kind_severity(al->kind) >= s;
		}
	}
	for (int k = 0; k < ALERT_KIND_COUNT; k++) {
		if (strcmp(f, alert_kind_name((enum alert_kind)k)) == 0) {
			return al->kind == (enum alert_kind)k;
		}
	}
	if (ui_filter_match(f, al->message, al->asset_id)) {
		return true;
	}
	for (uint32_t i = 0; i < al->nassets && i < ALERT_GROUP_IDS; i++) {
		const struct asset *a = &m->assets[al->asset_idx[i]];
		if (ui_filter_match(f, a->label, a->id)) {
			return true;
		}
	}
	return false;
}

const struct alert *ui_alert_row(const struct ui *u, const struct market_state *m, size_t i,
                                 uint64_t *abs)
{
	const struct alert *al;
	for (size_t j = 0; (al = market_alert_at(m, j)) != NULL; j++) {
		if (alert_match(m, al, u->alert_filter) && i-- == 0) {
			if (abs) {
				*abs = m->nalerts - 1 - j;
			}
			return al;
		}
	}
	return NULL;
}

const struct alert *ui_alert_by_abs(const struct market_state *m, uint64_t abs)
{
	return abs < m->nalerts ? market_alert_at(m, (size_t)(m->nalerts - 1 - abs)) : NULL;
}

static size_t alert_rows(const struct ui *u, const struct market_state *m)
{
	size_t n = 0;
	const struct alert *al;
	for (size_t j = 0; (al = market_alert_at(m, j)) != NULL; j++) {
		n += alert_match(m, al, u->alert_filter);
	}
	return n;
}

/* " · Alpha Yes", " · 24 assets", plus " x5" when the row counts more alerts than that. */
static void about_text(const struct market_state *m, const struct alert *al, char *t, size_t cap)
{
	size_t n = 0;
	t[0] = '\0';
	if (al->nassets == 1) {
		n = (size_t)snprintf(t, cap, " \u00b7 %s",
		                     ui_asset_label(&m->assets[al->asset_idx[0]]));
	} else if (al->nassets > 1) {
		n = (size_t)snprintf(t, cap, " \u00b7 %" PRIu32 " assets", al->nassets);
	}
	if (n < cap && al->count > (al->nassets > 1 ? al->nassets : 1)) {
		snprintf(t + n, cap - n, " x%" PRIu32, al->count);
	}
}

static void alert_line(WINDOW *w, const struct ui_frame *f, int y, int width,
                       const struct alert *al, bool cursor)
{
	const struct ui *u = f->u;
	attr_t base = cursor ? ui_attr(u, UC_SELECT) : A_NORMAL;
	if (cursor) {
		ui_fill(w, y, 0, width, base);
	}
	char clk[16], kind[24], about[ASSET_LABEL_MAX + 32];
	ui_clock_text(al->t_last_real_ns, clk, sizeof clk);
	bool unread = al->seq > f->m->alerts_acked_seq;
	/* Narrow: HH:MM, the severity's initial and no padding, so the diagnosis shows. */
	bool narrow = width < 80;
	if (narrow) {
		clk[5] = '\0';
	}
	int x = ui_put(w, y, 0, width, base | A_BOLD, unread ? "*" : " ");
	x += ui_put(w, y, x, width - x, cursor ? base : ui_attr(u, UC_DIM), clk) + 1;
	const char *sev = alert_severity_name(alert_kind_severity(al->kind));
	if (narrow) {
		snprintf(kind, sizeof kind, "%c %s", sev[0] - 'a' + 'A', alert_kind_name(al->kind));
	} else {
		snprintf(kind, sizeof kind, "%s %-9.9s", sev, alert_kind_name(al->kind));
	}
	x +=
	    ui_put(w, y, x, width - x, cursor ? base : ui_attr(u, severity_color(al->kind)), kind) +
	    1;
	x += ui_put(w, y, x, width - x, base, al->message);
	about_text(f->m, al, about, sizeof about);
	ui_put(w, y, x, width - x, cursor ? base : ui_attr(u, UC_LABEL), about);
}

static void alerts_draw(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct ui *u = f->u;
	const struct market_state *m = f->m;
	size_t unread = 0, rows = 0;
	const struct alert *al;
	for (size_t j = 0; (al = market_alert_at(m, j)) != NULL; j++) {
		unread += al->seq > m->alerts_acked_seq;
		rows++;
	}
	char filt[80] = "", fresh[48] = "";
	if (u->alert_filter[0]) {
		snprintf(filt, sizeof filt, "  filter \"%.40s\" %zu", u->alert_filter,
		         alert_rows(u, m));
	}
	if (u->alerts_off > 0 && m->alert_seq > u->alerts_scroll_seq) {
		snprintf(fresh, sizeof fresh, "  NEW ALERTS ABOVE (g)");
	}
	ui_title(w, f, UI_PANE_ALERTS, " alerts  %zu rows, %zu unread  (%" PRIu64 " raised)%s%s",
	         rows, unread, m->alerts_raised, filt, fresh);
	int off = u->alerts_off > 0 ? u->alerts_off : 0;
	for (int y = 1; y < r->h; y++, off++) {
		al = ui_alert_row(u, m, (size_t)off, NULL);
		if (!al) {
			if (off == 0) {
				ui_put(w, y, 1, r->w - 1, ui_attr(u, UC_DIM),
				       rows ? "no alert matches the filter (f then Esc clears it)"
				            : "no alerts");
			}
			break;
		}
		alert_line(w, f, y, r->w, al, y == 1 && u->focus == UI_PANE_ALERTS);
	}
}

static void alerts_key(struct ui *u, struct market_state *m, enum ui_action a)
{
	size_t n = alert_rows(u, m);
	bool was_top = u->alerts_off == 0;
	ui_scroll_offset(&u->alerts_off, a, n > 0 ? (int)n - 1 : 0);
	if (was_top && u->alerts_off > 0) {
		u->alerts_scroll_seq = m->alert_seq; /* newer than this: "new alerts above" */
	}
}

const struct pane ui_alerts_pane = {
    .name = "alerts",
    .draw = alerts_draw,
    .key = alerts_key,
};
