/*
 * proto: one Polymarket market-channel frame in, normalised events out.
 *
 * This is the only file that knows JSON and Polymarket field names.  It must never crash
 * or abort on any input, never hold a price or size as a double, and never allocate per
 * message in steady state: while a thread is inside proto_parse, jansson's allocations
 * come from that thread's bump arena, reset at each frame.
 *
 * Rules applied to every event: a key we read with the wrong type makes the event
 * EV_MALFORMED; a key we do not know is counted in unknown_keys and ignored.
 *
 * Numbers: the protocol sends every decimal as a JSON string, parsed exactly by
 * num_parse().  A JSON integer is accepted too (exact).  A JSON real ("0.5" without
 * quotes) is rejected as malformed: jansson has already turned it into a double, its text
 * is gone, and reading it back would not be exact.
 */
#include "proto.h"

#include "jarena.h"
#include "mem.h"
#include "proto_read.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *ev_kind_name(enum ev_kind k)
{
	static const char *const names[] = {
#define X(e, s) s,
	    EV_KINDS(X)
#undef X
	};
	if ((unsigned)k >= EV_KIND_COUNT)
		return "?";
	return names[k];
}

/* ---- parser state ---- */

struct proto {
	struct proto_counters c; /* counters, see proto.h */
	struct ev_level *lv;     /* level scratch for book events of the current frame */
	size_t lv_cap;           /* levels allocated */
	size_t lv_used;          /* levels used by this frame */
	struct event *ev;        /* events of the current frame, emitted after parsing */
	size_t ev_cap;           /* events allocated */
	size_t nev;              /* events queued in this frame */
	uint32_t *seen;          /* open-addressing set of asset ids (last_in_frame pass) */
	size_t seen_cap;         /* slots, a power of two */
	size_t nbad;             /* malformed elements in the current frame */
	char bad_text[128];      /* reason of a summary EV_MALFORMED of the current frame */
};

/* Scratch kept between frames; above this, a frame's scratch is released after it, so
 * one huge frame does not keep its memory for ever.  Sizes in elements. */
#define KEEP_LEVELS (64u * 1024u)
#define KEEP_EVENTS (16u * 1024u)
#define KEEP_SEEN   (64u * 1024u)

/* Frames up to this size are parsed without a look: whatever they hold costs at most a
 * few MiB.  Larger ones are first scanned for how many objects and arrays they open. */
#define SCAN_FROM (64u * 1024u)

/* Scratch arrays only grow, so a steady-state frame never reaches realloc. */
static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	jarena_count_heap();
	return mem_grow(arr, cap, need, elem, 64);
}

struct proto *proto_create(void)
{
	jarena_install();
	struct proto *p = calloc(1, sizeof(struct proto));
	/* A first level slot so that book pointers are never computed from NULL. */
	if (p && !grow((void **)&p->lv, &p->lv_cap, 1, sizeof(struct ev_level))) {
		free(p);
		return NULL;
	}
	return p;
}

static void release_above(void **arr, size_t *cap, size_t keep)
{
	if (*cap > keep) {
		free(*arr);
		*arr = NULL;
		*cap = 0;
	}
}

/* An upper bound of the JSON containers a frame opens (brackets inside strings count
 * too, which only errs on the safe side), and whether parsing it would cost more memory
 * than PROTO_MAX_CONTAINERS or about 20 times its size allows: jansson spends some 150 to
 * 250 bytes per object, so a frame of "{}," costs 60 times its size. */
static bool too_dense(const char *s, size_t n, size_t *containers)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += s[i] == '{' || s[i] == '[';
	*containers = c;
	return c > PROTO_MAX_CONTAINERS || c > n / 12;
}

void proto_destroy(struct proto *p)
{
	if (!p)
		return;
	free(p->lv);
	free(p->ev);
	free(p->seen);
	free(p);
}

const struct proto_counters *proto_counters(const struct proto *p)
{
	return &p->c;
}

/* ---- small readers: each returns NULL on success or a static reason ---- */

static bool key_in(const char *key, const char *const *known)
{
	for (; *known; known++)
		if (strcmp(key, *known) == 0)
			return true;
	return false;
}

static void count_unknown_keys(struct proto *p, json_t *obj, const char *const *known)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		if (!key_in(key, known))
			p->c.unknown_keys++;
	}
}

