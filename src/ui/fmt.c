/*
 * fmt: pure helpers for the panes (see fmt.h).
 *
 * Must never touch curses or change the model; the only locale dependence is
 * ui_text_fit's use of mbrtowc/wcwidth, which the caller's setlocale decides.
 * Runs on the UI thread only and never touches the network.
 */
#include "fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "num.h"

static size_t put(char *buf, size_t cap, int n)
{
	if (n < 0 || cap == 0) {
		if (cap) {
			buf[0] = '\0';
		}
		return 0;
	}
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t ui_fmt_compact(int64_t micro, char *buf, size_t cap)
{
	static const char *const unit[] = {"", "k", "M", "B", "T"};
	const char *sign = "";
	uint64_t v;
	if (micro < 0) {
		sign = "-";
		v = (uint64_t)0 - (uint64_t)micro;
	} else {
		v = (uint64_t)micro;
	}
	uint64_t whole = v / (uint64_t)NUM_SCALE;
	uint64_t frac = v % (uint64_t)NUM_SCALE;
	if (whole < 10000) {
		uint64_t cents = frac / 10000;
		if (whole == 0 && cents == 0 && v != 0) {
			char tmp[NUM_BUF];
			num_format((int64_t)v, tmp, sizeof tmp);
			return put(buf, cap, snprintf(buf, cap, "%s%s", sign, tmp));
		}
		if (cents == 0) {
			return put(buf, cap, snprintf(buf, cap, "%s%" PRIu64, sign, whole));
		}
		if (cents % 10 == 0) {
			return put(
			    buf, cap,
			    snprintf(buf, cap, "%s%" PRIu64 ".%" PRIu64, sign, whole, cents / 10));
		}
		return put(buf, cap,
		           snprintf(buf, cap, "%s%" PRIu64 ".%02" PRIu64, sign, whole, cents));
	}
	size_t i = 1;
	uint64_t div = 1000;
	while (i + 1 < sizeof unit / sizeof unit[0] && whole / div >= 1000) {
		div *= 1000;
		i++;
	}
	uint64_t q = whole / div;
	uint64_t r = whole % div;
	int dec = q < 10 ? 2 : q < 100 ? 1 : 0;
	if (dec == 0) {
		return put(buf, cap, snprintf(buf, cap, "%s%" PRIu64 "%s", sign, q, unit[i]));
	}
	uint64_t d = dec == 2 ? r / (div / 100) : r / (div / 10);
	return put(buf, cap,
	           snprintf(buf, cap, "%s%" PRIu64 ".%0*" PRIu64 "%s", sign, q, dec, d, unit[i]));
}

size_t ui_fmt_age(int64_t ns, char *buf, size_t cap)
{
	if (ns < 0) {
		return put(buf, cap, snprintf(buf, cap, "-"));
	}
	int64_t ms = ns / 1000000;
	int64_t s = ms / 1000;
	if (ms < 1000) {
		return put(buf, cap, snprintf(buf, cap, "%" PRId64 "ms", ms));
	}
	if (s < 60) {
		return put(buf, cap, snprintf(buf, cap, "%" PRId64 "s", s));
	}
	if (s < 3600) {
		return put(buf, cap, snprintf(buf, cap, "%" PRId64 "m%02" PRId64, s / 60, s % 60));
	}
	if (s < 100 * 3600) {
		return put(buf, cap,
		           snprintf(buf, cap, "%" PRId64 "h%02" PRId64, s / 3600, s / 60 % 60));
	}
	return put(buf, cap, snprintf(buf, cap, "%" PRId64 "d", s / 86400));
}

size_t ui_fmt_us(int64_t us, char *buf, size_t cap)
{
	if (us < 0) {
		char t[32];
		ui_fmt_us(us == INT64_MIN ? INT64_MAX : -us, t, sizeof t);
		return put(buf, cap, snprintf(buf, cap, "-%s", t));
	}
	if (us < 1000) {
		return put(buf, cap, snprintf(buf, cap, "%" PRId64 "us", us));
	}
	if (us < 1000000) {
		return put(
		    buf, cap,
		    snprintf(buf, cap, "%" PRId64 ".%" PRId64 "ms", us / 1000, us % 1000 / 100));
	}
	if (us < 60000000) {
		return put(buf, cap,
		           snprintf(buf, cap, "%" PRId64 ".%02" PRId64 "s", us / 1000000,
		                    us % 1000000 / 10000));
	}
	int64_t ms = us / 1000;
	return ui_fmt_age(ms > INT64_MAX / 1000000 ? INT64_MAX : ms * 1000000, buf, cap);
}

size_t ui_fmt_uptime(int64_t ns, char *buf, size_t cap)
{
	int64_t s = ns < 0 ? 0 : ns / 1000000000;
	if (s < 60) {
		return put(buf, cap, snprintf(buf, cap, "%" PRId64 "s", s));
	}
	if (s < 3600) {
		return put(buf, cap,
		           snprintf(buf, cap, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60));
	}
	if (s < 86400) {
		return put(buf, cap,
		           snprintf(buf, cap, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60));
	}
	return put(buf, cap,
	           snprintf(buf, cap, "%" PRId64 "d%02" PRId64 "h", s / 86400, s / 3600 % 24));
}

size_t ui_fmt_bps(int64_t x100, char *buf, size_t cap)
{
	const char *sign = x100 < 0 ? "-" : "";
	uint64_t a = x100 < 0 ? (uint64_t)0 - (uint64_t)x100 : (uint64_t)x100;
	if (a >= 100000) {
		return put(buf, cap, snprintf(buf, cap, "%s%" PRIu64, sign, a / 100));
	}
	return put(buf, cap,
	           snprintf(buf, cap, "%s%" PRIu64 ".%" PRIu64, sign, a / 100, a % 100 / 10));
}

size_t ui_fmt_price(int64_t price, char *buf, size_t cap)
{
	if (price == PRICE_NONE) {
		return put(buf, cap, snprintf(buf, cap, "-"));
	}
	char tmp[NUM_BUF];
	num_format(price, tmp, sizeof tmp);
	return put(buf, cap, snprintf(buf, cap, "%s", tmp));
}

int ui_spark_level(int64_t v, int64_t scale)
{
	if (v <= 0) {
		return 0;
	}
	if (scale <= 0 || v >= scale) {
		return 7;
	}
	int64_t lv = scale > INT64_MAX / 8 ? v / (scale / 8) : v * 8 / scale;
	return lv > 7 ? 7 : (int)lv;
}

int ui_lat_class(int64_t v_ms, int64_t warn_ms, int64_t crit_ms)
{
	if (v_ms < warn_ms) {
		return 0;
	}
	return v_ms <= crit_ms ? 1 : 2;
}

enum ui_dstate ui_display_state(enum asset_state s, bool conn_alive)
{
	if (!conn_alive && asset_state_info(s).needs_feed) {
		return UI_DS_NOFEED;
	}
	return (unsigned)s < ASSET_STATE_COUNT ? (enum ui_dstate)s : UI_DS_STALE;
}

const char *ui_dstate_text(enum ui_dstate d)
{
	return d == UI_DS_NOFEED ? "no feed" : asset_state_short((enum asset_state)d);
}

/* A table, not asset_state_info's switch: the worst-first sort asks twice a comparison. */
static const int dstate_severity[UI_DS_COUNT] = {
#define X(e, name, screen, sev, cls, feed, help) [UI_DS_##e] = sev,
    ASSET_STATES(X)
#undef X
        [UI_DS_NOFEED] = 4, /* between awaiting a snapshot and stale */
};

int ui_dstate_severity(enum ui_dstate d)
{
	return (unsigned)d < UI_DS_COUNT ? dstate_severity[d] : dstate_severity[UI_DS_STALE];
}

static const char *const sort_names[] = {
#define X(e, s) [e] = s,
    UI_SORTS(X)
#undef X
};

const char *ui_sort_name(enum ui_sort s)
{
	return (unsigned)s < UI_SORT_COUNT ? sort_names[s] : "?";
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_tail(const struct ui_row *a, const struct ui_row *b)
{
	int c = strcmp(a->label ? a->label : "", b->label ? b->label : "");
	return c ? (c < 0 ? -1 : 1) : cmp_i64(a->idx, b->idx);
}

/* The row's value for a numeric key; false when it has none (it then sorts last). */
static bool row_value(const struct ui_row *r, enum ui_sort key, int64_t *v)
{
	switch (key) {
	case UI_SORT_BID:
		*v = r->bid;
		break;
	case UI_SORT_ASK:
		*v = r->ask;
		break;
	case UI_SORT_SPREAD:
		*v = r->spread;
		break;
	case UI_SORT_BPS:
		*v = r->spread == PRICE_NONE ? PRICE_NONE : r->bps_x100;
		break;
	case UI_SORT_MID:
		*v = r->mid;
		break;
	case UI_SORT_LAST:
		*v = r->last;
		break;
	case UI_SORT_MSGS:
		*v = r->msgs_min;
		break;
	case UI_SORT_AGE:
		*v = r->age_ns;
		break;
	default:
		*v = ui_dstate_severity(r->state);
		break;
	}
	return *v != PRICE_NONE;
}

int ui_row_cmp(const struct ui_row *a, const struct ui_row *b, enum ui_sort key, bool reverse)
{
	int c = 0;
	if (key == UI_SORT_WORST) {
		/* Fresh rows by label: their ages change at every update, so ordering them by
		 * age would reshuffle (and redraw) the whole table at every refresh. */
		c = -cmp_i64(ui_dstate_severity(a->state), ui_dstate_severity(b->state));
		c = c || a->state == UI_DS_FRESH ? c : -cmp_i64(a->age_ns, b->age_ns);
	} else if (key == UI_SORT_LABEL) {
		c = strcmp(a->label ? a->label : "", b->label ? b->label : "");
		c = c < 0 ? -1 : c > 0;
	} else {
		int64_t va, vb;
		bool ha = row_value(a, key, &va), hb = row_value(b, key, &vb);
		if (ha != hb) {
			return ha ? -1 : 1;
		}
		c = ha ? -cmp_i64(va, vb) : 0;
	}
	if (reverse) {
		c = -c;
	}
	return c ? c : cmp_tail(a, b);
}

#define X(e, s)                                                                                    \
	static int cmp_##e(const void *a, const void *b)                                           \
	{                                                                                          \
		return ui_row_cmp(a, b, e, false);                                                 \
	}                                                                                          \
	static int cmp_rev_##e(const void *a, const void *b)                                       \
	{                                                                                          \
		return ui_row_cmp(a, b, e, true);                                                  \
	}
UI_SORTS(X)
#undef X

void ui_rows_sort(struct ui_row *rows, size_t n, enum ui_sort key, bool reverse)
{
	static int (*const cmp[2][UI_SORT_COUNT])(const void *, const void *) = {
	    {
#define X(e, s) [e] = cmp_##e,
	        UI_SORTS(X)
#undef X
	    },
	    {
#define X(e, s) [e] = cmp_rev_##e,
	        UI_SORTS(X)
#undef X
	    },
	};
	if (n > 1 && (unsigned)key < UI_SORT_COUNT) {
		qsort(rows, n, sizeof *rows, cmp[reverse][key]);
	}
}

static bool icontains(const char *hay, const char *needle, size_t nlen)
{
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < nlen && hay[i]) {
			unsigned char h = (unsigned char)hay[i], c = (unsigned char)needle[i];
			if (h >= 'A' && h <= 'Z') {
				h = (unsigned char)(h - 'A' + 'a');
			}
			if (c >= 'A' && c <= 'Z') {
				c = (unsigned char)(c - 'A' + 'a');
			}
			if (h != c) {
				break;
			}
			i++;
		}
		if (i == nlen) {
			return true;
		}
	}
	return false;
}

