/*
 * gamma: the metadata worker.  One thread, one libcurl easy handle driven through a multi
 * handle so that curl_multi_poll() can wait on the request ring's wake fd when idle and
 * be interrupted by gamma_stop() (curl_multi_wakeup) in the middle of a transfer.
 *
 * Tokens are looked up one id at a time (GET /markets?clob_token_ids=<id>): the server
 * may want repeated parameters or a comma-separated list, and one id per request works
 * with both.  An id already listed by a market found earlier is not asked again (the two
 * tokens of a market cost one request).  /markets omits closed markets, so an id not
 * found is asked once more with closed=true.  Only markets that really list the id are
 * kept, in case a server ignores the filter.
 *
 * Slugs: GET /markets/slug/<slug>, and on 404 or an empty answer GET
 * /events/slug/<slug>, whose "markets" array is taken whole.
 *
 * jansson is used on this thread with whatever allocator is installed (proto.c installs
 * one backed by a per-thread arena that falls back to malloc on threads that never parse
 * frames, which is this one).
 *
 * Must never: block the UI thread, put an unsanitised network string into a result, read
 * more than max_body bytes, or follow the server anywhere but http(s).
 */
#include "gamma_int.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clob.h"
#include "clock.h"
#include "curlcfg.h"
#include "num.h"
#include "msg.h"
#include "ring.h"
#include "sanitize.h"

#define REQ_RING_BYTES  (16u * 1024u)  /* requests are at most ~1.3 KiB */
#define RESP_RING_BYTES (256u * 1024u) /* a full result is ~24 KiB; room for several */
#define IDLE_POLL_MS    1000           /* worker's idle wait; stop wakes it sooner */
#define RETRY_PUSH_MS   10             /* wait while the UI has not drained answers */

void gamma_config_defaults(struct gamma_config *c)
{
	memset(c, 0, sizeof(*c));
	c->base_url = GAMMA_BASE_URL;
	c->connect_ms = 5000;
	c->timeout_ms = 10000;
	c->max_body = (size_t)4 * 1024 * 1024;
	c->rate = GAMMA_RATE;
}

/* ---- HTTP ---- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct gamma *g = ud;
	size_t n = size * nmemb;
	if (n > g->cfg.max_body - g->body_len) {
		g->body_too_big = true;
		return 0; /* makes libcurl fail the transfer with CURLE_WRITE_ERROR */
	}
	if (g->body_len + n > g->body_cap) {
		size_t cap = g->body_cap ? g->body_cap : 16384;
		while (cap < g->body_len + n)
			cap *= 2;
		if (cap > g->cfg.max_body)
			cap = g->cfg.max_body;
		char *nb = realloc(g->body, cap);
		if (!nb)
			return 0;
		g->body = nb;
		g->body_cap = cap;
	}
	memcpy(g->body + g->body_len, ptr, n);
	g->body_len += n;
	return n;
}

/* GET base_url + path into g->body.  False with an error in words when no HTTP answer
 * came (or the worker is stopping: *stopped is then set). */
