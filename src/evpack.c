/*
 * evpack: see evpack.h.
 *
 * A REC_EVENTS payload, every part 8-byte aligned:
 *
 *   struct pk_head                        the lengths of what follows
 *   events_len bytes of packed events     each: struct pk_ev, its levels (bids then asks,
 *                                         struct ev_level), its strings (struct pk_str,
 *                                         the bytes, a NUL, padding)
 *   raw_len bytes                         the frame itself, when it was kept
 *
 * Producer and consumer are the same program, so numbers travel in host order.
 */
#include "evpack.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define PK_ALIGN 8u

struct pk_head {
	uint32_t frame_len;  /* bytes of the frame as received */
	uint32_t raw_len;    /* bytes of the frame kept after the events, 0 when not kept */
	uint32_t events_len; /* bytes of packed events */
	uint32_t nevents;    /* events packed */
};

enum pk_flag {
	PK_HAS_BBO = 1,       /* level.has_bbo */
	PK_LAST_IN_FRAME = 2, /* level.last_in_frame */
	PK_FRAME_DROPPED = 4, /* bad.frame_dropped */
};

struct pk_ev {
	uint32_t size;    /* bytes of this event with its levels and strings, a multiple of 8 */
	uint8_t kind;     /* enum ev_kind */
	uint8_t flags;    /* enum pk_flag */
	uint8_t side;     /* enum side: level and trade */
	uint8_t nstr;     /* strings after the levels */
	int64_t ts_ms;    /* event.ts_ms */
	int64_t v[4];     /* the kind's numbers, see pack_numbers() */
	uint32_t nbids;   /* book levels after this header: bids, then asks */
	uint32_t nasks;   /* */
	int32_t fee_bps;  /* trade */
	uint32_t nassets; /* info: asset ids (and outcomes) listed */
};

/* Which string of the event a struct pk_str is. */
enum pk_slot {
	S_ASSET,
	S_MARKET,
	S_HASH,
	S_QUESTION,
	S_SLUG,
	S_TEXT,
	S_REASON,
	S_WIN_ASSET,
	S_WIN_OUTCOME,
	S_INFO_ASSET = 16,
	S_INFO_OUTCOME = S_INFO_ASSET + PROTO_MAX_OUTCOMES,
	S_END = S_INFO_OUTCOME + PROTO_MAX_OUTCOMES,
};

struct pk_str {
	uint32_t len;  /* bytes of the string; a NUL and padding to 8 follow */
	uint16_t slot; /* enum pk_slot */
	uint16_t pad;
};

struct evpack {
	struct proto *proto;
	unsigned char *buf; /* the payload being built; only grows (see EVPACK_KEEP) */
	size_t cap;         /* bytes allocated */
	size_t len;         /* bytes used */
	uint32_t nevents;   /* events packed into this payload */
	bool oom;           /* a grow failed while packing this frame */
};

_Static_assert(sizeof(struct pk_head) % PK_ALIGN == 0, "events start 8-byte aligned");
_Static_assert(sizeof(struct pk_ev) % PK_ALIGN == 0, "levels start 8-byte aligned");
_Static_assert(sizeof(struct pk_str) == PK_ALIGN, "string bytes start 8-byte aligned");
_Static_assert(sizeof(struct ev_level) % PK_ALIGN == 0, "asks follow bids contiguously");

static size_t round8(size_t n)
{
	return (n + PK_ALIGN - 1) & ~(size_t)(PK_ALIGN - 1);
}

struct evpack *evpack_create(void)
{
	struct evpack *w = calloc(1, sizeof(*w));
	if (w && !(w->proto = proto_create())) {
		free(w);
		return NULL;
	}
	return w;
}

void evpack_destroy(struct evpack *w)
{
	if (!w)
		return;
	proto_destroy(w->proto);
	free(w->buf);
	free(w);
}

/* ---- producer ---- */

/* Appends n bytes (src NULL: zeros), a NUL when nul, and padding to 8; the offset where
 * they start, or SIZE_MAX when memory ran out (then w->oom is set and nothing more is
 * written this frame). */
