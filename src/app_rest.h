/*
 * app_rest: the run loop's side of the REST truth: chooses the REST URL, starts and stops
 * the worker (rest.h), hands the model (market_rest.h) a way to ask for books, and drains
 * the worker's answers into the model on every wake-up.
 *
 * Must never block: the worker's rings are the only state it shares with that thread.
 * Main (UI) thread only.
 */
#ifndef CLOBTOP_APP_REST_H
#define CLOBTOP_APP_REST_H

#include <stddef.h>

struct app;

/* Starts the worker when REST is on for this source (live or demo).  0 (REST on or
 * off), or -1 with a message in err. */
int app_rest_start(struct app *a, char *err, size_t errlen);

/* The fd to poll for answers, or -1 when REST is off. */
int app_rest_fd(const struct app *a);

/* Applies every answer waiting and hands the model the worker's counters. */
void app_rest_drain(struct app *a);

/* Stops the worker (before the model is freed).  Idempotent. */
void app_rest_stop(struct app *a);

#endif
