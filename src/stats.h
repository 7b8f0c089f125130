/*
 * stats: fixed-memory latency histograms and rate counters over sliding windows.
 *
 * A histogram is log-linear (HDR style): values are bucketed with a relative error of at
 * most 1/128 (< 1%), in memory fixed at init.  A window keeps one histogram per second
 * for the last 60 seconds, so summaries cover "the last second" and "the last minute".
 * Values are signed: a negative feed latency (local clock behind the exchange) is kept as
 * such and counted, never clamped to zero.  Recording never allocates and never locks;
 * everything here belongs to one thread.
 *
 * Decisions callers should know:
 *  - Magnitudes below 256 are exact; up to 2^40 a quantile is the midpoint of its bucket
 *    (within 1/256 of the true order statistic).  Magnitudes >= 2^40 share one overflow
 *    bucket whose quantiles read as +-2^40 (clamped to [min, max]); min and max stay exact.
 *  - hist_quantile(q) reports the sample of rank ceil(q * count); ranks 1 and count give
 *    min and max exactly.
 *  - lat_window_summary(secs = 1) reports the current second; when nothing has been
 *    recorded in it yet (just after the second turned), the previous second instead, so a
 *    1 Hz display does not blank out.  Older seconds never count.
 *  - secs = 60 covers now_s - 59 .. now_s.  Slots are cleared lazily: each remembers which
 *    second it holds, so summaries ignore stale ones however far time jumped.
 *  - now_s going backwards in lat_window_record counts the sample in the newest second.
 *  - Memory: a histogram is about 70 KB (8706 64-bit buckets) of address space; a window
 *    is 61 of them, mapped (not calloc'd, so never cleared in bulk): only the pages that
 *    samples land in become resident (a narrow latency range: a page per second).
 *  - A rate is 496 bytes (one slot per second and the newest second it holds); it is
 *    embedded five times in every asset, so it stays small.
 */
#ifndef CLOBTOP_STATS_H
#define CLOBTOP_STATS_H

#include <stdint.h>

#define STATS_WINDOW_SECS 60

struct hist; /* one histogram, opaque */

struct lat_summary {
	uint64_t count;    /* samples in the window */
	uint64_t negative; /* of which below zero */
	int64_t min;       /* smallest sample, 0 when count == 0 */
	int64_t p50;       /* percentiles, within 1% of the exact value */
	int64_t p95;
	int64_t p99;
	int64_t max; /* largest sample, exact */
};

struct lat_window; /* 60 one-second histograms plus a merged view */

/* Returns NULL on allocation failure. The unit is the caller's (ms, us, ...). */
struct lat_window *lat_window_create(void);
void lat_window_destroy(struct lat_window *w);
/* now_s: a monotonic second counter; the window rotates as it advances. */
void lat_window_record(struct lat_window *w, int64_t now_s, int64_t value);
/* secs: 1 for the last (completed or current) second, 60 for the last minute.
 * The current, still-filling second is included. */
void lat_window_summary(struct lat_window *w, int64_t now_s, int secs, struct lat_summary *out);
void lat_window_reset(struct lat_window *w);

/* Plain histogram, exposed for tests and benchmarks. */
struct hist *hist_create(void);
void hist_destroy(struct hist *h);
void hist_record(struct hist *h, int64_t value);
void hist_add(struct hist *dst, const struct hist *src);
void hist_reset(struct hist *h);
void hist_summary(const struct hist *h, struct lat_summary *out);
/* Value at quantile q (0..1], within 1%. */
int64_t hist_quantile(const struct hist *h, double q);

/* Event and byte rates per second over the last 60 seconds. */
struct rate {
	int64_t sec[STATS_WINDOW_SECS]; /* count in each of latest - 59 .. latest, by now_s % 60 */
	int64_t latest;                 /* newest second added to, INT64_MIN before the first */
	uint64_t total;                 /* since start */
};
void rate_init(struct rate *r);
void rate_add(struct rate *r, int64_t now_s, int64_t n);
/* Count over the last `secs` complete seconds divided by secs (per second). When
 * secs == 1 this is the previous full second.  secs is clamped to 1..59: the slot of the
 * second 60 s back is the one the current second reuses.  n < 0 is ignored. */
double rate_per_sec(const struct rate *r, int64_t now_s, int secs);
/* Sum over the last secs seconds including the current one. */
int64_t rate_sum(const struct rate *r, int64_t now_s, int secs);

#endif
