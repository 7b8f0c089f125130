/*
 * stats: fixed-memory log-linear latency histograms, a 60-second window of them, and
 * per-second rate counters.
 *
 * Bucketing (per sign): magnitudes 0..255 have a bucket each (exact); above that every
 * power of two [2^e, 2^(e+1)) is split into 128 equal sub-buckets, so a bucket is at most
 * 1/128 of its lower bound wide and its midpoint is within 1/256 of any value in it.
 * Magnitudes from 2^40 up share one overflow bucket.  Negative values use a mirror of the
 * same buckets; all buckets sit in one array ordered by value, so a quantile is a single
 * scan.  Each histogram remembers its lowest and highest non-empty bucket, so reset, merge
 * and quantile touch only the part in use.
 *
 * Memory: the bucket arrays come straight from mmap (zero pages, never memset), so only
 * the pages a histogram has actually counted into become resident: a window of 61
 * histograms is 4 MiB of address space but, for latencies within one power of two or
 * so, about 61 pages of memory.  (calloc could hand back reused heap memory and clear
 * all of it: 52 windows once made 200 MiB resident.)  The counters of a window's
 * histograms live in the window itself, away from the buckets.
 *
 * Must never: allocate or lock after create, clamp a negative sample, or lose min / max
 * (they are kept exactly, apart from the buckets).
 */
#include "stats.h"
#include "num.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HIST_EXACT    256u /* magnitudes below this have a bucket each */
#define HIST_SUB      128u /* sub-buckets per power of two above HIST_EXACT */
#define HIST_SUB_BITS 7    /* log2(HIST_SUB) */
#define HIST_TOP_EXP  40   /* magnitudes >= 2^40 go to the overflow bucket */
/* Exponents 8 .. HIST_TOP_EXP - 1 get HIST_SUB buckets each, plus the overflow bucket. */
#define HIST_MAG_BUCKETS (HIST_EXACT + (HIST_TOP_EXP - 8) * HIST_SUB + 1u)
#define HIST_BUCKETS     (2u * HIST_MAG_BUCKETS)
#define NO_STAMP         INT64_MIN

struct hist {
	uint64_t count;    /* samples */
	uint64_t negative; /* samples below zero */
	int64_t min;       /* smallest sample, caller's unit; valid when count > 0 */
	int64_t max;       /* largest sample, caller's unit; valid when count > 0 */
	uint32_t lo;       /* lowest non-empty bucket index; HIST_BUCKETS when empty */
	uint32_t hi;       /* highest non-empty bucket index; 0 when empty */
	uint64_t *bucket;  /* HIST_BUCKETS samples per bucket, negatives first, by value */
};

#define HIST_BYTES (HIST_BUCKETS * sizeof(uint64_t))

struct lat_window {
	struct hist slot[STATS_WINDOW_SECS]; /* one histogram per second, by now_s mod 60 */
	int64_t stamp[STATS_WINDOW_SECS];    /* the now_s each slot holds; NO_STAMP if none */
	int64_t latest;                      /* newest now_s recorded, s; NO_STAMP if none */
	struct hist merged;                  /* scratch for multi-second summaries */
	uint64_t *buckets;                   /* all 61 bucket arrays, one mapping */
};

/* n zeroed bytes whose pages become resident only when written; NULL on failure. */
static uint64_t *buckets_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void buckets_unmap(uint64_t *b, size_t bytes)
{
	if (b)
		munmap(b, bytes);
}

static void hist_empty(struct hist *h)
{
	h->count = 0;
	h->negative = 0;
	h->min = 0;
	h->max = 0;
	h->lo = HIST_BUCKETS;
	h->hi = 0;
}

static uint32_t mag_index(uint64_t m)
{
	unsigned e;

	if (m < HIST_EXACT)
		return (uint32_t)m;
	e = 63u - (unsigned)__builtin_clzll(m);
	if (e >= HIST_TOP_EXP)
		return HIST_MAG_BUCKETS - 1;
	/* m >> (e - 7) lies in [128, 256): its low 7 bits pick the sub-bucket. */
	return HIST_EXACT + (e - 8u) * HIST_SUB + (uint32_t)((m >> (e - HIST_SUB_BITS)) - HIST_SUB);
}

/* The magnitude a bucket stands for: its midpoint, or its lower bound for the overflow
 * bucket (which has no upper bound). */
