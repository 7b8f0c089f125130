/*
 * gamma_disc: discovery on the Gamma worker thread: pages through a listing (every
 * active market, an event's markets, a tag's markets) and sends the open markets back as
 * GAMMA_DISCOVER results; paces every Gamma request the worker makes.
 *
 * Paging: GET /markets?active=true&closed=false&limit=500&offset=O until a short page;
 * a tag is first resolved with GET /tags/slug/SLUG, then listed with &tag_id=ID; an event
 * is GET /events?slug=SLUG (one answer holds all its markets).  A page that fails
 * (transport error, 5xx, 429, malformed JSON) is fetched again after a back-off (0.5 s
 * doubling to 30 s, or the server's Retry-After), never skipped; each failure is reported
 * as a result with ok false, so the operator sees it.
 *
 * Pacing: at most cfg.rate requests in any 10.25 s (Gamma counts per 10 s; the quarter
 * second absorbs the time a request takes to arrive).
 *
 * Must never: skip a page, exceed the pace, or block the UI.  Gamma worker thread only.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "gamma_int.h"

#define PACE_WINDOW_NS (10 * NS_PER_S + 250 * NS_PER_MS)
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000
#define ESC_CAP        (3 * sizeof(((struct gamma_result *)0)->query)) /* an escaped slug */

bool gamma_sleep(struct gamma *g, long ms)
{
	int64_t until = clock_mono_ns() + ms * NS_PER_MS;
	while (!atomic_load(&g->stop)) {
		int64_t left = until - clock_mono_ns();
		if (left <= 0)
			return true;
		curl_multi_poll(g->multi, NULL, 0, (int)((left + NS_PER_MS - 1) / NS_PER_MS), NULL);
	}
	return false;
}

bool gamma_pace(struct gamma *g)
{
	size_t rate = g->cfg.rate;
	if (!rate)
		return true;
	if (g->nsent == rate) {
		int64_t wait = g->sent[g->sent_head] + PACE_WINDOW_NS - clock_mono_ns();
		if (wait > 0 && !gamma_sleep(g, (long)((wait + NS_PER_MS - 1) / NS_PER_MS)))
			return false;
		g->sent[g->sent_head] = clock_mono_ns();
		g->sent_head = (g->sent_head + 1) % rate;
	} else {
		g->sent[(g->sent_head + g->nsent++) % rate] = clock_mono_ns();
	}
	return true;
}

/* Sends what r holds (possibly no market: a progress report) and empties it. */
static void flush(struct gamma *g, struct gamma_result *r, bool more)
{
	r->more = more;
	r->total += r->nmarkets;
	gamma_send_result(g, r);
	r->nmarkets = 0;
	r->error[0] = '\0';
	r->ok = true;
}

/* GET path until it is answered (404 gives *root NULL).  False when stopping. */
static bool fetch_retry(struct gamma *g, struct gamma_result *r, const char *path, json_t **root)
{
	long backoff = BACKOFF_MIN_MS;
	for (;;) {
		bool stopped = false;
		if (gamma_fetch_json(g, r, path, root, &stopped))
			return true;
		if (stopped)
			return false;
		long wait = g->retry_after > 0 ? g->retry_after * 1000 : backoff;
		char why[sizeof(r->error)];
		snprintf(why, sizeof(why), "%s", r->error);
		snprintf(r->error, sizeof(r->error), "page %u: %.140s; retrying in %.1f s",
		         r->page + 1, why, (double)wait / 1000.0);
		r->ok = false;
		r->retries++;
		flush(g, r, true);
		if (!gamma_sleep(g, wait))
			return false;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
}

/* Adds the open markets of an answer (markets, or events holding markets); returns how
 * many entries the top-level array had. */
static size_t take(struct gamma *g, struct gamma_result *r, json_t *v, int depth)
{
	size_t i, n = 0;
	json_t *e;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			take(g, r, e, depth + 1);
			n++;
		}
	} else if (gamma_is_market(v)) {
		struct gamma_market m;
		gamma_market_parse(v, &m);
		if (m.closed || m.ntokens == 0)
			return 0;
		if (r->nmarkets == GAMMA_MAX_MARKETS)
			flush(g, r, true);
		r->markets[r->nmarkets++] = m;
	} else if (json_is_object(v) && depth < 2) {
		take(g, r, json_object_get(v, "markets"), depth + 1);
	}
	return n;
}

/* The tag's numeric id into id, "" when Gamma has no such tag.  False when stopping. */
static bool tag_id(struct gamma *g, struct gamma_result *r, const char *esc, char *id, size_t cap)
{
	char path[ESC_CAP + 16];
	json_t *root;
	snprintf(path, sizeof(path), "/tags/slug/%s", esc);
	if (!fetch_retry(g, r, path, &root))
		return false;
	json_t *v = json_object_get(root, "id");
	char num[32] = "";
	if (json_is_integer(v))
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(num, sizeof(num), "%.30s", json_string_value(v));
	json_decref(root);
	id[0] = '\0';
	if (num[0] && strspn(num, "0123456789") == strlen(num))
		snprintf(id, cap, "%s", num);
	return true;
}

bool gamma_disc_run(struct gamma *g, struct gamma_result *r)
{
	char scope = r->query[0], esc[ESC_CAP], base[ESC_CAP + 64];
	if (!gamma_escape(g, esc, sizeof(esc), r->query + 1)) {
		snprintf(r->error, sizeof(r->error), "slug too long");
		r->ok = false;
		return true;
	}
	r->ok = true;
	if (scope == 'E') {
		snprintf(base, sizeof(base), "/events?slug=%s&closed=false", esc);
	} else if (scope == 'T') {
		char id[32];
		if (!tag_id(g, r, esc, id, sizeof(id)))
			return false;
		if (!id[0]) {
			snprintf(r->error, sizeof(r->error), "no tag with slug %.150s",
			         r->query + 1);
			r->ok = false;
			return true;
		}
		snprintf(base, sizeof(base), "/markets?active=true&closed=false&tag_id=%s", id);
	} else {
		snprintf(base, sizeof(base), "/markets?active=true&closed=false");
	}
	for (size_t offset = 0;;) {
		char path[sizeof(base) + 64];
		json_t *root;
		if (scope == 'E')
			snprintf(path, sizeof(path), "%s", base);
		else
			snprintf(path, sizeof(path), "%s&limit=%d&offset=%zu", base, GAMMA_PAGE,
			         offset);
		if (!fetch_retry(g, r, path, &root))
			return false;
		size_t n = take(g, r, root, 0);
		json_decref(root);
		r->page++;
		offset += n;
		if (scope == 'E' || n < GAMMA_PAGE)
			break;
		flush(g, r, true); /* progress: one result per page at least */
	}
	if (scope == 'E' && r->total + r->nmarkets == 0) {
		snprintf(r->error, sizeof(r->error), "no open market in event %.150s",
		         r->query + 1);
		r->ok = false;
	}
	r->more = false;
	return true;
}
