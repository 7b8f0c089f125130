/*
 * gen: synthetic markets and order flow (see gen.h).
 *
 * Each market keeps one book, token 0's, on a 0.001 grid; token 1's book is its mirror
 * (a bid at p for token 0 is an ask at 1 - p for token 1), so the two tokens can never
 * disagree.  This file owns the books and the random order flow; the frames are
 * written by gen_json.c.  It must stay free of jansson and per-frame allocation on the
 * gen_step path, which runs hundreds of thousands of times a second, and never let a
 * book cross except when a fault asks for it.  clobsim is single-threaded: only its
 * one thread calls it (tests call it directly).
 */
#include "gen_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Uniform in [0, n). */
static uint32_t rnd(struct gen *g, uint32_t n)
{
	return (uint32_t)(((rng_next(g) >> 32) * (uint64_t)n) >> 32);
}

static void rng_seed(struct gen *g, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		g->rng[i] = z ^ (z >> 31);
	}
}

static void set_level(struct gen_market *m, int side, int slot, int32_t size)
{
	int32_t old = m->sz[side][slot];

	m->sz[side][slot] = size;
	if (old == 0 && size > 0) {
		m->nlev[side]++;
		if (side == BID ? slot > m->best[BID] : slot < m->best[ASK])
			m->best[side] = slot;
	} else if (old > 0 && size == 0) {
		m->nlev[side]--;
		if (slot == m->best[side]) {
			int s = slot;
			if (side == BID) {
				while (s >= 0 && m->sz[BID][s] == 0)
					s--;
				m->best[BID] = s;
			} else {
				while (s <= TOP && m->sz[ASK][s] == 0)
					s++;
				m->best[ASK] = s;
			}
		}
	}
}

/* The slot of the i-th level from the best (clamped to the deepest). */
static int level_at(const struct gen_market *m, int side, int i)
{
	int s = m->best[side], last = s;
	int step = side == BID ? -1 : 1;

	for (; s >= 0 && s <= TOP; s += step) {
		if (m->sz[side][s] == 0)
			continue;
		last = s;
		if (i-- == 0)
			break;
	}
	return last;
}

static int deepest(const struct gen_market *m, int side)
{
	if (side == BID) {
		for (int s = 0; s <= TOP; s++)
			if (m->sz[BID][s])
				return s;
	} else {
		for (int s = TOP; s >= 0; s--)
			if (m->sz[ASK][s])
				return s;
	}
	return -1;
}

static int32_t rand_size(struct gen *g)
{
	static const int32_t base[] = {5,   10,  20,  25,   50,   100,  150,
	                               200, 250, 500, 1000, 2500, 5000, 10000};
	int32_t sh = base[rnd(g, sizeof base / sizeof base[0])];
	int32_t v = sh * 100;

	switch (rnd(g, 4)) {
	case 0:
		v = (int32_t)(rnd(g, (uint32_t)sh * 100) + 100); /* odd size with cents */
		break;
	case 1:
		v = (int32_t)(rnd(g, (uint32_t)sh) + 1) * 100;
		break;
	default:
		break;
	}
	return v;
}

/* --- frames ------------------------------------------------------------------------ */

/* Apply one level of token 0's book and, when emit, the price_change naming both tokens. */
static void price_change(struct gen *g, int mi, int side, int slot, int32_t size, bool emit)
{
	struct gen_market *m = &g->m[mi];
	int ob = m->best[BID], oa = m->best[ASK];

	set_level(m, side, slot, size);
	m->book_ms = g->now_ms;
	if (emit)
		gen_json_price_change(g, mi, side, slot, size,
		                      ob != m->best[BID] || oa != m->best[ASK]);
}

/* --- flow -------------------------------------------------------------------------- */

static bool slot_ok(const struct gen_market *m, int side, int s)
{
	if (s < m->tick || s > TOP - m->tick || s % m->tick)
		return false;
	return side == BID ? s < m->best[ASK] : s > m->best[BID];
}

/* Pick a slot on `side` to add a level at: often one tick better than the best (inside
 * the spread), mostly a few ticks behind it, sometimes deep.  -1 when no room. */