static uint64_t mag_value(uint32_t idx)
{
	uint32_t g, sub;
	unsigned shift;

	if (idx < HIST_EXACT)
		return idx;
	if (idx == HIST_MAG_BUCKETS - 1)
		return (uint64_t)1 << HIST_TOP_EXP;
	g = (idx - HIST_EXACT) / HIST_SUB;
	sub = (idx - HIST_EXACT) % HIST_SUB;
	shift = g + 8u - HIST_SUB_BITS;
	return ((uint64_t)(HIST_SUB + sub) << shift) + ((uint64_t)1 << shift) / 2;
}

static uint32_t value_index(int64_t v)
{
	if (v >= 0)
		return HIST_MAG_BUCKETS + mag_index((uint64_t)v);
	/* 0 - (uint64_t)v is |v| even for INT64_MIN. */
	return HIST_MAG_BUCKETS - 1 - mag_index((uint64_t)0 - (uint64_t)v);
}

static int64_t index_value(uint32_t idx)
{
	if (idx >= HIST_MAG_BUCKETS)
		return (int64_t)mag_value(idx - HIST_MAG_BUCKETS);
	return -(int64_t)mag_value(HIST_MAG_BUCKETS - 1 - idx);
}

struct hist *hist_create(void)
{
	struct hist *h = malloc(sizeof(*h));

	if (!h)
		return NULL;
	h->bucket = buckets_map(HIST_BYTES);
	if (!h->bucket) {
		free(h);
		return NULL;
	}
	hist_empty(h);
	return h;
}

void hist_destroy(struct hist *h)
{
	if (!h)
		return;
	buckets_unmap(h->bucket, HIST_BYTES);
	free(h);
}

void hist_reset(struct hist *h)
{
	if (h->count > 0)
		memset(&h->bucket[h->lo], 0, (h->hi - h->lo + 1u) * sizeof(h->bucket[0]));
	hist_empty(h);
}

void hist_record(struct hist *h, int64_t value)
{
	uint32_t idx = value_index(value);

	h->bucket[idx]++;
	if (h->count == 0 || value < h->min)
		h->min = value;
	if (h->count == 0 || value > h->max)
		h->max = value;
	if (idx < h->lo)
		h->lo = idx;
	if (idx > h->hi)
		h->hi = idx;
	h->count++;
	if (value < 0)
		h->negative++;
}

void hist_add(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	for (uint32_t i = src->lo; i <= src->hi; i++)
		dst->bucket[i] += src->bucket[i];
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	if (src->lo < dst->lo)
		dst->lo = src->lo;
	if (src->hi > dst->hi)
		dst->hi = src->hi;
	dst->count += src->count;
	dst->negative += src->negative;
}

/* The rank ceil(q * count), in 1..count.  The small relative nudge keeps q * count that
 * should be an integer (0.95 * 100 = 95.00000000000001) from rounding up a rank. */
static uint64_t quantile_rank(double q, uint64_t count)
{
	double x = q * (double)count;
	double r = ceil(x - x * 1e-12);

	if (!(r >= 1.0))
		return 1;
	if (r >= (double)count)
		return count;
	return (uint64_t)r;
}

int64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	int64_t v;

	if (h->count == 0)
		return 0;
	rank = quantile_rank(q, h->count);
	if (rank == 1)
		return h->min;
	if (rank == h->count)
		return h->max;
	for (uint32_t i = h->lo; i <= h->hi; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			v = index_value(i);
			/* The true value lies in this bucket and within [min, max]. */
			if (v < h->min)
				return h->min;
			if (v > h->max)
				return h->max;
			return v;
		}
	}
	return h->max;
}

void hist_summary(const struct hist *h, struct lat_summary *out)
{
	memset(out, 0, sizeof(*out));
	if (h->count == 0)
		return;
	out->count = h->count;
	out->negative = h->negative;
	out->min = h->min;
	out->max = h->max;
	out->p50 = hist_quantile(h, 0.50);
	out->p95 = hist_quantile(h, 0.95);
	out->p99 = hist_quantile(h, 0.99);
}

/* now_s mod 60, also for negative counters. */
static int slot_of(int64_t now_s)
{
	int64_t s = now_s % STATS_WINDOW_SECS;

	return (int)(s < 0 ? s + STATS_WINDOW_SECS : s);
}

static int clamp_secs(int secs, int hi)
{
	if (secs < 1)
		return 1;
	return secs > hi ? hi : secs;
}

struct lat_window *lat_window_create(void)
{
	struct lat_window *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->buckets = buckets_map((STATS_WINDOW_SECS + 1) * HIST_BYTES);
	if (!w->buckets) {
		free(w);
		return NULL;
	}
	for (int i = 0; i < STATS_WINDOW_SECS; i++)
		w->slot[i].bucket = w->buckets + (size_t)i * HIST_BUCKETS;
	w->merged.bucket = w->buckets + (size_t)STATS_WINDOW_SECS * HIST_BUCKETS;
	lat_window_reset(w);
	return w;
}

