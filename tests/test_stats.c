/*
 * test_stats: histogram quantiles agree with a sorted reference within 1/128 (so within
 * 1%) for several distributions, signs and magnitudes; min / max / counts are exact; the
 * 60-second window forgets what is 60 s old, the 1-second view shows only the latest
 * second, time jumps clear stale slots; rate counters add up per second; and recording
 * never calls the allocator.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Counting allocator: every malloc in the process goes through here, so a test can prove
 * that a code path allocates nothing.  ASan supplies its own malloc, so under ASan the
 * count is not available (ASan then checks the memory use itself). */
#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_COUNTING 0
#else
#define ALLOC_COUNTING 1
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
static volatile unsigned long alloc_calls;

void *malloc(size_t size)
{
	alloc_calls++;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	alloc_calls++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	alloc_calls++;
	return __libc_realloc(p, size);
}

void free(void *p)
{
	__libc_free(p);
}
#endif

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
}

static double rng_normal(void)
{
	return sqrt(-2.0 * log(rng_unit())) * cos(6.283185307179586 * rng_unit());
}

enum dist {
	D_SMALL,
	D_UNIFORM,
	D_EXP,
	D_PARETO,
	D_LOGNORMAL,
	D_NORMAL,
	D_MIXED,
	D_ZEROS,
	D_HUGE,
	D_NEG_HUGE,
	D_COUNT
};
static const char *const dist_name[D_COUNT] = {
    "uniform 0..299", "uniform 0..1e6", "exponential", "pareto 1.1",  "lognormal",
    "normal +-",      "mixed signs",    "zeros",       "huge < 2^40", "negative huge"};

