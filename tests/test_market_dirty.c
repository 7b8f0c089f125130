/*
 * test_market_dirty: the model's list of changed books (market_dirty.c), which the Redis
 * publisher takes instead of scanning every asset.  At 10,000 assets a record touching
 * one asset lists that asset alone; an asset changed twice is taken once; nothing marked
 * during or after a take is lost; the list comes back in asset order.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"
#include "market_dirty.h"
#include "model_fixture.h"

#define NASSETS 10000
#define MAXSEEN (NASSETS + 16)

struct seen {
	size_t n;                    /* callbacks */
	size_t idx[MAXSEEN];         /* their indices, in call order */
	struct market_dirty *remark; /* a list to mark from inside the callback, or NULL */
	size_t remark_extra;         /* and this index as well as the one taken */
};

static struct seen got;

static void record(void *ctx, size_t i)
{
	struct seen *s = ctx;
	if (s->n < MAXSEEN)
		s->idx[s->n] = i;
	s->n++;
	if (s->remark) {
		market_dirty_mark(s->remark, i);
		market_dirty_mark(s->remark, s->remark_extra);
	}
}

static size_t take(struct market_dirty *d)
{
	memset(&got, 0, sizeof(got));
	size_t n = market_dirty_take(d, record, &got);
	ck_assert_uint_eq(n, got.n);
	return n;
}

static void asset_id(char *buf, size_t cap, size_t i)
{
	snprintf(buf, cap, "%zu", 1000000 + i);
}

static void book_for(struct market_state *m, size_t i)
{
	char id[32], f[512];
	asset_id(id, sizeof(id), i);
	snprintf(f, sizeof(f),
	         "{\"event_type\":\"book\",\"asset_id\":\"%s\",\"market\":\"0xab\",\"timestamp\":"
	         "\"1000\",\"bids\":[{\"price\":\"0.40\",\"size\":\"10\"}],\"asks\":[{\"price\":"
	         "\"0.60\",\"size\":\"7\"}]}",
	         id);
	apply_frame(m, f);
}

/* One price_change frame with a change on each of assets a and b (a == b: two changes). */
static void changes(struct market_state *m, size_t a, size_t b)
{
	char ia[32], ib[32], f[1024];
	asset_id(ia, sizeof(ia), a);
	asset_id(ib, sizeof(ib), b);
	snprintf(
	    f, sizeof(f),
	    "{\"market\":\"0xab\",\"price_changes\":[{\"asset_id\":\"%s\",\"price\":\"0.41\","
	    "\"size\":\"3\",\"side\":\"BUY\",\"hash\":\"x\"},{\"asset_id\":\"%s\",\"price\":"
	    "\"0.59\",\"size\":\"2\",\"side\":\"SELL\",\"hash\":\"y\"}],\"timestamp\":\"2000\","
	    "\"event_type\":\"price_change\"}",
	    ia, ib);
	apply_frame(m, f);
}

/* 10,000 assets, each with a book, and the list taken empty. */
static struct market_state *big_model(void)
{
	struct market_state *m = new_market(NULL);
	for (size_t i = 0; i < NASSETS; i++) {
		char id[32];
		asset_id(id, sizeof(id), i);
		ck_assert_ptr_nonnull(market_add(m, id, NULL));
	}
	apply_conn(m, CONN_CONNECTED, 0, "");
	for (size_t i = 0; i < NASSETS; i++)
		book_for(m, i);
	ck_assert_uint_eq(take(&m->dirty), NASSETS);
	for (size_t k = 0; k < NASSETS; k++)
		ck_assert_uint_eq(got.idx[k], k); /* in asset order, as a scan would visit them */
	ck_assert_uint_eq(take(&m->dirty), 0);
	return m;
}

