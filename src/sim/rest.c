/*
 * rest: clobsim's HTTP answers (see rest.h).
 *
 * Shapes follow Polymarket's public REST services: CLOB /book with numbers as strings and
 * the best level last; Gamma market objects whose outcomes and clobTokenIds are strings
 * holding JSON arrays.  Never modifies the generator; never answers with a float price.
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#include "rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "num.h"

#define REST_MAX_LEVELS GEN_SLOTS

static json_t *num_json(int64_t micro)
{
	char buf[NUM_BUF];

	num_format(micro, buf, sizeof buf);
	return json_string(buf);
}

static int dump_into(json_t *j, struct sbuf *body)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(j);
	if (!s)
		return -1;
	sbuf_adds(body, s);
	free(s);
	return 0;
}

/* One side's levels; best_delta (micro-shares) is added to the best level's size. */
static json_t *levels_json(const struct gen *g, int token, int side, bool best_last, const char *pk,
                           const char *sk, int64_t best_delta)
{
	static int64_t price[REST_MAX_LEVELS], size[REST_MAX_LEVELS];
	int n = gen_levels(g, token, side, price, size, REST_MAX_LEVELS);
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		int j = best_last ? n - 1 - i : i;
		json_t *o = json_object();
		json_object_set_new(o, pk, num_json(price[j]));
		json_object_set_new(o, sk, num_json(size[j] + (j == 0 ? best_delta : 0)));
		json_array_append_new(a, o);
	}
	return a;
}

/* The /book object of token t.  *wrong asks for a spoiled book (restwrong): the best
 * bid's size one share larger, or the best ask's when there is no bid; it is cleared
 * when the book has no level to spoil. */
static json_t *book_obj(const struct gen *g, int t, int64_t since_ms, bool *wrong)
{
	const struct gen_market *m = &g->m[t / 2];
	json_t *o = json_object();
	char ts[24];
	int64_t bid_delta = 0, ask_delta = 0;

	if (*wrong && gen_best(g, t, 0) >= 0)
		bid_delta = REST_WRONG_DELTA;
	else if (*wrong && gen_best(g, t, 1) >= 0)
		ask_delta = REST_WRONG_DELTA;
	else
		*wrong = false;
	/* the exchange time of this state: the frame that last changed the book */
	snprintf(ts, sizeof ts, "%lld", (long long)(m->book_ms ? m->book_ms : since_ms));
	json_object_set_new(o, "market", json_string(m->cond));
	json_object_set_new(o, "asset_id", json_string(m->token[t % 2]));
	json_object_set_new(o, "timestamp", json_string(ts));
	/* the hash the market channel's book frame carries for this (true) state */
	struct sbuf tmp = {0};
	gen_book_json(g, t, 0, false, &tmp);
	const char *h = tmp.p ? strstr(tmp.p, "\"hash\":\"") : NULL;
	char hash[41] = "";
	if (h)
		memcpy(hash, h + 8, 40);
	sbuf_free(&tmp);
	json_object_set_new(o, "hash", json_string(hash));
	json_object_set_new(o, "bids", levels_json(g, t, 0, true, "price", "size", bid_delta));
	json_object_set_new(o, "asks", levels_json(g, t, 1, true, "price", "size", ask_delta));
	json_object_set_new(o, "min_order_size", json_string("5"));
	json_object_set_new(o, "tick_size", num_json(gen_tick(g, t)));
	json_object_set_new(o, "neg_risk", json_false());
	int lt = m->last_trade[t % 2];
	json_object_set_new(o, "last_trade_price",
	                    json_string(lt >= 0 ? gen_price_text(lt) : "0.5"));
	return o;
}

int rest_book(const struct gen *g, const char *token_id, int64_t since_ms, bool *wrong,
              struct sbuf *body)
{
	int t = gen_find_token(g, token_id, strlen(token_id));
	bool no = false;

	if (!wrong)
		wrong = &no;
	if (t < 0) {
		*wrong = false;
		SBUF_LIT(body, "{\"error\":\"No orderbook exists for the requested token id\"}");
		return 404;
	}
	return dump_into(book_obj(g, t, since_ms, wrong), body) ? 500 : 200;
}

int rest_books(const struct gen *g, const char (*ids)[REST_ID_LEN], int n, int64_t since_ms,
               int *wrong_at, const char *wrong_asset, struct sbuf *body)
{
	json_t *a = json_array();
	int at = -1;

	for (int i = 0; i < n; i++) {
		int t = gen_find_token(g, ids[i], strlen(ids[i]));
		if (t < 0)
			continue; /* as the exchange does: unknown ids are left out */
		bool wrong =
		    *wrong_at >= 0 && at < 0 && (!wrong_asset[0] || !strcmp(wrong_asset, ids[i]));
		json_array_append_new(a, book_obj(g, t, since_ms, &wrong));
		if (wrong)
			at = (int)json_array_size(a) - 1;
	}
	*wrong_at = at;
	return dump_into(a, body) ? 500 : 200;
}

