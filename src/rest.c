/*
 * rest: the REST book worker.  One thread drives a libcurl multi handle holding up to
 * max_inflight easy handles (one per request slot; the multi's connection cache keeps
 * the connections alive between requests) and sleeps in curl_multi_poll() on the
 * request ring's wake fd, the transfers and the next moment a token or a pause allows a
 * request; rest_stop() interrupts it with curl_multi_wakeup().
 *
 * Policy: two or more ids waiting and a /books token -> POST /books with up to max_batch
 * ids; otherwise one id by GET /book when a /book token is there.  An answer decides:
 *   2xx  each book asked for becomes a record; an id missing from the answer or whose
 *        book is malformed becomes an error record for that asset; a body that is not
 *        JSON at all is a transient failure.
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

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "clock.h"
#include "curlcfg.h"
#include "msg.h"
#include "proto.h"
#include "restq.h"
#include "ring.h"
#include "sanitize.h"

#define REQ_RING_BYTES  (1024u * 1024u)      /* ~12,000 ids in flight from the UI */
#define RESP_RING_BYTES (8u * 1024u * 1024u) /* a full 2 x 10001-level book is 330 KiB */
#define IDLE_POLL_MS    1000                 /* longest sleep; stop wakes it sooner */
#define RING_FULL_MS    100                  /* pause when the UI has not drained answers */
#define KEEP_BODY       (1024u * 1024u)      /* larger answer buffers are freed after use */

struct xfer {
	CURL *easy;                   /* this slot's handle, reused */
	bool busy;                    /* a request is in flight */
	bool post;                    /* POST /books (else GET /book) */
	struct restq_id *ids;         /* the ids asked for, max_batch of them */
	bool *answered;               /* per id: a record was produced for it */
	size_t nids;                  /* ids in this request */
	char *body;                   /* answer being received */
	size_t body_len;              /* bytes in body */
	size_t body_cap;              /* bytes allocated */
	bool too_big;                 /* the answer passed max_body */
	size_t max_body;              /* cfg.max_body */
	char *post_body;              /* [{"token_id":"..."},...] */
	char retry_after[64];         /* the Retry-After header, "" when none */
	int64_t sent_ns;              /* CLOCK_MONOTONIC at the start */
	char errbuf[CURL_ERROR_SIZE]; /* libcurl's detailed error */
};

struct rest {
	struct rest_config cfg;         /* copy; strings point at the owned copies */
	char *base_url;                 /* owned, without trailing '/' */
	char *ca_file;                  /* owned, or NULL */
	struct ring *req;               /* UI -> worker, REC_REST_REQ */
	struct ring *resp;              /* worker -> UI, REC_REST_BOOK */
	CURLM *multi;                   /* all transfers */
	struct curl_slist *json_hdr;    /* Content-Type for POST /books */
	struct xfer *x;                 /* max_inflight slots */
	struct restq *q;                /* ids waiting or in flight */
	struct bucket b_book;           /* GET /book budget */
	struct bucket b_books;          /* POST /books budget */
	unsigned fails;                 /* failures in a row, for the back-off */
	uint64_t rng;                   /* xorshift state for the jitter */
	struct proto *proto;            /* answer parser */
	struct xfer *cur;               /* request whose answer is being parsed */
	unsigned char *rec;             /* record scratch */
	size_t rec_cap;                 /* bytes allocated */
	pthread_t thread;               /* the worker */
	bool thread_ok;                 /* must be joined */
	atomic_bool stop;               /* set by rest_stop */
	_Atomic int64_t pause_until_ns; /* no request starts before (CLOCK_MONOTONIC) */
	_Atomic uint64_t n_requests, n_req_book, n_req_books, n_books, n_errors, n_429, n_bytes,
	    n_deduped, n_in_flight, n_queued; /* see struct rest_counters */
};

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

static void count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* ---- records to the UI ---- */

static struct rest_book *rec_begin(struct rest *r, const char *id, size_t nlevels)
{
	size_t need = sizeof(struct rest_book) + nlevels * sizeof(struct ev_level);
	if (need > r->rec_cap) {
		void *p = realloc(r->rec, need);
		if (!p)
			return NULL;
		r->rec = p;
		r->rec_cap = need;
	}
	struct rest_book *b = (struct rest_book *)r->rec;
	memset(b, 0, sizeof(*b));
	snprintf(b->asset_id, sizeof(b->asset_id), "%s", id);
	b->last_trade = PRICE_NONE;
	b->recv_mono_ns = clock_mono_ns();
	return b;
}

/* False when the UI has not made room: the caller asks for the id again later. */
static bool rec_push(struct rest *r, const struct rest_book *b)
{
	size_t len = sizeof(*b) + ((size_t)b->nbids + b->nasks) * sizeof(struct ev_level);
	struct ring_rec rec = {.len = (uint32_t)len, .kind = REC_REST_BOOK, .data = b};
	return ring_push(r->resp, &rec);
}

