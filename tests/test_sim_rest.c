/*
 * test_sim_rest: the pure parts of clobsim's REST book service (restctl.c) and the
 * book answers (rest.c).
 *
 * The /books body parser must take what the exchange takes and refuse the rest without
 * trusting it; the limiter must admit exactly `limit` requests in any 10 s and name the
 * seconds until the window frees; faults are armed from the command-line and /fault
 * spellings and spent one answer at a time; a book's timestamp is the one on the frame
 * that made its state, and a restwrong book differs from the truth by exactly one share
 * at the best bid.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/gen.h"
#include "sim/rest.h"
#include "sim/restctl.h"

static struct rest_ids ids;
static char err[160];

static enum rest_parse parse(const char *body)
{
	return restctl_parse_ids(body, strlen(body), &ids, err, sizeof err);
}

START_TEST(books_body_takes_ids_in_order)
{
	ck_assert_int_eq(parse("[{\"token_id\":\"11\"},{\"token_id\":\"22\",\"side\":\"BUY\"},"
	                       " {\"token_id\":\"11\"}]"),
	                 REST_IDS_OK);
	ck_assert_int_eq(ids.n, 3);
	ck_assert_str_eq(ids.id[0], "11");
	ck_assert_str_eq(ids.id[1], "22");
	ck_assert_str_eq(ids.id[2], "11");
	ck_assert_int_eq(parse("[]"), REST_IDS_OK);
	ck_assert_int_eq(ids.n, 0);
}
END_TEST

/* A body of n entries {"token_id":"<i>"}. */
static char *body_of(int n)
{
	char *b = malloc((size_t)n * 24 + 8), *p = b;

	*p++ = '[';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s{\"token_id\":\"%d\"}", i ? "," : "", i);
	strcpy(p, "]");
	return b;
}

START_TEST(books_body_caps_at_250_ids)
{
	char *b = body_of(REST_BOOKS_MAX);
	ck_assert_int_eq(parse(b), REST_IDS_OK);
	ck_assert_int_eq(ids.n, 250);
	ck_assert_str_eq(ids.id[249], "249");
	free(b);
	b = body_of(REST_BOOKS_MAX + 1);
	ck_assert_int_eq(parse(b), REST_IDS_TOO_MANY);
	ck_assert_int_eq(ids.n, 251);
	ck_assert_msg(strstr(err, "251") != NULL, "error names the count: %s", err);
	free(b);
}
END_TEST

START_TEST(books_body_refuses_what_is_not_a_list_of_ids)
{
	static const char *const bad[] = {
	    "",
	    "{\"token_id\":\"1\"}",
	    "[{\"token_id\":1}]",
	    "[{\"id\":\"1\"}]",
	    "[\"1\"]",
	    "[{\"token_id\":\"1\"},",
	    "[{\"token_id\":\"1\",\"token_id\":\"2\"}]",
	    "[{\"token_id\":\"1\"}] trailing",
	    "null",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(parse(bad[i]) == REST_IDS_INVALID, "accepted: %s", bad[i]);
		ck_assert_int_eq(ids.n, 0);
		ck_assert_msg(err[0] != '\0', "no error text for %s", bad[i]);
	}
	/* an embedded NUL and a deep nest: refused, not crashed on */
	ck_assert_int_eq(restctl_parse_ids("[{\"token_id\":\"1\"}]\0x", 21, &ids, err, sizeof err),
	                 REST_IDS_INVALID);
	char *deep = malloc(20001);
	memset(deep, '[', 20000);
	deep[20000] = '\0';
	ck_assert_int_eq(parse(deep), REST_IDS_INVALID);
	free(deep);
}
END_TEST

