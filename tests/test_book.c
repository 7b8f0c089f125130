/*
 * Tests for book: the L2 book checked against hand-computed figures and, for long random
 * sequences, against a deliberately naive reference (one size slot per 0.0001 of price).
 * The reference must stay simple enough to be obviously right; it never shares code with
 * book.c.
 */
#include <check.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"

/* ck_assert_* reports every passing check to the parent process; inside loops of
 * hundreds of thousands of steps that costs more than the test, so loops use this. */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

#define P(t)   ((int64_t)(t)*100) /* price in 0.0001 units (P(4800) is 0.48) -> micro-dollars */
#define SH(n)  ((int64_t)(n)*NUM_SCALE) /* whole shares -> micro-shares */
#define NLV(a) (sizeof(a) / sizeof((a)[0]))

static const char *side_name(enum side s)
{
	return s == SIDE_BID ? "bid" : "ask";
}

/* Assert side s holds exactly want[0..n) listed best first. */
static void expect_side(const struct book *b, enum side s, const struct ev_level *want, size_t n,
                        const char *what)
{
	EXPECT(book_levels(b, s) == n, "%s: %s levels: expected %zu, got %zu", what, side_name(s),
	       n, book_levels(b, s));
	for (size_t i = 0; i < n; i++) {
		const struct ev_level *got = book_level(b, s, i);
		EXPECT(got != NULL, "%s: %s level %zu missing", what, side_name(s), i);
		EXPECT(got->price == want[i].price && got->size == want[i].size,
		       "%s: %s level %zu: expected %" PRId64 "@%" PRId64 ", got %" PRId64
		       "@%" PRId64,
		       what, side_name(s), i, want[i].size, want[i].price, got->size, got->price);
	}
	EXPECT(book_level(b, s, n) == NULL, "%s: %s level %zu should be NULL", what, side_name(s),
	       n);
}

/* ---- snapshots ---------------------------------------------------------------------- */

/* The book every snapshot test expects, best first. */
static const struct ev_level snap_bids_best_first[] = {
    {P(5000), SH(10)}, {P(4900), SH(20)}, {P(4500), SH(5)}, {P(100), SH(1000)}};
static const struct ev_level snap_asks_best_first[] = {
    {P(5200), SH(7)}, {P(5500), SH(3)}, {P(6000), SH(8)}, {P(9900), SH(2000)}};

START_TEST(snapshot_best_last_and_best_first_give_the_same_book)
{
	struct ev_level bids_last[4], asks_last[4];
	for (size_t i = 0; i < 4; i++) {
		bids_last[i] = snap_bids_best_first[3 - i];
		asks_last[i] = snap_asks_best_first[3 - i];
	}
	struct book b;
	book_init(&b);
	ck_assert_int_eq(book_apply_snapshot(&b, bids_last, 4, asks_last, 4), 0);
	expect_side(&b, SIDE_BID, snap_bids_best_first, 4, "best-last snapshot");
	expect_side(&b, SIDE_ASK, snap_asks_best_first, 4, "best-last snapshot");

	ck_assert_int_eq(book_apply_snapshot(&b, snap_bids_best_first, 4, snap_asks_best_first, 4),
	                 0);
	expect_side(&b, SIDE_BID, snap_bids_best_first, 4, "best-first snapshot");
	expect_side(&b, SIDE_ASK, snap_asks_best_first, 4, "best-first snapshot");
	book_free(&b);
}
END_TEST

START_TEST(snapshot_in_any_order_is_sorted)
{
	const struct ev_level bids[] = {
	    {P(4500), SH(5)}, {P(5000), SH(10)}, {P(100), SH(1000)}, {P(4900), SH(20)}};
	const struct ev_level asks[] = {
	    {P(6000), SH(8)}, {P(5200), SH(7)}, {P(9900), SH(2000)}, {P(5500), SH(3)}};
	struct book b;
	book_init(&b);
	ck_assert_int_eq(book_apply_snapshot(&b, bids, NLV(bids), asks, NLV(asks)), 0);
	expect_side(&b, SIDE_BID, snap_bids_best_first, 4, "shuffled snapshot");
	expect_side(&b, SIDE_ASK, snap_asks_best_first, 4, "shuffled snapshot");
	book_free(&b);
}
END_TEST

START_TEST(snapshot_duplicate_price_keeps_the_last_size_in_every_order)
{
	/* Sorted best-last, sorted best-first and unsorted inputs, each with duplicates. */
	const struct ev_level asc[] = {{P(4000), SH(1)}, {P(4500), SH(2)}, {P(4500), SH(3)},
	                               {P(4500), SH(4)}, {P(5000), SH(5)}, {P(5000), SH(6)}};
	const struct ev_level desc[] = {{P(5000), SH(9)},
	                                {P(5000), SH(6)},
	                                {P(4500), SH(2)},
	                                {P(4500), SH(4)},
	                                {P(4000), SH(1)}};
	const struct ev_level mixed[] = {{P(4500), SH(2)}, {P(5000), SH(9)}, {P(4000), SH(1)},
	                                 {P(4500), SH(8)}, {P(5000), SH(6)}, {P(4500), SH(4)}};
	const struct ev_level want[] = {{P(5000), SH(6)}, {P(4500), SH(4)}, {P(4000), SH(1)}};
	struct {
		const struct ev_level *lv; /* levels as sent */
		size_t n;                  /* how many */
		const char *name;          /* input order, for messages */
	} in[] = {{asc, NLV(asc), "ascending"},
	          {desc, NLV(desc), "descending"},
	          {mixed, NLV(mixed), "unsorted"}};
	struct book b;
	book_init(&b);
	for (size_t k = 0; k < NLV(in); k++) {
		ck_assert_int_eq(book_apply_snapshot(&b, in[k].lv, in[k].n, NULL, 0), 0);
		expect_side(&b, SIDE_BID, want, NLV(want), in[k].name);
		/* The same input on the ask side: same levels, mirrored order. */
		ck_assert_int_eq(book_apply_snapshot(&b, NULL, 0, in[k].lv, in[k].n), 0);
		const struct ev_level want_ask[] = {want[2], want[1], want[0]};
		expect_side(&b, SIDE_ASK, want_ask, 3, in[k].name);
		ck_assert_uint_eq(book_levels(&b, SIDE_BID), 0);
	}
	book_free(&b);
}
END_TEST

