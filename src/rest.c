/*
 * rest: the REST book worker.  One thread drives a libcurl multi handle holding up to
 * max_inflight easy handles (one per request slot; the multi's connection cache keeps
 * the connections alive between requests) and sleeps in curl_multi_poll() on the
 * request ring's wake fd, the transfers and the next moment a token or a pause allows a
 * request; rest_stop() interrupts it with curl_multi_wakeup().
 *
 * Policy: two or more ids waiting and a /books token -> POST /books with up to max_batch
 * ids; otherwise one id by GET /book when a /book token is there.  An answer decides
 * (rest_answer.c):
 *   2xx  each book asked for becomes a record; an id missing from the answer or whose
 *        book is malformed becomes an error record for that asset; a body that is not
 *        a book list at all is a transient failure.
 *   429  pause every request until Retry-After (seconds or an HTTP date), else back off;
 *        the ids go back to the front of the queue.
 *   4xx  for a batch, its ids are asked again one by one (one bad id must not sink 249
 *        good ones); for a single id, an error record.
 *   else (5xx, no answer, too large for a batch) the ids go back to the front and every
 *        request waits an exponential back-off with jitter; the UI gets a will_retry
 *        record per asset so it can show why its book is late.
 *
 * Must never: block the UI, send a request its bucket does not allow, let a network
 * string into a record unsanitised, or forget an id it was asked for.
 */
#include "rest.h"
#include "rest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "clock.h"
#include "curlcfg.h"
#include "msg.h"

#define REQ_RING_BYTES  (1024u * 1024u)      /* ~12,000 ids in flight from the UI */
#define RESP_RING_BYTES (8u * 1024u * 1024u) /* a full 2 x 10001-level book is 330 KiB */
#define IDLE_POLL_MS    1000                 /* longest sleep; stop wakes it sooner */

void rest_config_defaults(struct rest_config *c)
{
	memset(c, 0, sizeof(*c));
	c->base_url = REST_BASE_URL;
	c->connect_ms = 5000;
	c->timeout_ms = 10000;
	c->max_body = (size_t)32 * 1024 * 1024;
	c->book_per_10s = REST_LIMIT_BOOK * 0.8;
	c->books_per_10s = REST_LIMIT_BOOKS * 0.8;
	c->max_batch = REST_MAX_BATCH;
	c->max_inflight = 4;
	c->backoff_min_ms = 500;
	c->backoff_max_ms = 30000;
	c->retry_after_max_ms = 120000;
	c->answer_ring = RESP_RING_BYTES;
}

/* ---- starting requests ---- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (n > x->max_body - x->body_len) {
		x->too_big = true;
		return 0; /* libcurl fails the transfer with CURLE_WRITE_ERROR */
	}
	if (x->body_len + n + 1 > x->body_cap) {
		size_t cap = x->body_cap ? x->body_cap : 16384;
		while (cap < x->body_len + n + 1)
			cap *= 2;
		char *nb = realloc(x->body, cap);
		if (!nb)
			return 0;
		x->body = nb;
		x->body_cap = cap;
	}
	memcpy(x->body + x->body_len, ptr, n);
	x->body_len += n;
	return n;
}

/* Keeps Retry-After; every other header is ignored. */
static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nitems;
	static const char key[] = "retry-after:";
	if (n > sizeof(key) - 1 && strncasecmp(buf, key, sizeof(key) - 1) == 0) {
		const char *v = buf + sizeof(key) - 1;
		size_t vl = n - (sizeof(key) - 1);
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		if (vl >= sizeof(x->retry_after))
			vl = sizeof(x->retry_after) - 1;
		memcpy(x->retry_after, v, vl);
		x->retry_after[vl] = '\0';
	}
	return n;
}

