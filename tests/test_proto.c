/*
 * test_proto: every Polymarket frame shape becomes the right normalised events with exact
 * fixed-point values; real captured frames (the files in data/) parse cleanly and rebuild the
 * exchange's own book; hostile input never crashes and is reported as malformed; the
 * outgoing subscription frames match PROTOCOL.md; jansson really allocates from the arena.
 */
#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jarena.h"
#include "proto.h"
#include "wire.h"

/* ---- collecting sink: deep copies, since event pointers die with the callback ---- */

#define MAX_REC  256
#define MAX_LVLS 256

struct rec {
	enum ev_kind kind;                    /* event kind */
	char asset[96];                       /* asset_id text */
	char market[96];                      /* market text */
	int64_t ts;                           /* ts_ms */
	char reason[160];                     /* EV_MALFORMED reason, copied */
	bool dropped;                         /* bad.frame_dropped */
	char text[64];                        /* other.text */
	struct event ev;                      /* the scalar fields (pointers not to be used) */
	struct ev_level bids[MAX_LVLS];       /* book copy */
	struct ev_level asks[MAX_LVLS];       /* book copy */
	char info[4][PROTO_MAX_OUTCOMES][96]; /* question/slug, assets, outcomes, winner */
};

struct got {
	size_t n;              /* events recorded */
	size_t total;          /* events seen (may exceed MAX_REC) */
	struct rec r[MAX_REC]; /* the first MAX_REC events */
};

static void cp(char *dst, size_t cap, struct ev_str s)
{
	size_t n = s.s ? s.len : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, s.s, n);
	dst[n] = '\0';
}

static void collect(void *ctx, const struct event *e)
{
	struct got *g = ctx;
	g->total++;
	if (g->n == MAX_REC)
		return;
	struct rec *r = &g->r[g->n++];
	memset(r, 0, sizeof *r);
	r->kind = e->kind;
	r->ev = *e;
	r->ts = e->ts_ms;
	cp(r->asset, sizeof r->asset, e->asset_id);
	cp(r->market, sizeof r->market, e->market);
	if (e->kind == EV_MALFORMED)
		snprintf(r->reason, sizeof r->reason, "%s", e->bad.reason ? e->bad.reason : "");
	r->dropped = e->bad.frame_dropped;
	if (e->kind == EV_SERVER_ERROR || e->kind == EV_UNKNOWN || e->kind == EV_PONG)
		cp(r->text, sizeof r->text, e->other.text);
	if (e->kind == EV_BOOK) {
		for (size_t i = 0; i < e->book.nbids && i < MAX_LVLS; i++)
			r->bids[i] = e->book.bids[i];
		for (size_t i = 0; i < e->book.nasks && i < MAX_LVLS; i++)
			r->asks[i] = e->book.asks[i];
	}
	if (e->kind == EV_MARKET_INFO || e->kind == EV_RESOLVED) {
		cp(r->info[0][0], 96, e->info.question);
		cp(r->info[0][1], 96, e->info.slug);
		for (size_t i = 0; i < e->info.nassets; i++) {
			cp(r->info[1][i], 96, e->info.assets[i]);
			cp(r->info[2][i], 96, e->info.outcomes[i]);
		}
		cp(r->info[3][0], 96, e->resolved.winning_asset_id);
		cp(r->info[3][1], 96, e->resolved.winning_outcome);
	}
}

static struct proto *P;
static struct got *G;

static void setup(void)
{
	P = proto_create();
	ck_assert_ptr_nonnull(P);
	G = calloc(1, sizeof *G);
	ck_assert_ptr_nonnull(G);
}

static void teardown(void)
{
	proto_destroy(P);
	free(G);
}

static void parse_n(const char *buf, size_t len)
{
	G->n = 0;
	G->total = 0;
	proto_parse(P, buf, len, collect, G);
}

static void parse(const char *s)
{
	parse_n(s, strlen(s));
}

#define expect_kinds(...)                                                                          \
	do {                                                                                       \
		const enum ev_kind want_[] = {__VA_ARGS__};                                        \
		size_t nw_ = sizeof want_ / sizeof want_[0];                                       \
		ck_assert_msg(G->total == nw_, "expected %zu events, got %zu", nw_, G->total);     \
		for (size_t i_ = 0; i_ < nw_; i_++)                                                \
			ck_assert_msg(G->r[i_].kind == want_[i_],                                  \
			              "event %zu: expected %s, got %s (reason %s)", i_,            \
			              ev_kind_name(want_[i_]), ev_kind_name(G->r[i_].kind),        \
			              G->r[i_].reason);                                            \
	} while (0)

#define expect_malformed(reason_)                                                                  \
	do {                                                                                       \
		expect_kinds(EV_MALFORMED);                                                        \
		ck_assert_msg(strcmp(G->r[0].reason, (reason_)) == 0,                              \
		              "expected reason '%s', got '%s'", (reason_), G->r[0].reason);        \
	} while (0)

/* ---- the captured frames, read at test time ---- */

static char *read_line(const char *file, int lineno)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/data/%s", TOP_SRCDIR, file);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = 0;
	for (int i = 1; i <= lineno; i++) {
		n = getline(&line, &cap, f);
		ck_assert_msg(n > 0, "%s has no line %d", path, lineno);
	}
	fclose(f);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static void parse_line(const char *file, int lineno)
{
	char *l = read_line(file, lineno);
	parse(l);
	free(l);
}

static const char *const NETQO_BOOK_ID =
    "63691357964355397861776339416833450653158434687925250159757815624217137833471";

/* ---- outgoing frames ---- */

START_TEST(fmt_initial_is_the_documented_subscription)
{
	const char *ids[] = {"111", "222"};
	char buf[256];
	size_t n = wire_fmt_initial(buf, sizeof buf, ids, 2);
	const char *want = "{\"assets_ids\":[\"111\",\"222\"],\"type\":\"market\",\"initial_dump\":"
	                   "true,\"custom_feature_enabled\":true}";
	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq(n, strlen(want));
}
END_TEST