static json_t *market_json(const struct gen *g, int mi)
{
	const struct gen_market *m = &g->m[mi];
	json_t *o = json_object();
	char arr[2 * GEN_ID_LEN + 64];
	char tick[NUM_BUF];

	json_object_set_new(o, "id", json_string(m->gamma_id));
	json_object_set_new(o, "question", json_string(m->question));
	json_object_set_new(o, "conditionId", json_string(m->cond));
	json_object_set_new(o, "slug", json_string(m->slug));
	snprintf(arr, sizeof arr, "[\"%s\", \"%s\"]", m->outcome[0], m->outcome[1]);
	json_object_set_new(o, "outcomes", json_string(arr));
	/* outcomePrices: the mids, as Gamma gives them (strings inside a string) */
	int64_t p0 = gen_best(g, mi * 2, 0), a0 = gen_best(g, mi * 2, 1);
	int64_t mid = p0 >= 0 && a0 >= 0 ? (p0 + a0) / 2 : 500000;
	char mp0[NUM_BUF], mp1[NUM_BUF];
	num_format(mid, mp0, sizeof mp0);
	num_format(1000000 - mid, mp1, sizeof mp1);
	snprintf(arr, sizeof arr, "[\"%s\", \"%s\"]", mp0, mp1);
	json_object_set_new(o, "outcomePrices", json_string(arr));
	json_object_set_new(o, "active", json_true());
	json_object_set_new(o, "closed", json_boolean(m->closed));
	snprintf(arr, sizeof arr, "[\"%s\", \"%s\"]", m->token[0], m->token[1]);
	json_object_set_new(o, "clobTokenIds", json_string(arr));
	num_format((int64_t)m->tick * 1000, tick, sizeof tick);
	json_object_set_new(o, "orderPriceMinTickSize", json_real(strtod(tick, NULL)));
	json_object_set_new(o, "orderMinSize", json_integer(5));
	json_object_set_new(o, "negRisk", json_false());
	json_object_set_new(o, "enableOrderBook", json_true());
	return o;
}

int rest_markets(const struct gen *g, const char *ids, bool include_closed, struct sbuf *body)
{
	json_t *a = json_array();

	for (int i = 0; i < g->nmarkets; i++) {
		const struct gen_market *m = &g->m[i];
		bool match = ids == NULL;

		if (!m->visible || (m->closed && !include_closed))
			continue;
		for (const char *p = ids; p && *p && !match;) {
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			for (int k = 0; k < 2; k++)
				if (n == GEN_ID_LEN && memcmp(p, m->token[k], n) == 0)
					match = true;
			p = e ? e + 1 : p + n;
		}
		if (match)
			json_array_append_new(a, market_json(g, i));
	}
	return dump_into(a, body) ? 500 : 200;
}

int rest_market_slug(const struct gen *g, const char *slug, struct sbuf *body)
{
	int mi = gen_find_slug(g, slug);

	if (mi < 0) {
		SBUF_LIT(body, "{\"type\":\"not found error\",\"error\":\"id not found\"}");
		return 404;
	}
	return dump_into(market_json(g, mi), body) ? 500 : 200;
}

int rest_state(const struct gen *g, const char *url, int64_t now_ms, struct sbuf *body)
{
	json_t *o = json_object(), *src = json_object(), *assets = json_array();
	time_t secs = (time_t)(now_ms / 1000);
	struct tm tm;
	char when[40];

	gmtime_r(&secs, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(o, "schema", json_string("clobtop.snapshot/1"));
	json_object_set_new(o, "generated_at", json_string(when));
	json_object_set_new(src, "mode", json_string("sim"));
	json_object_set_new(src, "url", json_string(url ? url : ""));
	json_object_set_new(o, "source", src);
	for (int t = 0; t < g->nmarkets * 2; t++) {
		const struct gen_market *m = &g->m[t / 2];
		char label[sizeof m->question + sizeof m->outcome[0] + 8];

		if (!m->visible)
			continue;
		json_t *a = json_object();
		snprintf(label, sizeof label, "%s \u00b7 %s", m->question, m->outcome[t % 2]);
		json_object_set_new(a, "asset_id", json_string(m->token[t % 2]));
		json_object_set_new(a, "label", json_string(label));
		json_object_set_new(a, "market", json_string(m->cond));
		json_object_set_new(a, "tick_size", num_json(gen_tick(g, t)));
		int64_t bb = gen_best(g, t, 0), ba = gen_best(g, t, 1);
		json_object_set_new(a, "best_bid", bb >= 0 ? num_json(bb) : json_null());
		json_object_set_new(a, "best_ask", ba >= 0 ? num_json(ba) : json_null());
		json_object_set_new(a, "bids", levels_json(g, t, 0, false, "price", "size", 0));
		json_object_set_new(a, "asks", levels_json(g, t, 1, false, "price", "size", 0));
		json_object_set_new(a, "closed", json_boolean(m->closed));
		json_array_append_new(assets, a);
	}
	json_object_set_new(o, "assets", assets);
	if (dump_into(o, body))
		return 500;
	sbuf_addc(body, '\n');
	return 200;
}

void rest_urldecode(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '+') {
			*w++ = ' ';
		} else if (*s == '%' && s[1] && s[2]) {
			char hx[3] = {s[1], s[2], 0};
			char *end;
			long v = strtol(hx, &end, 16);
			if (*end == '\0' && v > 0) {
				*w++ = (char)v;
				s += 2;
			} else {
				*w++ = *s;
			}
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

bool rest_query(const char *target, const char *name, char *dst, size_t cap)
{
	const char *q = strchr(target, '?');
	size_t nl = strlen(name);

	while (q && *q) {
		q++;
		const char *e = strchr(q, '&');
		size_t n = e ? (size_t)(e - q) : strlen(q);
		if (n > nl && strncmp(q, name, nl) == 0 && q[nl] == '=') {
			size_t vl = n - nl - 1;
			if (vl >= cap)
				vl = cap - 1;
			memcpy(dst, q + nl + 1, vl);
			dst[vl] = '\0';
			rest_urldecode(dst);
			return true;
		}
		q = e;
	}
	return false;
}