static bool http_get(struct gamma *g, const char *path, long *status, bool *stopped, char *err,
                     size_t errlen)
{
	char url[2048];
	int n = snprintf(url, sizeof(url), "%s%s", g->base_url, path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		snprintf(err, errlen, "request URL too long");
		return false;
	}
	g->body_len = 0;
	g->body_too_big = false;
	g->errbuf[0] = '\0';
	*status = 0;
	curl_easy_setopt(g->easy, CURLOPT_URL, url);
	g->retry_after = 0;
	if (!gamma_pace(g)) {
		*stopped = true;
		snprintf(err, errlen, "stopped");
		return false;
	}

	CURLMcode mc = curl_multi_add_handle(g->multi, g->easy);
	if (mc != CURLM_OK) {
		snprintf(err, errlen, "libcurl: %s", curl_multi_strerror(mc));
		return false;
	}
	int running = 1;
	while (!atomic_load(&g->stop)) {
		mc = curl_multi_perform(g->multi, &running);
		if (mc != CURLM_OK || !running)
			break;
		mc = curl_multi_poll(g->multi, NULL, 0, IDLE_POLL_MS, NULL);
		if (mc != CURLM_OK)
			break;
	}
	CURLcode rc = CURLE_OK;
	bool done = false;
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(g->multi, &left))) {
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == g->easy) {
			rc = msg->data.result;
			done = true;
		}
	}
	curl_multi_remove_handle(g->multi, g->easy);

	if (atomic_load(&g->stop) && !done) {
		*stopped = true;
		snprintf(err, errlen, "stopped");
		return false;
	}
	if (mc != CURLM_OK) {
		snprintf(err, errlen, "libcurl: %s", curl_multi_strerror(mc));
		return false;
	}
	if (!done) {
		snprintf(err, errlen, "libcurl: transfer did not finish");
		return false;
	}
	if (g->body_too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "answer to %.120s larger than %zu bytes", path,
		         g->cfg.max_body);
		return false;
	}
	if (rc != CURLE_OK) {
		char detail[CURL_ERROR_SIZE];
		const char *what = curl_easy_strerror(rc);
		sanitize_text(detail, sizeof(detail), g->errbuf, strlen(g->errbuf));
		if (!detail[0] || !strcmp(detail, what))
			snprintf(err, errlen, "%s", what);
		else
			snprintf(err, errlen, "%.60s: %.130s", what, detail);
		return false;
	}
	curl_easy_getinfo(g->easy, CURLINFO_RESPONSE_CODE, status);
	curl_off_t ra = 0;
	if (curl_easy_getinfo(g->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		g->retry_after = ra > 600 ? 600 : (long)ra;
	return true;
}

/* ---- JSON -> struct gamma_market ---- */

static void copy_clean(char *dst, size_t cap, json_t *v)
{
	if (json_is_string(v))
		sanitize_text(dst, cap, json_string_value(v), json_string_length(v));
	else
		dst[0] = '\0';
}

/* A tick size sent as a string ("0.01") or as a JSON number (0.01).  A number reaches us
 * as a double from jansson: it is only printed to 6 decimals and parsed exactly, which is
 * exact for every tick the exchange uses (0.1 .. 0.0001). */
static int64_t tick_parse(json_t *v)
{
	char buf[64];
	const char *s = NULL;
	size_t len = 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
	} else if (json_is_real(v) || json_is_integer(v)) {
		double d = json_number_value(v);
		if (!(d > 0.0 && d <= 1.0))
			return 0;
		int n = snprintf(buf, sizeof(buf), "%.6f", d);
		if (n < 0 || (size_t)n >= sizeof(buf))
			return 0;
		s = buf;
		len = (size_t)n;
	} else {
		return 0;
	}
	int64_t t;
	if (num_parse(s, len, &t) != NUM_OK || t <= 0 || t > PRICE_ONE)
		return 0;
	return t;
}

/* outcomes and clobTokenIds: a string holding a JSON array, or a real array.  Returns a
 * new reference to an array, or NULL. */
static json_t *field_array(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_array(v))
		return json_incref(v);
	if (!json_is_string(v))
		return NULL;
	json_t *a = json_loadb(json_string_value(v), json_string_length(v), 0, NULL);
	if (json_is_array(a))
		return a;
	json_decref(a);
	return NULL;
}

bool gamma_is_market(json_t *o)
{
	return json_is_object(o) &&
	       (json_object_get(o, "conditionId") || json_object_get(o, "clobTokenIds") ||
	        json_object_get(o, "question"));
}