START_TEST(snapshot_drops_zero_sizes_including_a_last_duplicate_of_zero)
{
	const struct ev_level bids[] = {{P(4000), 0},     {P(4100), SH(1)}, {P(4200), SH(5)},
	                                {P(4200), 0},     {P(4300), SH(3)}, {P(4400), 0},
	                                {P(4400), SH(2)}, {P(4500), -7}};
	const struct ev_level want[] = {{P(4400), SH(2)}, {P(4300), SH(3)}, {P(4100), SH(1)}};
	const struct ev_level asks[] = {{P(9000), 0}, {P(8000), 0}};
	struct book b;
	book_init(&b);
	ck_assert_int_eq(book_apply_snapshot(&b, bids, NLV(bids), asks, NLV(asks)), 0);
	expect_side(&b, SIDE_BID, want, NLV(want), "zero sizes");
	expect_side(&b, SIDE_ASK, NULL, 0, "all-zero side");
	ck_assert_int_eq(book_best(&b, SIDE_ASK), PRICE_NONE);
	book_free(&b);
}
END_TEST

START_TEST(snapshot_replaces_everything_before_it)
{
	struct book b;
	book_init(&b);
	for (int i = 1; i <= 50; i++) {
		book_apply_level(&b, SIDE_BID, P(100) * i, SH(i));
		book_apply_level(&b, SIDE_ASK, P(5000) + P(100) * i, SH(i));
	}
	const struct ev_level bids[] = {{P(3000), SH(1)}};
	ck_assert_int_eq(book_apply_snapshot(&b, bids, 1, NULL, 0), 0);
	expect_side(&b, SIDE_BID, bids, 1, "after snapshot");
	expect_side(&b, SIDE_ASK, NULL, 0, "after snapshot");
	ck_assert_int_eq(book_apply_snapshot(&b, NULL, 0, NULL, 0), 0);
	expect_side(&b, SIDE_BID, NULL, 0, "empty snapshot");
	book_free(&b);
}
END_TEST

/* ---- single level changes ----------------------------------------------------------- */

struct level_case {
	const char *name;        /* what it proves */
	enum side s;             /* side changed */
	int64_t price;           /* micro-dollars */
	int64_t size;            /* micro-shares */
	struct ev_level want[5]; /* side s afterwards, best first */
	size_t nwant;            /* levels in want */
};

/* Starting book for every case: bids 0.50/0.49/0.47, asks 0.52/0.53/0.55 (best first). */
static const struct level_case level_cases[] = {
    {"bid_replace_at_best",
     SIDE_BID,
     P(5000),
     SH(99),
     {{P(5000), SH(99)}, {P(4900), SH(2)}, {P(4700), SH(3)}},
     3},
    {"bid_replace_in_middle",
     SIDE_BID,
     P(4900),
     SH(99),
     {{P(5000), SH(1)}, {P(4900), SH(99)}, {P(4700), SH(3)}},
     3},
    {"bid_replace_at_worst",
     SIDE_BID,
     P(4700),
     SH(99),
     {{P(5000), SH(1)}, {P(4900), SH(2)}, {P(4700), SH(99)}},
     3},
    {"bid_insert_new_best",
     SIDE_BID,
     P(5100),
     SH(9),
     {{P(5100), SH(9)}, {P(5000), SH(1)}, {P(4900), SH(2)}, {P(4700), SH(3)}},
     4},
    {"bid_insert_middle",
     SIDE_BID,
     P(4800),
     SH(9),
     {{P(5000), SH(1)}, {P(4900), SH(2)}, {P(4800), SH(9)}, {P(4700), SH(3)}},
     4},
    {"bid_insert_new_worst",
     SIDE_BID,
     P(1000),
     SH(9),
     {{P(5000), SH(1)}, {P(4900), SH(2)}, {P(4700), SH(3)}, {P(1000), SH(9)}},
     4},
    {"bid_remove_best", SIDE_BID, P(5000), 0, {{P(4900), SH(2)}, {P(4700), SH(3)}}, 2},
    {"bid_remove_middle", SIDE_BID, P(4900), 0, {{P(5000), SH(1)}, {P(4700), SH(3)}}, 2},
    {"bid_remove_worst", SIDE_BID, P(4700), 0, {{P(5000), SH(1)}, {P(4900), SH(2)}}, 2},
    {"bid_remove_missing_above",
     SIDE_BID,
     P(5100),
     0,
     {{P(5000), SH(1)}, {P(4900), SH(2)}, {P(4700), SH(3)}},
     3},
    {"bid_remove_missing_between",
     SIDE_BID,
     P(4800),
     0,
     {{P(5000), SH(1)}, {P(4900), SH(2)}, {P(4700), SH(3)}},
     3},
    {"bid_remove_missing_below",
     SIDE_BID,
     P(100),
     0,
     {{P(5000), SH(1)}, {P(4900), SH(2)}, {P(4700), SH(3)}},
     3},
    {"ask_replace_at_best",
     SIDE_ASK,
     P(5200),
     SH(99),
     {{P(5200), SH(99)}, {P(5300), SH(5)}, {P(5500), SH(6)}},
     3},
    {"ask_replace_in_middle",
     SIDE_ASK,
     P(5300),
     SH(99),
     {{P(5200), SH(4)}, {P(5300), SH(99)}, {P(5500), SH(6)}},
     3},
    {"ask_replace_at_worst",
     SIDE_ASK,
     P(5500),
     SH(99),
     {{P(5200), SH(4)}, {P(5300), SH(5)}, {P(5500), SH(99)}},
     3},
    {"ask_insert_new_best",
     SIDE_ASK,
     P(5100),
     SH(9),
     {{P(5100), SH(9)}, {P(5200), SH(4)}, {P(5300), SH(5)}, {P(5500), SH(6)}},
     4},
    {"ask_insert_middle",
     SIDE_ASK,
     P(5400),
     SH(9),
     {{P(5200), SH(4)}, {P(5300), SH(5)}, {P(5400), SH(9)}, {P(5500), SH(6)}},
     4},
    {"ask_insert_new_worst",
     SIDE_ASK,
     P(10000),
     SH(9),
     {{P(5200), SH(4)}, {P(5300), SH(5)}, {P(5500), SH(6)}, {P(10000), SH(9)}},
     4},
    {"ask_remove_best", SIDE_ASK, P(5200), 0, {{P(5300), SH(5)}, {P(5500), SH(6)}}, 2},
    {"ask_remove_middle", SIDE_ASK, P(5300), 0, {{P(5200), SH(4)}, {P(5500), SH(6)}}, 2},
    {"ask_remove_worst", SIDE_ASK, P(5500), 0, {{P(5200), SH(4)}, {P(5300), SH(5)}}, 2},
    {"ask_remove_missing_below",
     SIDE_ASK,
     P(5100),
     0,
     {{P(5200), SH(4)}, {P(5300), SH(5)}, {P(5500), SH(6)}},
     3},
    {"ask_remove_missing_between",
     SIDE_ASK,
     P(5400),
     0,
     {{P(5200), SH(4)}, {P(5300), SH(5)}, {P(5500), SH(6)}},
     3},
    {"ask_remove_missing_above",
     SIDE_ASK,
     P(9900),
     0,
     {{P(5200), SH(4)}, {P(5300), SH(5)}, {P(5500), SH(6)}},
     3},
};

