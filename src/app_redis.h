/*
 * app_redis: the run loop's side of handing the books on: it watches the model after
 * records are applied and hands changed books (only those the model listed as changed,
 * market_dirty.h; conflated per asset per --redis-interval), every trade on the tape, and
 * once a second the cache key of every trusted book to the publisher thread (publish.h);
 * it hands new alert rows to the hook thread (hooks.h); it answers the headless "vwap"
 * command and fills the exporter's hand-on numbers.
 *
 * Trusted: a live connection (or a replay), a book since the last (re)subscription, and
 * the state fresh or quiet.  A changed book that is not trusted is still published on its
 * channel (its state says why) but its cache key is not rewritten, so it expires: an
 * expired key means clobtop no longer vouches for that book.
 *
 * Alerts reach hooks through a cursor over the model's alert rows (market_state.nalerts),
 * read after each drain, never from inside the model: one hook per alert row (a grouped
 * storm is one row, as on screen).
 *
 * Never blocks: the publisher and the hook runner have rings of their own, and a full
 * ring drops and counts.  Never prints the Redis password.  Main (UI) thread only.
 */
#ifndef CLOBTOP_APP_REDIS_H
#define CLOBTOP_APP_REDIS_H

#include <stddef.h>
#include <stdint.h>

struct app;
struct app_redis;
struct export_handon;

/* Starts the publisher and the hook runner as the options ask (a->redis stays NULL when
 * none of --redis, --on-alert, --depth-sizes was given).  0, or -1 with err. */
int app_redis_open(struct app *a, char *err, size_t errlen);
/* After each applied record: trades (and, with --redis-interval 0, changed books). */
void app_redis_record(struct app *a);
/* After each wake-up of the loop: conflated books, cache refresh, alerts to hooks, hook
 * results to the alert log, the status text. */
void app_redis_tick(struct app *a, int64_t now_mono_ns);
/* The earliest of wake and when app_redis_tick next has work. */
int64_t app_redis_wake(const struct app *a, int64_t wake);
/* The exporter's numbers, fresh, or NULL when nothing is configured. */
const struct export_handon *app_redis_export(struct app *a);
/* The headless command "vwap ID BUY|SELL SIZE": one JSON line on standard output. */
void app_redis_vwap(struct app *a, const char *args);
/* Publishes what is left, stops the threads, frees. */
void app_redis_close(struct app *a);

#endif
