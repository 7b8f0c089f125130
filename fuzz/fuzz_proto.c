/*
 * fuzz_proto: libFuzzer target for the parser and the book behind it.
 *
 * Each input is one frame.  Every event must be well formed by proto's own contract
 * (prices in [0, 1], sizes not negative, a reason on every malformed event, at least one
 * event per frame); level and book events are applied to a few books so that book.c sees
 * whatever proto lets through.  The same frame is also packed into a REC_EVENTS record and
 * walked back (evpack.h, as the receive threads hand frames to the UI thread): exactly
 * as many events come back, each passing the same checks.  Must never allocate per input
 * beyond what proto, evpack and book do themselves, so that leaks show.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE
 *   fuzz/fuzz_proto.c src/proto.c src/evpack.c src/num.c src/book.c $(pkg-config --cflags --libs jansson)
 * Run:   ./a.out -dict=fuzz/proto.dict corpus/ data/
 * With -DFUZZ_MAIN and no libFuzzer it replays files given on the command line (each line
 * and each whole file as one frame), so a plain compiler can run the corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "evpack.h"
#include "proto.h"

#define NBOOKS 4

struct fuzz_ctx {
	struct book books[NBOOKS]; /* books picked by a hash of the asset id */
	size_t events;             /* events seen in this frame */
};

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static struct book *book_for(struct fuzz_ctx *f, struct ev_str id)
{
	unsigned h = 0;
	for (size_t i = 0; id.s && i < id.len; i++)
		h = h * 31 + (unsigned char)id.s[i];
	return &f->books[h % NBOOKS];
}

static int price_ok(int64_t p)
{
	return p >= 0 && p <= PRICE_ONE;
}

static void sink(void *ctx, const struct event *e)
{
	struct fuzz_ctx *f = ctx;
	f->events++;
	check(e->kind < EV_KIND_COUNT);
	check(!e->asset_id.s || e->asset_id.len <= 78);
	switch (e->kind) {
	case EV_BOOK: {
		struct book *b = book_for(f, e->asset_id);
		for (size_t i = 0; i < e->book.nbids; i++)
			check(price_ok(e->book.bids[i].price) && e->book.bids[i].size >= 0);
		for (size_t i = 0; i < e->book.nasks; i++)
			check(price_ok(e->book.asks[i].price) && e->book.asks[i].size >= 0);
		check(e->book.last_trade == PRICE_NONE || price_ok(e->book.last_trade));
		book_apply_snapshot(b, e->book.bids, e->book.nbids, e->book.asks, e->book.nasks);
		break;
	}
	case EV_LEVEL: {
		struct book *b = book_for(f, e->asset_id);
		check(price_ok(e->level.price) && e->level.size >= 0);
		check(e->level.side == SIDE_BID || e->level.side == SIDE_ASK);
		check(e->level.best_bid == PRICE_NONE || price_ok(e->level.best_bid));
		check(e->level.best_ask == PRICE_NONE || price_ok(e->level.best_ask));
		book_apply_level(b, e->level.side, e->level.price, e->level.size);
		if (e->level.last_in_frame && e->level.has_bbo)
			(void)book_bbo_agrees(b, e->level.best_bid, e->level.best_ask);
		break;
	}
	case EV_TRADE:
		check(price_ok(e->trade.price) && e->trade.size >= 0);
		break;
	case EV_BBO:
		check(e->bbo.best_bid == PRICE_NONE || price_ok(e->bbo.best_bid));
		check(e->bbo.best_ask == PRICE_NONE || price_ok(e->bbo.best_ask));
		break;
	case EV_MARKET_INFO:
	case EV_RESOLVED:
		check(e->info.nassets <= PROTO_MAX_OUTCOMES);
		for (size_t i = 0; i < e->info.nassets; i++)
			check(e->info.assets[i].s != NULL);
		break;
	case EV_MALFORMED:
		check(e->bad.reason != NULL && e->bad.reason[0] != '\0');
		break;
	default:
		break;
	}
}

/* Read every derived figure so book.c's arithmetic runs on what the parser produced. */
static void probe(const struct book *b)
{
	int64_t filled, vwap;
	(void)book_best(b, SIDE_BID);
	(void)book_best(b, SIDE_ASK);
	(void)book_spread(b);
	(void)book_mid(b);
	(void)book_spread_bps_x100(b);
	(void)book_cross(b);
	(void)book_depth(b, SIDE_BID, 10000, 5);
	(void)book_depth(b, SIDE_ASK, 1000, 50);
	(void)book_vwap(b, SIDE_ASK, 100 * NUM_SCALE, &filled, &vwap);
	(void)book_vwap(b, SIDE_BID, INT64_MAX / 4, &filled, &vwap);
	for (size_t i = 0; i < book_levels(b, SIDE_BID); i++)
		check(book_level(b, SIDE_BID, i) != NULL);
}

static struct proto *fz_proto;
static struct evpack *fz_pack;
static struct fuzz_ctx fz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fz_proto) {
		fz_proto = proto_create();
		fz_pack = evpack_create();
		for (int i = 0; i < NBOOKS; i++)
			book_init(&fz.books[i]);
	}
	fz.events = 0;
	proto_parse(fz_proto, (const char *)data, size, sink, &fz);
	check(fz.events >= 1);
	size_t direct = fz.events, len = 0;
	const void *rec = evpack_frame(fz_pack, (const char *)data, size, size % 2 == 0, &len);
	if (rec) { /* NULL only when memory ran out */
		fz.events = 0;
		check(evpack_each(rec, len, sink, &fz) == direct && fz.events == direct);
	}
	for (int i = 0; i < NBOOKS; i++)
		probe(&fz.books[i]);
	return 0;
}

#ifdef FUZZ_MAIN
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		char *all = NULL, *line = NULL;
		size_t all_len = 0, cap = 0;
		FILE *mem = open_memstream(&all, &all_len);
		ssize_t n;
		while ((n = getline(&line, &cap, f)) > 0) {
			LLVMFuzzerTestOneInput((const uint8_t *)line, (size_t)n);
			fwrite(line, 1, (size_t)n, mem);
		}
		fclose(mem);
		LLVMFuzzerTestOneInput((const uint8_t *)all, all_len);
		free(all);
		free(line);
		fclose(f);
	}
	for (int i = 0; i < NBOOKS; i++)
		book_free(&fz.books[i]);
	proto_destroy(fz_proto);
	return 0;
}
#endif