START_TEST(at_10000_assets_a_record_on_one_asset_lists_only_that_asset)
{
	struct market_state *m = big_model();
	changes(m, 4242, 4242);
	ck_assert_uint_eq(take(&m->dirty), 1);
	ck_assert_uint_eq(got.idx[0], 4242);
	ck_assert_uint_eq(m->assets[4242].book.updates, 3); /* the book and both changes */

	book_for(m, 9001);
	ck_assert_uint_eq(take(&m->dirty), 1);
	ck_assert_uint_eq(got.idx[0], 9001);

	changes(m, 9999, 3); /* marked 9999 first: still taken in asset order */
	ck_assert_uint_eq(take(&m->dirty), 2);
	ck_assert_uint_eq(got.idx[0], 3);
	ck_assert_uint_eq(got.idx[1], 9999);
	del_market(m);
}
END_TEST

START_TEST(an_asset_changed_twice_before_a_take_is_taken_once)
{
	struct market_state *m = big_model();
	uint64_t marks = m->dirty.marks;
	changes(m, 17, 17);
	changes(m, 17, 17);
	book_for(m, 17);
	ck_assert_uint_eq(m->dirty.marks - marks, 1);
	ck_assert_uint_eq(take(&m->dirty), 1);
	ck_assert_uint_eq(got.idx[0], 17);
	ck_assert_uint_eq(take(&m->dirty), 0);
	del_market(m);
}
END_TEST

START_TEST(nothing_marked_during_or_after_a_take_is_lost)
{
	struct market_state *m = big_model();
	changes(m, 5, 600);
	changes(m, 7000, 7000);
	/* Each callback marks its own asset and asset 42 again: they belong to the next take. */
	memset(&got, 0, sizeof(got));
	got.remark = &m->dirty;
	got.remark_extra = 42;
	ck_assert_uint_eq(market_dirty_take(&m->dirty, record, &got), 3);
	ck_assert_uint_eq(got.idx[0], 5);
	ck_assert_uint_eq(got.idx[1], 600);
	ck_assert_uint_eq(got.idx[2], 7000);
	changes(m, 8000, 8000); /* after the take */
	ck_assert_uint_eq(take(&m->dirty), 5);
	size_t want[] = {5, 42, 600, 7000, 8000};
	for (size_t k = 0; k < 5; k++)
		ck_assert_uint_eq(got.idx[k], want[k]);
	ck_assert_uint_eq(take(&m->dirty), 0);
	del_market(m);
}
END_TEST

START_TEST(subscribing_an_asset_again_lists_it)
{
	struct market_state *m = big_model();
	market_remove(m, "1000123");
	ck_assert_uint_eq(take(&m->dirty), 0); /* clearing a book is not a change of updates */
	ck_assert_ptr_nonnull(market_add(m, "1000123", NULL));
	ck_assert_uint_eq(take(&m->dirty), 1);
	ck_assert_uint_eq(got.idx[0], 123);
	del_market(m);
}
END_TEST

START_TEST(a_set_of_its_own_grows_and_ignores_indices_not_reserved)
{
	struct market_dirty d;
	memset(&d, 0, sizeof(d));
	market_dirty_mark(&d, 0); /* nothing reserved yet */
	ck_assert_uint_eq(take(&d), 0);
	ck_assert_int_eq(market_dirty_reserve(&d, 3), 0);
	market_dirty_mark(&d, 2);
	ck_assert_int_eq(market_dirty_reserve(&d, 5000), 0); /* growing keeps the list */
	market_dirty_mark(&d, 4999);
	market_dirty_mark(&d, 2);
	market_dirty_mark(&d, d.cap); /* beyond what was reserved */
	ck_assert_uint_eq(take(&d), 2);
	ck_assert_uint_eq(got.idx[0], 2);
	ck_assert_uint_eq(got.idx[1], 4999);
	ck_assert_uint_eq(d.taken, 2);
	market_dirty_free(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("market_dirty");
	TCase *tc = tcase_create("dirty");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, at_10000_assets_a_record_on_one_asset_lists_only_that_asset);
	tcase_add_test(tc, an_asset_changed_twice_before_a_take_is_taken_once);
	tcase_add_test(tc, nothing_marked_during_or_after_a_take_is_lost);
	tcase_add_test(tc, subscribing_an_asset_again_lists_it);
	tcase_add_test(tc, a_set_of_its_own_grows_and_ignores_indices_not_reserved);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