START_TEST(books_body_bounds_size_and_id_length)
{
	char *big = malloc(REST_BODY_MAX + 2);
	memset(big, ' ', REST_BODY_MAX + 1);
	big[0] = '[';
	big[REST_BODY_MAX] = ']';
	big[REST_BODY_MAX + 1] = '\0';
	ck_assert_int_eq(parse(big), REST_IDS_INVALID);
	free(big);
	/* an id no token can have is kept as "" (unknown), not cut to a prefix */
	char body[400];
	snprintf(body, sizeof body, "[{\"token_id\":\"%0200d\"},{\"token_id\":\"7\"}]", 5);
	ck_assert_int_eq(parse(body), REST_IDS_OK);
	ck_assert_int_eq(ids.n, 2);
	ck_assert_str_eq(ids.id[0], "");
	ck_assert_str_eq(ids.id[1], "7");
}
END_TEST

#define S 1000000000LL /* ns per second */

START_TEST(limiter_admits_limit_per_sliding_window)
{
	struct rlimit rl;

	ck_assert_int_eq(rlimit_init(&rl, 3, REST_WINDOW_NS), 0);
	ck_assert_int_eq(rlimit_take(&rl, 100 * S), 0);
	ck_assert_int_eq(rlimit_take(&rl, 101 * S), 0);
	ck_assert_int_eq(rlimit_take(&rl, 102 * S), 0);
	/* full: the oldest (100 s) leaves at 110 s */
	ck_assert_int_eq(rlimit_take(&rl, 103 * S), 7);
	ck_assert_int_eq(rlimit_take(&rl, 103 * S + S / 2), 7); /* 6.5 s: whole seconds up */
	ck_assert_int_eq(rlimit_take(&rl, 110 * S - 1), 1);     /* 1 ns: still at least 1 */
	/* refused requests did not count: at 110 s exactly one place is free */
	ck_assert_int_eq(rlimit_take(&rl, 110 * S), 0);
	ck_assert_int_eq(rlimit_take(&rl, 110 * S), 1); /* next: 101 s leaves at 111 s */
	ck_assert_int_eq(rlimit_take(&rl, 112 * S), 0);
	ck_assert_int_eq(rlimit_take(&rl, 112 * S), 0);
	ck_assert_int_eq(rlimit_take(&rl, 112 * S), 8); /* 110 s leaves at 120 s */
	/* a long quiet spell empties the window */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(rlimit_take(&rl, 200 * S), 0);
	ck_assert_int_eq(rlimit_take(&rl, 200 * S), 10);
	rlimit_free(&rl);
}
END_TEST

START_TEST(limiter_zero_is_off)
{
	struct rlimit rl;

	ck_assert_int_eq(rlimit_init(&rl, 0, REST_WINDOW_NS), 0);
	for (int i = 0; i < 100000; i++)
		ck_assert_int_eq(rlimit_take(&rl, S), 0);
	rlimit_free(&rl);
}
END_TEST

START_TEST(faults_arm_from_the_command_line)
{
	struct rest_faults f;

	memset(&f, 0, sizeof f);
	ck_assert_int_eq(restctl_arm_spec(&f, "rest500", err, sizeof err), 0);
	ck_assert_uint_eq(f.left[RF_500], 1);
	ck_assert_int_eq(restctl_arm_spec(&f, "rest500:3", err, sizeof err), 0);
	ck_assert_uint_eq(f.left[RF_500], 3); /* arming replaces */
	ck_assert_int_eq(restctl_arm_spec(&f, "rest429", err, sizeof err), 0);
	ck_assert_int_eq(f.retry_after, 1);
	ck_assert_int_eq(restctl_arm_spec(&f, "rest429=5:2", err, sizeof err), 0);
	ck_assert_int_eq(f.retry_after, 5);
	ck_assert_uint_eq(f.left[RF_429], 2);
	ck_assert_int_eq(restctl_arm_spec(&f, "restslow=250:4", err, sizeof err), 0);
	ck_assert_int_eq(f.slow_ms, 250);
	ck_assert_uint_eq(f.left[RF_SLOW], 4);
	ck_assert_int_eq(restctl_arm_spec(&f, "restwrong", err, sizeof err), 0);
	ck_assert_str_eq(f.wrong_asset, "");
	ck_assert_int_eq(restctl_arm_spec(&f, "restwrong=123:2", err, sizeof err), 0);
	ck_assert_str_eq(f.wrong_asset, "123");
	ck_assert_uint_eq(f.left[RF_WRONG], 2);

	static const char *const bad[] = {"bogus",       "rest500=3",           "rest500:0",
	                                  "rest500:x",   "rest500:-1",          "restslow",
	                                  "restslow=0",  "restslow=600001",     "rest429=0",
	                                  "rest429=x:1", "rest500:99999999999", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct rest_faults g = f;
		err[0] = '\0';
		ck_assert_msg(restctl_arm_spec(&g, bad[i], err, sizeof err) == -1, "accepted '%s'",
		              bad[i]);
		ck_assert_msg(err[0] != '\0', "no message for '%s'", bad[i]);
		ck_assert_msg(!memcmp(&g, &f, sizeof f), "'%s' changed what was armed", bad[i]);
	}
}
END_TEST

