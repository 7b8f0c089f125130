/*
 * test_sim_gen: clobsim's synthetic markets and frames.
 *
 * The simulator is only useful if its truth is consistent: books never cross unless a
 * fault says so, each price_change names both tokens as mirror images, the reported
 * best_bid/best_ask are the book's after the change, and levels go out best last.
 * Frames are checked by parsing them with jansson, as a client would.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "sim/gen.h"
#include "sim/rest.h"

static struct gen g;

static void setup_gen(uint64_t seed, uint64_t cross_every)
{
	struct gen_cfg cfg = {.seed = seed,
	                      .markets = 12,
	                      .extra_markets = 4,
	                      .min_levels = 10,
	                      .max_levels = 40,
	                      .cross_every = cross_every,
	                      .book_after_trade = true};
	ck_assert_int_eq(gen_init(&g, &cfg), 0);
	for (int i = 0; i < g.nmarkets; i++)
		g.m[i].nsub = 1; /* as if every market had a subscriber: frames are formatted */
}

static void teardown_gen(void)
{
	gen_free(&g);
}

static int64_t parse_num(json_t *v)
{
	int64_t out = -1;
	const char *s = json_string_value(v);

	ck_assert_msg(s != NULL, "expected a JSON string number");
	if (!*s)
		return PRICE_NONE;
	ck_assert_msg(num_parse(s, strlen(s), &out) == NUM_OK, "not a decimal: '%s'", s);
	return out;
}

static json_t *frame_json(int i)
{
	json_error_t err;
	json_t *j = json_loadb(g.out.p + g.msg[i].off, g.msg[i].len, 0, &err);

	ck_assert_msg(j != NULL, "frame %d is not JSON: %s: %.*s", i, err.text, (int)g.msg[i].len,
	              g.out.p + g.msg[i].off);
	return j;
}

START_TEST(same_seed_gives_same_ids_and_other_seed_differs)
{
	char tok[GEN_ID_LEN + 1], cond[67];

	setup_gen(7, 0);
	memcpy(tok, g.m[3].token[1], sizeof tok);
	memcpy(cond, g.m[3].cond, sizeof cond);
	teardown_gen();
	setup_gen(7, 0);
	ck_assert_str_eq(g.m[3].token[1], tok);
	ck_assert_str_eq(g.m[3].cond, cond);
	teardown_gen();
	setup_gen(8, 0);
	ck_assert_msg(strcmp(g.m[3].token[1], tok) != 0, "seed 8 gave seed 7's token id");
	teardown_gen();
}
END_TEST

START_TEST(ids_have_polymarket_shapes)
{
	setup_gen(1, 0);
	for (int i = 0; i < g.nmarkets; i++) {
		for (int k = 0; k < 2; k++) {
			const char *t = g.m[i].token[k];
			ck_assert_uint_eq(strlen(t), 78);
			ck_assert_msg(strspn(t, "0123456789") == 78 && t[0] != '0',
			              "token id not 78 decimal digits: %s", t);
		}
		ck_assert_uint_eq(strlen(g.m[i].cond), 66);
		ck_assert_msg(strncmp(g.m[i].cond, "0x", 2) == 0 &&
		                  strspn(g.m[i].cond + 2, "0123456789abcdef") == 64,
		              "condition id not 0x + 64 hex: %s", g.m[i].cond);
	}
	teardown_gen();
}
END_TEST

START_TEST(books_never_cross_without_a_fault)
{
	setup_gen(3, 0);
	for (int step = 0; step < 100000; step++) {
		gen_step(&g, 1700000000000LL, true);
		int bad = gen_check(&g);
		ck_assert_msg(bad < 0, "market %d inconsistent or crossed after step %d", bad,
		              step);
	}
	teardown_gen();
}
END_TEST

/* Every price_change: two entries, the two tokens of its market, mirrored prices and
 * sides, equal sizes, and best_bid/best_ask equal to the book right after the step. */