static size_t put(struct evpack *w, const void *src, size_t n, bool nul)
{
	size_t r = round8(n + nul);
	if (w->oom || r < n ||
	    (w->cap - w->len < r && !mem_grow((void **)&w->buf, &w->cap, w->len + r, 1, 4096))) {
		w->oom = true;
		return SIZE_MAX;
	}
	size_t at = w->len;
	if (src)
		memcpy(w->buf + at, src, n);
	else
		memset(w->buf + at, 0, n);
	memset(w->buf + at + n, 0, r - n);
	w->len += r;
	return at;
}

/* A string of the event, when present (s non-NULL, even when empty). */
static void put_str(struct evpack *w, struct pk_ev *h, enum pk_slot slot, const char *s, size_t n)
{
	if (!s || n > UINT32_MAX)
		return;
	struct pk_str ps = {.len = (uint32_t)n, .slot = (uint16_t)slot};
	if (put(w, &ps, sizeof(ps), false) != SIZE_MAX && put(w, s, n, true) != SIZE_MAX)
		h->nstr++;
}

static void put_ev_str(struct evpack *w, struct pk_ev *h, enum pk_slot slot, const struct ev_str *s)
{
	put_str(w, h, slot, s->s, s->len);
}

/* The kind's numbers into the header (the inverse is unpack_numbers()). */
static void pack_numbers(struct pk_ev *h, const struct event *ev)
{
	switch (ev->kind) {
	case EV_BOOK:
		h->v[0] = ev->book.tick;
		h->v[1] = ev->book.last_trade;
		h->nbids = (uint32_t)ev->book.nbids;
		h->nasks = (uint32_t)ev->book.nasks;
		break;
	case EV_LEVEL:
		h->side = (uint8_t)ev->level.side;
		h->v[0] = ev->level.price;
		h->v[1] = ev->level.size;
		h->v[2] = ev->level.best_bid;
		h->v[3] = ev->level.best_ask;
		h->flags |= (ev->level.has_bbo ? PK_HAS_BBO : 0) |
		            (ev->level.last_in_frame ? PK_LAST_IN_FRAME : 0);
		break;
	case EV_TRADE:
		h->side = (uint8_t)ev->trade.side;
		h->v[0] = ev->trade.price;
		h->v[1] = ev->trade.size;
		h->fee_bps = ev->trade.fee_bps;
		break;
	case EV_TICK_SIZE:
		h->v[0] = ev->tick.old_tick;
		h->v[1] = ev->tick.new_tick;
		break;
	case EV_BBO:
		h->v[0] = ev->bbo.best_bid;
		h->v[1] = ev->bbo.best_ask;
		break;
	case EV_MARKET_INFO:
	case EV_RESOLVED:
		h->v[0] = ev->info.tick;
		h->nassets = (uint32_t)(ev->info.nassets < PROTO_MAX_OUTCOMES ? ev->info.nassets
		                                                              : PROTO_MAX_OUTCOMES);
		break;
	case EV_MALFORMED:
		h->flags |= ev->bad.frame_dropped ? PK_FRAME_DROPPED : 0;
		break;
	default:
		break;
	}
}

/* The market's description: new_market, and market_resolved which carries it too. */
static void pack_info(struct evpack *w, struct pk_ev *h, const struct event *ev)
{
	put_ev_str(w, h, S_QUESTION, &ev->info.question);
	put_ev_str(w, h, S_SLUG, &ev->info.slug);
	for (size_t i = 0; i < h->nassets; i++) {
		put_ev_str(w, h, (enum pk_slot)(S_INFO_ASSET + i), &ev->info.assets[i]);
		put_ev_str(w, h, (enum pk_slot)(S_INFO_OUTCOME + i), &ev->info.outcomes[i]);
	}
}