static int pick_add_slot(struct gen *g, const struct gen_market *m, int side)
{
	int dir = side == BID ? -1 : 1; /* away from the spread */
	int best = m->best[side];

	if (best < 0 || best > TOP)
		best = side == BID ? m->fair - m->tick : m->fair + m->tick;
	for (int tries = 0; tries < 8; tries++) {
		int k;
		uint32_t r = rnd(g, 100);

		/* pull the improving side toward the market's fair value */
		int mid = (m->best[BID] + m->best[ASK]) / 2;
		bool toward = side == BID ? mid < m->fair : mid > m->fair;
		if (r < (toward ? 30u : 15u))
			k = -1;
		else if (r < 85)
			k = 1 + (int)rnd(g, 4);
		else
			k = 5 + (int)rnd(g, 40);
		int s = best + dir * k * m->tick;
		s -= s % m->tick;
		if (slot_ok(m, side, s))
			return s;
	}
	return -1;
}

static void flow_price_change(struct gen *g, int mi, bool emit)
{
	struct gen_market *m = &g->m[mi];
	int side = (int)rnd(g, 2);
	int n = m->nlev[side];
	uint32_t r = rnd(g, 100);
	int slot = -1;
	int32_t size = 0;

	if (n > g->cfg.max_levels) {
		slot = deepest(m, side);
	} else if (n < g->cfg.min_levels || (r >= 45 && r < 75)) {
		slot = pick_add_slot(g, m, side);
		size = rand_size(g);
	} else if (r >= 75 && n > 3) {
		slot = level_at(m, side, rnd(g, 100) < 60 ? 0 : (int)rnd(g, (uint32_t)n));
	}
	if (slot < 0) { /* modify an existing level near the top */
		if (n == 0)
			return;
		slot = level_at(m, side, (int)rnd(g, n < 6 ? (uint32_t)n : 6u));
		size = rand_size(g);
	}
	price_change(g, mi, side, slot, size, emit);
}

static void flow_trade(struct gen *g, int mi, bool emit)
{
	struct gen_market *m = &g->m[mi];
	int k = (int)rnd(g, 2), taker = (int)rnd(g, 2);
	/* a buy of token 1 takes token 0's bid (its ask mirrored) */
	int side = (k == 0) == (taker == BID) ? ASK : BID;
	int slot = m->best[side];
	int32_t have, take;

	if (slot < 0 || slot > TOP || m->nlev[side] < 2)
		return;
	have = m->sz[side][slot];
	take = (int32_t)(1 + rnd(g, (uint32_t)have));
	if (m->nlev[side] <= 3 && take == have)
		take = have > 1 ? have - 1 : have;
	m->last_trade[k] = k == 0 ? slot : TOP - slot;
	if (emit)
		gen_json_trade(g, mi, k, taker, m->last_trade[k], take);
	price_change(g, mi, side, slot, have - take, emit);
	if (emit && g->cfg.book_after_trade)
		gen_json_book(g, mi, k);
}

/* Near the edges the exchange refines the tick (0.01 -> 0.001). */
static void flow_tick_check(struct gen *g, int mi, bool emit)
{
	struct gen_market *m = &g->m[mi];

	if (m->tick != 10)
		return;
	if (!(m->best[ASK] <= 40 || (m->best[BID] >= 960 && m->best[BID] <= TOP)))
		return;
	m->tick = 1;
	if (emit)
		gen_json_tick(g, mi, 10);
}

static int pick_market(struct gen *g)
{
	for (int tries = 0; tries < 64; tries++) {
		int i = (int)rnd(g, (uint32_t)g->nmarkets);
		if (g->m[i].visible && !g->m[i].closed && !g->m[i].quiet)
			return i;
	}
	for (int i = 0; i < g->nmarkets; i++)
		if (g->m[i].visible && !g->m[i].closed && !g->m[i].quiet)
			return i;
	return -1;
}

static int step_begin(struct gen *g, int64_t now_ms)
{
	sbuf_reset(&g->out);
	g->nmsg = 0;
	g->now_ms = now_ms;
	return 0;
}

