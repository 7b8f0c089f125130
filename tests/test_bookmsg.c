/*
 * Tests for bookmsg: the rendered JSON is parsed back with jansson and compared, level by
 * level, with the book it came from; a book too large for the buffer stays valid JSON,
 * ends at a level boundary, keeps the best levels of both sides and says so.  A book
 * packed as a binary record (bookrec) renders to exactly the bytes of bookmsg_book().
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bookmsg.h"
#include "bookrec.h"

#define SH(n) ((int64_t)(n)*NUM_SCALE)

static void fill_book(struct book *b, int levels)
{
	book_init(b);
	for (int i = 0; i < levels; i++) {
		/* prices 0.001..0.499 bids, 0.501.. asks; odd sizes with decimals */
		ck_assert_int_eq(book_apply_level(b, SIDE_BID, 1000 * (i + 1), SH(i + 1) + 250000),
		                 0);
		ck_assert_int_eq(
		    book_apply_level(b, SIDE_ASK, 999000 - 1000 * i, SH(2 * i + 3) + 1), 0);
	}
}

/* Every level in arr equals the book's, best first, as exact decimal strings. */
static void expect_levels(json_t *arr, const struct book *b, enum side s, size_t n)
{
	ck_assert_msg(json_is_array(arr), "side %d is not an array", s);
	ck_assert_uint_eq(json_array_size(arr), n);
	for (size_t i = 0; i < n; i++) {
		json_t *lv = json_array_get(arr, i);
		int64_t p, z;
		const char *ps = json_string_value(json_object_get(lv, "price"));
		const char *zs = json_string_value(json_object_get(lv, "size"));
		ck_assert_msg(ps && zs, "level %zu lacks price/size strings", i);
		ck_assert_int_eq(num_parse(ps, strlen(ps), &p), NUM_OK);
		ck_assert_int_eq(num_parse(zs, strlen(zs), &z), NUM_OK);
		ck_assert_int_eq(p, book_level(b, s, i)->price);
		ck_assert_int_eq(z, book_level(b, s, i)->size);
	}
}

static json_t *parse(const char *buf)
{
	json_error_t e;
	json_t *j = json_loads(buf, 0, &e);
	ck_assert_msg(j != NULL, "invalid JSON (%s at %d): %.200s", e.text, e.position, buf);
	return j;
}

START_TEST(book_message_parses_back_to_the_same_book)
{
	struct book b;
	fill_book(&b, 40);
	static char buf[65536];
	struct bookmsg_meta m = {
	    "12345", 1790658661234, "5511583ad6f3", 1790658661240123456, "fresh", "live", 0};
	struct bookmsg_out out;
	ck_assert_int_eq(bookmsg_book(buf, sizeof(buf), &b, &m, &out), 0);
	ck_assert_uint_eq(out.len, strlen(buf));
	ck_assert(!out.truncated);
	json_t *j = parse(buf);
	ck_assert_str_eq(json_string_value(json_object_get(j, "schema")), "clobtop.book/1");
	ck_assert_str_eq(json_string_value(json_object_get(j, "asset_id")), "12345");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "timestamp_ms")), 1790658661234);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "received_ms")), 1790658661240);
	ck_assert_str_eq(json_string_value(json_object_get(j, "hash")), "5511583ad6f3");
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "fresh");
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "live");
	ck_assert(json_is_false(json_object_get(j, "truncated")));
	expect_levels(json_object_get(j, "bids"), &b, SIDE_BID, 40);
	expect_levels(json_object_get(j, "asks"), &b, SIDE_ASK, 40);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(j, "bids"), 0), "price")),
	                 "0.04");
	json_decref(j);
	book_free(&b);
}
END_TEST

START_TEST(unknown_fields_are_null_and_an_empty_book_has_empty_sides)
{
	struct book b;
	book_init(&b);
	char buf[BOOKMSG_MIN_BUF];
	struct bookmsg_meta m = {"1", 0, NULL, 0, "awaiting_snapshot", "replay", 0};
	ck_assert_int_eq(bookmsg_book(buf, sizeof(buf), &b, &m, NULL), 0);
	json_t *j = parse(buf);
	ck_assert(json_is_null(json_object_get(j, "timestamp_ms")));
	ck_assert(json_is_null(json_object_get(j, "hash")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "bids")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "asks")), 0);
	json_decref(j);
	ck_assert_int_eq(bookmsg_book(buf, BOOKMSG_MIN_BUF - 1, &b, &m, NULL), -1);
}
END_TEST