START_TEST(price_change_names_both_tokens_with_true_bbo)
{
	int checked = 0;

	setup_gen(5, 0);
	for (int step = 0; step < 5000; step++) {
		gen_step(&g, 1700000000000LL, true);
		for (int i = 0; i < g.nmsg; i++) {
			if (g.msg[i].kind != GEN_PRICE_CHANGE)
				continue;
			json_t *j = frame_json(i);
			json_t *pcs = json_object_get(j, "price_changes");
			const struct gen_market *m = &g.m[g.msg[i].market];

			ck_assert_uint_eq(json_array_size(pcs), 2);
			json_t *a = json_array_get(pcs, 0), *b = json_array_get(pcs, 1);
			ck_assert_str_eq(json_string_value(json_object_get(a, "asset_id")),
			                 m->token[0]);
			ck_assert_str_eq(json_string_value(json_object_get(b, "asset_id")),
			                 m->token[1]);
			ck_assert_int_eq(parse_num(json_object_get(a, "price")) +
			                     parse_num(json_object_get(b, "price")),
			                 PRICE_ONE);
			ck_assert_int_eq(parse_num(json_object_get(a, "size")),
			                 parse_num(json_object_get(b, "size")));
			ck_assert_str_ne(json_string_value(json_object_get(a, "side")),
			                 json_string_value(json_object_get(b, "side")));
			for (int k = 0; k < 2; k++) {
				json_t *e = k ? b : a;
				int t = g.msg[i].market * 2 + k;
				int64_t bb = parse_num(json_object_get(e, "best_bid"));
				int64_t ba = parse_num(json_object_get(e, "best_ask"));
				int64_t want_bb = gen_best(&g, t, 0), want_ba = gen_best(&g, t, 1);
				ck_assert_msg(bb == want_bb && ba == want_ba,
				              "token %d: frame says %lld/%lld, book has %lld/%lld",
				              k, (long long)bb, (long long)ba, (long long)want_bb,
				              (long long)want_ba);
			}
			const char *last = NULL;
			const char *key;
			json_t *v;
			json_object_foreach(j, key, v) last = key;
			ck_assert_str_eq(last, "event_type");
			json_decref(j);
			checked++;
		}
	}
	ck_assert_int_gt(checked, 1000);
	teardown_gen();
}
END_TEST

START_TEST(book_snapshot_puts_best_level_last)
{
	setup_gen(9, 0);
	for (int t = 0; t < 6; t++) {
		struct sbuf b = {0};
		json_t *j;
		int64_t price[GEN_SLOTS], size[GEN_SLOTS];

		gen_book_json(&g, t, 1700000000000LL, true, &b);
		j = json_loadb(b.p, b.len, 0, NULL);
		ck_assert_msg(j != NULL, "book is not JSON: %.*s", (int)b.len, b.p);
		for (int side = 0; side < 2; side++) {
			json_t *lv = json_object_get(j, side ? "asks" : "bids");
			int n = gen_levels(&g, t, side, price, size, GEN_SLOTS);
			ck_assert_int_eq((int)json_array_size(lv), n);
			ck_assert_int_ge(n, 1);
			/* wire order is the reverse of best-first */
			for (int i = 0; i < n; i++) {
				json_t *l = json_array_get(lv, (size_t)(n - 1 - i));
				ck_assert_int_eq(parse_num(json_object_get(l, "price")), price[i]);
				ck_assert_int_eq(parse_num(json_object_get(l, "size")), size[i]);
			}
		}
		ck_assert_ptr_nonnull(json_object_get(j, "tick_size"));
		ck_assert_ptr_nonnull(json_object_get(j, "last_trade_price"));
		json_decref(j);
		sbuf_free(&b);
	}
	teardown_gen();
}
END_TEST

START_TEST(token_one_mirrors_token_zero)
{
	setup_gen(11, 0);
	for (int mi = 0; mi < g.nmarkets; mi++) {
		int64_t bb0 = gen_best(&g, mi * 2, 0), ba0 = gen_best(&g, mi * 2, 1);
		int64_t bb1 = gen_best(&g, mi * 2 + 1, 0), ba1 = gen_best(&g, mi * 2 + 1, 1);
		ck_assert_int_eq(bb1, PRICE_ONE - ba0);
		ck_assert_int_eq(ba1, PRICE_ONE - bb0);
	}
	teardown_gen();
}
END_TEST