void gamma_market_parse(json_t *o, struct gamma_market *m)
{
	memset(m, 0, sizeof(*m));
	copy_clean(m->question, sizeof(m->question), json_object_get(o, "question"));
	copy_clean(m->slug, sizeof(m->slug), json_object_get(o, "slug"));
	copy_clean(m->condition_id, sizeof(m->condition_id), json_object_get(o, "conditionId"));
	m->tick = tick_parse(json_object_get(o, "orderPriceMinTickSize"));
	json_t *c = json_object_get(o, "closed");
	m->closed = json_is_true(c) || (json_is_string(c) && !strcmp(json_string_value(c), "true"));

	json_t *tokens = field_array(o, "clobTokenIds");
	json_t *outcomes = field_array(o, "outcomes");
	size_t nt = tokens ? json_array_size(tokens) : 0;
	size_t no = outcomes ? json_array_size(outcomes) : 0;
	size_t n = nt > no ? nt : no;
	if (n > GAMMA_MAX_TOKENS)
		n = GAMMA_MAX_TOKENS;
	for (size_t i = 0; i < n; i++) {
		copy_clean(m->token[i], sizeof(m->token[i]), json_array_get(tokens, i));
		copy_clean(m->outcome[i], sizeof(m->outcome[i]), json_array_get(outcomes, i));
	}
	m->ntokens = n;
	json_decref(tokens);
	json_decref(outcomes);
}

static bool market_lists(const struct gamma_market *m, const char *token)
{
	for (size_t i = 0; i < m->ntokens; i++)
		if (m->token[i][0] && !strcmp(m->token[i], token))
			return true;
	return false;
}

static bool same_market(const struct gamma_market *a, const struct gamma_market *b)
{
	if (a->condition_id[0] || b->condition_id[0])
		return !strcmp(a->condition_id, b->condition_id);
	if (a->slug[0] || b->slug[0])
		return !strcmp(a->slug, b->slug);
	return a->ntokens && b->ntokens && !strcmp(a->token[0], b->token[0]);
}

/* A full result is sent on with more set when g->chunked (an event's many markets),
 * else the extra markets are only counted. */
static void result_add(struct gamma *g, struct gamma_result *r, const struct gamma_market *m)
{
	for (size_t i = 0; i < r->nmarkets; i++)
		if (same_market(&r->markets[i], m))
			return;
	if (r->nmarkets == GAMMA_MAX_MARKETS && g->chunked) {
		r->more = true;
		gamma_send_result(g, r);
		r->total += r->nmarkets;
		r->nmarkets = 0;
	}
	if (r->nmarkets == GAMMA_MAX_MARKETS) {
		r->truncated++;
		return;
	}
	r->markets[r->nmarkets++] = *m;
}

/* Walks an answer: a market, an array of markets, an event (object with a "markets"
 * array) or an array of events.  Adds the markets that list `token` (all when NULL);
 * returns how many matched. */
static size_t collect(struct gamma *g, struct gamma_result *r, json_t *v, const char *token,
                      int depth)
{
	size_t found = 0;
	if (depth > 2)
		return 0;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) found += collect(g, r, e, token, depth + 1);
	} else if (gamma_is_market(v)) {
		struct gamma_market m;
		gamma_market_parse(v, &m);
		if (!token || market_lists(&m, token)) {
			result_add(g, r, &m);
			found++;
		}
	} else if (json_is_object(v)) {
		json_t *ms = json_object_get(v, "markets");
		if (json_is_array(ms))
			found += collect(g, r, ms, token, depth + 1);
	}
	return found;
}

/* GET path and parse it.  *root is NULL (and true returned) for a 404.  False with
 * r->error set on any failure. */
bool gamma_fetch_json(struct gamma *g, struct gamma_result *r, const char *path, json_t **root,
                      bool *stopped)
{
	long status;
	*root = NULL;
	if (!http_get(g, path, &status, stopped, r->error, sizeof(r->error)))
		return false;
	if (status == 404)
		return true;
	if (status < 200 || status > 299) {
		snprintf(r->error, sizeof(r->error), "HTTP %ld from %.160s", status, path);
		return false;
	}
	json_error_t jerr;
	*root = json_loadb(g->body, g->body_len, JSON_DECODE_ANY, &jerr);
	if (!*root) {
		char why[JSON_ERROR_TEXT_LENGTH];
		sanitize_text(why, sizeof(why), jerr.text, strlen(jerr.text));
		snprintf(r->error, sizeof(r->error), "malformed JSON from %.100s: %.60s (line %d)",
		         path, why, jerr.line);
		return false;
	}
	return true;
}