START_TEST(faults_are_spent_one_answer_at_a_time)
{
	struct rest_faults f;

	memset(&f, 0, sizeof f);
	ck_assert(!restctl_take(&f, RF_500));
	ck_assert_int_eq(restctl_arm(&f, restctl_kind("rest500"), "2", NULL, err, sizeof err), 0);
	ck_assert(restctl_take(&f, RF_500));
	ck_assert(restctl_take(&f, RF_500));
	ck_assert(!restctl_take(&f, RF_500));
	ck_assert(!restctl_take(&f, RF_429)); /* kinds are separate */
	ck_assert_int_eq(restctl_arm(&f, RF_SLOW, NULL, "1500", err, sizeof err), 0);
	ck_assert_uint_eq(f.left[RF_SLOW], 1); /* count defaults to 1 */
	ck_assert_int_eq(restctl_kind("restwrong"), RF_WRONG);
	ck_assert_int_eq(restctl_kind("close"), -1);
	ck_assert_str_eq(restctl_kind_name(RF_429), "rest429");
}
END_TEST

static struct gen g;

static json_t *load(struct sbuf *b)
{
	json_error_t je;
	json_t *j = json_loadb(b->p, b->len, 0, &je);

	ck_assert_msg(j != NULL, "not JSON: %s", je.text);
	return j;
}

/* The token and timestamp of the last price_change of the current step, or -1. */
static int last_price_change(int64_t *ts)
{
	for (int i = g.nmsg - 1; i >= 0; i--) {
		if (g.msg[i].kind != GEN_PRICE_CHANGE)
			continue;
		json_error_t je;
		json_t *j = json_loadb(g.out.p + g.msg[i].off, g.msg[i].len, 0, &je);
		ck_assert_ptr_nonnull(j);
		*ts = strtoll(json_string_value(json_object_get(j, "timestamp")), NULL, 10);
		json_decref(j);
		return g.msg[i].market * 2;
	}
	return -1;
}

START_TEST(book_timestamp_is_the_frame_that_made_the_state)
{
	struct gen_cfg cfg = {.seed = 4, .markets = 3, .min_levels = 10, .max_levels = 40};
	struct sbuf b = {0};
	int64_t ts = 0;
	int t = -1;

	ck_assert_int_eq(gen_init(&g, &cfg), 0);
	for (int i = 0; i < g.nmarkets; i++)
		g.m[i].nsub = 1;
	/* an unchanged book carries the start time */
	ck_assert_int_eq(rest_book(&g, g.m[0].token[0], 777, NULL, &b), 200);
	json_t *j = load(&b);
	ck_assert_str_eq(json_string_value(json_object_get(j, "timestamp")), "777");
	json_decref(j);
	for (int64_t now = 1000000; now < 1000000 + 5000 && t < 0; now += 10) {
		gen_step(&g, now, false);
		t = last_price_change(&ts);
	}
	ck_assert_int_ge(t, 0);
	/* both tokens of the market: the price_change names them both */
	for (int k = 0; k < 2; k++) {
		char want[24];
		sbuf_reset(&b);
		ck_assert_int_eq(rest_book(&g, g.m[t / 2].token[k], 777, NULL, &b), 200);
		j = load(&b);
		snprintf(want, sizeof want, "%lld", (long long)ts);
		ck_assert_str_eq(json_string_value(json_object_get(j, "timestamp")), want);
		json_decref(j);
	}
	ck_assert_int_eq(g.m[t / 2].book_ms, ts);
	sbuf_free(&b);
	gen_free(&g);
}
END_TEST

