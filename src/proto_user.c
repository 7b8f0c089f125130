/*
 * proto_user: the user channel's frames (`order` and `trade` events, alone or in an
 * array) applied to the user model.  Every field is optional and every number may be
 * "": what is absent or empty leaves the value already known; timestamps are read in
 * seconds or milliseconds.  Strings are sanitised (user.c) before they are stored.
 *
 * Never touches the books, never aborts on what the network sends.  The user channel
 * carries a few events a second, so it parses with plain jansson (it allocates).
 * Model (UI) thread only.
 */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "num.h"
#include "proto_read.h"
#include "sanitize.h"
#include "user.h"

/* A decimal field into *out; absent, "" or not a decimal leaves *out alone. */
static void read_dec(json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	int64_t x;
	if (json_is_string(v) && json_string_length(v) &&
	    num_parse(json_string_value(v), json_string_length(v), &x) == NUM_OK && x >= 0)
		*out = x;
	else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	         json_integer_value(v) <= INT64_MAX / NUM_SCALE)
		*out = (int64_t)json_integer_value(v) * NUM_SCALE;
	else if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 1e12)
		*out = (int64_t)(json_real_value(v) * (double)NUM_SCALE + 0.5);
}

/* A timestamp in seconds or ms (string or integer) into *out as ms; else unchanged. */
static void read_ts(json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	int64_t t = 0;
	if (json_is_integer(v))
		t = json_integer_value(v);
	else if (json_is_string(v) && json_string_length(v)) {
		json_t *tmp = json_pack("{s:O}", "timestamp", v);
		if (!tmp || proto_read_ts(tmp, &t))
			t = 0;
		json_decref(tmp);
	}
	if (t > 0)
		*out = user_ts_to_ms(t);
}

/* A string field into dst (sanitised); absent or "" leaves dst alone. */
static void read_str(json_t *obj, const char *key, char *dst, size_t cap)
{
	struct ev_str s = {0};
	if (proto_read_opt_str(obj, key, "", &s) == NULL && s.s && s.len)
		sanitize_text(dst, cap, s.s, s.len);
}

static void read_side(json_t *obj, int *side)
{
	enum side s;
	if (proto_read_side(obj, &s) == NULL)
		*side = (int)s;
}

static void read_common(json_t *e, char *market, char *asset, char *outcome, int *side,
                        int64_t *price)
{
	read_str(e, "market", market, MARKET_ID_MAX);
	read_str(e, "asset_id", asset, ASSET_ID_MAX);
	read_str(e, "outcome", outcome, USER_TEXT_MAX);
	read_side(e, side);
	int64_t p = *price;
	read_dec(e, "price", &p);
	if (p <= PRICE_ONE)
		*price = p;
}

static bool apply_order(struct user_model *u, json_t *e, int64_t now)
{
	json_t *id = json_object_get(e, "id");
	struct user_order *o =
	    user_order_get(u, json_string_value(id), json_string_length(id), now);
	if (!o)
		return false;
	read_common(e, o->market, o->asset, o->outcome, &o->side, &o->price);
	read_str(e, "type", o->type, sizeof(o->type));
	read_str(e, "status", o->status, sizeof(o->status));
	read_str(e, "order_type", o->order_type, sizeof(o->order_type));
	read_dec(e, "original_size", &o->original_size);
	read_dec(e, "size_matched", &o->size_matched);
	read_ts(e, "timestamp", &o->ts_ms);
	if (o->size_matched < 0 && !strcasecmp(o->type, "PLACEMENT"))
		o->size_matched = 0; /* a new order has matched nothing, whatever "" says */
	o->last_mono_ns = now;
	bool cancelled =
	    !strcasecmp(o->type, "CANCELLATION") || !strncasecmp(o->status, "CANCEL", 6);
	bool filled = o->original_size > 0 && o->size_matched >= o->original_size;
	o->open = !cancelled && !filled;
	u->order_events++;
	return true;
}

static bool apply_trade(struct user_model *u, struct market_state *m, json_t *e, int64_t now)
{
	json_t *id = json_object_get(e, "id");
	struct user_trade *t =
	    user_trade_get(u, json_string_value(id), json_string_length(id), now);
	if (!t)
		return false;
	read_common(e, t->market, t->asset, t->outcome, &t->side, &t->price);
	read_str(e, "taker_order_id", t->taker_order, sizeof(t->taker_order));
	read_dec(e, "size", &t->size);
	read_ts(e, "match_time", &t->match_ms);
	read_ts(e, "matchtime", &t->match_ms);
	read_ts(e, "timestamp", &t->ts_ms);
	json_t *st = json_object_get(e, "status");
	if (json_is_string(st))
		user_trade_status(u, m, t, json_string_value(st), json_string_length(st), now);
	u->trade_events++;
	return true;
}

static bool apply_event(struct user_model *u, struct market_state *m, json_t *e, int64_t now)
{
	const char *et = json_string_value(json_object_get(e, "event_type"));
	const char *type = json_string_value(json_object_get(e, "type"));
	if (!json_is_object(e))
		return false;
	if ((et && !strcasecmp(et, "trade")) || (!et && type && !strcasecmp(type, "TRADE")))
		return apply_trade(u, m, e, now);
	if ((et && !strcasecmp(et, "order")) ||
	    (!et && type &&
	     (!strcasecmp(type, "PLACEMENT") || !strcasecmp(type, "UPDATE") ||
	      !strcasecmp(type, "CANCELLATION"))))
		return apply_order(u, e, now);
	return false;
}

int user_apply_frame(struct user_model *u, struct market_state *m, const char *p, size_t n,
                     int64_t now_mono_ns)
{
	u->frames++;
	if (n == 4 && memcmp(p, "PONG", 4) == 0)
		return 0;
	json_t *j = json_loadb(p, n, 0, NULL);
	int applied = 0;
	if (json_is_array(j)) {
		size_t i;
		json_t *e;
		json_array_foreach(j, i, e)
		{
			if (apply_event(u, m, e, now_mono_ns))
				applied++;
			else
				u->malformed++;
		}
	} else if (j && apply_event(u, m, j, now_mono_ns)) {
		applied++;
	} else {
		u->malformed++;
	}
	json_decref(j);
	return applied;
}
