/*
 * draw: text helpers every pane uses, so that clipping to a width, replacing anything
 * unprintable and colour-or-monochrome attributes are decided in one place.
 *
 * Must never write outside the rectangle it is given or put a control character on the
 * terminal: everything goes through ui_put(), which turns non-printables into '?'.
 * Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>

static const struct {
	attr_t color_extra; /* added to the colour pair */
	attr_t mono;        /* used instead when monochrome */
} color_attrs[] = {
#define X(e, fg, bg, ca, ma) [e] = {ca, ma},
    UI_COLORS(X)
#undef X
};

attr_t ui_attr(const struct ui *u, enum ui_color c)
{
	if ((unsigned)c >= UC_COUNT) {
		return A_NORMAL;
	}
	if (u->color) {
		return (attr_t)COLOR_PAIR((int)c + 1) | color_attrs[c].color_extra;
	}
	return color_attrs[c].mono;
}

#define PUT_CHUNK 256

int ui_put(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s)
{
	if (!w || maxw <= 0 || !s) {
		return 0;
	}
	int wy, wx;
	getmaxyx(w, wy, wx);
	if (y < 0 || y >= wy || x < 0 || x >= wx) {
		return 0;
	}
	if (maxw > wx - x) {
		maxw = wx - x;
	}
	wchar_t buf[PUT_CHUNK + 1];
	size_t nb = 0;
	int used = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s), off = 0;
	while (off < len && nb < PUT_CHUNK) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + off, len - off, &st);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			/* Not a character in this locale (UTF-8 text in a C locale, say): one
			 * '?' for the whole UTF-8 sequence, so the columns still line up. */
			memset(&st, 0, sizeof st);
			k = 1;
			if ((unsigned char)s[off] >= 0xc0)
				while (k < 4 && off + k < len &&
				       ((unsigned char)s[off + k] & 0xc0) == 0x80)
					k++;
			wc = L'?';
			cw = 1;
		} else if (!iswprint((wint_t)wc) || (cw = wcwidth(wc)) < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > maxw) {
			break;
		}
		buf[nb++] = wc;
		used += cw;
		off += k;
	}
	buf[nb] = L'\0';
	wattrset(w, (int)a);
	mvwaddnwstr(w, y, x, buf, (int)nb);
	wattrset(w, A_NORMAL);
	return used;
}

int ui_putf(WINDOW *w, int y, int x, int maxw, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_put(w, y, x, maxw, a, buf);
}

void ui_put_right(WINDOW *w, int y, int x, int width, attr_t a, const char *s)
{
	int cols = 0;
	size_t n = ui_text_fit(s, width, &cols);
	(void)n;
	ui_put(w, y, x + width - cols, cols, a, s);
}

void ui_fill(WINDOW *w, int y, int x, int n, attr_t a)
{
	int wy, wx;
	getmaxyx(w, wy, wx);
	if (y < 0 || y >= wy || x < 0 || n <= 0) {
		return;
	}
	if (n > wx - x) {
		n = wx - x;
	}
	wattrset(w, (int)a);
	mvwhline(w, y, x, ' ', n);
	wattrset(w, A_NORMAL);
}

void ui_title(WINDOW *w, const struct ui_frame *f, enum ui_pane_id id, const char *fmt, ...)
{
	int wy, wx;
	getmaxyx(w, wy, wx);
	(void)wy;
	attr_t a = ui_attr(f->u, f->u->focus == id ? UC_TITLE_FOCUS : UC_TITLE);
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	ui_fill(w, 0, 0, wx, a);
	ui_put(w, 0, 0, wx, a, buf);
}

void ui_flow_init(struct ui_flow *fl, WINDOW *w, int y, int rows, int width)
{
	fl->w = w;
	fl->y = y;
	fl->x = 0;
	fl->y_end = y + rows;
	fl->width = width;
}

void ui_flow_newline(struct ui_flow *fl)
{
	fl->y++;
	fl->x = 0;
}

void ui_flow_put(struct ui_flow *fl, attr_t a, const char *s)
{
	int cols = 0;
	ui_text_fit(s, 1 << 20, &cols);
	int need = cols + (fl->x > 0 ? 1 : 0);
	if (fl->x > 0 && fl->x + need > fl->width) {
		ui_flow_newline(fl);
		need = cols;
	}
	if (fl->y >= fl->y_end) {
		return;
	}
	if (fl->x > 0) {
		fl->x++;
	}
	fl->x += ui_put(fl->w, fl->y, fl->x, fl->width - fl->x, a, s);
}

void ui_flow_cat(struct ui_flow *fl, attr_t a, const char *s)
{
	if (fl->y >= fl->y_end) {
		return;
	}
	fl->x += ui_put(fl->w, fl->y, fl->x, fl->width - fl->x, a, s);
}

const char *ui_asset_label(const struct asset *a)
{
	return a->label[0] ? a->label : a->id;
}

void ui_clock_text(int64_t real_ns, char *buf, size_t cap)
{
	time_t t = (time_t)(real_ns / 1000000000);
	struct tm tm;
	/* 0 is "not known" (a replayed raw frame has no receipt time), not 1970. */
	if (real_ns <= 0 || !localtime_r(&t, &tm) || strftime(buf, cap, "%H:%M:%S", &tm) == 0) {
		snprintf(buf, cap, "--:--:--");
	}
}

const struct asset *ui_selected(const struct ui *u, const struct market_state *m)
{
	if (!u->have_sel || u->sel >= m->nassets || !m->assets[u->sel].subscribed) {
		return NULL;
	}
	return &m->assets[u->sel];
}

enum ui_color ui_lat_color(const struct ui *u, int64_t v_ms)
{
	switch (ui_lat_class(v_ms, u->opt.lat_warn_ms, u->opt.lat_crit_ms)) {
	case 0:
		return UC_OK;
	case 1:
		return UC_WARN;
	default:
		return UC_BAD;
	}
}

enum ui_color ui_dstate_color(enum ui_dstate d)
{
	if (d == UI_DS_NOFEED) {
		return UC_DIM;
	}
	switch (asset_state_info((enum asset_state)d).cls) {
	case HEALTH_OK:
		return UC_OK;
	case HEALTH_NORMAL:
		return UC_NORMAL;
	case HEALTH_INFO:
		return UC_INFO;
	case HEALTH_DIM:
		return UC_DIM;
	case HEALTH_WARN:
		return UC_WARN;
	default:
		return UC_BAD;
	}
}

void ui_scroll_offset(int *off, enum ui_action a, int newest_max)
{
	switch (a) {
	case ACT_UP:
		(*off)--;
		break;
	case ACT_DOWN:
		(*off)++;
		break;
	case ACT_PGUP:
		*off -= 10;
		break;
	case ACT_PGDN:
		*off += 10;
		break;
	case ACT_TOP:
		*off = 0;
		break;
	case ACT_BOTTOM:
		*off = newest_max;
		break;
	default:
		break;
	}
	if (*off > newest_max) {
		*off = newest_max;
	}
	if (*off < 0) {
		*off = 0;
	}
}