START_TEST(a_book_too_large_is_truncated_at_a_level_boundary_and_flagged)
{
	struct book b;
	fill_book(&b, 400);
	static char buf[4096];
	struct bookmsg_meta m = {"777", 1, "h", 1, "fresh", "live", 0};
	struct bookmsg_out out;
	ck_assert_int_eq(bookmsg_book(buf, sizeof(buf), &b, &m, &out), 0);
	ck_assert(out.truncated);
	ck_assert_uint_lt(out.len, sizeof(buf));
	ck_assert_msg(out.bids > 10 && out.asks > 10, "both sides keep levels: %u bids %u asks",
	              out.bids, out.asks);
	ck_assert_uint_le(out.bids > out.asks ? out.bids - out.asks : out.asks - out.bids, 1);
	json_t *j = parse(buf);
	ck_assert(json_is_true(json_object_get(j, "truncated")));
	expect_levels(json_object_get(j, "bids"), &b, SIDE_BID, out.bids);
	expect_levels(json_object_get(j, "asks"), &b, SIDE_ASK, out.asks);
	json_decref(j);
	/* max_levels limits without truncating */
	m.max_levels = 5;
	ck_assert_int_eq(bookmsg_book(buf, sizeof(buf), &b, &m, &out), 0);
	ck_assert(!out.truncated);
	ck_assert_uint_eq(out.bids, 5);
	book_free(&b);
}
END_TEST

START_TEST(strings_are_escaped_into_valid_json)
{
	struct book b;
	book_init(&b);
	char buf[BOOKMSG_MIN_BUF];
	struct bookmsg_meta m = {"9", 5, "a\"b\\c\n\x01\xff", 1, "fresh", "ws://x/\"y", 0};
	ck_assert_int_eq(bookmsg_book(buf, sizeof(buf), &b, &m, NULL), 0);
	json_t *j = parse(buf);
	ck_assert_str_eq(json_string_value(json_object_get(j, "hash")), "a\"b\\c\n\x01?");
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "ws://x/\"y");
	json_decref(j);
}
END_TEST