void lat_window_destroy(struct lat_window *w)
{
	if (!w)
		return;
	buckets_unmap(w->buckets, (STATS_WINDOW_SECS + 1) * HIST_BYTES);
	free(w);
}

void lat_window_reset(struct lat_window *w)
{
	for (int i = 0; i < STATS_WINDOW_SECS; i++) {
		hist_reset(&w->slot[i]);
		w->stamp[i] = NO_STAMP;
	}
	hist_reset(&w->merged);
	w->latest = NO_STAMP;
}

void lat_window_record(struct lat_window *w, int64_t now_s, int64_t value)
{
	int s;

	/* A clock that steps back must not write into a slot that holds a newer second. */
	if (now_s < w->latest)
		now_s = w->latest;
	s = slot_of(now_s);
	if (w->stamp[s] != now_s) {
		/* Whatever the slot held is at least 60 s old, however far time jumped. */
		hist_reset(&w->slot[s]);
		w->stamp[s] = now_s;
	}
	hist_record(&w->slot[s], value);
	w->latest = now_s;
}

/* The histogram of second t, or NULL when none was recorded then. */
static const struct hist *window_second(const struct lat_window *w, int64_t t)
{
	int s = slot_of(t);

	if (w->stamp[s] != t || w->slot[s].count == 0)
		return NULL;
	return &w->slot[s];
}

void lat_window_summary(struct lat_window *w, int64_t now_s, int secs, struct lat_summary *out)
{
	secs = clamp_secs(secs, STATS_WINDOW_SECS);
	if (secs == 1) {
		const struct hist *h = window_second(w, now_s);

		if (!h)
			h = window_second(w, now_s - 1);
		if (h)
			hist_summary(h, out);
		else
			memset(out, 0, sizeof(*out));
		return;
	}
	/* Merging on demand: each slot adds only its non-empty bucket range. */
	hist_reset(&w->merged);
	for (int i = 0; i < STATS_WINDOW_SECS; i++)
		if (w->stamp[i] != NO_STAMP && w->stamp[i] > now_s - secs && w->stamp[i] <= now_s)
			hist_add(&w->merged, &w->slot[i]);
	hist_summary(&w->merged, out);
}

void rate_init(struct rate *r)
{
	memset(r, 0, sizeof(*r));
	r->latest = NO_STAMP;
}

void rate_add(struct rate *r, int64_t now_s, int64_t n)
{
	if (n < 0)
		return;
	r->total = r->total + (uint64_t)n < r->total ? UINT64_MAX : r->total + (uint64_t)n;
	if (r->latest == NO_STAMP || now_s - r->latest >= STATS_WINDOW_SECS) {
		memset(r->sec, 0, sizeof(r->sec)); /* whatever was held is 60 s old */
		r->latest = now_s;
	} else if (now_s > r->latest) {
		/* The seconds in between had nothing: their slots held the oldest ones. */
		while (r->latest < now_s)
			r->sec[slot_of(++r->latest)] = 0;
	} else if (now_s <= r->latest - STATS_WINDOW_SECS) {
		return; /* that second has left the window already; only the total keeps it */
	}
	r->sec[slot_of(now_s)] = num_sat_add(r->sec[slot_of(now_s)], n);
}

/* Sum of the seconds first..last inclusive that are still held: latest - 59 .. latest. */
static int64_t rate_span(const struct rate *r, int64_t first, int64_t last)
{
	int64_t sum = 0;

	if (r->latest == NO_STAMP)
		return 0;
	if (first < r->latest - (STATS_WINDOW_SECS - 1))
		first = r->latest - (STATS_WINDOW_SECS - 1);
	if (last > r->latest)
		last = r->latest;
	for (int64_t t = first; t <= last; t++)
		sum = num_sat_add(sum, r->sec[slot_of(t)]);
	return sum;
}

double rate_per_sec(const struct rate *r, int64_t now_s, int secs)
{
	/* At most 59: the slot of the second 60 s back is the current second's. */
	secs = clamp_secs(secs, STATS_WINDOW_SECS - 1);
	return (double)rate_span(r, now_s - secs, now_s - 1) / secs;
}

int64_t rate_sum(const struct rate *r, int64_t now_s, int secs)
{
	secs = clamp_secs(secs, STATS_WINDOW_SECS);
	return rate_span(r, now_s - secs + 1, now_s);
}
