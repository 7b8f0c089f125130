/*
 * app_user: the run loop's side of the user channel (--user): loads the credentials,
 * runs a second feed (feed.c, its own thread and rings) whose first frame is the auth
 * frame, keeps its markets equal to the condition ids of the subscribed assets, applies
 * its records to the user model, and stops after repeated authentication rejections
 * (until the operator presses R) so a bad key cannot cause a connection storm.
 *
 * Never prints, logs, records or exports a credential; the credentials are wiped at
 * close.  Main (UI) thread only.
 */
#ifndef CLOBTOP_APP_USER_H
#define CLOBTOP_APP_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

#define APP_USER_MAX_REJECTIONS 3 /* rejections in a row before giving up until R */

/* app_open: credentials, URL, model, rings (the feed starts once markets are known).
 * 0 when --user is off or all is well, else -1 with a message in err. */
int app_user_open(struct app *a, char *err, size_t errlen);
/* Every refresh: drain the user ring, follow the markets, stuck-trade alerts. */
void app_user_tick(struct app *a, int64_t now_mono_ns);
/* The operator's R: after a give-up, try again. */
void app_user_retry(struct app *a);
/* app_close, after the market feed stopped: stop the user feed, apply what is left. */
void app_user_stop(struct app *a);
/* app_close, after the exports: wipe the credentials, free everything. */
void app_user_free(struct app *a);

#endif