static void level_case_book(struct book *b)
{
	const struct ev_level bids[] = {{P(4700), SH(3)}, {P(4900), SH(2)}, {P(5000), SH(1)}};
	const struct ev_level asks[] = {{P(5500), SH(6)}, {P(5300), SH(5)}, {P(5200), SH(4)}};
	book_init(b);
	ck_assert_int_eq(book_apply_snapshot(b, bids, 3, asks, 3), 0);
}

START_TEST(apply_level_sets_replaces_and_removes)
{
	const struct level_case *c = &level_cases[_i];
	struct book b;
	level_case_book(&b);
	struct book orig;
	level_case_book(&orig);
	enum side other = c->s == SIDE_BID ? SIDE_ASK : SIDE_BID;

	EXPECT(book_apply_level(&b, c->s, c->price, c->size) == 0, "%s: returned -1", c->name);
	expect_side(&b, c->s, c->want, c->nwant, c->name);
	struct ev_level untouched[3];
	for (size_t i = 0; i < 3; i++)
		untouched[i] = *book_level(&orig, other, i);
	expect_side(&b, other, untouched, 3, c->name);
	book_free(&b);
	book_free(&orig);
}
END_TEST

START_TEST(apply_level_on_empty_book_and_down_to_empty)
{
	struct book b;
	book_init(&b);
	ck_assert_int_eq(book_apply_level(&b, SIDE_ASK, P(5000), 0), 0);
	ck_assert_uint_eq(book_levels(&b, SIDE_ASK), 0);
	ck_assert_int_eq(book_apply_level(&b, SIDE_ASK, P(5000), SH(1)), 0);
	ck_assert_int_eq(book_best(&b, SIDE_ASK), P(5000));
	ck_assert_int_eq(book_best_size(&b, SIDE_ASK), SH(1));
	ck_assert_int_eq(book_apply_level(&b, SIDE_ASK, P(5000), 0), 0);
	ck_assert_int_eq(book_best(&b, SIDE_ASK), PRICE_NONE);
	ck_assert_int_eq(book_best_size(&b, SIDE_ASK), 0);
	/* the extreme prices are ordinary levels */
	ck_assert_int_eq(book_apply_level(&b, SIDE_BID, 0, SH(1)), 0);
	ck_assert_int_eq(book_apply_level(&b, SIDE_BID, PRICE_ONE, SH(2)), 0);
	ck_assert_int_eq(book_best(&b, SIDE_BID), PRICE_ONE);
	ck_assert_int_eq(book_level(&b, SIDE_BID, 1)->price, 0);
	book_free(&b);
}
END_TEST

START_TEST(apply_level_rejects_negative_price_or_size_and_changes_nothing)
{
	struct book b;
	level_case_book(&b);
	uint64_t updates = b.updates;
	ck_assert_int_eq(book_apply_level(&b, SIDE_BID, -1, SH(1)), -1);
	ck_assert_int_eq(book_apply_level(&b, SIDE_BID, P(5000), -1), -1);
	ck_assert_int_eq(book_apply_level(&b, SIDE_ASK, INT64_MIN, SH(1)), -1);
	const struct ev_level bids[] = {{P(5000), SH(1)}, {P(4900), SH(2)}, {P(4700), SH(3)}};
	expect_side(&b, SIDE_BID, bids, 3, "after rejected changes");
	EXPECT(b.updates == updates, "updates: expected %" PRIu64 ", got %" PRIu64, updates,
	       b.updates);
	book_free(&b);
}
END_TEST

START_TEST(updates_counts_snapshots_and_level_changes)
{
	struct book b;
	book_init(&b);
	ck_assert_uint_eq(b.updates, 0);
	book_apply_snapshot(&b, NULL, 0, NULL, 0);
	book_apply_level(&b, SIDE_BID, P(4000), SH(1));
	book_apply_level(&b, SIDE_BID, P(4000), SH(2));
	book_apply_level(&b, SIDE_BID, P(4000), 0);
	ck_assert_uint_eq(b.updates, 4);
	book_free(&b);
}
END_TEST

