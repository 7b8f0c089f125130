/*
 * catalog: the Gamma-like listing service (see catalog.h).
 *
 * Events and tags are derived from the market index, so they cost nothing to build and
 * stay the same for a given --markets: market i belongs to event i / 4, and an event's
 * tag cycles through a short list.  Only visible markets are listed; an event is listed
 * while at least one of its markets is.  Never modifies the generator.
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rest.h"

static const struct {
	int id;
	const char *slug, *label;
} tags[] = {
    {2, "politics", "Politics"},
    {21, "crypto", "Crypto"},
    {1, "sports", "Sports"},
    {100328, "economy", "Economy"},
};
#define NTAGS ((int)(sizeof tags / sizeof tags[0]))

const char *catalog_tag_slug(int event)
{
	return tags[event % NTAGS].slug;
}

int catalog_tag_id(int event)
{
	return tags[event % NTAGS].id;
}

static int nevents(const struct gen *g)
{
	return (g->nmarkets + CATALOG_EVENT_MARKETS - 1) / CATALOG_EVENT_MARKETS;
}

static void event_slug(const struct gen *g, int e, char *dst, size_t cap)
{
	(void)g;
	snprintf(dst, cap, "clobsim-event-%d", e + 1);
}

static bool listed(const struct gen_market *m, bool include_closed)
{
	return m->visible && (include_closed || !m->closed);
}

static json_t *tag_json(int e)
{
	json_t *t = json_object();
	char id[16];
	snprintf(id, sizeof id, "%d", catalog_tag_id(e));
	json_object_set_new(t, "id", json_string(id));
	json_object_set_new(t, "label", json_string(tags[e % NTAGS].label));
	json_object_set_new(t, "slug", json_string(catalog_tag_slug(e)));
	return t;
}

/* The event's id, slug and title (and its tags) into o. */
static void event_head(const struct gen *g, int e, json_t *o)
{
	char slug[48], title[160];
	event_slug(g, e, slug, sizeof slug);
	snprintf(title, sizeof title, "Event %d: %s", e + 1,
	         g->m[e * CATALOG_EVENT_MARKETS].question);
	json_object_set_new(o, "id", json_string(g->m[e * CATALOG_EVENT_MARKETS].event_id));
	json_object_set_new(o, "slug", json_string(slug));
	json_object_set_new(o, "title", json_string(title));
	json_t *ts = json_array();
	json_array_append_new(ts, tag_json(e));
	json_object_set_new(o, "tags", ts);
}

/* A market as Gamma lists it, with its event (as /markets gives it). */
static json_t *market_full(const struct gen *g, int mi)
{
	json_t *o = rest_market_json(g, mi), *evs = json_array(), *ev = json_object();
	event_head(g, mi / CATALOG_EVENT_MARKETS, ev);
	json_array_append_new(evs, ev);
	json_object_set_new(o, "events", evs);
	return o;
}

/* The event with its listed markets, or NULL when none is listed. */
static json_t *event_json(const struct gen *g, int e, bool include_closed)
{
	json_t *ms = json_array();
	for (int i = e * CATALOG_EVENT_MARKETS;
	     i < (e + 1) * CATALOG_EVENT_MARKETS && i < g->nmarkets; i++)
		if (listed(&g->m[i], include_closed))
			json_array_append_new(ms, rest_market_json(g, i));
	if (json_array_size(ms) == 0) {
		json_decref(ms);
		return NULL;
	}
	json_t *o = json_object();
	event_head(g, e, o);
	json_object_set_new(o, "active", json_true());
	json_object_set_new(o, "closed", json_false());
	json_object_set_new(o, "markets", ms);
	return o;
}

static int dump(json_t *j, struct sbuf *b)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!s)
		return 500;
	sbuf_adds(b, s);
	free(s);
	return 200;
}

struct page {
	long limit;          /* entries per page; -1 = all */
	long offset;         /* entries skipped */
	bool include_closed; /* closed=true */
	int tag;             /* tag index to keep, -1 any */
	char slug[256];      /* slug= filter, "" none */
};

