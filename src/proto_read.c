/* proto_read: see proto_read.h. */
#include "proto_read.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clob.h"
#include "num.h"

enum dec { DEC_OK, DEC_ABSENT, DEC_EMPTY, DEC_BAD };

const struct proto_why proto_why_price = {"missing price", "price is not a decimal",
                                          "price out of range"};
const struct proto_why proto_why_size = {"missing size", "size is not a decimal", NULL};
const struct proto_why proto_why_tick = {"missing tick size", "tick size is not a decimal",
                                         "tick size out of range"};
const struct proto_why proto_why_bbo = {NULL, "best bid/ask is not a decimal",
                                        "best bid/ask out of range"};
const struct proto_why proto_why_ltp = {NULL, "last_trade_price is not a decimal",
                                        "last_trade_price out of range"};

struct ev_str proto_str_of(json_t *s)
{
	return (struct ev_str){json_string_value(s), json_string_length(s)};
}

/* A decimal field: a string for num_parse, or a non-negative JSON integer. */
static enum dec dec_read(json_t *v, int64_t *out)
{
	if (!v)
		return DEC_ABSENT;
	if (json_is_string(v)) {
		if (json_string_length(v) == 0)
			return DEC_EMPTY;
		return num_parse(json_string_value(v), json_string_length(v), out) == NUM_OK
		           ? DEC_OK
		           : DEC_BAD;
	}
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0 || i > INT64_MAX / NUM_SCALE)
			return DEC_BAD;
		*out = (int64_t)i * NUM_SCALE;
		return DEC_OK;
	}
	return DEC_BAD;
}

/* A price in [0, 1]; with absent_ok, "" or a missing key give *out = dflt. */
const char *proto_read_price(json_t *obj, const char *key, const struct proto_why *w,
                             bool absent_ok, int64_t dflt, int64_t *out)
{
	switch (dec_read(json_object_get(obj, key), out)) {
	case DEC_OK:
		return *out > PRICE_ONE ? w->range : NULL;
	case DEC_ABSENT:
	case DEC_EMPTY:
		*out = dflt;
		return absent_ok ? NULL : w->missing;
	case DEC_BAD:
		break;
	}
	return w->bad;
}

const char *proto_read_size(json_t *obj, int64_t *out)
{
	switch (dec_read(json_object_get(obj, "size"), out)) {
	case DEC_OK:
		return NULL;
	case DEC_ABSENT:
	case DEC_EMPTY:
		return proto_why_size.missing;
	case DEC_BAD:
		break;
	}
	return proto_why_size.bad;
}

/* A tick size in (0, 1]; absent or "" gives 0 when allowed. */
const char *proto_read_tick(json_t *obj, const char *key, bool absent_ok, int64_t *out)
{
	const char *r = proto_read_price(obj, key, &proto_why_tick, absent_ok, 0, out);
	if (!r && !absent_ok && *out == 0)
		return proto_why_tick.range;
	return r;
}

/* best_bid / best_ask: "", "0" and "1" all mean an empty side. */
const char *proto_read_bbo_side(json_t *obj, const char *key, int64_t *out)
{
	const char *r = proto_read_price(obj, key, &proto_why_bbo, true, PRICE_NONE, out);
	if (!r && (*out == 0 || *out == PRICE_ONE))
		*out = PRICE_NONE;
	return r;
}

/* Unix milliseconds as a string of digits (or an integer); absent or "" gives 0. */
const char *proto_read_ts(json_t *obj, int64_t *out)
{
	json_t *v = json_object_get(obj, "timestamp");
	*out = 0;
	if (!v)
		return NULL;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return "timestamp is not Unix ms";
		*out = (int64_t)json_integer_value(v);
		return NULL;
	}
	if (!json_is_string(v))
		return "timestamp is not Unix ms";
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	int64_t t = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || t > (INT64_MAX - 9) / 10)
			return "timestamp is not Unix ms";
		t = t * 10 + (s[i] - '0');
	}
	*out = t;
	return NULL;
}

const char *proto_read_side(json_t *obj, enum side *out)
{
	const char *s = json_string_value(json_object_get(obj, "side"));
	if (!s)
		return "missing side";
	if (strcasecmp(s, "BUY") == 0)
		*out = SIDE_BID;
	else if (strcasecmp(s, "SELL") == 0)
		*out = SIDE_ASK;
	else
		return "side is not BUY or SELL";
	return NULL;
}