/* The ids are digits only (token_id_valid), so they need no escaping. */
static bool start_request(struct rest *r, struct xfer *x)
{
	char url[2048];
	CURL *c = x->easy;
	bool ok;
	if (x->post) {
		char *p = x->post_body;
		*p++ = '[';
		for (size_t i = 0; i < x->nids; i++)
			p += sprintf(p, "%s{\"token_id\":\"%s\"}", i ? "," : "", x->ids[i].id);
		*p++ = ']';
		*p = '\0';
		snprintf(url, sizeof(url), "%s/books", r->base_url);
		ok = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(p - x->post_body)) ==
		     CURLE_OK;
		ok = ok && curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->post_body) == CURLE_OK;
		ok = ok && curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->json_hdr) == CURLE_OK;
	} else {
		snprintf(url, sizeof(url), "%s/book?token_id=%s", r->base_url, x->ids[0].id);
		ok = curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) == CURLE_OK;
		ok = ok && curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL) == CURLE_OK;
	}
	ok = ok && curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK;
	x->body_len = 0;
	x->too_big = false;
	x->retry_after[0] = '\0';
	x->errbuf[0] = '\0';
	memset(x->answered, 0, x->nids * sizeof(bool));
	x->sent_ns = clock_mono_ns();
	if (!ok || curl_multi_add_handle(r->multi, c) != CURLM_OK) {
		rest_requeue(r, x, false);
		r->fails++;
		rest_pause_for(r, rest_backoff_ns(r));
		rest_count(&r->n_errors, 1);
		return false;
	}
	x->busy = true;
	rest_count(&r->n_requests, 1);
	rest_count(x->post ? &r->n_req_books : &r->n_req_book, 1);
	return true;
}

static struct xfer *free_slot(struct rest *r)
{
	for (size_t i = 0; i < r->cfg.max_inflight; i++)
		if (!r->x[i].busy)
			return &r->x[i];
	return NULL;
}

/* Starts every request the slots, the pause and the buckets allow.  Returns the ns to
 * wait before another could start (IDLE when nothing waits). */
static int64_t dispatch(struct rest *r)
{
	int64_t idle = IDLE_POLL_MS * NS_PER_MS;
	for (;;) {
		size_t waiting = restq_waiting(r->q);
		struct xfer *x = free_slot(r);
		if (!waiting || !x)
			return idle;
		int64_t now = clock_mono_ns();
		int64_t pause = atomic_load(&r->pause_until_ns) - now;
		if (pause > 0)
			return pause;
		bool batch = waiting > 1 && r->cfg.max_batch > 1 && !restq_front_solo(r->q);
		if (batch && bucket_take(&r->b_books, now)) {
			x->post = true;
			x->nids = restq_take(r->q, x->ids, r->cfg.max_batch);
		} else if (bucket_take(&r->b_book, now)) {
			x->post = false;
			x->nids = restq_take(r->q, x->ids, 1);
		} else {
			int64_t w = bucket_wait_ns(&r->b_book, now);
			int64_t wb = batch ? bucket_wait_ns(&r->b_books, now) : w;
			return w < wb ? w : wb;
		}
		start_request(r, x);
	}
}

static void reap(struct rest *r)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(r->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *e = msg->easy_handle;
		CURLcode rc = msg->data.result;
		for (size_t i = 0; i < r->cfg.max_inflight; i++)
			if (r->x[i].busy && r->x[i].easy == e)
				rest_finish(r, &r->x[i], rc);
	}
}

/* Request records: one byte 'U' (urgent) or 'N', then ids separated by spaces. */
static void take_requests(struct rest *r)
{
	struct ring_rec rec;
	ring_wake_drain(r->req);
	while (ring_peek(r->req, &rec)) {
		const char *p = rec.data, *end = p + rec.len;
		bool urgent = rec.len && p[0] == 'U';
		for (p = rec.len ? p + 1 : end; p < end;) {
			while (p < end && *p == ' ')
				p++;
			const char *w = p;
			while (p < end && *p != ' ')
				p++;
			char id[TOKEN_ID_SIZE];
			size_t n = (size_t)(p - w);
			if (n == 0 || n > TOKEN_ID_MAX)
				continue;
			memcpy(id, w, n);
			id[n] = '\0';
			if (restq_add(r->q, id, urgent) == RESTQ_DUP)
				rest_count(&r->n_deduped, 1);
		}
		ring_release(r->req);
	}
}

static void publish_gauges(struct rest *r)
{
	size_t busy = 0;
	for (size_t i = 0; i < r->cfg.max_inflight; i++)
		busy += r->x[i].busy;
	atomic_store(&r->n_in_flight, busy);
	atomic_store(&r->n_queued, restq_waiting(r->q));
}