START_TEST(fmt_subscribe_and_unsubscribe_use_operation_without_type)
{
	const char *ids[] = {"111"};
	char buf[256];
	size_t n = wire_fmt_subscribe(buf, sizeof buf, ids, 1);
	ck_assert_str_eq(buf, "{\"operation\":\"subscribe\",\"assets_ids\":[\"111\"],"
	                      "\"custom_feature_enabled\":true}");
	ck_assert_uint_eq(n, strlen(buf));
	n = wire_fmt_unsubscribe(buf, sizeof buf, ids, 1);
	ck_assert_str_eq(buf, "{\"operation\":\"unsubscribe\",\"assets_ids\":[\"111\"]}");
	ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(fmt_returns_zero_unless_frame_and_nul_fit)
{
	const char *ids[] = {"12345678901234567890"};
	char full[256], buf[256];
	size_t len = wire_fmt_initial(full, sizeof full, ids, 1);
	ck_assert_uint_gt(len, 0);
	for (size_t cap = 0; cap <= len; cap++)
		ck_assert_msg(wire_fmt_initial(buf, cap, ids, 1) == 0,
		              "cap %zu < %zu + 1 should not fit", cap, len);
	ck_assert_uint_eq(wire_fmt_initial(buf, len + 1, ids, 1), len);
	ck_assert_str_eq(buf, full);
}
END_TEST

START_TEST(fmt_output_is_valid_json_even_with_hostile_ids)
{
	const char *ids[] = {"a\"b\\c\n", "1"};
	char buf[256];
	ck_assert_uint_gt(wire_fmt_subscribe(buf, sizeof buf, ids, 2), 0);
	json_t *j = json_loads(buf, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", buf);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "assets_ids"), 0)),
	                 ids[0]);
	json_decref(j);
}
END_TEST

/* ---- real frames ---- */

START_TEST(netqo_book_has_exact_levels_in_sent_order)
{
	parse_line("netqo-live-frames.jsonl", 1);
	expect_kinds(EV_BOOK);
	const struct rec *r = &G->r[0];
	ck_assert_str_eq(r->asset, NETQO_BOOK_ID);
	ck_assert_str_eq(r->market,
	                 "0x5dacb3919e3eb6372770cba85c42e0f980ddf18b1a767751de700ee272269233");
	ck_assert_int_eq(r->ts, 1786728432337);
	ck_assert_uint_eq(r->ev.book.nbids, 2);
	ck_assert_uint_eq(r->ev.book.nasks, 2);
	ck_assert_int_eq(r->bids[0].price, 1000);
	ck_assert_int_eq(r->bids[0].size, 2200800000);
	ck_assert_int_eq(r->bids[1].price, 4000); /* best bid, sent last */
	ck_assert_int_eq(r->bids[1].size, 100000000);
	ck_assert_int_eq(r->asks[0].price, 999000);
	ck_assert_int_eq(r->asks[0].size, 50000000);
	ck_assert_int_eq(r->asks[1].price, 9000);
	ck_assert_int_eq(r->asks[1].size, 25000000);
	ck_assert_int_eq(r->ev.book.tick, 1000);
	ck_assert_int_eq(r->ev.book.last_trade, 4000);
	ck_assert_uint_eq(proto_counters(P)->unknown_keys, 0);
}
END_TEST

START_TEST(netqo_price_change_gives_two_levels_with_bbo)
{
	parse_line("netqo-live-frames.jsonl", 2);
	expect_kinds(EV_LEVEL, EV_LEVEL);
	const struct rec *a = &G->r[0], *b = &G->r[1];
	ck_assert_str_eq(
	    a->asset,
	    "40600137944982070120020561148201046074034528738262880058756488608210871246278");
	ck_assert_int_eq(a->ev.level.side, SIDE_BID);
	ck_assert_int_eq(a->ev.level.price, 60000);
	ck_assert_int_eq(a->ev.level.size, 374340000);
	ck_assert(a->ev.level.has_bbo);
	ck_assert_int_eq(a->ev.level.best_bid, 70000);
	ck_assert_int_eq(a->ev.level.best_ask, 80000);
	ck_assert(a->ev.level.last_in_frame);
	ck_assert_int_eq(a->ts, 1786728438403);
	ck_assert_str_eq(a->market,
	                 "0x3bb59c17b8ec156f8ef55d6de522c53c8bcc8fc708bfba00e1c7820c208ee28b");
	ck_assert_int_eq(b->ev.level.side, SIDE_ASK);
	ck_assert_int_eq(b->ev.level.price, 940000);
	ck_assert_int_eq(b->ev.level.size, 0);
	ck_assert_int_eq(b->ev.level.best_bid, 920000);
	ck_assert_int_eq(b->ev.level.best_ask, 930000);
	ck_assert(b->ev.level.last_in_frame);
}
END_TEST

START_TEST(netqo_trade_and_bbo_have_exact_values)
{
	parse_line("netqo-live-frames.jsonl", 3);
	expect_kinds(EV_TRADE);
	ck_assert_int_eq(G->r[0].ev.trade.side, SIDE_ASK);
	ck_assert_int_eq(G->r[0].ev.trade.price, 585000);
	ck_assert_int_eq(G->r[0].ev.trade.size, 2460000);
	ck_assert_int_eq(G->r[0].ev.trade.fee_bps, 0);
	ck_assert_int_eq(G->r[0].ts, 1786728467101);
	parse_line("netqo-live-frames.jsonl", 4);
	expect_kinds(EV_BBO);
	ck_assert_int_eq(G->r[0].ev.bbo.best_bid, 585000);
	ck_assert_int_eq(G->r[0].ev.bbo.best_ask, 587000);
	ck_assert_int_eq(G->r[0].ts, 1786728467006);
	ck_assert_uint_eq(proto_counters(P)->unknown_keys, 0);
}
END_TEST

START_TEST(doc_tick_size_change_and_market_resolved)
{
	parse_line("netqo-doc-example-frames.jsonl", 1);
	expect_kinds(EV_TICK_SIZE);
	ck_assert_str_eq(G->r[0].asset, "658186");
	ck_assert_str_eq(G->r[0].market, "0xbd31");
	ck_assert_int_eq(G->r[0].ev.tick.old_tick, 10000);
	ck_assert_int_eq(G->r[0].ev.tick.new_tick, 1000);
	parse_line("netqo-doc-example-frames.jsonl", 2);
	expect_kinds(EV_RESOLVED);
	ck_assert_uint_eq(G->r[0].ev.info.nassets, 2);
	ck_assert_str_eq(G->r[0].info[1][0], "7604307");
	ck_assert_str_eq(G->r[0].info[1][1], "3169093");
	ck_assert_str_eq(G->r[0].info[3][0], "7604307");
	ck_assert_str_eq(G->r[0].info[3][1], "Yes");
	ck_assert_int_eq(G->r[0].ts, 1766790415550);
}
END_TEST

START_TEST(marcasite_initial_dump_array_gives_one_book_per_element)
{
	parse_line("marcasite-live-frames.jsonl", 1);
	expect_kinds(EV_BOOK, EV_BOOK);
	ck_assert_uint_eq(G->r[0].ev.book.nbids, 3);
	ck_assert_int_eq(G->r[0].bids[2].price, 30000);
	ck_assert_int_eq(G->r[0].bids[2].size, 41666320000);
	ck_assert_int_eq(G->r[0].asks[2].price, 970000);
	ck_assert_int_eq(G->r[0].ev.book.last_trade, 140000);
	ck_assert_str_eq(G->r[1].asset, "1111");
	ck_assert_uint_eq(G->r[1].ev.book.nbids, 0);
	ck_assert_uint_eq(G->r[1].ev.book.nasks, 0);
	ck_assert_int_eq(G->r[1].ev.book.last_trade, PRICE_NONE);
	ck_assert_int_eq(G->r[1].ev.book.tick, 10000);
}
END_TEST

START_TEST(marcasite_empty_array_frame_is_ev_empty)
{
	parse_line("marcasite-live-frames.jsonl", 2);
	expect_kinds(EV_EMPTY);
}
END_TEST

START_TEST(marcasite_new_market_fills_info_and_counts_unknown_extras)
{
	parse_line("marcasite-live-frames.jsonl", 3);
	expect_kinds(EV_MARKET_INFO);
	const struct rec *r = &G->r[0];
	ck_assert_str_eq(r->info[0][0], "Bitcoin Up or Down - October 2, 10:30PM-10:35PM ET");
	ck_assert_str_eq(r->info[0][1], "btc-updown-5m-1790994600");
	ck_assert_uint_eq(r->ev.info.nassets, 2);
	ck_assert_str_eq(
	    r->info[1][1],
	    "110300735535035853449236273459359802664768005831731803586170232203839099968893");
	ck_assert_str_eq(r->info[2][0], "Up");
	ck_assert_str_eq(r->info[2][1], "Down");
	ck_assert_int_eq(r->ev.info.tick, 10000);
	ck_assert_str_eq(r->market,
	                 "0x9691dbea9f392aea399936926ff9d3013de1550381454b9579124df96168f54a");
	/* sports_market_type, line, game_start_time, group_item_title are undocumented */
	ck_assert_uint_eq(proto_counters(P)->unknown_keys, 4);
}
END_TEST

static int64_t sum_sizes(const struct ev_level *l, size_t n)
{
	int64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += l[i].size;
	return s;
}

START_TEST(nautilus_books_parse_every_level)
{
	parse_line("nautilus-books.jsonl", 1);
	expect_kinds(EV_BOOK);
	ck_assert_uint_eq(G->r[0].ev.book.nbids, 76);
	ck_assert_uint_eq(G->r[0].ev.book.nasks, 86);
	ck_assert_int_eq(G->r[0].asks[0].price, 999000);
	ck_assert_int_eq(G->r[0].asks[0].size, 10500100000000);
	ck_assert_int_eq(G->r[0].ev.book.last_trade, PRICE_NONE);
	parse_line("nautilus-books.jsonl", 2);
	expect_kinds(EV_BOOK);
	ck_assert_uint_eq(G->r[0].ev.book.nbids, 7);
	ck_assert_uint_eq(G->r[0].ev.book.nasks, 57);
	ck_assert_int_gt(sum_sizes(G->r[0].bids, 7), 0);
	ck_assert_uint_eq(proto_counters(P)->malformed, 0);
}
END_TEST

/* A minimal reference book for the burst test: unsorted (price, size) pairs. */
struct mini_side {
	struct ev_level l[MAX_LVLS]; /* levels, any order, size > 0 */
	size_t n;                    /* levels in use */
};

static void mini_set(struct mini_side *s, int64_t price, int64_t size)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->l[i].price == price) {
			if (size == 0)
				s->l[i] = s->l[--s->n];
			else
				s->l[i].size = size;
			return;
		}
	}
	if (size > 0) {
		ck_assert_uint_lt(s->n, MAX_LVLS);
		s->l[s->n++] = (struct ev_level){price, size};
	}
}