bool gamma_escape(struct gamma *g, char *dst, size_t cap, const char *s)
{
	char *e = curl_easy_escape(g->easy, s, 0);
	if (!e)
		return false;
	bool fits = strlen(e) < cap;
	if (fits)
		memcpy(dst, e, strlen(e) + 1);
	curl_free(e);
	return fits;
}

static bool result_covers(const struct gamma_result *r, const char *token)
{
	for (size_t i = 0; i < r->nmarkets; i++)
		if (market_lists(&r->markets[i], token))
			return true;
	return false;
}

/* Appends " w" when it fits with room left for " ..."; otherwise ends dst with " ..."
 * once. */
static void append_word(char *dst, size_t cap, const char *w)
{
	static const char more[] = " ...";
	size_t used = strlen(dst);
	if (used >= sizeof(more) - 1 && !strcmp(dst + used - (sizeof(more) - 1), more))
		return;
	if (used + 1 + strlen(w) + sizeof(more) > cap) {
		memcpy(dst + used, more, sizeof(more));
		return;
	}
	if (used)
		dst[used++] = ' ';
	memcpy(dst + used, w, strlen(w) + 1);
}

/* Returns false when the worker is stopping and no result must be sent. */
static bool lookup_tokens(struct gamma *g, struct gamma_result *r)
{
	static const char *const pass[] = {"", "&closed=true"};
	char ids[sizeof(r->query)];
	char missing[sizeof(r->error) - 56] = ""; /* leaves room for the sentence */
	size_t nids = 0, nmissing = 0;
	bool stopped = false;

	memcpy(ids, r->query, sizeof(ids));
	r->ok = true;
	for (char *save = NULL, *id = strtok_r(ids, " ", &save); id;
	     id = strtok_r(NULL, " ", &save)) {
		nids++;
		if (result_covers(r, id))
			continue;
		char esc[3 * sizeof(r->query)];
		if (!gamma_escape(g, esc, sizeof(esc), id)) {
			snprintf(r->error, sizeof(r->error), "token id too long");
			r->ok = false;
			return true;
		}
		size_t found = 0;
		for (size_t p = 0; p < 2 && !found; p++) {
			char path[sizeof(esc) + 64];
			snprintf(path, sizeof(path), "/markets?clob_token_ids=%s%s", esc, pass[p]);
			json_t *root;
			if (!gamma_fetch_json(g, r, path, &root, &stopped)) {
				r->ok = false;
				return !stopped;
			}
			found = collect(g, r, root, id, 0);
			json_decref(root);
		}
		if (!found) {
			nmissing++;
			append_word(missing, sizeof(missing), id);
		}
	}
	if (nmissing) {
		snprintf(r->error, sizeof(r->error), "no market for %zu of %zu token%s: %s",
		         nmissing, nids, nids == 1 ? "" : "s", missing);
		if (nmissing == nids)
			r->ok = false;
	}
	return true;
}

static bool lookup_slug(struct gamma *g, struct gamma_result *r)
{
	static const char *const where[] = {"/markets/slug/", "/events/slug/"};
	char esc[3 * sizeof(r->query)];
	bool stopped = false;

	if (!gamma_escape(g, esc, sizeof(esc), r->query)) {
		snprintf(r->error, sizeof(r->error), "slug too long");
		r->ok = false;
		return true;
	}
	for (size_t p = 0; p < 2; p++) {
		char path[sizeof(esc) + 32];
		snprintf(path, sizeof(path), "%s%s", where[p], esc);
		json_t *root;
		if (!gamma_fetch_json(g, r, path, &root, &stopped)) {
			r->ok = false;
			return !stopped;
		}
		g->chunked = true;
		size_t found = collect(g, r, root, NULL, 0);
		g->chunked = false;
		r->more = false;
		json_decref(root);
		if (found) {
			r->ok = true;
			return true;
		}
	}
	snprintf(r->error, sizeof(r->error), "no market or event with slug %.150s", r->query);
	r->ok = false;
	return true;
}

/* ---- the worker ---- */

/* Hand the result to the UI.  A full answer ring only means the UI has not polled yet:
 * wait for room rather than lose an answer someone asked for. */