bool ui_filter_match(const char *filter, const char *label, const char *id)
{
	size_t n = filter ? strlen(filter) : 0;
	if (n == 0) {
		return true;
	}
	return (label && icontains(label, filter, n)) || (id && icontains(id, filter, n));
}

int ui_fit_columns(const struct ui_col *cols, size_t n, int width, int flex_min, int flex_max,
                   bool *shown)
{
	int fixed = 0;
	size_t nshown = 0;
	bool have_flex = false;
	for (size_t i = 0; i < n; i++) {
		shown[i] = true;
		nshown++;
		if (cols[i].flex) {
			have_flex = true;
		} else {
			fixed += cols[i].width;
		}
	}
	int need_flex = have_flex ? flex_min : 0;
	while (nshown > 1 && fixed + need_flex + (int)nshown - 1 > width) {
		size_t drop = n;
		for (size_t i = 0; i < n; i++) {
			if (shown[i] && !cols[i].flex &&
			    (drop == n || cols[i].prio >= cols[drop].prio)) {
				drop = i;
			}
		}
		if (drop == n) {
			break;
		}
		shown[drop] = false;
		fixed -= cols[drop].width;
		nshown--;
	}
	if (!have_flex) {
		return 0;
	}
	int left = width - fixed - ((int)nshown - 1);
	if (left < flex_min) {
		return left > 0 ? left : 0;
	}
	return left > flex_max ? flex_max : left;
}

size_t ui_text_fit(const char *s, int max_cols, int *cols_out)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s), off = 0;
	int used = 0;
	while (off < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + off, len - off, &st);
		int w = 1;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof st);
			k = 1;
		} else {
			w = wcwidth(wc);
			if (w < 0) {
				w = 1;
			}
		}
		if (used + w > max_cols) {
			break;
		}
		used += w;
		off += k;
	}
	if (cols_out) {
		*cols_out = used;
	}
	return off;
}