/* Size of the best (last) level of a side, in micro-shares. */
static int64_t best_size(json_t *book, const char *side)
{
	json_t *a = json_object_get(book, side);
	size_t n = json_array_size(a);
	ck_assert_uint_gt(n, 0);
	double v =
	    strtod(json_string_value(json_object_get(json_array_get(a, n - 1), "size")), NULL);
	return (int64_t)(v * 1e6 + (v >= 0 ? 0.5 : -0.5));
}

START_TEST(books_answer_known_ids_and_spoil_one_as_documented)
{
	struct gen_cfg cfg = {.seed = 9, .markets = 3, .min_levels = 10, .max_levels = 40};
	struct sbuf b1 = {0}, b2 = {0};
	char list[3][REST_ID_LEN];
	int at = 0;

	ck_assert_int_eq(gen_init(&g, &cfg), 0);
	snprintf(list[0], sizeof list[0], "%s", g.m[0].token[0]);
	snprintf(list[1], sizeof list[1], "%s", "999");
	snprintf(list[2], sizeof list[2], "%s", g.m[1].token[1]);
	ck_assert_int_eq(rest_books(&g, (const char(*)[REST_ID_LEN])list, 3, 5, &at, list[2], &b1),
	                 200);
	ck_assert_int_eq(at, 1); /* the second book of the answer: the unknown id is left out */
	at = -1;
	ck_assert_int_eq(rest_books(&g, (const char(*)[REST_ID_LEN])list, 3, 5, &at, "", &b2), 200);
	ck_assert_int_eq(at, -1);
	json_t *wrong = load(&b1), *right = load(&b2);
	ck_assert_uint_eq(json_array_size(wrong), 2);
	ck_assert(json_equal(json_array_get(wrong, 0), json_array_get(right, 0)));
	json_t *w = json_array_get(wrong, 1), *r = json_array_get(right, 1);
	ck_assert_int_eq(best_size(w, "bids"), best_size(r, "bids") + REST_WRONG_DELTA);
	ck_assert(json_equal(json_object_get(w, "asks"), json_object_get(r, "asks")));
	ck_assert(json_equal(json_object_get(w, "hash"), json_object_get(r, "hash")));
	json_object_del(w, "bids");
	json_object_del(r, "bids");
	ck_assert(json_equal(w, r));
	json_decref(wrong);
	json_decref(right);
	/* /book of the same token equals its /books entry */
	bool spoil = false;
	sbuf_reset(&b1);
	ck_assert_int_eq(rest_book(&g, list[0], 5, &spoil, &b1), 200);
	right = load(&b2);
	json_t *one = load(&b1);
	ck_assert(json_equal(one, json_array_get(right, 0)));
	json_decref(one);
	json_decref(right);
	sbuf_free(&b1);
	sbuf_free(&b2);
	gen_free(&g);
}
END_TEST

static Suite *rest_suite(void)
{
	Suite *s = suite_create("sim_rest");
	TCase *tc = tcase_create("restctl");

	tcase_add_test(tc, books_body_takes_ids_in_order);
	tcase_add_test(tc, books_body_caps_at_250_ids);
	tcase_add_test(tc, books_body_refuses_what_is_not_a_list_of_ids);
	tcase_add_test(tc, books_body_bounds_size_and_id_length);
	tcase_add_test(tc, limiter_admits_limit_per_sliding_window);
	tcase_add_test(tc, limiter_zero_is_off);
	tcase_add_test(tc, faults_arm_from_the_command_line);
	tcase_add_test(tc, faults_are_spent_one_answer_at_a_time);
	tcase_add_test(tc, book_timestamp_is_the_frame_that_made_the_state);
	tcase_add_test(tc, books_answer_known_ids_and_spoil_one_as_documented);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