static int64_t mini_best(const struct mini_side *s, bool bid)
{
	int64_t b = PRICE_NONE;
	for (size_t i = 0; i < s->n; i++)
		if (b == PRICE_NONE || (bid ? s->l[i].price > b : s->l[i].price < b))
			b = s->l[i].price;
	return b;
}

static int64_t mini_size_at(const struct mini_side *s, int64_t price)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->l[i].price == price)
			return s->l[i].size;
	return 0;
}

START_TEST(burst_rebuild_matches_exchange_book_and_flags_two_disagreements)
{
	static const char *tok =
	    "76670567130917723816490572615540605537878462672464291990940067659127658071111";
	static struct mini_side side[2];
	memset(side, 0, sizeof side);
	parse_line("polymarket-burst-2026-09-29.jsonl", 1);
	expect_kinds(EV_BOOK);
	ck_assert_str_eq(G->r[0].asset, tok);
	for (size_t i = 0; i < G->r[0].ev.book.nbids; i++)
		mini_set(&side[SIDE_BID], G->r[0].bids[i].price, G->r[0].bids[i].size);
	for (size_t i = 0; i < G->r[0].ev.book.nasks; i++)
		mini_set(&side[SIDE_ASK], G->r[0].asks[i].price, G->r[0].asks[i].size);
	int agree = 0, disagree = 0, other_token = 0;
	int disagree_lines[4] = {0};
	for (int line = 2; line <= 50; line++) {
		parse_line("polymarket-burst-2026-09-29.jsonl", line);
		ck_assert_uint_eq(G->total, 2);
		for (size_t k = 0; k < G->n; k++) {
			const struct rec *r = &G->r[k];
			ck_assert_int_eq(r->kind, EV_LEVEL);
			if (strcmp(r->asset, tok) != 0) {
				other_token++;
				continue;
			}
			mini_set(&side[r->ev.level.side], r->ev.level.price, r->ev.level.size);
			ck_assert(r->ev.level.last_in_frame);
			ck_assert(r->ev.level.has_bbo);
			if (mini_best(&side[SIDE_BID], true) == r->ev.level.best_bid &&
			    mini_best(&side[SIDE_ASK], false) == r->ev.level.best_ask) {
				agree++;
			} else {
				if (disagree < 4)
					disagree_lines[disagree] = line;
				disagree++;
			}
		}
	}
	ck_assert_int_eq(other_token, 49);
	ck_assert_msg(agree == 47 && disagree == 2, "expected 47 agree / 2 disagree, got %d / %d",
	              agree, disagree);
	ck_assert_int_eq(disagree_lines[0], 48);
	ck_assert_int_eq(disagree_lines[1], 49);
	parse_line("polymarket-burst-2026-09-29.jsonl", 51);
	expect_kinds(EV_BOOK);
	const struct rec *fin = &G->r[0];
	ck_assert_uint_eq(fin->ev.book.nbids, side[SIDE_BID].n);
	ck_assert_uint_eq(fin->ev.book.nasks, side[SIDE_ASK].n);
	for (size_t i = 0; i < fin->ev.book.nbids; i++)
		ck_assert_int_eq(mini_size_at(&side[SIDE_BID], fin->bids[i].price),
		                 fin->bids[i].size);
	for (size_t i = 0; i < fin->ev.book.nasks; i++)
		ck_assert_int_eq(mini_size_at(&side[SIDE_ASK], fin->asks[i].price),
		                 fin->asks[i].size);
	ck_assert_uint_eq(proto_counters(P)->malformed, 0);
	ck_assert_uint_eq(proto_counters(P)->frames, 51);
}
END_TEST