/* A token id kept as text.  A JSON integer is turned into a string inside the parsed tree
 * itself (so it lives from the arena and dies with the frame).  With key NULL, idx selects
 * an array element instead of an object key. */
static json_t *id_as_string(json_t *parent, const char *key, size_t idx)
{
	json_t *v = key ? json_object_get(parent, key) : json_array_get(parent, idx);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return v;
	char txt[32];
	snprintf(txt, sizeof txt, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	json_t *s = json_string(txt);
	if (!s)
		return v;
	if ((key ? json_object_set_new(parent, key, s) : json_array_set_new(parent, idx, s)) != 0)
		return v;
	return s;
}

const char *proto_read_id(json_t *obj, const char *key, const char *missing, struct ev_str *out)
{
	json_t *v = id_as_string(obj, key, 0);
	if (!v)
		return missing;
	if (!json_is_string(v) || !token_id_valid(json_string_value(v), json_string_length(v)))
		return "asset id is not a decimal token id";
	*out = proto_str_of(v);
	return NULL;
}

/* An optional string field; absent leaves *out empty. */
const char *proto_read_opt_str(json_t *obj, const char *key, const char *bad, struct ev_str *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return NULL;
	if (!json_is_string(v))
		return bad;
	*out = proto_str_of(v);
	return NULL;
}

const char *proto_read_fee(json_t *obj, int32_t *out)
{
	json_t *v = json_object_get(obj, "fee_rate_bps");
	*out = -1;
	if (!v || (json_is_string(v) && json_string_length(v) == 0))
		return NULL;
	int64_t f = 0;
	if (json_is_integer(v)) {
		f = json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		for (size_t i = 0; i < json_string_length(v); i++) {
			if (s[i] < '0' || s[i] > '9' || f > INT32_MAX)
				return "fee_rate_bps is not an integer";
			f = f * 10 + (s[i] - '0');
		}
	} else {
		return "fee_rate_bps is not an integer";
	}
	if (f < 0 || f > INT32_MAX)
		return "fee_rate_bps is not an integer";
	*out = (int32_t)f;
	return NULL;
}

/* assets_ids / outcomes: a real array, or a string holding one (Gamma's habit).  The
 * decoded array replaces the string inside the tree, so it lives exactly as long as the
 * frame.  More than PROTO_MAX_OUTCOMES elements: the first ones are kept. */
const char *proto_read_list(json_t *obj, const char *key, bool ids, struct ev_str *out, size_t *n)
{
	json_t *v = json_object_get(obj, key);
	*n = 0;
	if (!v)
		return NULL;
	if (json_is_string(v)) {
		json_t *arr = json_loadb(json_string_value(v), json_string_length(v), 0, NULL);
		if (!json_is_array(arr)) {
			json_decref(arr);
			return ids ? "assets_ids is not a list" : "outcomes is not a list";
		}
		/* json_object_set_new takes the reference even when it fails. */
		if (json_object_set_new(obj, key, arr) != 0)
			return "out of memory";
		v = arr;
	}
	if (!json_is_array(v))
		return ids ? "assets_ids is not a list" : "outcomes is not a list";
	size_t cnt = json_array_size(v);
	for (size_t i = 0; i < cnt && i < PROTO_MAX_OUTCOMES; i++) {
		json_t *el = ids ? id_as_string(v, NULL, i) : json_array_get(v, i);
		if (!json_is_string(el))
			return ids ? "asset id is not a decimal token id"
			           : "outcome is not a string";
		out[i] = proto_str_of(el);
		if (ids && !token_id_valid(out[i].s, out[i].len))
			return "asset id is not a decimal token id";
		(*n)++;
	}
	return NULL;
}

bool proto_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Plain text the server sends instead of JSON ("INVALID OPERATION"): printable ASCII
 * starting with a letter.  Anything else that is not JSON is garbage. */
bool proto_is_server_text(const char *s, size_t n)
{
	if (n == 0 || n > 512)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	static const char *const literals[] = {"true", "false", "null", NULL};
	for (size_t i = 0; literals[i]; i++)
		if (n == strlen(literals[i]) && memcmp(s, literals[i], n) == 0)
			return false;
	return true;
}