/* ---- derived figures ---------------------------------------------------------------- */

static void two_sided(struct book *b, int64_t bid, int64_t ask)
{
	book_init(b);
	if (bid != PRICE_NONE)
		book_apply_level(b, SIDE_BID, bid, SH(1));
	if (ask != PRICE_NONE)
		book_apply_level(b, SIDE_ASK, ask, SH(1));
}

struct quote_case {
	int64_t bid, ask;      /* micro-dollars or PRICE_NONE */
	int64_t spread, mid;   /* expected, micro-dollars */
	int64_t bps_x100;      /* expected, hundredths of a basis point */
	enum book_cross cross; /* expected */
};

static const struct quote_case quote_cases[] = {
    /* 0.04 / 0.50 = 8% = 800 bp */
    {P(4800), P(5200), P(400), P(5000), 80000, BOOK_NORMAL},
    /* 0.02 / 0.02 = 100% */
    {P(100), P(300), P(200), P(200), 1000000, BOOK_NORMAL},
    /* 0.001 / 0.0015 = 66.6667% -> 666666.67 rounds to 666667 */
    {P(10), P(20), P(10), 1500, 666667, BOOK_NORMAL},
    /* one tick on a 0.0001 book near 1: 100 / 999950 * 1e6 = 100.005 -> 100 */
    {P(9999), PRICE_ONE, 100, 999950, 100, BOOK_NORMAL},
    /* mid of 1 and 2 micro-dollars is 1.5: rounded up; 1/1.5 -> 666667 */
    {1, 2, 1, 2, 666667, BOOK_NORMAL},
    /* 0.0003 / 0.50005 = 5.99940006 bp -> 599.94 -> 600 */
    {P(4999), P(5002), 300, 500050, 600, BOOK_NORMAL},
    {P(5000), P(5000), 0, P(5000), 0, BOOK_LOCKED},
    {P(5200), P(4800), -P(400), P(5000), -80000, BOOK_CROSSED},
    /* -0.0003 / 0.50005 -> -599.94 -> -600 (halves and beyond away from zero) */
    {P(5002), P(4999), -300, 500050, -600, BOOK_CROSSED},
    {0, 0, 0, 0, 0, BOOK_LOCKED},
    {PRICE_NONE, P(5000), PRICE_NONE, PRICE_NONE, PRICE_NONE, BOOK_NORMAL},
    {P(5000), PRICE_NONE, PRICE_NONE, PRICE_NONE, PRICE_NONE, BOOK_NORMAL},
    {PRICE_NONE, PRICE_NONE, PRICE_NONE, PRICE_NONE, PRICE_NONE, BOOK_NORMAL},
};

START_TEST(spread_mid_bps_and_cross_are_exact)
{
	const struct quote_case *c = &quote_cases[_i];
	struct book b;
	two_sided(&b, c->bid, c->ask);
	EXPECT(book_spread(&b) == c->spread,
	       "bid %" PRId64 " ask %" PRId64 ": spread expected %" PRId64 ", got %" PRId64, c->bid,
	       c->ask, c->spread, book_spread(&b));
	EXPECT(book_mid(&b) == c->mid,
	       "bid %" PRId64 " ask %" PRId64 ": mid expected %" PRId64 ", got %" PRId64, c->bid,
	       c->ask, c->mid, book_mid(&b));
	EXPECT(book_spread_bps_x100(&b) == c->bps_x100,
	       "bid %" PRId64 " ask %" PRId64 ": bps_x100 expected %" PRId64 ", got %" PRId64,
	       c->bid, c->ask, c->bps_x100, book_spread_bps_x100(&b));
	EXPECT(book_cross(&b) == c->cross,
	       "bid %" PRId64 " ask %" PRId64 ": cross expected %d, got %d", c->bid, c->ask,
	       (int)c->cross, (int)book_cross(&b));
	book_free(&b);
}
END_TEST

/* bids 0.50x10, 0.49x20, 0.47x30, 0.40x1000; asks 0.52x100, 0.53x200, 0.60x50 */
static void depth_book(struct book *b)
{
	const struct ev_level bids[] = {
	    {P(4000), SH(1000)}, {P(4700), SH(30)}, {P(4900), SH(20)}, {P(5000), SH(10)}};
	const struct ev_level asks[] = {{P(6000), SH(50)}, {P(5300), SH(200)}, {P(5200), SH(100)}};
	book_init(b);
	ck_assert_int_eq(book_apply_snapshot(b, bids, NLV(bids), asks, NLV(asks)), 0);
}

struct depth_case {
	enum side s;  /* side measured */
	int64_t tick; /* micro-dollars */
	int n_ticks;  /* ticks from best */
	int64_t want; /* micro-shares */
};

static const struct depth_case depth_cases[] = {
    {SIDE_BID, P(100), 0, SH(10)},
    {SIDE_BID, P(100), 1, SH(30)},
    {SIDE_BID, P(100), 2, SH(30)},
    {SIDE_BID, P(100), 3, SH(60)},
    {SIDE_BID, P(100), 9, SH(60)},
    {SIDE_BID, P(100), 10, SH(1060)},
    {SIDE_BID, P(100), 100, SH(1060)},
    {SIDE_BID, P(10), 10, SH(30)},
    {SIDE_BID, P(10), 9, SH(10)},
    {SIDE_BID, P(100), -1, 0},
    {SIDE_BID, P(100), 2147483647, SH(1060)},
    {SIDE_ASK, P(100), 0, SH(100)},
    {SIDE_ASK, P(100), 1, SH(300)},
    {SIDE_ASK, P(100), 7, SH(300)},
    {SIDE_ASK, P(100), 8, SH(350)},
    {SIDE_ASK, P(1), 100, SH(300)},
    {SIDE_ASK, 0, 5, SH(100)},
};

