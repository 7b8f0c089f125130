/*
 * labels: Gamma answers into the model (see labels.h).  Main (UI) thread only.
 */
#include "labels.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "discover.h"

bool labels_lookup_hook(void *ctx, const char *text)
{
	struct app *a = ctx;
	return a->gamma && gamma_lookup_slug(a->gamma, text);
}

/* Queues Gamma lookups for assets without a label, GAMMA_MAX_IDS per request.  Each asset
 * is asked about once: a token Gamma does not know stays unknown, and asking again every
 * few seconds would hammer a public API.  A batch the queue refused is tried next time. */
void labels_request(struct app *a)
{
	if (!a->gamma)
		return;
	char ids[GAMMA_MAX_IDS * TOKEN_ID_SIZE];
	size_t batch[GAMMA_MAX_IDS];
	size_t len = 0, n = 0;
	for (size_t i = 0; i <= a->m.nassets; i++) {
		struct asset *as = i < a->m.nassets ? &a->m.assets[i] : NULL;
		if (as && (as->label_from_user || as->question[0] || as->label_requested))
			continue;
		if (as) {
			size_t l = strlen(as->id);
			if (len)
				ids[len++] = ' ';
			memcpy(ids + len, as->id, l);
			len += l;
			ids[len] = '\0';
			batch[n++] = i;
		}
		if (n && (n == GAMMA_MAX_IDS || !as)) {
			if (!gamma_lookup_tokens(a->gamma, ids))
				return;
			for (size_t k = 0; k < n; k++)
				market_label_requested(&a->m, batch[k]);
			len = n = 0;
		}
	}
}

/* One market of an answer: label its tokens; a slug's open markets are subscribed. */
static size_t apply_market(struct app *a, const struct gamma_result *r,
                           const struct gamma_market *g)
{
	size_t added = 0;
	for (size_t k = 0; k < g->ntokens; k++) {
		if (r->kind == GAMMA_SLUG && !g->closed &&
		    !market_find(&a->m, g->token[k], strlen(g->token[k]))) {
			if (market_add(&a->m, g->token[k], NULL) &&
			    app_command(a, FEED_SUB, g->token[k]))
				added++;
		}
		market_set_info(&a->m, g->token[k], g->question, g->outcome[k], g->condition_id,
		                g->tick);
	}
	return added;
}

void labels_apply(struct app *a)
{
	struct gamma_result *r = malloc(sizeof(*r));
	if (!r)
		return;
	while (gamma_poll(a->gamma, r)) {
		if (r->kind == GAMMA_DISCOVER) {
			discover_apply(a, r);
			continue;
		}
		if (!r->ok && r->nmarkets == 0) {
			market_alert(&a->m, ALERT_INFO, NULL, "lookup of %s failed: %s", r->query,
			             r->error);
			if (a->ui && r->kind == GAMMA_SLUG)
				ui_status(a->ui, "slug %s: %s", r->query, r->error);
			continue;
		}
		size_t added = 0;
		for (size_t i = 0; i < r->nmarkets; i++)
			added += apply_market(a, r, &r->markets[i]);
		size_t nm, na; /* an event's many markets come in several results */
		if (r->kind == GAMMA_SLUG && discover_slug_chunk(a, r, added, &nm, &na)) {
			const char *ms = nm == 1 ? "" : "s", *as = na == 1 ? "" : "s";
			market_alert(&a->m, ALERT_INFO, NULL,
			             "slug %s: %zu market%s, %zu new asset%s", r->query, nm, ms, na,
			             as);
			if (a->ui)
				ui_status(a->ui, "slug %s: %zu market%s, %zu asset%s subscribed",
				          r->query, nm, ms, na, as);
		}
	}
	free(r);
}