/* The tag index of a tag_id or tag_slug parameter: -1 when none given, NTAGS when unknown. */
static int tag_param(const char *target)
{
	char v[128];
	if (rest_query(target, "tag_id", v, sizeof v)) {
		for (int t = 0; t < NTAGS; t++)
			if (atoi(v) == tags[t].id)
				return t;
		return NTAGS;
	}
	if (rest_query(target, "tag_slug", v, sizeof v)) {
		for (int t = 0; t < NTAGS; t++)
			if (!strcmp(v, tags[t].slug))
				return t;
		return NTAGS;
	}
	return -1;
}

static void page_parse(const char *target, struct page *p)
{
	char v[64];
	memset(p, 0, sizeof *p);
	p->limit = -1;
	if (rest_query(target, "limit", v, sizeof v)) {
		p->limit = strtol(v, NULL, 10);
		if (p->limit < 0)
			p->limit = 0;
		if (p->limit > CATALOG_MAX_LIMIT)
			p->limit = CATALOG_MAX_LIMIT;
	}
	if (rest_query(target, "offset", v, sizeof v))
		p->offset = strtol(v, NULL, 10) > 0 ? strtol(v, NULL, 10) : 0;
	p->include_closed = rest_query(target, "closed", v, sizeof v) && !strcmp(v, "true");
	p->tag = tag_param(target);
	if (!rest_query(target, "slug", p->slug, sizeof p->slug))
		p->slug[0] = '\0';
}

/* GET /markets?limit&offset[&tag_id|tag_slug][&closed=true]: one page, in index order. */
static int list_markets(const struct gen *g, const struct page *p, struct sbuf *b)
{
	json_t *a = json_array();
	long seen = 0;
	for (int i = 0; i < g->nmarkets && (p->limit < 0 || (long)json_array_size(a) < p->limit);
	     i++) {
		if (!listed(&g->m[i], p->include_closed))
			continue;
		if (p->tag >= 0 && (i / CATALOG_EVENT_MARKETS) % NTAGS != p->tag)
			continue;
		if (seen++ < p->offset)
			continue;
		json_array_append_new(a, market_full(g, i));
	}
	return dump(a, b);
}

/* GET /events[?slug=S][&tag_id|tag_slug][&limit&offset]: events with their markets. */
static int list_events(const struct gen *g, const struct page *p, struct sbuf *b)
{
	json_t *a = json_array();
	long seen = 0;
	for (int e = 0; e < nevents(g) && (p->limit < 0 || (long)json_array_size(a) < p->limit);
	     e++) {
		char slug[48];
		event_slug(g, e, slug, sizeof slug);
		if ((p->slug[0] && strcmp(p->slug, slug)) || (p->tag >= 0 && e % NTAGS != p->tag))
			continue;
		json_t *ev = event_json(g, e, p->include_closed);
		if (!ev)
			continue;
		if (seen++ < p->offset) {
			json_decref(ev);
			continue;
		}
		json_array_append_new(a, ev);
	}
	return dump(a, b);
}

static int event_by_slug(const struct gen *g, const char *slug, struct sbuf *b)
{
	for (int e = 0; e < nevents(g); e++) {
		char s[48];
		event_slug(g, e, s, sizeof s);
		json_t *ev = strcmp(s, slug) ? NULL : event_json(g, e, true);
		if (ev)
			return dump(ev, b);
	}
	SBUF_LIT(b, "{\"type\":\"not found error\",\"error\":\"id not found\"}");
	return 404;
}

static int tag_by_slug(const char *slug, struct sbuf *b)
{
	for (int t = 0; t < NTAGS; t++)
		if (!strcmp(slug, tags[t].slug))
			return dump(tag_json(t), b);
	SBUF_LIT(b, "{\"type\":\"not found error\",\"error\":\"id not found\"}");
	return 404;
}