int gen_step(struct gen *g, int64_t now_ms, bool all_markets)
{
	int mi, frames = 1;
	bool emit;

	step_begin(g, now_ms);
	if (g->cross_market >= 0) { /* undo the cross at once: it was transient */
		mi = g->cross_market;
		g->cross_market = -1;
		if (g->m[mi].sz[BID][g->cross_slot])
			price_change(g, mi, BID, g->cross_slot, 0,
			             g->m[mi].nsub > 0 || all_markets);
		goto done;
	}
	mi = pick_market(g);
	if (mi < 0)
		return 0;
	emit = g->m[mi].nsub > 0 || all_markets;

	if (g->cfg.cross_every && ++g->cross_ctr >= g->cfg.cross_every) {
		g->cross_ctr = 0;
		g->want_cross = true;
	}
	if (g->cfg.wrong_bbo_every && ++g->wrong_bbo_ctr >= g->cfg.wrong_bbo_every) {
		g->wrong_bbo_ctr = 0;
		g->want_wrong_bbo = true;
	}
	if (g->want_cross) {
		struct gen_market *m = &g->m[mi];
		int s = m->best[ASK] + m->tick;

		if (m->best[ASK] <= TOP && s <= TOP - m->tick && !m->sz[BID][s]) {
			g->want_cross = false;
			g->cross_market = mi;
			g->cross_slot = s;
			price_change(g, mi, BID, s, rand_size(g), emit);
			goto done;
		}
	}
	if (g->want_wrong_bbo) {
		struct gen_market *m = &g->m[mi];
		int bb = m->best[BID], ba = m->best[ASK];

		if (bb > m->tick && ba <= TOP) {
			g->want_wrong_bbo = false;
			if (emit)
				gen_json_bbo(g, mi, 0, bb - m->tick, ba);
			goto done;
		}
	}

	uint32_t r = rnd(g, 1000);
	if (r < 40) {
		flow_trade(g, mi, emit);
	} else if (r < 90) {
		int k = (int)rnd(g, 2);
		struct gen_market *m = &g->m[mi];
		if (emit)
			gen_json_bbo(g, mi, k, tok_best(m, k, BID), tok_best(m, k, ASK));
	} else {
		flow_price_change(g, mi, emit);
		flow_tick_check(g, mi, emit);
	}
done:
	if (g->nmsg > frames)
		frames = g->nmsg;
	g->frames += (uint64_t)frames;
	return frames;
}

int gen_announce(struct gen *g, int64_t now_ms)
{
	int mi = -1;

	step_begin(g, now_ms);
	/* duplicates are interleaved with fresh announcements, as on the live feed */
	bool dup = g->next_reveal > g->cfg.markets && rnd(g, 2);
	if (g->next_reveal < g->nmarkets && !dup) {
		mi = g->next_reveal++;
		g->m[mi].visible = true;
	} else {
		for (int tries = 0; tries < 16 && mi < 0; tries++) {
			int i = (int)rnd(g, (uint32_t)g->nmarkets);
			if (g->m[i].announced && g->m[i].visible)
				mi = i;
		}
		if (mi < 0)
			mi = pick_market(g);
		if (mi < 0)
			return 0;
	}
	g->m[mi].announced++;
	gen_json_market_info(g, mi, GEN_NEW_MARKET, 0);
	g->frames++;
	return g->nmsg;
}

int gen_resolve(struct gen *g, int64_t now_ms)
{
	int mi = pick_market(g);
	struct gen_market *m;
	int winner;

	step_begin(g, now_ms);
	if (mi < 0)
		return 0;
	m = &g->m[mi];
	winner = m->best[BID] >= 500 ? 0 : 1;
	m->closed = true;
	gen_json_market_info(g, mi, GEN_RESOLVED, winner);
	g->frames++;
	return g->nmsg;
}

/* --- set-up ------------------------------------------------------------------------ */

static const char *const yes_no_q[] = {
    "Will Bitcoin reach $150,000 by December 31?",
    "Will the Fed cut rates at its next meeting?",
    "Will it rain in London tomorrow?",
    "Will a new iPhone be announced in September?",
    "Will Ethereum flip Bitcoin this year?",
    "Will the S&P 500 close above 6,000 on Friday?",
    "Will a Category 5 hurricane make landfall this season?",
    "Will SpaceX launch Starship again this month?",
    "Will inflation print above 3% next month?",
    "Will the incumbent win the election?",
    "Will gold trade above $3,000 by year end?",
    "Will the movie gross $1 billion worldwide?",
};

