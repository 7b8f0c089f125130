/*
 * clock: the two clocks clobtop reads, in nanoseconds, and the unit constants.
 *
 * CLOCK_REALTIME is only compared with the exchange's timestamps (feed latency) and shown
 * to the operator; every interval, timeout and age is measured on CLOCK_MONOTONIC.
 * Safe from any thread; never allocates.
 */
#ifndef CLOBTOP_CLOCK_H
#define CLOBTOP_CLOCK_H

#include <stdint.h>

#define NS_PER_US INT64_C(1000)
#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S  INT64_C(1000000000)

int64_t clock_mono_ns(void); /* CLOCK_MONOTONIC */
int64_t clock_real_ns(void); /* CLOCK_REALTIME, ns since the epoch */

/* Sleeps for ns nanoseconds (restarting after signals); ns <= 0 returns at once. */
void clock_sleep_ns(int64_t ns);

#endif
