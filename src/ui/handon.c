/*
 * handon: the Redis status item and the fill-cost lines (see handon.h).  UI thread only.
 */
#include "handon.h"

#include <stdio.h>
#include <string.h>

#include "num.h"
#include "ui_int.h"

static char status_text[64];                            /* "redis:up", "" none */
static struct fill_size fill_sizes[FILLCOST_MAX_SIZES]; /* --depth-sizes */
static size_t nfill;                                    /* in fill_sizes */

void ui_handon_status(const char *text)
{
	snprintf(status_text, sizeof(status_text), "%s", text);
}

const char *ui_handon_text(void)
{
	return status_text;
}

void ui_handon_sizes(const struct fill_size *sizes, size_t n)
{
	nfill = n < FILLCOST_MAX_SIZES ? n : FILLCOST_MAX_SIZES;
	if (nfill)
		memcpy(fill_sizes, sizes, nfill * sizeof(*sizes));
}

/* "0.5123 +12.34bp" or "insufficient depth" for one side. */
static void side_text(const struct asset *a, enum side taker, const struct fill_size *sz, char *buf,
                      size_t cap)
{
	struct fill_cost fc;
	fillcost_compute(&a->book, taker, sz, &fc);
	if (!fc.sufficient) {
		snprintf(buf, cap, "insufficient depth");
		return;
	}
	char v[NUM_BUF], bp[NUM_BUF];
	num_format(fc.vwap, v, sizeof(v));
	num_format(fc.slip_bps_x100 * 10000, bp, sizeof(bp));
	snprintf(buf, cap, "%s (%sbp)", v, bp);
}

int ui_handon_draw_fill(const struct ui *u, void *win, const struct asset *a, int y, int width)
{
	WINDOW *w = win;
	for (size_t i = 0; i < nfill; i++) {
		char size[NUM_BUF + 2], buy[2 * NUM_BUF + 8], sell[2 * NUM_BUF + 8];
		fillcost_size_text(&fill_sizes[i], size, sizeof(size));
		side_text(a, SIDE_BID, &fill_sizes[i], buy, sizeof(buy));
		side_text(a, SIDE_ASK, &fill_sizes[i], sell, sizeof(sell));
		ui_putf(w, y++, 0, width, i ? A_NORMAL : ui_attr(u, UC_LABEL),
		        "fill %-8s buy vwap %-26s sell vwap %s", size, buy, sell);
	}
	return y;
}
