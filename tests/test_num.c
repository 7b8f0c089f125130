/*
 * Tests for num: the exact decimal parser and formatter every price and size goes through.
 * Must never depend on floating point to decide what is right: expected values come from
 * hand-written tables or from an independent integer reference (snprintf + trimming).
 */
#include <check.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

/* ck_assert_* reports every passing check to the parent process; inside loops of
 * hundreds of thousands of steps that costs more than the test, so loops use this. */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

struct parse_case {
	const char *text; /* input */
	int64_t want;     /* micro-units when ok */
};

static const struct parse_case valid_cases[] = {
    {"0.5", 500000},
    {"0.50", 500000},
    {".48", 480000},
    {"2200.8", 2200800000},
    {"1", 1000000},
    {"0", 0},
    {"000.100", 100000},
    {"0.000001", 1},
    {".000001", 1},
    {"0.5000000", 500000},
    {"0.1234560000000000", 123456},
    {"0000000000000000000000000000000000012", 12000000},
    {"0.0", 0},
    {"00", 0},
    {"1000000", INT64_C(1000000000000)},
    {"9223372036854.775807", INT64_MAX},
    {"9223372036854.7758070", INT64_MAX},
    {"9223372036854", INT64_C(9223372036854000000)},
};

START_TEST(parse_accepts_plain_decimals)
{
	const struct parse_case *c = &valid_cases[_i];
	int64_t got = -42;
	enum num_err e = num_parse(c->text, strlen(c->text), &got);
	EXPECT(e == NUM_OK, "\"%s\": expected NUM_OK, got %d (%s)", c->text, (int)e,
	       num_strerror(e));
	EXPECT(got == c->want, "\"%s\": expected %" PRId64 ", got %" PRId64, c->text, c->want, got);
}
END_TEST

struct err_case {
	const char *text;  /* input */
	enum num_err want; /* expected error */
};

static const struct err_case error_cases[] = {
    {"", NUM_EMPTY},
    {"-1", NUM_SYNTAX},
    {"+1", NUM_SYNTAX},
    {"1e5", NUM_SYNTAX},
    {"1E5", NUM_SYNTAX},
    {"0x1", NUM_SYNTAX},
    {" 1", NUM_SYNTAX},
    {"1 ", NUM_SYNTAX},
    {"1.", NUM_SYNTAX},
    {".", NUM_SYNTAX},
    {"1.2.3", NUM_SYNTAX},
    {"..1", NUM_SYNTAX},
    {"1,5", NUM_SYNTAX},
    {"abc", NUM_SYNTAX},
    {"0.5a", NUM_SYNTAX},
    {"nan", NUM_SYNTAX},
    {"0.0000001", NUM_PRECISION},
    {"0.1234567", NUM_PRECISION},
    {"1.0000000001", NUM_PRECISION},
    {"9223372036854.775808", NUM_RANGE},
    {"9223372036855", NUM_RANGE},
    {"99999999999999999999999999999", NUM_RANGE},
    {"18446744073709551616", NUM_RANGE},
    /* precedence: syntax beats range beats precision */
    {"99999999999999999999x", NUM_SYNTAX},
    {"0.12345678x", NUM_SYNTAX},
    {"99999999999999999999.1234567", NUM_RANGE},
};

START_TEST(parse_rejects_with_the_right_error)
{
	const struct err_case *c = &error_cases[_i];
	int64_t got = 777;
	enum num_err e = num_parse(c->text, strlen(c->text), &got);
	EXPECT(e == c->want, "\"%s\": expected error %d (%s), got %d (%s)", c->text, (int)c->want,
	       num_strerror(c->want), (int)e, num_strerror(e));
	EXPECT(got == 777, "\"%s\": output written on error (got %" PRId64 ")", c->text, got);
}
END_TEST

START_TEST(parse_reads_only_len_bytes)
{
	const char *s = "0.5garbage";
	int64_t got = 0;
	ck_assert_int_eq(num_parse(s, 3, &got), NUM_OK);
	EXPECT(got == 500000, "expected 500000, got %" PRId64, got);
	ck_assert_int_eq(num_parse(s, 4, &got), NUM_SYNTAX);
	ck_assert_int_eq(num_parse(s, 0, &got), NUM_EMPTY);
	/* embedded NUL is not a terminator */
	ck_assert_int_eq(num_parse("1\0002", 3, &got), NUM_SYNTAX);
}
END_TEST

struct fmt_case {
	int64_t v;        /* micro-units */
	const char *want; /* canonical text */
};

static const struct fmt_case fmt_cases[] = {
    {0, "0"},
    {1, "0.000001"},
    {-1, "-0.000001"},
    {500000, "0.5"},
    {480000, "0.48"},
    {2200800000, "2200.8"},
    {1000000, "1"},
    {-1000000, "-1"},
    {100000, "0.1"},
    {123456, "0.123456"},
    {10, "0.00001"},
    {1000010, "1.00001"},
    {INT64_MAX, "9223372036854.775807"},
    {INT64_MIN, "-9223372036854.775808"},
    {INT64_C(-9223372036854000000), "-9223372036854"},
};