START_TEST(depth_within_n_ticks_matches_hand_sums)
{
	const struct depth_case *c = &depth_cases[_i];
	struct book b;
	depth_book(&b);
	int64_t got = book_depth(&b, c->s, c->tick, c->n_ticks);
	EXPECT(got == c->want, "%s tick %" PRId64 " n %d: expected %" PRId64 ", got %" PRId64,
	       side_name(c->s), c->tick, c->n_ticks, c->want, got);
	book_free(&b);
}
END_TEST

START_TEST(depth_of_empty_side_is_zero)
{
	struct book b;
	book_init(&b);
	ck_assert_int_eq(book_depth(&b, SIDE_BID, P(100), 10), 0);
	ck_assert_int_eq(book_depth(&b, SIDE_ASK, P(100), 0), 0);
	book_free(&b);
}
END_TEST

struct vwap_case {
	enum side s;      /* side taken from */
	int64_t size;     /* micro-shares wanted */
	int64_t filled;   /* expected micro-shares */
	int64_t vwap;     /* expected micro-dollars */
	int64_t notional; /* expected micro-dollars */
};

static const struct vwap_case vwap_cases[] = {
    /* 50 at 0.52 = 26 */
    {SIDE_ASK, SH(50), SH(50), P(5200), 26000000},
    /* whole best level: 100 at 0.52 = 52 */
    {SIDE_ASK, SH(100), SH(100), P(5200), 52000000},
    /* 100@0.52 + 50@0.53 = 78.5 over 150 = 0.5233333.. */
    {SIDE_ASK, SH(150), SH(150), 523333, 78500000},
    /* 52 + 106 + 30 = 188 over 350 = 0.537142857.. (partial: 400 wanted) */
    {SIDE_ASK, SH(400), SH(350), 537143, 188000000},
    /* sell 25 into bids: 10@0.50 + 15@0.49 = 12.35 over 25 = 0.494 */
    {SIDE_BID, SH(25), SH(25), 494000, 12350000},
    /* everything: 5 + 9.8 + 14.1 + 400 = 428.9 over 1060 = 0.404622641.. */
    {SIDE_BID, SH(5000), SH(1060), 404623, 428900000},
    /* one micro-share at 0.52 costs 0.52 micro-dollars: truncated to 0 */
    {SIDE_ASK, 1, 1, P(5200), 0},
    {SIDE_ASK, 0, 0, PRICE_NONE, 0},
    {SIDE_ASK, -5, 0, PRICE_NONE, 0},
};

START_TEST(vwap_matches_hand_computed_fills)
{
	const struct vwap_case *c = &vwap_cases[_i];
	struct book b;
	depth_book(&b);
	int64_t filled = -9, vwap = -9;
	int64_t notional = book_vwap(&b, c->s, c->size, &filled, &vwap);
	EXPECT(filled == c->filled && vwap == c->vwap && notional == c->notional,
	       "%s %" PRId64 ": expected filled %" PRId64 " vwap %" PRId64 " notional %" PRId64
	       ", got %" PRId64 " %" PRId64 " %" PRId64,
	       side_name(c->s), c->size, c->filled, c->vwap, c->notional, filled, vwap, notional);
	ck_assert_int_eq(book_vwap(&b, c->s, c->size, NULL, NULL), c->notional);
	book_free(&b);
}
END_TEST

START_TEST(vwap_rounds_half_up_and_handles_empty_book)
{
	struct book b;
	book_init(&b);
	int64_t filled = -9, vwap = -9;
	ck_assert_int_eq(book_vwap(&b, SIDE_ASK, SH(10), &filled, &vwap), 0);
	ck_assert_int_eq(filled, 0);
	ck_assert_int_eq(vwap, PRICE_NONE);
	/* 1 micro-share at 1 and 1 at 2 micro-dollars: 1.5 -> 2 */
	book_apply_level(&b, SIDE_ASK, 1, 1);
	book_apply_level(&b, SIDE_ASK, 2, 1);
	book_vwap(&b, SIDE_ASK, 2, &filled, &vwap);
	EXPECT(filled == 2 && vwap == 2, "expected 2/2, got %" PRId64 "/%" PRId64, filled, vwap);
	book_free(&b);
}
END_TEST

START_TEST(bbo_agreement_treats_price_none_as_an_empty_side)
{
	struct book b;
	book_init(&b);
	ck_assert(book_bbo_agrees(&b, PRICE_NONE, PRICE_NONE));
	ck_assert(!book_bbo_agrees(&b, P(5000), PRICE_NONE));
	ck_assert(!book_bbo_agrees(&b, PRICE_NONE, P(5000)));
	ck_assert(!book_bbo_agrees(&b, 0, PRICE_NONE));

	book_apply_level(&b, SIDE_BID, P(4800), SH(1));
	ck_assert(book_bbo_agrees(&b, P(4800), PRICE_NONE));
	ck_assert(!book_bbo_agrees(&b, PRICE_NONE, PRICE_NONE));
	ck_assert(!book_bbo_agrees(&b, P(4800), P(5200)));
	ck_assert(!book_bbo_agrees(&b, P(4800), 0));

	book_apply_level(&b, SIDE_ASK, P(5200), SH(1));
	ck_assert(book_bbo_agrees(&b, P(4800), P(5200)));
	ck_assert(!book_bbo_agrees(&b, P(4700), P(5200)));
	ck_assert(!book_bbo_agrees(&b, P(4800), P(5300)));
	ck_assert(!book_bbo_agrees(&b, P(5200), P(4800)));
	ck_assert(!book_bbo_agrees(&b, P(4800), PRICE_NONE));
	book_free(&b);
}
END_TEST