/* 429 when the window is full; else the request is counted and 0 returned. */
static int throttle(struct catalog *c, int64_t now, struct sbuf *b)
{
	c->requests++;
	if (now - c->window_start >= CATALOG_WINDOW_NS) {
		c->window_start = now;
		c->window_count = 0;
	}
	if (c->rate > 0 && c->window_count >= (uint64_t)c->rate) {
		int64_t left = c->window_start + CATALOG_WINDOW_NS - now;
		c->retry_after = (int)((left + 999999999) / 1000000000);
		if (c->retry_after < 1)
			c->retry_after = 1;
		snprintf(c->retry_hdr, sizeof c->retry_hdr, "Retry-After: %d\r\n", c->retry_after);
		c->throttled++;
		SBUF_LIT(b, "{\"error\":\"Too Many Requests\"}");
		return 429;
	}
	if (++c->window_count > c->window_max)
		c->window_max = c->window_count;
	return 0;
}

static int stats(const struct catalog *c, struct sbuf *b)
{
	char tmp[400];
	snprintf(tmp, sizeof tmp,
	         "{\"rate_limit\":%d,\"window_s\":10,\"requests\":%llu,\"pages\":%llu,"
	         "\"throttled\":%llu,\"failed\":%llu,\"fail_pending\":%llu,\"window_max\":%llu}\n",
	         c->rate, (unsigned long long)c->requests, (unsigned long long)c->pages,
	         (unsigned long long)c->throttled, (unsigned long long)c->failed,
	         (unsigned long long)c->fail_next, (unsigned long long)c->window_max);
	sbuf_adds(b, tmp);
	return 200;
}

static int fault_gamma500(struct catalog *c, const char *target, struct sbuf *b)
{
	char v[32], tmp[96];
	uint64_t n = rest_query(target, "count", v, sizeof v) ? strtoull(v, NULL, 10) : 1;
	c->fail_next += n;
	snprintf(tmp, sizeof tmp, "{\"ok\":true,\"kind\":\"gamma500\",\"targets\":%llu}\n",
	         (unsigned long long)n);
	sbuf_adds(b, tmp);
	return 200;
}

/* A listing page (not a lookup by id or slug) that the gamma500 fault fails. */
static bool fail_page(struct catalog *c, struct sbuf *b)
{
	if (!c->fail_next)
		return false;
	c->fail_next--;
	c->failed++;
	SBUF_LIT(b, "{\"error\":\"internal server error (clobsim fault gamma500)\"}");
	return true;
}

int catalog_route(struct catalog *c, const struct gen *g, const char *path, const char *target,
                  int64_t now, struct sbuf *b)
{
	char kind[32], arg[2048];
	if (!strcmp(path, "/stats/gamma"))
		return stats(c, b);
	if (!strcmp(path, "/fault") && rest_query(target, "kind", kind, sizeof kind) &&
	    !strcmp(kind, "gamma500"))
		return fault_gamma500(c, target, b);
	bool markets = !strcmp(path, "/markets"), events = !strcmp(path, "/events");
	bool slugs = !strncmp(path, "/markets/slug/", 14) || !strncmp(path, "/events/slug/", 13) ||
	             !strncmp(path, "/tags/slug/", 11);
	if (!markets && !events && !slugs)
		return 0;
	int st = throttle(c, now, b);
	if (st)
		return st;
	if (slugs) {
		const char *s = strchr(path + 1, '/');
		snprintf(arg, sizeof arg, "%s", strchr(s + 1, '/') + 1);
		rest_urldecode(arg);
		if (path[1] == 'm')
			return rest_market_slug(g, arg, b);
		return path[1] == 'e' ? event_by_slug(g, arg, b) : tag_by_slug(arg, b);
	}
	if (markets && rest_query(target, "clob_token_ids", arg, sizeof arg)) {
		bool closed =
		    rest_query(target, "closed", kind, sizeof kind) && !strcmp(kind, "true");
		return rest_markets(g, arg, closed, b);
	}
	struct page p;
	page_parse(target, &p);
	if ((events || p.limit >= 0) && fail_page(c, b))
		return 500;
	if (p.tag == NTAGS) {
		SBUF_LIT(b, "[]");
		return 200;
	}
	st = events ? list_events(g, &p, b) : list_markets(g, &p, b);
	if (st == 200 && p.limit >= 0)
		c->pages++;
	return st;
}