START_TEST(trade_message_parses_back)
{
	char buf[512];
	struct bookmsg_trade t = {
	    "4242", 480000, SH(12) + 5, SIDE_ASK, 1790000000001, 1790000000002999999, "live"};
	size_t n = bookmsg_trade(buf, sizeof(buf), &t);
	ck_assert_uint_eq(n, strlen(buf));
	json_t *j = parse(buf);
	ck_assert_str_eq(json_string_value(json_object_get(j, "schema")), "clobtop.trade/1");
	ck_assert_str_eq(json_string_value(json_object_get(j, "price")), "0.48");
	ck_assert_str_eq(json_string_value(json_object_get(j, "size")), "12.000005");
	ck_assert_str_eq(json_string_value(json_object_get(j, "side")), "SELL");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "timestamp_ms")), 1790000000001);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "received_ms")), 1790000000002);
	json_decref(j);
	ck_assert_uint_eq(bookmsg_trade(buf, 40, &t), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

#define MSG_CAP (256 * 1024) /* PUB_MSG_MAX: the buffer the publisher renders into */

/* bookmsg_book(b, m) into cap bytes == bookrec_pack(b, m) then bookrec_render(). */
static void expect_round_trip(const struct book *b, const struct bookmsg_meta *m, size_t cap)
{
	static char want[MSG_CAP], got[MSG_CAP];
	static unsigned char rec[BOOKREC_MAX];
	static struct ev_level lv[2 * BOOKREC_SIDE_MAX];
	struct bookmsg_out wo, go;
	ck_assert_int_eq(bookmsg_book(want, cap, b, m, &wo), 0);
	size_t len = bookrec_pack(rec, sizeof(rec), b, m);
	ck_assert_uint_gt(len, 0);
	memset(got, 'x', cap);
	ck_assert_int_eq(
	    bookrec_render(rec, len, m->asset_id, lv, 2 * BOOKREC_SIDE_MAX, got, cap, &go), 0);
	ck_assert_uint_eq(go.len, wo.len);
	ck_assert_msg(memcmp(got, want, wo.len + 1) == 0, "rendered %.300s\nwanted   %.300s", got,
	              want);
	ck_assert(go.bids == wo.bids && go.asks == wo.asks && go.truncated == wo.truncated);
	/* a cut record, or too little scratch, is refused */
	ck_assert_int_eq(
	    bookrec_render(rec, len - 1, m->asset_id, lv, 2 * BOOKREC_SIDE_MAX, got, cap, &go), -1);
	if (wo.bids + wo.asks > 0)
		ck_assert_int_eq(bookrec_render(rec, len, m->asset_id, lv, 0, got, cap, &go), -1);
}

START_TEST(a_packed_book_renders_to_the_same_bytes)
{
	struct book b;
	fill_book(&b, 40);
	struct bookmsg_meta m = {
	    "12345", 1790658661234, "5511583ad6f3", 1790658661240123456, "fresh", "live", 0};
	expect_round_trip(&b, &m, MSG_CAP);
	expect_round_trip(&b, &m, 4096);
	m.hash = NULL;
	expect_round_trip(&b, &m, MSG_CAP);
	m.hash = "";
	m.state = NULL;
	m.ts_ms = 0;
	expect_round_trip(&b, &m, MSG_CAP);
	m.max_levels = 5;
	expect_round_trip(&b, &m, MSG_CAP);
	struct bookmsg_meta odd = {"9", 5, "a\"b\\c\n\x01\xff", 1, "fresh", "ws://x/\"y", 0};
	expect_round_trip(&b, &odd, MSG_CAP);
	book_free(&b);
	fill_book(&b, 400); /* truncated in a small buffer */
	expect_round_trip(&b, &m, 4096);
	m.max_levels = 0;
	expect_round_trip(&b, &m, 4096);
	book_free(&b);
	book_init(&b);
	expect_round_trip(&b, &m, BOOKMSG_MIN_BUF);
	static char big[BOOKREC_STR_MAX + 1];
	memset(big, 'h', BOOKREC_STR_MAX);
	m.hash = big;
	static unsigned char rec[256];
	ck_assert_uint_eq(bookrec_pack(rec, sizeof(rec), &b, &m), 0); /* string too long */
	m.hash = NULL;
	ck_assert_uint_eq(bookrec_pack(rec, 8, &b, &m), 0); /* buffer too small */
}
END_TEST

/* Sides longer than a record keeps (BOOKREC_SIDE_MAX) render as the full book would:
 * truncated at the same levels. */
START_TEST(a_book_deeper_than_a_record_renders_to_the_same_bytes)
{
	struct book b;
	book_init(&b);
	for (int i = 0; i < BOOKREC_SIDE_MAX + 500; i++)
		ck_assert_int_eq(book_apply_level(&b, SIDE_BID, 1 + 40 * i, SH(1) + i), 0);
	struct bookmsg_meta m = {"5", 1, NULL, 1, "fresh", "live", 0};
	expect_round_trip(&b, &m, MSG_CAP); /* one side only */
	for (int i = 0; i < 3000; i++)
		ck_assert_int_eq(book_apply_level(&b, SIDE_ASK, 999999 - 40 * i, 7), 0);
	expect_round_trip(&b, &m, MSG_CAP);
	for (int i = 3000; i < BOOKREC_SIDE_MAX + 10; i++)
		ck_assert_int_eq(book_apply_level(&b, SIDE_ASK, 999999 - 40 * i - 20, 7), 0);
	expect_round_trip(&b, &m, MSG_CAP);
	/* exactly as many levels as a record keeps */
	struct book c;
	book_init(&c);
	for (int i = 0; i < BOOKREC_SIDE_MAX; i++)
		ck_assert_int_eq(book_apply_level(&c, SIDE_BID, i + 1, 1), 0);
	expect_round_trip(&c, &m, MSG_CAP);
	book_free(&c);
	book_free(&b);
}
END_TEST

static Suite *bookmsg_suite(void)
{
	Suite *s = suite_create("bookmsg");
	TCase *tc = tcase_create("render");
	tcase_add_test(tc, book_message_parses_back_to_the_same_book);
	tcase_add_test(tc, unknown_fields_are_null_and_an_empty_book_has_empty_sides);
	tcase_add_test(tc, a_book_too_large_is_truncated_at_a_level_boundary_and_flagged);
	tcase_add_test(tc, strings_are_escaped_into_valid_json);
	tcase_add_test(tc, trade_message_parses_back);
	suite_add_tcase(s, tc);
	TCase *rc = tcase_create("record");
	tcase_set_timeout(rc, 60);
	tcase_add_test(rc, a_packed_book_renders_to_the_same_bytes);
	tcase_add_test(rc, a_book_deeper_than_a_record_renders_to_the_same_bytes);
	suite_add_tcase(s, rc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bookmsg_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
