/*
 * gamma_int: what the Gamma worker's two files share (gamma.c: requests, HTTP, JSON;
 * gamma_disc.c: paging through listings).  Nobody else may include it.
 *
 * Everything here runs on the Gamma worker thread only, except gamma_queue (UI thread).
 */
#ifndef CLOBTOP_GAMMA_INT_H
#define CLOBTOP_GAMMA_INT_H

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "gamma.h"
#include "ring.h"

enum req_kind {
	REQ_TOKENS = 'T',   /* payload: space-separated token ids */
	REQ_SLUG = 'S',     /* payload: one slug */
	REQ_DISCOVER = 'D', /* payload: scope letter (A, E, T), then the slug */
};

struct gamma {
	struct gamma_config cfg;      /* copy; base_url and ca_file point at owned copies */
	char *base_url;               /* owned, without trailing '/' */
	char *ca_file;                /* owned, or NULL */
	struct ring *req;             /* UI -> worker, REC_GAMMA_REQ */
	struct ring *resp;            /* worker -> UI, REC_GAMMA_RESULT (a struct gamma_result) */
	CURLM *multi;                 /* only for curl_multi_poll / curl_multi_wakeup */
	CURL *easy;                   /* the one connection the worker reuses */
	char errbuf[CURL_ERROR_SIZE]; /* libcurl's detailed error text */
	char *body;                   /* answer being received */
	size_t body_len;              /* bytes in body */
	size_t body_cap;              /* bytes allocated for body */
	bool body_too_big;            /* the answer passed cfg.max_body and was cut off */
	long retry_after;             /* seconds in the last answer's Retry-After, 0 none */
	int64_t *sent;                /* monotonic ns of the last cfg.rate requests (ring) */
	size_t nsent;                 /* entries used in sent */
	size_t sent_head;             /* oldest entry of sent once it is full */
	bool chunked;                 /* a full result is sent (more = true), not truncated */
	struct gamma_result res;      /* the result being built (too big for the stack) */
	pthread_t thread;             /* the worker */
	bool thread_ok;               /* thread was started and must be joined */
	atomic_bool stop;             /* set by gamma_stop */
};

/* GET path and parse it.  *root is NULL (and true returned) for a 404.  False with
 * r->error set on any failure (*stopped set when the worker is stopping). */
bool gamma_fetch_json(struct gamma *g, struct gamma_result *r, const char *path, json_t **root,
                      bool *stopped);

/* A JSON object that looks like a Gamma market, and its parse. */
bool gamma_is_market(json_t *o);
void gamma_market_parse(json_t *o, struct gamma_market *m);

/* URL-escape s into dst; false when it does not fit. */
bool gamma_escape(struct gamma *g, char *dst, size_t cap, const char *s);

/* Hand r to the UI (waits for room; gives up only when stopping). */
void gamma_send_result(struct gamma *g, const struct gamma_result *r);

/* gamma_disc.c: wait, when cfg.rate requests went out in the last 10 s, until one more
 * may; false when stopping. */
bool gamma_pace(struct gamma *g);

/* Sleep ms, woken early by gamma_stop: false when stopping. */
bool gamma_sleep(struct gamma *g, long ms);

/* gamma_disc.c: run a REQ_DISCOVER whose query (scope letter, slug) is in r.  False when
 * the worker is stopping. */
bool gamma_disc_run(struct gamma *g, struct gamma_result *r);

#endif
