/*
 * gen_json: the market-channel frames of clobsim's generator, as Polymarket sends them
 * (numbers as strings, best level last, event_type where the live feed puts it).
 *
 * Formats by hand from precomputed price strings into the generator's buffer: it must
 * never call jansson or a printf-family function, nor allocate once the buffer has
 * grown, because gen_step runs hundreds of thousands of times a second.  It reads the
 * books and never changes them (gen.c does).  clobsim is single-threaded: only its one
 * thread calls it.
 */
#include "gen_priv.h"

#include <string.h>

static char price_txt[GEN_SLOTS][8]; /* canonical text of each slot's price */
static uint8_t price_len[GEN_SLOTS]; /* its length */

static void price_table_init(void)
{
	for (int s = 0; s < GEN_SLOTS; s++) {
		char *t = price_txt[s];
		if (s == 0) {
			strcpy(t, "0");
		} else if (s == TOP) {
			strcpy(t, "1");
		} else {
			int d[3] = {s / 100, (s / 10) % 10, s % 10};
			int n = 3;

			while (n > 0 && d[n - 1] == 0)
				n--;
			t[0] = '0';
			t[1] = '.';
			for (int i = 0; i < n; i++)
				t[2 + i] = (char)('0' + d[i]);
			t[2 + n] = '\0';
		}
		price_len[s] = (uint8_t)strlen(t);
	}
}

const char *gen_price_text(int slot)
{
	if (slot < 0 || slot > TOP)
		return "";
	if (!price_len[TOP])
		price_table_init();
	return price_txt[slot];
}

static void add_hex(struct gen *g, struct sbuf *b, int n)
{
	char tmp[64];
	uint64_t r = 0;

	for (int i = 0; i < n; i++) {
		if ((i & 15) == 0)
			r = rng_next(g);
		tmp[i] = gen_hexd[r & 15];
		r >>= 4;
	}
	sbuf_add(b, tmp, (size_t)n);
}

/* Sizes are hundredths of a share: "374.34", "2.5", "100". */
static void add_size(struct sbuf *b, int32_t hs)
{
	sbuf_addu(b, (uint64_t)(hs / 100));
	int c = hs % 100;
	if (c) {
		char t[3] = {'.', (char)('0' + c / 10), (char)('0' + c % 10)};
		sbuf_add(b, t, c % 10 ? 3 : 2);
	}
}

static void add_price(struct sbuf *b, int slot)
{
	sbuf_add(b, price_txt[slot], price_len[slot]);
}

static void add_str(struct sbuf *b, const char *key, const char *val)
{
	sbuf_addc(b, '"');
	sbuf_adds(b, key);
	SBUF_LIT(b, "\":\"");
	sbuf_adds(b, val);
	sbuf_addc(b, '"');
}

static struct gen_msg *msg_begin(struct gen *g, enum gen_kind kind, int market)
{
	struct gen_msg *mm = &g->msg[g->nmsg];

	memset(mm, 0, sizeof *mm);
	mm->kind = kind;
	mm->market = market;
	mm->off = g->out.len;
	return mm;
}

static void msg_end(struct gen *g, struct gen_msg *mm)
{
	mm->len = g->out.len - mm->off;
	if (g->nmsg < GEN_MAX_MSGS - 1)
		g->nmsg++;
}

static void add_ts(struct sbuf *b, int64_t now_ms)
{
	SBUF_LIT(b, "\"timestamp\":\"");
	sbuf_addu(b, (uint64_t)now_ms);
	sbuf_addc(b, '"');
}

static void add_best(struct sbuf *b, int slot)
{
	if (slot >= 0)
		add_price(b, slot);
}

