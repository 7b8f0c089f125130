/*
 * discover: the UI thread's side of discovery.  Asks the Gamma worker for every active
 * market (--all-markets), an event's (--event) or a tag's (--tag) markets, subscribes the
 * tokens found (each once: the asset table de-duplicates) with their labels, shows the
 * progress ("discovering: page N, M tokens"), follows new_market announcements
 * (--follow-new) and drops a resolved market's tokens after --resolved-grace.
 *
 * Subscriptions go through the ordinary command path (app_command), a few hundred ids per
 * command, so the feed's --batch still bounds every frame; ids the command ring could not
 * take wait here and go at the next tick.  Never blocks and never talks to the network
 * itself.  Main (UI) thread only.
 */
#ifndef CLOBTOP_DISCOVER_H
#define CLOBTOP_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct discover; /* the UI-side state, in struct app */
struct gamma_result;

#define DISCOVER_MAX_SLUGS 32 /* --event, and --tag, given at most this often */

struct discover_options {
	bool all;                               /* --all-markets */
	const char *events[DISCOVER_MAX_SLUGS]; /* --event slugs (borrowed strings) */
	size_t nevents;                         /* in events */
	const char *tags[DISCOVER_MAX_SLUGS];   /* --tag slugs (borrowed strings) */
	size_t ntags;                           /* in tags */
	bool follow_new;                        /* --follow-new */
	int64_t resolved_grace_ms; /* --resolved-grace: keep a resolved market this long */
	int gamma_rate;            /* --gamma-rate: Gamma requests per 10 s, 0 = unpaced */
};

/* Any of --all-markets, --event, --tag or --follow-new. */
bool discover_wanted(const struct discover_options *d);

/* Starts what the options ask for (after the Gamma worker started).  0, or -1 when out
 * of memory. */
int discover_start(struct app *a);

/* A GAMMA_DISCOVER result: subscribe its new tokens, label them, show progress. */
void discover_apply(struct app *a, const struct gamma_result *r);

/* Counts a chunk of an 'a'-prompt slug answer; true (with the totals) on its last chunk. */
bool discover_slug_chunk(struct app *a, const struct gamma_result *r, size_t added, size_t *markets,
                         size_t *assets);

/* Sends waiting subscriptions and drops resolved markets whose grace has passed. */
void discover_tick(struct app *a, int64_t now_mono);

void discover_close(struct app *a);

#endif