static int64_t draw(enum dist d)
{
	const double two40 = 1099511627776.0;
	double x;

	switch (d) {
	case D_SMALL:
		return (int64_t)(rng_next() % 300);
	case D_UNIFORM:
		return (int64_t)(rng_next() % 1000001);
	case D_EXP:
		return (int64_t)(-5000.0 * log(rng_unit()));
	case D_PARETO:
		x = 100.0 / pow(rng_unit(), 1.0 / 1.1);
		return (int64_t)(x < two40 - 1 ? x : two40 - 1);
	case D_LOGNORMAL:
		return (int64_t)exp(8.0 + 2.0 * rng_normal());
	case D_NORMAL:
		return (int64_t)llround(2000.0 * rng_normal());
	case D_MIXED:
		x = -3000.0 * log(rng_unit());
		return (rng_next() & 1) ? (int64_t)x : -(int64_t)(x / 7);
	case D_ZEROS:
		return 0;
	case D_HUGE:
		return (int64_t)(two40 / 2 + rng_next() % (uint64_t)(two40 / 2));
	case D_NEG_HUGE:
		return -(int64_t)(rng_next() % (uint64_t)two40);
	default:
		return 0;
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static uint64_t abs_u(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* got must be within 1/128 of want (stricter than the 1% promised). */
static void expect_close(int64_t got, int64_t want, const char *what)
{
	uint64_t diff =
	    got > want ? (uint64_t)got - (uint64_t)want : (uint64_t)want - (uint64_t)got;

	ck_assert_msg(diff * 128 <= abs_u(want),
	              "%s: expected %lld (+-1/128), got %lld (off by %.4f%%)", what,
	              (long long)want, (long long)got,
	              want ? 100.0 * (double)diff / (double)abs_u(want) : 100.0);
}

static const int permille[] = {1, 10, 100, 250, 500, 750, 900, 950, 990, 999, 1000};

/* Checks every quantile in permille[] of h against the sorted samples v[0..n). */
static void check_against_reference(const struct hist *h, int64_t *v, size_t n, const char *name)
{
	char what[128];
	uint64_t neg = 0;
	struct lat_summary s;

	qsort(v, n, sizeof(v[0]), cmp_i64);
	for (size_t i = 0; i < n; i++)
		neg += v[i] < 0;
	for (size_t k = 0; k < sizeof(permille) / sizeof(permille[0]); k++) {
		size_t rank = ((size_t)permille[k] * n + 999) / 1000; /* ceil(q * n) */
		snprintf(what, sizeof(what), "%s n=%zu q=%d/1000", name, n, permille[k]);
		expect_close(hist_quantile(h, permille[k] / 1000.0), v[rank - 1], what);
	}
	hist_summary(h, &s);
	ck_assert_msg(s.count == n, "%s: expected count %zu, got %llu", name, n,
	              (unsigned long long)s.count);
	ck_assert_msg(s.negative == neg, "%s: expected %llu negative, got %llu", name,
	              (unsigned long long)neg, (unsigned long long)s.negative);
	ck_assert_msg(s.min == v[0] && s.max == v[n - 1],
	              "%s: expected min %lld max %lld, got %lld %lld", name, (long long)v[0],
	              (long long)v[n - 1], (long long)s.min, (long long)s.max);
	ck_assert_msg(s.p50 == hist_quantile(h, 0.5) && s.p95 == hist_quantile(h, 0.95) &&
	                  s.p99 == hist_quantile(h, 0.99),
	              "%s: summary percentiles differ from hist_quantile", name);
}

START_TEST(quantiles_match_sorted_reference_within_1_percent)
{
	static int64_t v[20000];
	struct hist *h = hist_create();

	ck_assert_ptr_nonnull(h);
	for (int d = 0; d < D_COUNT; d++) {
		for (size_t n = 1; n <= 20000; n *= 10) {
			rng_state = 1000u * (uint64_t)d + n;
			hist_reset(h);
			for (size_t i = 0; i < n; i++) {
				v[i] = draw((enum dist)d);
				hist_record(h, v[i]);
			}
			check_against_reference(h, v, n, dist_name[d]);
		}
	}
	hist_destroy(h);
}
END_TEST

START_TEST(single_sample_is_every_quantile)
{
	const int64_t samples[] = {0, 1, -1, 255, 256, 12345, -777, 1099511627775LL};
	struct hist *h = hist_create();

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct lat_summary s;

		hist_reset(h);
		hist_record(h, samples[i]);
		hist_summary(h, &s);
		ck_assert_msg(s.count == 1 && s.min == samples[i] && s.max == samples[i] &&
		                  s.p50 == samples[i] && s.p95 == samples[i] && s.p99 == samples[i],
		              "one sample %lld: got min %lld p50 %lld p95 %lld p99 %lld max %lld",
		              (long long)samples[i], (long long)s.min, (long long)s.p50,
		              (long long)s.p95, (long long)s.p99, (long long)s.max);
		ck_assert_uint_eq(s.negative, samples[i] < 0);
	}
	hist_destroy(h);
}
END_TEST

START_TEST(small_magnitudes_are_exact)
{
	struct hist *h = hist_create();

	/* Every value -255..255 once: each order statistic must come back exactly. */
	for (int64_t x = 255; x >= -255; x--)
		hist_record(h, x);
	for (uint64_t rank = 1; rank <= 511; rank++) {
		int64_t got = hist_quantile(h, (double)rank / 511.0);
		int64_t want = -256 + (int64_t)rank;
		ck_assert_msg(got == want, "rank %llu: expected %lld, got %lld",
		              (unsigned long long)rank, (long long)want, (long long)got);
	}
	hist_destroy(h);
}
END_TEST

START_TEST(values_beyond_2_pow_40_keep_exact_min_max_and_counts)
{
	struct hist *h = hist_create();
	struct lat_summary s;

	hist_record(h, INT64_MAX);
	hist_record(h, INT64_MIN);
	hist_record(h, (int64_t)1 << 50);
	hist_record(h, 5);
	hist_summary(h, &s);
	ck_assert_uint_eq(s.count, 4);
	ck_assert_uint_eq(s.negative, 1);
	ck_assert_msg(s.min == INT64_MIN && s.max == INT64_MAX,
	              "expected exact extremes, got %lld %lld", (long long)s.min, (long long)s.max);
	ck_assert_msg(hist_quantile(h, 1.0) == INT64_MAX, "q=1: expected INT64_MAX, got %lld",
	              (long long)hist_quantile(h, 1.0));
	/* Ranks 2 and 3 are 5 and 2^50: the first exact, the second in the overflow bucket. */
	ck_assert_int_eq(hist_quantile(h, 0.5), 5);
	ck_assert_msg(hist_quantile(h, 0.75) >= (int64_t)1 << 40,
	              "overflow bucket must read at least 2^40, got %lld",
	              (long long)hist_quantile(h, 0.75));
	hist_destroy(h);
}
END_TEST

START_TEST(empty_histogram_summary_is_zero)
{
	struct hist *h = hist_create();
	struct lat_summary s;

	memset(&s, 0x7f, sizeof(s));
	hist_summary(h, &s);
	ck_assert_msg(s.count == 0 && s.negative == 0 && s.min == 0 && s.p50 == 0 && s.p95 == 0 &&
	                  s.p99 == 0 && s.max == 0,
	              "empty: expected all zero");
	ck_assert_int_eq(hist_quantile(h, 0.5), 0);
	hist_destroy(h);
}
END_TEST

START_TEST(hist_add_equals_recording_everything_in_one)
{
	struct hist *a = hist_create(), *b = hist_create(), *all = hist_create();

	rng_state = 42;
	for (int i = 0; i < 5000; i++) {
		int64_t x = draw(D_MIXED), y = draw(D_PARETO);
		hist_record(a, x);
		hist_record(b, y);
		hist_record(all, x);
		hist_record(all, y);
	}
	hist_add(a, b);
	for (size_t k = 0; k < sizeof(permille) / sizeof(permille[0]); k++) {
		double q = permille[k] / 1000.0;
		ck_assert_msg(hist_quantile(a, q) == hist_quantile(all, q),
		              "q=%g: merged %lld, direct %lld", q, (long long)hist_quantile(a, q),
		              (long long)hist_quantile(all, q));
	}
	struct lat_summary sa, sall;
	hist_summary(a, &sa);
	hist_summary(all, &sall);
	ck_assert_msg(memcmp(&sa, &sall, sizeof(sa)) == 0, "merged summary differs from direct");
	hist_destroy(a);
	hist_destroy(b);
	hist_destroy(all);
}
END_TEST

START_TEST(reset_histogram_forgets_old_samples)
{
	struct hist *h = hist_create();
	struct lat_summary s;

	for (int i = 0; i < 1000; i++)
		hist_record(h, -1000000 + i * 3000);
	hist_reset(h);
	hist_record(h, 7);
	hist_record(h, 9);
	hist_summary(h, &s);
	ck_assert_msg(s.count == 2 && s.negative == 0 && s.min == 7 && s.max == 9 && s.p50 == 7,
	              "after reset: expected count 2 min 7 p50 7 max 9, got %llu %lld %lld %lld",
	              (unsigned long long)s.count, (long long)s.min, (long long)s.p50,
	              (long long)s.max);
	hist_destroy(h);
}
END_TEST

/* Window helpers. */
static struct lat_summary summary_of(struct lat_window *w, int64_t now, int secs)
{
	struct lat_summary s;
	memset(&s, 0x7f, sizeof(s));
	lat_window_summary(w, now, secs, &s);
	return s;
}

START_TEST(window_60s_keeps_59_seconds_back_and_drops_60)
{
	struct lat_window *w = lat_window_create();
	struct lat_summary s;

	ck_assert_ptr_nonnull(w);
	lat_window_record(w, 100, 1000);
	lat_window_record(w, 100, -40);
	s = summary_of(w, 159, 60);
	ck_assert_msg(s.count == 2 && s.negative == 1 && s.min == -40 && s.max == 1000,
	              "at +59 s: expected both samples, got count %llu min %lld max %lld",
	              (unsigned long long)s.count, (long long)s.min, (long long)s.max);
	s = summary_of(w, 160, 60);
	ck_assert_msg(s.count == 0 && s.max == 0, "at +60 s: expected empty, got count %llu",
	              (unsigned long long)s.count);
	lat_window_destroy(w);
}
END_TEST

START_TEST(window_60s_matches_reference_of_recent_samples)
{
	struct lat_window *w = lat_window_create();
	static int64_t v[200 * 50], recent[200 * 50];
	static int64_t when[200 * 50];
	size_t n = 0, m = 0;

	rng_state = 7;
	for (int64_t t = 1000; t < 1200; t++)
		for (int i = 0; i < 50; i++) {
			v[n] = draw(D_MIXED) + t; /* drifts, so old seconds matter */
			when[n] = t;
			lat_window_record(w, t, v[n]);
			n++;
		}
	for (size_t i = 0; i < n; i++)
		if (when[i] > 1199 - 60)
			recent[m++] = v[i];
	qsort(recent, m, sizeof(recent[0]), cmp_i64);
	struct lat_summary s = summary_of(w, 1199, 60);
	ck_assert_msg(s.count == m, "expected %zu samples in 60 s, got %llu", m,
	              (unsigned long long)s.count);
	ck_assert_msg(s.min == recent[0] && s.max == recent[m - 1],
	              "expected min %lld max %lld, got %lld %lld", (long long)recent[0],
	              (long long)recent[m - 1], (long long)s.min, (long long)s.max);
	expect_close(s.p50, recent[(50 * m + 99) / 100 - 1], "window p50");
	expect_close(s.p95, recent[(95 * m + 99) / 100 - 1], "window p95");
	expect_close(s.p99, recent[(99 * m + 99) / 100 - 1], "window p99");
	lat_window_destroy(w);
}
END_TEST

START_TEST(window_1s_reports_current_second_only)
{
	struct lat_window *w = lat_window_create();
	struct lat_summary s;

	lat_window_record(w, 5, 900);
	lat_window_record(w, 6, 10);
	lat_window_record(w, 6, 20);
	s = summary_of(w, 6, 1);
	ck_assert_msg(s.count == 2 && s.min == 10 && s.max == 20,
	              "expected only second 6 (10, 20), got count %llu min %lld max %lld",
	              (unsigned long long)s.count, (long long)s.min, (long long)s.max);
	s = summary_of(w, 6, 60);
	ck_assert_msg(s.count == 3 && s.max == 900, "60 s view: expected 3 samples max 900");
	lat_window_destroy(w);
}
END_TEST

START_TEST(window_1s_falls_back_to_previous_second_when_current_is_empty)
{
	struct lat_window *w = lat_window_create();
	struct lat_summary s;

	lat_window_record(w, 5, 900);
	lat_window_record(w, 6, 10);
	s = summary_of(w, 7, 1);
	ck_assert_msg(s.count == 1 && s.min == 10 && s.max == 10,
	              "at 7 with 7 empty: expected second 6 (10), got count %llu max %lld",
	              (unsigned long long)s.count, (long long)s.max);
	s = summary_of(w, 8, 1);
	ck_assert_msg(s.count == 0, "at 8: second 6 is too old for the 1 s view, got count %llu",
	              (unsigned long long)s.count);
	lat_window_destroy(w);
}
END_TEST

START_TEST(time_jump_over_60s_clears_stale_slots)
{
	struct lat_window *w = lat_window_create();
	struct lat_summary s;

	for (int64_t t = 0; t < 60; t++)
		lat_window_record(w, t, 100 + t);
	/* Same slot as second 5, exactly 60 s later: must not include the old sample. */
	lat_window_record(w, 65, -3);
	s = summary_of(w, 65, 60);
	ck_assert_msg(s.count == 55 && s.min == -3 && s.max == 159,
	              "at 65: expected seconds 6..59 plus -3 (55 samples, min -3, max 159), got "
	              "%llu %lld %lld",
	              (unsigned long long)s.count, (long long)s.min, (long long)s.max);
	/* A long jump: everything before is gone, though most slots are not reused. */
	lat_window_record(w, 1000, 77);
	s = summary_of(w, 1000, 60);
	ck_assert_msg(s.count == 1 && s.min == 77 && s.max == 77,
	              "after jump to 1000: expected only 77, got count %llu min %lld max %lld",
	              (unsigned long long)s.count, (long long)s.min, (long long)s.max);
	s = summary_of(w, 1000, 1);
	ck_assert_msg(s.count == 1 && s.max == 77, "1 s view after jump: expected 77");
	/* Keep going: slots reused after the jump hold only their new second. */
	for (int64_t t = 1001; t < 1070; t++)
		lat_window_record(w, t, 1);
	s = summary_of(w, 1069, 60);
	ck_assert_msg(s.count == 60 && s.max == 1,
	              "at 1069: expected 60 samples of 1, got %llu max %lld",
	              (unsigned long long)s.count, (long long)s.max);
	lat_window_destroy(w);
}
END_TEST

START_TEST(clock_stepping_back_counts_in_newest_second)
{
	struct lat_window *w = lat_window_create();
	struct lat_summary s;

	lat_window_record(w, 100, 1);
	lat_window_record(w, 40, 2); /* same slot as 100, older second */
	s = summary_of(w, 100, 1);
	ck_assert_msg(s.count == 2 && s.max == 2, "expected both in second 100, got %llu max %lld",
	              (unsigned long long)s.count, (long long)s.max);
	lat_window_destroy(w);
}
END_TEST

START_TEST(window_reset_empties_everything)
{
	struct lat_window *w = lat_window_create();

	for (int64_t t = 0; t < 30; t++)
		lat_window_record(w, t, t);
	lat_window_reset(w);
	ck_assert_uint_eq(summary_of(w, 29, 60).count, 0);
	ck_assert_uint_eq(summary_of(w, 29, 1).count, 0);
	/* Time may restart lower after a reset. */
	lat_window_record(w, 3, 8);
	ck_assert_uint_eq(summary_of(w, 3, 1).count, 1);
	lat_window_destroy(w);
}
END_TEST

START_TEST(rate_per_sec_uses_complete_seconds_only)
{
	struct rate r;

	rate_init(&r);
	for (int64_t t = 10; t < 20; t++)
		rate_add(&r, t, t); /* second t holds t events */
	rate_add(&r, 20, 1000);     /* current, incomplete second */
	ck_assert_msg(rate_per_sec(&r, 20, 1) == 19.0, "1 s: expected 19, got %g",
	              rate_per_sec(&r, 20, 1));
	/* 10..19 sum to 145 over 10 seconds. */
	ck_assert_msg(rate_per_sec(&r, 20, 10) == 14.5, "10 s: expected 14.5, got %g",
	              rate_per_sec(&r, 20, 10));
	ck_assert_msg(rate_per_sec(&r, 20, 59) == 145.0 / 59, "59 s: expected %g, got %g",
	              145.0 / 59, rate_per_sec(&r, 20, 59));
	ck_assert_msg(rate_per_sec(&r, 20, 60) == 145.0 / 59, "60 s is clamped to 59: got %g",
	              rate_per_sec(&r, 20, 60));
	ck_assert_uint_eq(r.total, 145 + 1000);
}
END_TEST

START_TEST(rate_saturates_instead_of_overflowing)
{
	/* A size of "9223372036854.775807" is a valid micro-share count; three trades of
	 * it in one second once showed a notional of $-4.61T. */
	struct rate r;
	rate_init(&r);
	rate_add(&r, 50, INT64_MAX);
	rate_add(&r, 50, INT64_MAX);
	rate_add(&r, 51, INT64_MAX);
	ck_assert_int_eq(rate_sum(&r, 51, 1), INT64_MAX);
	ck_assert_int_eq(rate_sum(&r, 51, 2), INT64_MAX);
	ck_assert_uint_eq(r.total, UINT64_MAX);
	ck_assert(rate_per_sec(&r, 52, 2) > 0);
}
END_TEST

START_TEST(rate_sum_includes_current_second)
{
	struct rate r;

	rate_init(&r);
	rate_add(&r, 50, 3);
	rate_add(&r, 50, 4);
	rate_add(&r, 51, 10);
	ck_assert_int_eq(rate_sum(&r, 51, 1), 10);
	ck_assert_int_eq(rate_sum(&r, 51, 2), 17);
	ck_assert_int_eq(rate_sum(&r, 51, 60), 17);
	ck_assert_int_eq(rate_sum(&r, 52, 1), 0);
}
END_TEST

START_TEST(rate_forgets_after_60s_and_survives_time_jumps)
{
	struct rate r;

	rate_init(&r);
	for (int64_t t = 0; t < 60; t++)
		rate_add(&r, t, 1);
	ck_assert_int_eq(rate_sum(&r, 59, 60), 60);
	ck_assert_int_eq(rate_sum(&r, 60, 60), 59);
	rate_add(&r, 60, 5); /* reuses second 0's slot */
	ck_assert_int_eq(rate_sum(&r, 60, 60), 64);
	ck_assert_int_eq(rate_sum(&r, 60, 1), 5);
	rate_add(&r, 500, 2);
	ck_assert_int_eq(rate_sum(&r, 500, 60), 2);
	ck_assert_msg(rate_per_sec(&r, 501, 10) == 0.2, "expected 0.2/s, got %g",
	              rate_per_sec(&r, 501, 10));
	/* A late add for a second that has left the window only counts in the total. */
	rate_add(&r, 440, 9);
	ck_assert_int_eq(rate_sum(&r, 500, 60), 2);
	ck_assert_uint_eq(r.total, 60 + 5 + 2 + 9);
}
END_TEST

/* Resident bytes of this process, from /proc/self/statm. */
static long resident_bytes(void)
{
	long size = 0, pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld %ld", &size, &pages), 2);
	fclose(f);
	return pages * 4096;
}

START_TEST(windows_hold_only_the_pages_they_count_into)
{
	/* 52 windows (one per connection) once made 200 MiB resident: calloc handed back heap
	 * memory freed earlier and cleared every 70 KB histogram.  Dirty freed heap first, as
	 * a long run does, then count 60 s of narrow latencies into each window. */
	enum { DIRT = 600, WINDOWS = 10 };
	static void *dirt[DIRT];
	struct lat_window *w[WINDOWS];
	for (int i = 0; i < DIRT; i++) {
		dirt[i] = malloc(70000);
		ck_assert_ptr_nonnull(dirt[i]);
		memset(dirt[i], 0xa5, 70000);
	}
	void *guard = malloc(64); /* keeps the freed run from going back to the system */
	for (int i = 0; i < DIRT; i++)
		free(dirt[i]);
	long before = resident_bytes();
	for (int k = 0; k < WINDOWS; k++) {
		w[k] = lat_window_create();
		ck_assert_ptr_nonnull(w[k]);
		for (int64_t t = 0; t < 60; t++)
			for (int64_t v = 0; v < 100; v++)
				lat_window_record(w[k], t, v);
	}
	long grew = resident_bytes() - before;
	/* About 62 pages a window; a cleared window would be 4.2 MB. */
	ck_assert_msg(grew < 8L << 20, "%d windows made %ld KiB resident, expected < 8 MiB",
	              WINDOWS, grew >> 10);
	ck_assert_uint_eq(summary_of(w[0], 59, 60).count, 6000);
	for (int k = 0; k < WINDOWS; k++)
		lat_window_destroy(w[k]);
	free(guard);
}
END_TEST

START_TEST(rate_clears_the_seconds_it_skips)
{
	struct rate r;

	/* Five of these sit in every asset: 10,000 assets made it worth keeping small. */
	ck_assert_uint_le(sizeof(r), 496);
	rate_init(&r);
	rate_add(&r, 10, 5);
	rate_add(&r, 40, 3);
	ck_assert_int_eq(rate_sum(&r, 40, 60), 8);
	rate_add(&r, 75, 1); /* 16..75: second 10 has gone, 40 stays */
	ck_assert_int_eq(rate_sum(&r, 75, 60), 4);
	ck_assert_int_eq(rate_sum(&r, 75, 36), 4);
	ck_assert_int_eq(rate_sum(&r, 75, 35), 1);
	rate_add(&r, 70, 2); /* late but still in the window */
	ck_assert_int_eq(rate_sum(&r, 75, 60), 6);
	ck_assert_int_eq(rate_sum(&r, 75, 6), 3);
	ck_assert_msg(rate_per_sec(&r, 76, 10) == 0.3, "expected 0.3/s, got %g",
	              rate_per_sec(&r, 76, 10));
	/* Asked long after the last add: nothing is recent. */
	ck_assert_int_eq(rate_sum(&r, 200, 60), 0);
	ck_assert_msg(rate_per_sec(&r, 200, 59) == 0.0, "expected 0/s, got %g",
	              rate_per_sec(&r, 200, 59));
	ck_assert_uint_eq(r.total, 11);
}
END_TEST

START_TEST(recording_and_summaries_never_allocate)
{
#if ALLOC_COUNTING
	struct hist *h = hist_create();
	struct lat_window *w = lat_window_create();
	struct rate r;
	struct lat_summary s;
	unsigned long before;
	int64_t sink = 0;

	rate_init(&r);
	rng_state = 99;
	before = alloc_calls;
	for (int64_t i = 0; i < 300000; i++) {
		int64_t t = i / 1000 + (i > 200000 ? 5000 : 0); /* with a jump */
		int64_t x = draw((enum dist)(i % D_COUNT));
		hist_record(h, x);
		lat_window_record(w, t, x);
		rate_add(&r, t, 1);
		if (i % 1000 == 0) {
			lat_window_summary(w, t, 60, &s);
			lat_window_summary(w, t, 1, &s);
			sink += s.p99 + (int64_t)rate_per_sec(&r, t, 10) + rate_sum(&r, t, 60);
		}
	}
	sink += hist_quantile(h, 0.99);
	ck_assert_msg(alloc_calls == before, "expected no allocation, got %lu calls (sink %lld)",
	              alloc_calls - before, (long long)sink);
	lat_window_destroy(w);
	hist_destroy(h);
#else
	/* Under ASan the counting allocator is replaced; ASan checks the memory itself. */
	struct lat_window *w = lat_window_create();
	for (int64_t i = 0; i < 10000; i++)
		lat_window_record(w, i / 100, draw(D_PARETO));
	ck_assert_uint_eq(summary_of(w, 99, 60).count, 6000);
	lat_window_destroy(w);
#endif
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *hist = tcase_create("hist");
	TCase *win = tcase_create("window");
	TCase *rate = tcase_create("rate");

	tcase_add_test(hist, quantiles_match_sorted_reference_within_1_percent);
	tcase_add_test(hist, single_sample_is_every_quantile);
	tcase_add_test(hist, small_magnitudes_are_exact);
	tcase_add_test(hist, values_beyond_2_pow_40_keep_exact_min_max_and_counts);
	tcase_add_test(hist, empty_histogram_summary_is_zero);
	tcase_add_test(hist, hist_add_equals_recording_everything_in_one);
	tcase_add_test(hist, reset_histogram_forgets_old_samples);
	tcase_add_test(hist, recording_and_summaries_never_allocate);
	tcase_set_timeout(hist, 60);
	tcase_add_test(win, window_60s_keeps_59_seconds_back_and_drops_60);
	tcase_add_test(win, window_60s_matches_reference_of_recent_samples);
	tcase_add_test(win, window_1s_reports_current_second_only);
	tcase_add_test(win, window_1s_falls_back_to_previous_second_when_current_is_empty);
	tcase_add_test(win, time_jump_over_60s_clears_stale_slots);
	tcase_add_test(win, clock_stepping_back_counts_in_newest_second);
	tcase_add_test(win, window_reset_empties_everything);
	tcase_add_test(win, windows_hold_only_the_pages_they_count_into);
	tcase_add_test(rate, rate_per_sec_uses_complete_seconds_only);
	tcase_add_test(rate, rate_sum_includes_current_second);
	tcase_add_test(rate, rate_saturates_instead_of_overflowing);
	tcase_add_test(rate, rate_forgets_after_60s_and_survives_time_jumps);
	tcase_add_test(rate, rate_clears_the_seconds_it_skips);
	suite_add_tcase(s, hist);
	suite_add_tcase(s, win);
	suite_add_tcase(s, rate);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stats_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
