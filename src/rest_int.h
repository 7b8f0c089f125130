/*
 * rest_int: what rest.c (the worker thread: requests, slots, start and stop, the UI side)
 * and rest_answer.c (what an answer means: records, parsing, retries) share.  Private to
 * those two files; everything here belongs to the REST worker thread unless it is atomic.
 */
#ifndef CLOBTOP_REST_INT_H
#define CLOBTOP_REST_INT_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "proto.h"
#include "rest.h"
#include "restq.h"
#include "ring.h"

#define RING_FULL_MS 100             /* pause when the UI has not drained answers */
#define KEEP_BODY    (1024u * 1024u) /* larger answer buffers are freed after use */

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
	bool understood;                /* that answer held books or said "[]" */
	unsigned char *rec;             /* record scratch */
	size_t rec_cap;                 /* bytes allocated */
	pthread_t thread;               /* the worker */
	bool thread_ok;                 /* must be joined */
	atomic_bool stop;               /* set by rest_stop */
	_Atomic int64_t pause_until_ns; /* no request starts before (CLOCK_MONOTONIC) */
	_Atomic uint64_t n_requests, n_req_book, n_req_books, n_books, n_errors, n_429, n_bytes,
	    n_deduped, n_in_flight, n_queued; /* see struct rest_counters */
};

static inline void rest_count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* rest_answer.c */
void rest_finish(struct rest *r, struct xfer *x, CURLcode rc); /* a transfer ended */
void rest_requeue(struct rest *r, struct xfer *x, bool solo);  /* unanswered ids to the front */
int64_t rest_backoff_ns(struct rest *r);                       /* next back-off, with jitter */
void rest_pause_for(struct rest *r, int64_t ns);               /* no request for ns from now */

#endif