static void pc_entry(struct gen *g, const struct gen_market *m, int k, int side, int slot,
                     int32_t size, int bb, int ba)
{
	struct sbuf *b = &g->out;

	SBUF_LIT(b, "{\"asset_id\":\"");
	sbuf_add(b, m->token[k], GEN_ID_LEN);
	SBUF_LIT(b, "\",\"price\":\"");
	add_price(b, slot);
	SBUF_LIT(b, "\",\"size\":\"");
	add_size(b, size);
	if (side == BID)
		SBUF_LIT(b, "\",\"side\":\"BUY\",\"hash\":\"");
	else
		SBUF_LIT(b, "\",\"side\":\"SELL\",\"hash\":\"");
	add_hex(g, b, 40);
	SBUF_LIT(b, "\",\"best_bid\":\"");
	add_best(b, bb);
	SBUF_LIT(b, "\",\"best_ask\":\"");
	add_best(b, ba);
	SBUF_LIT(b, "\"}");
}

void gen_json_price_change(struct gen *g, int mi, int side, int slot, int32_t size,
                           bool top_changed)
{
	const struct gen_market *m = &g->m[mi];
	struct gen_msg *mm = msg_begin(g, GEN_PRICE_CHANGE, mi);
	struct sbuf *b = &g->out;

	mm->top_changed = top_changed;
	SBUF_LIT(b, "{\"market\":\"");
	sbuf_adds(b, m->cond);
	SBUF_LIT(b, "\",\"price_changes\":[");
	pc_entry(g, m, 0, side, slot, size, tok_best(m, 0, BID), tok_best(m, 0, ASK));
	sbuf_addc(b, ',');
	pc_entry(g, m, 1, 1 - side, TOP - slot, size, tok_best(m, 1, BID), tok_best(m, 1, ASK));
	SBUF_LIT(b, "],");
	add_ts(b, g->now_ms);
	SBUF_LIT(b, ",\"event_type\":\"price_change\"}");
	msg_end(g, mm);
}

/* One side's levels from token 0's slots src, walking from..to by step; mirrored slots
 * price the complement token (1 - p). */
static void levels_json(struct sbuf *b, const struct gen_market *m, int src, int from, int to,
                        int step, bool mirror)
{
	bool first = true;
	for (int s = from; step > 0 ? s <= to : s >= to; s += step) {
		if (!m->sz[src][s])
			continue;
		if (!first)
			sbuf_addc(b, ',');
		first = false;
		SBUF_LIT(b, "{\"price\":\"");
		add_price(b, mirror ? TOP - s : s);
		SBUF_LIT(b, "\",\"size\":\"");
		add_size(b, m->sz[src][s]);
		SBUF_LIT(b, "\"}");
	}
}

static void book_levels_json(const struct gen_market *m, int k, struct sbuf *b)
{
	/* bids ascending, asks descending: the best level last, as the live feed sends.
	 * Token 1's bids are token 0's asks mirrored, and its asks token 0's bids. */
	SBUF_LIT(b, "\"bids\":[");
	if (k == 0)
		levels_json(b, m, BID, 0, m->best[BID], 1, false);
	else
		levels_json(b, m, ASK, TOP, m->best[ASK], -1, true);
	SBUF_LIT(b, "],\"asks\":[");
	if (k == 0)
		levels_json(b, m, ASK, TOP, m->best[ASK], -1, false);
	else
		levels_json(b, m, BID, 0, m->best[BID], 1, true);
	sbuf_addc(b, ']');
}

/* The book's hash is not reproducible client side on the live feed either; a hash of
 * the state keeps it stable for an unchanged book, which is all a reader can rely on. */
static void book_hash(const struct gen_market *m, int k, struct sbuf *b)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)k;
	char tmp[40];

	for (int side = 0; side < 2; side++)
		for (int s = 0; s <= TOP; s++)
			if (m->sz[side][s])
				h = (h ^ (uint64_t)(s * 2 + side) ^
				     ((uint64_t)m->sz[side][s] << 16)) *
				    1099511628211ULL;
	for (int i = 0; i < 40; i++) {
		if (i % 16 == 0)
			h = h * 6364136223846793005ULL + 1442695040888963407ULL;
		tmp[i] = gen_hexd[(h >> (4 * (i % 16))) & 15];
	}
	sbuf_add(b, tmp, 40);
}

