/*
 * discover: discovery on the UI thread (see discover.h).  Main (UI) thread only.
 */
#include "discover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "mem.h"
#include "proto.h"

#define IDS_PER_COMMAND 256 /* ids per subscribe command (the feed splits by --batch) */

struct drop {
	char id[TOKEN_ID_SIZE]; /* token of a resolved market */
	int64_t due;            /* monotonic ns it is dropped at */
};

struct discover {
	unsigned running;      /* discovery queries not finished */
	size_t markets;        /* open markets received */
	size_t tokens;         /* tokens newly subscribed by discovery */
	size_t dups;           /* tokens received that were already known */
	int64_t t0;            /* monotonic ns discovery started */
	char *pend;            /* space-separated ids waiting for the command ring */
	size_t plen, pcap;     /* bytes used and allocated in pend */
	size_t pn;             /* ids in pend */
	size_t slug_markets;   /* 'a' prompt: markets of the answer so far */
	size_t slug_added;     /* 'a' prompt: assets subscribed so far */
	struct drop *drops;    /* resolved tokens waiting out the grace */
	size_t ndrops, cdrops; /* used and allocated */
};

bool discover_wanted(const struct discover_options *d)
{
	return d->all || d->nevents || d->ntags || d->follow_new;
}

static void pend_add(struct discover *d, const char *id)
{
	size_t l = strlen(id);
	if (!mem_grow((void **)&d->pend, &d->pcap, d->plen + l + 2, 1, 4096))
		return;
	if (d->plen)
		d->pend[d->plen++] = ' ';
	memcpy(d->pend + d->plen, id, l + 1);
	d->plen += l;
	d->pn++;
}

/* Subscribes the waiting ids, IDS_PER_COMMAND per command, until the ring is full. */
static void pend_flush(struct app *a, struct discover *d)
{
	size_t off = 0;
	if (!d->pend)
		return;
	while (off < d->plen && a->pool) {
		size_t end = off, n = 0;
		while (end < d->plen && n < IDS_PER_COMMAND) {
			end += strcspn(d->pend + end, " ");
			n++;
			if (n < IDS_PER_COMMAND && end < d->plen)
				end++;
		}
		char keep = d->pend[end];
		d->pend[end] = '\0';
		bool ok = app_command(a, FEED_SUB, d->pend + off);
		d->pend[end] = keep;
		if (!ok)
			break;
		off = end < d->plen ? end + 1 : end;
		d->pn -= n;
	}
	memmove(d->pend, d->pend + off, d->plen - off + 1);
	d->plen -= off;
}

/* A new token: added to the model (which de-duplicates) and queued for subscription.
 * False when it was known already. */
static bool add_token(struct app *a, const char *id)
{
	if (market_find(&a->m, id, strlen(id)))
		return false;
	if (!market_add(&a->m, id, NULL))
		return false;
	pend_add(a->disc, id);
	return true;
}

void discover_apply(struct app *a, const struct gamma_result *r)
{
	struct discover *d = a->disc;
	if (!d)
		return;
	for (size_t i = 0; i < r->nmarkets; i++) {
		const struct gamma_market *g = &r->markets[i];
		d->markets++;
		for (size_t k = 0; k < g->ntokens; k++) {
			if (!g->token[k][0])
				continue;
			if (add_token(a, g->token[k]))
				d->tokens++;
			else
				d->dups++;
			market_set_info(&a->m, g->token[k], g->question, g->outcome[k],
			                g->condition_id, g->tick);
		}
	}
	if (d->pn >= IDS_PER_COMMAND || !r->more)
		pend_flush(a, d); /* the rest goes at the end of the query or the next tick */
	const char *what = r->query[0] == 'E' ? "event " : r->query[0] == 'T' ? "tag " : "";
	const char *name = r->query[0] == 'A' ? "all markets" : r->query + 1;
	if (!r->ok && r->error[0])
		market_alert(&a->m, ALERT_INFO, NULL, "discovery of %s%s: %s", what, name,
		             r->error);
	if (!r->more && d->running && --d->running == 0) {
		double s = (double)(clock_mono_ns() - d->t0) / 1e9;
		market_alert(
		    &a->m, ALERT_INFO, NULL,
		    "discovery done: %zu markets, %zu tokens subscribed (%zu known) in %.1f s",
		    d->markets, d->tokens, d->dups, s);
		if (a->o->headless)
			fprintf(stderr,
			        "clobtop: discovery done: %zu markets, %zu tokens in %.2f s\n",
			        d->markets, d->tokens, s);
	}
	if (a->ui)
		ui_status(a->ui, "%s: page %u, %zu tokens%s%s",
		          d->running ? "discovering" : "discovered", r->page, d->tokens,
		          r->ok ? "" : " - ", r->ok ? "" : r->error);
}