/* ---- random sequences against a reference ------------------------------------------- */

#define SLOTS 10001 /* prices 0..1 in steps of 0.0001 */
#define STEP  100   /* micro-dollars per slot */

struct ref {
	int64_t sz[2][SLOTS]; /* micro-shares per slot, 0 = no level */
	int lo, hi;           /* slots that may be non-zero (inclusive), to keep checks cheap */
};

static void ref_clear(struct ref *r)
{
	memset(r->sz, 0, sizeof r->sz);
	r->lo = SLOTS;
	r->hi = -1;
}

static void ref_set(struct ref *r, enum side s, int slot, int64_t size)
{
	r->sz[s][slot] = size;
	if (slot < r->lo)
		r->lo = slot;
	if (slot > r->hi)
		r->hi = slot;
}

/* Slot of the k-th level from the best, or -1. */
static int ref_nth(const struct ref *r, enum side s, int k)
{
	if (s == SIDE_BID) {
		for (int p = r->hi; p >= r->lo; p--)
			if (r->sz[s][p] && k-- == 0)
				return p;
	} else {
		for (int p = r->lo; p <= r->hi; p++)
			if (r->sz[s][p] && k-- == 0)
				return p;
	}
	return -1;
}

static void ref_compare(const struct book *b, const struct ref *r, long step)
{
	for (int si = 0; si < 2; si++) {
		enum side s = (enum side)si;
		size_t i = 0;
		int from = s == SIDE_BID ? r->hi : r->lo, to = s == SIDE_BID ? r->lo : r->hi;
		int dir = s == SIDE_BID ? -1 : 1;
		for (int p = from; r->lo <= r->hi && p != to + dir; p += dir) {
			if (r->sz[s][p] == 0)
				continue;
			const struct ev_level *lv = book_level(b, s, i);
			EXPECT(lv != NULL && lv->price == (int64_t)p * STEP &&
			           lv->size == r->sz[s][p],
			       "step %ld %s level %zu: expected %" PRId64 "@%" PRId64
			       ", got %" PRId64 "@%" PRId64,
			       step, side_name(s), i, r->sz[s][p], (int64_t)p * STEP,
			       lv ? lv->size : -1, lv ? lv->price : -1);
			i++;
		}
		EXPECT(book_levels(b, s) == i, "step %ld %s: expected %zu levels, got %zu", step,
		       side_name(s), i, book_levels(b, s));
		int best = ref_nth(r, s, 0);
		int64_t want_best = best < 0 ? PRICE_NONE : (int64_t)best * STEP;
		EXPECT(book_best(b, s) == want_best,
		       "step %ld %s best: expected %" PRId64 ", got %" PRId64, step, side_name(s),
		       want_best, book_best(b, s));
	}
}

/* Depth and VWAP recomputed from the reference by brute force. */
static void ref_compare_figures(const struct book *b, const struct ref *r, long step, int n_ticks,
                                int64_t want_size)
{
	for (int si = 0; si < 2; si++) {
		enum side s = (enum side)si;
		int best = ref_nth(r, s, 0);
		int64_t depth = 0;
		if (best >= 0) {
			for (int p = r->lo; p <= r->hi; p++) {
				int dist = s == SIDE_BID ? best - p : p - best;
				if (dist >= 0 && dist <= n_ticks)
					depth += r->sz[s][p];
			}
		}
		int64_t got = book_depth(b, s, STEP, n_ticks);
		EXPECT(got == depth, "step %ld %s depth(%d): expected %" PRId64 ", got %" PRId64,
		       step, side_name(s), n_ticks, depth, got);

		__int128 notional = 0;
		int64_t filled = 0;
		int from = s == SIDE_BID ? r->hi : r->lo, dir = s == SIDE_BID ? -1 : 1;
		for (int p = from; p >= r->lo && p <= r->hi && filled < want_size; p += dir) {
			if (r->sz[s][p] == 0)
				continue;
			int64_t take = r->sz[s][p];
			if (take > want_size - filled)
				take = want_size - filled;
			notional += (__int128)take * p * STEP;
			filled += take;
		}
		int64_t want_vwap =
		    filled ? (int64_t)((notional * 2 + filled) / (2 * (__int128)filled))
		           : PRICE_NONE;
		int64_t got_filled, got_vwap;
		int64_t got_notional = book_vwap(b, s, want_size, &got_filled, &got_vwap);
		EXPECT(got_filled == filled && got_vwap == want_vwap &&
		           got_notional == (int64_t)(notional / NUM_SCALE),
		       "step %ld %s vwap(%" PRId64 "): expected %" PRId64 "/%" PRId64 "/%" PRId64
		       ", got %" PRId64 "/%" PRId64 "/%" PRId64,
		       step, side_name(s), want_size, filled, want_vwap,
		       (int64_t)(notional / NUM_SCALE), got_filled, got_vwap, got_notional);
	}
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static int rng_below(int n)
{
	return (int)(rng_next() % (uint64_t)n);
}

/* Build a snapshot of side s from the reference in a random order, with decoy duplicates
 * sent before the real entry and zero-size entries for absent prices. */
static size_t ref_snapshot_side(const struct ref *r, enum side s, struct ev_level *out, size_t cap)
{
	size_t n = 0;
	int order = rng_below(3); /* 0 best last, 1 best first, 2 shuffled */
	for (int k = 0; r->lo <= r->hi && k <= r->hi - r->lo; k++) {
		int p = (order == 1) == (s == SIDE_BID) ? r->hi - k : r->lo + k;
		int64_t sz = r->sz[s][p];
		if (n + 2 > cap)
			break;
		if (sz) {
			if (rng_below(10) == 0)
				out[n++] = (struct ev_level){(int64_t)p * STEP, sz + 1};
			out[n++] = (struct ev_level){(int64_t)p * STEP, sz};
		} else if (rng_below(50) == 0) {
			out[n++] = (struct ev_level){(int64_t)p * STEP, 0};
		}
	}
	if (order == 2) {
		/* Shuffle, then put each decoy duplicate back before its real entry. */
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)rng_below((int)i);
			struct ev_level t = out[i - 1];
			out[i - 1] = out[j];
			out[j] = t;
		}
		for (size_t i = 0; i < n; i++) {
			int p = (int)(out[i].price / STEP);
			if (out[i].size != 0 && out[i].size == r->sz[s][p]) {
				for (size_t j = i + 1; j < n; j++) {
					if (out[j].price == out[i].price) {
						struct ev_level t = out[i];
						out[i] = out[j];
						out[j] = t;
						break;
					}
				}
			}
		}
	}
	return n;
}