static const char *const named_q[][3] = {
    {"Lakers vs. Celtics", "Lakers", "Celtics"},
    {"Bitcoin Up or Down - 5 minutes", "Up", "Down"},
    {"Arsenal vs. Chelsea: total goals over/under 2.5", "Over", "Under"},
    {"Nadal vs. Djokovic", "Nadal", "Djokovic"},
    {"Ethereum Up or Down - hourly", "Up", "Down"},
    {"Yankees vs. Red Sox", "Yankees", "Red Sox"},
};

static void make_slug(char *dst, size_t cap, const char *q, int idx)
{
	size_t n = 0;
	bool dash = false;

	for (const char *p = q; *p && n + 12 < cap; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n)
				dst[n++] = '-';
			dash = false;
			dst[n++] = c;
		} else {
			dash = true;
		}
	}
	snprintf(dst + n, cap - n, "-%d", idx);
}

static void make_market(struct gen *g, int i)
{
	struct gen_market *m = &g->m[i];
	int nq = (int)(sizeof yes_no_q / sizeof yes_no_q[0]);
	int nn = (int)(sizeof named_q / sizeof named_q[0]);

	memset(m, 0, sizeof *m);
	for (int k = 0; k < 2; k++) {
		m->token[k][0] = (char)('1' + rnd(g, 9));
		for (int d = 1; d < GEN_ID_LEN; d++)
			m->token[k][d] = (char)('0' + rnd(g, 10));
		m->last_trade[k] = -1;
	}
	m->cond[0] = '0';
	m->cond[1] = 'x';
	for (int d = 0; d < 64; d++)
		m->cond[2 + d] = gen_hexd[rnd(g, 16)];
	snprintf(m->gamma_id, sizeof m->gamma_id, "%d", 500000 + i);
	snprintf(m->event_id, sizeof m->event_id, "%d", 100000 + i / 2);
	if (i % 3 == 2) {
		const char *const *q = named_q[(i / 3) % nn];
		snprintf(m->question, sizeof m->question, "%s", q[0]);
		snprintf(m->outcome[0], sizeof m->outcome[0], "%s", q[1]);
		snprintf(m->outcome[1], sizeof m->outcome[1], "%s", q[2]);
	} else {
		snprintf(m->question, sizeof m->question, "%s", yes_no_q[(i - i / 3) % nq]);
		strcpy(m->outcome[0], "Yes");
		strcpy(m->outcome[1], "No");
	}
	if (i >= nq + nn) { /* keep questions distinct past the template lists */
		size_t l = strlen(m->question);
		snprintf(m->question + l, sizeof m->question - l, " (#%d)", i + 1);
	}
	make_slug(m->slug, sizeof m->slug, m->question, i + 1);

	m->tick = rnd(g, 4) == 0 ? 1 : 10;
	/* most markets sit mid-range; a few start near an edge so tick changes happen */
	if (i % 6 == 5)
		m->fair = rnd(g, 2) ? 50 : 950;
	else
		m->fair = 150 + (int)rnd(g, 700);
	m->fair -= m->fair % m->tick;
	m->best[BID] = -1;
	m->best[ASK] = GEN_SLOTS;

	int spread = m->tick * (1 + (int)rnd(g, 3));
	int bb = m->fair - spread / 2;
	bb -= bb % m->tick;
	if (bb < m->tick)
		bb = m->tick;
	int ba = bb + spread;
	if (ba > TOP - m->tick)
		ba = TOP - m->tick;
	for (int side = 0; side < 2; side++) {
		int want = g->cfg.min_levels +
		           (int)rnd(g, (uint32_t)(g->cfg.max_levels - g->cfg.min_levels + 1));
		int s = side == BID ? bb : ba;
		for (int l = 0; l < want; l++) {
			if (s < m->tick || s > TOP - m->tick)
				break;
			set_level(m, side, s, rand_size(g));
			int gap = m->tick * (rnd(g, 3) ? 1 : 1 + (int)rnd(g, 4));
			s += side == BID ? -gap : gap;
		}
	}
}

static uint64_t id_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h;
}

