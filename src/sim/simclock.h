/*
 * simclock: the only clock clobsim and simload read, in one place.
 *
 * The same two calls as the core's clock module (monotonic and wall-clock time in
 * nanoseconds), kept private to the simulator until it links that module: switching is
 * a change to this file only.  Never used for anything but timestamps and pacing; any
 * thread may call it (clobsim has only one).
 */
#ifndef CLOBSIM_SIMCLOCK_H
#define CLOBSIM_SIMCLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t sim_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Monotonic ns, for pacing and deadlines. */
static inline int64_t sim_mono_ns(void)
{
	return sim_clock_ns(CLOCK_MONOTONIC);
}

/* Unix ms, the unit of the feed's timestamps. */
static inline int64_t sim_real_ms(void)
{
	return sim_clock_ns(CLOCK_REALTIME) / 1000000;
}

#endif