bool discover_slug_chunk(struct app *a, const struct gamma_result *r, size_t added, size_t *markets,
                         size_t *assets)
{
	struct discover *d = a->disc;
	if (!d) {
		*markets = r->nmarkets;
		*assets = added;
		return true;
	}
	d->slug_markets += r->nmarkets;
	d->slug_added += added;
	if (r->more)
		return false;
	*markets = d->slug_markets;
	*assets = d->slug_added;
	d->slug_markets = d->slug_added = 0;
	return true;
}

static bool id_ok(const struct ev_str *s)
{
	if (!s->s || s->len == 0 || s->len > TOKEN_ID_MAX)
		return false;
	for (size_t i = 0; i < s->len; i++)
		if (s->s[i] < '0' || s->s[i] > '9')
			return false;
	return true;
}

/* market.c's info hook: new_market subscribes (--follow-new), market_resolved schedules
 * the drop.  Ids are checked to be decimal before they go anywhere. */
static void on_info(void *ctx, const struct event *ev)
{
	struct app *a = ctx;
	struct discover *d = a->disc;
	size_t added = 0;
	for (size_t i = 0; i < ev->info.nassets; i++) {
		char id[TOKEN_ID_SIZE];
		if (!id_ok(&ev->info.assets[i]))
			continue;
		memcpy(id, ev->info.assets[i].s, ev->info.assets[i].len);
		id[ev->info.assets[i].len] = '\0';
		if (ev->kind == EV_MARKET_INFO && a->o->disc.follow_new) {
			added += add_token(a, id);
		} else if (ev->kind == EV_RESOLVED) {
			const struct asset *as = market_find(&a->m, id, strlen(id));
			if (!as || as->resolved || !as->subscribed ||
			    !mem_grow((void **)&d->drops, &d->cdrops, d->ndrops + 1,
			              sizeof(*d->drops), 16))
				continue;
			struct drop *dr = &d->drops[d->ndrops++];
			memcpy(dr->id, id, sizeof(id));
			dr->due = clock_mono_ns() + a->o->disc.resolved_grace_ms * NS_PER_MS;
		}
	}
	if (added)
		market_alert(&a->m, ALERT_INFO, NULL, "new market: %zu token%s subscribed (%s)",
		             added, added == 1 ? "" : "s", "--follow-new");
}

void discover_tick(struct app *a, int64_t now)
{
	struct discover *d = a->disc;
	if (!d)
		return;
	if (d->pn && (d->pn >= IDS_PER_COMMAND || !d->running))
		pend_flush(a, d);
	size_t kept = 0, dropped = 0;
	for (size_t i = 0; i < d->ndrops; i++) {
		if (d->drops[i].due > now) {
			d->drops[kept++] = d->drops[i];
			continue;
		}
		if (!app_command(a, FEED_UNSUB, d->drops[i].id)) {
			d->drops[kept++] = d->drops[i]; /* the ring is full: next tick */
			continue;
		}
		market_remove(&a->m, d->drops[i].id);
		dropped++;
	}
	d->ndrops = kept;
	if (dropped)
		market_alert(
		    &a->m, ALERT_RESOLVED, NULL,
		    "resolved market dropped after the %g s grace: %zu token%s unsubscribed",
		    (double)a->o->disc.resolved_grace_ms / 1000.0, dropped,
		    dropped == 1 ? "" : "s");
}

int discover_start(struct app *a)
{
	const struct discover_options *o = &a->o->disc;
	struct discover *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	a->disc = d;
	d->t0 = clock_mono_ns();
	if (discover_wanted(o))
		market_set_info_hook(&a->m, on_info, a);
	bool ok = true;
	if (o->all)
		ok = ok && gamma_discover(a->gamma, 'A', "") && ++d->running;
	for (size_t i = 0; i < o->nevents; i++)
		ok = ok && gamma_discover(a->gamma, 'E', o->events[i]) && ++d->running;
	for (size_t i = 0; i < o->ntags; i++)
		ok = ok && gamma_discover(a->gamma, 'T', o->tags[i]) && ++d->running;
	if (!ok)
		market_alert(&a->m, ALERT_INFO, NULL, "discovery: too many queries queued at once");
	else if (d->running)
		market_alert(&a->m, ALERT_INFO, NULL, "discovery started (%u quer%s)", d->running,
		             d->running == 1 ? "y" : "ies");
	return 0;
}

void discover_close(struct app *a)
{
	if (!a->disc)
		return;
	free(a->disc->pend);
	free(a->disc->drops);
	free(a->disc);
	a->disc = NULL;
}