/* The kind's strings. */
static void pack_strings(struct evpack *w, struct pk_ev *h, const struct event *ev)
{
	put_ev_str(w, h, S_ASSET, &ev->asset_id);
	put_ev_str(w, h, S_MARKET, &ev->market);
	switch (ev->kind) {
	case EV_BOOK:
		put_ev_str(w, h, S_HASH, &ev->book.hash);
		break;
	case EV_RESOLVED:
		put_ev_str(w, h, S_WIN_ASSET, &ev->resolved.winning_asset_id);
		put_ev_str(w, h, S_WIN_OUTCOME, &ev->resolved.winning_outcome);
		pack_info(w, h, ev);
		break;
	case EV_MARKET_INFO:
		pack_info(w, h, ev);
		break;
	case EV_SERVER_ERROR:
	case EV_UNKNOWN:
		put_ev_str(w, h, S_TEXT, &ev->other.text);
		break;
	case EV_MALFORMED:
		if (ev->bad.reason)
			put_str(w, h, S_REASON, ev->bad.reason, strlen(ev->bad.reason));
		break;
	default:
		break;
	}
}

static void pack_event(void *ctx, const struct event *ev)
{
	struct evpack *w = ctx;
	struct pk_ev h = {.kind = (uint8_t)ev->kind, .ts_ms = ev->ts_ms};
	pack_numbers(&h, ev);
	size_t at = put(w, NULL, sizeof(h), false); /* the header is written last */
	if (at == SIZE_MAX)
		return;
	if (ev->kind == EV_BOOK) { /* contiguous: a level is a multiple of 8 bytes */
		(void)put(w, ev->book.bids, ev->book.nbids * sizeof(struct ev_level), false);
		(void)put(w, ev->book.asks, ev->book.nasks * sizeof(struct ev_level), false);
	}
	pack_strings(w, &h, ev);
	if (w->oom)
		return;
	h.size = (uint32_t)(w->len - at);
	memcpy(w->buf + at, &h, sizeof(h));
	w->nevents++;
}

const void *evpack_frame(struct evpack *w, const char *frame, size_t len, bool keep_raw,
                         size_t *out_len)
{
	if (w->cap > EVPACK_KEEP) { /* one huge frame does not keep its memory for ever */
		free(w->buf);
		w->buf = NULL;
		w->cap = 0;
	}
	w->len = 0;
	w->nevents = 0;
	w->oom = len > UINT32_MAX / 2;
	struct pk_head h = {.frame_len = (uint32_t)len};
	(void)put(w, NULL, sizeof(h), false);
	if (!w->oom)
		proto_parse(w->proto, frame, len, pack_event, w);
	h.events_len = (uint32_t)(w->len - sizeof(h));
	h.nevents = w->nevents;
	if (keep_raw) {
		h.raw_len = (uint32_t)len;
		(void)put(w, frame, len, false);
	}
	if (w->oom)
		return NULL;
	memcpy(w->buf, &h, sizeof(h));
	*out_len = w->len;
	return w->buf;
}

/* ---- consumer ---- */

bool evpack_read_info(const void *payload, size_t len, struct evpack_info *info)
{
	struct pk_head h;
	if (len < sizeof(h))
		return false;
	memcpy(&h, payload, sizeof(h));
	size_t raw_at = sizeof(h) + (size_t)h.events_len;
	if (h.events_len % PK_ALIGN || raw_at > len || h.raw_len > len - raw_at)
		return false;
	info->frame_len = h.frame_len;
	info->nevents = h.nevents;
	info->raw = h.raw_len ? (const char *)payload + raw_at : NULL;
	info->raw_len = h.raw_len;
	return true;
}

/* The event's string for slot; false for a slot that does not exist. */
static bool set_str(struct event *ev, unsigned slot, const char *s, size_t n)
{
	struct ev_str v = {.s = s, .len = n};
	if (slot >= S_INFO_OUTCOME && slot < S_END)
		ev->info.outcomes[slot - S_INFO_OUTCOME] = v;
	else if (slot >= S_INFO_ASSET && slot < S_INFO_OUTCOME)
		ev->info.assets[slot - S_INFO_ASSET] = v;
	else if (slot == S_ASSET)
		ev->asset_id = v;
	else if (slot == S_MARKET)
		ev->market = v;
	else if (slot == S_HASH)
		ev->book.hash = v;
	else if (slot == S_QUESTION)
		ev->info.question = v;
	else if (slot == S_SLUG)
		ev->info.slug = v;
	else if (slot == S_TEXT)
		ev->other.text = v;
	else if (slot == S_REASON)
		ev->bad.reason = s; /* NUL-terminated by the producer */
	else if (slot == S_WIN_ASSET)
		ev->resolved.winning_asset_id = v;
	else if (slot == S_WIN_OUTCOME)
		ev->resolved.winning_outcome = v;
	else
		return false;
	return true;
}