void gamma_send_result(struct gamma *g, const struct gamma_result *r)
{
	struct ring_rec rec = {
	    .len = (uint32_t)(offsetof(struct gamma_result, markets) +
	                      r->nmarkets * sizeof(struct gamma_market)),
	    .kind = REC_GAMMA_RESULT,
	    .data = r,
	};
	while (!atomic_load(&g->stop) && !ring_push(g->resp, &rec))
		curl_multi_poll(g->multi, NULL, 0, RETRY_PUSH_MS, NULL);
}

static void handle_request(struct gamma *g, const unsigned char *p, size_t len)
{
	struct gamma_result *r = &g->res;
	if (len < 1)
		return;
	memset(r, 0, sizeof(*r));
	sanitize_text(r->query, sizeof(r->query), (const char *)p + 1, len - 1);
	bool send;
	if (p[0] == REQ_TOKENS) {
		r->kind = GAMMA_TOKENS;
		send = lookup_tokens(g, r);
	} else if (p[0] == REQ_SLUG) {
		r->kind = GAMMA_SLUG;
		send = lookup_slug(g, r);
	} else if (p[0] == REQ_DISCOVER) {
		r->kind = GAMMA_DISCOVER;
		send = gamma_disc_run(g, r);
	} else {
		return;
	}
	if (send)
		gamma_send_result(g, r);
}

static void *worker(void *arg)
{
	struct gamma *g = arg;
	unsigned char req[REQ_RING_BYTES];
	while (!atomic_load(&g->stop)) {
		ring_wake_drain(g->req);
		struct ring_rec rec;
		while (!atomic_load(&g->stop) && ring_peek(g->req, &rec)) {
			size_t len = rec.len < sizeof(req) ? rec.len : sizeof(req);
			bool ours = rec.kind == REC_GAMMA_REQ;
			memcpy(req, rec.data, len);
			ring_release(g->req);
			if (ours)
				handle_request(g, req, len);
		}
		if (atomic_load(&g->stop))
			break;
		struct curl_waitfd wfd = {.fd = ring_wake_fd(g->req), .events = CURL_WAIT_POLLIN};
		curl_multi_poll(g->multi, &wfd, 1, IDLE_POLL_MS, NULL);
	}
	return NULL;
}

static bool easy_setup(struct gamma *g)
{
	CURL *c = g->easy;
	bool ok = curlcfg_http(c, g->errbuf, g->cfg.connect_ms, g->cfg.timeout_ms, g->cfg.max_body,
	                       g->ca_file, g->cfg.insecure);
	ok = ok && curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	return ok && curl_easy_setopt(c, CURLOPT_WRITEDATA, g) == CURLE_OK;
}

static void gamma_free(struct gamma *g)
{
	if (g->easy)
		curl_easy_cleanup(g->easy);
	if (g->multi)
		curl_multi_cleanup(g->multi);
	ring_destroy(g->req);
	ring_destroy(g->resp);
	free(g->body);
	free(g->sent);
	free(g->base_url);
	free(g->ca_file);
	free(g);
	curl_global_cleanup();
}