/* ---- shapes ---- */

START_TEST(book_accepts_legacy_buys_sells_and_any_key_order)
{
	parse("{\"sells\":[{\"size\":\"3\",\"price\":\".48\"}],\"event_type\":\"book\","
	      "\"buys\":[{\"price\":\"0.50\",\"size\":\"1.5\"},{\"price\":\"0.1\",\"size\":\"2\"}],"
	      "\"asset_id\":\"42\",\"tick_size\":\"\",\"last_trade_price\":\"\"}");
	expect_kinds(EV_BOOK);
	ck_assert_uint_eq(G->r[0].ev.book.nbids, 2);
	ck_assert_int_eq(G->r[0].bids[0].price, 500000);
	ck_assert_int_eq(G->r[0].bids[0].size, 1500000);
	ck_assert_int_eq(G->r[0].bids[1].price, 100000);
	ck_assert_uint_eq(G->r[0].ev.book.nasks, 1);
	ck_assert_int_eq(G->r[0].asks[0].price, 480000);
	ck_assert_int_eq(G->r[0].ev.book.tick, 0);
	ck_assert_int_eq(G->r[0].ev.book.last_trade, PRICE_NONE);
	ck_assert_int_eq(G->r[0].ts, 0);
}
END_TEST

START_TEST(legacy_price_change_with_changes_uses_top_level_asset)
{
	parse("{\"asset_id\":\"77\",\"market\":\"0xab\",\"hash\":\"h\",\"timestamp\":"
	      "\"1700000000000\","
	      "\"changes\":[{\"price\":\"0.4\",\"side\":\"SELL\",\"size\":\"10\"},"
	      "{\"price\":\"0.3\",\"side\":\"BUY\",\"size\":\"0\"}],\"event_type\":\"price_"
	      "change\"}");
	expect_kinds(EV_LEVEL, EV_LEVEL);
	ck_assert_str_eq(G->r[0].asset, "77");
	ck_assert_str_eq(G->r[1].asset, "77");
	ck_assert_int_eq(G->r[0].ev.level.side, SIDE_ASK);
	ck_assert_int_eq(G->r[0].ev.level.price, 400000);
	ck_assert_int_eq(G->r[0].ev.level.size, 10000000);
	ck_assert(!G->r[0].ev.level.has_bbo);
	ck_assert_int_eq(G->r[0].ev.level.best_bid, PRICE_NONE);
	ck_assert(!G->r[0].ev.level.last_in_frame);
	ck_assert(G->r[1].ev.level.last_in_frame);
	ck_assert_int_eq(G->r[1].ev.level.size, 0);
	ck_assert_int_eq(G->r[1].ts, 1700000000000);
}
END_TEST

START_TEST(oldest_flat_price_change_is_one_level)
{
	parse("{\"event_type\":\"price_change\",\"asset_id\":\"5\",\"price\":\"0.25\",\"side\":"
	      "\"BUY\","
	      "\"size\":\"7\",\"timestamp\":\"1\"}");
	expect_kinds(EV_LEVEL);
	ck_assert_str_eq(G->r[0].asset, "5");
	ck_assert_int_eq(G->r[0].ev.level.price, 250000);
	ck_assert_int_eq(G->r[0].ev.level.size, 7000000);
	ck_assert(G->r[0].ev.level.last_in_frame);
	ck_assert_uint_eq(proto_counters(P)->unknown_keys, 0);
}
END_TEST

START_TEST(last_in_frame_marks_last_level_per_asset_across_array_elements)
{
	parse("[{\"event_type\":\"price_change\",\"price_changes\":["
	      "{\"asset_id\":\"1\",\"price\":\"0.1\",\"size\":\"1\",\"side\":\"BUY\"},"
	      "{\"asset_id\":\"2\",\"price\":\"0.2\",\"size\":\"1\",\"side\":\"BUY\"},"
	      "{\"asset_id\":\"1\",\"price\":\"0.3\",\"size\":\"1\",\"side\":\"BUY\"}]},"
	      "{\"event_type\":\"last_trade_price\",\"asset_id\":\"2\",\"price\":\"0.5\","
	      "\"size\":\"1\",\"side\":\"BUY\"},"
	      "{\"event_type\":\"price_change\",\"price_changes\":["
	      "{\"asset_id\":\"2\",\"price\":\"0.4\",\"size\":\"1\",\"side\":\"SELL\"}]}]");
	expect_kinds(EV_LEVEL, EV_LEVEL, EV_LEVEL, EV_TRADE, EV_LEVEL);
	ck_assert(!G->r[0].ev.level.last_in_frame);
	ck_assert(!G->r[1].ev.level.last_in_frame); /* asset 2 comes again later */
	ck_assert(G->r[2].ev.level.last_in_frame);
	ck_assert(G->r[4].ev.level.last_in_frame);
	ck_assert_int_eq(G->r[3].ev.trade.fee_bps, -1);
}
END_TEST

START_TEST(bad_entry_in_price_changes_is_malformed_alone)
{
	parse("{\"event_type\":\"price_change\",\"market\":\"0x1\",\"price_changes\":["
	      "{\"asset_id\":\"1\",\"price\":\"0.1\",\"size\":\"1\",\"side\":\"BUY\"},"
	      "{\"asset_id\":\"2\",\"price\":\"1.5\",\"size\":\"1\",\"side\":\"BUY\"},"
	      "{\"asset_id\":\"3\",\"price\":\"0.3\",\"size\":\"x\",\"side\":\"BUY\"},"
	      "{\"asset_id\":\"4\",\"price\":\"0.3\",\"size\":\"1\",\"side\":\"HOLD\"},"
	      "7,"
	      "{\"asset_id\":\"1\",\"price\":\"0.2\",\"size\":\"2\",\"side\":\"SELL\"}]}");
	expect_kinds(EV_LEVEL, EV_MALFORMED, EV_MALFORMED, EV_MALFORMED, EV_MALFORMED, EV_LEVEL);
	ck_assert_str_eq(G->r[1].reason, "price out of range");
	ck_assert_str_eq(G->r[1].asset, "2");
	ck_assert_str_eq(G->r[2].reason, "size is not a decimal");
	ck_assert_str_eq(G->r[3].reason, "side is not BUY or SELL");
	ck_assert_str_eq(G->r[4].reason, "price change entry is not an object");
	ck_assert(!G->r[0].ev.level.last_in_frame);
	ck_assert(G->r[5].ev.level.last_in_frame);
	ck_assert_uint_eq(proto_counters(P)->malformed, 4);
}
END_TEST