static void *worker(void *arg)
{
	struct rest *r = arg;
	while (!atomic_load(&r->stop)) {
		take_requests(r);
		int running;
		curl_multi_perform(r->multi, &running);
		reap(r);
		int64_t wait_ns = dispatch(r);
		publish_gauges(r);
		if (atomic_load(&r->stop))
			break;
		int ms = (int)((wait_ns + NS_PER_MS - 1) / NS_PER_MS);
		if (ms > IDLE_POLL_MS)
			ms = IDLE_POLL_MS;
		if (ms < 1)
			ms = 1;
		struct curl_waitfd wfd = {.fd = ring_wake_fd(r->req), .events = CURL_WAIT_POLLIN};
		curl_multi_poll(r->multi, &wfd, 1, ms, NULL);
	}
	return NULL;
}

/* ---- start and stop ---- */

static bool easy_setup(struct rest *r, struct xfer *x)
{
	CURL *c = x->easy;
	bool ok = curlcfg_http(c, x->errbuf, r->cfg.connect_ms, r->cfg.timeout_ms, r->cfg.max_body,
	                       r->ca_file, r->cfg.insecure);
	ok = ok && curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_WRITEDATA, x) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_HEADERDATA, x) == CURLE_OK;
	return ok && curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
}

static void rest_free(struct rest *r)
{
	for (size_t i = 0; r->x && i < r->cfg.max_inflight; i++) {
		struct xfer *x = &r->x[i];
		if (x->busy)
			curl_multi_remove_handle(r->multi, x->easy);
		if (x->easy)
			curl_easy_cleanup(x->easy);
		free(x->ids);
		free(x->answered);
		free(x->body);
		free(x->post_body);
	}
	free(r->x);
	if (r->multi)
		curl_multi_cleanup(r->multi);
	curl_slist_free_all(r->json_hdr);
	ring_destroy(r->req);
	ring_destroy(r->resp);
	restq_destroy(r->q);
	proto_destroy(r->proto);
	free(r->rec);
	free(r->base_url);
	free(r->ca_file);
	free(r);
	curl_global_cleanup();
}

static const char *check_config(const struct rest_config *c)
{
	if (!c->base_url || strncmp(c->base_url, "http", 4) != 0)
		return "REST URL must start with http:// or https://";
	if (strlen(c->base_url) > 1024)
		return "REST URL too long";
	if (!(c->book_per_10s >= 2) || !(c->books_per_10s >= 2))
		return "REST budget must allow at least 2 requests per 10 s";
	if (c->max_batch < 1 || c->max_batch > REST_MAX_BATCH)
		return "REST batch must hold 1 to 250 ids";
	if (c->max_inflight < 1 || c->max_inflight > 64)
		return "REST requests in flight must be 1 to 64";
	if (c->backoff_min_ms < 1 || c->backoff_max_ms < c->backoff_min_ms || c->max_body < 2 ||
	    c->answer_ring < 4096)
		return "REST back-off or body limit out of range";
	return NULL;
}

static bool slots_create(struct rest *r)
{
	r->x = calloc(r->cfg.max_inflight, sizeof(struct xfer));
	if (!r->x)
		return false;
	/* [ + 250 x {"token_id":"<78>"} with commas + ] */
	size_t post_cap = 2 + r->cfg.max_batch * (TOKEN_ID_MAX + 16) + 1;
	for (size_t i = 0; i < r->cfg.max_inflight; i++) {
		struct xfer *x = &r->x[i];
		x->max_body = r->cfg.max_body;
		x->ids = calloc(r->cfg.max_batch, sizeof(struct restq_id));
		x->answered = calloc(r->cfg.max_batch, sizeof(bool));
		x->post_body = malloc(post_cap);
		x->easy = curl_easy_init();
		if (!x->ids || !x->answered || !x->post_body || !x->easy || !easy_setup(r, x))
			return false;
	}
	return true;
}

