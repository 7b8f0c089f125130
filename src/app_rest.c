/*
 * app_rest: the REST worker for the run loop (see app_rest.h).  Main (UI) thread only.
 */
#include "app_rest.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "market_rest.h"
#include "rest.h"

/* The public feed's REST host; another feed has none unless --rest-url names it. */
#define PUBLIC_FEED_HOST "ws-subscriptions-clob.polymarket.com"

static bool fetch(void *ctx, const char *id, bool urgent)
{
	struct app *a = ctx;
	return rest_fetch(a->rest, &id, 1, urgent) == 1;
}

static const char *rest_url(const struct app *a)
{
	const struct options *o = a->o;
	if (o->rest.off || o->replay)
		return NULL;
	if (o->rest.url)
		return o->rest.url;
	if (o->demo)
		return a->gamma_url; /* clobsim answers /book beside Gamma */
	return strstr(a->url, PUBLIC_FEED_HOST) ? REST_BASE_URL : NULL;
}

int app_rest_start(struct app *a, char *err, size_t errlen)
{
	const char *url = rest_url(a);
	if (!url)
		return 0;
	struct rest_config c;
	rest_config_defaults(&c);
	c.base_url = url;
	c.ca_file = a->o->ca_file;
	c.insecure = a->o->insecure;
	char why[256];
	if (!(a->rest = rest_start(&c, why, sizeof(why)))) {
		snprintf(err, errlen, "REST %s: %s", url, why);
		return -1;
	}
	if (market_rest_init(&a->m, &a->o->rest, fetch, a) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int app_rest_fd(const struct app *a)
{
	return a->rest ? rest_wake_fd(a->rest) : -1;
}

void app_rest_drain(struct app *a)
{
	if (!a->rest || !a->m.rest)
		return;
	const struct rest_book *rb;
	int64_t now = clock_mono_ns();
	while ((rb = rest_peek(a->rest))) {
		market_rest_answer(&a->m, rb, now);
		rest_release(a->rest);
	}
	rest_counters(a->rest, &a->m.rest->wc);
}

void app_rest_stop(struct app *a)
{
	rest_stop(a->rest);
	a->rest = NULL;
}
