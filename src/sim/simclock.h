/*
 * simclock: the clock calls clobsim and simload use, on top of the core's clock module
 * (src/clock.h), in the units the simulator thinks in.  Never used for anything but
 * timestamps and pacing; any thread may call it (clobsim has only one).
 */
#ifndef CLOBSIM_SIMCLOCK_H
#define CLOBSIM_SIMCLOCK_H

#include <stdint.h>

#include "clock.h"

/* Monotonic ns, for pacing and deadlines. */
static inline int64_t sim_mono_ns(void)
{
	return clock_mono_ns();
}

/* Unix ms, the unit of the feed's timestamps. */
static inline int64_t sim_real_ms(void)
{
	return clock_real_ns() / NS_PER_MS;
}

#endif
