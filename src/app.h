/*
 * app: the UI thread's side of clobtop once the options are known: opens the model and
 * the rings, starts the data source (live feed thread or replay thread), runs the loop
 * (drain the ring into the model, render or summarise once per refresh, act on keys or
 * standard-input commands, exports, metrics) and shuts everything down in order.
 *
 * Must never block on the feed and never hold a lock: the rings are the only state it
 * shares with the source thread.  Never exits the process: failures come back as
 * messages and exit statuses for main to act on.
 *
 * Every function here is called from the main (UI) thread only, except that a signal
 * handler may set app_quit.
 */
#ifndef CLOBTOP_APP_H
#define CLOBTOP_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "export.h"
#include "feed.h"
#include "gamma.h"
#include "headless.h"
#include "market.h"
#include "options.h"
#include "pool.h"
#include "replay.h"
#include "ring.h"
#include "ui/ui.h"

/* Set by SIGINT/SIGTERM/SIGHUP handlers and the headless "quit" command: the loop ends
 * at its next wake-up. */
extern volatile sig_atomic_t app_quit;

struct app {
	struct options *o;     /* settings */
	struct market_state m; /* the model */
	struct ring *data;     /* feed -> UI */
	struct ring *cmd;      /* UI -> feed */
	struct pool *pool;     /* live: the shard pool of feed connections, or NULL */
	struct replay *replay; /* replay thread, or NULL */
	struct gamma *gamma;   /* metadata lookups, or NULL */
	struct discover *disc; /* --all-markets, --event, --tag, --follow-new (discover.h) */
	struct httpd *httpd;   /* --listen: the HTTP query API, or NULL */
	struct rest *rest;     /* the REST worker (app_rest.c), or NULL when off */
	struct recorder *rec;  /* --record, or NULL */
	struct ui *ui;         /* the screen, or NULL when headless */
	struct app_user *user; /* --user: the user channel (app_user.c), or NULL */
	struct headless in;    /* headless standard-input commands */
	struct app_redis *rd;  /* --redis, --on-alert, --depth-sizes (app_redis.h), or NULL */
	char url[512];         /* what we connect to */
	char gamma_url[512];   /* metadata base URL */
	char rec_error[300];   /* why the recording stopped, "" while it is fine */
	bool connected_once;   /* the feed reported CONNECTED at least once */
	bool labels_due;       /* assets were subscribed: look their labels up soon */
	bool stopped;          /* the source said it is finished */
	int exit_code;         /* what main returns (EXIT_*) */
};

/* Prepares a for o: URLs, model, rings, --record, Gamma.  Returns 0, or -1 with a
 * message in err (a is then safe to pass to app_close). */
int app_open(struct app *a, struct options *o, char *err, size_t errlen);

/* Starts the replay or feed thread.  Returns 0, or -1 with a message in err. */
int app_start_source(struct app *a, char *err, size_t errlen);

/* The loop: returns on app_quit, 'q', --duration, or the end of a headless replay. */
void app_run(struct app *a);

/* Stops the source, applies what is left, writes --export, closes everything and
 * reports (on stderr, the screen being gone) what failed.  Returns the exit status. */
int app_close(struct app *a);

/* pool_apply_fn: records one frame (--record), notes and applies one record of pool
 * connection conn. */
void app_apply(void *ctx, size_t conn, const struct ring_rec *rec, int64_t now);

/* ui_hooks.reconnect_conn: force pool connection conn to reconnect now. */
bool app_reconnect_conn(void *ctx, size_t conn);

/* ui_hooks.command: queue a sub/unsub/resync for the feed.  False without a live feed. */
bool app_command(void *ctx, enum feed_op op, const char *ids);

/* Writes a snapshot to path, or into --export-dir when path is NULL; msg says where or
 * why not (and a failure is raised as an export alert). */
bool app_export(struct app *a, const char *path, char *msg, size_t cap);

/* ui_hooks.export_now: app_export into --export-dir. */
bool app_export_hook(void *ctx, char *msg, size_t cap);

#endif