START_TEST(cross_fault_crosses_for_one_step_then_heals)
{
	int crosses = 0;

	setup_gen(13, 50);
	for (int step = 0; step < 2000; step++) {
		gen_step(&g, 1700000000000LL, true);
		int crossed = -1;
		for (int i = 0; i < g.nmarkets; i++)
			if (gen_best(&g, i * 2, 0) >= gen_best(&g, i * 2, 1) &&
			    gen_best(&g, i * 2, 1) >= 0)
				crossed = i;
		if (crossed >= 0) {
			crosses++;
			ck_assert_int_eq(g.cross_market, crossed);
			gen_step(&g, 1700000000000LL, true);
			ck_assert_msg(gen_best(&g, crossed * 2, 0) < gen_best(&g, crossed * 2, 1),
			              "market %d still crossed one step later", crossed);
		}
	}
	ck_assert_msg(crosses >= 20, "expected about 40 crosses in 2000 steps, got %d", crosses);
	teardown_gen();
}
END_TEST

START_TEST(hidden_markets_appear_when_announced)
{
	setup_gen(1, 0);
	const char *hidden = g.m[12].token[0];
	ck_assert_int_eq(gen_find_token(&g, hidden, strlen(hidden)), -1);
	ck_assert_int_eq(gen_find_token(&g, g.m[2].token[1], GEN_ID_LEN), 5);
	ck_assert_int_eq(gen_announce(&g, 1700000000000LL), 1);
	ck_assert_int_eq(gen_find_token(&g, hidden, strlen(hidden)), 24);
	json_t *j = frame_json(0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "event_type")), "new_market");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "assets_ids"), 0)),
	                 hidden);
	json_decref(j);
	teardown_gen();
}
END_TEST

START_TEST(state_snapshot_lists_levels_best_first)
{
	struct sbuf b = {0};

	setup_gen(2, 0);
	ck_assert_int_eq(rest_state(&g, "ws://127.0.0.1:1/ws/market", 1700000000000LL, &b), 200);
	json_t *j = json_loadb(b.p, b.len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "schema")), "clobtop.snapshot/1");
	ck_assert_str_eq(json_string_value(json_object_get(j, "generated_at")),
	                 "2023-11-14T22:13:20Z");
	json_t *assets = json_object_get(j, "assets");
	ck_assert_uint_eq(json_array_size(assets), 24);
	for (size_t i = 0; i < json_array_size(assets); i++) {
		json_t *a = json_array_get(assets, i);
		json_t *bids = json_object_get(a, "bids"), *asks = json_object_get(a, "asks");
		ck_assert_str_eq(
		    json_string_value(json_object_get(a, "best_bid")),
		    json_string_value(json_object_get(json_array_get(bids, 0), "price")));
		ck_assert_str_eq(
		    json_string_value(json_object_get(a, "best_ask")),
		    json_string_value(json_object_get(json_array_get(asks, 0), "price")));
		for (size_t k = 1; k < json_array_size(bids); k++)
			ck_assert_int_gt(
			    parse_num(json_object_get(json_array_get(bids, k - 1), "price")),
			    parse_num(json_object_get(json_array_get(bids, k), "price")));
	}
	json_decref(j);
	sbuf_free(&b);
	teardown_gen();
}
END_TEST

START_TEST(query_parameters_are_decoded)
{
	char v[64];

	ck_assert(rest_query("/book?x=1&token_id=12%2C3+4", "token_id", v, sizeof v));
	ck_assert_str_eq(v, "12,3 4");
	ck_assert(!rest_query("/book?token=1", "token_id", v, sizeof v));
	ck_assert(!rest_query("/book", "token_id", v, sizeof v));
}
END_TEST

static Suite *gen_suite(void)
{
	Suite *s = suite_create("sim_gen");
	TCase *t = tcase_create("gen");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, same_seed_gives_same_ids_and_other_seed_differs);
	tcase_add_test(t, ids_have_polymarket_shapes);
	tcase_add_test(t, books_never_cross_without_a_fault);
	tcase_add_test(t, price_change_names_both_tokens_with_true_bbo);
	tcase_add_test(t, book_snapshot_puts_best_level_last);
	tcase_add_test(t, token_one_mirrors_token_zero);
	tcase_add_test(t, cross_fault_crosses_for_one_step_then_heals);
	tcase_add_test(t, hidden_markets_appear_when_announced);
	tcase_add_test(t, state_snapshot_lists_levels_best_first);
	tcase_add_test(t, query_parameters_are_decoded);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gen_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
