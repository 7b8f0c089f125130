/*
 * demo: the clobsim child behind --demo.  Starts clobsim on a free loopback port with a
 * dozen lively markets and an occasional fault, reads back its port and token list, and
 * makes sure it never outlives clobtop: demo_stop runs at exit (atexit, so die() and a
 * normal return both stop it), demo_kill is safe in a crash handler, and the child asks
 * the kernel for SIGTERM when clobtop dies any other way (PR_SET_PDEATHSIG, even SIGKILL).
 *
 * Never kills anything but the child it started, by PID.
 *
 * demo_start and demo_stop: main thread only (the death signal is tied to the thread
 * that forked, which must live as long as the process).  demo_kill: any context,
 * async-signal-safe.
 */
#ifndef CLOBTOP_DEMO_H
#define CLOBTOP_DEMO_H

#include <signal.h>
#include <stddef.h>

#include "assetlist.h"

struct demo_endpoints {
	char url[512];       /* ws://127.0.0.1:PORT/ws/market */
	char gamma_url[512]; /* http://127.0.0.1:PORT (clobsim answers Gamma requests) */
};

/* sim_path: the clobsim binary, or NULL for the one next to clobtop (then PATH).  When
 * assets is empty, clobsim's tokens and labels are added to it.  Gives up after 10 s or
 * as soon as *quit is set.  Returns 0, or -1 with a message in err (the child, if any,
 * is stopped). */
int demo_start(const char *sim_path, struct asset_list *assets, struct demo_endpoints *out,
               volatile sig_atomic_t *quit, char *err, size_t errlen);

/* SIGTERM, up to 1 s for it to exit, then SIGKILL; reaps it.  Idempotent. */
void demo_stop(void);

/* SIGTERM to the child without waiting: for fatal-signal handlers. */
void demo_kill(void);

#endif