START_TEST(empty_side_spellings_mean_price_none)
{
	static const char *const spell[] = {"\"\"", "\"0\"", "\"1\"", "\"0.000\"", "\"1.0\""};
	for (size_t i = 0; i < sizeof spell / sizeof spell[0]; i++) {
		char buf[256];
		snprintf(buf, sizeof buf,
		         "{\"event_type\":\"best_bid_ask\",\"asset_id\":\"9\",\"best_bid\":%s,"
		         "\"best_ask\":%s}",
		         spell[i], spell[i]);
		parse(buf);
		expect_kinds(EV_BBO);
		ck_assert_msg(G->r[0].ev.bbo.best_bid == PRICE_NONE, "%s: bid %lld", spell[i],
		              (long long)G->r[0].ev.bbo.best_bid);
		ck_assert_int_eq(G->r[0].ev.bbo.best_ask, PRICE_NONE);
		snprintf(buf, sizeof buf,
		         "{\"event_type\":\"price_change\",\"price_changes\":[{\"asset_id\":\"9\","
		         "\"price\":\"0.5\",\"size\":\"1\",\"side\":\"BUY\",\"best_bid\":%s,"
		         "\"best_ask\":\"0.6\"}]}",
		         spell[i]);
		parse(buf);
		expect_kinds(EV_LEVEL);
		ck_assert(G->r[0].ev.level.has_bbo);
		ck_assert_int_eq(G->r[0].ev.level.best_bid, PRICE_NONE);
		ck_assert_int_eq(G->r[0].ev.level.best_ask, 600000);
	}
}
END_TEST

START_TEST(pong_and_server_text_are_their_own_events)
{
	parse("PONG");
	expect_kinds(EV_PONG);
	parse("INVALID OPERATION");
	expect_kinds(EV_SERVER_ERROR);
	ck_assert_str_eq(G->r[0].text, "INVALID OPERATION");
	parse("PONGPONG");
	expect_kinds(EV_SERVER_ERROR);
	parse("null");
	expect_malformed("not JSON");
	ck_assert_uint_eq(proto_counters(P)->by_kind[EV_PONG], 1);
	ck_assert_uint_eq(proto_counters(P)->by_kind[EV_SERVER_ERROR], 2);
}
END_TEST

START_TEST(unknown_event_type_and_keys_are_counted_not_fatal)
{
	parse("{\"foo\":1,\"event_type\":\"mystery\",\"bar\":[1]}");
	expect_kinds(EV_UNKNOWN);
	ck_assert_str_eq(G->r[0].text, "mystery");
	ck_assert_uint_eq(proto_counters(P)->unknown, 1);
	parse("{\"event_type\":\"best_bid_ask\",\"asset_id\":\"9\",\"best_bid\":\"0.4\","
	      "\"best_ask\":\"0.6\",\"novel\":true,\"also\":{}}");
	expect_kinds(EV_BBO);
	ck_assert_uint_eq(proto_counters(P)->unknown_keys, 2);
	const struct proto_counters *c = proto_counters(P);
	ck_assert_uint_eq(c->frames, 2);
	ck_assert_uint_eq(c->events, 2);
	ck_assert_uint_eq(c->by_kind[EV_UNKNOWN], 1);
	ck_assert_uint_eq(c->by_kind[EV_BBO], 1);
}
END_TEST

START_TEST(integer_asset_id_is_kept_as_text)
{
	parse("{\"event_type\":\"last_trade_price\",\"asset_id\":123456789012345678,"
	      "\"price\":1,\"size\":3,\"side\":\"sell\",\"fee_rate_bps\":\"25\"}");
	expect_kinds(EV_TRADE);
	ck_assert_str_eq(G->r[0].asset, "123456789012345678");
	ck_assert_int_eq(G->r[0].ev.trade.price, PRICE_ONE);
	ck_assert_int_eq(G->r[0].ev.trade.size, 3000000);
	ck_assert_int_eq(G->r[0].ev.trade.fee_bps, 25);
}
END_TEST

START_TEST(json_real_price_is_rejected_to_stay_exact)
{
	parse(
	    "{\"event_type\":\"last_trade_price\",\"asset_id\":\"1\",\"price\":0.5,\"size\":\"3\","
	    "\"side\":\"BUY\"}");
	expect_malformed("price is not a decimal");
	ck_assert_str_eq(G->r[0].asset, "1");
}
END_TEST

START_TEST(market_lists_given_as_json_strings_are_decoded)
{
	parse(
	    "{\"event_type\":\"new_market\",\"market\":\"0xm\",\"question\":\"Q?\",\"slug\":\"q\","
	    "\"assets_ids\":\"[\\\"11\\\", 22]\",\"outcomes\":\"[\\\"Yes\\\",\\\"No\\\"]\","
	    "\"order_price_min_tick_size\":\"0.001\"}");
	expect_kinds(EV_MARKET_INFO);
	ck_assert_uint_eq(G->r[0].ev.info.nassets, 2);
	ck_assert_str_eq(G->r[0].info[1][0], "11");
	ck_assert_str_eq(G->r[0].info[1][1], "22");
	ck_assert_str_eq(G->r[0].info[2][0], "Yes");
	ck_assert_str_eq(G->r[0].info[2][1], "No");
	ck_assert_int_eq(G->r[0].ev.info.tick, 1000);
	parse("{\"event_type\":\"new_market\",\"assets_ids\":\"[1,\"}");
	expect_malformed("assets_ids is not a list");
}
END_TEST

START_TEST(event_type_may_be_anywhere_and_missing_is_malformed)
{
	parse("{\"asset_id\":\"1\",\"best_bid\":\"0.1\",\"best_ask\":\"0.2\",\"event_type\":"
	      "\"best_bid_ask\"}");
	expect_kinds(EV_BBO);
	parse("{\"asset_id\":\"1\"}");
	expect_malformed("missing event_type");
	parse("{}");
	expect_malformed("missing event_type");
	parse("{\"event_type\":5}");
	expect_malformed("event_type is not a string");
}
END_TEST

/* ---- hostile input ---- */

struct hostile {
	const char *in;     /* frame */
	const char *reason; /* expected single malformed reason */
};

