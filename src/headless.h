/*
 * headless: clobtop without a screen.  Reads one command per line from standard input
 * (sub ID..., unsub ID..., resync ID, export [PATH], quit) and prints the --summary line
 * once a second.
 *
 * Standard input has one owner: when it carries the replay (--replay -), commands are
 * off and headless_init says so.  Never blocks: standard input is made non-blocking.
 *
 * Main (UI) thread only.
 */
#ifndef CLOBTOP_HEADLESS_H
#define CLOBTOP_HEADLESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

struct headless {
	bool open;      /* still reading commands from standard input */
	char buf[8192]; /* a partial command line */
	size_t len;     /* bytes in buf */
};

/* Takes standard input for commands unless the replay owns it. */
void headless_init(struct app *a);

/* Reads what standard input has (call when poll says it is readable) and runs each
 * complete line. */
void headless_read(struct app *a);

/* One status line on standard output: connection, rates, asset states, latencies. */
void headless_summary(struct app *a, int64_t now_mono_ns);

#endif
