/*
 * Tests for export_redis: the snapshot's "redis", "hooks" and per-asset "fill_cost"
 * sections and the clobtop_redis_* / clobtop_hooks_total metrics, from hand-filled
 * numbers; nothing is written without the options (NULL) and the password never appears.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "export_redis.h"

#define SH(n) ((int64_t)(n)*NUM_SCALE)

static struct export_handon sample(void)
{
	struct export_handon h = {.redis = true,
	                          .link = "down",
	                          .books = 7,
	                          .trades = 3,
	                          .cache_writes = 2,
	                          .offered = 15,
	                          .dropped = 3,
	                          .connects = 2,
	                          .hooks = true};
	snprintf(h.url, sizeof(h.url), "redis://:***@127.0.0.1:6379/0");
	h.hook[HOOK_OK] = 4;
	h.hook[HOOK_EXIT] = 1;
	h.hook[HOOK_TIMEOUT] = 2;
	h.hook[HOOK_RATE] = 5;
	h.nsizes = 2;
	h.sizes[0] = (struct fill_size){FILL_SHARES, SH(10)};
	h.sizes[1] = (struct fill_size){FILL_SHARES, SH(100)};
	return h;
}

START_TEST(sections_carry_the_counts)
{
	struct export_handon h = sample();
	json_t *root = json_object();
	export_redis_json(root, &h);
	json_t *r = json_object_get(root, "redis"), *k = json_object_get(root, "hooks");
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(json_string_value(json_object_get(r, "state")), "down");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "published_books")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "published_trades")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "dropped")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "reconnects")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(k, "run")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(k, "failed")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(k, "timed_out")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(k, "dropped_rate")), 5);
	json_decref(root);
	root = json_object();
	export_redis_json(root, NULL);
	ck_assert_int_eq(json_object_size(root), 0);
	json_decref(root);
}
END_TEST

START_TEST(fill_cost_per_size_and_side)
{
	struct export_handon h = sample();
	struct asset *a = calloc(1, sizeof(*a));
	book_init(&a->book);
	/* asks 10 @ 0.50, 20 @ 0.52; bids 10 @ 0.48 */
	book_apply_level(&a->book, SIDE_ASK, 500000, SH(10));
	book_apply_level(&a->book, SIDE_ASK, 520000, SH(20));
	book_apply_level(&a->book, SIDE_BID, 480000, SH(10));
	json_t *j = json_object();
	export_redis_asset(j, a, &h);
	json_t *fc = json_object_get(j, "fill_cost");
	ck_assert_int_eq(json_array_size(fc), 2);
	json_t *r0 = json_array_get(fc, 0), *r1 = json_array_get(fc, 1);
	ck_assert_str_eq(json_string_value(json_object_get(r0, "size")), "10");
	json_t *buy = json_object_get(r0, "buy");
	ck_assert_str_eq(json_string_value(json_object_get(buy, "vwap")), "0.5");
	ck_assert_str_eq(json_string_value(json_object_get(buy, "slippage_bps")), "0");
	/* 100 shares: 30 asks, 10 bids: insufficient on both sides */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r1, "buy"), "error")),
	                 "insufficient depth");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r1, "sell"), "filled")),
	                 "10");
	json_decref(j);
	h.nsizes = 0;
	j = json_object();
	export_redis_asset(j, a, &h);
	ck_assert_ptr_null(json_object_get(j, "fill_cost"));
	json_decref(j);
	book_free(&a->book);
	free(a);
}
END_TEST

START_TEST(metrics_families)
{
	struct export_handon h = sample();
	char *m = export_redis_metrics(&h);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "clobtop_redis_published_total{kind=\"book\"} 7\n"));
	ck_assert_ptr_nonnull(strstr(m, "clobtop_redis_published_total{kind=\"trade\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(m, "clobtop_redis_dropped_total 3\n"));
	ck_assert_ptr_nonnull(strstr(m, "clobtop_redis_up 0\n"));
	ck_assert_ptr_nonnull(strstr(m, "clobtop_hooks_total{result=\"timeout\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(m, "# TYPE clobtop_hooks_total counter\n"));
	ck_assert_ptr_null(strstr(m, "127.0.0.1")); /* no URL, no secret, in the metrics */
	free(m);
	ck_assert_ptr_null(export_redis_metrics(NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("export_redis");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, sections_carry_the_counts);
	tcase_add_test(tc, fill_cost_per_size_and_side);
	tcase_add_test(tc, metrics_families);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
