/*
 * rest_answer: what an answer to a REST book request means (the policy is in rest.c's
 * header comment): each book asked for becomes a record for the UI, each asset that
 * cannot have one gets an error record, and a request that failed as a whole puts its ids
 * back at the front of the queue behind a pause.
 *
 * Runs on the REST worker thread only.  Must never let a network string into a record
 * unsanitised, cut a book to make it fit, or drop an id without an answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "clock.h"
#include "msg.h"
#include "rest_int.h"
#include "sanitize.h"

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

void rest_pause_for(struct rest *r, int64_t ns)
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
	rest_pause_for(r, RING_FULL_MS * NS_PER_MS);
}

/* A permanent error for one asset: its answer, and it leaves the set. */
static void send_error(struct rest *r, struct xfer *x, size_t i, long status, const char *text)
{
	struct rest_book *b = rec_begin(r, x->ids[i].id, 0);
	rest_count(&r->n_errors, 1);
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
	rest_count(&r->n_books, 1);
	settle(r, x, i, b);
}

/* Sink of proto_parse_rest_books: books and per-asset errors for ids we asked for;
 * anything else is ignored (a server answering more than asked). */
static void on_event(void *ctx, const struct event *e)
{
	struct rest *r = ctx;
	struct xfer *x = r->cur;
	/* "[]", a book, or a bad book with its asset id: the server spoke the protocol */
	r->understood |= e->kind == EV_BOOK || e->kind == EV_EMPTY || e->asset_id.s;
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

int64_t rest_backoff_ns(struct rest *r)
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
void rest_requeue(struct rest *r, struct xfer *x, bool solo)
{
	for (size_t i = x->nids; i-- > 0;)
		if (!x->answered[i])
			restq_requeue(r->q, x->ids[i].id, solo || x->ids[i].solo);
}

static void transient(struct rest *r, struct xfer *x, long status, const char *why)
{
	rest_count(&r->n_errors, 1);
	r->fails++;
	for (size_t i = 0; i < x->nids; i++)
		if (!x->answered[i])
			notify_retry(r, x, i, status, why);
	rest_requeue(r, x, false);
	rest_pause_for(r, rest_backoff_ns(r));
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
	rest_count(&r->n_429, 1);
	int64_t ns = retry_after_ns(x->retry_after);
	int64_t cap = r->cfg.retry_after_max_ms * NS_PER_MS;
	if (ns < 0) {
		r->fails++;
		ns = rest_backoff_ns(r);
	}
	rest_pause_for(r, ns > cap ? cap : ns);
	rest_requeue(r, x, false);
}

static void on_answer(struct rest *r, struct xfer *x, long status)
{
	char why[96];
	if (status == 429) {
		on_429(r, x);
	} else if (status >= 400 && status < 500 && x->nids > 1) {
		rest_count(&r->n_errors, 1);
		rest_requeue(r, x, true); /* one by one now */
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
		r->cur = x;
		r->understood = false;
		proto_parse_rest_books(r->proto, x->body, x->body_len, on_event, r);
		r->cur = NULL;
		if (!r->understood) {
			transient(r, x, status, "answer is not a book or a list of books");
			return;
		}
		r->fails = 0;
		for (size_t i = 0; i < x->nids; i++)
			if (!x->answered[i])
				send_error(r, x, i, status, "no book for this token in the answer");
	}
}

void rest_finish(struct rest *r, struct xfer *x, CURLcode rc)
{
	long status = 0;
	curl_multi_remove_handle(r->multi, x->easy);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	rest_count(&r->n_bytes, x->body_len);
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		if (x->nids > 1) {
			rest_count(&r->n_errors, 1);
			rest_requeue(r, x, true);
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