struct gamma *gamma_start_config(const struct gamma_config *cfg, char *err, size_t errlen)
{
	if (!cfg->base_url || strncmp(cfg->base_url, "http", 4) != 0) {
		snprintf(err, errlen, "Gamma URL must start with http:// or https://");
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "libcurl could not be initialised");
		return NULL;
	}
	struct gamma *g = calloc(1, sizeof(*g));
	if (!g) {
		curl_global_cleanup();
		snprintf(err, errlen, "out of memory starting the Gamma worker");
		return NULL;
	}
	g->cfg = *cfg;
	atomic_init(&g->stop, false);
	g->base_url = strdup(cfg->base_url);
	g->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
	if (!g->base_url || (cfg->ca_file && !g->ca_file)) {
		snprintf(err, errlen, "out of memory starting the Gamma worker");
		gamma_free(g);
		return NULL;
	}
	size_t bl = strlen(g->base_url);
	while (bl && g->base_url[bl - 1] == '/')
		g->base_url[--bl] = '\0';
	g->cfg.base_url = g->base_url;
	g->cfg.ca_file = g->ca_file;
	if (g->cfg.max_body == 0)
		g->cfg.max_body = 1;

	g->req = ring_create(REQ_RING_BYTES);
	g->resp = ring_create(RESP_RING_BYTES);
	g->multi = curl_multi_init();
	g->easy = curl_easy_init();
	g->sent = g->cfg.rate ? calloc(g->cfg.rate, sizeof(*g->sent)) : NULL;
	if (!g->req || !g->resp || !g->multi || !g->easy || (g->cfg.rate && !g->sent)) {
		snprintf(err, errlen, "could not create the Gamma worker's rings or curl handles");
		gamma_free(g);
		return NULL;
	}
	if (!easy_setup(g)) {
		snprintf(err, errlen, "libcurl refused an option (too old? needs 7.85 or later)");
		gamma_free(g);
		return NULL;
	}
	int e = pthread_create(&g->thread, NULL, worker, g);
	if (e) {
		snprintf(err, errlen, "could not start the Gamma thread: %s", strerror(e));
		gamma_free(g);
		return NULL;
	}
	g->thread_ok = true;
	return g;
}

struct gamma *gamma_start(const char *base_url, const char *ca_file, bool insecure, char *err,
                          size_t errlen)
{
	struct gamma_config c;
	gamma_config_defaults(&c);
	if (base_url)
		c.base_url = base_url;
	c.ca_file = ca_file;
	c.insecure = insecure;
	return gamma_start_config(&c, err, errlen);
}

void gamma_stop(struct gamma *g)
{
	if (!g)
		return;
	if (g->thread_ok) {
		atomic_store(&g->stop, true);
		curl_multi_wakeup(g->multi);
		pthread_join(g->thread, NULL);
	}
	gamma_free(g);
}

/* ---- UI side ---- */

static bool queue(struct gamma *g, enum req_kind kind, const char *text, size_t len)
{
	unsigned char buf[sizeof(((struct gamma_result *)0)->query)];
	if (len == 0 || len + 1 >= sizeof(buf))
		return false;
	buf[0] = (unsigned char)kind;
	memcpy(buf + 1, text, len);
	struct ring_rec rec = {.len = (uint32_t)(len + 1), .kind = REC_GAMMA_REQ, .data = buf};
	return ring_push(g->req, &rec);
}

bool gamma_lookup_tokens(struct gamma *g, const char *ids)
{
	/* Normalise to single spaces so the worker and the result's query agree. */
	char norm[sizeof(((struct gamma_result *)0)->query)];
	size_t used = 0, nids = 0;
	const char *p = ids;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, " ");
		if (n > TOKEN_ID_MAX || ++nids > GAMMA_MAX_IDS || used + n + 2 > sizeof(norm))
			return false;
		if (used)
			norm[used++] = ' ';
		memcpy(norm + used, p, n);
		used += n;
		p += n;
	}
	return queue(g, REQ_TOKENS, norm, used);
}

bool gamma_lookup_slug(struct gamma *g, const char *slug)
{
	size_t len = strlen(slug);
	if (strchr(slug, ' '))
		return false;
	return queue(g, REQ_SLUG, slug, len);
}

bool gamma_discover(struct gamma *g, char scope, const char *slug)
{
	char buf[sizeof(((struct gamma_result *)0)->query)];
	int n = snprintf(buf, sizeof(buf), "%c%s", scope, slug ? slug : "");
	if (n < 1 || (size_t)n >= sizeof(buf) || strchr(buf, ' '))
		return false;
	return queue(g, REQ_DISCOVER, buf, (size_t)n);
}

bool gamma_poll(struct gamma *g, struct gamma_result *out)
{
	struct ring_rec rec;
	ring_wake_drain(g->resp);
	if (!ring_peek(g->resp, &rec))
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out, rec.data, rec.len <= sizeof(*out) ? rec.len : sizeof(*out));
	ring_release(g->resp);
	return true;
}

int gamma_wake_fd(const struct gamma *g)
{
	return ring_wake_fd(g->resp);
}