static void random_run(uint64_t seed, long steps, int window, int compare_every)
{
	static struct ref r;
	static struct ev_level snap[2][2 * SLOTS];
	struct book b;
	book_init(&b);
	ref_clear(&r);
	rng_state = seed;
	int center = SLOTS / 2;

	for (long step = 0; step < steps; step++) {
		int op = rng_below(1000);
		if (op < 2) {
			/* jump somewhere else, including the extremes 0 and 1 */
			center = rng_below(SLOTS);
		} else if (op < 6) {
			size_t nb = ref_snapshot_side(&r, SIDE_BID, snap[0], 2 * SLOTS);
			size_t na = ref_snapshot_side(&r, SIDE_ASK, snap[1], 2 * SLOTS);
			EXPECT(book_apply_snapshot(&b, snap[0], nb, snap[1], na) == 0,
			       "step %ld: snapshot failed", step);
		} else if (op < 7) {
			ref_clear(&r);
			book_clear(&b);
		} else {
			enum side s = (enum side)rng_below(2);
			int slot;
			int64_t size;
			int kind = rng_below(10);
			if (kind < 3 && book_levels(&b, s) > 0) {
				/* touch one of the top few levels: the hot case */
				size_t lvls = book_levels(&b, s);
				size_t i = (size_t)rng_below(lvls < 5 ? (int)lvls : 5);
				slot = (int)(book_level(&b, s, i)->price / STEP);
			} else {
				slot = center - window / 2 + rng_below(window + 1);
				if (slot < 0)
					slot = 0;
				if (slot >= SLOTS)
					slot = SLOTS - 1;
			}
			size = rng_below(3) == 0 ? 0 : 1 + (int64_t)(rng_next() % SH(100000));
			EXPECT(book_apply_level(&b, s, (int64_t)slot * STEP, size) == 0,
			       "step %ld: apply_level failed", step);
			ref_set(&r, s, slot, size);
		}
		if (step % compare_every == 0 || op < 7)
			ref_compare(&b, &r, step);
		if (step % 97 == 0)
			ref_compare_figures(&b, &r, step, rng_below(40),
			                    (int64_t)(rng_next() % SH(2000000)));
	}
	ref_compare(&b, &r, steps);
	book_free(&b);
}

START_TEST(random_updates_match_reference_near_the_top)
{
	/* 300 000 operations in a drifting window of 300 ticks, compared every step. */
	random_run(UINT64_C(0x5EED0001), 300000, 300, 1);
}
END_TEST

START_TEST(random_updates_match_reference_across_the_whole_range)
{
	random_run(UINT64_C(0x5EED0002), 60000, SLOTS, 50);
}
END_TEST

/* ---- memory ------------------------------------------------------------------------- */

START_TEST(memory_is_constant_under_steady_updates_after_warm_up)
{
	struct book b;
	book_init(&b);
	rng_state = 42;
	ck_assert_uint_eq(book_memory(&b), 0);
	/* Warm up: 100 levels on each side, the working size. */
	for (int i = 0; i < 100; i++) {
		book_apply_level(&b, SIDE_BID, P(3000) + i * STEP, SH(1 + i));
		book_apply_level(&b, SIDE_ASK, P(5000) + i * STEP, SH(1 + i));
	}
	size_t warm = book_memory(&b);
	EXPECT(warm >= 200 * sizeof(struct ev_level), "memory %zu below 200 levels", warm);
	const struct ev_level *bid_lv = b.side[SIDE_BID].lv, *ask_lv = b.side[SIDE_ASK].lv;
	for (int k = 0; k < 200000; k++) {
		enum side s = (enum side)rng_below(2);
		int64_t base = s == SIDE_BID ? P(3000) : P(5000);
		int64_t size = rng_below(4) == 0 ? 0 : SH(1 + rng_below(1000));
		EXPECT(book_apply_level(&b, s, base + rng_below(100) * STEP, size) == 0,
		       "step %d: apply_level failed", k);
		EXPECT(book_memory(&b) == warm, "step %d: memory grew from %zu to %zu", k, warm,
		       book_memory(&b));
	}
	EXPECT(b.side[SIDE_BID].lv == bid_lv && b.side[SIDE_ASK].lv == ask_lv,
	       "level arrays were reallocated after warm-up");
	/* Snapshots of the working size reuse the arrays too. */
	struct ev_level lv[100];
	for (int i = 0; i < 100; i++)
		lv[i] = (struct ev_level){P(3000) + i * STEP, SH(1)};
	ck_assert_int_eq(book_apply_snapshot(&b, lv, 100, NULL, 0), 0);
	ck_assert_uint_eq(book_memory(&b), warm);
	book_free(&b);
}
END_TEST