void gen_book_json(const struct gen *g, int token, int64_t now_ms, bool first, struct sbuf *b)
{
	const struct gen_market *m = &g->m[token / 2];
	int k = token % 2;

	SBUF_LIT(b, "{\"market\":\"");
	sbuf_adds(b, m->cond);
	SBUF_LIT(b, "\",\"asset_id\":\"");
	sbuf_add(b, m->token[k], GEN_ID_LEN);
	SBUF_LIT(b, "\",");
	add_ts(b, now_ms);
	SBUF_LIT(b, ",\"hash\":\"");
	book_hash(m, k, b);
	SBUF_LIT(b, "\",");
	book_levels_json(m, k, b);
	if (first) {
		SBUF_LIT(b, ",\"tick_size\":\"");
		add_price(b, m->tick);
		SBUF_LIT(b, "\",\"last_trade_price\":\"");
		if (m->last_trade[k] >= 0)
			add_price(b, m->last_trade[k]);
		sbuf_addc(b, '"');
	}
	SBUF_LIT(b, ",\"event_type\":\"book\"}");
}

void gen_json_trade(struct gen *g, int mi, int k, int taker, int price_slot, int32_t size)
{
	struct gen_market *m = &g->m[mi];
	struct sbuf *b = &g->out;
	struct gen_msg *mm = msg_begin(g, GEN_TRADE, mi);

	SBUF_LIT(b, "{\"market\":\"");
	sbuf_adds(b, m->cond);
	SBUF_LIT(b, "\",\"asset_id\":\"");
	sbuf_add(b, m->token[k], GEN_ID_LEN);
	SBUF_LIT(b, "\",\"price\":\"");
	add_price(b, price_slot);
	SBUF_LIT(b, "\",\"size\":\"");
	add_size(b, size);
	if (taker == BID)
		SBUF_LIT(b, "\",\"fee_rate_bps\":\"0\",\"side\":\"BUY\",");
	else
		SBUF_LIT(b, "\",\"fee_rate_bps\":\"0\",\"side\":\"SELL\",");
	add_ts(b, g->now_ms);
	SBUF_LIT(b, ",\"event_type\":\"last_trade_price\",\"transaction_hash\":\"0x");
	add_hex(g, b, 64);
	SBUF_LIT(b, "\"}");
	msg_end(g, mm);
}

void gen_json_bbo(struct gen *g, int mi, int k, int bb, int ba)
{
	struct gen_market *m = &g->m[mi];
	struct sbuf *b = &g->out;
	struct gen_msg *mm = msg_begin(g, GEN_BBO, mi);

	mm->custom = true;
	SBUF_LIT(b, "{\"market\":\"");
	sbuf_adds(b, m->cond);
	SBUF_LIT(b, "\",\"asset_id\":\"");
	sbuf_add(b, m->token[k], GEN_ID_LEN);
	SBUF_LIT(b, "\",\"best_bid\":\"");
	add_best(b, bb);
	SBUF_LIT(b, "\",\"best_ask\":\"");
	add_best(b, ba);
	SBUF_LIT(b, "\",\"spread\":\"");
	if (bb >= 0 && ba >= 0 && ba >= bb)
		add_price(b, ba - bb);
	SBUF_LIT(b, "\",");
	add_ts(b, g->now_ms);
	SBUF_LIT(b, ",\"event_type\":\"best_bid_ask\"}");
	msg_end(g, mm);
}