int gen_init(struct gen *g, const struct gen_cfg *cfg)
{
	int total = cfg->markets + cfg->extra_markets;

	memset(g, 0, sizeof *g);
	g->cfg = *cfg;
	if (g->cfg.min_levels < 1)
		g->cfg.min_levels = 10;
	if (g->cfg.max_levels < g->cfg.min_levels)
		g->cfg.max_levels = g->cfg.min_levels;
	g->cross_market = -1;
	if (total < 1 || total > GEN_MAX_MARKETS)
		return -1;
	gen_price_text(0);
	rng_seed(g, cfg->seed);
	g->m = calloc((size_t)total, sizeof *g->m);
	if (!g->m)
		return -1;
	g->nmarkets = total;
	for (int i = 0; i < total; i++) {
		make_market(g, i);
		g->m[i].visible = i < cfg->markets;
		g->m[i].quiet = i < cfg->markets && i >= cfg->markets - cfg->quiet_markets;
	}
	g->next_reveal = cfg->markets;

	g->hcap = 16;
	while (g->hcap < (size_t)total * 8)
		g->hcap *= 2;
	g->hidx = calloc(g->hcap, sizeof *g->hidx);
	if (!g->hidx)
		return -1;
	for (int t = 0; t < total * 2; t++) {
		size_t h = id_hash(g->m[t / 2].token[t % 2], GEN_ID_LEN) & (g->hcap - 1);
		while (g->hidx[h])
			h = (h + 1) & (g->hcap - 1);
		g->hidx[h] = (uint32_t)t + 1;
	}
	if (!sbuf_reserve(&g->out, 1 << 16))
		return -1;
	return 0;
}

void gen_free(struct gen *g)
{
	free(g->m);
	free(g->hidx);
	sbuf_free(&g->out);
	memset(g, 0, sizeof *g);
}

int gen_find_token(const struct gen *g, const char *id, size_t len)
{
	if (len != GEN_ID_LEN || !g->hidx)
		return -1;
	size_t h = id_hash(id, len) & (g->hcap - 1);
	while (g->hidx[h]) {
		int t = (int)g->hidx[h] - 1;
		if (memcmp(g->m[t / 2].token[t % 2], id, len) == 0)
			return g->m[t / 2].visible ? t : -1;
		h = (h + 1) & (g->hcap - 1);
	}
	return -1;
}

int gen_find_slug(const struct gen *g, const char *slug)
{
	for (int i = 0; i < g->nmarkets; i++)
		if (g->m[i].visible && strcmp(g->m[i].slug, slug) == 0)
			return i;
	return -1;
}

int gen_levels(const struct gen *g, int token, int side, int64_t *price, int64_t *size, int max)
{
	const struct gen_market *m = &g->m[token / 2];
	int k = token % 2, n = 0;
	/* token 1's side is token 0's other side, mirrored */
	int tside = k == 0 ? side : 1 - side;
	int step = tside == BID ? -1 : 1;

	for (int s = m->best[tside]; s >= 0 && s <= TOP && n < max; s += step) {
		if (!m->sz[tside][s])
			continue;
		price[n] = (int64_t)(k == 0 ? s : TOP - s) * 1000;
		size[n] = (int64_t)m->sz[tside][s] * 10000;
		n++;
	}
	return n;
}

int64_t gen_best(const struct gen *g, int token, int side)
{
	int s = tok_best(&g->m[token / 2], token % 2, side);
	return s < 0 ? -1 : (int64_t)s * 1000;
}

int64_t gen_tick(const struct gen *g, int token)
{
	return (int64_t)g->m[token / 2].tick * 1000;
}

int gen_check(const struct gen *g)
{
	for (int i = 0; i < g->nmarkets; i++) {
		const struct gen_market *m = &g->m[i];
		int n[2] = {0, 0}, best[2] = {-1, GEN_SLOTS};

		for (int s = 0; s <= TOP; s++) {
			if (m->sz[BID][s] < 0 || m->sz[ASK][s] < 0)
				return i;
			if (m->sz[BID][s]) {
				n[BID]++;
				best[BID] = s;
			}
			if (m->sz[ASK][s]) {
				n[ASK]++;
				if (best[ASK] == GEN_SLOTS)
					best[ASK] = s;
			}
		}
		if (n[0] != m->nlev[0] || n[1] != m->nlev[1] || best[0] != m->best[0] ||
		    best[1] != m->best[1])
			return i;
		if (best[BID] >= 0 && best[ASK] <= TOP && best[BID] >= best[ASK] &&
		    g->cross_market != i)
			return i;
	}
	return -1;
}