START_TEST(a_first_snapshot_is_held_exactly_and_growing_past_it_stays_exact)
{
	/* 10,000 books at 5..40 levels each: a power of two per side left half of them empty. */
	struct book b;
	book_init(&b);
	struct ev_level in[18], shuffled[18], want[120];
	for (int i = 0; i < 18; i++)
		in[i] = (struct ev_level){P(3000) + i * 2 * STEP, SH(1 + i)}; /* best last */
	ck_assert_int_eq(book_apply_snapshot(&b, in, 18, NULL, 0), 0);
	EXPECT(book_memory(&b) == 18 * sizeof(struct ev_level),
	       "an 18-level snapshot holds %zu bytes, expected exactly %zu", book_memory(&b),
	       18 * sizeof(struct ev_level));
	/* An unsorted one sorts in stack scratch: no second half kept for it. */
	for (int i = 0; i < 18; i++)
		shuffled[i] = in[(i * 7) % 18];
	ck_assert_int_eq(book_apply_snapshot(&b, NULL, 0, shuffled, 18), 0);
	EXPECT(book_memory(&b) == 36 * sizeof(struct ev_level),
	       "an unsorted 18-level ask snapshot: %zu bytes held, expected %zu", book_memory(&b),
	       36 * sizeof(struct ev_level));
	ck_assert_int_eq(book_apply_snapshot(&b, in, 18, NULL, 0), 0);
	/* Grow to 120 levels one at a time, in the gaps and past both ends. */
	for (int i = 0; i < 18; i++)
		ck_assert_int_eq(
		    book_apply_level(&b, SIDE_BID, P(3000) + (i * 2 + 1) * STEP, SH(50)), 0);
	for (int i = 36; i < 120; i++)
		ck_assert_int_eq(book_apply_level(&b, SIDE_BID, P(3000) + i * STEP, SH(7)), 0);
	for (int i = 0; i < 120; i++) {
		int64_t price = P(3000) + (119 - i) * STEP;
		int k = 119 - i;
		want[i] = (struct ev_level){price, k >= 36 ? SH(7)
		                                   : k % 2 ? SH(50)
		                                           : SH(1 + k / 2)};
	}
	expect_side(&b, SIDE_BID, want, 120, "grown past the first snapshot");
	size_t grown = book_memory(&b);
	EXPECT(grown >= 120 * sizeof(struct ev_level) && grown < 2 * 120 * sizeof(struct ev_level),
	       "120 levels hold %zu bytes", grown);
	/* Back to the first snapshot and up again: the working size is kept, nothing grows. */
	ck_assert_int_eq(book_apply_snapshot(&b, in, 18, NULL, 0), 0);
	for (int i = 36; i < 120; i++)
		ck_assert_int_eq(book_apply_level(&b, SIDE_BID, P(3000) + i * STEP, SH(7)), 0);
	ck_assert_uint_eq(book_memory(&b), grown);
	book_free(&b);
}
END_TEST

START_TEST(clear_keeps_memory_and_free_releases_it)
{
	struct book b;
	book_init(&b);
	for (int i = 0; i < 1000; i++)
		book_apply_level(&b, SIDE_BID, i * STEP, SH(1));
	size_t held = book_memory(&b);
	EXPECT(held >= 1000 * sizeof(struct ev_level), "memory %zu below 1000 levels", held);
	book_clear(&b);
	ck_assert_uint_eq(book_levels(&b, SIDE_BID), 0);
	ck_assert_int_eq(book_best(&b, SIDE_BID), PRICE_NONE);
	ck_assert_uint_eq(book_memory(&b), held);
	book_free(&b);
	ck_assert_uint_eq(book_memory(&b), 0);
	ck_assert_uint_eq(book_levels(&b, SIDE_BID), 0);
	ck_assert_ptr_null(b.side[SIDE_BID].lv);
	/* a freed book is a valid empty book (LeakSanitizer checks nothing is left) */
	ck_assert_int_eq(book_apply_level(&b, SIDE_ASK, P(5000), SH(1)), 0);
	book_free(&b);
	book_free(&b);
}
END_TEST

static Suite *book_suite(void)
{
	Suite *s = suite_create("book");
	TCase *tc = tcase_create("snapshot");
	tcase_add_test(tc, snapshot_best_last_and_best_first_give_the_same_book);
	tcase_add_test(tc, snapshot_in_any_order_is_sorted);
	tcase_add_test(tc, snapshot_duplicate_price_keeps_the_last_size_in_every_order);
	tcase_add_test(tc, snapshot_drops_zero_sizes_including_a_last_duplicate_of_zero);
	tcase_add_test(tc, snapshot_replaces_everything_before_it);
	suite_add_tcase(s, tc);

	tc = tcase_create("level");
	tcase_add_loop_test(tc, apply_level_sets_replaces_and_removes, 0, (int)NLV(level_cases));
	tcase_add_test(tc, apply_level_on_empty_book_and_down_to_empty);
	tcase_add_test(tc, apply_level_rejects_negative_price_or_size_and_changes_nothing);
	tcase_add_test(tc, updates_counts_snapshots_and_level_changes);
	suite_add_tcase(s, tc);

	tc = tcase_create("figures");
	tcase_add_loop_test(tc, spread_mid_bps_and_cross_are_exact, 0, (int)NLV(quote_cases));
	tcase_add_loop_test(tc, depth_within_n_ticks_matches_hand_sums, 0, (int)NLV(depth_cases));
	tcase_add_test(tc, depth_of_empty_side_is_zero);
	tcase_add_loop_test(tc, vwap_matches_hand_computed_fills, 0, (int)NLV(vwap_cases));
	tcase_add_test(tc, vwap_rounds_half_up_and_handles_empty_book);
	tcase_add_test(tc, bbo_agreement_treats_price_none_as_an_empty_side);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, random_updates_match_reference_near_the_top);
	tcase_add_test(tc, random_updates_match_reference_across_the_whole_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, memory_is_constant_under_steady_updates_after_warm_up);
	tcase_add_test(tc, clear_keeps_memory_and_free_releases_it);
	tcase_add_test(tc, a_first_snapshot_is_held_exactly_and_growing_past_it_stays_exact);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(book_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