static const struct hostile hostile_cases[] = {
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"0.1\"", "not JSON"},
    {"[{\"event_type\":\"book\"}", "not JSON"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"0.1\",\"size\":"
     "123456789012345678901234567890}]}",
     "not JSON"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"-0.1\",\"size\":\"1\"}]}",
     "price is not a decimal"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"1e5\",\"size\":\"1\"}]}",
     "price is not a decimal"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"0.5.5\",\"size\":\"1\"}]}",
     "price is not a decimal"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"NaN\",\"size\":\"1\"}]}",
     "price is not a decimal"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":NaN,\"size\":\"1\"}]}",
     "not JSON"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"1.000001\",\"size\":"
     "\"1\"}]}",
     "price out of range"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"0.5\",\"size\":"
     "\"99999999999999999999\"}]}",
     "size is not a decimal"},
    {"{\"event_type\":\"book\",\"asset_id\":{\"a\":1},\"bids\":[]}",
     "asset id is not a decimal token id"},
    {"{\"event_type\":\"book\",\"asset_id\":\"12ab\",\"bids\":[]}",
     "asset id is not a decimal token id"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":\"[]\"}", "book side is not an array"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[[\"0.5\",\"1\"]]}",
     "level is not an object"},
    {"{\"event_type\":\"book\",\"bids\":[],\"asks\":[]}", "missing asset_id"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\"}", "book without bids or asks"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[],\"market\":7}",
     "market is not a string"},
    {"{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[],\"timestamp\":\"12:00\"}",
     "timestamp is not Unix ms"},
    {"{\"event_type\":\"price_change\",\"price_changes\":{}}", "price changes are not an array"},
    {"{\"event_type\":\"price_change\",\"price_changes\":[]}", "price_change without changes"},
    {"{\"event_type\":\"price_change\",\"asset_id\":\"1\"}", "price_change without changes"},
    {"{\"event_type\":\"price_change\",\"price_changes\":[{\"price\":\"0.1\",\"size\":\"1\","
     "\"side\":\"BUY\"}]}",
     "missing asset_id"},
    {"{\"event_type\":\"last_trade_price\",\"asset_id\":\"1\",\"price\":\"0.5\",\"size\":\"1\","
     "\"side\":\"BUY\",\"fee_rate_bps\":\"1.5\"}",
     "fee_rate_bps is not an integer"},
    {"{\"event_type\":\"tick_size_change\",\"asset_id\":\"1\",\"new_tick_size\":\"0\"}",
     "tick size out of range"},
    {"{\"event_type\":\"tick_size_change\",\"asset_id\":\"1\"}", "missing tick size"},
    {"{\"event_type\":\"best_bid_ask\",\"asset_id\":\"1\",\"best_bid\":[]}",
     "best bid/ask is not a decimal"},
    {"{\"event_type\":\"market_resolved\",\"assets_ids\":[\"1\"]}", "missing winning_asset_id"},
    {"{\"event_type\":\"new_market\",\"outcomes\":[1,2]}", "outcome is not a string"},
    {"{\"event_type\":\"new_market\",\"question\":[]}", "question is not a string"},
    {"\"book\"", "not JSON"},
    {"12345", "not JSON"},
    {"", "empty frame"},
    {"   \n", "empty frame"},
    {"PONG\x01", "not JSON"},
};

START_TEST(hostile_input_gives_the_expected_malformed_reason)
{
	const struct hostile *h = &hostile_cases[_i];
	parse(h->in);
	ck_assert_msg(G->total == 1 && G->r[0].kind == EV_MALFORMED,
	              "input %d (%s): expected 1 malformed, got %zu events, first %s", _i, h->in,
	              G->total, ev_kind_name(G->r[0].kind));
	ck_assert_msg(strcmp(G->r[0].reason, h->reason) == 0,
	              "input %d (%s): expected reason '%s', got '%s'", _i, h->in, h->reason,
	              G->r[0].reason);
}
END_TEST

START_TEST(array_with_bad_elements_keeps_the_good_ones)
{
	parse("[1,{\"event_type\":\"book\",\"asset_id\":\"1\",\"bids\":[]},\"x\",[],{}]");
	expect_kinds(EV_MALFORMED, EV_BOOK, EV_MALFORMED, EV_MALFORMED, EV_MALFORMED);
	ck_assert_str_eq(G->r[0].reason, "array element is not an object");
	ck_assert_str_eq(G->r[4].reason, "missing event_type");
}
END_TEST

START_TEST(deep_nesting_is_malformed_not_a_stack_overflow)
{
	size_t depth = 30000; /* under the size at which frames are scanned first */
	char *buf = malloc(2 * depth + 1);
	ck_assert_ptr_nonnull(buf);
	memset(buf, '[', depth);
	memset(buf + depth, ']', depth);
	parse_n(buf, 2 * depth);
	expect_malformed("not JSON");
	ck_assert(!G->r[0].dropped);
	free(buf);
}
END_TEST

/* 2.8 million "{}" in 8 MiB once cost 1.69 GB: such a frame is dropped unparsed, said
 * once, and flagged so the caller resynchronises. */
START_TEST(a_frame_of_tiny_objects_is_dropped_unparsed)
{
	size_t n = 1000000;
	char *buf = malloc(3 * n + 2);
	ck_assert_ptr_nonnull(buf);
	buf[0] = '[';
	for (size_t i = 0; i < n; i++)
		memcpy(buf + 1 + 3 * i, i + 1 < n ? "{}," : "{}]", 3);
	parse_n(buf, 3 * n + 1);
	expect_kinds(EV_MALFORMED);
	ck_assert(G->r[0].dropped);
	ck_assert_msg(strstr(G->r[0].reason, "1000001 objects in 3000001 bytes"), "got '%s'",
	              G->r[0].reason);
	struct jarena_stats st;
	jarena_stats(&st);
	ck_assert_uint_lt(st.cap, 64u << 20);
	free(buf);
}
END_TEST

/* Under the density limit, many bad elements still give a handful of events. */
START_TEST(many_bad_elements_give_a_few_events_and_a_count)
{
	size_t n = 5000;
	char *buf = malloc(n * 24 + 2);
	ck_assert_ptr_nonnull(buf);
	size_t o = 0;
	buf[o++] = '[';
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o, "%s{\"no_event_type\":%5zu}", i ? "," : "", i);
	buf[o++] = ']';
	parse_n(buf, o);
	ck_assert_uint_eq(G->n, PROTO_MAX_BAD_PER_FRAME + 1);
	ck_assert_str_eq(G->r[0].reason, "missing event_type");
	ck_assert_msg(strstr(G->r[PROTO_MAX_BAD_PER_FRAME].reason, "and 4992 more malformed"),
	              "got '%s'", G->r[PROTO_MAX_BAD_PER_FRAME].reason);
	free(buf);
}
END_TEST

START_TEST(binary_garbage_never_crashes_and_yields_events)
{
	unsigned int seed = 12345;
	char buf[512];
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(rand_r(&seed) & 0xff);
		if (n && round % 2)
			buf[0] = round % 4 == 1 ? '{' : '[';
		parse_n(buf, n);
		ck_assert_uint_ge(G->total, 1);
	}
	ck_assert_uint_eq(proto_counters(P)->frames, 2000);
}
END_TEST

START_TEST(nul_inside_frame_and_null_buffer_are_malformed)
{
	parse_n("{\"event_type\":\"bo\0ok\"}", 22);
	expect_kinds(EV_MALFORMED);
	parse_n(NULL, 10);
	expect_malformed("empty frame");
}
END_TEST