static void pause_for(struct rest *r, int64_t ns)
{
	int64_t until = clock_mono_ns() + ns;
	if (until > atomic_load(&r->pause_until_ns))
		atomic_store(&r->pause_until_ns, until);
}

/* The id is finished with: it leaves the set unless its record could not be delivered,
 * in which case it waits at the front for another request. */
static void settle(struct rest *r, struct xfer *x, size_t i, const struct rest_book *b)
{
	x->answered[i] = true;
	if (rec_push(r, b)) {
		restq_done(r->q, x->ids[i].id);
		return;
	}
	restq_requeue(r->q, x->ids[i].id, x->ids[i].solo);
	pause_for(r, RING_FULL_MS * NS_PER_MS);
}

/* A permanent error for one asset: its answer, and it leaves the set. */
static void send_error(struct rest *r, struct xfer *x, size_t i, long status, const char *text)
{
	struct rest_book *b = rec_begin(r, x->ids[i].id, 0);
	count(&r->n_errors, 1);
	if (!b) {
		x->answered[i] = true;
		restq_requeue(r->q, x->ids[i].id, x->ids[i].solo);
		return;
	}
	b->http_status = (int32_t)status;
	b->sent_mono_ns = x->sent_ns;
	sanitize_text(b->error, sizeof(b->error), text, strlen(text));
	settle(r, x, i, b);
}

/* Tells the UI why an asset's book is late; the id is asked for again. */
static void notify_retry(struct rest *r, struct xfer *x, size_t i, long status, const char *text)
{
	struct rest_book *b = rec_begin(r, x->ids[i].id, 0);
	if (!b)
		return;
	b->http_status = (int32_t)status;
	b->will_retry = true;
	b->sent_mono_ns = x->sent_ns;
	sanitize_text(b->error, sizeof(b->error), text, strlen(text));
	rec_push(r, b); /* informative only: lost when the UI is behind */
}

/* ---- parsing an answer ---- */

static ssize_t find_id(const struct xfer *x, const struct ev_str *id)
{
	for (size_t i = 0; i < x->nids; i++)
		if (strlen(x->ids[i].id) == id->len && memcmp(x->ids[i].id, id->s, id->len) == 0)
			return (ssize_t)i;
	return -1;
}

static void on_book(struct rest *r, struct xfer *x, size_t i, const struct event *e)
{
	size_t nlv = e->book.nbids + e->book.nasks;
	size_t len = sizeof(struct rest_book) + nlv * sizeof(struct ev_level);
	if (len > ring_max_record(r->resp)) {
		char why[96];
		snprintf(why, sizeof(why), "book of %zu levels too large for a record", nlv);
		send_error(r, x, i, 200, why);
		return;
	}
	struct rest_book *b = rec_begin(r, x->ids[i].id, nlv);
	if (!b) {
		x->answered[i] = true;
		restq_requeue(r->q, x->ids[i].id, x->ids[i].solo);
		return;
	}
	b->ok = true;
	b->http_status = 200;
	b->sent_mono_ns = x->sent_ns;
	b->ts_ms = e->ts_ms;
	b->tick = e->book.tick;
	b->last_trade = e->book.last_trade;
	if (e->book.hash.s)
		sanitize_text(b->hash, sizeof(b->hash), e->book.hash.s, e->book.hash.len);
	b->nbids = (uint32_t)e->book.nbids;
	b->nasks = (uint32_t)e->book.nasks;
	memcpy(b->levels, e->book.bids, e->book.nbids * sizeof(struct ev_level));
	memcpy(b->levels + e->book.nbids, e->book.asks, e->book.nasks * sizeof(struct ev_level));
	count(&r->n_books, 1);
	settle(r, x, i, b);
}

/* Sink of proto_parse_rest_books: books and per-asset errors for ids we asked for;
 * anything else is ignored (a server answering more than asked). */
static void on_event(void *ctx, const struct event *e)
{
	struct rest *r = ctx;
	struct xfer *x = r->cur;
	ssize_t i = e->asset_id.s ? find_id(x, &e->asset_id) : -1;
	if (i < 0 || x->answered[i])
		return;
	if (e->kind == EV_BOOK) {
		on_book(r, x, (size_t)i, e);
	} else if (e->kind == EV_MALFORMED) {
		char why[160];
		snprintf(why, sizeof(why), "malformed book: %s", e->bad.reason);
		send_error(r, x, (size_t)i, 200, why);
	}
}

/* ---- outcomes of a request ---- */

static int64_t backoff_ns(struct rest *r)
{
	unsigned f = r->fails < 20 ? r->fails : 20;
	int64_t ms = r->cfg.backoff_min_ms << (f ? f - 1 : 0);
	if (ms > r->cfg.backoff_max_ms || ms <= 0)
		ms = r->cfg.backoff_max_ms;
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	/* full range [ms/2, ms]: clients failing together do not retry together */
	int64_t half = ms / 2;
	return (half + (int64_t)(r->rng % (uint64_t)(half + 1))) * NS_PER_MS;
}