START_TEST(format_is_canonical)
{
	const struct fmt_case *c = &fmt_cases[_i];
	char buf[NUM_BUF];
	memset(buf, 'X', sizeof buf);
	size_t n = num_format(c->v, buf, sizeof buf);
	EXPECT(strcmp(buf, c->want) == 0, "%" PRId64 ": expected \"%s\", got \"%s\"", c->v, c->want,
	       buf);
	EXPECT(n == strlen(c->want), "%" PRId64 ": expected length %zu, got %zu", c->v,
	       strlen(c->want), n);
}
END_TEST

START_TEST(format_truncates_and_terminates_small_buffers)
{
	char buf[5];
	memset(buf, 'X', sizeof buf);
	size_t n = num_format(2200800000, buf, sizeof buf);
	EXPECT(n == 4 && strcmp(buf, "2200") == 0, "expected \"2200\"/4, got \"%s\"/%zu", buf, n);
	char one = 'X';
	n = num_format(5, &one, 1);
	EXPECT(n == 0 && one == '\0', "cap 1: expected empty string, got %zu", n);
	ck_assert_uint_eq(num_format(5, NULL, 0), 0);
}
END_TEST

/* Independent reference: snprintf the integer and fraction parts, then trim. */
static void ref_format(int64_t v, char *buf, size_t cap)
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(buf, cap, "%s%" PRIu64 ".%06" PRIu64, v < 0 ? "-" : "", mag / 1000000,
	         mag % 1000000);
	size_t n = strlen(buf);
	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[--n] = '\0';
}

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rng_next(void)
{
	/* xorshift64*: deterministic across platforms, fixed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

/* A random value of random magnitude so small, price-like and huge numbers all occur. */
static int64_t rng_value(void)
{
	uint64_t r = rng_next();
	int bits = (int)(rng_next() % 64);
	uint64_t mag = bits == 0 ? 0 : r >> (64 - bits);
	if (mag > (uint64_t)INT64_MAX)
		mag = (uint64_t)INT64_MAX;
	return (int64_t)mag;
}

START_TEST(format_then_parse_round_trips)
{
	char buf[NUM_BUF], ref[64];
	for (int k = 0; k < 200000; k++) {
		int64_t v = rng_value();
		if (k % 3 == 0)
			v = (int64_t)(rng_next() % 1000001); /* a price */
		size_t n = num_format(v, buf, sizeof buf);
		ref_format(v, ref, sizeof ref);
		EXPECT(strcmp(buf, ref) == 0, "%" PRId64 ": expected \"%s\", got \"%s\"", v, ref,
		       buf);
		int64_t back = -1;
		enum num_err e = num_parse(buf, n, &back);
		EXPECT(e == NUM_OK && back == v,
		       "\"%s\": expected %" PRId64 " back, got %" PRId64 " (err %d)", buf, v, back,
		       (int)e);
		/* and the negative formats with a sign and otherwise the same digits */
		if (v > 0) {
			char neg[NUM_BUF];
			num_format(-v, neg, sizeof neg);
			EXPECT(neg[0] == '-' && strcmp(neg + 1, buf) == 0,
			       "%" PRId64 ": expected \"-%s\", got \"%s\"", -v, buf, neg);
		}
	}
}
END_TEST

START_TEST(parse_of_padded_text_gives_the_same_value)
{
	/* Leading zeros, a missing leading zero and trailing zeros change nothing. */
	char buf[NUM_BUF], padded[80];
	for (int k = 0; k < 50000; k++) {
		int64_t v = (int64_t)(rng_next() % UINT64_C(100000000000));
		num_format(v, buf, sizeof buf);
		const char *body = buf;
		if (body[0] == '0' && body[1] == '.')
			body++; /* ".48" form */
		bool has_dot = strchr(buf, '.') != NULL;
		snprintf(padded, sizeof padded, "000%s%s0000000", body, has_dot ? "" : ".");
		int64_t got = -1;
		enum num_err e = num_parse(padded, strlen(padded), &got);
		EXPECT(e == NUM_OK && got == v,
		       "\"%s\": expected %" PRId64 ", got %" PRId64 " (err %d)", padded, v, got,
		       (int)e);
	}
}
END_TEST

START_TEST(parse_int64_limits)
{
	int64_t got = 0;
	const char *max = "9223372036854.775807";
	ck_assert_int_eq(num_parse(max, strlen(max), &got), NUM_OK);
	EXPECT(got == INT64_MAX, "expected INT64_MAX, got %" PRId64, got);
	/* one micro-unit more */
	const char *over = "9223372036854.775808";
	ck_assert_int_eq(num_parse(over, strlen(over), &got), NUM_RANGE);
	/* integer parts on either side of the boundary */
	const char *ok = "9223372036853.999999";
	ck_assert_int_eq(num_parse(ok, strlen(ok), &got), NUM_OK);
	EXPECT(got == INT64_C(9223372036853999999), "got %" PRId64, got);
	const char *big = "92233720368540";
	ck_assert_int_eq(num_parse(big, strlen(big), &got), NUM_RANGE);
	/* many leading zeros do not count toward the range */
	const char *zeros = "00000000000000000000000000009223372036854.775807";
	ck_assert_int_eq(num_parse(zeros, strlen(zeros), &got), NUM_OK);
	EXPECT(got == INT64_MAX, "expected INT64_MAX, got %" PRId64, got);
}
END_TEST

START_TEST(parse_accepts_null_out)
{
	ck_assert_int_eq(num_parse("1.5", 3, NULL), NUM_OK);
	ck_assert_int_eq(num_parse(NULL, 0, NULL), NUM_EMPTY);
}
END_TEST

START_TEST(byte_counts_have_one_grammar)
{
	uint64_t v;
	ck_assert_int_eq(num_parse_bytes("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(num_parse_bytes("64k", &v), 0);
	ck_assert_uint_eq(v, 65536);
	ck_assert_int_eq(num_parse_bytes("40M", &v), 0);
	ck_assert_uint_eq(v, UINT64_C(40) << 20);
	ck_assert_int_eq(num_parse_bytes("1GiB", &v), 0);
	ck_assert_uint_eq(v, UINT64_C(1) << 30);
	ck_assert_int_eq(num_parse_bytes("64kB", &v), 0);
	ck_assert_uint_eq(v, 65536);
	static const char *const bad[] = {
	    "", "-1", "k", "12x", "1.5M", "64kk", "99999999999999999999", "17179869184G"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(num_parse_bytes(bad[i], &v) == -1, "'%s' was accepted", bad[i]);
}
END_TEST

START_TEST(saturating_sum_and_product)
{
	ck_assert_int_eq(num_sat_add(INT64_MAX, 1), INT64_MAX);
	ck_assert_int_eq(num_sat_add(INT64_MIN, -1), INT64_MIN);
	ck_assert_int_eq(num_sat_add(40, 2), 42);
	ck_assert_int_eq(num_sat_add(INT64_MAX, INT64_MIN), -1);
	/* price * size / 1e6: exact in range, saturated beyond. */
	ck_assert_int_eq(num_mul_div(500000, 3000000, NUM_SCALE), 1500000);
	ck_assert_int_eq(num_mul_div(INT64_MAX, INT64_MAX, NUM_SCALE), INT64_MAX);
	ck_assert_int_eq(num_mul_div(INT64_MIN, INT64_MAX, NUM_SCALE), INT64_MIN);
	ck_assert_int_eq(num_mul_div(INT64_MAX, NUM_SCALE, NUM_SCALE), INT64_MAX);
	ck_assert_int_eq(num_mul_div(-7, 1, 2), -3); /* toward zero */
}
END_TEST

START_TEST(strerror_names_every_error)
{
	enum num_err all[] = {NUM_OK, NUM_EMPTY, NUM_SYNTAX, NUM_PRECISION, NUM_RANGE};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		const char *s = num_strerror(all[i]);
		EXPECT(s != NULL && s[0] != '\0', "error %d has no text", (int)all[i]);
		for (size_t j = 0; j < i; j++)
			EXPECT(strcmp(s, num_strerror(all[j])) != 0,
			       "errors %d and %d share the text \"%s\"", (int)all[i], (int)all[j],
			       s);
	}
	ck_assert_ptr_nonnull(num_strerror((enum num_err)99));
}
END_TEST

static Suite *num_suite(void)
{
	Suite *s = suite_create("num");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, parse_accepts_plain_decimals, 0,
	                    (int)(sizeof valid_cases / sizeof valid_cases[0]));
	tcase_add_loop_test(tc, parse_rejects_with_the_right_error, 0,
	                    (int)(sizeof error_cases / sizeof error_cases[0]));
	tcase_add_test(tc, parse_reads_only_len_bytes);
	tcase_add_test(tc, parse_int64_limits);
	tcase_add_test(tc, parse_accepts_null_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, format_is_canonical, 0,
	                    (int)(sizeof fmt_cases / sizeof fmt_cases[0]));
	tcase_add_test(tc, format_truncates_and_terminates_small_buffers);
	tcase_add_test(tc, strerror_names_every_error);
	tcase_add_test(tc, saturating_sum_and_product);
	tcase_add_test(tc, byte_counts_have_one_grammar);
	suite_add_tcase(s, tc);

	tc = tcase_create("round_trip");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, format_then_parse_round_trips);
	tcase_add_test(tc, parse_of_padded_text_gives_the_same_value);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(num_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