/* A book of n levels per side, about 48 bytes per level. */
static char *big_book(size_t n, size_t *len)
{
	size_t cap = 128 + n * 2 * 64;
	char *b = malloc(cap);
	ck_assert_ptr_nonnull(b);
	size_t o =
	    (size_t)snprintf(b, cap, "{\"event_type\":\"book\",\"asset_id\":\"7\",\"bids\":[");
	for (int side = 0; side < 2; side++) {
		for (size_t i = 0; i < n; i++)
			o += (size_t)snprintf(b + o, cap - o,
			                      "%s{\"price\":\"0.%06zu\",\"size\":\"%zu\"}",
			                      i ? "," : "", i % 1000000, i + 1);
		o += (size_t)snprintf(b + o, cap - o, side ? "]}" : "],\"asks\":[");
	}
	*len = o;
	return b;
}

START_TEST(a_book_as_deep_as_the_finest_price_grid_parses_exactly)
{
	size_t len, n = PROTO_MAX_LEVELS;
	char *b = big_book(n, &len);
	ck_assert_uint_gt(len, 600000);
	parse_n(b, len);
	expect_kinds(EV_BOOK);
	ck_assert_uint_eq(G->r[0].ev.book.nbids, n);
	ck_assert_uint_eq(G->r[0].ev.book.nasks, n);
	ck_assert_int_eq(G->r[0].bids[MAX_LVLS - 1].price, MAX_LVLS - 1);
	ck_assert_int_eq(G->r[0].bids[MAX_LVLS - 1].size, (int64_t)MAX_LVLS * NUM_SCALE);
	free(b);
}
END_TEST

START_TEST(a_book_deeper_than_any_price_grid_is_malformed_for_its_asset)
{
	size_t len;
	char *b = big_book(PROTO_MAX_LEVELS + 1, &len);
	parse_n(b, len);
	expect_malformed("more price levels on one side than a price grid can hold");
	ck_assert_str_eq(G->r[0].asset, "7");
	free(b);
}
END_TEST

/* ---- the arena ---- */

static json_malloc_t proto_malloc_fn;
static json_free_t proto_free_fn;
static size_t spy_calls, spy_outside;
static const void *spy_base;
static size_t spy_cap;

/* Sits between jansson and proto's allocator: counts calls and checks every pointer
 * handed to jansson against the arena's range. */
static void *spy_malloc(size_t n)
{
	void *p = proto_malloc_fn(n);
	spy_calls++;
	uintptr_t u = (uintptr_t)p, b = (uintptr_t)spy_base;
	if (!spy_base || u < b || u >= b + spy_cap)
		spy_outside++;
	return p;
}

static void count_only(void *ctx, const struct event *e)
{
	(void)e;
	(*(size_t *)ctx)++;
}

START_TEST(warm_book_parse_allocates_only_from_the_arena)
{
	char *line = read_line("nautilus-books.jsonl", 1);
	size_t len = strlen(line), nev = 0;
	for (int i = 0; i < 3; i++)
		proto_parse(P, line, len, count_only, &nev);
	struct jarena_stats before, after;
	jarena_stats(&before);
	ck_assert_ptr_nonnull(before.base);

	json_get_alloc_funcs(&proto_malloc_fn, &proto_free_fn);
	json_set_alloc_funcs(spy_malloc, proto_free_fn);
	spy_calls = spy_outside = 0;
	spy_base = before.base;
	spy_cap = before.cap;
	proto_parse(P, line, len, count_only, &nev);
	json_set_alloc_funcs(proto_malloc_fn, proto_free_fn);
	jarena_stats(&after);

	ck_assert_uint_eq(nev, 4);
	ck_assert_msg(spy_calls > 162, "expected jansson to allocate per level, saw %zu",
	              spy_calls);
	ck_assert_msg(spy_outside == 0, "%zu of %zu jansson allocations outside the arena",
	              spy_outside, spy_calls);
	ck_assert_uint_eq(after.arena_allocs - before.arena_allocs, spy_calls);
	ck_assert_msg(after.heap_allocs == before.heap_allocs,
	              "expected 0 malloc calls by proto in steady state, got %llu",
	              (unsigned long long)(after.heap_allocs - before.heap_allocs));
	ck_assert_ptr_eq(after.base, before.base);
	free(line);
}
END_TEST

START_TEST(arena_overflow_spills_then_grows_once)
{
	size_t len, nev = 0;
	char *b = big_book(PROTO_MAX_LEVELS, &len);
	struct jarena_stats s0, s1, s2;
	proto_parse(P, "PONG", 4, count_only, &nev); /* nothing to allocate */
	jarena_stats(&s0);
	proto_parse(P, b, len, count_only, &nev);
	jarena_stats(&s1);
	ck_assert_msg(s1.heap_allocs > s0.heap_allocs, "a 1 MB frame should spill to malloc");
	ck_assert_uint_gt(s1.cap, 0);
	proto_parse(P, b, len, count_only, &nev);
	proto_parse(P, b, len, count_only, &nev);
	jarena_stats(&s1);
	proto_parse(P, b, len, count_only, &nev);
	jarena_stats(&s2);
	ck_assert_uint_gt(s2.cap, 1000000);
	ck_assert_uint_le(s2.cap, 16u << 20);
	ck_assert_msg(s2.heap_allocs == s1.heap_allocs, "expected no malloc once grown, got %llu",
	              (unsigned long long)(s2.heap_allocs - s1.heap_allocs));
	ck_assert_uint_eq(nev, 5); /* the PONG and four books */
	free(b);
}
END_TEST

START_TEST(a_huge_frame_gives_its_memory_back)
{
	size_t len, nev = 0;
	char *b = big_book(PROTO_MAX_LEVELS, &len);
	char *arr = malloc(6 * (len + 1) + 2);
	ck_assert_ptr_nonnull(arr);
	size_t o = 0;
	arr[o++] = '[';
	for (int i = 0; i < 6; i++) {
		if (i)
			arr[o++] = ',';
		memcpy(arr + o, b, len);
		o += len;
	}
	arr[o++] = ']';
	proto_parse(P, arr, o, count_only, &nev);
	ck_assert_uint_eq(nev, 6);
	struct jarena_stats st;
	jarena_stats(&st);
	ck_assert_msg(st.cap == 0, "a %zu-byte frame left a %zu-byte arena behind", o, st.cap);
	proto_parse(P, "PONG", 4, count_only, &nev); /* and the next frame still parses */
	ck_assert_uint_eq(nev, 7);
	free(arr);
	free(b);
}
END_TEST