/* Every id not answered yet goes back to the front, in order. */
static void requeue_rest(struct rest *r, struct xfer *x, bool solo)
{
	for (size_t i = x->nids; i-- > 0;)
		if (!x->answered[i])
			restq_requeue(r->q, x->ids[i].id, solo || x->ids[i].solo);
}

static void transient(struct rest *r, struct xfer *x, long status, const char *why)
{
	count(&r->n_errors, 1);
	r->fails++;
	for (size_t i = 0; i < x->nids; i++)
		if (!x->answered[i])
			notify_retry(r, x, i, status, why);
	requeue_rest(r, x, false);
	pause_for(r, backoff_ns(r));
}

/* Retry-After: delay-seconds or an HTTP date.  -1 when absent or unreadable. */
static int64_t retry_after_ns(const char *v)
{
	if (!v[0])
		return -1;
	char *end;
	long long s = strtoll(v, &end, 10);
	if (end != v && *end == '\0')
		return s < 0 ? 0 : (s > 86400 ? 86400 : s) * NS_PER_S;
	time_t when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return -1;
	time_t now = time(NULL);
	return when > now ? (int64_t)(when - now) * NS_PER_S : 0;
}

static void on_429(struct rest *r, struct xfer *x)
{
	count(&r->n_429, 1);
	int64_t ns = retry_after_ns(x->retry_after);
	int64_t cap = r->cfg.retry_after_max_ms * NS_PER_MS;
	if (ns < 0) {
		r->fails++;
		ns = backoff_ns(r);
	}
	pause_for(r, ns > cap ? cap : ns);
	requeue_rest(r, x, false);
}

static void on_answer(struct rest *r, struct xfer *x, long status)
{
	char why[96];
	if (status == 429) {
		on_429(r, x);
	} else if (status >= 400 && status < 500 && x->nids > 1) {
		count(&r->n_errors, 1);
		requeue_rest(r, x, true); /* one by one now */
	} else if (status >= 400 && status < 500) {
		snprintf(why, sizeof(why),
		         status == 404 ? "no order book for this token (HTTP %ld)"
		                       : "refused (HTTP %ld)",
		         status);
		send_error(r, x, 0, status, why);
	} else if (status < 200 || status > 299) {
		snprintf(why, sizeof(why), "HTTP %ld", status);
		transient(r, x, status, why);
	} else {
		size_t before = proto_counters(r->proto)->by_kind[EV_BOOK];
		r->cur = x;
		proto_parse_rest_books(r->proto, x->body, x->body_len, on_event, r);
		r->cur = NULL;
		bool any = proto_counters(r->proto)->by_kind[EV_BOOK] > before;
		size_t left = 0;
		for (size_t i = 0; i < x->nids; i++)
			left += !x->answered[i];
		if (!any && left == x->nids) {
			transient(r, x, status, "answer is not a book or a list of books");
			return;
		}
		r->fails = 0;
		for (size_t i = 0; i < x->nids; i++)
			if (!x->answered[i])
				send_error(r, x, i, status, "no book for this token in the answer");
	}
}

static void finish(struct rest *r, struct xfer *x, CURLcode rc)
{
	long status = 0;
	curl_multi_remove_handle(r->multi, x->easy);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	count(&r->n_bytes, x->body_len);
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		if (x->nids > 1) {
			count(&r->n_errors, 1);
			requeue_rest(r, x, true);
		} else {
			char why[96];
			snprintf(why, sizeof(why), "answer larger than %zu bytes", r->cfg.max_body);
			send_error(r, x, 0, status, why);
		}
	} else if (rc != CURLE_OK) {
		char why[CURL_ERROR_SIZE + 64];
		snprintf(why, sizeof(why), "%s%s%s", curl_easy_strerror(rc),
		         x->errbuf[0] ? ": " : "", x->errbuf);
		transient(r, x, 0, why);
	} else {
		on_answer(r, x, status);
	}
	x->busy = false;
	if (x->body_cap > KEEP_BODY) {
		free(x->body);
		x->body = NULL;
		x->body_cap = 0;
	}
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
		requeue_rest(r, x, false);
		r->fails++;
		pause_for(r, backoff_ns(r));
		count(&r->n_errors, 1);
		return false;
	}
	x->busy = true;
	count(&r->n_requests, 1);
	count(x->post ? &r->n_req_books : &r->n_req_book, 1);
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
				finish(r, &r->x[i], rc);
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
				count(&r->n_deduped, 1);
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
	bool ok = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_USERAGENT, "clobtop") == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->cfg.connect_ms) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->cfg.timeout_ms) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_WRITEDATA, x) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_HEADERDATA, x) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->cfg.max_body) ==
	               CURLE_OK;
	return ok && curlcfg_tls(c, r->ca_file, r->cfg.insecure);
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