static void unpack_numbers(struct event *ev, const struct pk_ev *h)
{
	switch (ev->kind) {
	case EV_BOOK:
		ev->book.tick = h->v[0];
		ev->book.last_trade = h->v[1];
		ev->book.nbids = h->nbids;
		ev->book.nasks = h->nasks;
		break;
	case EV_LEVEL:
		ev->level.side = (enum side)h->side;
		ev->level.price = h->v[0];
		ev->level.size = h->v[1];
		ev->level.best_bid = h->v[2];
		ev->level.best_ask = h->v[3];
		ev->level.has_bbo = h->flags & PK_HAS_BBO;
		ev->level.last_in_frame = h->flags & PK_LAST_IN_FRAME;
		break;
	case EV_TRADE:
		ev->trade.side = (enum side)h->side;
		ev->trade.price = h->v[0];
		ev->trade.size = h->v[1];
		ev->trade.fee_bps = h->fee_bps;
		break;
	case EV_TICK_SIZE:
		ev->tick.old_tick = h->v[0];
		ev->tick.new_tick = h->v[1];
		break;
	case EV_BBO:
		ev->bbo.best_bid = h->v[0];
		ev->bbo.best_ask = h->v[1];
		break;
	case EV_MARKET_INFO:
	case EV_RESOLVED:
		ev->info.tick = h->v[0];
		ev->info.nassets = h->nassets;
		break;
	case EV_MALFORMED:
		ev->bad.frame_dropped = h->flags & PK_FRAME_DROPPED;
		break;
	default:
		break;
	}
}

/* One packed event of size h->size at p into *ev; false when it does not add up. */
static bool unpack(const unsigned char *p, const struct pk_ev *h, struct event *ev)
{
	const unsigned char *q = p + sizeof(*h), *end = p + h->size;
	size_t nlev = (size_t)h->nbids + h->nasks;
	if (h->kind >= EV_KIND_COUNT || h->nassets > PROTO_MAX_OUTCOMES ||
	    nlev > (size_t)(end - q) / sizeof(struct ev_level))
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->kind = (enum ev_kind)h->kind;
	ev->ts_ms = h->ts_ms;
	unpack_numbers(ev, h);
	if (ev->kind == EV_BOOK) {
		ev->book.bids = (const struct ev_level *)(const void *)q;
		ev->book.asks = ev->book.bids + h->nbids;
		q += nlev * sizeof(struct ev_level);
	}
	for (unsigned i = 0; i < h->nstr; i++) {
		struct pk_str s;
		if ((size_t)(end - q) < sizeof(s))
			return false;
		memcpy(&s, q, sizeof(s));
		q += round8(sizeof(s));
		if (s.len >= (size_t)(end - q) || !set_str(ev, s.slot, (const char *)q, s.len))
			return false;
		q += round8((size_t)s.len + 1);
	}
	return true;
}

size_t evpack_each(const void *payload, size_t len, proto_sink sink, void *ctx)
{
	struct evpack_info info;
	if (!evpack_read_info(payload, len, &info))
		return 0;
	struct pk_head hd;
	memcpy(&hd, payload, sizeof(hd));
	const unsigned char *p = (const unsigned char *)payload + sizeof(hd);
	const unsigned char *end = p + hd.events_len;
	size_t n = 0;
	struct event ev;
	while ((size_t)(end - p) >= sizeof(struct pk_ev)) {
		struct pk_ev h;
		memcpy(&h, p, sizeof(h));
		if (h.size < sizeof(h) || h.size % PK_ALIGN || h.size > (size_t)(end - p) ||
		    !unpack(p, &h, &ev))
			break;
		sink(ctx, &ev);
		n++;
		p += h.size;
	}
	return n;
}