/* ---- event queue ---- */

static struct event *ev_push(struct proto *p, enum ev_kind kind)
{
	if (p->nev == p->ev_cap &&
	    !grow((void **)&p->ev, &p->ev_cap, p->nev + 1, sizeof(struct event)))
		return NULL;
	struct event *e = &p->ev[p->nev++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	return e;
}

static void ev_bad(struct proto *p, const struct ev_str *asset, const char *reason)
{
	/* Past a few per frame only the count is kept: 2.8 million bad elements in one frame
	 * once became 2.8 million alerts. */
	if (p->nbad++ >= PROTO_MAX_BAD_PER_FRAME)
		return;
	struct event *e = ev_push(p, EV_MALFORMED);
	if (!e)
		return;
	if (asset)
		e->asset_id = *asset;
	e->bad.reason = reason;
}

/* Fields every market event shares.  asset_key NULL: no asset_id at this level. */
static const char *read_common(json_t *obj, const char *asset_key, struct event *e)
{
	const char *r;
	if (asset_key && (r = proto_read_id(obj, asset_key, "missing asset_id", &e->asset_id)))
		return r;
	if ((r = proto_read_opt_str(obj, "market", "market is not a string", &e->market)))
		return r;
	return proto_read_ts(obj, &e->ts_ms);
}

/* ---- book ---- */

static const char *const book_keys[] = {
    "event_type", "market", "asset_id",  "timestamp",        "hash",           "bids",     "asks",
    "buys",       "sells",  "tick_size", "last_trade_price", "min_order_size", "neg_risk", NULL};
static const char *const level_keys[] = {"price", "size", NULL};

static const char *read_levels(struct proto *p, json_t *arr, size_t *n)
{
	*n = 0;
	if (!arr)
		return NULL;
	if (!json_is_array(arr))
		return "book side is not an array";
	size_t cnt = json_array_size(arr);
	if (cnt > PROTO_MAX_LEVELS)
		return "more price levels on one side than a price grid can hold";
	if (!grow((void **)&p->lv, &p->lv_cap, p->lv_used + cnt, sizeof(struct ev_level)))
		return "out of memory";
	for (size_t i = 0; i < cnt; i++) {
		json_t *l = json_array_get(arr, i);
		const char *r;
		if (!json_is_object(l))
			return "level is not an object";
		struct ev_level *lv = &p->lv[p->lv_used + i];
		if ((r = proto_read_price(l, "price", &proto_why_price, false, 0, &lv->price)) ||
		    (r = proto_read_size(l, &lv->size)))
			return r;
		count_unknown_keys(p, l, level_keys);
	}
	*n = cnt;
	return NULL;
}

/* Level pointers are stored as offsets into p->lv until the frame is complete, because
 * the scratch may move while later books of the same frame are read. */
static void parse_book(struct proto *p, json_t *obj)
{
	struct event e;
	const char *r;
	memset(&e, 0, sizeof e);
	e.kind = EV_BOOK;
	if ((r = read_common(obj, "asset_id", &e)))
		goto bad;
	json_t *bids = json_object_get(obj, "bids"), *asks = json_object_get(obj, "asks");
	if (!bids)
		bids = json_object_get(obj, "buys");
	if (!asks)
		asks = json_object_get(obj, "sells");
	if (!bids && !asks) {
		r = "book without bids or asks";
		goto bad;
	}
	size_t start = p->lv_used;
	if ((r = read_levels(p, bids, &e.book.nbids)))
		goto bad;
	p->lv_used += e.book.nbids;
	if ((r = read_levels(p, asks, &e.book.nasks))) {
		p->lv_used = start;
		goto bad;
	}
	p->lv_used += e.book.nasks;
	if ((r = proto_read_tick(obj, "tick_size", true, &e.book.tick)) ||
	    (r = proto_read_price(obj, "last_trade_price", &proto_why_ltp, true, PRICE_NONE,
	                          &e.book.last_trade)) ||
	    (r = proto_read_opt_str(obj, "hash", "hash is not a string", &e.book.hash))) {
		p->lv_used = start;
		goto bad;
	}
	e.book.bids = (const struct ev_level *)(uintptr_t)start;
	e.book.asks = (const struct ev_level *)(uintptr_t)(start + e.book.nbids);
	count_unknown_keys(p, obj, book_keys);
	struct event *q = ev_push(p, EV_BOOK);
	if (q)
		*q = e;
	return;
bad:
	ev_bad(p, e.asset_id.s ? &e.asset_id : NULL, r);
}

/* ---- price_change, three schemas ---- */

static const char *const pc_keys[] = {"event_type",    "market",   "asset_id", "timestamp", "hash",
                                      "price_changes", "changes",  "price",    "size",      "side",
                                      "best_bid",      "best_ask", NULL};
static const char *const pc_entry_keys[] = {"asset_id", "price",    "size",     "side",
                                            "hash",     "best_bid", "best_ask", NULL};

/* One level change; entry may be the top-level object (oldest flat schema). */
static void parse_change(struct proto *p, json_t *entry, const struct event *top, bool count_keys)
{
	struct event e = *top;
	const char *r;
	e.kind = EV_LEVEL;
	if (!json_is_object(entry)) {
		r = "price change entry is not an object";
		goto bad;
	}
	if (json_object_get(entry, "asset_id") &&
	    (r = proto_read_id(entry, "asset_id", "missing asset_id", &e.asset_id)))
		goto bad;
	if (!e.asset_id.s) {
		r = "missing asset_id";
		goto bad;
	}
	if ((r = proto_read_side(entry, &e.level.side)) ||
	    (r = proto_read_price(entry, "price", &proto_why_price, false, 0, &e.level.price)) ||
	    (r = proto_read_size(entry, &e.level.size)))
		goto bad;
	e.level.has_bbo = json_object_get(entry, "best_bid") || json_object_get(entry, "best_ask");
	if ((r = proto_read_bbo_side(entry, "best_bid", &e.level.best_bid)) ||
	    (r = proto_read_bbo_side(entry, "best_ask", &e.level.best_ask)))
		goto bad;
	if (count_keys)
		count_unknown_keys(p, entry, pc_entry_keys);
	struct event *q = ev_push(p, EV_LEVEL);
	if (q)
		*q = e;
	return;
bad:
	ev_bad(p, e.asset_id.s ? &e.asset_id : NULL, r);
}

static void parse_price_change(struct proto *p, json_t *obj)
{
	struct event top;
	const char *r;
	memset(&top, 0, sizeof top);
	/* The top-level asset_id is required by the two older schemas only. */
	if ((r = read_common(obj, NULL, &top)))
		goto bad;
	if (json_object_get(obj, "asset_id") &&
	    (r = proto_read_id(obj, "asset_id", "missing asset_id", &top.asset_id)))
		goto bad;
	count_unknown_keys(p, obj, pc_keys);
	json_t *list = json_object_get(obj, "price_changes");
	if (!list)
		list = json_object_get(obj, "changes");
	if (!list) {
		if (!json_object_get(obj, "price")) {
			r = "price_change without changes";
			goto bad;
		}
		parse_change(p, obj, &top, false);
		return;
	}
	if (!json_is_array(list)) {
		r = "price changes are not an array";
		goto bad;
	}
	if (json_array_size(list) == 0) {
		r = "price_change without changes";
		goto bad;
	}
	for (size_t i = 0; i < json_array_size(list); i++)
		parse_change(p, json_array_get(list, i), &top, true);
	return;
bad:
	ev_bad(p, top.asset_id.s ? &top.asset_id : NULL, r);
}

/* ---- the other market events ---- */

static const char *const trade_keys[] = {
    "event_type",   "market",    "asset_id",         "price", "size", "side",
    "fee_rate_bps", "timestamp", "transaction_hash", NULL};
static const char *const tick_keys[] = {"event_type",    "market",    "asset_id", "old_tick_size",
                                        "new_tick_size", "timestamp", NULL};
static const char *const bbo_keys[] = {"event_type", "market", "asset_id",  "best_bid",
                                       "best_ask",   "spread", "timestamp", NULL};
static const char *const info_keys[] = {"event_type",
                                        "id",
                                        "market",
                                        "question",
                                        "slug",
                                        "description",
                                        "assets_ids",
                                        "outcomes",
                                        "event_message",
                                        "timestamp",
                                        "tags",
                                        "active",
                                        "clob_token_ids",
                                        "condition_id",
                                        "order_price_min_tick_size",
                                        "taker_base_fee",
                                        "maker_base_fee",
                                        "fees_enabled",
                                        "fee_schedule",
                                        "winning_asset_id",
                                        "winning_outcome",
                                        NULL};

static void parse_trade(struct proto *p, json_t *obj)
{
	struct event e;
	const char *r;
	memset(&e, 0, sizeof e);
	if ((r = read_common(obj, "asset_id", &e)) || (r = proto_read_side(obj, &e.trade.side)) ||
	    (r = proto_read_price(obj, "price", &proto_why_price, false, 0, &e.trade.price)) ||
	    (r = proto_read_size(obj, &e.trade.size)) ||
	    (r = proto_read_fee(obj, &e.trade.fee_bps))) {
		ev_bad(p, e.asset_id.s ? &e.asset_id : NULL, r);
		return;
	}
	count_unknown_keys(p, obj, trade_keys);
	struct event *q = ev_push(p, EV_TRADE);
	if (q) {
		e.kind = EV_TRADE;
		*q = e;
	}
}

static void parse_tick(struct proto *p, json_t *obj)
{
	struct event e;
	const char *r;
	memset(&e, 0, sizeof e);
	if ((r = read_common(obj, "asset_id", &e)) ||
	    (r = proto_read_tick(obj, "old_tick_size", true, &e.tick.old_tick)) ||
	    (r = proto_read_tick(obj, "new_tick_size", false, &e.tick.new_tick))) {
		ev_bad(p, e.asset_id.s ? &e.asset_id : NULL, r);
		return;
	}
	count_unknown_keys(p, obj, tick_keys);
	struct event *q = ev_push(p, EV_TICK_SIZE);
	if (q) {
		e.kind = EV_TICK_SIZE;
		*q = e;
	}
}

static void parse_bbo(struct proto *p, json_t *obj)
{
	struct event e;
	const char *r;
	memset(&e, 0, sizeof e);
	if ((r = read_common(obj, "asset_id", &e)) ||
	    (r = proto_read_bbo_side(obj, "best_bid", &e.bbo.best_bid)) ||
	    (r = proto_read_bbo_side(obj, "best_ask", &e.bbo.best_ask))) {
		ev_bad(p, e.asset_id.s ? &e.asset_id : NULL, r);
		return;
	}
	count_unknown_keys(p, obj, bbo_keys);
	struct event *q = ev_push(p, EV_BBO);
	if (q) {
		e.kind = EV_BBO;
		*q = e;
	}
}

static void parse_info(struct proto *p, json_t *obj, bool resolved)
{
	struct event e;
	const char *r;
	size_t nout = 0;
	memset(&e, 0, sizeof e);
	if ((r = read_common(obj, NULL, &e)) ||
	    (r = proto_read_opt_str(obj, "question", "question is not a string",
	                            &e.info.question)) ||
	    (r = proto_read_opt_str(obj, "slug", "slug is not a string", &e.info.slug)) ||
	    (r = proto_read_list(obj, "assets_ids", true, e.info.assets, &e.info.nassets)) ||
	    (r = proto_read_list(obj, "outcomes", false, e.info.outcomes, &nout)) ||
	    (r = proto_read_tick(obj, "order_price_min_tick_size", true, &e.info.tick)))
		goto bad;
	if (resolved) {
		if ((r = proto_read_id(obj, "winning_asset_id", "missing winning_asset_id",
		                       &e.resolved.winning_asset_id)) ||
		    (r = proto_read_opt_str(obj, "winning_outcome",
		                            "winning_outcome is not a string",
		                            &e.resolved.winning_outcome)))
			goto bad;
	}
	count_unknown_keys(p, obj, info_keys);
	struct event *q = ev_push(p, resolved ? EV_RESOLVED : EV_MARKET_INFO);
	if (q) {
		e.kind = resolved ? EV_RESOLVED : EV_MARKET_INFO;
		*q = e;
	}
	return;
bad:
	ev_bad(p, NULL, r);
}

static void parse_object(struct proto *p, json_t *obj)
{
	if (!json_is_object(obj)) {
		ev_bad(p, NULL, "array element is not an object");
		return;
	}
	json_t *et = json_object_get(obj, "event_type");
	if (!et) {
		ev_bad(p, NULL, "missing event_type");
		return;
	}
	const char *t = json_string_value(et);
	if (!t) {
		ev_bad(p, NULL, "event_type is not a string");
		return;
	}
	if (strcmp(t, "book") == 0)
		parse_book(p, obj);
	else if (strcmp(t, "price_change") == 0)
		parse_price_change(p, obj);
	else if (strcmp(t, "last_trade_price") == 0)
		parse_trade(p, obj);
	else if (strcmp(t, "tick_size_change") == 0)
		parse_tick(p, obj);
	else if (strcmp(t, "best_bid_ask") == 0)
		parse_bbo(p, obj);
	else if (strcmp(t, "new_market") == 0)
		parse_info(p, obj, false);
	else if (strcmp(t, "market_resolved") == 0)
		parse_info(p, obj, true);
	else {
		struct event *e = ev_push(p, EV_UNKNOWN);
		if (e)
			e->other.text = proto_str_of(et);
	}
}

/* ---- frame ---- */

static uint64_t hash_str(const struct ev_str *s)
{
	return mem_hash(s->s, s->len);
}

/* Mark the last level event of each asset in the frame, walking backwards with a hash
 * set of assets already seen (linear, whatever the number of distinct assets). */
static void mark_last_levels(struct proto *p)
{
	size_t nlevel = 0;
	for (size_t i = 0; i < p->nev; i++)
		nlevel += p->ev[i].kind == EV_LEVEL;
	if (nlevel == 0)
		return;
	size_t slots = 16;
	while (slots < nlevel * 2)
		slots *= 2;
	if (!grow((void **)&p->seen, &p->seen_cap, slots, sizeof(uint32_t)) ||
	    p->nev >= UINT32_MAX) {
		/* Out of memory: flag every level so the consumer checks too often, not never. */
		for (size_t i = 0; i < p->nev; i++)
			if (p->ev[i].kind == EV_LEVEL)
				p->ev[i].level.last_in_frame = true;
		return;
	}
	memset(p->seen, 0, slots * sizeof(uint32_t));
	for (size_t i = p->nev; i-- > 0;) {
		struct event *e = &p->ev[i];
		if (e->kind != EV_LEVEL)
			continue;
		size_t h = (size_t)hash_str(&e->asset_id) & (slots - 1);
		bool found = false;
		while (p->seen[h]) {
			const struct event *o = &p->ev[p->seen[h] - 1];
			if (o->asset_id.len == e->asset_id.len &&
			    memcmp(o->asset_id.s, e->asset_id.s, e->asset_id.len) == 0) {
				found = true;
				break;
			}
			h = (h + 1) & (slots - 1);
		}
		e->level.last_in_frame = !found;
		if (!found)
			p->seen[h] = (uint32_t)(i + 1);
	}
}

static void emit(struct proto *p, const struct event *e, proto_sink sink, void *ctx)
{
	p->c.events++;
	p->c.by_kind[e->kind]++;
	if (e->kind == EV_MALFORMED)
		p->c.malformed++;
	else if (e->kind == EV_UNKNOWN)
		p->c.unknown++;
	sink(ctx, e);
}

static void emit_one(struct proto *p, enum ev_kind kind, const char *text, size_t len,
                     const char *reason, proto_sink sink, void *ctx)
{
	struct event e;
	memset(&e, 0, sizeof e);
	e.kind = kind;
	if (kind == EV_MALFORMED)
		e.bad.reason = reason;
	else
		e.other.text = (struct ev_str){text, len};
	emit(p, &e, sink, ctx);
}

static void parse_tree(struct proto *p, const char *s, size_t n,
                       void (*one_object)(struct proto *, json_t *), proto_sink sink, void *ctx);

/* Counts the frame and returns it without surrounding white space (*n bytes). */
static const char *frame_begin(struct proto *p, const char *buf, size_t len, size_t *n)
{
	const char *s = buf;
	size_t k = buf ? len : 0;
	p->c.frames++;
	while (k && proto_is_space(*s))
		s++, k--;
	while (k && proto_is_space(s[k - 1]))
		k--;
	*n = k;
	return s;
}

void proto_parse(struct proto *p, const char *buf, size_t len, proto_sink sink, void *ctx)
{
	size_t n;
	const char *s = frame_begin(p, buf, len, &n);
	if (n == 0) {
		emit_one(p, EV_MALFORMED, NULL, 0, "empty frame", sink, ctx);
		return;
	}
	if (s[0] != '{' && s[0] != '[') {
		if (n == 4 && memcmp(s, "PONG", 4) == 0)
			emit_one(p, EV_PONG, s, n, NULL, sink, ctx);
		else if (proto_is_server_text(s, n))
			emit_one(p, EV_SERVER_ERROR, s, n, NULL, sink, ctx);
		else
			emit_one(p, EV_MALFORMED, NULL, 0, "not JSON", sink, ctx);
		return;
	}

	parse_tree(p, s, n, parse_object, sink, ctx);
}

/* A REST book carries no event_type: every element is a book. */
static void parse_rest_object(struct proto *p, json_t *obj)
{
	if (!json_is_object(obj)) {
		ev_bad(p, NULL, "array element is not an object");
		return;
	}
	parse_book(p, obj);
}

void proto_parse_rest_books(struct proto *p, const char *buf, size_t len, proto_sink sink,
                            void *ctx)
{
	size_t n;
	const char *s = frame_begin(p, buf, len, &n);
	if (n == 0 || (s[0] != '{' && s[0] != '[')) {
		emit_one(p, EV_MALFORMED, NULL, 0, n ? "not JSON" : "empty answer", sink, ctx);
		return;
	}
	parse_tree(p, s, n, parse_rest_object, sink, ctx);
}

/* JSON text (an object or an array) to events: each object goes to one_object. */
static void parse_tree(struct proto *p, const char *s, size_t n,
                       void (*one_object)(struct proto *, json_t *), proto_sink sink, void *ctx)
{
	size_t containers;
	if (n > SCAN_FROM && too_dense(s, n, &containers)) {
		snprintf(
		    p->bad_text, sizeof p->bad_text,
		    "frame dropped: %zu objects in %zu bytes would cost too much memory to parse",
		    containers, n);
		struct event e;
		memset(&e, 0, sizeof e);
		e.kind = EV_MALFORMED;
		e.bad.reason = p->bad_text;
		e.bad.frame_dropped = true;
		emit(p, &e, sink, ctx);
		return;
	}

	bool own_arena = jarena_begin();
	p->nev = 0;
	p->lv_used = 0;
	p->nbad = 0;
	json_t *root = json_loadb(s, n, 0, NULL);
	if (!root) {
		ev_bad(p, NULL, "not JSON");
	} else if (json_is_array(root)) {
		if (json_array_size(root) == 0)
			ev_push(p, EV_EMPTY);
		for (size_t i = 0; i < json_array_size(root); i++)
			one_object(p, json_array_get(root, i));
	} else {
		one_object(p, root);
	}
	mark_last_levels(p);
	if (p->nbad > PROTO_MAX_BAD_PER_FRAME) {
		snprintf(p->bad_text, sizeof p->bad_text,
		         "and %zu more malformed elements in this frame",
		         p->nbad - PROTO_MAX_BAD_PER_FRAME);
		p->nbad = 0; /* let this one through */
		ev_bad(p, NULL, p->bad_text);
	}

	/* Whatever the sink allocates (it may use jansson too) must outlive the frame, so the
	 * arena is switched off while it runs; frees of arena pointers stay no-ops. */
	if (own_arena)
		jarena_pause();
	if (p->nev == 0)
		emit_one(p, EV_MALFORMED, NULL, 0, "out of memory", sink, ctx);
	for (size_t i = 0; i < p->nev; i++) {
		struct event *e = &p->ev[i];
		if (e->kind == EV_BOOK) {
			size_t off = (size_t)(uintptr_t)e->book.bids;
			e->book.bids = p->lv + off;
			e->book.asks = p->lv + off + e->book.nbids;
		}
		emit(p, e, sink, ctx);
	}
	p->nev = 0;
	json_decref(root);
	if (own_arena)
		jarena_end();
	release_above((void **)&p->lv, &p->lv_cap, KEEP_LEVELS);
	release_above((void **)&p->ev, &p->ev_cap, KEEP_EVENTS);
	release_above((void **)&p->seen, &p->seen_cap, KEEP_SEEN);
}
