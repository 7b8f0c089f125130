/*
 * Tests for fillcost: --depth-sizes parsing, hand-computed fills in shares and in $
 * notional, the rounding of vwap and slippage, insufficient depth, and agreement with
 * book_vwap for share sizes.  tests/fillcost_check.py checks the real captures.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fillcost.h"

#define SH(n) ((int64_t)(n)*NUM_SCALE)

static void make_book(struct book *b)
{
	book_init(b);
	/* asks: 10 @ 0.50, 20 @ 0.52, 5 @ 0.60; bids: 10 @ 0.48, 30 @ 0.45 */
	book_apply_level(b, SIDE_ASK, 500000, SH(10));
	book_apply_level(b, SIDE_ASK, 520000, SH(20));
	book_apply_level(b, SIDE_ASK, 600000, SH(5));
	book_apply_level(b, SIDE_BID, 480000, SH(10));
	book_apply_level(b, SIDE_BID, 450000, SH(30));
}

START_TEST(sizes_parse_shares_and_dollars)
{
	struct fill_size sz[FILLCOST_MAX_SIZES];
	char err[160];
	ck_assert_int_eq(fillcost_parse_sizes("100,1000.5,$10000", sz, 8, err, sizeof(err)), 3);
	ck_assert_int_eq(sz[0].unit, FILL_SHARES);
	ck_assert_int_eq(sz[0].amount, SH(100));
	ck_assert_int_eq(sz[1].amount, SH(1000) + 500000);
	ck_assert_int_eq(sz[2].unit, FILL_NOTIONAL);
	ck_assert_int_eq(sz[2].amount, SH(10000));
	char t[32];
	fillcost_size_text(&sz[2], t, sizeof(t));
	ck_assert_str_eq(t, "$10000");
	const char *bad[] = {"",          "1,,2", "$", "0", "-5", "1e3", "abc", "1,2,3,4,5,6,7,8,9",
	                     "$0.0000001"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(fillcost_parse_sizes(bad[i], sz, 8, err, sizeof(err)) == -1,
		              "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(buy_in_shares_walks_the_asks)
{
	struct book b;
	make_book(&b);
	struct fill_cost c;
	/* 25 shares: 10 @ 0.50 + 15 @ 0.52 = 12.8 -> vwap 0.512, slippage 2.4% = 240 bps */
	fillcost_compute(&b, SIDE_BID, &(struct fill_size){FILL_SHARES, SH(25)}, &c);
	ck_assert(c.sufficient);
	ck_assert_int_eq(c.filled, SH(25));
	ck_assert_int_eq(c.notional, 12800000);
	ck_assert_int_eq(c.vwap, 512000);
	ck_assert_int_eq(c.best, 500000);
	ck_assert_int_eq(c.slip_bps_x100, 24000);
	/* 36 shares: only 35 there */
	fillcost_compute(&b, SIDE_BID, &(struct fill_size){FILL_SHARES, SH(36)}, &c);
	ck_assert(!c.sufficient);
	ck_assert_int_eq(c.filled, SH(35));
	int64_t filled, vwap;
	book_vwap(&b, SIDE_ASK, SH(36), &filled, &vwap);
	ck_assert_int_eq(c.vwap, vwap);
	book_free(&b);
}
END_TEST

START_TEST(sell_slippage_is_positive_below_the_best_bid)
{
	struct book b;
	make_book(&b);
	struct fill_cost c;
	/* 20: 10 @ 0.48 + 10 @ 0.45 = 9.3 -> 0.465; (0.48-0.465)/0.48 = 312.5 bps -> 31250 */
	fillcost_compute(&b, SIDE_ASK, &(struct fill_size){FILL_SHARES, SH(20)}, &c);
	ck_assert_int_eq(c.vwap, 465000);
	ck_assert_int_eq(c.slip_bps_x100, 31250);
	/* 11: 10 @ 0.48 + 1 @ 0.45 = 5.25 / 11 = 0.4772727.. -> 477273;
	 * slippage (0.48 - 5.25/11)/0.48 * 1e6 = 5681.818.. -> 5682 */
	fillcost_compute(&b, SIDE_ASK, &(struct fill_size){FILL_SHARES, SH(11)}, &c);
	ck_assert_int_eq(c.vwap, 477273);
	ck_assert_int_eq(c.slip_bps_x100, 5682);
	book_free(&b);
}
END_TEST

START_TEST(dollar_notional_never_spends_more_than_asked)
{
	struct book b;
	make_book(&b);
	struct fill_cost c;
	/* $5: all within the first level: 10 shares exactly */
	fillcost_compute(&b, SIDE_BID, &(struct fill_size){FILL_NOTIONAL, SH(5)}, &c);
	ck_assert(c.sufficient);
	ck_assert_int_eq(c.filled, SH(10));
	ck_assert_int_eq(c.slip_bps_x100, 0);
	/* $6: 10 @ 0.50 ($5) then $1 / 0.52 = 1.923076 shares (floored) */
	fillcost_compute(&b, SIDE_BID, &(struct fill_size){FILL_NOTIONAL, SH(6)}, &c);
	ck_assert(c.sufficient);
	ck_assert_int_eq(c.filled, SH(11) + 923076);
	ck_assert_int_le(c.notional, SH(6));
	ck_assert_int_eq(c.notional, 5999999); /* 5 + 0.52 * 1.923076 = 5.99999952 */
	/* $100 > 5 + 10.4 + 3 = 18.4 available */
	fillcost_compute(&b, SIDE_BID, &(struct fill_size){FILL_NOTIONAL, SH(100)}, &c);
	ck_assert(!c.sufficient);
	ck_assert_int_eq(c.filled, SH(35));
	ck_assert_int_eq(c.notional, 18400000);
	book_free(&b);
}
END_TEST

START_TEST(an_empty_side_fills_nothing)
{
	struct book b;
	book_init(&b);
	struct fill_cost c;
	fillcost_compute(&b, SIDE_BID, &(struct fill_size){FILL_SHARES, SH(1)}, &c);
	ck_assert(!c.sufficient);
	ck_assert_int_eq(c.filled, 0);
	ck_assert_int_eq(c.vwap, PRICE_NONE);
	ck_assert_int_eq(c.best, PRICE_NONE);
	ck_assert_int_eq(c.slip_bps_x100, 0);
}
END_TEST

static Suite *fillcost_suite(void)
{
	Suite *s = suite_create("fillcost");
	TCase *tc = tcase_create("fill");
	tcase_add_test(tc, sizes_parse_shares_and_dollars);
	tcase_add_test(tc, buy_in_shares_walks_the_asks);
	tcase_add_test(tc, sell_slippage_is_positive_below_the_best_bid);
	tcase_add_test(tc, dollar_notional_never_spends_more_than_asked);
	tcase_add_test(tc, an_empty_side_fills_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fillcost_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
