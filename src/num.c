/*
 * num: exact decimal text <-> int64 micro-units.
 *
 * Every price and size enters the program through num_parse, so it is strict: the only
 * accepted form is [digits][.digits] with at least one digit on each side of a dot that
 * is present (".48" is fine, "1." and "." are NUM_SYNTAX: the exchange never sends them
 * and accepting them would hide a broken producer).  Leading zeros are fine ("000.100").
 * Error precedence when several apply: NUM_SYNTAX, then NUM_RANGE, then NUM_PRECISION.
 *
 * Never uses floating point, never allocates, never reads past len.
 */
#include "num.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Decimal digit value, or -1.  Avoids isdigit(), which depends on the locale. */
static inline int num_digit(char c)
{
	return (c >= '0' && c <= '9') ? c - '0' : -1;
}

enum num_err num_parse(const char *s, size_t len, int64_t *out)
{
	if (len == 0 || s == NULL)
		return NUM_EMPTY;

	const uint64_t limit = (uint64_t)INT64_MAX;
	uint64_t ip = 0; /* integer part, valid while !range */
	bool range = false;
	size_t i = 0;
	size_t nint = 0;
	for (; i < len; i++) {
		int d = num_digit(s[i]);
		if (d < 0)
			break;
		nint++;
		/* Compare against the bound for the scaled value so the multiply below can't
		 * overflow either. */
		if (!range) {
			if (ip > (limit / (uint64_t)NUM_SCALE - (uint64_t)d) / 10)
				range = true;
			else
				ip = ip * 10 + (uint64_t)d;
		}
	}

	uint64_t frac = 0; /* fraction in micro-units */
	bool precision = false;
	if (i < len) {
		if (s[i] != '.')
			return NUM_SYNTAX;
		i++;
		size_t nfrac = 0;
		for (; i < len; i++, nfrac++) {
			int d = num_digit(s[i]);
			if (d < 0)
				return NUM_SYNTAX;
			if (nfrac < NUM_DIGITS)
				frac = frac * 10 + (uint64_t)d;
			else if (d != 0)
				precision = true;
		}
		if (nfrac == 0)
			return NUM_SYNTAX; /* "1." and "." */
		for (; nfrac < NUM_DIGITS; nfrac++)
			frac *= 10;
	} else if (nint == 0) {
		return NUM_SYNTAX;
	}

	if (range)
		return NUM_RANGE;
	uint64_t v = ip * (uint64_t)NUM_SCALE;
	if (v > limit - frac)
		return NUM_RANGE;
	if (precision)
		return NUM_PRECISION;
	if (out)
		*out = (int64_t)(v + frac);
	return NUM_OK;
}

size_t num_format(int64_t v, char *buf, size_t cap)
{
	char tmp[NUM_BUF];
	size_t n = 0;
	/* Work on the magnitude in uint64 so INT64_MIN has no overflow. */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t ip = mag / (uint64_t)NUM_SCALE;
	uint64_t fp = mag % (uint64_t)NUM_SCALE;

	if (v < 0)
		tmp[n++] = '-';
	char rev[24];
	size_t nr = 0;
	do {
		rev[nr++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	while (nr)
		tmp[n++] = rev[--nr];
	if (fp) {
		int digits = NUM_DIGITS;
		while (fp % 10 == 0) {
			fp /= 10;
			digits--;
		}
		tmp[n++] = '.';
		for (int k = digits - 1; k >= 0; k--) {
			tmp[n + (size_t)k] = (char)('0' + fp % 10);
			fp /= 10;
		}
		n += (size_t)digits;
	}

	if (cap == 0 || buf == NULL)
		return 0;
	if (n > cap - 1)
		n = cap - 1; /* truncated; cap >= NUM_BUF never truncates */
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}

const char *num_strerror(enum num_err e)
{
	switch (e) {
	case NUM_OK:
		return "ok";
	case NUM_EMPTY:
		return "empty number";
	case NUM_SYNTAX:
		return "not a plain decimal";
	case NUM_PRECISION:
		return "more than 6 decimal places";
	case NUM_RANGE:
		return "number too large";
	}
	return "unknown number error";
}

int num_parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1; /* strtoull would take "-1" as 2^64 - 1 */
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	int shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	end += shift ? 1 : 0;
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}