struct rest *rest_start(const struct rest_config *cfg, char *err, size_t errlen)
{
	const char *bad = check_config(cfg);
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "libcurl could not be initialised");
		return NULL;
	}
	struct rest *r = calloc(1, sizeof(*r));
	if (!r) {
		curl_global_cleanup();
		snprintf(err, errlen, "out of memory starting the REST worker");
		return NULL;
	}
	r->cfg = *cfg;
	r->base_url = strdup(cfg->base_url);
	r->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
	if (!r->base_url || (cfg->ca_file && !r->ca_file)) {
		snprintf(err, errlen, "out of memory starting the REST worker");
		rest_free(r);
		return NULL;
	}
	size_t bl = strlen(r->base_url);
	while (bl && r->base_url[bl - 1] == '/')
		r->base_url[--bl] = '\0';
	r->cfg.base_url = r->base_url;
	r->cfg.ca_file = r->ca_file;
	r->rng = (uint64_t)clock_real_ns() | 1;
	int64_t now = clock_mono_ns();
	bucket_init(&r->b_book, cfg->book_per_10s, now);
	bucket_init(&r->b_books, cfg->books_per_10s, now);
	r->req = ring_create(REQ_RING_BYTES);
	r->resp = ring_create(cfg->answer_ring);
	r->multi = curl_multi_init();
	r->q = restq_create();
	r->proto = proto_create();
	r->json_hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (!r->req || !r->resp || !r->multi || !r->q || !r->proto || !r->json_hdr ||
	    !slots_create(r)) {
		snprintf(err, errlen,
		         "could not set up the REST worker (memory or libcurl options)");
		rest_free(r);
		return NULL;
	}
	/* A few books a second would take many minutes to write round these rings, growing
	 * the resident size all the while (the soak read it as a leak): resident now. */
	ring_prefault(r->req);
	ring_prefault(r->resp);
	int e = pthread_create(&r->thread, NULL, worker, r);
	if (e) {
		snprintf(err, errlen, "could not start the REST thread: %s", strerror(e));
		rest_free(r);
		return NULL;
	}
	r->thread_ok = true;
	return r;
}

void rest_stop(struct rest *r)
{
	if (!r)
		return;
	if (r->thread_ok) {
		atomic_store(&r->stop, true);
		curl_multi_wakeup(r->multi);
		pthread_join(r->thread, NULL);
	}
	rest_free(r);
}

/* ---- UI side ---- */

size_t rest_fetch(struct rest *r, const char *const *ids, size_t n, bool urgent)
{
	char buf[1 + REST_MAX_BATCH * (TOKEN_ID_MAX + 1)];
	size_t done = 0;
	while (done < n) {
		size_t used = 1, k = done;
		buf[0] = urgent ? 'U' : 'N';
		for (; k < n && k - done < REST_MAX_BATCH; k++) {
			size_t len = ids[k] ? strlen(ids[k]) : 0;
			if (!ids[k] || !token_id_valid(ids[k], len))
				continue;
			buf[used++] = ' ';
			memcpy(buf + used, ids[k], len);
			used += len;
		}
		struct ring_rec rec = {.len = (uint32_t)used, .kind = REC_REST_REQ, .data = buf};
		if (used > 1 && !ring_push(r->req, &rec))
			return done;
		done = k;
	}
	return done;
}

const struct rest_book *rest_peek(struct rest *r)
{
	struct ring_rec rec;
	ring_wake_drain(r->resp);
	if (!ring_peek(r->resp, &rec))
		return NULL;
	return rec.data;
}

void rest_release(struct rest *r)
{
	ring_release(r->resp);
}

int rest_wake_fd(const struct rest *r)
{
	return ring_wake_fd(r->resp);
}

void rest_counters(const struct rest *r, struct rest_counters *o)
{
	struct rest *m = (struct rest *)r; /* atomics are read, never written */
	o->requests = atomic_load(&m->n_requests);
	o->req_book = atomic_load(&m->n_req_book);
	o->req_books = atomic_load(&m->n_req_books);
	o->books = atomic_load(&m->n_books);
	o->errors = atomic_load(&m->n_errors);
	o->http_429 = atomic_load(&m->n_429);
	o->bytes = atomic_load(&m->n_bytes);
	o->deduped = atomic_load(&m->n_deduped);
	o->in_flight = atomic_load(&m->n_in_flight);
	o->queued = atomic_load(&m->n_queued);
	int64_t left = atomic_load(&m->pause_until_ns) - clock_mono_ns();
	o->paused_ms = left > 0 ? (uint64_t)(left / NS_PER_MS) : 0;
}
