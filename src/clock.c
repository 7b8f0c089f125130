/* clock: see clock.h. */
#include <errno.h>
#include <time.h>

#include "clock.h"

static int64_t read_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

int64_t clock_mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

int64_t clock_real_ns(void)
{
	return read_ns(CLOCK_REALTIME);
}

void clock_sleep_ns(int64_t ns)
{
	if (ns <= 0)
		return;
	struct timespec ts = {.tv_sec = ns / NS_PER_S, .tv_nsec = ns % NS_PER_S};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
