/*
 * num: exact decimal fixed point for prices and sizes.
 *
 * Polymarket sends every number as a JSON string ("0.5", ".48", "2200.8").  We keep them
 * as integers scaled by 10^6 (micro-units) from the moment they are parsed: prices in
 * micro-dollars (0..1000000), sizes in micro-shares.  Nothing here ever uses a double.
 */
#ifndef CLOBTOP_NUM_H
#define CLOBTOP_NUM_H

#include <stddef.h>
#include <stdint.h>

#define NUM_DIGITS 6                /* decimal places kept */
#define NUM_SCALE  INT64_C(1000000) /* 10^NUM_DIGITS */
#define PRICE_ONE  NUM_SCALE        /* the price 1.0 */
#define PRICE_NONE INT64_C(-1)      /* an empty side: no best price */

enum num_err {
	NUM_OK = 0,
	NUM_EMPTY,     /* "" */
	NUM_SYNTAX,    /* not [digits][.digits] */
	NUM_PRECISION, /* a non-zero digit past NUM_DIGITS decimals */
	NUM_RANGE,     /* does not fit in int64 */
};

/* Parse a non-negative decimal of len bytes (no sign, no exponent, no spaces) into
 * micro-units.  Trailing zeros past NUM_DIGITS are accepted ("0.5000000"). */
enum num_err num_parse(const char *s, size_t len, int64_t *out);

/* Canonical text of a micro-unit value: no trailing zeros, no trailing dot, "0" for
 * zero, a leading "-" when negative.  Returns the length written (always NUL-terminated;
 * cap >= NUM_BUF is always enough). */
#define NUM_BUF 32
size_t num_format(int64_t v, char *buf, size_t cap);

/* Sums and products of values the network chose: a size may be anything up to INT64_MAX
 * micro-shares, so every total and notional saturates at INT64_MAX / INT64_MIN instead of
 * overflowing (undefined behaviour in C, a negative dollar amount on the screen). */
static inline int64_t num_sat_add(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* a * b / d with a 128-bit intermediate, truncated toward zero, saturated; d != 0. */
static inline int64_t num_mul_div(int64_t a, int64_t b, int64_t d)
{
	__int128 q = (__int128)a * b / d;
	if (q > INT64_MAX)
		return INT64_MAX;
	if (q < INT64_MIN)
		return INT64_MIN;
	return (int64_t)q;
}

/* A byte count as operators write it: digits with an optional k, M or G (powers of 1024)
 * and an optional "B" or "iB" ("64k", "40M", "1GiB").  Returns 0, or -1 when s is not one
 * or it does not fit in 64 bits.  clobtop and clobsim read sizes with this one grammar. */
int num_parse_bytes(const char *s, uint64_t *out);

/* A short English reason for an error code, for counters and alerts. */
const char *num_strerror(enum num_err e);

#endif