START_TEST(jansson_outside_proto_parse_uses_malloc)
{
	size_t nev = 0;
	proto_parse(P, "{\"event_type\":\"x\"}", 18, count_only, &nev);
	struct jarena_stats st;
	jarena_stats(&st);
	json_t *o = json_pack("{s:s, s:[i,i]}", "k", "value", "a", 1, 2);
	ck_assert_ptr_nonnull(o);
	uintptr_t u = (uintptr_t)o, b = (uintptr_t)st.base;
	ck_assert_msg(!(st.base && u >= b && u < b + st.cap), "object allocated in the arena");
	proto_parse(P, "{\"event_type\":\"y\"}", 18, count_only, &nev); /* resets the arena */
	ck_assert_str_eq(json_string_value(json_object_get(o, "k")), "value");
	json_decref(o);
}
END_TEST

/* The sink may itself build JSON (the exporter does); what it builds must survive. */
static void keep_json(void *ctx, const struct event *e)
{
	json_t **slot = ctx;
	if (e->kind == EV_BOOK && !*slot)
		*slot = json_stringn(e->asset_id.s, e->asset_id.len);
}

START_TEST(json_built_inside_the_sink_survives_the_frame)
{
	json_t *kept = NULL;
	char *line = read_line("netqo-live-frames.jsonl", 1);
	proto_parse(P, line, strlen(line), keep_json, &kept);
	ck_assert_ptr_nonnull(kept);
	for (int i = 0; i < 5; i++)
		proto_parse(P, line, strlen(line), keep_json, &kept); /* reuse the arena */
	ck_assert_str_eq(json_string_value(kept), NETQO_BOOK_ID);
	json_decref(kept);
	free(line);
}
END_TEST

struct thr {
	const char *frame; /* frame to parse */
	int rounds;        /* iterations */
	size_t events;     /* events seen */
	int bad;           /* mismatches */
};

static void *thr_parse(void *arg)
{
	struct thr *t = arg;
	struct proto *p = proto_create();
	if (!p)
		return NULL;
	for (int i = 0; i < t->rounds; i++)
		proto_parse(p, t->frame, strlen(t->frame), count_only, &t->events);
	proto_destroy(p);
	return NULL;
}

static void *thr_build(void *arg)
{
	struct thr *t = arg;
	for (int i = 0; i < t->rounds; i++) {
		json_t *o = json_pack("{s:i, s:s}", "n", i, "s", "abc");
		char *txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		char want[64];
		snprintf(want, sizeof want, "{\"n\":%d,\"s\":\"abc\"}", i);
		if (!txt || strcmp(txt, want) != 0)
			t->bad++;
		free(txt);
		json_decref(o);
	}
	return NULL;
}

START_TEST(threads_parsing_and_other_jansson_users_do_not_interfere)
{
	char *line = read_line("netqo-live-frames.jsonl", 2);
	struct thr a = {line, 3000, 0, 0}, b = {line, 3000, 0, 0}, c = {NULL, 3000, 0, 0};
	pthread_t ta, tb, tc;
	ck_assert_int_eq(pthread_create(&ta, NULL, thr_parse, &a), 0);
	ck_assert_int_eq(pthread_create(&tb, NULL, thr_parse, &b), 0);
	ck_assert_int_eq(pthread_create(&tc, NULL, thr_build, &c), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_join(tc, NULL);
	ck_assert_uint_eq(a.events, 6000);
	ck_assert_uint_eq(b.events, 6000);
	ck_assert_int_eq(c.bad, 0);
	free(line);
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *t;

	t = tcase_create("fmt");
	tcase_add_test(t, fmt_initial_is_the_documented_subscription);
	tcase_add_test(t, fmt_subscribe_and_unsubscribe_use_operation_without_type);
	tcase_add_test(t, fmt_returns_zero_unless_frame_and_nul_fit);
	tcase_add_test(t, fmt_output_is_valid_json_even_with_hostile_ids);
	suite_add_tcase(s, t);

	t = tcase_create("real_frames");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, netqo_book_has_exact_levels_in_sent_order);
	tcase_add_test(t, netqo_price_change_gives_two_levels_with_bbo);
	tcase_add_test(t, netqo_trade_and_bbo_have_exact_values);
	tcase_add_test(t, doc_tick_size_change_and_market_resolved);
	tcase_add_test(t, marcasite_initial_dump_array_gives_one_book_per_element);
	tcase_add_test(t, marcasite_empty_array_frame_is_ev_empty);
	tcase_add_test(t, marcasite_new_market_fills_info_and_counts_unknown_extras);
	tcase_add_test(t, nautilus_books_parse_every_level);
	tcase_add_test(t, burst_rebuild_matches_exchange_book_and_flags_two_disagreements);
	suite_add_tcase(s, t);

	t = tcase_create("shapes");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, book_accepts_legacy_buys_sells_and_any_key_order);
	tcase_add_test(t, legacy_price_change_with_changes_uses_top_level_asset);
	tcase_add_test(t, oldest_flat_price_change_is_one_level);
	tcase_add_test(t, last_in_frame_marks_last_level_per_asset_across_array_elements);
	tcase_add_test(t, bad_entry_in_price_changes_is_malformed_alone);
	tcase_add_test(t, empty_side_spellings_mean_price_none);
	tcase_add_test(t, pong_and_server_text_are_their_own_events);
	tcase_add_test(t, unknown_event_type_and_keys_are_counted_not_fatal);
	tcase_add_test(t, integer_asset_id_is_kept_as_text);
	tcase_add_test(t, json_real_price_is_rejected_to_stay_exact);
	tcase_add_test(t, market_lists_given_as_json_strings_are_decoded);
	tcase_add_test(t, event_type_may_be_anywhere_and_missing_is_malformed);
	suite_add_tcase(s, t);

	t = tcase_create("hostile");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, hostile_input_gives_the_expected_malformed_reason, 0,
	                    (int)(sizeof hostile_cases / sizeof hostile_cases[0]));
	tcase_add_test(t, array_with_bad_elements_keeps_the_good_ones);
	tcase_add_test(t, deep_nesting_is_malformed_not_a_stack_overflow);
	tcase_add_test(t, binary_garbage_never_crashes_and_yields_events);
	tcase_add_test(t, nul_inside_frame_and_null_buffer_are_malformed);
	tcase_add_test(t, a_book_as_deep_as_the_finest_price_grid_parses_exactly);
	tcase_add_test(t, a_book_deeper_than_any_price_grid_is_malformed_for_its_asset);
	tcase_add_test(t, a_frame_of_tiny_objects_is_dropped_unparsed);
	tcase_add_test(t, many_bad_elements_give_a_few_events_and_a_count);
	suite_add_tcase(s, t);

	t = tcase_create("arena");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, warm_book_parse_allocates_only_from_the_arena);
	tcase_add_test(t, arena_overflow_spills_then_grows_once);
	tcase_add_test(t, jansson_outside_proto_parse_uses_malloc);
	tcase_add_test(t, a_huge_frame_gives_its_memory_back);
	tcase_add_test(t, json_built_inside_the_sink_survives_the_frame);
	tcase_add_test(t, threads_parsing_and_other_jansson_users_do_not_interfere);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
