/*
 * proto_read: the small readers proto.c builds events from, one field at a time: exact
 * decimals, prices in [0, 1], sizes, tick sizes, the best bid/ask convention, Unix-ms
 * timestamps, sides, token ids (string or integer), optional strings, fee rates, and the
 * lists Gamma sends as a string holding an array.  Each returns NULL on success or a
 * static English reason.  Internal to proto: nothing outside src/proto*.c includes this.
 *
 * Any thread; no state; allocates only inside the parsed tree (id_as_string, list decode).
 */
#ifndef CLOBTOP_PROTO_READ_H
#define CLOBTOP_PROTO_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct proto_why {
	const char *missing; /* key absent or "" */
	const char *bad;     /* not a decimal */
	const char *range;   /* outside [0, 1] (prices only) */
};

extern const struct proto_why proto_why_price, proto_why_size, proto_why_tick, proto_why_bbo,
    proto_why_ltp;

struct ev_str proto_str_of(json_t *s);
const char *proto_read_price(json_t *obj, const char *key, const struct proto_why *w,
                             bool absent_ok, int64_t dflt, int64_t *out);
const char *proto_read_size(json_t *obj, int64_t *out);
const char *proto_read_tick(json_t *obj, const char *key, bool absent_ok, int64_t *out);
const char *proto_read_bbo_side(json_t *obj, const char *key, int64_t *out);
const char *proto_read_ts(json_t *obj, int64_t *out);
const char *proto_read_side(json_t *obj, enum side *out);
const char *proto_read_id(json_t *obj, const char *key, const char *missing, struct ev_str *out);
const char *proto_read_opt_str(json_t *obj, const char *key, const char *bad, struct ev_str *out);
const char *proto_read_fee(json_t *obj, int32_t *out);
const char *proto_read_list(json_t *obj, const char *key, bool ids, struct ev_str *out, size_t *n);
bool proto_is_space(char c);
bool proto_is_server_text(const char *s, size_t n);

#endif
