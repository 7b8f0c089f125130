/* export_user: see export_user.h. */
#include "export_user.h"

#include <inttypes.h>
#include <stdio.h>

#include "num.h"
#include "user.h"

/* A fixed-point number as a canonical decimal string, or null when unknown. */
static json_t *dec_json(int64_t v)
{
	if (v < 0)
		return json_null();
	char buf[NUM_BUF];
	num_format(v, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *side_json(int side)
{
	return side < 0 ? json_null() : json_string(side == SIDE_BID ? "BUY" : "SELL");
}

static json_t *order_json(const struct user_order *o)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:b, s:I}", "id",
	                 o->id, "market", o->market, "asset_id", o->asset, "side",
	                 side_json(o->side), "price", dec_json(o->price), "original_size",
	                 dec_json(o->original_size), "size_matched", dec_json(o->size_matched),
	                 "outcome", o->outcome, "type", o->type, "status", o->status, "order_type",
	                 o->order_type, "open", o->open, "timestamp_ms", (json_int_t)o->ts_ms);
}

static json_t *trade_json(const struct user_trade *t)
{
	json_t *hist = json_array();
	int64_t t0 = t->nhist ? t->hist[0].since_mono_ns : 0;
	for (int i = 0; i < t->nhist; i++)
		json_array_append_new(
		    hist, json_pack("{s:s, s:f}", "status", t->hist[i].status, "after_s",
		                    (double)(t->hist[i].since_mono_ns - t0) / 1e9));
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:I, s:I, s:o}", "id", t->id,
	    "taker_order_id", t->taker_order, "market", t->market, "asset_id", t->asset, "side",
	    side_json(t->side), "price", dec_json(t->price), "size", dec_json(t->size), "outcome",
	    t->outcome, "status", t->nhist ? t->hist[t->nhist - 1].status : "", "match_time_ms",
	    (json_int_t)t->match_ms, "timestamp_ms", (json_int_t)t->ts_ms, "statuses", hist);
}

void export_user_json(const struct market_state *m, json_t *root)
{
	const struct user_model *u = m->user;
	if (!u)
		return;
	json_t *open = json_array(), *orders = json_array(), *trades = json_array();
	for (size_t i = 0; i < u->norders; i++)
		if (u->orders[i].open)
			json_array_append_new(open, order_json(&u->orders[i]));
	size_t from = u->norders > EXPORT_USER_RECENT ? u->norders - EXPORT_USER_RECENT : 0;
	for (size_t i = from; i < u->norders; i++)
		json_array_append_new(orders, order_json(&u->orders[i]));
	from = u->ntrades > EXPORT_USER_RECENT ? u->ntrades - EXPORT_USER_RECENT : 0;
	for (size_t i = from; i < u->ntrades; i++)
		json_array_append_new(trades, trade_json(&u->trades[i]));
	json_object_set_new(
	    root, "user",
	    json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "state", u->state,
	              "connected", u->connected, "rejections", (json_int_t)u->rejections,
	              "order_events", (json_int_t)u->order_events, "trade_events",
	              (json_int_t)u->trade_events, "malformed", (json_int_t)u->malformed,
	              "open_orders", open, "orders", orders, "trades", trades));
}

size_t export_user_metrics(const struct market_state *m, char *buf, size_t cap)
{
	const struct user_model *u = m->user;
	if (!u || !cap)
		return 0;
	uint64_t by[UT_COUNT];
	user_trade_counts(u, by);
	size_t len = (size_t)snprintf(
	    buf, cap,
	    "# HELP clobtop_user_orders_open Your open orders (user channel).\n"
	    "# TYPE clobtop_user_orders_open gauge\nclobtop_user_orders_open %zu\n"
	    "# HELP clobtop_user_connected Whether the user channel is up and authenticated.\n"
	    "# TYPE clobtop_user_connected gauge\nclobtop_user_connected %d\n"
	    "# HELP clobtop_user_auth_rejections_total User channel authentication rejections.\n"
	    "# TYPE clobtop_user_auth_rejections_total counter\n"
	    "clobtop_user_auth_rejections_total %" PRIu64 "\n"
	    "# HELP clobtop_user_trades Your recent trades by current status.\n"
	    "# TYPE clobtop_user_trades gauge\n",
	    user_open_orders(u), u->connected ? 1 : 0, u->rejections);
	for (int s = 0; s < UT_COUNT && len < cap; s++)
		len += (size_t)snprintf(buf + len, cap - len,
		                        "clobtop_user_trades{status=\"%s\"} %" PRIu64 "\n",
		                        user_tstatus_name((enum user_tstatus)s), by[s]);
	if (len >= cap) {
		buf[0] = '\0';
		return 0;
	}
	return len;
}