void gen_json_tick(struct gen *g, int mi, int old_tick)
{
	struct gen_market *m = &g->m[mi];
	struct sbuf *b = &g->out;

	for (int k = 0; k < 2; k++) {
		struct gen_msg *mm = msg_begin(g, GEN_TICK, mi);

		SBUF_LIT(b, "{\"asset_id\":\"");
		sbuf_add(b, m->token[k], GEN_ID_LEN);
		SBUF_LIT(b, "\",\"market\":\"");
		sbuf_adds(b, m->cond);
		SBUF_LIT(b, "\",\"old_tick_size\":\"");
		add_price(b, old_tick);
		SBUF_LIT(b, "\",\"new_tick_size\":\"");
		add_price(b, m->tick);
		SBUF_LIT(b, "\",");
		add_ts(b, g->now_ms);
		SBUF_LIT(b, ",\"event_type\":\"tick_size_change\"}");
		msg_end(g, mm);
	}
}

/* new_market and market_resolved share their body. */
static void market_info_json(struct gen *g, int mi, bool resolved, int winner)
{
	const struct gen_market *m = &g->m[mi];
	struct sbuf *b = &g->out;

	SBUF_LIT(b, "{");
	add_str(b, "id", m->gamma_id);
	sbuf_addc(b, ',');
	add_str(b, "question", m->question);
	sbuf_addc(b, ',');
	add_str(b, "market", m->cond);
	sbuf_addc(b, ',');
	add_str(b, "slug", m->slug);
	SBUF_LIT(b, ",\"description\":\"This market resolves to the outcome that happens. "
	            "Synthetic market served by clobsim.\",\"assets_ids\":[\"");
	sbuf_add(b, m->token[0], GEN_ID_LEN);
	SBUF_LIT(b, "\",\"");
	sbuf_add(b, m->token[1], GEN_ID_LEN);
	SBUF_LIT(b, "\"],\"outcomes\":[\"");
	sbuf_adds(b, m->outcome[0]);
	SBUF_LIT(b, "\",\"");
	sbuf_adds(b, m->outcome[1]);
	SBUF_LIT(b, "\"],");
	if (resolved) {
		add_str(b, "winning_asset_id", m->token[winner]);
		sbuf_addc(b, ',');
		add_str(b, "winning_outcome", m->outcome[winner]);
		sbuf_addc(b, ',');
	}
	SBUF_LIT(b, "\"event_message\":{");
	add_str(b, "id", m->event_id);
	sbuf_addc(b, ',');
	add_str(b, "ticker", m->slug);
	sbuf_addc(b, ',');
	add_str(b, "slug", m->slug);
	sbuf_addc(b, ',');
	add_str(b, "title", m->question);
	SBUF_LIT(b, ",\"description\":\"Synthetic event served by clobsim.\"},");
	add_ts(b, g->now_ms);
	if (resolved) {
		SBUF_LIT(b, ",\"tags\":[\"clobsim\"],\"event_type\":\"market_resolved\"}");
		return;
	}
	SBUF_LIT(b, ",\"event_type\":\"new_market\",\"tags\":[\"clobsim\"],");
	add_str(b, "condition_id", m->cond);
	SBUF_LIT(b, ",\"active\":true,\"clob_token_ids\":[\"");
	sbuf_add(b, m->token[0], GEN_ID_LEN);
	SBUF_LIT(b, "\",\"");
	sbuf_add(b, m->token[1], GEN_ID_LEN);
	SBUF_LIT(b, "\"],\"order_price_min_tick_size\":\"");
	add_price(b, m->tick);
	SBUF_LIT(b, "\",\"fees_enabled\":false}");
}

void gen_json_market_info(struct gen *g, int mi, enum gen_kind kind, int winner)
{
	struct gen_msg *mm = msg_begin(g, kind, mi);

	mm->global = mm->custom = true;
	market_info_json(g, mi, kind == GEN_RESOLVED, winner);
	msg_end(g, mm);
}

void gen_json_book(struct gen *g, int mi, int k)
{
	struct gen_msg *mm = msg_begin(g, GEN_BOOK, mi);

	gen_book_json(g, mi * 2 + k, g->now_ms, false, &g->out);
	msg_end(g, mm);
}
